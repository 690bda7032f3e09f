"""The triggers that log deletions and stamp changes, for SQLite and PostgreSQL.

Each dataset table gets an AFTER DELETE trigger writing the deleted row's resource name and
public key (slugs for actors and issues, ids otherwise, a list for a composite key) into
``changes_deletion``.

An UPDATE stamps what it changed, by whatever path it came (``QuerySet.update()``, a
script, SQL): a row with an ``updated`` column gets the time, unless the update set one
itself (as Django's ``save()`` does); an update of a participant, a citation or an alias
stamps its parent, whose nested lists changed. The live data's version (``version.py``)
and ``updated_after`` read those stamps, so no write can leave a cached count or an ETag
stale. Inserts are not stamped by trigger: they carry their own time (``auto_now``), and
a child row's new id is in the version; a trigger there would rewrite a parent row per
child in every bulk load.

They are dropped before every ``migrate`` and installed after it rather than by a
migration: SQLite cannot alter most columns in place, so Django rebuilds the table (a copy,
then a rename), and the rebuilt table has lost its triggers; worse, a trigger of another
table that names the rebuilt one (a participant's names its event) makes the rename fail.
Installing them after the last migration keeps them whatever a later migration does.

Every write to a dataset table is counted in ``changes_writecount`` (``models.WriteCount``):
the live data's version reads that count, which changes with every commit that wrote, in
the order of the commits.
"""

from django.db import connections

