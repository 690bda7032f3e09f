"""Pages of a list whose cost does not grow with the table.

A page reads ``page_size + 1`` rows (the extra one says whether a next page exists) and
counts the matching rows only up to ``COUNT_LIMIT``: past it ``count`` is null, so a page of
a million matching rows costs what a page of ten thousand does. Clients that read whole
results follow ``next`` (or take ``?format=csv``). For deep paging and bulk reading,
``?cursor=`` pages in id order by key (``id > last``) instead of by offset, so page 10,000
costs what page 1 does.

A page by number deep in a list (``?page=500``) starts from an *anchor*: the row at the last
multiple of ``ANCHOR_EVERY`` before its offset, found once per data version and query and
then kept in the cache. Its rows are read from the anchor's place in the order's index (a
row-value comparison, ``(date_start, id) >= (anchor's)``), skipping fewer than
``ANCHOR_EVERY`` rows, instead of skipping the whole offset on every request.
"""

import base64
import binascii
import datetime
import hashlib
import re

from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import FieldDoesNotExist
from django.db import connections
from django.db.models import BooleanField, Exists, F, Func, Max, OrderBy, Value
from django.utils.encoding import force_str
from rest_framework import exceptions, pagination
from rest_framework.response import Response
from rest_framework.utils.urls import remove_query_param, replace_query_param

from common.periods import SPAN_CLASSES, earliest_start

from .keyed import keyed_query
from .links import this_page
from .memo import Memo

COUNT_LIMIT = 10_000
ANCHOR_EVERY = 1_000


