"""A search index for ``q`` on events, on SQLite: an FTS5 table with the trigram tokenizer.

Django's ``icontains`` is ``LIKE '%term%'``, which reads every row when few rows match. On
PostgreSQL a trigram GIN index serves that same SQL (migration 0006). SQLite has no such
index, so its ``q`` asks ``events_event_search``, an FTS5 table over the searched columns
(external content: it stores only the index, and reads the text from ``events_event``).
The trigram tokenizer matches any substring of three characters or more, case-insensitively,
which is what ``icontains`` does; shorter terms keep ``LIKE``.

The index answers in time proportional to the matching rows. A page of a common term is
cheaper found by ``LIKE`` while reading rows in the list's order (a term in one row of a
hundred fills a page of 100 within about ten thousand rows), so the filter asks the index
first whether the terms are common (``is_common``) and picks.

The table and the triggers that keep it in step are (re)installed after every ``migrate``
(``EventsConfig.ready``), not by a migration: on SQLite a migration that rebuilds
``events_event`` (how Django alters most columns there) drops its triggers with the old table.
The index is rebuilt from the rows only when the table is created. Release snapshots (read-only
SQLite files built from a release's CSV) have no such table and search with ``LIKE``.
"""

from django.db import connections
from django.db.models import Q
from django.db.models.expressions import RawSQL

TABLE = "events_event_search"
COLUMNS = ("title", "summary", "location_name")
MIN_TERM = 3  # the trigram tokenizer finds nothing shorter

_columns = ", ".join(COLUMNS)
_new = ", ".join(f"new.{column}" for column in COLUMNS)
_old = ", ".join(f"old.{column}" for column in COLUMNS)
_delete = f"INSERT INTO {TABLE}({TABLE}, rowid, {_columns}) VALUES ('delete', old.id, {_old});"
_insert = f"INSERT INTO {TABLE}(rowid, {_columns}) VALUES (new.id, {_new});"

CREATE_TABLE = (
    f"CREATE VIRTUAL TABLE {TABLE} USING fts5({_columns}, content='events_event', "
    "content_rowid='id', tokenize='trigram')"
)
TRIGGERS = {
    f"{TABLE}_insert": f"AFTER INSERT ON events_event BEGIN {_insert} END",
    f"{TABLE}_delete": f"AFTER DELETE ON events_event BEGIN {_delete} END",
    f"{TABLE}_update": (
        f"AFTER UPDATE OF {_columns} ON events_event BEGIN {_delete} {_insert} END"
    ),
}


def install(using="default", **kwargs):
    """Create the index if missing (filling it from the rows) and (re)create its triggers:
    a ``post_migrate`` receiver."""
    connection = connections[using]
    if connection.vendor != "sqlite":
        return
    with connection.cursor() as cursor:
        for name in TRIGGERS:
            cursor.execute(f"DROP TRIGGER IF EXISTS {name}")
        if TABLE not in connection.introspection.table_names(cursor):
            cursor.execute(CREATE_TABLE)
            cursor.execute(f"INSERT INTO {TABLE}({TABLE}) VALUES ('rebuild')")
        for name, body in TRIGGERS.items():
            cursor.execute(f"CREATE TRIGGER {name} {body}")
    _has_index.pop(_key(connection), None)


_has_index = {}


def _key(connection):
    return (connection.alias, str(connection.settings_dict["NAME"]))


def has_index(using):
    connection = connections[using]
    if connection.vendor != "sqlite":
        return False
    key = _key(connection)
    if key not in _has_index:
        with connection.cursor() as cursor:
            _has_index[key] = TABLE in connection.introspection.table_names(cursor)
    return _has_index[key]


def match_expression(term):
    """An FTS5 string that matches ``term`` as a substring: one quoted phrase (a quote
    inside is doubled), so no word in it is read as an FTS operator."""
    return '"' + term.replace('"', '""') + '"'


def is_common(terms, using, *, threshold):
    """Whether ``terms`` match at least ``threshold`` rows, asking the index for no more
    than that many (so the answer costs about the same whatever the table's size)."""
    expression = " OR ".join(match_expression(term) for term in terms)
    with connections[using].cursor() as cursor:
        cursor.execute(
            f"SELECT COUNT(*) FROM (SELECT rowid FROM {TABLE} WHERE {TABLE} MATCH %s LIMIT %s)",
            [expression, threshold],
        )
        return cursor.fetchone()[0] >= threshold


def indexed_condition(terms):
    """Events whose searched columns contain any of ``terms`` (each at least MIN_TERM
    characters), from the index."""
    expression = " OR ".join(match_expression(term) for term in terms)
    return Q(pk__in=RawSQL(f"SELECT rowid FROM {TABLE} WHERE {TABLE} MATCH %s", [expression]))
