"""The live dataset's version: it changes whenever a row is added, changed or deleted.

One query of index lookups (the latest ``updated`` of each table, the last id of each table
of participants and citations, the last deletion, and the count of writes), so a client's
conditional request can be answered before any list query runs. Every update stamps
``updated``, by any path, and every write is counted (triggers.py).

Writing transactions commit one after the other: SQLite's take its write lock when they
begin (IMMEDIATE), PostgreSQL's take the write count's row at their first write. So each
commit that wrote changes the count, and the version.
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

from .models import Deletion, WriteCount

STAMPED = [Actor, ActorAlias, Source, Event, Issue, Position, Relation]
# Rows without a stamp of their own: a new one has a new id (their updates stamp their
# parent, by trigger: triggers.py).
CHILDREN = [EventActor, EventSource, PositionSource, RelationSource]
# Counts a write (triggers.py: on PostgreSQL before each statement that writes the dataset,
# on SQLite after each row); on PostgreSQL it keeps the count's row locked until the
# transaction ends.
COUNT_WRITE = (
    "INSERT INTO changes_writecount (id, writes) VALUES (1, 1) "
    "ON CONFLICT (id) DO UPDATE SET writes = changes_writecount.writes + 1"
)


def live_version(using=None):
    conn = connections[using or "default"]
    quote = conn.ops.quote_name
    parts = [f"(SELECT MAX({quote('updated')}) FROM {quote(m._meta.db_table)})" for m in STAMPED]
    parts += [
        f"(SELECT MAX({quote('id')}) FROM {quote(m._meta.db_table)})" for m in [*CHILDREN, Deletion]
    ]
    parts.append(f"(SELECT writes FROM {quote(WriteCount._meta.db_table)} WHERE id = 1)")
    with conn.cursor() as cursor:
        cursor.execute("SELECT " + ", ".join(parts))
        row = cursor.fetchone()
    return hashlib.sha256(repr(row).encode()).hexdigest()[:16]


def hold_writes(using=None):
    """Take the live data's write count for the rest of the transaction, as the first
    write would (PostgreSQL; SQLite's IMMEDIATE transactions already hold its write lock).

    For a transaction that locks a row before its first write (``select_for_update``): it
    must wait for the count before it holds the row, or a writer that holds the count and
    then needs that row would wait for it while it waits for the count.
    """
    conn = connections[using or "default"]
    if conn.vendor == "postgresql":
        with conn.cursor() as cursor:
            cursor.execute(COUNT_WRITE)
