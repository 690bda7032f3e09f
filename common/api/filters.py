"""Filter classes that own their logic, and the backends that apply them.

Every filter reads a parameter that may repeat (``?x=a&x=b``) and may hold comma-separated
values (``?x=a,b``), checks each value (a bad one is a 400 naming the parameter) and adds
one condition. drf-spectacular documents each as an array of the item schema given.
"""

import datetime
import re

import django_filters
from django import forms
from django.db.models import F, Q
from django_filters.rest_framework import DjangoFilterBackend
from django_filters.utils import translate_validation
from drf_spectacular.drainage import set_override
from rest_framework import exceptions, filters

from common.models import COUNTRY_PATTERN, SLUG_PATTERN
from common.periods import date_overlap

MAX_ID = 2**63 - 1


class CommaSeparatedInput(forms.TextInput):
    """Reads a parameter that may repeat and may hold comma-separated values."""

    split = True

    def value_from_datadict(self, data, files, name):
        values = data.getlist(name) if hasattr(data, "getlist") else [data.get(name)]
        if self.split:
            values = [part for value in values if value for part in value.split(",")]
        return [value.strip() for value in values if value and value.strip()]

    def format_value(self, value):
        if isinstance(value, (list, tuple)):
            return ",".join(str(item) for item in value)
        return super().format_value(value)


class RepeatedInput(CommaSeparatedInput):
    """For free text, which may contain commas: values only repeat."""

    split = False


class ChoicesInput(forms.SelectMultiple):
    """A vocabulary's values as a list to choose from in the browsable API's filter form;
    reads repeated and comma-separated values alike."""

    split = True

    def value_from_datadict(self, data, files, name):
        return CommaSeparatedInput.value_from_datadict(self, data, files, name)


class InstantField(django_filters.fields.IsoDateTimeField):
    """An ISO 8601 date and time, as the same instant in UTC.

    Any offset up to 23:59 is valid ISO 8601, but PostgreSQL takes offsets up to 15:59
    only; and an instant near the ends of the calendar may have no UTC time at all.
    """

    def to_python(self, value):
        instant = super().to_python(value)
        if instant is None:
            return None
        try:
            return instant.astimezone(datetime.UTC)
        except OverflowError:
            raise forms.ValidationError(
                "'%(value)s' is outside the calendar once in UTC.", params={"value": value}
            ) from None


class InstantFilter(django_filters.IsoDateTimeFilter):
    field_class = InstantField


class DatasetFilterSet(django_filters.FilterSet):
    """Filters are labelled with their query parameter's name (what a client types), so the
    browsable API's form shows the parameters, not "[invalid name]".

    Every resource offers ``updated_after``, for keeping a copy in sync.
    """

    updated_after = InstantFilter(
        field_name="updated",
        lookup_expr="gt",
        help_text="ISO 8601 date and time, e.g. 2026-11-01T00:00:00Z: rows created or changed "
        "after it. Deleted rows are listed by /api/v1/deletions/.",
    )

    def __init__(self, *args, only=None, **kwargs):
        if only is not None:
            # Only these filters are copied and given form fields: a list request builds
            # the filters it was given, not all of them (a copy of each, with its field).
            self.base_filters = {
                name: filter_ for name, filter_ in self.base_filters.items() if name in only
            }
        super().__init__(*args, **kwargs)
        for name, filter_ in self.filters.items():
            filter_.label = name

    def is_valid(self):
        """The filters' own checks, and a date window that ends before it starts (a 400, as
        on the alignment: no row's period can overlap it, and it is most likely a typo)."""
        if not super().is_valid():
            return False
        after = self.form.cleaned_data.get("date_after")
        before = self.form.cleaned_data.get("date_before")
        if after and before and before < after:
            self.form.add_error("date_before", "It comes before date_after.")
            return False
        return True

    def given(self):
        """(name, cleaned value) of the filters whose parameter the request gives.

        An absent parameter filters nothing; passing it on anyway cost more than the
        filters given: a multiple-choice filter's empty value is an empty QuerySet, and
        asking it whether it is empty compiles a query."""
        return [
            (name, value) for name, value in self.form.cleaned_data.items() if name in self.data
        ]

    def filter_queryset(self, queryset):
        for name, value in self.given():
            queryset = self.filters[name].filter(queryset, value)
        return queryset


class MultiValueField(forms.Field):
    """A list of strings, each normalised and checked by ``check`` (which raises or returns)."""

    widget = CommaSeparatedInput

    def __init__(self, *, check=None, **kwargs):
        self.check = check
        super().__init__(**kwargs)

    def to_python(self, value):
        if not value:
            return []
        values = [value] if isinstance(value, str) else list(value)
        if self.check is not None:
            values = [self.check(item) for item in values]
        return values


