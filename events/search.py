"""How ``q`` finds events: on SQLite from an FTS5 table with the trigram tokenizer, on both
databases from ``search_text``, the searched columns joined into one value.

Django's ``icontains`` is ``LIKE '%term%'``, which reads every row when few rows match. On
PostgreSQL a trigram GIN index serves it (below). SQLite has no such index, so its ``q``
asks ``events_event_search``, an FTS5 table over the searched columns
(external content: it stores only the index, and reads the text from ``events_event``).
The trigram tokenizer matches any substring of three characters or more, case-insensitively,
which is what ``icontains`` does; shorter terms keep ``LIKE``.

The index answers in time proportional to the matching rows. A page of a common term is
cheaper found by ``LIKE`` while reading rows in the list's order (a term in six rows of a
hundred fills a page of 100 within about two thousand rows), on ``ORDER_INDEX``, which holds
each row's ``search_text`` (a virtual generated column) in the list's order, so the rows
themselves are not read; between the two, the index's matches are cheapest used as a
filter on rows read in the list's order. The filter asks the index first how rare the
terms are (``search_plan``) and picks.

On PostgreSQL ``search_text`` (migration 0011) is stored and upper-cased once, when the row
is written, so testing a row is a plain ``LIKE`` (``search_condition``). A trigram GIN index
on it finds a term's matches, and the list's order index INCLUDEs it, so a search read in
the list's order tests rows on that index alone. Which of the two a page should use depends
on how many rows match, and the planner's estimate of that is poor; the page's count, known
before its rows are read, is exact: ``collects`` decides, and ``collected`` makes the order
one that no index serves, which leaves the planner the trigram index. On SQLite the count
decides too (``EventViewSet.page_queryset``): a term the filters leave rare, though common in
the table, is collected from the FTS index.

A search from a date (``date_after``) read in the list's order is read per span class, as
the list without ``q`` is (common/api/pagination.py): ``SPAN_INDEX`` on SQLite, and on
PostgreSQL migration 0012's, hold ``search_text`` and the date columns, so each class's
range is tested on the index alone, instead of every row that ended before the date being
passed over.

On SQLite the FTS table, the triggers that keep it in step, ``search_text``,
``ORDER_INDEX`` and ``SPAN_INDEX`` are (re)installed after every ``migrate``
(``EventsConfig.ready``), not by a migration: a migration that rebuilds ``events_event``
(how Django alters most columns there) copies only the model's columns and drops the
triggers and indexes with the old table. A
migration that alters or drops one of the searched columns must drop ``search_text`` first,
on both databases (SQLite refuses to drop a column a generated column reads; migration 0011
says the same of PostgreSQL). The FTS index is rebuilt from the rows only when its table is
created. Release snapshots (read-only SQLite files built from a release's CSV) have none of
these and search with ``LIKE`` on each column.
"""

from django.db import connections
from django.db.models import (
    BigIntegerField,
    BooleanField,
    ExpressionWrapper,
    F,
    Func,
    OrderBy,
    Q,
    TextField,
    Value,
)
from django.db.models.expressions import Col, RawSQL
from django.db.models.functions import Coalesce, Upper
from django.db.models.lookups import IContains, In

from common.api.filters import any_contains, search_terms

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


# The searched text of a row as one value (``search_text``): on SQLite a virtual generated
# column (computed when read, stored only in ORDER_INDEX); on PostgreSQL a stored one,
# upper-cased (migration 0011). A term containing SEPARATOR could match across two
# columns, so such a term is searched column by column.
SEPARATOR = "\x1f"
SEARCH_COLUMN = (
    "ALTER TABLE events_event ADD COLUMN search_text TEXT GENERATED ALWAYS AS "
    f"({' || char(31) || '.join(COLUMNS)}) VIRTUAL"
)
# The list's order (undated rows first, as SQLite sorts NULLs) with the searched text:
# a page read in that order tests each row's text on this index alone.
ORDER_INDEX = (
    "CREATE INDEX IF NOT EXISTS events_event_order_searched "
    "ON events_event (date_start, id, search_text)"
)
# Each span class's range of a search from a date (common/api/pagination.py), with the
# columns the date test reads and the searched text: the ranges are read on the index alone
# (PostgreSQL's is migration 0012's).
SPAN_INDEX = (
    "CREATE INDEX IF NOT EXISTS events_event_span_searched ON events_event "
    "(span_class, date_start, id, date_end, date_precision, ongoing_as_of, search_text)"
)