from . import version

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
# The tables whose rows carry ``updated``: those whose stamps the live version reads.
STAMPED = [model._meta.db_table for model in version.STAMPED]
# (child table, parent table, foreign key): rows that belong to another row's lists.
CHILDREN = [
    ("actors_actoralias", "actors_actor", "actor_id"),
    ("events_eventactor", "events_event", "event_id"),
    ("events_eventsource", "events_event", "event_id"),
    ("events_positionsource", "events_position", "position_id"),
    ("events_relationsource", "events_relation", "relation_id"),
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
    """Drop and create every trigger (a ``post_migrate`` receiver)."""
    vendor = connections[using].vendor
    _execute(
        using,
        drop_all_sql(vendor)
        + create_sql(vendor, TABLES)
        + create_stamp_sql(vendor)
        + create_count_sql(vendor),
    )


def uninstall(using="default", **kwargs):
    """Drop every trigger (a ``pre_migrate`` receiver)."""
    _execute(using, drop_all_sql(connections[using].vendor))


def drop_all_sql(vendor):
    return drop_sql(vendor, TABLES) + drop_stamp_sql(vendor) + drop_count_sql(vendor)


def _execute(using, statements):
    with connections[using].cursor() as cursor:
        for statement in statements:
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


STAMP_FUNCTION = "changes_stamp_updated"


def later_than(vendor, column):
    """Now, or when the clock has not moved past ``column`` (SQLite's has millisecond
    steps), just after it: a stamp always moves forward."""
    if vendor == "sqlite":
        return f"MAX({NOW[vendor]}, STRFTIME('%Y-%m-%d %H:%M:%f', {column}, '+0.001 seconds'))"
    return f"GREATEST({NOW[vendor]}, {column} + interval '1 microsecond')"


def create_stamp_sql(vendor):
    # AFTER triggers, which update the row again only when the update left its stamp: a
    # BEFORE trigger would make PostgreSQL lock every updated actor FOR UPDATE (Django's
    # save() lists its slug), the deadlock actors/triggers.py describes.
    statements = []
    if vendor == "postgresql":
        stamp = later_than(vendor, "updated").replace("'", "''")
        statements.append(
            f"CREATE FUNCTION {STAMP_FUNCTION}() RETURNS trigger AS $$ BEGIN "
            f"EXECUTE format('UPDATE %I SET updated = {stamp} WHERE id = $1', TG_TABLE_NAME) "
            f"USING NEW.id; RETURN NULL; END $$ LANGUAGE plpgsql"
        )
    for table in STAMPED:
        name = f"{table}_stamp"
        if vendor == "sqlite":
            statements.append(
                f"CREATE TRIGGER {name} AFTER UPDATE ON {table} FOR EACH ROW "
                f"WHEN NEW.updated IS OLD.updated BEGIN UPDATE {table} "
                f"SET updated = {later_than(vendor, 'updated')} WHERE id = NEW.id; END"
            )
        else:
            statements.append(
                f"CREATE TRIGGER {name} AFTER UPDATE ON {table} FOR EACH ROW "
                f"WHEN (NEW.updated IS NOT DISTINCT FROM OLD.updated) "
                f"EXECUTE FUNCTION {STAMP_FUNCTION}()"
            )
    for table, parent, key in CHILDREN:
        name = f"{table}_stamp_parent"
        # Both parents, when the row moved from one to another.
        stamp = (
            f"UPDATE {parent} SET updated = {later_than(vendor, 'updated')} "
            f"WHERE id IN (OLD.{key}, NEW.{key});"
        )
        if vendor == "sqlite":
            statements.append(
                f"CREATE TRIGGER {name} AFTER UPDATE ON {table} FOR EACH ROW BEGIN {stamp} END"
            )
        else:
            statements.append(
                f"CREATE FUNCTION {name}() RETURNS trigger AS $$ BEGIN {stamp} "
                f"RETURN NULL; END $$ LANGUAGE plpgsql"
            )
            statements.append(
                f"CREATE TRIGGER {name} AFTER UPDATE ON {table} FOR EACH ROW "
                f"EXECUTE FUNCTION {name}()"
            )
    return statements


def drop_stamp_sql(vendor):
    statements = []
    for table, name in [(t, f"{t}_stamp") for t in STAMPED] + [
        (t, f"{t}_stamp_parent") for t, _, _ in CHILDREN
    ]:
        if vendor == "sqlite":
            statements.append(f"DROP TRIGGER IF EXISTS {name}")
        else:
            statements.append(f"DROP TRIGGER IF EXISTS {name} ON {table}")
            if name.endswith("_parent"):
                statements.append(f"DROP FUNCTION IF EXISTS {name}()")
    if vendor == "postgresql":
        statements.append(f"DROP FUNCTION IF EXISTS {STAMP_FUNCTION}()")
    return statements


COUNT_FUNCTION = "changes_count_write"


def create_count_sql(vendor):
    """Triggers that count every write to a dataset table in the one row of
    ``changes_writecount``.

    PostgreSQL: BEFORE each statement, once (a load's bulk inserts count a few thousand
    times, not millions), and not for the statements triggers run (the stamps). The row's
    lock makes writing transactions commit in the order of their first writes, so each
    commit makes a new count visible: without it, of two transactions, the one that
    stamped its rows first could commit last, under a version that did not change. BEFORE
    the statement, so the count is locked before any row it writes: a transaction that
    locked rows before its first write takes the count first (``version.hold_writes``),
    or two writers could each wait for the other's lock.

    SQLite: after each row written (it has no statement triggers). Its writers already
    commit one after the other, but the stamps cannot order them: Django stamps in Python
    to the microsecond, SQLite's own clock (the triggers' stamps) to the millisecond, so a
    row stamped by trigger can stay below one that Python stamped a moment before it.
    """
    statements = []
    if vendor == "postgresql":
        statements.append(
            f"CREATE FUNCTION {COUNT_FUNCTION}() RETURNS trigger AS $$ BEGIN "
            f"IF pg_trigger_depth() = 1 THEN {version.COUNT_WRITE}; END IF; "
            f"RETURN NULL; END $$ LANGUAGE plpgsql"
        )
    for table, _resource, _columns in TABLES:
        if vendor == "postgresql":
            statements.append(
                f"CREATE TRIGGER {table}_count_write BEFORE INSERT OR UPDATE OR DELETE "
                f"ON {table} FOR EACH STATEMENT EXECUTE FUNCTION {COUNT_FUNCTION}()"
            )
            continue
        for event in ("insert", "update", "delete"):
            statements.append(
                f"CREATE TRIGGER {table}_count_{event} AFTER {event.upper()} ON {table} "
                f"FOR EACH ROW BEGIN {version.COUNT_WRITE}; END"
            )
    return statements


def drop_count_sql(vendor):
    if vendor == "postgresql":
        statements = [
            f"DROP TRIGGER IF EXISTS {table}_count_write ON {table}" for table, _r, _c in TABLES
        ]
        return [*statements, f"DROP FUNCTION IF EXISTS {COUNT_FUNCTION}()"]
    return [
        f"DROP TRIGGER IF EXISTS {table}_count_{event}"
        for table, _r, _c in TABLES
        for event in ("insert", "update", "delete")
    ]
