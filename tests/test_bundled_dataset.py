"""The curated dataset that ships in dataset/ loads, and holds what the founding article says."""

import datetime
import re
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command
from django.db.models import Count, F, Q

from actors.models import Actor, ActorAlias
from changes.models import Deletion
from common.periods import date_overlap, period_end
from datapackage.load import delete_all
from events.models import (
    Event,
    EventSource,
    Issue,
    Position,
    PositionSource,
    Relation,
    RelationSource,
    Source,
)

ARTICLE = Path(settings.BASE_DIR).parent / "shared" / "seeds" / "000_6ad1291081614a97.txt"
ARTICLE_URL = (
    "https://blogs.lse.ac.uk/mec/2021/07/03/"
    "russia-and-iran-in-syria-military-allies-or-competitive-partners/"
)
ARTICLE_DATE = datetime.date(2021, 7, 3)


@pytest.fixture(scope="module")
def bundled_rows(django_db_setup, django_db_blocker):
    """The bundled dataset, loaded once for the module (each test runs in a transaction
    that is rolled back), and removed after it."""
    with django_db_blocker.unblock():
        call_command("load_datapackage", str(settings.BUNDLED_DATAPACKAGE), verbosity=0)
    yield
    with django_db_blocker.unblock():
        delete_all()
        Deletion.objects.all().delete()


@pytest.fixture
def bundled(bundled_rows, db):
    pass


def article_source():
    return Source.objects.get(url=ARTICLE_URL)


def ancestor_slugs(slug):
    actor = Actor.objects.get(slug=slug)
    slugs = []
    while actor.parent_id is not None:
        actor = actor.parent
        slugs.append(actor.slug)
    return slugs


def roles(event_id):
    return dict(Event.objects.get(pk=event_id).participants.values_list("actor__slug", "role"))


def relations_between(a, b, **filters):
    pair = Q(actor__slug=a, counterpart__slug=b) | Q(actor__slug=b, counterpart__slug=a)
    return Relation.objects.filter(pair, **filters)


def test_bundled_dataset_loads_every_resource(bundled):
    assert Actor.objects.count() >= 30
    assert ActorAlias.objects.exists()
    assert Issue.objects.exists()
    assert Position.objects.exists()
    assert Relation.objects.exists()
    assert RelationSource.objects.exists()


def test_at_least_25_events_across_syria_and_yemen(bundled):
    assert Event.objects.count() >= 25
    assert Event.objects.filter(country="SY").exists()
    assert Event.objects.filter(country="YE").exists()


def test_every_event_cites_a_source(bundled):
    assert not Event.objects.filter(citations__isnull=True).exists()


def test_every_position_cites_a_source(bundled):
    assert not Position.objects.filter(citations__isnull=True).exists()


def test_every_relation_cites_a_source(bundled):
    assert not Relation.objects.filter(citations__isnull=True).exists()


def test_every_event_has_a_participant(bundled):
    assert not Event.objects.filter(participants__isnull=True).exists()


def test_every_event_and_position_cites_the_founding_article(bundled):
    article = article_source()
    assert not Event.objects.exclude(citations__source=article).exists()
    assert not Position.objects.exclude(citations__source=article).exists()
    assert not Relation.objects.exclude(citations__source=article).exists()


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


def article_quotes():
    article = article_source()
    quotes = list(EventSource.objects.filter(source=article).values_list("quote", flat=True))
    quotes += PositionSource.objects.filter(source=article).values_list("quote", flat=True)
    quotes += RelationSource.objects.filter(source=article).values_list("quote", flat=True)
    return quotes


# A quote may join passages of the article with " […] ": each is verbatim, in the article's order.
ELISION = " […] "


def in_article(quote, text):
    position = 0
    for passage in quote.split(ELISION):
        found = text.find(passage, position)
        if not passage or found < 0:
            return False
        position = found + len(passage)
    return True


