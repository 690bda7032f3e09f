"""``DatasetViewSet``: what every dataset resource adds to DRF's ModelViewSet."""

import functools
import hashlib
import json

import django_filters
from django.conf import settings
from django.db import transaction
from django.http import HttpResponseNotModified
from django.utils.module_loading import import_string
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import status, viewsets
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.generics import get_object_or_404
from rest_framework.response import Response
from rest_framework.settings import api_settings

from common.services import lock_row

from .errors import PreconditionFailed
from .formats import FORMATS
from .links import released, with_release
from .memo import Memo
from .params import CheckedQueryMixin, check_query_params
from .response_cache import cached, keep, key_for
from .rows import rows_for

ID_REGEX = r"[0-9]{1,18}"
SLUG_REGEX = r"[a-z0-9]+(?:-[a-z0-9]+)*"
PAGINATION_PARAMS = {"ordering", "page", "page_size", "cursor"}
WRITE_ACTIONS = {"update", "partial_update", "destroy"}


def etag_of(data):
    """A strong ETag of a JSON representation: the same data always gives the same tag."""
    text = json.dumps(data, sort_keys=True, separators=(",", ":"), default=str)
    return '"' + hashlib.sha256(text.encode("utf-8")).hexdigest()[:32] + '"'


def _tags(header):
    return {tag.strip().removeprefix("W/") for tag in header.split(",") if tag.strip()}


def unchanged(request, etag):
    """Whether the client already holds ``etag``'s representation (``If-None-Match``, where
    ``*`` matches any: RFC 9110, 13.1.2)."""
    tags = _tags(request.headers.get("If-None-Match", ""))
    return etag in tags or "*" in tags


def not_modified(etag):
    """A 304 with its ETag. A plain Django response: DRF would render even an empty body
    with the negotiated renderer, and a streamed format (CSV, GeoJSON) has none."""
    response = HttpResponseNotModified()
    response["ETag"] = etag
    return response


@functools.lru_cache(maxsize=64)
def _without(rows, missing):
    """``rows`` without the keys ``missing``, made once per resource and set of columns
    (the wide export keeps a table per rows object)."""
    return rows.only([key for key in rows.fields if key not in missing])


# Filtered lists' querysets; each request takes a copy (``.all()``) and never compiles or
# evaluates the kept one, as Django's views do with a class's ``queryset``.
FILTERED = Memo(256)


class ConditionalMixin:
    """Reads answered conditionally: the ETag of a response is known before its query runs,
    from the version of the data it answers from and the request itself, so an unchanged
    answer is a 304 that costs one query (the data's version)."""

    def data_version(self):
        """The version of the data this response answers from: a release's, or the live
        data's (settings.DATA_VERSION). Read once per request: the ETag and the cached
        count name the same version."""
        if getattr(self, "_data_version", None) is None:
            release = released(self.request)
            if release is not None:
                self._data_version = f"release {release.version} {release.zip_sha256}"
            else:
                self._data_version = import_string(settings.DATA_VERSION)()
        return self._data_version

    def request_etag(self, request):
        accept = request.headers.get("Accept", "")
        key = f"{self.data_version()} {request.get_full_path()} {accept}"
        return '"' + hashlib.sha256(key.encode()).hexdigest()[:32] + '"'

    def answer_conditionally(self, request, respond):
        """``respond()``'s response with its ETag, or a 304 if the client holds it; a JSON
        answer asked for before under the same data version comes from the cache
        (response_cache.py), kept by ``finalize_response``."""
        etag = self.request_etag(request)
        tags = _tags(request.headers.get("If-None-Match", ""))
        if etag in tags:
            return not_modified(etag)
        self.response_key = key_for(request, self.data_version())
        response = cached(self.response_key)
        if response is None:
            response = respond()
        if "*" in tags and response.status_code == 200:
            # Only a request that would succeed matches "*" (RFC 9110, 13.2.1): its
            # parameters are checked, and a refusal answered, first.
            return not_modified(etag)
        response["ETag"] = etag
        return response

    def finalize_response(self, request, response, *args, **kwargs):
        response = super().finalize_response(request, response, *args, **kwargs)
        keep(getattr(self, "response_key", None), response)
        return response


