"""Admin pieces every dataset app shares."""

from django.contrib import admin
from django.core.exceptions import ValidationError
from django.forms.models import BaseInlineFormSet

from common.services import save_changed, touch


class DatasetAdmin(admin.ModelAdmin):
    """Writes only the fields the curator changed, as the API does."""

    readonly_fields = ["created", "updated"]

    def save_model(self, request, obj, form, change):
        if change:
            save_changed(obj, [name for name in form.changed_data if name in form.fields])
        else:
            obj.save()


class ChildAdmin(admin.ModelAdmin):
    """A row that belongs to another (an alias, a participant, a citation), edited on its
    own page: writing it also marks its parent changed, so that a client syncing with
    ``updated_after`` sees the parent's new lists."""

    parent_field = None

    def _touch_parents(self, rows):
        for parent in {getattr(row, self.parent_field) for row in rows}:
            touch(parent)

    def save_model(self, request, obj, form, change):
        previous = form.initial.get(self.parent_field) if change else None
        super().save_model(request, obj, form, change)
        parent = getattr(obj, self.parent_field)
        touch(parent)
        if previous is not None and previous != parent.pk:
            touch(type(parent)._default_manager.get(pk=previous))  # the row moved away

    def delete_model(self, request, obj):
        parent = getattr(obj, self.parent_field)
        super().delete_model(request, obj)
        touch(parent)

    def delete_queryset(self, request, queryset):
        rows = list(queryset.select_related(self.parent_field))
        super().delete_queryset(request, queryset)
        self._touch_parents(rows)


class CitedFormSet(BaseInlineFormSet):
    """At least one citation, refused in the words of the model's CitedBy rule."""

    rule = None

    def clean(self):
        super().clean()
        kept = [
            form
            for form in self.forms
            if form.has_changed() or form.instance.pk
            if not (self.can_delete and self._should_delete_form(form))
        ]
        if not kept:
            raise ValidationError(self.rule.message)


class CitationInline(admin.StackedInline):
    """Citations of a cited row (``rule``: the model's common.rules.CitedBy)."""

    rule = None
    extra = 0
    min_num = 1
    autocomplete_fields = ["source"]
    verbose_name_plural = "citations"

    def get_formset(self, request, obj=None, **kwargs):
        formset = type("CitedFormSet", (CitedFormSet,), {"rule": self.rule})
        return super().get_formset(request, obj, formset=formset, **kwargs)
