"""The period rule in SQL (date filters) and in Python (the alignment timeline) agree."""

import datetime
import itertools

import pytest

from common.periods import date_overlap, earliest_start, overlaps, period, span_class
from events.models import Event, Relation
from tests.factories import EventFactory, RelationFactory

pytestmark = pytest.mark.django_db

D = datetime.date
STARTS = [(None, ""), (D(2015, 1, 1), "year"), (D(2015, 3, 1), "month"), (D(2015, 3, 14), "day")]
ENDS = [None, D(2016, 1, 1), D(2016, 6, 1)]
ONGOING = [None, D(2021, 7, 3)]
BOUNDS = [
    None,
    D(2014, 12, 31),
    D(2015, 3, 14),
    D(2015, 3, 31),
    D(2015, 12, 31),
    D(2016, 1, 31),
    D(2016, 6, 30),
    D(2016, 12, 31),
    D(2017, 1, 1),
    D(2021, 7, 3),
    D(2021, 7, 4),
]


def valid(start, precision, end, ongoing):
    if start is None and end is not None:
        return False
    if ongoing is not None and end is not None:
        return False
    if end is not None and precision == "month" and end.day != 1:
        return False
    if end is not None and precision == "year" and (end.month, end.day) != (1, 1):
        return False
    return True


def test_sql_and_python_periods_agree():
    rows = {}
    for (start, precision), end, ongoing in itertools.product(STARTS, ENDS, ONGOING):
        if valid(start, precision, end, ongoing):
            relation = RelationFactory(
                date_start=start, date_precision=precision, date_end=end, ongoing_as_of=ongoing
            )
            rows[relation.pk] = {
                "date_start": start,
                "date_end": end,
                "date_precision": precision,
                "ongoing_as_of": ongoing,
            }
    assert len(rows) == 13
    for after, before in itertools.product(BOUNDS, BOUNDS):
        in_sql = set(
            Relation.objects.filter(date_overlap(after=after, before=before)).values_list(
                "pk", flat=True
            )
        )
        in_python = {pk for pk, row in rows.items() if overlaps(row, after, before)}
        assert in_sql == in_python, (after, before)


def test_period_of_an_ongoing_row_runs_to_its_date():
    row = {
        "date_start": D(2015, 1, 1),
        "date_end": None,
        "date_precision": "year",
        "ongoing_as_of": D(2021, 7, 3),
    }
    assert period(row) == (D(2015, 1, 1), D(2021, 7, 3))


def test_period_of_a_month_covers_the_month():
    row = {"date_start": D(2016, 2, 1), "date_end": None, "date_precision": "month"}
    assert period({**row, "ongoing_as_of": None}) == (D(2016, 2, 1), D(2016, 2, 29))


# Starts and the ends/ongoing dates that put a period either side of a class's bound.
SPAN_STARTS = [(D(2015, 1, 1), "year"), (D(2015, 2, 1), "month"), (D(2015, 3, 14), "day")]
SPAN_DAYS = [0, 1, 2, 3, 4, 7, 8, 15, 16, 300, 365, 366, 1000, 20_000, 40_000]


def test_sql_and_python_span_classes_agree():
    expected = {}
    for (start, precision), days in itertools.product(SPAN_STARTS, SPAN_DAYS):
        last = start + datetime.timedelta(days=days)
        ends = [None]
        if precision == "day":
            ends.append(last)
        elif precision == "month":
            ends.append(last.replace(day=1))
        else:
            ends.append(last.replace(month=1, day=1))
        for end in ends:
            for ongoing in [None, last] if end is None else [None]:
                if (end, ongoing) != (None, None) and max(d for d in (end, ongoing) if d) < start:
                    continue
                row = {
                    "date_start": start,
                    "date_end": end,
                    "date_precision": precision,
                    "ongoing_as_of": ongoing,
                }
                expected[EventFactory(**row).pk] = span_class(row)
    EventFactory(date_start=None, date_precision="", ongoing_as_of=D(2020, 1, 1))
    in_sql = dict(Event.objects.values_list("pk", "span_class"))
    assert {pk: in_sql[pk] for pk in expected} == expected
    assert None in in_sql.values()  # an undated row has no class
    assert set(expected.values()) >= {0, 1, 2, 3, 4, 9, 10, 15, 16}


def test_a_row_reaching_a_date_starts_within_its_classes_bound():
    after = D(2016, 3, 15)
    for (start, precision), end, ongoing in itertools.product(STARTS, ENDS, ONGOING):
        row = {
            "date_start": start,
            "date_end": end,
            "date_precision": precision,
            "ongoing_as_of": ongoing,
        }
        if start is None or not valid(start, precision, end, ongoing):
            continue
        if overlaps(row, after):
            earliest = earliest_start(span_class(row), after)
            assert earliest is None or start >= earliest
