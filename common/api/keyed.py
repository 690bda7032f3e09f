"""Queries of the rows whose key is in a list (a page's rows, their nested lists), compiled
once per connection rather than once per page.

Such a query differs from page to page only in its keys. As ``filter(key__in=keys)`` it is
a new SQL text for every number of keys, so Django builds and compiles it every time, which
cost more than running it (0.5 ms of a 1.1 ms nested list). Here the keys are one array
parameter (PostgreSQL ``= ANY(%s)``, SQLite ``IN (SELECT value FROM json_each(%s))``): the
SQL is the same for every page, and Django's converters are applied as the ORM would.

Datetime columns come back as the API writes them (``2016-03-15T10:00:00.5Z``'s form, UTC),
read from the database's own text when the API's time zone is UTC: turning that text into
an aware ``datetime`` (a Python loader per value on PostgreSQL, Django's parse on SQLite)
and back into text cost more than a page's every other column (1.6 ms of a 6 ms page of
100 events on PostgreSQL).
"""

import datetime
import json
from dataclasses import dataclass

from django.conf import settings
from django.db.models import BooleanField, DateTimeField, F, Func
from django.utils import timezone


class KeyIn(Func):
    """``column`` is one of ``keys``, with the keys as one parameter."""

    output_field = BooleanField()
    conditional = True

    def __init__(self, column, keys):
        super().__init__(F(column))
        self.keys = keys

    def as_sql(self, compiler, connection, **extra_context):
        column, params = compiler.compile(self.source_expressions[0])
        if connection.vendor == "postgresql":
            sql = f"{column} = ANY(%s)"
        else:
            sql = f"{column} IN (SELECT value FROM json_each(%s))"
        return sql, [*params, keys_param(connection, self.keys)]


def keys_param(connection, keys):
    """The (integer) keys as the one parameter: an array literal on PostgreSQL (``{1,2,3}``,
    typed by the column it is compared with; psycopg's dumper of a list runs in Python, a
    tenth of a millisecond per page), a JSON array on SQLite."""
    if connection.vendor == "postgresql":
        return "{" + ",".join(map(str, map(int, keys))) + "}"
    return json.dumps(list(keys))


def api_datetime(value):
    """A datetime as the API writes it (DRF's ISO 8601, with ``Z`` for UTC)."""
    if settings.USE_TZ and timezone.is_aware(value):
        value = value.astimezone(timezone.get_current_timezone())
    text = value.isoformat()
    return text[:-6] + "Z" if text.endswith("+00:00") else text


def _stored_datetime(connection, text):
    """The datetime of a column's text as the database wrote it, for what the fast
    paths below do not recognise."""
    if connection.vendor == "postgresql":
        text = text.replace(" ", "T", 1)
        text = text + ":00" if text[-3] in "+-" else text
    value = datetime.datetime.fromisoformat(text)
    if settings.USE_TZ and timezone.is_naive(value):
        value = timezone.make_aware(value, datetime.UTC)
    return value


def api_datetime_from_text(connection, text):
    """The API's text of a datetime column's value as the database gives it as text, UTC:
    PostgreSQL's ``2016-03-15 10:00:00.5+00`` (its session time zone is UTC, which Django
    sets; trailing zeros of the fraction left out) or SQLite's ``2016-03-15 10:00:00.500000``
    (Django stores UTC, six digits or none)."""
    if len(text) >= 19 and text[10] == " " and text[4] == "-" and text[13] == ":":
        if connection.vendor == "postgresql":
            if text.endswith("+00"):
                seconds, _, fraction = text[:-3].partition(".")
                if len(seconds) == 19 and len(fraction) <= 6:
                    fraction = "." + fraction.ljust(6, "0") if fraction else ""
                    return f"{seconds[:10]}T{seconds[11:]}{fraction}Z"
        elif len(text) == 19 or (len(text) == 26 and text[19] == "."):
            return f"{text[:10]}T{text[11:]}Z"
    return api_datetime(_stored_datetime(connection, text))


def _api_text_loader(connection):
    """A psycopg loader of timestamptz values as the API's text (``api_datetime_from_text``)."""
    from psycopg.adapt import Loader

    class ApiDatetimeLoader(Loader):
        def load(self, data):
            return api_datetime_from_text(connection, bytes(data).decode())

    return ApiDatetimeLoader


def _utc_api():
    return settings.USE_TZ and timezone.get_current_timezone_name() == "UTC"


def _from_utc(value, expression, connection):
    """A UTC value as the database gives it: text, or on SQLite the naive datetime that
    Django's sqlite3 converter parsed (the column is declared ``datetime``)."""
    if value is None:
        return None
    if type(value) is datetime.datetime and value.tzinfo is None:
        return value.isoformat() + "Z"
    return api_datetime_from_text(connection, value)


def _to_text(value, expression, connection):
    return None if value is None else api_datetime(value)


@dataclass(frozen=True)
class KeyedQuery:
    sql: str
    compiler: object  # the SQLCompiler that made ``sql``, on this query's connection
    # Converters in the form of the compiler's get_converters(): for a UTC API (each
    # datetime column's text read as is), and for any other time zone (through datetime).
    converters: dict
    zoned_converters: dict
    text_loader: type | None  # on PostgreSQL, the loader of timestamptz text as is

    def rows(self, connection, keys):
        """The rows (as ``values_list`` has them, lists where converted) of ``keys``, with
        datetime columns as the API's text (``api_datetime``)."""
        utc = _utc_api()
        with connection.cursor() as cursor:
            if utc and self.text_loader is not None:
                cursor.cursor.adapters.register_loader("timestamptz", self.text_loader)
            cursor.execute(self.sql, [keys_param(connection, keys)])
            rows = cursor.fetchall()
        converters = self.converters if utc else self.zoned_converters
        if not converters:
            return rows
        return list(self.compiler.apply_converters(rows, converters))


def keyed_query(connection, model, column, paths, ordering=()):
    """The query of ``paths`` (``values_list`` paths) of the ``model`` rows whose ``column``
    is in a list of keys, in ``ordering``; compiled on first use on ``connection``."""
    # Kept on the connection (one per thread), whose compilers convert with it: a cache
    # keyed by connection elsewhere would keep every connection alive through its compilers.
    queries = vars(connection).setdefault("keyed_queries", {})
    name = (model, column, tuple(paths), tuple(ordering))
    query = queries.get(name)
    if query is None:
        queryset = model._base_manager.filter(KeyIn(column, [])).order_by(*ordering)
        compiler = queryset.values_list(*paths).query.get_compiler(connection=connection)
        sql, params = compiler.as_sql()
        if len(params) != 1:
            raise ValueError(f"A keyed query has one parameter, its keys, not {params!r}.")
        expressions = [select[0] for select in compiler.select[: compiler.col_count]]
        converters = compiler.get_converters(expressions)
        zoned, has_datetimes = dict(converters), False
        for index, expression in enumerate(expressions):
            if not isinstance(expression.output_field, DateTimeField):
                continue
            has_datetimes = True
            functions, _ = converters.get(index, ([], expression))
            zoned[index] = ([*functions, _to_text], expression)
            if connection.vendor == "postgresql":
                converters.pop(index, None)  # the text loader reads them
            else:
                converters[index] = ([_from_utc], expression)
        text_loader = None
        if has_datetimes and connection.vendor == "postgresql":
            text_loader = _api_text_loader(connection)
        query = queries[name] = KeyedQuery(sql, compiler, converters, zoned, text_loader)
    return query