class DatasetViewSet(ConditionalMixin, CheckedQueryMixin, viewsets.ModelViewSet):
    """A dataset resource: strict parameters, the lean list path, streamed formats,
    conditional reads and optimistic concurrency on writes.

    Subclasses set ``prefix``, ``serializer_class`` (the one declaration of the resource's fields),
    ``filterset_class``, ``ordering_fields``, ``get_queryset()``, ``table`` (the data
    package resource, for ``?format=csv``) and ``list_formats``.
    """

    prefix = None  # the resource's path under /api/v1/, e.g. "events" (common.api.routers)
    table = None
    list_formats = ("csv",)
    wide_csv = False  # offers ?format=csv&wide=true
    lookup_value_regex = ID_REGEX

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        if getattr(cls, "serializer_class", None) is not None:
            extend_schema_view(list=extend_schema(responses=cls.list_responses()))(cls)

    @classmethod
    def list_responses(cls):
        """The list's OpenAPI responses: the paginated JSON, plus the streamed formats."""
        responses = {(200, "application/json"): cls.serializer_class(many=True)}
        for name in cls.list_formats:
            fmt = FORMATS[name]
            responses[(200, fmt.media_type)] = OpenApiResponse(
                fmt.openapi_type, description=fmt.description
            )
        return responses

    def get_rows(self):
        """The resource's rows; with ``release=``, only the columns that release has."""
        rows = rows_for(self.serializer_class)
        missing = self.columns_not_released()
        return _without(rows, missing) if missing else rows

    def columns_not_released(self):
        """The live columns the pinned release lacks (an earlier minor version's package):
        its rows are answered without them, not with invented empty values."""
        headers = getattr(self.request, "dataset_headers", None)
        if not headers or self.table is None:
            return frozenset()
        if self.table.name not in headers:
            raise NotFound(
                f"Release {self.request.dataset_release.version} has no {self.table.name}."
            )
        return frozenset(self.table.header) - set(headers[self.table.name])

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)
        self.columns_not_released()  # a resource the pinned release lacks is a 404

    def get_renderers(self):
        classes = list(self.renderer_classes)
        if getattr(self, "action", None) == "list":
            classes += [FORMATS[name].renderer for name in self.list_formats]
        return [renderer() for renderer in classes]

    # -- strict query parameters ---------------------------------------------------

    def check_query_params(self, request):
        accepted = {api_settings.URL_FORMAT_OVERRIDE, "fields", "release"}
        multi, split = set(), set()
        if self.action == "list":
            filters = self.filterset_class.base_filters
            accepted |= PAGINATION_PARAMS | set(filters) | {"bom"}
            if self.wide_csv:
                accepted.add("wide")
            for name, filter_ in filters.items():
                if isinstance(
                    filter_,
                    (
                        django_filters.MultipleChoiceFilter,
                        django_filters.ModelMultipleChoiceFilter,
                    ),
                ):
                    multi.add(name)
                    if getattr(filter_.extra.get("widget"), "split", False):
                        split.add(name)
        check_query_params(request.query_params, accepted=accepted, multi=multi, split=split)
        if "cursor" in request.query_params and self.streamed_format(request):
            # An export streams every matching row from the first: a cursor would be silently
            # ignored, and a client resuming from it would read everything again.
            raise ValidationError(
                {"cursor": ["Only for JSON pages: an export streams every matching row."]}
            )
        if released(request) and "updated_after" in request.query_params:
            raise ValidationError(
                {"updated_after": ["Only on the live data: a release's rows never change."]}
            )
        self.check_export_params(request.query_params)
        if self.action == "list" and self.paginator is not None:
            self.paginator.check_params(request.query_params)
        self.fields_asked = self.parse_fields(request.query_params.get("fields"))

    def streamed_format(self, request):
        """The streamed format (CSV, GeoJSON) the list answers in, or None for JSON."""
        name = request.query_params.get(api_settings.URL_FORMAT_OVERRIDE)
        if name is None:
            accepted = getattr(request, "accepted_renderer", None)
            name = getattr(accepted, "format", None)
        return FORMATS.get(name) if self.action == "list" else None

    def check_export_params(self, params):
        fmt = params.get(api_settings.URL_FORMAT_OVERRIDE)
        for name in ("wide", "bom"):
            if name not in params:
                continue
            if params[name] not in ("true", "false"):
                raise ValidationError({name: ["Give true or false."]})
            if fmt != "csv":
                raise ValidationError({name: ["Only with format=csv."]})

    def parse_fields(self, raw):
        """``?fields=a,b``: the JSON keys to return (all when absent)."""
        if raw is None:
            return None
        if self.request.query_params.get(api_settings.URL_FORMAT_OVERRIDE) in FORMATS:
            raise ValidationError({"fields": ["Only for JSON; CSV has the package's columns."]})
        keys = [key.strip() for key in raw.split(",") if key.strip()]
        known = list(self.get_rows().fields)
        unknown = [key for key in keys if key not in known]
        if unknown or not keys:
            raise ValidationError(
                {
                    "fields": [
                        f"Unknown field(s): {', '.join(unknown) or raw}. Fields: "
                        f"{', '.join(known)}."
                    ]
                }
            )
        return keys

    def period_after(self, queryset):
        """The list's ``date_after`` when its pages can be read per span class
        (``pagination.period_page_keys``): a model with span classes, ``queryset`` read in
        the model's order (not another ordering, nor a search's matches collected and
        sorted: ``page_queryset``)."""
        params = self.request.query_params
        if "date_after" not in params or "ordering" in params or queryset.query.order_by:
            return None
        model = self.filterset_class._meta.model
        if not any(field.name == "span_class" for field in model._meta.concrete_fields):
            return None
        return self.filterset_class.base_filters["date_after"].field.clean(params["date_after"])

    # -- reads ---------------------------------------------------------------------

    def rows_key(self):
        """Which rows the list has, in words: the resource and the filter parameters given
        (what ``filter_queryset`` reads; ordering, paging and fields change no count)."""
        params = self.request.query_params
        filters = self.filterset_class.base_filters
        given = sorted(name for name in params if name in filters)
        return "\n".join([self.prefix, *(f"{name}={params.getlist(name)!r}" for name in given)])

    def filter_queryset(self, queryset):
        """A list's filtered and ordered query, built once per resource, database, data
        version, filters and ordering in this process (``FILTERED``): building it (a form,
        its fields' checks, the conditions) cost about a tenth of a page. Same filters, same
        data: the same query; each request still runs it. A version includes what a filter
        looks up (an actor's slug, a search's plan), so a change to the data builds anew."""
        if self.action != "list":
            return super().filter_queryset(queryset)
        params = self.request.query_params
        self.filtered_key = (
            type(self),
            queryset.db,
            self.data_version(),
            self.rows_key(),
            tuple(params.getlist("ordering")),
        )

        def build():
            return super(DatasetViewSet, self).filter_queryset(queryset)

        return FILTERED.get(self.filtered_key, build).all()

    def get_table(self):
        """The data package resource of ``?format=csv``: with ``release=``, the columns that
        release has (an earlier minor version may have fewer), so the bytes are its own."""
        headers = getattr(self.request, "dataset_headers", None)
        if headers and self.table.name in headers:
            return self.table.only(headers[self.table.name])
        return self.table

    def list(self, request, *args, **kwargs):
        return self.answer_conditionally(request, lambda: self.list_response(request))

    def list_response(self, request):
        queryset = self.filter_queryset(self.get_queryset())
        fmt = FORMATS.get(request.accepted_renderer.format)
        if fmt is not None:
            return fmt.stream(self, queryset)
        rows = self.get_rows()
        if self.fields_asked:
            rows = rows.only(self.fields_asked)
        url_template = with_release(rows.url_template(request, self.format_kwarg), request)
        page = self.paginate_queryset(rows.values(queryset))
        return self.get_paginated_response(rows.serialize(page, url_template))

    def retrieve(self, request, *args, **kwargs):
        data = self.get_serializer(self.get_object()).data
        if self.fields_asked:
            data = {key: data[key] for key in self.fields_asked}
        else:
            missing = self.columns_not_released()
            data = {key: value for key, value in data.items() if key not in missing}
        etag = etag_of(data)
        if unchanged(request, etag):
            return not_modified(etag)
        response = Response(data)
        response["ETag"] = etag
        return response

    # -- writes: atomic, optimistic, and a refused write is a 4xx ------------------

    def get_object(self):
        queryset = self.filter_queryset(self.get_queryset())
        if self.action in WRITE_ACTIONS:
            # Locks the row for the rest of the transaction (PostgreSQL; SQLite serialises
            # writers), so the If-Match check and the write see the same version.
            queryset = lock_row(queryset)
        lookup = self.kwargs[self.lookup_url_kwarg or self.lookup_field]
        instance = get_object_or_404(queryset, **{self.lookup_field: lookup})
        self.check_object_permissions(self.request, instance)
        return instance

    def check_if_match(self, instance):
        header = self.request.headers.get("If-Match")
        if header is None:
            return
        tags = _tags(header)
        if "*" not in tags and etag_of(self.get_serializer(instance).data) not in tags:
            raise PreconditionFailed()

    def create(self, request, *args, **kwargs):
        with transaction.atomic():
            response = super().create(request, *args, **kwargs)
        response["ETag"] = etag_of(response.data)
        return response

    def update(self, request, *args, **kwargs):
        partial = kwargs.pop("partial", False)
        with transaction.atomic():
            instance = self.get_object()
            self.check_if_match(instance)
            serializer = self.get_serializer(instance, data=request.data, partial=partial)
            serializer.is_valid(raise_exception=True)
            self.perform_update(serializer)
        # The nested lists were prefetched before the write (as in DRF's own update).
        instance._prefetched_objects_cache = {}
        data = self.get_serializer(instance).data
        return Response(data, headers={"ETag": etag_of(data)})

    def destroy(self, request, *args, **kwargs):
        with transaction.atomic():
            instance = self.get_object()
            self.check_if_match(instance)
            self.perform_destroy(instance)
        return Response(status=status.HTTP_204_NO_CONTENT)
