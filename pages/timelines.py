"""Counts by year for the timeline charts, and their Chart.js-ready shape."""

from collections import defaultdict

from django.db.models import Count
from django.db.models.functions import Coalesce, ExtractYear

from events.choices import EventType


def events_by_year_and_type(events):
    """{(year, event_type): count} of an event queryset, by the year each event began (or
    was observed going on, for an event whose start is unknown): one grouped query."""
    grouped = (
        events.order_by()
        .annotate(year=ExtractYear(Coalesce("date_start", "ongoing_as_of")))
        .values_list("year", "event_type")
        .annotate(n=Count("pk"))
    )
    return {(year, kind): n for year, kind, n in grouped if year is not None}


def event_type_chart(counts):
    """The stacked bar chart of ``events_by_year_and_type``: every year from the first to
    the last (a year without events is a gap, not left out), one series per event type
    that occurs, in the vocabulary's order. ``rows`` is the same as a table."""
    if not counts:
        return {"labels": [], "series": [], "rows": [], "marks": 0}
    years = [year for year, _ in counts]
    labels = list(range(min(years), max(years) + 1))
    present = {kind for _, kind in counts}
    series = []
    for kind, label in EventType.choices:
        if kind in present:
            series.append(
                {
                    "key": kind,
                    "label": label,
                    "data": [counts.get((year, kind)) for year in labels],
                }
            )
    rows = []
    by_year = defaultdict(int)
    for (year, _), n in counts.items():
        by_year[year] += n
    for index, year in enumerate(labels):
        rows.append(
            {
                "year": year,
                "counts": [item["data"][index] or 0 for item in series],
                "total": by_year[year],
            }
        )
    return {"labels": labels, "series": series, "rows": rows, "marks": len(counts)}


ALIGNMENT_SERIES = [
    # (key in compare.timeline rows, label, stack)
    ("agree", "Issues: agree", "issues"),
    ("partly", "Issues: partly", "issues"),
    ("diverge", "Issues: diverge", "issues"),
    ("compete", "Issues: compete", "issues"),
    ("events_same", "Events: same side", "events"),
    ("events_opposite", "Events: opposite sides", "events"),
]


def alignment_chart(timeline):
    """The alignment timeline (compare.timeline's rows) as two stacks a year: the verdicts
    on the issues compared that year, and the shared events by side. A zero is no mark."""
    labels = [row["year"] for row in timeline]
    series = [
        {
            "key": key,
            "label": label,
            "stack": stack,
            "data": [row[key] or None for row in timeline],
        }
        for key, label, stack in ALIGNMENT_SERIES
    ]
    marks = sum(1 for item in series for value in item["data"] if value)
    return {"labels": labels, "series": series, "marks": marks}
