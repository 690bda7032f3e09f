from django.contrib import admin

from common.admin import ChildAdmin, DatasetAdmin

from .models import Actor, ActorAlias


class ActorAliasInline(admin.TabularInline):
    model = ActorAlias
    extra = 1
    fields = ["alias"]


class ChildActorInline(admin.TabularInline):
    model = Actor
    fk_name = "parent"
    extra = 0
    fields = ["slug", "name", "kind", "country"]
    show_change_link = True
    can_delete = False
    verbose_name_plural = "actors directly below this one"

    def has_add_permission(self, request, obj=None):
        # Children are created on their own page, where their parent is chosen.
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(Actor)
class ActorAdmin(DatasetAdmin):
    list_display = ["name", "slug", "short_name", "kind", "country", "parent", "wikidata_id"]
    list_filter = ["kind", "country"]
    list_select_related = ["parent"]
    search_fields = ["slug", "name", "short_name", "aliases__alias", "wikidata_id"]
    autocomplete_fields = ["parent"]
    inlines = [ActorAliasInline, ChildActorInline]
    fieldsets = [
        (None, {"fields": ["slug", "name", "short_name", "kind", "country", "parent"]}),
        ("Reference", {"fields": ["wikidata_id", "description"]}),
        ("History", {"fields": ["created", "updated"], "classes": ["collapse"]}),
    ]


@admin.register(ActorAlias)
class ActorAliasAdmin(ChildAdmin):
    parent_field = "actor"
    list_display = ["alias", "actor"]
    list_select_related = ["actor"]
    list_filter = ["actor__kind"]
    search_fields = ["alias", "actor__name", "actor__slug"]
    autocomplete_fields = ["actor"]
    readonly_fields = ["created", "updated"]
