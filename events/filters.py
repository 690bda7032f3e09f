import django_filters
from django.db.models import Q

from actors.filters import ActorFilter, ActorPairFilter, ActorTreeFilter
from common.api.filters import (
    CitedByFilter,
    CountryFilter,
    DatasetFilterSet,
    MultiValueChoiceFilter,
    MultiValueFilter,
    MultiValueModelFilter,
    SearchFilter,
    date_filters,
    search_terms,
)

from . import search
from .choices import EventType, RelationDomain, RelationKind, Role, SourceType, Stance
from .models import Event, EventActor, Issue, Position, Relation, Source

ACTOR_HELP = "Actor slug: rows in which that actor takes part."
ACTOR_TREE_HELP = (
    "Actor slug: rows in which that actor or any actor below it in the hierarchy (at any "
    "depth) takes part."
)


def source_filter():
    return CitedByFilter(
        citations="citations",
        queryset=Source.objects.all(),
        help_text="Source id: rows that cite that source.",
    )


class PublisherFilter(MultiValueFilter):
    """Publishers, compared case-insensitively; names may contain commas, so values repeat."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, split=False, **kwargs)

    def condition(self, values):
        condition = Q()
        for publisher in values:
            condition |= Q(publisher__iexact=publisher)
        return condition


class SourceFilterSet(DatasetFilterSet):
    source_type = MultiValueChoiceFilter(choices=SourceType.choices, help_text="Source type.")
    publisher = PublisherFilter(
        help_text="Publisher, case-insensitive exact match. Repeat the parameter for any of "
        "several (publisher names may contain commas, so values are not split on commas)."
    )
    published_after = django_filters.DateFilter(
        field_name="published", lookup_expr="gte", help_text="ISO date, inclusive."
    )
    published_before = django_filters.DateFilter(
        field_name="published", lookup_expr="lte", help_text="ISO date, inclusive."
    )
    q = SearchFilter(
        fields=["title", "author", "publisher"],
        help_text="Text in the title, author or publisher (case-insensitive).",
    )

    class Meta:
        model = Source
        fields = []


class EventSearchFilter(SearchFilter):
    """``q`` on events: from the search index where the database has one (events/search.py),
    for terms long enough to use it and rare enough that the index is the faster way."""

    RARE = 1000  # matching rows up to which collecting them all from the index is fastest
    FILTER_LIMIT = 40  # for a page of 100: see search.search_plan

    def filter(self, qs, value):
        if not value or not search.searches_stored_text(value, qs.db):
            return super().filter(qs, value)
        terms = search_terms(value)
        if search.has_index(qs.db) and all(len(term) >= search.MIN_TERM for term in terms):
            plan = search.search_plan(terms, qs.db, rare=self.RARE, filter_limit=self.FILTER_LIMIT)
            if plan != search.SCAN:
                return qs.filter(search.indexed_condition(terms, plan=plan))
        return qs.filter(search.search_condition(terms, qs.db))


class EventFilterSet(DatasetFilterSet):
    """``actor``, ``actor_tree`` and ``role`` describe one participant row together:
    ``?actor=iran&role=initiator`` finds events in which Iran was the initiator."""

    PARTICIPANT = ("actor", "actor_tree", "role")

    country = CountryFilter(help_text="The conflict the event concerns: ISO code, e.g. SY.")
    event_type = MultiValueChoiceFilter(choices=EventType.choices, help_text="Event type.")
    actor = ActorFilter(help_text=ACTOR_HELP)
    actor_tree = ActorTreeFilter(help_text=ACTOR_TREE_HELP)
    role = MultiValueChoiceFilter(
        field_name="role",
        choices=Role.choices,
        help_text="Participant role; with actor/actor_tree, the role of that actor.",
    )
    source = source_filter()
    date_after, date_before = date_filters()
    q = EventSearchFilter(
        fields=["title", "summary", "location_name"],
        help_text="Text in the title, summary or location name (case-insensitive).",
    )

    class Meta:
        model = Event
        fields = []

    def filter_queryset(self, queryset):
        """The documented exception: the participant filters select participant rows
        together (one subquery), the others filter events as usual."""
        participant = Q()
        for name, value in self.given():
            if name in self.PARTICIPANT:
                if value:
                    participant &= self.filters[name].condition(value)
            else:
                queryset = self.filters[name].filter(queryset, value)
        if participant:
            events = EventActor.objects.filter(participant).values("event_id")
            queryset = queryset.filter(pk__in=events)
        return queryset


class IssueFilterSet(DatasetFilterSet):
    country = CountryFilter(help_text="SY or YE; regional issues have no country.")
    q = SearchFilter(fields=["name", "description"], help_text="Text in the name or description.")

    class Meta:
        model = Issue
        fields = []


class PositionFilterSet(DatasetFilterSet):
    actor = ActorFilter(help_text=ACTOR_HELP)
    actor_tree = ActorTreeFilter(help_text=ACTOR_TREE_HELP)
    issue = MultiValueModelFilter(
        field_name="issue",
        queryset=Issue.objects.all(),
        to_field_name="slug",
        help_text="Issue slug.",
    )
    stance = MultiValueChoiceFilter(
        field_name="stance", choices=Stance.choices, help_text="Stance."
    )
    country = CountryFilter(
        field_name="issue__country", help_text="The issue's country: ISO code, e.g. YE."
    )
    source = source_filter()
    date_after, date_before = date_filters()
    q = SearchFilter(
        fields=["summary", "actor__name", "issue__name"],
        help_text="Text in the summary, the actor's name or the issue's name.",
    )

    class Meta:
        model = Position
        fields = []


class RelationFilterSet(DatasetFilterSet):
    actor = ActorFilter(
        fields=("actor", "counterpart"),
        help_text="Actor slug: relations in which that actor is either side.",
    )
    actor_tree = ActorTreeFilter(
        fields=("actor", "counterpart"),
        help_text="Actor slug: relations in which that actor or any actor below it is either side.",
    )
    between = ActorPairFilter(
        fields=("actor", "counterpart"),
        help_text="Two actor slugs, e.g. russia,iran: the relations between them, in either "
        "order (a support relation keeps its direction in actor and counterpart).",
    )
    kind = MultiValueChoiceFilter(
        field_name="kind", choices=RelationKind.choices, help_text="Relation kind."
    )
    domain = MultiValueChoiceFilter(
        field_name="domain", choices=RelationDomain.choices, help_text="Relation domain."
    )
    issue = MultiValueModelFilter(
        field_name="issue",
        queryset=Issue.objects.all(),
        to_field_name="slug",
        help_text="Issue slug.",
    )
    country = CountryFilter(help_text="The conflict the relation concerns: SY or YE.")
    source = source_filter()
    date_after, date_before = date_filters()
    q = SearchFilter(
        fields=["summary", "actor__name", "counterpart__name", "issue__name"],
        help_text="Text in the summary, either actor's name or the issue's name.",
    )

    class Meta:
        model = Relation
        fields = []