class DatasetPagination(pagination.BasePagination):
    """``page`` or ``cursor``, and ``page_size`` (default 50, at most 500)."""

    page_size = 50
    max_page_size = 500
    page_query_param = "page"
    cursor_query_param = "cursor"
    page_size_query_param = "page_size"
    count_limit = COUNT_LIMIT

    def paginate_queryset(self, queryset, request, view=None):
        self.request = request
        params = request.query_params
        self.size = self.get_page_size(request)
        version = view.data_version() if hasattr(view, "data_version") else None
        rows = view.rows_key() if hasattr(view, "rows_key") else None
        self.count = capped_count(queryset, self.count_limit, version=version, rows=rows)
        # Nothing matches: reading a page would only pass over every row the other
        # conditions hold (a search in a country it does not occur in).
        keys = [] if self.count == 0 else None
        self.cursor = params.get(self.cursor_query_param)
        if self.cursor is not None:
            for name in (self.page_query_param, "ordering"):
                if name in params:
                    raise exceptions.ValidationError(
                        {name: ["Not with cursor: cursor pages go in id order."]}
                    )
            after = decode_cursor(self.cursor)
            rows = page_rows(
                queryset.order_by("pk").filter(pk__gt=after), 0, self.size + 1, keys=keys
            )
            self.number = None
        else:
            self.number = self.get_page_number(request)
            offset = (self.number - 1) * self.size
            take = offset + self.size + 1
            if self.count and hasattr(view, "page_queryset"):
                queryset = view.page_queryset(queryset, self.count, take)
            after = view.period_after(queryset) if hasattr(view, "period_after") else None
            if keys is None and after is not None and offset + self.size < self.count_limit:
                classes = span_classes(queryset.model, queryset.db, version)
                key = getattr(view, "filtered_key", None)
                keys = period_page_keys(queryset, after, offset, self.size + 1, classes, key=key)
            if keys is None:
                queryset, offset = anchored(queryset, offset, version)
            rows = page_rows(queryset, offset, self.size + 1, keys=keys)
            if self.number > 1 and not rows:
                raise exceptions.NotFound(
                    f"Page {self.number} does not exist: that page contains no results."
                )
        self.has_next = len(rows) > self.size
        self.rows = rows[: self.size]
        return self.rows

    def check_params(self, params):
        """Refuses malformed paging values before any query, for JSON pages and exports alike
        (an export has every matching row, but a bad value is still a 400 naming it)."""
        if self.page_size_query_param in params:
            positive_int(params[self.page_size_query_param], self.page_size_query_param)
        page = params.get(self.page_query_param)
        if page is not None and page != "last":
            positive_int(page, self.page_query_param)
        if self.cursor_query_param in params:
            decode_cursor(params[self.cursor_query_param])

    def get_page_size(self, request):
        raw = request.query_params.get(self.page_size_query_param)
        if raw is None:
            return self.page_size
        return min(positive_int(raw, self.page_size_query_param), self.max_page_size)

    def get_page_number(self, request):
        raw = request.query_params.get(self.page_query_param, "1")
        if raw == "last":
            if self.count is None:
                raise exceptions.ValidationError(
                    {self.page_query_param: ["'last' needs a count: there are too many rows."]}
                )
            return max(1, -(-self.count // self.size))
        return positive_int(raw, self.page_query_param)

    def get_next_link(self):
        if not self.has_next:
            return None
        url = this_page(self.request)
        if self.number is None:
            key = row_key(self.rows[-1])
            return replace_query_param(url, self.cursor_query_param, encode_cursor(key))
        return replace_query_param(url, self.page_query_param, self.number + 1)

    def get_previous_link(self):
        if self.number is None or self.number == 1:
            return None
        url = this_page(self.request)
        if self.number == 2:
            return remove_query_param(url, self.page_query_param)
        return replace_query_param(url, self.page_query_param, self.number - 1)

    def get_paginated_response(self, data):
        return Response(
            {
                "count": self.count,
                "next": self.get_next_link(),
                "previous": self.get_previous_link(),
                "results": data,
            }
        )

    def get_paginated_response_schema(self, schema):
        return {
            "type": "object",
            "required": ["count", "next", "previous", "results"],
            "properties": {
                "count": {
                    "type": "integer",
                    "nullable": True,
                    "description": f"The number of matching rows when there are at most "
                    f"{self.count_limit:,}; null when there are more (follow next, or use "
                    "?format=csv for all of them).",
                },
                "next": {"type": "string", "nullable": True, "format": "uri"},
                "previous": {
                    "type": "string",
                    "nullable": True,
                    "format": "uri",
                    "description": "Null on cursor pages, which only go forward.",
                },
                "results": schema,
            },
        }

    def get_schema_operation_parameters(self, view):
        return [
            {
                "name": self.page_query_param,
                "required": False,
                "in": "query",
                "description": "Page number (1 = first), or 'last' when the count is known.",
                "schema": {"type": "string", "pattern": "^([1-9][0-9]{0,8}|last)$"},
            },
            {
                "name": self.page_size_query_param,
                "required": False,
                "in": "query",
                "description": f"Rows per page: default {self.page_size}, at most "
                f"{self.max_page_size} (larger is capped).",
                "schema": {"type": "integer", "minimum": 1},
            },
            {
                "name": self.cursor_query_param,
                "required": False,
                "in": "query",
                "description": "Page in id order from this cursor (take it from next): for "
                "deep paging and bulk reading. Not with page or ordering.",
                "schema": {"type": "string"},
            },
        ]


def page_rows(queryset, offset, limit, *, keys=None):
    """The rows of a page: their keys first (unless given), then the rows by key.

    The keys of a page can come from an index alone (the filters' and the order's columns),
    however many rows the filters pass over to reach it; reading whole rows there would
    fetch every row passed over. Then only the page's own rows are read.
    """
    if keys is None:
        keys = list(queryset.values_list("pk", flat=True)[offset : offset + limit])
    if not keys:
        return []
    by_key = {row_key(row): row for row in rows_by_key(queryset, keys)}
    return [by_key[key] for key in keys]


def period_page_keys(queryset, after, offset, limit, classes=range(SPAN_CLASSES), *, key=None):
    """The keys of a page of rows whose period reaches ``after``, in the list's order
    (undated rows first, then by start and id), read per span class.

    In date order, the rows that ended before ``after`` come first, and there are more of
    them the longer the table's history: one walk of the order's index passes over all of
    them to reach the page. A row of span class c that reaches ``after`` starts at most
    2**c - 1 days before it, so each class is one index range (``span_class, date_start``)
    starting there; the database merges the classes' first rows into the page. Same rows,
    same order: the filters still hold every condition, this only adds true bounds.
    ``classes`` are the span classes that have rows (planning a part costs more than
    reading an empty one). None when the page is better read in one walk. ``key`` names
    ``queryset``'s filters and data version (the view's ``filtered_key``): the compiled parts
    are then kept for that key and the page's depth (``PERIOD_PARTS``).
    """
    take = offset + limit
    connection = connections[queryset.db]
    start_stand_in = connection.ops.adapt_datefield_value(_START_STAND_IN)

    def compile_parts():
        undated = queryset.filter(date_start__isnull=True).order_by("pk")
        # One class's query, compiled once with stand-ins for its class and earliest start
        # (compiling the filters once per class cost ten times the SQL itself).
        dated = queryset.filter(span_class=_CLASS_STAND_IN, date_start__gte=_START_STAND_IN)
        dated = dated.order_by("date_start", "pk")
        undated_sql, undated_params = _compiled(undated, take, queryset.db)
        dated_sql, dated_params = _compiled(dated, take, queryset.db)
        if dated_params.count(_CLASS_STAND_IN) != 1 or dated_params.count(start_stand_in) != 1:
            return None  # a filter's own value is a stand-in: read the page in one walk
        if connection.vendor == "postgresql":
            columns = [(_CLASS_STAND_IN, "span.number"), (start_stand_in, "span.earliest")]
            dated_sql, dated_params = _columns_for(dated_sql, dated_params, columns)
        return undated_sql, undated_params, dated_sql, dated_params

    parts = compile_parts() if key is None else PERIOD_PARTS.get((key, take), compile_parts)
    if parts is None:
        return None
    undated_sql, undated_params, dated_sql, dated_params = parts
    earliest = [earliest_start(number, after) or datetime.date.min for number in classes]
    if connection.vendor == "postgresql":
        # One part for every class, run once per class (a lateral join): the statement is
        # the same whatever the classes, so it is prepared once, and short enough for
        # psycopg to keep its conversion (a union of ten parts, 11 KB, was converted again
        # on every page: 0.6 ms).
        sql = (
            f"SELECT * FROM ({undated_sql}) AS part_0 UNION ALL SELECT part.* FROM "
            "unnest(%s::integer[], %s::date[]) AS span(number, earliest) "
            f"CROSS JOIN LATERAL ({dated_sql}) AS part"
        )
        params = [
            *undated_params,
            "{" + ",".join(str(int(number)) for number in classes) + "}",
            "{" + ",".join(day.isoformat() for day in earliest) + "}",
            *dated_params,
        ]
    else:
        # Django composes no UNION of ordered, limited parts on SQLite, so the merge of the
        # compiled parts is written here.
        selects = [f"SELECT * FROM ({undated_sql}) AS part_0"]
        params = list(undated_params)
        for number, day in zip(classes, earliest, strict=True):
            values = {
                _CLASS_STAND_IN: number,
                start_stand_in: connection.ops.adapt_datefield_value(day),
            }
            selects.append(f"SELECT * FROM ({dated_sql}) AS part_{number + 1}")
            params += [values.get(param, param) for param in dated_params]
        sql = " UNION ALL ".join(selects)
    sql += " ORDER BY 1 ASC NULLS FIRST, 2 ASC LIMIT %s OFFSET %s"
    with connection.cursor() as cursor:
        cursor.execute(sql, [*params, limit, offset])
        return [key for _, key in cursor.fetchall()]


def _columns_for(sql, params, columns):
    """``sql`` and ``params`` with the placeholder of each parameter equal to a stand-in of
    ``columns`` ((stand-in, column) pairs) replaced by that column."""
    pieces, kept = [], []
    values = iter(params)
    for piece in re.split(r"(%%|%s)", sql):
        if piece == "%s":
            value = next(values)
            column = next((c for stand_in, c in columns if _same(value, stand_in)), None)
            if column is not None:
                pieces.append(column)
                continue
            kept.append(value)
        pieces.append(piece)
    return "".join(pieces), kept


def _same(value, stand_in):
    # isinstance: on PostgreSQL Django passes an integer as psycopg's Int2/Int4/Int8.
    return isinstance(value, type(stand_in)) and value == stand_in


PERIOD_PARTS = Memo(256)

# Values no row has (a negative class, within a small integer; a day before any event).
_CLASS_STAND_IN = -31_415
_START_STAND_IN = datetime.date(2, 1, 1)


def version_key(name, version, *parts):
    """A cache key for a fact about the data at ``version`` that ``parts`` name (a table, a
    query): any length of text in, a short key that every cache backend takes out."""
    text = "\n".join(str(part) for part in (version, *parts))
    return f"{name}:" + hashlib.sha256(text.encode()).hexdigest()


def per_version(name, model, using, version, compute, *parts):
    """``compute()``, a fact about ``model``'s table (and ``parts``, what it asks), kept in
    the cache under the data's version (none kept without one): asked once, then not again
    until the data changes."""
    key = version_key(name, version, model._meta.label, using, *parts)
    value = cache.get(key) if version is not None else None
    if value is None:
        value = compute()
        if version is not None:
            cache.set(key, value, settings.COUNT_CACHE_SECONDS)
    return value


def span_classes(model, using, version):
    """The span classes some row of ``model`` has, in order (one query of an index seek
    per class)."""

    def compute():
        rows = model._default_manager.using(using).order_by()
        probes = {
            f"c{number}": Exists(rows.filter(span_class=number)) for number in range(SPAN_CLASSES)
        }
        found = list(rows.annotate(**probes).values(*probes)[:1])
        return [number for number in range(SPAN_CLASSES) if found and found[0][f"c{number}"]]

    return per_version("span-classes", model, using, version, compute)


def table_size(model, using, version):
    """About how many rows ``model``'s table has: its largest id (an index's last entry).
    Ids are never reused, so it is at least the number of rows."""

    def compute():
        rows = model._default_manager.using(using).order_by()
        return rows.aggregate(size=Max("pk"))["size"] or 0

    return per_version("table-size", model, using, version, compute)


def _compiled(queryset, take, using):
    query = queryset.values_list("date_start", "pk")[:take].query
    return query.get_compiler(using).as_sql()


def rows_by_key(queryset, keys):
    """The rows of ``queryset`` with ``keys``: for ``values()`` rows, read by key alone,
    since the filters already chose the keys (a search would otherwise run again)."""
    fields = getattr(queryset, "_fields", None)
    if fields and not queryset.query.annotations:
        connection = connections[queryset.db]
        rows = keyed_query(connection, queryset.model, "pk", fields).rows(connection, keys)
        return [dict(zip(fields, row, strict=True)) for row in rows]
    return queryset.order_by().filter(pk__in=keys)


def row_key(row):
    """A row's key: lists read ``values()`` dicts, some (releases, deletions) objects."""
    return row["pk"] if isinstance(row, dict) else row.pk


def anchored(queryset, offset, version):
    """``queryset`` from the anchor at or before ``offset`` (the row at the last multiple of
    ANCHOR_EVERY), and the offset left from it; unchanged when no anchor applies.

    An anchor applies where the order is one a row-value comparison follows: every term in
    one direction, the primary key among them, and a nullable column only ascending with
    its empty values first (they then sort before any anchor that has a value).
    """
    if offset < ANCHOR_EVERY or version is None or settings.COUNT_CACHE_SECONDS <= 0:
        return queryset, offset
    terms = _row_order(queryset)
    if terms is None:
        return queryset, offset
    position = offset - offset % ANCHOR_EVERY
    anchor = _anchor(queryset, terms, position, version)
    if anchor is None:
        return queryset, offset
    return _from_row(queryset, terms, anchor), offset - position


def _anchor(queryset, terms, position, version):
    """The order's values of the row at ``position``, or None (past the end, or a value is
    empty): found once per data version, query and position, then kept in the cache. When
    the anchor before it is kept (a client paging on), it is found from there, skipping
    ANCHOR_EVERY rows instead of ``position``."""
    names = [name for name, _ in terms]
    sql, params = queryset.values_list(*names).query.sql_with_params()
    key = version_key("anchor", version, queryset.db, position, sql, repr(params))
    anchor = cache.get(key)
    if anchor is None:
        rows, skip = queryset, position
        before = version_key(
            "anchor", version, queryset.db, position - ANCHOR_EVERY, sql, repr(params)
        )
        previous = cache.get(before)
        if previous and None not in previous:
            rows, skip = _from_row(queryset, terms, previous), ANCHOR_EVERY
        found = list(rows.values_list(*names)[skip : skip + 1])
        anchor = list(found[0]) if found else []
        cache.set(key, anchor, settings.COUNT_CACHE_SECONDS)
    return anchor if anchor and None not in anchor else None


def _from_row(queryset, terms, values):
    """``queryset`` from the row whose order's values are ``values`` on: a row-value
    comparison, ``(date_start, id) >= (...)``, which an index in that order serves."""
    names = [name for name, _ in terms]
    fields = [queryset.model._meta.get_field(name) for name in names]
    values = [Value(value, output_field=field) for value, field in zip(values, fields, strict=True)]
    condition = Func(
        Func(*(F(name) for name in names), template="(%(expressions)s)"),
        Func(*values, template="(%(expressions)s)"),
        template="%(expressions)s",
        arg_joiner=" <= " if terms[0][1] else " >= ",
        output_field=BooleanField(),
    )
    return queryset.filter(condition)


def _row_order(queryset):
    """The order of ``queryset`` as (field name, descending) terms when a row-value
    comparison follows it (see ``anchored``), else None."""
    model = queryset.model
    terms = []
    for entry in queryset.query.order_by or model._meta.ordering:
        if isinstance(entry, str):
            name, descending, nulls_first = entry.lstrip("-"), entry.startswith("-"), False
        elif isinstance(entry, OrderBy) and type(entry.expression) is F:
            name, descending = entry.expression.name, entry.descending
            nulls_first = bool(entry.nulls_first)
        else:
            return None
        try:
            field = model._meta.pk if name == "pk" else model._meta.get_field(name)
        except FieldDoesNotExist:  # a path through a relation, or "?"
            return None
        if field.is_relation or (field.null and (descending or not nulls_first)):
            return None
        terms.append((field.attname, descending))
    directions = {descending for _, descending in terms}
    if len(directions) != 1 or model._meta.pk.attname not in [name for name, _ in terms]:
        return None
    return terms


def capped_count(queryset, limit, *, version=None, rows=None):
    """The number of rows, or None when there are more than ``limit``: counting stops there.

    With the data's ``version``, the count is kept in the cache under that version and the
    query (settings.COUNT_CACHE_SECONDS): curated data changes rarely, and a client paging
    through one result would otherwise count it again on every page. ``rows``, when given,
    names the query's rows in words (a resource and its filters) and stands for its SQL in
    the key, which would otherwise be compiled on every page only to be looked up.
    """
    key = None
    if version is not None and settings.COUNT_CACHE_SECONDS > 0:
        if rows is None:
            sql, params = queryset.order_by().query.sql_with_params()
            rows = f"{sql}\n{params!r}"
        key = version_key("count", version, queryset.db, limit, rows)
        count = cache.get(key)
        if count is not None:
            return None if count > limit else count
    count = queryset.order_by()[: limit + 1].count()
    if key is not None:
        cache.set(key, count, settings.COUNT_CACHE_SECONDS)
    return None if count > limit else count


def encode_cursor(key):
    return base64.urlsafe_b64encode(f"id>{key}".encode()).decode().rstrip("=")


def decode_cursor(cursor):
    try:
        text = force_str(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))
    except (binascii.Error, UnicodeDecodeError, ValueError):
        text = ""
    key = text.removeprefix("id>")
    if not (text.startswith("id>") and key.isascii() and key.isdigit() and len(key) < 19):
        raise exceptions.ValidationError({"cursor": ["Not a cursor: take it from next."]})
    return int(key)


def positive_int(raw, name, *, maximum=2**31 - 1):
    value = int(raw) if raw.isascii() and raw.isdigit() and len(raw) < 12 else 0
    if not 1 <= value <= maximum:
        raise exceptions.ValidationError(
            {name: [f"'{raw}' is not a whole number from 1 to {maximum}."]}
        )
    return value
