"""PostgreSQL: a search from a date (``?q=...&date_after=...``) reads each span class on an
index that holds the searched text; a no-op on SQLite (events/search.py gives SQLite the same
index after every ``migrate``).

A page of ``date_after`` is read per span class (common/api/pagination.py): one range of
``(span_class, date_start, id)`` per class, starting where a row of that class could still
reach the date. With ``q`` as well, each row of those ranges is tested for the term too;
``search_text`` was only in the table, so every row the ranges passed over was fetched from
it (``q=Aleppo&date_after=2016-03-15`` at 100k events: 21 ms for the page's keys). This index
INCLUDEs the searched text, the columns the date test reads and the country, so the ranges
are read from the index alone (5.5 ms), with ``country=`` too. It is 20 MB at 100k events.
"""

from django.db import migrations

from common.migration_operations import RunSQLOn


class Migration(migrations.Migration):
    dependencies = [
        ("events", "0011_postgresql_search_column"),
    ]

    operations = [
        RunSQLOn(
            "postgresql",
            "CREATE INDEX events_event_span_searched ON events_event "
            "(span_class, date_start, id) "
            "INCLUDE (country, date_end, date_precision, ongoing_as_of, search_text);",
            "DROP INDEX IF EXISTS events_event_span_searched;",
        ),
    ]
