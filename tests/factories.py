"""factory_boy factories shared by the whole suite."""

import datetime

import factory

from actors.choices import ActorKind
from actors.models import Actor, ActorAlias
from events.choices import (
    DatePrecision,
    EventType,
    RelationDomain,
    RelationKind,
    Role,
    SourceType,
    Stance,
)
from events.models import (
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


class ActorFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Actor
        django_get_or_create = ("slug",)

    slug = factory.Sequence(lambda n: f"actor-{n}")
    name = factory.Sequence(lambda n: f"Actor {n}")
    kind = ActorKind.STATE
    country = "RU"


class ActorAliasFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ActorAlias

    actor = factory.SubFactory(ActorFactory)
    alias = factory.Sequence(lambda n: f"Alias {n}")


class SourceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Source

    title = factory.Sequence(lambda n: f"Source {n}")
    author = "A. Author"
    publisher = "Publisher"
    url = factory.Sequence(lambda n: f"https://example.org/source/{n}")
    published = datetime.date(2021, 7, 3)
    source_type = SourceType.ANALYSIS
    language = "en"


class IssueFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Issue
        django_get_or_create = ("slug",)

    slug = factory.Sequence(lambda n: f"issue-{n}")
    name = factory.Sequence(lambda n: f"Issue {n}")
    country = "SY"


class EventFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Event

    title = factory.Sequence(lambda n: f"Event {n}")
    summary = "Something happened."
    event_type = EventType.AIRSTRIKE
    country = "SY"
    date_start = datetime.date(2015, 9, 1)
    date_precision = DatePrecision.MONTH


class EventActorFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = EventActor

    event = factory.SubFactory(EventFactory)
    actor = factory.SubFactory(ActorFactory)
    role = Role.INITIATOR


class EventSourceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = EventSource

    event = factory.SubFactory(EventFactory)
    source = factory.SubFactory(SourceFactory)
    quote = "The passage that supports the event."


class PositionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Position

    actor = factory.SubFactory(ActorFactory)
    issue = factory.SubFactory(IssueFactory)
    stance = Stance.SUPPORTS
    summary = "The actor supports it."
    date_start = datetime.date(2015, 3, 1)
    date_precision = DatePrecision.MONTH


class PositionSourceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = PositionSource

    position = factory.SubFactory(PositionFactory)
    source = factory.SubFactory(SourceFactory)
    quote = "The passage that supports the position."


class RelationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Relation

    actor = factory.SubFactory(ActorFactory)
    counterpart = factory.SubFactory(ActorFactory)
    kind = RelationKind.COOPERATION
    domain = RelationDomain.MILITARY
    country = "SY"
    summary = "The two actors cooperate."
    date_start = datetime.date(2015, 1, 1)
    date_precision = DatePrecision.YEAR


class RelationSourceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = RelationSource

    relation = factory.SubFactory(RelationFactory)
    source = factory.SubFactory(SourceFactory)
    quote = "The passage that supports the relation."


def cited_event(*, actors=(), sources=None, **fields):
    """An event with participants ``[(actor, role), ...]`` and at least one citation."""
    event = EventFactory(**fields)
    for actor, role in actors:
        EventActorFactory(event=event, actor=actor, role=role)
    for source in sources or [SourceFactory()]:
        EventSourceFactory(event=event, source=source)
    return event


def cited_position(*, sources=None, **fields):
    position = PositionFactory(**fields)
    for source in sources or [SourceFactory()]:
        PositionSourceFactory(position=position, source=source)
    return position


def cited_relation(*, sources=None, **fields):
    relation = RelationFactory(**fields)
    for source in sources or [SourceFactory()]:
        RelationSourceFactory(relation=relation, source=source)
    return relation