# Runs wherever the suite runs: the article lies in ../shared/seeds beside the checkout.
def test_article_quotes_are_verbatim(bundled):
    text = ARTICLE.read_text(encoding="utf-8")
    quotes = article_quotes()
    assert len(quotes) >= EventSource.objects.count()
    missing = [quote for quote in quotes if not in_article(quote, text)]
    assert not missing


def test_a_joined_quote_is_two_passages_in_the_articles_order():
    text = "First passage here. Second passage there."
    assert in_article("First passage here. […] Second passage there.", text)
    assert not in_article("Second passage there. […] First passage here.", text)
    assert not in_article("First passage here. […] Third passage.", text)


# Date expressions that name a period without writing out its years. "The first two years of
# the civil war" names only its end: the start, 2011, must be quoted too ("in the spring of 2011").
RELATIVE_DATES = {"1980–88": {1980, 1988}, "first two years of the civil war": {2013}}


def years_in(text):
    years = {int(year) for year in re.findall(r"\b(?:19|20)[0-9]{2}\b", text)}
    for expression, named in RELATIVE_DATES.items():
        if expression in text:
            years |= named
    return years


def date_phrase(value, precision):
    """How a quote writes a start date of this precision: '9 June 2010', 'June 2010'."""
    month_year = f"{value:%B} {value.year}"
    return {"day": f"{value.day} {month_year}", "month": month_year}.get(precision)


def publication_in_period(end, precision, published):
    """Does the period an end names at its row's precision (its day, month or year) hold
    the publication date of a cited source?"""
    last = period_end(end, precision)
    return any(date is not None and end <= date <= last for date in published)


@pytest.mark.parametrize("model", [Event, Position, Relation])
def test_quotes_carry_the_dates_of_their_row(bundled, model):
    """A date comes from the quoted words, never from a neighbouring sentence. The one
    exception is an end whose period, at the row's precision, holds a cited source's
    publication date: a source telling in the past tense what happened within a period says
    that by its own date it had happened."""
    undated = []
    rows = model.objects.filter(date_start__isnull=False).prefetch_related("citations__source")
    for row in rows:
        quotes = " ".join(citation.quote for citation in row.citations.all())
        published = {citation.source.published for citation in row.citations.all()}
        years = years_in(quotes)
        if row.date_start is not None and row.date_start.year not in years:
            undated.append((row.pk, row.date_start))
        if row.date_end is not None and not publication_in_period(
            row.date_end, row.date_precision, published
        ):
            if row.date_end.year not in years:
                undated.append((row.pk, row.date_end))
        phrase = date_phrase(row.date_start, row.date_precision)
        if phrase is not None and phrase not in quotes:
            undated.append((row.pk, phrase))
    assert not undated


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


# Periods that are still going on.

SINCE_2015_EVENTS = [13]
SINCE_MARCH_2015_EVENTS = [22, 23, 24]
# What the article tells in the simple past within the division of labour "since 2015": it had
# happened by the article's date, so the span ends in the article's year, 2021, stored at the
# row's precision (year) as 2021-01-01; it is not still going on.
WITHIN_SINCE_2015 = {
    Event: [14, 15, 16, 17, 18, 19, 20, 21],
    Position: [14],
    Relation: [22, 23],
}


@pytest.mark.parametrize("pk", SINCE_2015_EVENTS)
def test_since_2015_events_are_open_until_the_article_date(bundled, pk):
    event = Event.objects.get(pk=pk)
    assert (event.date_start, event.date_precision) == (datetime.date(2015, 1, 1), "year")
    assert (event.date_end, event.ongoing_as_of) == (None, ARTICLE_DATE)


