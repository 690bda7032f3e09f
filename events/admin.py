from django.contrib import admin
from django.db import models
from django.utils.text import smart_split, unescape_string_literal

from common.admin import ChildAdmin, CitationAdmin, CitationInline, DatasetAdmin

from . import search
from .models import (
    EVENT_CITED,
    POSITION_CITED,
    RELATION_CITED,
    Event,
    EventActor,
    EventSource,
    Issue,
    Position,
    PositionSource,
    Relation,
    RelationSource,
    Source,
)


class EventActorInline(admin.TabularInline):
    model = EventActor
    extra = 1
    autocomplete_fields = ["actor"]
    verbose_name_plural = "participants"


class EventSourceInline(CitationInline):
    model = EventSource
    rule = EVENT_CITED


class PositionSourceInline(CitationInline):
    model = PositionSource
    rule = POSITION_CITED


class RelationSourceInline(CitationInline):
    model = RelationSource
    rule = RELATION_CITED


@admin.register(Source)
class SourceAdmin(DatasetAdmin):
    list_display = ["title", "author", "publisher", "published", "source_type", "language"]
    list_filter = ["source_type", "language", "publisher"]
    search_fields = ["title", "author", "publisher", "url"]
    date_hierarchy = "published"
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}


@admin.register(Issue)
class IssueAdmin(DatasetAdmin):
    list_display = ["name", "slug", "country"]
    list_filter = ["country"]
    search_fields = ["slug", "name", "description"]


@admin.register(Event)
class EventAdmin(DatasetAdmin):
    list_display = [
        "title",
        "date_start",
        "date_end",
        "date_precision",
        "event_type",
        "country",
        "location_name",
    ]
    list_filter = ["event_type", "country", "date_precision", "geo_precision"]
    search_fields = [
        "title",
        "summary",
        "location_name",
        "participants__actor__name",
        "participants__actor__aliases__alias",
    ]
    date_hierarchy = "date_start"
    inlines = [EventActorInline, EventSourceInline]

    def get_search_results(self, request, queryset, search_term):
        """Every word of the search in the columns ``search_fields`` names, as Django's
        search finds it, but from the indexes (``search.admin_condition``)."""
        for word in smart_split(search_term):
            if word.startswith(('"', "'")) and word[0] == word[-1]:
                word = unescape_string_literal(word)
            queryset = queryset.filter(search.admin_condition(word, queryset.db))
        return queryset, False

    fieldsets = [
        (None, {"fields": ["title", "summary", "event_type", "country"]}),
        ("When", {"fields": ["date_start", "date_end", "date_precision", "ongoing_as_of"]}),
        (
            "Where",
            {
                "fields": [
                    "location_name",
                    "location_country",
                    "latitude",
                    "longitude",
                    "geo_precision",
                ]
            },
        ),
        ("Impact", {"fields": ["fatalities"]}),
        ("History", {"fields": ["created", "updated"], "classes": ["collapse"]}),
    ]


@admin.register(Position)
class PositionAdmin(DatasetAdmin):
    # The stance before the issue's long name, so that it shows at 1280 px without scrolling.
    list_display = ["actor", "stance", "issue", "date_start", "date_end", "ongoing_as_of"]
    list_select_related = ["actor", "issue"]
    list_filter = ["stance", "issue__country", "issue", "date_precision"]
    search_fields = ["summary", "actor__name", "actor__aliases__alias", "issue__name"]
    autocomplete_fields = ["actor", "issue"]
    inlines = [PositionSourceInline]


@admin.register(EventActor)
class EventActorAdmin(ChildAdmin):
    parent_field = "event"
    list_display = ["event", "actor", "role"]
    list_select_related = ["event", "actor"]
    list_filter = ["role", "actor__kind"]
    search_fields = ["event__title", "actor__name", "actor__aliases__alias"]
    autocomplete_fields = ["event", "actor"]


@admin.register(EventSource)
class EventSourceAdmin(CitationAdmin):
    parent_field = "event"
    list_display = ["event", "source", "quote"]
    list_select_related = ["event", "source"]
    list_filter = ["source__source_type"]
    search_fields = ["quote", "event__title", "source__title"]
    autocomplete_fields = ["event", "source"]


@admin.register(PositionSource)
class PositionSourceAdmin(CitationAdmin):
    parent_field = "position"
    list_display = ["position", "source", "quote"]
    list_select_related = ["position__actor", "position__issue", "source"]
    list_filter = ["source__source_type"]
    search_fields = ["quote", "position__summary", "source__title"]
    autocomplete_fields = ["position", "source"]


@admin.register(Relation)
class RelationAdmin(DatasetAdmin):
    list_display = [
        "actor",
        "kind",
        "counterpart",
        "domain",
        "issue",
        "country",
        "date_start",
        "date_end",
        "ongoing_as_of",
    ]
    list_select_related = ["actor", "counterpart", "issue"]
    list_filter = ["kind", "domain", "country", "date_precision"]
    search_fields = [
        "summary",
        "actor__name",
        "actor__aliases__alias",
        "counterpart__name",
        "counterpart__aliases__alias",
        "issue__name",
    ]
    autocomplete_fields = ["actor", "counterpart", "issue"]
    inlines = [RelationSourceInline]
    fieldsets = [
        (None, {"fields": ["actor", "kind", "counterpart", "domain", "issue", "country"]}),
        ("What the sources say", {"fields": ["summary"]}),
        ("When", {"fields": ["date_start", "date_end", "date_precision", "ongoing_as_of"]}),
        ("History", {"fields": ["created", "updated"], "classes": ["collapse"]}),
    ]


@admin.register(RelationSource)
class RelationSourceAdmin(CitationAdmin):
    parent_field = "relation"
    list_display = ["relation", "source", "quote"]
    list_select_related = ["relation__actor", "relation__counterpart", "source"]
    list_filter = ["source__source_type"]
    search_fields = ["quote", "relation__summary", "source__title"]
    autocomplete_fields = ["relation", "source"]
