"""The REST API's shared machinery: errors, strict parameters, filters, the lean read path.

Every viewset of ``/api/v1/`` is built from these parts, so the promises of the HTTP API
(JSON errors naming the parameter, no silently ignored typo, constant query counts, CSV with
the data package's columns) are kept in one place rather than per resource.
"""

import copy
import datetime
import json
import re
from collections import defaultdict
from dataclasses import dataclass

import django_filters
from django import forms
from django.conf import settings
from django.core.exceptions import NON_FIELD_ERRORS
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import IntegrityError, transaction
from django.db.models import DateField, DateTimeField, Q
from django.db.models.deletion import ProtectedError, RestrictedError
from django.http import JsonResponse, StreamingHttpResponse
from django.utils import timezone
from django.views import defaults
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.drainage import set_override
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import exceptions, filters, pagination, renderers, serializers
from rest_framework import fields as drf_fields
from rest_framework.negotiation import DefaultContentNegotiation
from rest_framework.reverse import reverse
from rest_framework.settings import api_settings
from rest_framework.throttling import AnonRateThrottle as BaseAnonRateThrottle

from common.models import COUNTRY_PATTERN

# --------------------------------------------------------------------------------------
# Errors
# --------------------------------------------------------------------------------------


class UnknownQueryParameters(exceptions.ValidationError):
    """A query parameter the endpoint does not know: a typo must never return everything."""

    def __init__(self, unknown, accepted):
        self.accepted = sorted(accepted)
        listing = ", ".join(self.accepted)
        super().__init__(
            {
                name: [f"Unknown query parameter '{name}'. Accepted parameters: {listing}."]
                for name in sorted(unknown)
            }
        )


class Conflict(exceptions.APIException):
    status_code = 409
    default_detail = "The object is still referenced by other rows."
    default_code = "conflict"


def _error_body(exc, data):
    """Every error has a ``detail``; errors about named inputs also have ``errors``."""
    if isinstance(exc, exceptions.ValidationError):
        errors = data if isinstance(data, dict) else {api_settings.NON_FIELD_ERRORS_KEY: data}
        names = ", ".join(errors)
        body = {"detail": f"Invalid input: {names}.", "errors": errors}
        if isinstance(exc, UnknownQueryParameters):
            body["detail"] = f"Unknown query parameter: {names}."
            body["accepted"] = exc.accepted
        return body
    if isinstance(data, dict) and "detail" in data:
        return data
    return {"detail": data}


def exception_handler(exc, context):
    """DRF's handler, with database refusals turned into client errors and one JSON shape."""
    if isinstance(exc, (ProtectedError, RestrictedError)):
        blocking = sorted({obj._meta.verbose_name for obj in exc.args[1]})
        exc = Conflict(f"Cannot delete: still referenced by {', '.join(blocking)} rows.")
    elif isinstance(exc, IntegrityError):
        # The serializers mirror every constraint; this is the last line, never a 500.
        exc = exceptions.ValidationError({api_settings.NON_FIELD_ERRORS_KEY: [str(exc)]})
    elif isinstance(exc, DjangoValidationError):
        exc = exceptions.ValidationError(django_error_detail(exc))
    # Imported here: this module is named in REST_FRAMEWORK, which rest_framework.views
    # reads at import time, so it must not import rest_framework.views itself.
    from rest_framework.views import exception_handler as drf_exception_handler

    response = drf_exception_handler(exc, context)
    if response is None:
        return None
    request = context.get("request")
    renderer = getattr(request, "accepted_renderer", None)
    if renderer is not None and renderer.format in STREAM_FORMATS:
        # Errors are JSON even when the client asked for a CSV or GeoJSON stream.
        request.accepted_renderer = renderers.JSONRenderer()
        request.accepted_media_type = request.accepted_renderer.media_type
    response.data = _error_body(exc, response.data)
    return response


def django_error_detail(exc):
    detail = drf_fields.get_error_detail(exc)
    if isinstance(detail, dict) and NON_FIELD_ERRORS in detail:
        detail[api_settings.NON_FIELD_ERRORS_KEY] = detail.pop(NON_FIELD_ERRORS)
    return detail


