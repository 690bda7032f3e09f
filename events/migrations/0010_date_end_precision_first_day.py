"""date_precision governs date_end as it does date_start: a month-precision end is stored as
the first day of its month, a year-precision end as 1 January of its year (date filters and
span classes already read an end as the whole month or year it names).

Rows stored before the rule have their end moved to the first day of its period first, so
the constraints can be added; their periods, as the filters read them, do not change.
"""

from django.db import migrations, models
from django.db.models import Q
from django.utils import timezone

import common.models


def end_dates_at_their_precision(apps, schema_editor):
    """Store a month- or year-precision date_end as the first day of its month or year.

    Date filters already read such an end as its whole month or year, so no row's period
    changes; the rows are stamped ``updated`` so that copies kept in sync fetch them.
    """
    now = timezone.now()
    not_first_day = ~Q(date_end__day=1)
    misplaced = (Q(date_precision="month") & not_first_day) | (
        Q(date_precision="year") & (not_first_day | ~Q(date_end__month=1))
    )
    for name in ("Event", "Position", "Relation"):
        model = apps.get_model("events", name)
        rows = model.objects.filter(misplaced, date_end__isnull=False)
        for pk, end, precision in rows.values_list("pk", "date_end", "date_precision"):
            first = end.replace(day=1) if precision == "month" else end.replace(month=1, day=1)
            model.objects.filter(pk=pk).update(date_end=first, updated=now)


class Migration(migrations.Migration):
    dependencies = [
        ("actors", "0003_updated_is_indexed"),
        ("events", "0009_duplicate_indexes_dropped"),
    ]

    operations = [
        migrations.RunPython(end_dates_at_their_precision, migrations.RunPython.noop),
        migrations.AddConstraint(
            model_name="event",
            constraint=common.models.FieldCheckConstraint(
                condition=models.Q(
                    models.Q(("date_precision", "month"), _negated=True),
                    ("date_end__isnull", True),
                    ("date_end__day", 1),
                    _connector="OR",
                ),
                field="date_end",
                name="event_month_precision_end_first_day",
                violation_error_message="a month-precision end date is stored as the first day of its month",
            ),
        ),
        migrations.AddConstraint(
            model_name="event",
            constraint=common.models.FieldCheckConstraint(
                condition=models.Q(
                    models.Q(("date_precision", "year"), _negated=True),
                    ("date_end__isnull", True),
                    models.Q(("date_end__day", 1), ("date_end__month", 1)),
                    _connector="OR",
                ),
                field="date_end",
                name="event_year_precision_end_first_january",
                violation_error_message="a year-precision end date is stored as 1 January of its year",
            ),
        ),
        migrations.AddConstraint(
            model_name="position",
            constraint=common.models.FieldCheckConstraint(
                condition=models.Q(
                    models.Q(("date_precision", "month"), _negated=True),
                    ("date_end__isnull", True),
                    ("date_end__day", 1),
                    _connector="OR",
                ),
                field="date_end",
                name="position_month_precision_end_first_day",
                violation_error_message="a month-precision end date is stored as the first day of its month",
            ),
        ),
        migrations.AddConstraint(
            model_name="position",
            constraint=common.models.FieldCheckConstraint(
                condition=models.Q(
                    models.Q(("date_precision", "year"), _negated=True),
                    ("date_end__isnull", True),
                    models.Q(("date_end__day", 1), ("date_end__month", 1)),
                    _connector="OR",
                ),
                field="date_end",
                name="position_year_precision_end_first_january",
                violation_error_message="a year-precision end date is stored as 1 January of its year",
            ),
        ),
        migrations.AddConstraint(
            model_name="relation",
            constraint=common.models.FieldCheckConstraint(
                condition=models.Q(
                    models.Q(("date_precision", "month"), _negated=True),
                    ("date_end__isnull", True),
                    ("date_end__day", 1),
                    _connector="OR",
                ),
                field="date_end",
                name="relation_month_precision_end_first_day",
                violation_error_message="a month-precision end date is stored as the first day of its month",
            ),
        ),
        migrations.AddConstraint(
            model_name="relation",
            constraint=common.models.FieldCheckConstraint(
                condition=models.Q(
                    models.Q(("date_precision", "year"), _negated=True),
                    ("date_end__isnull", True),
                    models.Q(("date_end__day", 1), ("date_end__month", 1)),
                    _connector="OR",
                ),
                field="date_end",
                name="relation_year_precision_end_first_january",
                violation_error_message="a year-precision end date is stored as 1 January of its year",
            ),
        ),
    ]
