"""Streaming formats of list endpoints (``?format=csv``, ``?format=geojson``), declared once.

Each format is a ``StreamFormat`` in ``FORMATS``: its renderer (so DRF's content
negotiation knows it), the function that streams a filtered queryset, and the words and
media type the OpenAPI schema shows. A viewset lists the names it offers in
``list_formats``; the views, the negotiation and the schema all read this registry.
"""

import itertools
import json
from collections.abc import Callable
from dataclasses import dataclass

from django.db import connections
from django.http import StreamingHttpResponse
from drf_spectacular.types import OpenApiTypes
from rest_framework import exceptions, renderers

from common.tabular import one_snapshot

from . import wide
from .links import with_release


class StreamRenderer(renderers.BaseRenderer):
    """Registers a ``?format=``; list views stream such a response themselves."""

    charset = "utf-8"

    def render(self, data, accepted_media_type=None, renderer_context=None):
        raise exceptions.NotAcceptable(f"{self.format} is only available on lists.")


@dataclass(frozen=True)
class StreamFormat:
    name: str
    media_type: str
    description: str
    openapi_type: object
    stream: Callable  # (view, queryset) -> StreamingHttpResponse

    @property
    def renderer(self):
        return _renderer(self.name, self.media_type)


_RENDERERS = {}


def _renderer(name, media_type):
    if name not in _RENDERERS:
        _RENDERERS[name] = type(
            f"{name.title()}Renderer", (StreamRenderer,), {"format": name, "media_type": media_type}
        )
    return _RENDERERS[name]


def stream_csv(view, queryset):
    """Every matching row as the data package resource's CSV, in its primary-key order;
    with ``wide=true``, one spreadsheet-ready row per record (see ``wide``)."""
    params = view.request.query_params
    table = view.get_table()
    if params.get("wide") == "true":
        chunks = wide.table_for(view.get_rows()).csv_chunks(queryset)
        name = f"{table.name}-wide"
    else:
        chunks = table.csv_chunks(queryset.prefetch_related(None))
        name = table.name
    if params.get("bom") == "true":
        chunks = itertools.chain([BOM], chunks)
    if connections[queryset.db].vendor == "postgresql":
        chunks = in_one_snapshot(chunks, queryset.db)
    response = StreamingHttpResponse(chunks, content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{name}.csv"'
    return response


def in_one_snapshot(chunks, using):
    """The chunks, read in one transaction (``one_snapshot``), on PostgreSQL.

    Every row of the export then comes from one state of the data, also across the wide
    export's batches; and the plain export's server-side cursor lives in a transaction.
    Outside one, Django declares it WITH HOLD, and PostgreSQL copies every row of the
    result before it sends the first (600 ms at 1M events). Not on SQLite: there a read
    transaction held between batches would keep writers waiting for the whole export.
    """
    with one_snapshot(using):
        yield from chunks


# Excel reads a CSV as UTF-8 only when it starts with a byte-order mark; other tools
# (pandas, R, frictionless) read it as part of the first column name. Hence on request only.
BOM = "\ufeff"


def stream_geojson(view, queryset):
    rows = view.get_rows()
    url_template = with_release(rows.url_template(view.request, keep_format=False), view.request)
    return StreamingHttpResponse(
        geojson_chunks(rows, queryset, url_template),
        content_type="application/geo+json; charset=utf-8",
    )


def geojson_chunks(rows, queryset, url_template):
    """A FeatureCollection of the rows that have coordinates, in id order."""
    queryset = queryset.filter(latitude__isnull=False, longitude__isnull=False)
    yield '{"type":"FeatureCollection","features":['
    first = True
    for batch in rows.batches(queryset, url_template):
        features = []
        for item in batch:
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


FORMATS = {
    fmt.name: fmt
    for fmt in (
        StreamFormat(
            "csv",
            "text/csv",
            "With ?format=csv: every matching row (no pagination) with the data package's "
            "columns, in primary-key order.",
            OpenApiTypes.STR,
            stream_csv,
        ),
        StreamFormat(
            "geojson",
            "application/geo+json",
            "With ?format=geojson: a FeatureCollection of every matching row that has "
            "coordinates, in id order.",
            OpenApiTypes.OBJECT,
            stream_geojson,
        ),
    )
}