def _is_api(request):
    return request.path.startswith("/api/")


def page_not_found(request, exception=None):
    """Django's 404 outside DRF views (an unknown API path) is JSON under /api/ too."""
    if _is_api(request):
        return JsonResponse({"detail": "Not found."}, status=404)
    return defaults.page_not_found(request, exception)


def server_error(request):
    if _is_api(request):
        return JsonResponse({"detail": "Server error."}, status=500)
    return defaults.server_error(request)


# --------------------------------------------------------------------------------------
# Formats
# --------------------------------------------------------------------------------------


class CSVRenderer(renderers.BaseRenderer):
    """Registers ``?format=csv``; list views stream the response themselves."""

    media_type = "text/csv"
    format = "csv"
    charset = "utf-8"

    def render(self, data, accepted_media_type=None, renderer_context=None):
        raise exceptions.NotAcceptable("CSV is only available on lists.")


class GeoJSONRenderer(renderers.BaseRenderer):
    """Registers ``?format=geojson``; the events list streams the FeatureCollection itself."""

    media_type = "application/geo+json"
    format = "geojson"
    charset = "utf-8"

    def render(self, data, accepted_media_type=None, renderer_context=None):
        raise exceptions.NotAcceptable("GeoJSON is only available on the events list.")


STREAM_FORMATS = {CSVRenderer.format, GeoJSONRenderer.format}


class ContentNegotiation(DefaultContentNegotiation):
    """An unavailable ``?format=`` is a client error, not DRF's bare 404."""

    def filter_renderers(self, renderers, format):
        matching = [renderer for renderer in renderers if renderer.format == format]
        if matching:
            return matching
        available = ", ".join(renderer.format for renderer in renderers)
        if format in STREAM_FORMATS:
            raise exceptions.NotAcceptable(
                f"Format '{format}' is not available here. Available formats: {available}."
            )
        raise exceptions.ValidationError(
            {"format": [f"Unknown format '{format}'. Available formats: {available}."]}
        )


# --------------------------------------------------------------------------------------
# Access
# --------------------------------------------------------------------------------------


class AnonRateThrottle(BaseAnonRateThrottle):
    """DRF reads the rates once at import; reading them per request lets tests change them."""

    def get_rate(self):
        return api_settings.DEFAULT_THROTTLE_RATES.get(self.scope)


class PageNumberPagination(pagination.PageNumberPagination):
    """``page`` and ``page_size`` (default 50, capped at 500); a bad value is a 400."""

    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 500
    page_size_query_description = "Rows per page: default 50, at most 500 (larger is capped)."
    invalid_page_message = "Page {page_number} does not exist: {message}."

    def get_page_size(self, request):
        raw = request.query_params.get(self.page_size_query_param)
        if raw is None:
            return self.page_size
        size = _positive_int(raw, self.page_size_query_param)
        return min(size, self.max_page_size)

    def get_page_number(self, request, paginator):
        raw = request.query_params.get(self.page_query_param, "1")
        if raw in self.last_page_strings:
            return paginator.num_pages
        return _positive_int(raw, self.page_query_param)


def _positive_int(raw, name):
    try:
        value = int(raw)
    except (TypeError, ValueError):
        value = 0
    if value < 1:
        raise exceptions.ValidationError({name: [f"'{raw}' is not a positive integer."]})
    return value


# --------------------------------------------------------------------------------------
# Filters
# --------------------------------------------------------------------------------------


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


def _override_schema(filter_, item_schema, help_text):
    schema = dict(item_schema)
    if help_text:
        schema["description"] = help_text
    set_override(filter_, "field", schema)


class MultiValueFilter(django_filters.MultipleChoiceFilter):
    """Any of several values: repeated (``?x=a&x=b``) or comma-separated (``?x=a,b``).

    Subclassing MultipleChoiceFilter makes drf-spectacular document it as an array.
    ``item_schema`` is the OpenAPI schema of one value.
    """

    field_class = MultiValueField
    lookup = "in"

    def __init__(self, *args, item_schema=None, split=True, **kwargs):
        kwargs.setdefault("distinct", False)
        kwargs.setdefault("widget", CommaSeparatedInput if split else RepeatedInput)
        super().__init__(*args, **kwargs)
        _override_schema(self, item_schema or {"type": "string"}, kwargs.get("help_text"))

    def filter(self, qs, value):
        if not value:
            return qs
        return qs.filter(**{f"{self.field_name}__{self.lookup}": value})