@pytest.mark.parametrize(
    "model,pk", [(model, pk) for model, pks in WITHIN_SINCE_2015.items() for pk in pks]
)
def test_past_tense_rows_since_2015_end_in_the_article_year(bundled, model, pk):
    row = model.objects.get(pk=pk)
    assert (row.date_start, row.date_precision) == (datetime.date(2015, 1, 1), "year")
    assert (row.date_end, row.ongoing_as_of) == (datetime.date(ARTICLE_DATE.year, 1, 1), None)
    assert "not how long it lasted" in row.summary
    # Read at its precision, the end is the whole of 2021: the span holds the article's date
    # and nothing after its year.
    rows = model.objects.filter(pk=pk)
    assert rows.filter(date_overlap(after=ARTICLE_DATE, before=ARTICLE_DATE)).exists()
    assert rows.filter(date_overlap(after=datetime.date(2021, 12, 31))).exists()
    assert not rows.filter(date_overlap(after=datetime.date(2022, 1, 1))).exists()


@pytest.mark.parametrize("pk", SINCE_MARCH_2015_EVENTS)
def test_since_march_2015_events_are_open_until_the_article_date(bundled, pk):
    event = Event.objects.get(pk=pk)
    assert (event.date_start, event.date_precision) == (datetime.date(2015, 3, 1), "month")
    assert (event.date_end, event.ongoing_as_of) == (None, ARTICLE_DATE)


@pytest.mark.parametrize(
    "issue,start,precision",
    [
        ("russia-iran-strategic-collaboration-syria", datetime.date(2015, 1, 1), "year"),
        ("saudi-led-intervention-yemen", datetime.date(2015, 3, 1), "month"),
    ],
)
def test_since_2015_positions_are_open_until_the_article_date(bundled, issue, start, precision):
    positions = Position.objects.filter(
        issue__slug=issue, actor__slug__in=["russia", "iran"], date_start=start
    )
    assert positions.count() == 2
    for position in positions:
        assert position.date_precision == precision
        assert (position.date_end, position.ongoing_as_of) == (None, ARTICLE_DATE)


@pytest.mark.parametrize(
    "issue",
    [
        "yemen-legitimate-authority",
        "syrian-security-sector-reform",
        "syria-reconstruction-contracts",
        "unsc-2216-houthi-sanctions",
    ],
)
def test_present_tense_stances_hold_on_the_article_date(bundled, issue):
    positions = Position.objects.filter(issue__slug=issue, actor__slug__in=["russia", "iran"])
    assert positions.count() == 2
    assert {(p.date_start, p.ongoing_as_of) for p in positions} == {(None, ARTICLE_DATE)}


@pytest.mark.parametrize("model", [Event, Position, Relation])
def test_ongoing_rows_have_no_end_and_start_before_the_date(bundled, model):
    ongoing = model.objects.filter(ongoing_as_of__isnull=False)
    assert ongoing.exists()
    assert not ongoing.filter(date_end__isnull=False).exists()
    assert not ongoing.filter(date_start__gt=F("ongoing_as_of")).exists()


def test_undated_events_are_states_of_affairs_on_the_article_date(bundled):
    undated = Event.objects.filter(date_start__isnull=True)
    assert undated.exists()
    assert set(undated.values_list("ongoing_as_of", "date_precision", "date_end")) == {
        (ARTICLE_DATE, "", None)
    }


# The hierarchy: tree queries find persons and bodies under the state they act for.


@pytest.mark.parametrize(
    "slug,state",
    [
        ("mahmoud-ahmadinejad", "iran"),
        ("hassan-rouhani", "iran"),
        ("qassem-soleimani", "iran"),
        ("hassan-eyrlou", "iran"),
        ("vladimir-putin", "russia"),
        ("wagner-group", "russia"),
        ("rt", "russia"),
        ("rt-arabic", "russia"),
        ("russian-armed-forces", "russia"),
        ("bashar-al-assad", "syria"),
        ("syrian-army", "syria"),
        ("political-security-directorate", "syria"),
        ("syrian-military-intelligence", "syria"),
        ("syrian-air-force-intelligence", "syria"),
        ("abdrabbuh-mansur-hadi", "yemen"),
    ],
)
def test_actor_is_found_under_its_state(bundled, slug, state):
    assert state in ancestor_slugs(slug)


