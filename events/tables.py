from common.tabular import Table

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

SOURCES = Table.from_model(
    "sources", Source, primary_key=["id"], title="Sources", description="The documents rows cite."
)
EVENTS = Table.from_model(
    "events",
    Event,
    primary_key=["id"],
    title="Events",
    description="What happened, where and when, as precisely as the sources date it.",
)
EVENT_ACTORS = Table.from_model(
    "event_actors",
    EventActor,
    primary_key=["event", "actor", "role"],
    title="Event participants",
    description="Which actors took part in each event, and in what role.",
)
EVENT_SOURCES = Table.from_model(
    "event_sources",
    EventSource,
    primary_key=["event", "source"],
    title="Event citations",
    description="The source passages that support each event.",
)
ISSUES = Table.from_model(
    "issues",
    Issue,
    primary_key=["slug"],
    title="Issues",
    description="Questions on which actors take positions.",
)
POSITIONS = Table.from_model(
    "positions",
    Position,
    primary_key=["id"],
    title="Positions",
    description="What each actor stood for on each issue.",
)
POSITION_SOURCES = Table.from_model(
    "position_sources",
    PositionSource,
    primary_key=["position", "source"],
    title="Position citations",
    description="The source passages that support each position.",
)
RELATIONS = Table.from_model(
    "relations",
    Relation,
    primary_key=["id"],
    title="Relations",
    description="How two actors stood towards each other over a period.",
)
RELATION_SOURCES = Table.from_model(
    "relation_sources",
    RelationSource,
    primary_key=["relation", "source"],
    title="Relation citations",
    description="The source passages that support each relation.",
)
TABLES = [
    SOURCES,
    EVENTS,
    EVENT_ACTORS,
    EVENT_SOURCES,
    ISSUES,
    POSITIONS,
    POSITION_SOURCES,
    RELATIONS,
    RELATION_SOURCES,
]
