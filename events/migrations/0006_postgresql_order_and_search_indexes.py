"""PostgreSQL indexes for lists at millions of rows; no-ops on SQLite (events/search.py
gives SQLite its own search index).

- The default order of events is ``date_start`` with undated rows first (as SQLite sorts
  NULLs) then ``id``. PostgreSQL's default B-tree order puts NULLs last, so without an index
  in that exact order every page sorts every matching row. SQLite cannot declare NULLS FIRST
  in an index and needs none: its NULLs already sort first.
- ``?country=`` lists read the same order within one country. The period columns are
  INCLUDEd so that ``date_after``/``date_before`` and the capped count are checked on the
  index alone.
- ``q`` is ``UPPER(column::text) LIKE UPPER('%term%')`` (Django's icontains): trigram GIN
  indexes on exactly those expressions let PostgreSQL answer it without reading every row.
"""

from django.db import migrations

from common.migration_operations import RunSQLOn

SEARCHED = {
    "events_event": ["title", "summary", "location_name"],
    "events_position": ["summary"],
}


def trigram_index(table, column):
    name = f"{table}_{column}_trgm"
    return (
        f"CREATE INDEX {name} ON {table} USING gin (UPPER({column}::text) gin_trgm_ops);",
        f"DROP INDEX IF EXISTS {name};",
    )


SEARCH = [trigram_index(table, column) for table, columns in SEARCHED.items() for column in columns]


class Migration(migrations.Migration):
    dependencies = [
        ("events", "0005_updated_is_indexed"),
    ]

    operations = [
        RunSQLOn(
            "postgresql",
            "CREATE INDEX events_event_order_nulls_first "
            "ON events_event (date_start ASC NULLS FIRST, id);",
            "DROP INDEX IF EXISTS events_event_order_nulls_first;",
        ),
        RunSQLOn(
            "postgresql",
            "CREATE INDEX events_event_country_order_nulls_first "
            "ON events_event (country, date_start ASC NULLS FIRST, id) "
            "INCLUDE (date_end, date_precision, ongoing_as_of);",
            "DROP INDEX IF EXISTS events_event_country_order_nulls_first;",
        ),
        RunSQLOn(
            "postgresql",
            "CREATE EXTENSION IF NOT EXISTS pg_trgm;",
            migrations.RunSQL.noop,
        ),
        *(RunSQLOn("postgresql", create, drop) for create, drop in SEARCH),
    ]