def _document(filter_, item_schema, help_text):
    schema = dict(item_schema)
    if help_text:
        schema["description"] = help_text
    set_override(filter_, "field", schema)


class MultiValueFilter(django_filters.MultipleChoiceFilter):
    """Any of several values of ``field_name``; ``check`` validates and normalises each.

    Subclassing MultipleChoiceFilter makes drf-spectacular document it as an array;
    ``item_schema`` is the OpenAPI schema of one value.
    """

    field_class = MultiValueField
    lookup = "in"
    item_schema = {"type": "string"}

    def __init__(self, *args, item_schema=None, split=True, **kwargs):
        kwargs.setdefault("distinct", False)
        kwargs.setdefault("widget", CommaSeparatedInput if split else RepeatedInput)
        super().__init__(*args, **kwargs)
        _document(self, item_schema or self.item_schema, kwargs.get("help_text"))

    def filter(self, qs, value):
        if not value:
            return qs
        return qs.filter(self.condition(value))

    def condition(self, values):
        return Q(**{f"{self.field_name}__{self.lookup}": values})


class MultiValueChoiceFilter(MultiValueFilter):
    """Values from a controlled vocabulary; an unknown value is a 400 naming the parameter."""

    field_class = django_filters.fields.MultipleChoiceField

    def __init__(self, *args, choices, **kwargs):
        item_schema = {"type": "string", "enum": [value for value, _ in choices]}
        kwargs.setdefault("widget", ChoicesInput)
        super().__init__(*args, choices=choices, item_schema=item_schema, **kwargs)


def regex_check(pattern, description, normalise=str):
    """A value check for MultiValueField: normalise, then require a full regex match."""
    compiled = re.compile(pattern)

    def check(value):
        value = normalise(value)
        if not compiled.match(value):
            raise forms.ValidationError(
                "'%(value)s' is not %(what)s.", params={"value": value, "what": description}
            )
        return value

    return check


class CountryFilter(MultiValueFilter):
    """ISO 3166-1 alpha-2 codes, case-insensitive."""

    item_schema = {"type": "string", "pattern": COUNTRY_PATTERN}

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("field_name", "country")
        check = regex_check(COUNTRY_PATTERN, "an ISO 3166-1 alpha-2 code such as SY", str.upper)
        super().__init__(*args, check=check, **kwargs)


class SearchFilter(MultiValueFilter):
    """``q``: case-insensitive text search in ``fields``; repeated values mean any of them.

    Subclasses extend ``condition`` to search related rows (an actor's aliases).
    """

    def __init__(self, *args, fields, **kwargs):
        self.fields = list(fields)
        super().__init__(*args, split=False, **kwargs)

    def filter(self, qs, value):
        return super().filter(qs, search_terms(value) if value else value)

    def condition(self, terms):
        return any_contains(self.fields, terms)


def search_terms(terms):
    """What a search looks for: each term as given and, so that it matches however the text
    spells it, with its apostrophes typewriter (') and typographic (’) alike (the sources
    use both: "Dera’a"); a term with letters beyond ASCII also lower- and upper-cased, since
    SQLite's LIKE folds only ASCII letters ("TÜRKIYE" finds "Türkiye"). An ASCII term without
    an apostrophe, the common case, is searched as it is."""
    found = []
    for term in terms:
        variants = [term]
        if "'" in term or "’" in term:
            variants += [term.replace("’", "'"), term.replace("'", "’")]
        if not term.isascii():
            variants += [variant.lower() for variant in variants]
            variants += [variant.upper() for variant in variants]
        for variant in variants:
            if variant not in found:
                found.append(variant)
    return found


def any_contains(fields, terms):
    condition = Q()
    for term in terms:
        for name in fields:
            condition |= Q(**{f"{name}__icontains": term})
    return condition


class IdMultipleChoiceField(django_filters.fields.ModelMultipleChoiceField):
    """Checks integer keys before the database sees them: a value past 64 bits is a 400
    naming the parameter, not an overflow in the database driver."""

    def clean(self, value):
        if self.to_field_name is None and value:
            for item in value:
                if not (item.isascii() and item.isdigit() and int(item) <= MAX_ID):
                    raise forms.ValidationError(
                        "'%(value)s' is not an id (a whole number).", params={"value": item}
                    )
        return super().clean(value)


