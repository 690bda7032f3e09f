"""Admin pieces every dataset app shares."""

import datetime
from functools import cache

from django import forms
from django.contrib import admin
from django.contrib.admin.options import IncorrectLookupParameters
from django.contrib.admin.utils import flatten_fieldsets
from django.contrib.admin.views.main import ChangeList
from django.contrib.auth import get_permission_codename
from django.core.exceptions import ValidationError
from django.forms.models import BaseInlineFormSet

from common.services import lock_row, save_changed, touch

# The hidden field of a change form: the row's ``updated`` stamp as the curator loaded it.
SEEN = "updated_when_loaded"


class SeekingDates:
    """A queryset whose years (``dates(field, "year")``, the date hierarchy's first level)
    are found by seeking, when it is not filtered: the first date on or after each year's
    start, one index lookup per year that has rows, and one past the last. Django's own
    truncates every row's date and removes the duplicates, which read every event (0.2 s at
    100k events). A filtered queryset (a search, a filter, a chosen year) keeps Django's:
    its rows are fewer, and a seek could walk far to find none."""

    def dates(self, field_name, kind, order="ASC"):
        if kind != "year" or self.query.where:
            return super().dates(field_name, kind, order)
        dated = (
            self.filter(**{f"{field_name}__isnull": False})
            .order_by(field_name)
            .values_list(field_name, flat=True)
        )
        years = []
        start = None
        while True:
            found = (
                dated if start is None else dated.filter(**{f"{field_name}__gte": start})
            ).first()
            if found is None:
                break
            years.append(datetime.date(found.year, 1, 1))
            if found.year == datetime.MAXYEAR:
                break
            start = datetime.date(found.year + 1, 1, 1)
        return years if order == "ASC" else years[::-1]


@cache
def _seeking(queryset_class):
    return type(f"Seeking{queryset_class.__name__}", (SeekingDates, queryset_class), {})


class DatasetChangeList(ChangeList):
    def get_filters(self, request):
        try:
            return super().get_filters(request)
        except (OverflowError, ValueError) as error:
            # A date drill-down past the calendar's end (year 9999): the changelist's own
            # "bad filter" answer, not a server error.
            raise IncorrectLookupParameters(error) from error


class LoadedVersionForm(forms.ModelForm):
    """A change form that knows which version of the row its curator saw (its ``updated``
    stamp when the page was loaded) and refuses to save over a newer one."""

    updated_when_loaded = forms.CharField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.loaded():
            self.fields[SEEN].initial = self.instance.updated.isoformat()

    def loaded(self):
        return self.instance.pk is not None and getattr(self.instance, "updated", None)

    def current_version(self):
        """The row's ``updated`` now, locked until the save commits (the admin's change view
        is one transaction; SQLite's IMMEDIATE transactions lock on their own): of two
        saves sent from the same loaded page at once, the second sees the first's stamp."""
        rows = type(self.instance)._default_manager.filter(pk=self.instance.pk)
        return lock_row(rows).values_list("updated", flat=True).get()

    def clean(self):
        cleaned = super().clean()
        seen = self.data.get(self.add_prefix(SEEN))
        if self.loaded() and seen and seen != self.current_version().isoformat():
            raise ValidationError(
                "Someone else saved this %(what)s after you opened it (at %(when)s UTC). "
                "Your changes are not saved: open it again to see theirs, then make yours.",
                params={
                    "what": self.instance._meta.verbose_name,
                    "when": self.instance.updated.strftime("%Y-%m-%d %H:%M:%S"),
                },
                code="stale",
            )
        return cleaned


class DatasetAdmin(admin.ModelAdmin):
    """Writes only the fields the curator changed, as the API does, and refuses a save made
    from a page loaded before someone else's save: the values it shows as unchanged would
    otherwise undo that change. A published slug never changes (as in the API)."""

    form = LoadedVersionForm
    readonly_fields = ["created", "updated"]

    def get_changelist(self, request, **kwargs):
        return DatasetChangeList

    def get_queryset(self, request):
        queryset = super().get_queryset(request)
        if self.date_hierarchy:
            queryset.__class__ = _seeking(queryset.__class__)
        return queryset

    def get_readonly_fields(self, request, obj=None):
        fields = list(super().get_readonly_fields(request, obj))
        if obj is not None and any(field.name == "slug" for field in self.model._meta.fields):
            fields.append("slug")
        return fields

    def get_fieldsets(self, request, obj=None):
        fieldsets = super().get_fieldsets(request, obj)
        if SEEN in flatten_fieldsets(fieldsets):
            return fieldsets
        (name, options), *rest = fieldsets
        return [(name, {**options, "fields": [*options["fields"], SEEN]}), *rest]

    def has_add_permission(self, request):
        """A cited row (an event, a position, a relation) is added with its first citation:
        only by a curator who may add citations, since the form shows them no other way."""
        if not super().has_add_permission(request):
            return False
        for inline in self.inlines:
            if issubclass(inline, CitationInline):
                opts = inline.model._meta
                codename = get_permission_codename("add", opts)
                if not request.user.has_perm(f"{opts.app_label}.{codename}"):
                    return False
        return True

    def save_model(self, request, obj, form, change):
        if change:
            names = [name for name in form.changed_data if name in form.fields and name != SEEN]
            save_changed(obj, names)
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


class CitationAdmin(ChildAdmin):
    """A citation on its own page. Its row keeps at least one citation, the rule its row's
    own page checks: the last one is not deleted here, nor moved to another row, and rows
    are deleted one by one (the bulk delete could take a row's last)."""

    def get_readonly_fields(self, request, obj=None):
        fields = list(super().get_readonly_fields(request, obj))
        if obj is not None:
            fields.append(self.parent_field)
        return fields

    def has_delete_permission(self, request, obj=None):
        if not super().has_delete_permission(request, obj):
            return False
        if obj is None:
            return True
        others = type(obj)._default_manager.filter(
            **{self.parent_field: getattr(obj, f"{self.parent_field}_id")}
        )
        return others.exclude(pk=obj.pk).exists()

    def get_actions(self, request):
        actions = super().get_actions(request)
        actions.pop("delete_selected", None)
        return actions


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
