"""Streaming formats of list endpoints (``?format=csv``, ``?format=geojson``), declared once.

Each format is a ``StreamFormat`` in ``FORMATS``: its renderer (so DRF's content
negotiation knows it), the function that streams a filtered queryset, and the words and
media type the OpenAPI schema shows. A viewset lists the names it offers in
``list_formats``; the views, the negotiation and the schema all read this registry.
"""

import json
from collections.abc import Callable
from dataclasses import dataclass

from django.http import StreamingHttpResponse
from drf_spectacular.types import OpenApiTypes
from rest_framework import exceptions, renderers


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
    """Every matching row as the data package resource's CSV, in its primary-key order."""
    table = view.table
    response = StreamingHttpResponse(
        table.csv_chunks(queryset.prefetch_related(None)), content_type="text/csv; charset=utf-8"
    )
    response["Content-Disposition"] = f'attachment; filename="{table.name}.csv"'
    return response


def stream_geojson(view, queryset):
    rows = view.get_rows()
    url_template = rows.url_template(view.request, keep_format=False)
    return StreamingHttpResponse(
        geojson_chunks(rows, queryset, url_template),
        content_type="application/geo+json; charset=utf-8",
    )


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
