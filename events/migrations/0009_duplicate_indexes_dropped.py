"""Indexes that repeated another of the same definition: each cost every write and its
space (4.3 MB at 100k events) and served no query the other did not.

- ``events_relation``: Meta indexes on ``counterpart`` and ``issue``, which their foreign
  keys already index.
- PostgreSQL: ``events_event_start_nulls_first`` (0003) is the same index as
  ``events_event_order_nulls_first`` (0006); the latter stays.
"""

from django.db import migrations

from common.migration_operations import RunSQLOn


class Migration(migrations.Migration):
    dependencies = [
        ("events", "0008_span_class_for_date_after_pages"),
    ]

    operations = [
        migrations.RemoveIndex(
            model_name="relation",
            name="events_rela_counter_a67813_idx",
        ),
        migrations.RemoveIndex(
            model_name="relation",
            name="events_rela_issue_i_128125_idx",
        ),
        RunSQLOn(
            "postgresql",
            "DROP INDEX IF EXISTS events_event_start_nulls_first;",
            "CREATE INDEX events_event_start_nulls_first ON events_event "
            "(date_start ASC NULLS FIRST, id);",
        ),
    ]