class MultiValueChoiceFilter(MultiValueFilter):
    """Values from a controlled vocabulary; an unknown value is a 400 naming the parameter."""

    field_class = django_filters.fields.MultipleChoiceField

    def __init__(self, *args, choices, **kwargs):
        item_schema = {"type": "string", "enum": [value for value, _ in choices]}
        super().__init__(*args, choices=choices, item_schema=item_schema, **kwargs)


class MultiValueModelFilter(django_filters.ModelMultipleChoiceFilter):
    """Rows named by their public key; an unknown key is a 400 naming the parameter."""

    def __init__(self, *args, item_schema=None, **kwargs):
        kwargs.setdefault("distinct", False)
        kwargs.setdefault("widget", CommaSeparatedInput)
        super().__init__(*args, **kwargs)
        _override_schema(self, item_schema or {"type": "string"}, kwargs.get("help_text"))

    def filter(self, qs, value):
        if not value:
            return qs
        return qs.filter(**{f"{self.field_name}__in": value})


def regex_check(pattern, description, normalise=str):
    """A value check for MultiValueField: normalise, then require a full regex match."""
    compiled = re.compile(pattern)

    def check(value):
        value = normalise(value)
        if not compiled.match(value):
            raise forms.ValidationError(f"'{value}' is not {description}.")
        return value

    return check


def country_filter(field_name="country", **kwargs):
    return MultiValueFilter(
        field_name=field_name,
        check=regex_check(COUNTRY_PATTERN, "an ISO 3166-1 alpha-2 code such as SY", str.upper),
        item_schema={"type": "string", "pattern": COUNTRY_PATTERN},
        **kwargs,
    )


def search_filter(help_text):
    """``q``: case-insensitive substring search; repeated values mean any of them."""
    return MultiValueFilter(method="search", split=False, help_text=help_text)


def any_contains(fields, terms):
    condition = Q()
    for term in terms:
        for name in fields:
            condition |= Q(**{f"{name}__icontains": term})
    return condition


def date_overlap(after=None, before=None):
    """Rows whose [date_start, date_end or date_start] overlaps [after, before], inclusive.

    A date is stored as the first day of its period ("August 2019" is 2019-08-01 with
    precision month), so a row's range ends with the last day of its period: an event of
    August 2019 matches ``date_after=2019-08-15``. Written without COALESCE so the date_start
    and date_end indexes can serve it; an undated row (null date_start) never matches a bound.
    """
    condition = Q()
    if after is not None:
        periods = {
            "day": after,
            "month": after.replace(day=1),
            "year": after.replace(month=1, day=1),
        }
        ends_after = Q()
        for precision, period_start in periods.items():
            ends_after |= Q(date_precision=precision) & (
                Q(date_end__gte=period_start)
                | Q(date_end__isnull=True, date_start__gte=period_start)
            )
        condition &= ends_after
    if before is not None:
        condition &= Q(date_start__lte=before)
    return condition


class DateOverlapFilterSet(django_filters.FilterSet):
    """``date_after`` / ``date_before``: inclusive, matched against the row's date range."""

    date_after = django_filters.DateFilter(
        method="skip",
        help_text="ISO date; rows whose date range ends on or after it (inclusive). A month- "
        "or year-precision date covers its whole month or year.",
    )
    date_before = django_filters.DateFilter(
        method="skip",
        help_text="ISO date; rows whose date range starts on or before it (inclusive).",
    )

    def skip(self, queryset, name, value):
        # Both bounds are applied together in filter_queryset.
        return queryset

    def filter_queryset(self, queryset):
        queryset = super().filter_queryset(queryset)
        after = self.form.cleaned_data.get("date_after")
        before = self.form.cleaned_data.get("date_before")
        if after is not None or before is not None:
            queryset = queryset.filter(date_overlap(after, before))
        return queryset


