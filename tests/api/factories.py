"""Bulk builders for the API tests: many rows with many participants and citations."""

import datetime

from actors.models import Actor, ActorAlias
from events.models import (
    Event,
    EventActor,
    EventSource,
    Position,
    PositionSource,
    Relation,
    RelationSource,
    Source,
)
from tests.factories import ActorFactory, IssueFactory, SourceFactory


def many_events(count, *, participants=4, citations=3):
    """``count`` events, each with ``participants`` actors and ``citations`` sources."""
    actors = [ActorFactory() for _ in range(participants)]
    sources = [SourceFactory() for _ in range(citations)]
    events = Event.objects.bulk_create(
        Event(
            title=f"Event {n}",
            summary="Something happened.",
            event_type="airstrike",
            country="SY",
            date_start=datetime.date(2016, 1, 1) + datetime.timedelta(days=n),
            date_precision="day",
            latitude=35.0,
            longitude=36.0,
            geo_precision="city",
        )
        for n in range(count)
    )
    EventActor.objects.bulk_create(
        EventActor(event=event, actor=actor, role="participant")
        for event in events
        for actor in actors
    )
    EventSource.objects.bulk_create(
        EventSource(event=event, source=source, quote="A passage.")
        for event in events
        for source in sources
    )
    return events


def many_positions(count, *, citations=3):
    actor = ActorFactory()
    issue = IssueFactory()
    sources = [SourceFactory() for _ in range(citations)]
    positions = Position.objects.bulk_create(
        Position(actor=actor, issue=issue, stance="supports", summary=f"Position {n}.")
        for n in range(count)
    )
    PositionSource.objects.bulk_create(
        PositionSource(position=position, source=source, quote="A passage.")
        for position in positions
        for source in sources
    )
    return positions


def many_actors(count, *, aliases=3):
    parent = ActorFactory()
    actors = Actor.objects.bulk_create(
        Actor(slug=f"bulk-{n}", name=f"Bulk {n}", kind="state", parent=parent) for n in range(count)
    )
    ActorAlias.objects.bulk_create(
        ActorAlias(actor=actor, alias=f"Alias {n}")
        for actor in [parent, *actors]
        for n in range(aliases)
    )
    return actors


def many_sources(count):
    return Source.objects.bulk_create(
        Source(title=f"Source {n}", source_type="news") for n in range(count)
    )


def many_relations(count, *, citations=3):
    """``count`` relations between distinct pairs, each with ``citations`` sources."""
    hub = ActorFactory()
    others = [ActorFactory() for _ in range(count)]
    sources = [SourceFactory() for _ in range(citations)]
    relations = Relation.objects.bulk_create(
        Relation(
            actor=hub,
            counterpart=other,
            kind="cooperation",
            domain="military",
            country="SY",
            summary=f"Relation {n}.",
        )
        for n, other in enumerate(others)
    )
    RelationSource.objects.bulk_create(
        RelationSource(relation=relation, source=source, quote="A passage.")
        for relation in relations
        for source in sources
    )
    return relations
