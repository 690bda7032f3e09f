"""The triggers that log deletions, for SQLite and PostgreSQL.

Each dataset table gets an AFTER DELETE trigger writing the deleted row's resource name and
public key (slugs for actors and issues, ids otherwise, a list for a composite key) into
``changes_deletion``.

They are (re)installed after every ``migrate`` rather than by a migration: SQLite cannot
alter most columns in place, so Django rebuilds the table, and the rebuilt table has lost
its triggers. Installing them after the last migration keeps them whatever a later
migration does.
"""

from django.db import connections

ACTOR = ("actors_actor", "slug", "actor_id")

# (table, resource, public key columns) of every dataset table.
TABLES = [
    ("actors_actor", "actors", ["slug"]),
    ("actors_actoralias", "actor_aliases", [ACTOR, "alias"]),
    ("events_source", "sources", ["id"]),
    ("events_event", "events", ["id"]),
    ("events_eventactor", "event_actors", ["event_id", ACTOR, "role"]),
    ("events_eventsource", "event_sources", ["event_id", "source_id"]),
    ("events_issue", "issues", ["slug"]),
    ("events_position", "positions", ["id"]),
    ("events_positionsource", "position_sources", ["position_id", "source_id"]),
    ("events_relation", "relations", ["id"]),
    ("events_relationsource", "relation_sources", ["relation_id", "source_id"]),
]
# Sub-second times on both databases (PostgreSQL's now() is the transaction's start).
NOW = {"sqlite": "STRFTIME('%Y-%m-%d %H:%M:%f', 'NOW')", "postgresql": "clock_timestamp()"}


def _value(column):
    """``OLD.column``, or for (table, slug, fk) the slug of the row the foreign key names."""
    if isinstance(column, tuple):
        table, slug, fk = column
        return f"(SELECT {slug} FROM {table} WHERE id = OLD.{fk})"
    return f"OLD.{column}"


def key_expression(vendor, columns):
    values = [_value(column) for column in columns]
    if vendor == "sqlite":
        if len(values) == 1:
            return f"json_quote({values[0]})"
        return f"json_array({', '.join(values)})"
    if len(values) == 1:
        return f"to_jsonb({values[0]})"
    return f"jsonb_build_array({', '.join(values)})"


def install(using="default", **kwargs):
    """Drop and create every deletion trigger (a ``post_migrate`` receiver)."""
    connection = connections[using]
    with connection.cursor() as cursor:
        for statement in drop_sql(connection.vendor, TABLES) + create_sql(
            connection.vendor, TABLES
        ):
            cursor.execute(statement)


def create_sql(vendor, tables):
    """``tables``: [(table, resource, [column or (slug table, slug column, fk column)])]."""
    now = NOW[vendor]
    statements = []
    for table, resource, columns in tables:
        key = key_expression(vendor, columns)
        name = f"{table}_log_deletion"
        if vendor == "sqlite":
            statements.append(
                f"CREATE TRIGGER {name} AFTER DELETE ON {table} FOR EACH ROW BEGIN "
                f"INSERT INTO changes_deletion (resource, key, deleted_at) "
                f"VALUES ('{resource}', {key}, {now}); END"
            )
        else:
            statements.append(
                f"CREATE FUNCTION {name}() RETURNS trigger AS $$ BEGIN "
                f"INSERT INTO changes_deletion (resource, key, deleted_at) "
                f"VALUES ('{resource}', {key}, {now}); RETURN OLD; END $$ LANGUAGE plpgsql"
            )
            statements.append(
                f"CREATE TRIGGER {name} AFTER DELETE ON {table} FOR EACH ROW "
                f"EXECUTE FUNCTION {name}()"
            )
    return statements


def drop_sql(vendor, tables):
    statements = []
    for table, _resource, _columns in tables:
        name = f"{table}_log_deletion"
        if vendor == "sqlite":
            statements.append(f"DROP TRIGGER IF EXISTS {name}")
        else:
            statements.append(f"DROP TRIGGER IF EXISTS {name} ON {table}")
            statements.append(f"DROP FUNCTION IF EXISTS {name}()")
    return statements
