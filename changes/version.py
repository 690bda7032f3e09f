"""The live dataset's version: it changes whenever a row is added, changed or deleted.

One query of index lookups (the latest ``updated`` of each table, the last deletion), so a
client's conditional request can be answered before any list query runs.
"""

import hashlib

from django.db import connections

from actors.models import Actor, ActorAlias
from events.models import Event, Issue, Position, Relation, Source

from .models import Deletion

STAMPED = [Actor, ActorAlias, Source, Event, Issue, Position, Relation]


def live_version(using=None):
    conn = connections[using or "default"]
    quote = conn.ops.quote_name
    parts = [f"(SELECT MAX({quote('updated')}) FROM {quote(m._meta.db_table)})" for m in STAMPED]
    parts.append(f"(SELECT MAX({quote('id')}) FROM {quote(Deletion._meta.db_table)})")
    with conn.cursor() as cursor:
        cursor.execute("SELECT " + ", ".join(parts))
        row = cursor.fetchone()
    return hashlib.sha256(repr(row).encode()).hexdigest()[:16]