class FilterBackend(DjangoFilterBackend):
    """django-filter's backend, skipped when no filter parameter is given.

    Building a FilterSet copies every filter and builds a form; a plain list needs neither.
    """

    def filter_queryset(self, request, queryset, view):
        filterset_class = self.get_filterset_class(view, queryset)
        if filterset_class is None or not any(
            name in request.query_params for name in filterset_class.base_filters
        ):
            return queryset
        return super().filter_queryset(request, queryset, view)


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
        invalid = [term for term in terms if term.lstrip("-") not in valid]
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
        return terms

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


# --------------------------------------------------------------------------------------
# The lean read path
# --------------------------------------------------------------------------------------

URL = object()  # marks the ``url`` key of a RowSerializer


@dataclass(frozen=True)
class Nested:
    """A list of related rows inlined in each row, e.g. an event's participants.

    ``fields`` maps output keys to ORM paths on ``model``; a plain string instead gives a
    flat list of that one path's values (an actor's aliases).
    """

    model: type
    parent: str
    fields: dict | str


def _field_at(model, path):
    *relations, name = path.split("__")
    for part in relations:
        model = model._meta.get_field(part).related_model
    return model._meta.get_field(name)


def _converter(field):
    """The kind of conversion DRF applies to a value of this model field, if any."""
    if isinstance(field, DateTimeField):
        return "datetime"
    if isinstance(field, DateField):
        return "date"
    return None


def _converters():
    """Functions per conversion kind; DRF's DateTimeField, without its per-value lookups."""
    tz = timezone.get_current_timezone() if settings.USE_TZ else None

    def datetime_text(value):
        if tz is not None and timezone.is_aware(value):
            value = value.astimezone(tz)
        text = value.isoformat()
        return text[:-6] + "Z" if text.endswith("+00:00") else text

    return {None: None, "date": datetime.date.isoformat, "datetime": datetime_text}


class RowSerializer:
    """Serialises a list page with ``values()`` and one query per nested list.

    It produces exactly what the resource's DRF serializer produces (a test holds them
    equal) at a fraction of the cost: no model instances, no per-field serializer calls.
    ``fields`` maps each output key, in the serializer's order, to an ORM path, to ``URL``
    or to a ``Nested``.
    """

    def __init__(self, model, fields, *, view_name, lookup_field="pk"):
        self.model = model
        self.view_name = view_name
        self.lookup_field = lookup_field
        self.fields = fields
        self.columns = []  # (key, path, converter)
        self.nested = []  # (key, Nested, [(key, path, converter)] or path)
        for key, spec in fields.items():
            if spec is URL:
                continue
            if isinstance(spec, Nested):
                if isinstance(spec.fields, str):
                    self.nested.append((key, spec, spec.fields))
                else:
                    parts = [
                        (name, path, _converter(_field_at(spec.model, path)))
                        for name, path in spec.fields.items()
                    ]
                    self.nested.append((key, spec, parts))
            else:
                self.columns.append((key, spec, _converter(_field_at(model, spec))))
        self.paths = list(dict.fromkeys([path for _, path, _ in self.columns] + ["pk"]))
        if lookup_field not in self.paths:
            self.paths.append(lookup_field)

    def values(self, queryset):
        return queryset.prefetch_related(None).values(*self.paths)

    def url_template(self, request, format=None, *, keep_format=True):
        """(prefix, suffix) around the lookup value: one reverse() per request, not per row.

        DRF's reverse() keeps a ``?format=`` of the request, as the serializer's url field
        does; a streamed format's links point at the JSON detail instead.
        """
        placeholder = "__lookup__"
        kwarg = "pk" if self.lookup_field == "pk" else self.lookup_field
        kwargs = {kwarg: placeholder}
        if keep_format:
            url = reverse(self.view_name, kwargs=kwargs, request=request, format=format)
        else:
            url = request.build_absolute_uri(reverse(self.view_name, kwargs=kwargs))
        prefix, _, suffix = url.rpartition(placeholder)
        return prefix, suffix

    def _nested_rows(self, spec, parts, pks, converters):
        link = f"{spec.parent}_id"
        queryset = spec.model._default_manager.filter(**{f"{link}__in": pks})
        queryset = queryset.order_by(*spec.model._meta.ordering)
        grouped = defaultdict(list)
        if isinstance(parts, str):
            for pk, value in queryset.values_list(link, parts):
                grouped[pk].append(value)
            return grouped
        paths = [path for _, path, _ in parts]
        convert = [(name, converters[kind]) for name, _, kind in parts]
        for row in queryset.values_list(link, *paths):
            item = {}
            for (name, function), value in zip(convert, row[1:], strict=True):
                item[name] = value if function is None or value is None else function(value)
            grouped[row[0]].append(item)
        return grouped

    def serialize(self, rows, url_template):
        rows = list(rows)
        pks = [row["pk"] for row in rows]
        converters = _converters()
        nested = {
            key: self._nested_rows(spec, parts, pks, converters) if pks else {}
            for key, spec, parts in self.nested
        }
        kinds = {key: kind for key, _, kind in self.columns}
        # One (key, source, convert) step per output key, in the serializer's order.
        steps = []
        for key, spec in self.fields.items():
            if spec is URL:
                steps.append((key, URL, None))
            elif isinstance(spec, Nested):
                steps.append((key, nested[key], None))
            else:
                steps.append((key, spec, converters[kinds[key]]))
        prefix, suffix = url_template
        lookup = self.lookup_field
        results = []
        for row in rows:
            item = {}
            for key, source, convert in steps:
                if source is URL:
                    item[key] = f"{prefix}{row[lookup]}{suffix}"
                elif type(source) is str:
                    value = row[source]
                    item[key] = value if convert is None or value is None else convert(value)
                else:
                    item[key] = source.get(row["pk"], [])
            results.append(item)
        return results


