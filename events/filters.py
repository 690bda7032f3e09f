import django_filters
from django.db.models import Q

from actors.filters import actor_tree_ids
from actors.models import Actor
from common.api import (
    DateOverlapFilterSet,
    MultiValueChoiceFilter,
    MultiValueFilter,
    MultiValueModelFilter,
    any_contains,
    country_filter,
    search_filter,
)

from .choices import EventType, Role, SourceType, Stance
from .models import Event, EventActor, EventSource, Issue, Position, PositionSource, Source


def actor_filters():
    """``actor`` and ``actor_tree``: actor slugs; the tree adds every actor below them."""
    return (
        MultiValueModelFilter(
            queryset=Actor.objects.all(),
            to_field_name="slug",
            method="skip",
            help_text="Actor slug: rows in which that actor takes part.",
        ),
        MultiValueModelFilter(
            queryset=Actor.objects.all(),
            to_field_name="slug",
            method="skip",
            help_text="Actor slug: rows in which that actor or any actor below it in the "
            "hierarchy (at any depth) takes part.",
        ),
    )


def source_filter():
    return MultiValueModelFilter(
        queryset=Source.objects.all(),
        method="skip",
        item_schema={"type": "integer"},
        help_text="Source id: rows that cite that source.",
    )


def cited_by(citations, link, sources):
    return Q(pk__in=citations.objects.filter(source__in=sources).values(link))


class SourceFilterSet(django_filters.FilterSet):
    source_type = MultiValueChoiceFilter(choices=SourceType.choices, help_text="Source type.")
    publisher = MultiValueFilter(
        method="filter_publisher",
        split=False,
        help_text="Publisher, case-insensitive exact match. Repeat the parameter for any of "
        "several (publisher names may contain commas, so values are not split on commas).",
    )
    published_after = django_filters.DateFilter(
        field_name="published", lookup_expr="gte", help_text="ISO date, inclusive."
    )
    published_before = django_filters.DateFilter(
        field_name="published", lookup_expr="lte", help_text="ISO date, inclusive."
    )
    q = search_filter("Text in the title, author or publisher (case-insensitive).")

    class Meta:
        model = Source
        fields = []

    def filter_publisher(self, queryset, name, value):
        condition = Q()
        for publisher in value:
            condition |= Q(publisher__iexact=publisher)
        return queryset.filter(condition)

    def search(self, queryset, name, value):
        return queryset.filter(any_contains(["title", "author", "publisher"], value))


class EventFilterSet(DateOverlapFilterSet):
    """``actor``, ``actor_tree`` and ``role`` describe one participant row together:
    ``?actor=iran&role=initiator`` finds events in which Iran was the initiator."""

    country = country_filter(help_text="The conflict the event concerns: ISO code, e.g. SY.")
    event_type = MultiValueChoiceFilter(choices=EventType.choices, help_text="Event type.")
    actor, actor_tree = actor_filters()
    role = MultiValueChoiceFilter(
        choices=Role.choices,
        method="skip",
        help_text="Participant role; with actor/actor_tree, the role of that actor.",
    )
    source = source_filter()
    q = search_filter("Text in the title, summary or location name (case-insensitive).")

    class Meta:
        model = Event
        fields = []

    def filter_queryset(self, queryset):
        queryset = super().filter_queryset(queryset)
        data = self.form.cleaned_data
        participant = {}
        if data.get("actor"):
            participant["actor__in"] = data["actor"]
        if data.get("actor_tree"):
            participant["actor_id__in"] = actor_tree_ids(data["actor_tree"])
        if data.get("role"):
            participant["role__in"] = data["role"]
        if participant:
            events = EventActor.objects.filter(**participant).values("event_id")
            queryset = queryset.filter(pk__in=events)
        if data.get("source"):
            queryset = queryset.filter(cited_by(EventSource, "event_id", data["source"]))
        return queryset

    def search(self, queryset, name, value):
        return queryset.filter(any_contains(["title", "summary", "location_name"], value))


class IssueFilterSet(django_filters.FilterSet):
    country = country_filter(help_text="SY or YE; regional issues have no country.")
    q = search_filter("Text in the name or description (case-insensitive).")

    class Meta:
        model = Issue
        fields = []

    def search(self, queryset, name, value):
        return queryset.filter(any_contains(["name", "description"], value))


class PositionFilterSet(DateOverlapFilterSet):
    actor, actor_tree = actor_filters()
    issue = MultiValueModelFilter(
        field_name="issue",
        queryset=Issue.objects.all(),
        to_field_name="slug",
        help_text="Issue slug.",
    )
    stance = MultiValueChoiceFilter(choices=Stance.choices, help_text="Stance.")
    country = country_filter(
        field_name="issue__country", help_text="The issue's country: ISO code, e.g. YE."
    )
    source = source_filter()
    q = search_filter("Text in the summary, the actor's name or the issue's name.")

    class Meta:
        model = Position
        fields = []

    def filter_queryset(self, queryset):
        queryset = super().filter_queryset(queryset)
        data = self.form.cleaned_data
        if data.get("actor"):
            queryset = queryset.filter(actor__in=data["actor"])
        if data.get("actor_tree"):
            queryset = queryset.filter(actor_id__in=actor_tree_ids(data["actor_tree"]))
        if data.get("source"):
            queryset = queryset.filter(cited_by(PositionSource, "position_id", data["source"]))
        return queryset

    def search(self, queryset, name, value):
        return queryset.filter(any_contains(["summary", "actor__name", "issue__name"], value))
