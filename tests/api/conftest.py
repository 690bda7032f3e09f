import datetime

import pytest

from events.choices import DatePrecision, Role
from tests.factories import (
    ActorAliasFactory,
    ActorFactory,
    IssueFactory,
    SourceFactory,
    cited_event,
    cited_position,
    cited_relation,
)


@pytest.fixture
def world(db):
    """A small dataset: Iran -> IRGC -> Quds Force, Russia, the Houthis, events and positions."""
    iran = ActorFactory(slug="iran", name="Iran", short_name="IR", country="IR")
    irgc = ActorFactory(
        slug="irgc", name="Islamic Revolutionary Guard Corps", country="IR", parent=iran
    )
    quds = ActorFactory(
        slug="quds-force", name="Quds Force", country="IR", parent=irgc, kind="paramilitary"
    )
    russia = ActorFactory(slug="russia", name="Russia", short_name="RF", country="RU")
    houthis = ActorFactory(slug="houthis", name="Houthis", country="YE", kind="armed_group")
    ActorAliasFactory(actor=houthis, alias="Ansar Allah")
    lse = SourceFactory(title="Allies or competitive partners?", publisher="LSE", author="Ramani")
    un = SourceFactory(
        title="Security Council report", publisher="United Nations", source_type="un_document"
    )
    syria_issue = IssueFactory(slug="security-sector-reform", name="Security-sector reform")
    yemen_issue = IssueFactory(slug="hadi-legitimacy", name="Hadi's legitimacy", country="YE")
    day = DatePrecision.DAY
    events = {
        "latakia": cited_event(
            title="Russian airstrikes begin",
            summary="Russia starts an air campaign.",
            country="SY",
            event_type="airstrike",
            date_start=datetime.date(2015, 9, 30),
            date_precision=day,
            location_name="Latakia",
            latitude=35.52,
            longitude=35.78,
            geo_precision="city",
            actors=[(russia, Role.INITIATOR)],
            sources=[lse],
        ),
        "aleppo": cited_event(
            title="Aleppo offensive",
            summary="Quds Force advisers support the offensive.",
            country="SY",
            event_type="offensive",
            date_start=datetime.date(2016, 11, 15),
            date_end=datetime.date(2016, 12, 22),
            date_precision=day,
            actors=[(quds, Role.SUPPORTER), (russia, Role.INITIATOR)],
            sources=[lse, un],
        ),
        "sanaa": cited_event(
            title="Houthi delegation in Tehran",
            summary="A Houthi delegation visits Tehran.",
            country="YE",
            event_type="diplomatic_visit",
            date_start=datetime.date(2019, 8, 1),
            date_precision=DatePrecision.MONTH,
            location_name="Tehran",
            actors=[(houthis, Role.INITIATOR), (iran, Role.HOST)],
            sources=[un],
        ),
    }
    positions = {
        "irgc_ssr": cited_position(
            actor=irgc,
            issue=syria_issue,
            stance="opposes",
            summary="The IRGC resists security-sector reform.",
            date_start=datetime.date(2018, 1, 1),
            date_end=datetime.date(2019, 12, 31),
            date_precision=day,
            sources=[lse],
        ),
        "russia_ssr": cited_position(
            actor=russia,
            issue=syria_issue,
            stance="supports",
            summary="Russia pushes reform of the Syrian army.",
            date_start=datetime.date(2017, 6, 1),
            date_precision=DatePrecision.MONTH,
            sources=[lse],
        ),
        "iran_hadi": cited_position(
            actor=iran,
            issue=yemen_issue,
            stance="opposes",
            summary="Iran rejects the Hadi government.",
            date_start=None,
            date_precision="",
            sources=[un],
        ),
    }
    relations = {
        "partnership": cited_relation(
            actor=iran,
            counterpart=russia,
            kind="alliance",
            domain="military",
            country="SY",
            summary="Russia and Iran remain military partners in Syria.",
            date_start=datetime.date(2015, 1, 1),
            date_precision=DatePrecision.YEAR,
            ongoing_as_of=datetime.date(2021, 7, 3),
            sources=[lse],
        ),
        "contracts": cited_relation(
            actor=irgc,
            counterpart=russia,
            kind="competition",
            domain="economic",
            issue=syria_issue,
            country="SY",
            summary="They compete for reconstruction contracts.",
            date_start=None,
            date_precision="",
            ongoing_as_of=datetime.date(2021, 7, 3),
            sources=[lse],
        ),
        "houthis": cited_relation(
            actor=iran,
            counterpart=houthis,
            kind="support",
            domain="diplomatic",
            issue=yemen_issue,
            country="YE",
            summary="Iran legitimises Houthi control over Sana'a.",
            date_start=datetime.date(2019, 8, 1),
            date_end=datetime.date(2019, 12, 31),
            date_precision=DatePrecision.DAY,
            sources=[un],
        ),
    }
    return {
        "actors": {a.slug: a for a in (iran, irgc, quds, russia, houthis)},
        "sources": {"lse": lse, "un": un},
        "issues": {i.slug: i for i in (syria_issue, yemen_issue)},
        "events": events,
        "positions": positions,
        "relations": relations,
    }


def listed(response, key):
    """The sorted ``key`` values of a successful list response's rows."""
    assert response.status_code == 200, response.content
    return sorted(row[key] for row in response.json()["results"])
