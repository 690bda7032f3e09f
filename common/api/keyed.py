"""Queries of the rows whose key is in a list (a page's rows, their nested lists), compiled
once per connection rather than once per page.

Such a query differs from page to page only in its keys. As ``filter(key__in=keys)`` it is
a new SQL text for every number of keys, so Django builds and compiles it every time, which
cost more than running it (0.5 ms of a 1.1 ms nested list). Here the keys are one array
parameter (PostgreSQL ``= ANY(%s)``, SQLite ``IN (SELECT value FROM json_each(%s))``): the
SQL is the same for every page, and Django's converters are applied as the ORM would.
"""

import json
from dataclasses import dataclass

from django.db.models import BooleanField, F, Func


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
    """The keys as the one parameter: an array on PostgreSQL, a JSON array on SQLite."""
    return list(keys) if connection.vendor == "postgresql" else json.dumps(list(keys))


@dataclass(frozen=True)
class KeyedQuery:
    sql: str
    compiler: object  # the SQLCompiler that made ``sql``, on this query's connection
    converters: dict  # as the compiler's get_converters() gives them

    def rows(self, connection, keys):
        """The rows (as ``values_list`` has them, lists where converted) of ``keys``."""
        with connection.cursor() as cursor:
            cursor.execute(self.sql, [keys_param(connection, keys)])
            rows = cursor.fetchall()
        if not self.converters:
            return rows
        return list(self.compiler.apply_converters(rows, self.converters))


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
        query = queries[name] = KeyedQuery(sql, compiler, converters)
    return query
