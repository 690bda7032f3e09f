"""The actor hierarchy has no cycle and no chain deeper than the rule's depth, enforced by
the database itself: no path (API, admin, shell, a load, raw SQL) can store one, also when two
transactions change parents at the same moment.

The triggers are (re)installed after every ``migrate`` (``ActorsConfig.ready``) rather than
by a migration: on SQLite, a migration that rebuilds the actors_actor table (how Django
alters most columns there) drops them with the old table. Their words and depth are those of
``HIERARCHY_RULE``, and their errors start with the rule's name, ``actor_parent_acyclic``, as
a constraint's error names its constraint.
"""

from django.db import connections

from common.rules import MAX_HIERARCHY_DEPTH

from .models import HIERARCHY_RULE

NAME = HIERARCHY_RULE.name
MAX_DEPTH = HIERARCHY_RULE.max_depth
assert MAX_DEPTH <= MAX_HIERARCHY_DEPTH <= 64  # SQLite joins at most 64 tables (see below)


def _sql_text(text):
    return text.replace("'", "''")


CYCLE_MESSAGE = _sql_text(f"{NAME}: {HIERARCHY_RULE.message}")
DEPTH_MESSAGE = _sql_text(f"{NAME}: {HIERARCHY_RULE.depth_message}")

# The trigger walks up from the new parent, one indexed lookup per level, and stops at the
# row itself (a cycle) or one level past MAX_DEPTH (too deep), so it ends whatever is stored.
# It runs AFTER the row is written, so it finds the row with its new parent, also when one
# statement writes several rows (a load inserts a child before its parent).
#
# PostgreSQL: each hierarchy change first takes one transaction-level advisory lock, so
# changes are checked one at a time. A waiting transaction checks after the other has
# committed, and sees its rows: in READ COMMITTED (Django's default) each query of a
# VOLATILE function such as this one takes a fresh snapshot. Not a BEFORE trigger: for one,
# PostgreSQL locks the row FOR UPDATE when a key column is in the SET list (Django's save()
# lists slug), which blocks the other transaction's foreign key check on that row while it
# waits for the advisory lock: a deadlock.
POSTGRESQL_CREATE = [
    f"""
CREATE FUNCTION {NAME}() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    reached_self boolean;
    depth integer;
BEGIN
    IF TG_OP = 'UPDATE' AND NEW.parent_id IS NOT DISTINCT FROM OLD.parent_id THEN
        RETURN NULL;
    END IF;
    PERFORM pg_advisory_xact_lock(TG_RELID::bigint);
    WITH RECURSIVE ancestor (id, parent_id, level) AS (
        SELECT id, parent_id, 1 FROM actors_actor WHERE id = NEW.parent_id
        UNION ALL
        SELECT actor.id, actor.parent_id, ancestor.level + 1
        FROM actors_actor AS actor JOIN ancestor ON actor.id = ancestor.parent_id
        WHERE ancestor.id <> NEW.id AND ancestor.level <= {MAX_DEPTH}
    )
    SELECT coalesce(bool_or(id = NEW.id), false), coalesce(max(level), 0)
    INTO reached_self, depth FROM ancestor;
    IF reached_self THEN
        RAISE EXCEPTION USING
            MESSAGE = '{CYCLE_MESSAGE}',
            ERRCODE = 'check_violation', CONSTRAINT = '{NAME}',
            TABLE = TG_TABLE_NAME, COLUMN = 'parent_id';
    END IF;
    IF depth > {MAX_DEPTH} THEN
        RAISE EXCEPTION USING
            MESSAGE = '{DEPTH_MESSAGE}',
            ERRCODE = 'check_violation', CONSTRAINT = '{NAME}',
            TABLE = TG_TABLE_NAME, COLUMN = 'parent_id';
    END IF;
    RETURN NULL;
END;
$$;
""",
    f"""
CREATE TRIGGER {NAME}
AFTER INSERT OR UPDATE OF parent_id ON actors_actor
FOR EACH ROW WHEN (NEW.parent_id IS NOT NULL)
EXECUTE FUNCTION {NAME}();
""",
]

POSTGRESQL_DROP = [
    f"DROP TRIGGER IF EXISTS {NAME} ON actors_actor;",
    f"DROP FUNCTION IF EXISTS {NAME}();",
]


def sqlite_check():
    """SQLite documents that a trigger cannot use a WITH clause, so no recursive query: the
    walk is a chain of MAX_DEPTH left self-joins instead (SQLite joins at most 64 tables,
    exactly enough). ``a1`` is the new parent; the row itself among ``a1``..``a64`` is a
    cycle; a parent above ``a64`` is a 65th level. SQLite has a single writer at a time,
    and the check runs inside the write, so it always sees every committed change."""
    joins = "\n".join(
        f"    LEFT JOIN actors_actor AS a{level} ON a{level}.id = a{level - 1}.parent_id"
        for level in range(2, MAX_DEPTH + 1)
    )
    levels = ", ".join(f"a{level}.id" for level in range(1, MAX_DEPTH + 1))
    return f"""
    SELECT CASE
        WHEN NEW.id IN ({levels}) THEN RAISE(ABORT, '{CYCLE_MESSAGE}')
        WHEN a{MAX_DEPTH}.parent_id IS NOT NULL THEN RAISE(ABORT, '{DEPTH_MESSAGE}')
    END
    FROM actors_actor AS a1
{joins}
    WHERE a1.id = NEW.parent_id;"""


SQLITE_CREATE = [
    f"""
CREATE TRIGGER {NAME}_insert
AFTER INSERT ON actors_actor
FOR EACH ROW WHEN NEW.parent_id IS NOT NULL
BEGIN{sqlite_check()}
END;
""",
    f"""
CREATE TRIGGER {NAME}_update
AFTER UPDATE OF parent_id ON actors_actor
FOR EACH ROW WHEN NEW.parent_id IS NOT NULL AND NEW.parent_id IS NOT OLD.parent_id
BEGIN{sqlite_check()}
END;
""",
]

SQLITE_DROP = [f"DROP TRIGGER IF EXISTS {NAME}_insert;", f"DROP TRIGGER IF EXISTS {NAME}_update;"]


STATEMENTS = {
    "postgresql": (POSTGRESQL_DROP, POSTGRESQL_CREATE),
    "sqlite": (SQLITE_DROP, SQLITE_CREATE),
}


def install(using="default", **kwargs):
    """Drop and create the hierarchy triggers (a ``post_migrate`` receiver)."""
    connection = connections[using]
    drop, create = STATEMENTS[connection.vendor]
    with connection.cursor() as cursor:
        for statement in [*drop, *create]:
            cursor.execute(statement)
