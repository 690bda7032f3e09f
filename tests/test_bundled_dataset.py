"""The curated dataset that ships in dataset/ loads, and holds what the founding article says."""

from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command
from django.db.models import Count

from actors.models import Actor, ActorAlias
from events.models import Event, EventSource, Issue, Position, PositionSource, Source

ARTICLE = Path(settings.BASE_DIR).parent / "shared" / "seeds" / "000_6ad1291081614a97.txt"
ARTICLE_URL = (
    "https://blogs.lse.ac.uk/mec/2021/07/03/"
    "russia-and-iran-in-syria-military-allies-or-competitive-partners/"
)


@pytest.fixture
def bundled(db):
    call_command("load_datapackage", str(settings.BUNDLED_DATAPACKAGE), verbosity=0)


def article_source():
    return Source.objects.get(url=ARTICLE_URL)


def test_bundled_dataset_loads_every_resource(bundled):
    assert Actor.objects.count() >= 30
    assert ActorAlias.objects.exists()
    assert Issue.objects.exists()
    assert Position.objects.exists()


def test_at_least_25_events_across_syria_and_yemen(bundled):
    assert Event.objects.count() >= 25
    assert Event.objects.filter(country="SY").exists()
    assert Event.objects.filter(country="YE").exists()


def test_every_event_cites_a_source(bundled):
    assert not Event.objects.filter(citations__isnull=True).exists()


def test_every_position_cites_a_source(bundled):
    assert not Position.objects.filter(citations__isnull=True).exists()


def test_every_event_has_a_participant(bundled):
    assert not Event.objects.filter(participants__isnull=True).exists()


def test_every_event_and_position_cites_the_founding_article(bundled):
    article = article_source()
    assert not Event.objects.exclude(citations__source=article).exists()
    assert not Position.objects.exclude(citations__source=article).exists()


def test_no_orphan_rows(bundled):
    uncited = Source.objects.annotate(
        uses=Count("event_citations") + Count("position_citations")
    ).filter(uses=0)
    assert not uncited.exists()
    assert not Issue.objects.filter(positions__isnull=True).exists()
    for actor in Actor.objects.select_related("parent"):
        seen = set()
        ancestor = actor.parent
        while ancestor is not None:
            assert ancestor.pk not in seen, f"parent cycle at {actor.slug}"
            seen.add(ancestor.pk)
            ancestor = ancestor.parent


@pytest.mark.skipif(not ARTICLE.exists(), reason="the founding article lies in ../shared/seeds")
def test_article_quotes_are_verbatim(bundled):
    text = ARTICLE.read_text(encoding="utf-8")
    article = article_source()
    quotes = list(EventSource.objects.filter(source=article).values_list("quote", flat=True))
    quotes += PositionSource.objects.filter(source=article).values_list("quote", flat=True)
    missing = [quote for quote in quotes if quote not in text]
    assert not missing


def test_dates_are_only_as_precise_as_the_article(bundled):
    airstrikes = Event.objects.get(title__icontains="first airstrikes")
    assert (airstrikes.date_start.isoformat(), airstrikes.date_precision) == ("2015-09-01", "month")
    visit = Event.objects.get(event_type="diplomatic_visit", location_name="Moscow")
    assert (visit.date_start.isoformat(), visit.date_precision) == ("2015-07-01", "month")


def test_the_2010_security_council_vote_is_a_context_event(bundled):
    vote = Event.objects.get(event_type="un_vote", participants__actor__slug="russia")
    assert vote.date_start.year == 2010 and vote.date_start.month == 6
    assert vote.country == "IR"


def test_actor_hierarchy_quds_force_irgc_iran(bundled):
    quds = Actor.objects.select_related("parent__parent").get(slug="quds-force")
    assert quds.parent.slug == "irgc"
    assert quds.parent.parent.slug == "iran"
    assert Actor.objects.get(slug="qassem-soleimani").parent == quds


def test_houthis_are_found_by_alias(bundled):
    assert ActorAlias.objects.filter(actor__slug="houthis", alias="Ansar Allah").exists()


@pytest.mark.parametrize(
    "issue,russia,iran",
    [
        ("yemen-legitimate-authority", "supports", "opposes"),
        ("syrian-security-sector-reform", "supports", "mixed"),
        ("saudi-led-intervention-yemen", "opposes", "opposes"),
        ("unsc-2216-houthi-sanctions", "opposes", "opposes"),
        ("caesar-act-sanctions", "opposes", "opposes"),
        ("syria-arab-league-return", "supports", "supports"),
    ],
)
def test_russian_and_iranian_positions(bundled, issue, russia, iran):
    stances = dict(
        Position.objects.filter(issue__slug=issue, actor__slug__in=["russia", "iran"]).values_list(
            "actor__slug", "stance"
        )
    )
    assert stances == {"russia": russia, "iran": iran}