@pytest.mark.parametrize("slug", ["syrian-opposition", "syrian-rebel-forces", "syrian-protesters"])
def test_the_opposition_is_not_under_the_syrian_state(bundled, slug):
    assert "syria" not in ancestor_slugs(slug)


# Relations: where Russia and Iran act together, compete and diverge.


def test_reconstruction_contracts_are_a_competition_not_an_agreement(bundled):
    competition = Relation.objects.get(
        kind="competition", issue__slug="syria-reconstruction-contracts"
    )
    assert (competition.actor.slug, competition.counterpart.slug) == ("iran", "russia")
    assert (competition.domain, competition.country) == ("economic", "SY")
    assert competition.ongoing_as_of == ARTICLE_DATE


def test_reconstruction_contracts_are_the_only_russia_iran_competition(bundled):
    competitions = relations_between("russia", "iran", kind="competition")
    assert set(competitions.values_list("issue__slug", flat=True)) == {
        "syria-reconstruction-contracts"
    }


def test_russia_and_iran_are_military_allies_in_syria_on_the_article_date(bundled):
    alliance = relations_between("russia", "iran").get(kind="alliance")
    assert (alliance.domain, alliance.country, alliance.ongoing_as_of) == (
        "military",
        "SY",
        ARTICLE_DATE,
    )
    cooperation = relations_between("russia", "iran").get(
        kind="cooperation", domain="military", country="SY"
    )
    assert cooperation.date_start == datetime.date(2015, 1, 1)
    assert cooperation.ongoing_as_of == ARTICLE_DATE


@pytest.mark.parametrize(
    "issue,country",
    [("yemen-legitimate-authority", "YE"), ("syrian-security-sector-reform", "SY")],
)
def test_russia_and_iran_are_opposed_on(bundled, issue, country):
    opposition = relations_between("russia", "iran").get(kind="opposition", issue__slug=issue)
    assert (opposition.country, opposition.ongoing_as_of) == (country, ARTICLE_DATE)


def test_war_time_cooperation_in_yemen_since_march_2015(bundled):
    cooperation = relations_between("russia", "iran").get(kind="cooperation", country="YE")
    assert (cooperation.date_start, cooperation.date_precision) == (
        datetime.date(2015, 3, 1),
        "month",
    )
    assert cooperation.ongoing_as_of == ARTICLE_DATE


@pytest.mark.parametrize(
    "agency,patron",
    [
        ("political-security-directorate", "russia"),
        ("syrian-military-intelligence", "iran"),
        ("syrian-air-force-intelligence", "iran"),
    ],
)
def test_ties_to_the_security_agencies_already_exist(bundled, agency, patron):
    """The article's "could motivate Russia to strengthen its alignments" presupposes
    alignments that hold on its date; it dates no new ones."""
    tie = relations_between(agency, patron).get(issue__slug="syrian-security-sector-reform")
    assert tie.kind == "cooperation"
    assert (tie.date_start, tie.ongoing_as_of) == (None, ARTICLE_DATE)


def test_private_security_companies_pursue_disparate_agendas(bundled):
    assert relations_between(
        "russian-private-security-companies",
        "iranian-private-security-companies",
        kind="competition",
        issue__slug="syrian-security-sector-reform",
    ).exists()


@pytest.mark.parametrize(
    "actor,counterpart,domain",
    [
        ("russia", "syrian-government", "military"),
        ("russia", "syrian-government", "diplomatic"),
        ("irgc", "syrian-government", "military"),
        ("wagner-group", "syrian-army", "military"),
        ("iran", "houthis", "diplomatic"),
        ("russia", "abdrabbuh-mansur-hadi", "diplomatic"),
    ],
)
def test_support_is_directed_from_backer_to_backed(bundled, actor, counterpart, domain):
    assert Relation.objects.filter(
        kind="support", actor__slug=actor, counterpart__slug=counterpart, domain=domain
    ).exists()
    assert not Relation.objects.filter(
        kind="support", actor__slug=counterpart, counterpart__slug=actor
    ).exists()