def install(using="default", **kwargs):
    """Create the index if missing (filling it from the rows), (re)create its triggers, and
    add ``search_text`` and its order and span indexes if missing: a ``post_migrate``
    receiver."""
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
        # table_xinfo, unlike table_info, lists generated columns.
        cursor.execute("SELECT name FROM pragma_table_xinfo('events_event')")
        columns = {name for (name,) in cursor.fetchall()}
        if "search_text" not in columns:
            cursor.execute(SEARCH_COLUMN)
        cursor.execute(ORDER_INDEX)
        if "span_class" in columns:  # not when migrated back to before migration 0008
            cursor.execute(SPAN_INDEX)
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


def match_any(terms):
    """An FTS5 string that matches any of ``terms`` as a substring."""
    return " OR ".join(match_expression(term) for term in terms)


# How a page of ``q`` is read, from what the index says of the terms (``search_plan``).
COLLECT = "collect"  # rare terms: every match from the index, then sorted
FILTER = "filter"  # rows read in list order, kept when the index's matches hold them
SCAN = "scan"  # common terms: rows read in list order, kept when LIKE finds the terms


def search_plan(terms, using, *, rare, filter_limit):
    """Which way of reading a page of ``terms`` costs least (COLLECT, FILTER or SCAN).

    Fewer than ``rare`` matches: COLLECT. Otherwise the index's first ``rare`` matches
    (in id order) tell how dense the matches are, and with the table's size, how many
    there are: FILTER reads every match from the index and sets them apart (about 0.4 us
    each), then the list's index until a page is full; SCAN reads about ``page / density``
    entries of ORDER_INDEX, testing each with LIKE (about 0.15 us each; measured at 1M
    events). FILTER costs less while density^2 x size is under 0.375 x page, which
    ``filter_limit`` gives. One query asks the index for no more than ``rare`` matches, so
    the choice costs the same whatever the size.
    """
    expression = match_any(terms)
    with connections[using].cursor() as cursor:
        cursor.execute(
            "SELECT COUNT(*), MAX(rowid), (SELECT MAX(id) FROM events_event) FROM "
            f"(SELECT rowid FROM {TABLE} WHERE {TABLE} MATCH %s LIMIT %s)",
            [expression, rare],
        )
        found, last, size = cursor.fetchone()
    if found < rare:
        return COLLECT
    density = found / last
    return FILTER if density * density * size < filter_limit else SCAN


def indexed_condition(terms, *, plan=COLLECT):
    """Events whose searched columns contain any of ``terms`` (each at least MIN_TERM
    characters), from the index: with FILTER, the id is compared as an expression, so
    the database cannot look rows up by the matches and reads them in the list's order."""
    expression = match_any(terms)
    matches = RawSQL(f"SELECT rowid FROM {TABLE} WHERE {TABLE} MATCH %s", [expression])
    if plan == FILTER:
        return In(ExpressionWrapper(F("pk") + 0, output_field=BigIntegerField()), matches)
    return Q(pk__in=matches)


_SEARCH_TEXT = TextField()
_SEARCH_TEXT.set_attributes_from_name("search_text")


class SearchText(F):
    """``search_text`` of the events table in the query it is resolved in (the column is
    not a model field: it differs between the databases, and release snapshots have none)."""

    def __init__(self):
        super().__init__("pk")

    def resolve_expression(self, *args, **kwargs):
        pk = super().resolve_expression(*args, **kwargs)
        return Col(pk.alias, _SEARCH_TEXT)


class TextLiteral(Value):
    """A text constant written into the SQL, not sent as a parameter. A statement that a
    connection prepares (settings: ``prepare_threshold``) is planned once for any value of
    its parameters, and PostgreSQL assumes a ``LIKE`` pattern it does not know matches 0.5%
    of the rows: a page of ``q=Aleppo&date_after=...`` (6% of rows) was planned to combine
    the trigram index with each span class's range, 36 ms where reading each range in
    order takes 4.5 ms. Written in the SQL, the pattern is known to every plan, and each
    term's statement is prepared apart. An escape string (``E'...'``) quotes it whatever
    ``standard_conforming_strings`` says; parameters never hold NUL (common/api/params.py)."""

    def as_sql(self, compiler, connection):
        quoted = self.value.replace("\\", "\\\\").replace("'", "''").replace("%", "%%")
        return f"E'{quoted}'", []


class UpperLike(Func):
    """``text LIKE UPPER(pattern)``."""

    arity = 2
    template = "%(expressions)s"
    arg_joiner = " LIKE "
    output_field = BooleanField()


