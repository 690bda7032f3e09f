from django.db import connections
from django.db.models import Prefetch

from common.api.filters import RepeatedInput, search_terms
from common.api.pagination import per_version, table_size
from common.api.viewsets import SLUG_REGEX, DatasetViewSet

from . import search
from .filters import (
    EventFilterSet,
    EventSearchFilter,
    IssueFilterSet,
    PositionFilterSet,
    RelationFilterSet,
    SourceFilterSet,
)
from .models import (
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
from .serializers import (
    EventSerializer,
    IssueSerializer,
    PositionSerializer,
    RelationSerializer,
    SourceSerializer,
)
from .tables import EVENTS, ISSUES, POSITIONS, RELATIONS, SOURCES


class SourceViewSet(DatasetViewSet):
    """The documents that events and positions cite."""

    prefix = "sources"
    queryset = Source.objects.all()
    serializer_class = SourceSerializer
    filterset_class = SourceFilterSet
    ordering_fields = ["id", "title", "publisher", "published", "source_type", "created"]
    table = SOURCES

    def get_queryset(self):
        return Source.objects.all()


class EventViewSet(DatasetViewSet):
    """What happened, where and when, who took part, and which sources say so."""

    prefix = "events"
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
    table = EVENTS
    list_formats = ("csv", "geojson")
    wide_csv = True

    def get_queryset(self):
        return Event.objects.prefetch_related(
            Prefetch("participants", queryset=EventActor.objects.select_related("actor")),
            Prefetch("citations", queryset=EventSource.objects.select_related("source")),
        )

    # On SQLite, a search whose term the index finds in up to this many rows may be
    # collected from the index when the count says the filters leave few of them; counting
    # them reads no more of the index than this.
    COLLECT_LIMIT = 20_000

    def page_queryset(self, queryset, count, take):
        """A page of a search: its matches collected and sorted when the count says that is
        cheaper than reading in the list's order (events/search.py). A page read in the
        list's order can then be read per span class (``period_after``)."""
        # The terms as the filter searched them (with their spelling variants).
        terms = search_terms(
            RepeatedInput().value_from_datadict(self.request.query_params, {}, "q")
        )
        using = queryset.db
        if (
            not terms
            or any(len(term) < search.MIN_TERM for term in terms)
            or not search.searches_stored_text(terms, using)
        ):
            return queryset
        version = self.data_version()
        size = table_size(Event, using, version)
        if connections[using].vendor == "postgresql":
            return search.collected(queryset) if search.collects(count, take, size) else queryset
        # Counting the term's matches reads as far as collecting would pay (at most
        # COLLECT_LIMIT), and at least to RARE, the filter's own bound for collecting; the
        # count is kept per data version, as the page's is.
        limit = min(self.COLLECT_LIMIT, search.collect_bound(count, take, size))
        upto = max(limit, EventSearchFilter.RARE) + 1
        matches = per_version(
            "search-matches",
            Event,
            using,
            version,
            lambda: search.indexed_matches(terms, using, upto),
            upto,
            *terms,
        )
        if matches < EventSearchFilter.RARE:
            return search.collected(queryset)  # the filter already takes the index's matches
        if matches <= limit:
            return search.collected(queryset.filter(search.indexed_condition(terms)))
        return queryset


class IssueViewSet(DatasetViewSet):
    """Questions on which actors take positions."""

    prefix = "issues"
    queryset = Issue.objects.all()
    serializer_class = IssueSerializer
    filterset_class = IssueFilterSet
    ordering_fields = ["slug", "name", "country", "created", "updated"]
    lookup_field = "slug"
    lookup_value_regex = SLUG_REGEX
    table = ISSUES

    def get_queryset(self):
        return Issue.objects.all()


class PositionViewSet(DatasetViewSet):
    """What each actor stood for on each issue, with the sources that say so."""

    prefix = "positions"
    queryset = Position.objects.all()
    serializer_class = PositionSerializer
    filterset_class = PositionFilterSet
    ordering_fields = ["id", "date_start", "date_end", "stance", "created", "updated"]
    table = POSITIONS
    wide_csv = True

    def get_queryset(self):
        return Position.objects.select_related("actor", "issue").prefetch_related(
            Prefetch("citations", queryset=PositionSource.objects.select_related("source"))
        )


class RelationViewSet(DatasetViewSet):
    """How two actors stood towards each other, with the sources that say so."""

    prefix = "relations"
    queryset = Relation.objects.all()
    serializer_class = RelationSerializer
    filterset_class = RelationFilterSet
    ordering_fields = ["id", "date_start", "date_end", "kind", "domain", "created", "updated"]
    table = RELATIONS
    wide_csv = True

    def get_queryset(self):
        return Relation.objects.select_related("actor", "counterpart", "issue").prefetch_related(
            Prefetch("citations", queryset=RelationSource.objects.select_related("source"))
        )
