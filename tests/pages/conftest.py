import datetime

import pytest

from datapackage.models import Release
from events.choices import DatePrecision
from tests.factories import (
    ActorAliasFactory,
    ActorFactory,
    IssueFactory,
    SourceFactory,
    cited_event,
    cited_position,
    cited_relation,
)

D = datetime.date
STANCES = ["supports", "opposes", "mixed", "neutral"]
EVENT_TYPES = ["airstrike", "deployment", "statement", "agreement"]


def populate(size):
    """Russia and Iran (with the IRGC and the Quds Force below Iran) on ``size`` issues,
    with ``size`` events and ``size`` relations: every kind of row a page shows grows with
    ``size``."""
    russia = ActorFactory(slug="russia", name="Russia", country="RU")
    iran = ActorFactory(slug="iran", name="Iran", country="IR")
    irgc = ActorFactory(slug="irgc", name="IRGC", country="IR", parent=iran, kind="armed_forces")
    quds = ActorFactory(slug="quds-force", name="Quds Force", parent=irgc, kind="paramilitary")
    ActorAliasFactory(actor=iran, alias="Tehran")
    source = SourceFactory(title="The founding article", url="https://example.org/article")
    other = SourceFactory(title="A second source", url="")
    issues = []
    for n in range(size):
        issue = IssueFactory(slug=f"issue-{n}", name=f"Issue number {n}", country="SY")
        issues.append(issue)
        start = D(2014 + n % 6, 1, 1)
        cited_position(
            actor=russia,
            issue=issue,
            stance=STANCES[n % 4],
            summary=f"Russia's stance on issue {n}.",
            date_start=start,
            date_precision=DatePrecision.YEAR,
            sources=[source],
        )
        cited_position(
            actor=iran if n % 2 else irgc,
            issue=issue,
            stance=STANCES[(n + n % 3) % 4],
            summary=f"Iran's stance on issue {n}.",
            date_start=start,
            date_precision=DatePrecision.YEAR,
            sources=[source, other],
        )
    events = []
    for n in range(size):
        events.append(
            cited_event(
                title=f"Event number {n}",
                event_type=EVENT_TYPES[n % 4],
                country="SY" if n % 3 else "YE",
                date_start=D(2013 + n % 7, 1 + n % 12, 1),
                date_precision=DatePrecision.MONTH,
                actors=[(russia, "initiator"), (iran if n % 2 else quds, "supporter")],
                sources=[source],
            )
        )
    for n in range(size):
        cited_relation(
            actor=iran,
            counterpart=russia,
            kind="competition" if n == 0 else "cooperation",
            domain="economic",
            issue=issues[n],
            country="SY",
            summary=f"Relation {n} between Iran and Russia.",
            date_start=D(2015, 1, 1),
            date_precision=DatePrecision.YEAR,
            sources=[source],
        )
    Release.objects.create(
        version="1.0.0",
        created=datetime.datetime(2021, 7, 3, tzinfo=datetime.UTC),
        zip_sha256="a" * 64,
        descriptor_sha256="b" * 64,
        row_counts={"events": size},
    )
    return {
        "actors": {"russia": russia, "iran": iran, "irgc": irgc, "quds": quds},
        "issues": issues,
        "events": events,
        "sources": [source, other],
    }


@pytest.fixture
def site(db):
    return populate(3)