def searches_stored_text(terms, using):
    """Whether ``q=terms`` can read ``search_text`` (PostgreSQL, or SQLite with its index;
    a release's snapshot has neither)."""
    stored = connections[using].vendor == "postgresql" or has_index(using)
    return stored and not any(SEPARATOR in term for term in terms)


def search_condition(terms, using):
    """Events whose title, summary or location name contains any of ``terms``,
    case-insensitively: what ``icontains`` on each column finds, from ``search_text``. On
    PostgreSQL that text was upper-cased once, when the row was written, rather than for
    every row a search tests; SQLite's LIKE ignores ASCII case itself (``search_terms``
    gives other letters in both cases)."""
    connection = connections[using]
    condition = Q()
    for term in terms:
        if connection.vendor == "postgresql":
            pattern = f"%{connection.ops.prep_for_like_query(term)}%"
            condition |= Q(UpperLike(SearchText(), Upper(TextLiteral(pattern))))
        else:
            condition |= Q(IContains(SearchText(), term))
    return condition


def collect_bound(count, take, size):
    """The most rows the index may find for a search's terms for its first ``take`` rows,
    ``count`` of them matching every filter in a table of ``size`` rows, to cost less
    collected (each of the index's matches checked on its row, then the ``count`` sorted)
    than read in the list's order (each entry of the order index tested until ``take``
    pass, about ``take x size / count`` of them). Measured at 1M events on PostgreSQL
    (``q=Beirut``): 8,953 matches collected in 12 ms (1.3 us each), 11,965 index entries
    read in order in 2.7 ms (0.23 us each), a ratio of about 6; so collecting wins while
    6 x count x matches < take x size.

    PostgreSQL combines the trigram index with the other filters' indexes, so there the
    index's matches are about ``count``. SQLite's index knows no other filter: a term
    common in the table but rare where the filters look (``q=Beirut&country=SY``) is
    collected when the term's own matches are under the bound."""
    return (take * size - 1) // (6 * count)


def collects(count, take, size):
    """On PostgreSQL, whether a search's first ``take`` rows cost less collected than read
    in the list's order (``collect_bound``)."""
    return count <= collect_bound(count, take, size)


def indexed_matches(terms, using, limit):
    """How many rows the SQLite index finds for ``terms``, counted up to ``limit``: it
    reads no more of the index than that."""
    with connections[using].cursor() as cursor:
        cursor.execute(
            f"SELECT COUNT(*) FROM (SELECT rowid FROM {TABLE} WHERE {TABLE} MATCH %s LIMIT %s)",
            [match_any(terms), limit],
        )
        return cursor.fetchone()[0]


def collected(queryset):
    """``queryset`` in the same order, by an expression no index serves (its first ordering
    column wrapped as ``COALESCE(column, column)``), so its rows are found first and sorted."""
    first, *rest = queryset.query.order_by or queryset.model._meta.ordering
    if isinstance(first, str):
        first = F(first[1:]).desc() if first.startswith("-") else F(first).asc()
    wrapped = OrderBy(
        Coalesce(first.expression, first.expression),
        descending=first.descending,
        nulls_first=first.nulls_first,
        nulls_last=first.nulls_last,
    )
    return queryset.order_by(wrapped, *rest)


def admin_condition(word, using):
    """Events that hold ``word`` (case-insensitively) in their title, summary or location
    name, or in the name or an alias of one of their participants: what the admin's search
    looks for, read from the indexes.

    Django's own search joined the participants, their actors and the actors' aliases to
    every event, tested each column with ``LIKE``, and removed the duplicates the joins
    made: every event read, twice (the page and its count). Here the text's matches come
    from the search index (SQLite, terms of three characters or more) or ``search_text``
    and its trigram index (PostgreSQL), the participants' from the few actors whose name
    or alias matches, each set as a subquery of ids: no duplicates, nothing to remove.
    """
    from actors.models import Actor

    from .models import Event, EventActor

    terms = search_terms([word])
    if has_index(using) and all(len(term) >= MIN_TERM for term in terms):
        text = indexed_condition(terms)
    elif searches_stored_text(terms, using):
        text = Q(pk__in=Event.objects.using(using).filter(search_condition(terms, using)))
    else:
        text = any_contains(COLUMNS, terms)
    named = Q()
    for term in terms:
        named |= Q(name__icontains=term) | Q(aliases__alias__icontains=term)
    actors = Actor.objects.using(using).filter(named).values("pk")
    participants = EventActor.objects.using(using).filter(actor__in=actors).values("event_id")
    return text | Q(pk__in=participants)