class MultiValueModelFilter(django_filters.ModelMultipleChoiceFilter):
    """Rows named by their public key; an unknown key is a 400 naming the parameter."""

    field_class = IdMultipleChoiceField

    def __init__(self, *args, item_schema=None, **kwargs):
        kwargs.setdefault("distinct", False)
        kwargs.setdefault("widget", CommaSeparatedInput)
        super().__init__(*args, **kwargs)
        key = kwargs.get("to_field_name")
        if key is None:
            default = {"type": "integer", "minimum": 1, "maximum": MAX_ID}
        else:
            default = {"type": "string", "pattern": SLUG_PATTERN} if key == "slug" else {}
            default = {"type": "string", **default}
        _document(self, item_schema or default, kwargs.get("help_text"))

    def filter(self, qs, value):
        if not value:
            return qs
        return qs.filter(self.condition(value))

    def condition(self, rows):
        return Q(**{f"{self.field_name}__in": rows})


class CitedByFilter(MultiValueModelFilter):
    """``source``: rows that cite any of the given sources (ids), through ``citations``."""

    def __init__(self, *args, citations, **kwargs):
        self.citations = citations
        super().__init__(*args, **kwargs)

    def condition(self, sources):
        model = self.model._meta.get_field(self.citations).related_model
        link = self.model._meta.get_field(self.citations).field.attname
        return Q(pk__in=model.objects.filter(source__in=sources).values(link))


class DateOverlapFilter(django_filters.DateFilter):
    """``date_after`` / ``date_before``: inclusive, matched against the row's date range."""

    def __init__(self, *args, bound, **kwargs):
        assert bound in ("after", "before")
        self.bound = bound
        super().__init__(*args, **kwargs)

    def filter(self, qs, value):
        if value is None:
            return qs
        return qs.filter(date_overlap(**{self.bound: value}))


def date_filters():
    """The pair of date filters every dated resource offers."""
    return (
        DateOverlapFilter(
            bound="after",
            help_text="ISO date; rows whose date range ends on or after it (inclusive). A "
            "month- or year-precision date covers its whole month or year.",
        ),
        DateOverlapFilter(
            bound="before",
            help_text="ISO date; rows whose date range starts on or before it (inclusive).",
        ),
    )


class FilterBackend(DjangoFilterBackend):
    """django-filter's backend, with only the filters a request gives (none: no FilterSet).

    Building a FilterSet copies every filter and builds a form field for each; a list needs
    only those of its parameters. The browsable API's filter form still has them all.
    """

    def filter_queryset(self, request, queryset, view):
        filterset_class = self.get_filterset_class(view, queryset)
        if filterset_class is None:
            return queryset
        given = [name for name in filterset_class.base_filters if name in request.query_params]
        if not given:
            return queryset
        kwargs = self.get_filterset_kwargs(request, queryset, view)
        filterset = filterset_class(**kwargs, only=given)
        if not filterset.is_valid():
            raise translate_validation(filterset.errors)
        return filterset.qs


ORDERING_TERM = re.compile(r"-?[a-z_]+\Z")


class StrictOrderingFilter(filters.OrderingFilter):
    """``ordering`` over the view's ``ordering_fields``; an unknown field is a 400.

    The primary key is appended as a tie-breaker so pages never overlap or skip rows.
    """

    def get_ordering(self, request, queryset, view):
        raw = request.query_params.get(self.ordering_param)
        if not raw:
            return self.get_default_ordering(view)
        terms = [term.strip() for term in raw.split(",") if term.strip()]
        valid = [name for name, _ in self.get_valid_fields(queryset, view, {"request": request})]
        invalid = [
            term for term in terms if not ORDERING_TERM.match(term) or term.lstrip("-") not in valid
        ]
        if invalid or not terms:
            raise exceptions.ValidationError(
                {
                    self.ordering_param: [
                        f"Unknown ordering field(s): {', '.join(invalid) or raw}. "
                        f"Accepted: {', '.join(valid)} (prefix '-' for descending)."
                    ]
                }
            )
        if not any(term.lstrip("-") in ("id", "pk") for term in terms):
            terms.append("pk")
        return [self.order_by(queryset.model, term) for term in terms]

    @staticmethod
    def order_by(model, term):
        """Empty values sort first ascending and last descending, as SQLite sorts NULLs,
        on every database, so the same request gives the same page everywhere."""
        name = term.lstrip("-")
        try:
            nullable = model._meta.get_field(name).null
        except Exception:
            nullable = False
        if not nullable:
            return term
        if term.startswith("-"):
            return F(name).desc(nulls_last=True)
        return F(name).asc(nulls_first=True)

    def get_schema_operation_parameters(self, view):
        names = list(getattr(view, "ordering_fields", []))
        return [
            {
                "name": self.ordering_param,
                "required": False,
                "in": "query",
                "description": (
                    "Comma-separated fields to sort by; prefix '-' for descending. "
                    "Ties are broken by the primary key."
                ),
                "style": "form",
                "explode": False,
                "schema": {
                    "type": "array",
                    "items": {
                        "type": "string",
                        "enum": [prefix + name for name in names for prefix in ("", "-")],
                    },
                },
            }
        ]
