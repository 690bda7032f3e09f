"""The live dataset's version: it changes whenever a row is added, changed or deleted.

One query of index lookups (the latest ``updated`` of each table, the last id of each table
of participants and citations, the last deletion), so a client's conditional request can be
answered before any list query runs. Every update stamps ``updated``, by any path
(triggers.py).
"""

import hashlib

from django.db import connections

from actors.models import Actor, ActorAlias
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

from .models import Deletion

STAMPED = [Actor, ActorAlias, Source, Event, Issue, Position, Relation]
# Rows without a stamp of their own: a new one has a new id (their updates stamp their
# parent, by trigger: triggers.py).
CHILDREN = [EventActor, EventSource, PositionSource, RelationSource]


def live_version(using=None):
    conn = connections[using or "default"]
    quote = conn.ops.quote_name
    parts = [f"(SELECT MAX({quote('updated')}) FROM {quote(m._meta.db_table)})" for m in STAMPED]
    parts += [
        f"(SELECT MAX({quote('id')}) FROM {quote(m._meta.db_table)})" for m in [*CHILDREN, Deletion]
    ]
    with conn.cursor() as cursor:
        cursor.execute("SELECT " + ", ".join(parts))
        row = cursor.fetchone()
    return hashlib.sha256(repr(row).encode()).hexdigest()[:16]
