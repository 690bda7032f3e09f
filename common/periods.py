"""When a row held: its period, as a database condition and in Python.

A row's period runs from ``date_start`` to ``date_end``. A row still going on when its source
was written has ``ongoing_as_of`` (that date) instead of an end, and runs to that date; a row
with neither covers its start alone. A date is stored as the first day of its period
("August 2019" is 2019-08-01 with precision month), so a start or an end covers the whole
of its month or year. A row whose start is unknown but which held on ``ongoing_as_of``
covers that date. A row with no date at all has no period: it never matches a date bound.

``date_overlap`` (SQL, for filters) and ``period`` (Python, for the alignment timeline)
state the same rule twice, in the two languages that need it; a test holds them equal on
every combination of dates and precisions.
"""

import calendar
import datetime
from dataclasses import dataclass

from django.db.models import Q


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