@pytest.mark.parametrize("a,b", [("iran", "russia"), ("iran", "turkey"), ("russia", "turkey")])
def test_astana_co_guarantors_cooperate(bundled, a, b):
    assert Relation.objects.filter(
        actor__slug=a, counterpart__slug=b, kind="cooperation", issue__slug="astana-peace-process"
    ).exists()


def test_symmetric_relations_are_stored_once_with_the_smaller_slug_first(bundled):
    symmetric = Relation.objects.exclude(kind="support").select_related("actor", "counterpart")
    assert symmetric.exists()
    wrong_order = [r.pk for r in symmetric if not r.actor.slug < r.counterpart.slug]
    assert not wrong_order
    assert not Relation.objects.filter(actor=F("counterpart")).exists()


# Events the article states that 1.0.0 missed, and consistent roles.


@pytest.mark.parametrize("place", ["Tartous", "Hmeimim"])
def test_russian_bases_in_tartous_and_hmeimim(bundled, place):
    base = Event.objects.get(location_name=place)
    assert (base.event_type, base.country) == ("deployment", "SY")
    assert (base.date_start, base.ongoing_as_of) == (None, ARTICLE_DATE)
    assert roles(base.pk) == {"russia": "initiator"}


def test_irgc_presence_in_eastern_and_southern_syria(bundled):
    presence = Event.objects.get(location_name="eastern and southern Syria")
    assert presence.ongoing_as_of == ARTICLE_DATE
    assert {"irgc", "iran", "hezbollah"} <= set(roles(presence.pk))


def test_houthi_control_of_sanaa_and_iran_ambassador(bundled):
    control = Event.objects.get(location_name="Sana’a")
    assert (control.country, control.ongoing_as_of) == ("YE", ARTICLE_DATE)
    assert roles(control.pk) == {"houthis": "initiator", "iran": "supporter"}
    appointment = Event.objects.get(event_type="appointment")
    assert (appointment.country, appointment.ongoing_as_of) == ("YE", ARTICLE_DATE)
    assert roles(appointment.pk) == {"iran": "initiator", "hassan-eyrlou": "participant"}


def test_a_state_backing_an_operation_is_its_supporter(bundled):
    wagner = Event.objects.get(title__icontains="Wagner")
    assert roles(wagner.pk) == {
        "wagner-group": "initiator",
        "russia": "supporter",
        "syrian-army": "participant",
    }


def test_a_state_acting_through_its_own_forces_is_an_initiator(bundled):
    deployment = Event.objects.get(event_type="deployment", date_start=datetime.date(2013, 1, 1))
    assert roles(deployment.pk) == {"irgc": "initiator", "iran": "initiator"}


def test_russia_is_not_a_participant_in_the_geneva_talks(bundled):
    """The article says Russia supported Tehran's presence at the talks (event 9), not that
    Russia took part in them."""
    assert roles(8) == {"united-nations": "mediator"}
    assert roles(9) == {"russia": "initiator", "iran": "participant"}


def test_the_first_two_years_of_the_civil_war_quote_their_start(bundled):
    for model in (Position, Relation):
        rows = model.objects.filter(citations__quote__contains="first two years of the civil war")
        assert rows.exists()
        for row in rows:
            assert (row.date_start, row.date_end) == (
                datetime.date(2011, 1, 1),
                datetime.date(2013, 1, 1),
            )
            assert "in the spring of 2011" in " ".join(c.quote for c in row.citations.all())


def test_russia_backed_the_2010_sanctions_on_iran(bundled):
    sanctions = Event.objects.get(event_type="sanctions", country="IR")
    assert roles(sanctions.pk) == {
        "un-security-council": "initiator",
        "russia": "supporter",
        "iran": "target",
    }
