import datetime

import pytest

from events.choices import DatePrecision
from tests.factories import (
    ActorFactory,
    IssueFactory,
    SourceFactory,
    cited_event,
    cited_position,
    cited_relation,
)

D = datetime.date
ARTICLE_DATE = D(2021, 7, 3)


@pytest.fixture
def rivals(db):
    """Russia and Iran (with the IRGC below Iran) on five issues, two events, two relations."""
    russia = ActorFactory(slug="russia", name="Russia", country="RU")
    iran = ActorFactory(slug="iran", name="Iran", country="IR")
    irgc = ActorFactory(slug="irgc", name="IRGC", country="IR", parent=iran)
    source = SourceFactory(title="The article")
    issues = {
        slug: IssueFactory(slug=slug, name=slug.title(), country=country)
        for slug, country in [
            ("agree", "SY"),
            ("partly", "SY"),
            ("diverge", "YE"),
            ("compete", "SY"),
            ("alone", "SY"),
        ]
    }

    def position(actor, issue, stance, **dates):
        dates.setdefault("date_start", None)
        dates.setdefault("date_precision", DatePrecision.YEAR if dates["date_start"] else "")
        return cited_position(
            actor=actor, issue=issues[issue], stance=stance, sources=[source], **dates
        )

    positions = {
        "russia_agree": position(
            russia, "agree", "supports", date_start=D(2016, 1, 1), ongoing_as_of=ARTICLE_DATE
        ),
        "iran_agree_old": position(
            iran, "agree", "opposes", date_start=D(2014, 1, 1), date_end=D(2014, 1, 1)
        ),
        "iran_agree": position(
            iran, "agree", "supports", date_start=D(2015, 1, 1), ongoing_as_of=ARTICLE_DATE
        ),
        "russia_partly": position(russia, "partly", "supports", date_start=D(2015, 1, 1)),
        "iran_partly": position(
            iran, "partly", "mixed", date_start=D(2017, 5, 4), date_precision=DatePrecision.DAY
        ),
        "russia_diverge": position(russia, "diverge", "supports"),
        "iran_diverge": position(iran, "diverge", "opposes"),
        "russia_compete": position(russia, "compete", "supports", ongoing_as_of=ARTICLE_DATE),
        "irgc_compete": position(irgc, "compete", "supports", ongoing_as_of=ARTICLE_DATE),
        "russia_alone": position(russia, "alone", "opposes"),
    }
    relations = {
        "alliance": cited_relation(
            actor=iran,
            counterpart=russia,
            kind="alliance",
            domain="military",
            country="SY",
            date_start=D(2015, 1, 1),
            date_precision=DatePrecision.YEAR,
            ongoing_as_of=ARTICLE_DATE,
            sources=[source],
        ),
        "contracts": cited_relation(
            actor=irgc,
            counterpart=russia,
            kind="competition",
            domain="economic",
            issue=issues["compete"],
            country="SY",
            date_start=None,
            date_precision="",
            ongoing_as_of=ARTICLE_DATE,
            sources=[source],
        ),
    }
    events = {
        "together": cited_event(
            title="Together",
            country="SY",
            date_start=D(2016, 5, 10),
            date_precision=DatePrecision.DAY,
            actors=[(russia, "initiator"), (iran, "supporter")],
            sources=[source],
        ),
        "against": cited_event(
            title="Against",
            country="YE",
            date_start=D(2018, 3, 1),
            date_precision=DatePrecision.MONTH,
            actors=[(russia, "initiator"), (iran, "target")],
            sources=[source],
        ),
    }
    return {
        "actors": {a.slug: a for a in (russia, iran, irgc)},
        "issues": issues,
        "positions": positions,
        "relations": relations,
        "events": events,
    }
