from django.db.models import Prefetch
from rest_framework.viewsets import ModelViewSet

from common.api import CSVRenderer, DatasetViewSetMixin, GeoJSONRenderer, list_schema

from .filters import EventFilterSet, IssueFilterSet, PositionFilterSet, SourceFilterSet
from .models import Event, EventActor, EventSource, Issue, Position, PositionSource, Source
from .serializers import (
    EVENT_ROWS,
    ISSUE_ROWS,
    POSITION_ROWS,
    SOURCE_ROWS,
    EventSerializer,
    IssueSerializer,
    PositionSerializer,
    SourceSerializer,
)
from .tables import EVENTS, ISSUES, POSITIONS, SOURCES


@list_schema(SourceSerializer)
class SourceViewSet(DatasetViewSetMixin, ModelViewSet):
    """The documents that events and positions cite."""

    queryset = Source.objects.all()
    serializer_class = SourceSerializer
    filterset_class = SourceFilterSet
    ordering_fields = ["id", "title", "publisher", "published", "source_type", "created"]
    rows = SOURCE_ROWS
    table = SOURCES

    def get_queryset(self):
        return Source.objects.all()


@list_schema(
    EventSerializer,
    formats=("csv", "geojson"),
    description="Events with their participants and citations. `?format=csv` streams every "
    "matching event with the data package's columns, in id order; `?format=geojson` streams "
    "a FeatureCollection of the matching events that have coordinates, in id order.",
)
class EventViewSet(DatasetViewSetMixin, ModelViewSet):
    """What happened, where and when, who took part, and which sources say so."""

    queryset = Event.objects.all()
    serializer_class = EventSerializer
    filterset_class = EventFilterSet
    ordering_fields = [
        "id",
        "date_start",
        "date_end",
        "title",
        "event_type",
        "country",
        "fatalities",
        "created",
        "updated",
    ]
    rows = EVENT_ROWS
    table = EVENTS
    list_formats = (CSVRenderer, GeoJSONRenderer)

    def get_queryset(self):
        return Event.objects.prefetch_related(
            Prefetch("participants", queryset=EventActor.objects.select_related("actor")),
            Prefetch("citations", queryset=EventSource.objects.select_related("source")),
        )


@list_schema(IssueSerializer)
class IssueViewSet(DatasetViewSetMixin, ModelViewSet):
    """Questions on which actors take positions."""

    queryset = Issue.objects.all()
    serializer_class = IssueSerializer
    filterset_class = IssueFilterSet
    ordering_fields = ["slug", "name", "country", "created", "updated"]
    lookup_field = "slug"
    rows = ISSUE_ROWS
    table = ISSUES

    def get_queryset(self):
        return Issue.objects.all()


@list_schema(PositionSerializer)
class PositionViewSet(DatasetViewSetMixin, ModelViewSet):
    """What each actor stood for on each issue, with the sources that say so."""

    queryset = Position.objects.all()
    serializer_class = PositionSerializer
    filterset_class = PositionFilterSet
    ordering_fields = ["id", "date_start", "date_end", "stance", "created", "updated"]
    rows = POSITION_ROWS
    table = POSITIONS

    def get_queryset(self):
        return Position.objects.select_related("actor", "issue").prefetch_related(
            Prefetch("citations", queryset=PositionSource.objects.select_related("source"))
        )