# --------------------------------------------------------------------------------------
# Viewsets
# --------------------------------------------------------------------------------------


def stream_csv(table, queryset):
    """All matching rows as the data package resource's CSV, in its primary-key order."""
    response = StreamingHttpResponse(
        table.csv_chunks(queryset.prefetch_related(None)), content_type="text/csv; charset=utf-8"
    )
    response["Content-Disposition"] = f'attachment; filename="{table.name}.csv"'
    return response


def geojson_chunks(rows, queryset, url_template, *, batch_size=1000):
    """A FeatureCollection of the rows that have coordinates, in primary-key order.

    Rows are read in keyset batches, each serialised with its nested lists, so memory is
    bounded by the batch and no cursor stays open across the nested queries.
    """
    queryset = queryset.filter(latitude__isnull=False, longitude__isnull=False).order_by("pk")
    yield '{"type":"FeatureCollection","features":['
    last, first = None, True
    while True:
        batch = queryset if last is None else queryset.filter(pk__gt=last)
        batch = list(rows.values(batch)[:batch_size])
        if not batch:
            break
        last = batch[-1]["pk"]
        features = []
        for item in rows.serialize(batch, url_template):
            geometry = {"type": "Point", "coordinates": [item["longitude"], item["latitude"]]}
            features.append(
                json.dumps(
                    {"type": "Feature", "id": item["id"], "geometry": geometry, "properties": item},
                    ensure_ascii=False,
                    separators=(",", ":"),
                )
            )
        yield ("" if first else ",") + ",".join(features)
        first = False
    yield "]}"


def list_schema(serializer_class, *, formats=("csv",), description=""):
    """The list's OpenAPI responses: the paginated JSON, plus the streamed formats."""
    responses = {(200, "application/json"): serializer_class(many=True)}
    if "csv" in formats:
        responses[(200, CSVRenderer.media_type)] = OpenApiResponse(
            OpenApiTypes.STR,
            description="With ?format=csv: every matching row, the data package's columns.",
        )
    if "geojson" in formats:
        responses[(200, GeoJSONRenderer.media_type)] = OpenApiResponse(
            OpenApiTypes.OBJECT,
            description="With ?format=geojson: a FeatureCollection of matching rows with "
            "coordinates.",
        )
    return extend_schema_view(list=extend_schema(responses=responses, description=description))


