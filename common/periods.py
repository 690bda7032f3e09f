"""When a row held: its period, as a database condition and in Python.

A row's period runs from ``date_start`` to ``date_end``. A row still going on when its source
was written has ``ongoing_as_of`` (that date) instead of an end, and runs to that date; a row
with neither covers its start alone. A date is stored as the first day of its period
("August 2019" is 2019-08-01 with precision month), so a start or an end covers the whole
of its month or year. A row whose start is unknown but which held on ``ongoing_as_of``
covers that date. A row with no date at all has no period: it never matches a date bound.

``date_overlap`` (SQL, for filters) and ``period`` (Python, for the alignment timeline)
state the same rule twice, in the two languages that need it; a test holds them equal on
every combination of dates and precisions. ``SpanClass`` (SQL, a generated column) and
``span_class`` (Python) do the same for how long a period lasts.
"""

import calendar
import datetime
from dataclasses import dataclass

from django.db.models import Func, IntegerField, Q


def date_overlap(*, after=None, before=None, prefix=""):
    """A condition for rows whose period overlaps [after, before], both inclusive.

    ``prefix`` reaches the dated row through a relation (``"event__"``). Written without
    COALESCE so the date indexes can serve it.
    """

    def q(**lookups):
        return Q(**{prefix + name: value for name, value in lookups.items()})

    condition = Q()
    if after is not None:
        periods = {
            "day": after,
            "month": after.replace(day=1),
            "year": after.replace(month=1, day=1),
        }
        ends_after = q(date_end__isnull=True, ongoing_as_of__gte=after)
        for precision, period_start in periods.items():
            ends_after |= q(date_precision=precision) & (
                q(date_end__gte=period_start)
                | q(date_end__isnull=True, ongoing_as_of__isnull=True, date_start__gte=period_start)
            )
        condition &= ends_after
    if before is not None:
        condition &= q(date_start__lte=before) | q(
            date_start__isnull=True, ongoing_as_of__lte=before
        )
    return condition


def period_end(date, precision):
    """The last day a start or end date covers, given its precision."""
    if precision == "year":
        return date.replace(month=12, day=31)
    if precision == "month":
        return date.replace(day=calendar.monthrange(date.year, date.month)[1])
    return date


def period(row):
    """(first day, last day) a row held, or None for an undated row.

    ``row`` has ``date_start``, ``date_end``, ``date_precision`` and ``ongoing_as_of`` (a
    mapping).
    """
    start, end, ongoing = row["date_start"], row["date_end"], row["ongoing_as_of"]
    precision = row["date_precision"]
    if start is None:
        return (ongoing, ongoing) if ongoing is not None else None
    if end is not None:
        return start, period_end(end, precision)
    if ongoing is not None:
        return start, ongoing
    return start, period_end(start, precision)


def overlaps(row, after=None, before=None):
    """Python's ``date_overlap``: does the row's period overlap [after, before]?"""
    if after is None and before is None:
        return True
    held = period(row)
    if held is None:
        return False
    first, last = held
    return (after is None or last >= after) and (before is None or first <= before)


def year_bounds(year):
    return datetime.date(year, 1, 1), datetime.date(year, 12, 31)


@dataclass(frozen=True)
class Scope:
    """What a question looks at: conflict countries and a period (inclusive)."""

    countries: tuple = ()
    date_after: object = None
    date_before: object = None

    def narrowed_to_year(self, year):
        first, last = year_bounds(year)
        after = max(first, self.date_after) if self.date_after else first
        before = min(last, self.date_before) if self.date_before else last
        return Scope(self.countries, after, before)

    def holds(self, row):
        return overlaps(row, self.date_after, self.date_before)


# A period lasting fewer than 2**c days is in span class c; the last class has no bound.
SPAN_CLASSES = 17


def span_class(row):
    """Python's ``SpanClass``: the span class of a row's period, None for an undated start."""
    if row["date_start"] is None:
        return None
    days = (period(row)[1] - row["date_start"]).days
    for number in range(SPAN_CLASSES - 1):
        if days < 2**number:
            return number
    return SPAN_CLASSES - 1


def earliest_start(number, after):
    """The earliest start of a row of span class ``number`` whose period reaches ``after``
    (None for the last class, whose periods have no bound)."""
    if number >= SPAN_CLASSES - 1:
        return None
    span = datetime.timedelta(days=2**number - 1)
    # Near year 1 the bound would fall before the first date there is: none is earlier.
    return after - span if after - datetime.date.min > span else datetime.date.min


class SpanClass(Func):
    """The span class of a row's period (``span_class``), as SQL for a generated column.

    Rows whose period reaches a date ``after`` have, in class c, a start no earlier than
    ``after - (2**c - 1)`` days: read per class, a page of ``?date_after=`` in date order is
    an index range each, instead of a walk past every earlier row (see
    ``common.api.pagination.period_page_keys``).
    """

    output_field = IntegerField()

    def _sql(self, last_day_of, days_between):
        def period_end(column):
            return (
                f"CASE date_precision WHEN 'year' THEN {last_day_of(column, 'year')} "
                f"WHEN 'month' THEN {last_day_of(column, 'month')} ELSE {column} END"
            )

        last = (
            f"CASE WHEN date_end IS NOT NULL THEN {period_end('date_end')} "
            f"WHEN ongoing_as_of IS NOT NULL THEN ongoing_as_of "
            f"ELSE {period_end('date_start')} END"
        )
        days = days_between("date_start", f"({last})")
        classes = " ".join(
            f"WHEN {days} < {2**number} THEN {number}" for number in range(SPAN_CLASSES - 1)
        )
        return f"CASE WHEN date_start IS NULL THEN NULL {classes} ELSE {SPAN_CLASSES - 1} END", []

    def as_sqlite(self, compiler, connection, **extra_context):
        return self._sql(
            lambda column, unit: f"date({column}, 'start of {unit}', '+1 {unit}', '-1 day')",
            lambda first, last: f"CAST(julianday({last}) - julianday({first}) AS INTEGER)",
        )

    def as_postgresql(self, compiler, connection, **extra_context):
        return self._sql(
            lambda column, unit: (
                f"(date_trunc('{unit}', {column}::timestamp) + interval '1 {unit} - 1 day')::date"
            ),
            lambda first, last: f"({last} - {first})",
        )

    def as_sql(self, compiler, connection, **extra_context):
        raise NotImplementedError(f"SpanClass has no SQL for {connection.vendor}")