class DatasetViewSetMixin:
    """What every dataset resource adds to DRF's ModelViewSet.

    A mixin rather than a ModelViewSet subclass: this module is named in REST_FRAMEWORK and
    must not import rest_framework.viewsets. Subclasses set ``serializer_class``,
    ``filterset_class``, ``ordering_fields``, ``rows`` (a RowSerializer for the list) and
    ``table`` (the data package Table for ``?format=csv``).
    """

    rows: RowSerializer
    table = None
    list_formats = (CSVRenderer,)
    single_value_params = {"ordering", "page", "page_size", "format"}

    def get_renderers(self):
        classes = list(self.renderer_classes)
        if getattr(self, "action", None) == "list":
            classes += list(self.list_formats)
        return [renderer() for renderer in classes]

    # -- strict query parameters ---------------------------------------------------

    def accepted_query_params(self):
        accepted = {api_settings.URL_FORMAT_OVERRIDE}
        if self.action == "list":
            accepted |= {"ordering", "page", "page_size"}
            accepted |= set(self.filterset_class.base_filters)
        return accepted

    def check_query_params(self, request):
        accepted = self.accepted_query_params()
        unknown = set(request.query_params) - accepted
        if unknown:
            raise UnknownQueryParameters(unknown, accepted)
        multi = {
            name
            for name, filter_ in getattr(self.filterset_class, "base_filters", {}).items()
            if isinstance(filter_, django_filters.MultipleChoiceFilter)
        }
        repeated = {
            name: ["Give this parameter once."]
            for name in request.query_params
            if name not in multi and len(request.query_params.getlist(name)) > 1
        }
        if repeated:
            raise exceptions.ValidationError(repeated)

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)
        self.check_query_params(request)

    # -- reads ---------------------------------------------------------------------

    def list(self, request, *args, **kwargs):
        queryset = self.filter_queryset(self.get_queryset())
        format = request.accepted_renderer.format
        if format == CSVRenderer.format:
            return stream_csv(self.table, queryset)
        if format == GeoJSONRenderer.format:
            url_template = self.rows.url_template(request, keep_format=False)
            return StreamingHttpResponse(
                geojson_chunks(self.rows, queryset, url_template),
                content_type="application/geo+json; charset=utf-8",
            )
        url_template = self.rows.url_template(request, self.format_kwarg)
        page = self.paginate_queryset(self.rows.values(queryset))
        return self.get_paginated_response(self.rows.serialize(page, url_template))

    # -- writes: atomic, and a refused write is a 4xx ------------------------------

    def perform_create(self, serializer):
        with transaction.atomic():
            serializer.save()

    def perform_update(self, serializer):
        with transaction.atomic():
            serializer.save()

    def perform_destroy(self, instance):
        with transaction.atomic():
            instance.delete()


# --------------------------------------------------------------------------------------
# Serializers
# --------------------------------------------------------------------------------------


class FullCleanMixin:
    """Runs the model's own validation (fields, clean(), unique and check constraints).

    Every database rule is thus answered as a 400 naming the field before the write.
    ``nested_fields`` are the serializer's lists written to other tables.
    """

    nested_fields = ()

    def validate(self, attrs):
        attrs = super().validate(attrs)
        model = self.Meta.model
        instance = copy.copy(self.instance) if self.instance is not None else model()
        for name, value in attrs.items():
            if name not in self.nested_fields:
                setattr(instance, name, value)
        try:
            instance.full_clean()
        except DjangoValidationError as exc:
            raise serializers.ValidationError(django_error_detail(exc)) from exc
        return attrs


def unique_items(items, key, message):
    """Reject duplicates in a nested list before the database's unique constraint does."""
    seen, errors, duplicate = set(), [], False
    for item in items:
        value = key(item)
        if value in seen:
            errors.append({api_settings.NON_FIELD_ERRORS_KEY: [message]})
            duplicate = True
        else:
            errors.append({})
        seen.add(value)
    if duplicate:
        raise serializers.ValidationError(errors)
