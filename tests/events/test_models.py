"""The database itself refuses invalid sources, events, issues and positions."""

import datetime

import pytest
from django.db import DataError, IntegrityError, connection, transaction
from django.db.models import ProtectedError

from events.models import Event, EventActor, EventSource, Issue, Position, PositionSource, Source
from tests.factories import (
    ActorFactory,
    EventFactory,
    IssueFactory,
    PositionFactory,
    RelationFactory,
    SourceFactory,
    cited_event,
    cited_position,
)

pytestmark = pytest.mark.django_db


def assert_refused(create):
    # PostgreSQL reports an over-long value as a DataError, SQLite as a failed check.
    with pytest.raises((IntegrityError, DataError)), transaction.atomic():
        create()
        connection.check_constraints()


VALID_SOURCE = {"title": "A source", "source_type": "analysis", "language": "en"}


@pytest.mark.parametrize(
    "field,value",
    [("title", ""), ("source_type", "blog"), ("language", "EN"), ("language", "english")],
)
def test_database_refuses_invalid_source_field(field, value):
    assert_refused(lambda: Source.objects.create(**{**VALID_SOURCE, field: value}))


def test_valid_source_is_stored():
    assert Source.objects.create(**VALID_SOURCE).pk


def test_deleting_a_cited_source_is_refused():
    source = SourceFactory()
    cited_event(sources=[source])
    with pytest.raises(ProtectedError):
        source.delete()


def test_deleting_a_source_cited_by_a_position_is_refused():
    source = SourceFactory()
    cited_position(sources=[source])
    with pytest.raises(ProtectedError):
        source.delete()


VALID_ISSUE = {"slug": "yemen-legitimate-authority", "name": "Who governs Yemen", "country": "YE"}


@pytest.mark.parametrize("field,value", [("slug", "Bad slug"), ("name", ""), ("country", "Yemen")])
def test_database_refuses_invalid_issue_field(field, value):
    assert_refused(lambda: Issue.objects.create(**{**VALID_ISSUE, field: value}))


def test_database_refuses_duplicate_issue_slug():
    Issue.objects.create(**VALID_ISSUE)
    assert_refused(lambda: Issue.objects.create(**VALID_ISSUE))


def test_regional_issue_has_no_country():
    assert Issue.objects.create(**{**VALID_ISSUE, "country": ""}).pk


VALID_EVENT = {
    "title": "First Russian airstrikes",
    "summary": "Russia began airstrikes.",
    "event_type": "airstrike",
    "country": "SY",
    "date_start": datetime.date(2015, 9, 1),
    "date_precision": "month",
}


def test_valid_event_is_stored():
    assert Event.objects.create(**VALID_EVENT).pk


@pytest.mark.parametrize(
    "changes",
    [
        pytest.param({"title": ""}, id="blank-title"),
        pytest.param({"summary": ""}, id="blank-summary"),
        pytest.param({"event_type": "battle"}, id="bad-event-type"),
        pytest.param({"country": "Syria"}, id="bad-country"),
        pytest.param({"location_country": "sy"}, id="bad-location-country"),
        pytest.param({"date_precision": "week"}, id="bad-date-precision"),
        pytest.param({"date_end": datetime.date(2015, 8, 31)}, id="end-before-start"),
        pytest.param({"date_start": datetime.date(2015, 9, 30)}, id="month-not-first-day"),
        pytest.param(
            {"date_start": datetime.date(2015, 9, 1), "date_precision": "year"},
            id="year-not-first-january",
        ),
        pytest.param({"date_end": datetime.date(2015, 10, 15)}, id="month-end-not-first-day"),
        pytest.param(
            {
                "date_start": datetime.date(2015, 1, 1),
                "date_end": datetime.date(2016, 5, 5),
                "date_precision": "year",
            },
            id="year-end-not-first-january",
        ),
        pytest.param(
            {
                "date_start": datetime.date(2015, 1, 1),
                "date_end": datetime.date(2016, 5, 1),
                "date_precision": "year",
            },
            id="year-end-on-a-month",
        ),
        pytest.param(
            {"latitude": 91.0, "longitude": 36.0, "geo_precision": "city"}, id="latitude-range"
        ),
        pytest.param(
            {"latitude": 33.0, "longitude": -181.0, "geo_precision": "city"},
            id="longitude-range",
        ),
        pytest.param({"latitude": 33.5, "geo_precision": "city"}, id="latitude-without-longitude"),
        pytest.param({"latitude": 33.5, "longitude": 36.3}, id="coordinates-without-precision"),
        pytest.param({"geo_precision": "street"}, id="bad-geo-precision"),
        pytest.param({"fatalities": -1}, id="negative-fatalities"),
    ],
)
def test_database_refuses_invalid_event(changes):
    assert_refused(lambda: Event.objects.create(**{**VALID_EVENT, **changes}))


def test_event_end_on_start_day_is_allowed():
    event = Event.objects.create(
        **{**VALID_EVENT, "date_precision": "day", "date_end": VALID_EVENT["date_start"]}
    )
    assert event.date_end == event.date_start


@pytest.mark.parametrize(
    "start,end,precision",
    [
        (datetime.date(2015, 9, 1), datetime.date(2015, 10, 1), "month"),
        (datetime.date(2015, 1, 1), datetime.date(2016, 1, 1), "year"),
        (datetime.date(2015, 9, 1), datetime.date(2015, 10, 15), "day"),
    ],
)
def test_event_end_stored_at_its_precision_is_allowed(start, end, precision):
    # The precision is the row's, for its end as for its start: a month ends on its 1st day
    # as stored, a year on 1 January; a day-precision end is any day.
    event = Event.objects.create(
        **{**VALID_EVENT, "date_start": start, "date_end": end, "date_precision": precision}
    )
    assert (event.date_end, event.date_precision) == (end, precision)


def test_changing_the_precision_of_a_row_with_an_exact_end_is_refused():
    event = Event.objects.create(
        **{**VALID_EVENT, "date_precision": "day", "date_end": datetime.date(2015, 10, 15)}
    )
    event.date_precision = "month"
    assert_refused(event.save)


def test_event_with_coordinates_is_stored():
    event = Event.objects.create(
        **VALID_EVENT, latitude=36.2, longitude=37.16, geo_precision="city", fatalities=0
    )
    assert event.fatalities == 0


@pytest.mark.parametrize("role", ["commander", ""])
def test_database_refuses_invalid_role(role):
    event, actor = EventFactory(), ActorFactory()
    assert_refused(lambda: EventActor.objects.create(event=event, actor=actor, role=role))


def test_database_refuses_duplicate_participant():
    event, actor = EventFactory(), ActorFactory()
    EventActor.objects.create(event=event, actor=actor, role="initiator")
    assert_refused(lambda: EventActor.objects.create(event=event, actor=actor, role="initiator"))


def test_same_actor_may_have_two_roles():
    event, actor = EventFactory(), ActorFactory()
    EventActor.objects.create(event=event, actor=actor, role="initiator")
    EventActor.objects.create(event=event, actor=actor, role="supporter")
    assert event.participants.count() == 2


def test_database_refuses_participant_of_missing_actor():
    event = EventFactory()
    assert_refused(lambda: EventActor.objects.create(event=event, actor_id=987654, role="target"))


def test_database_refuses_citation_without_quote():
    event, source = EventFactory(), SourceFactory()
    assert_refused(lambda: EventSource.objects.create(event=event, source=source, quote=""))


def test_database_refuses_duplicate_event_citation():
    event, source = EventFactory(), SourceFactory()
    EventSource.objects.create(event=event, source=source, quote="A passage.")
    assert_refused(lambda: EventSource.objects.create(event=event, source=source, quote="Again."))


def test_database_refuses_citation_of_missing_source():
    event = EventFactory()
    assert_refused(lambda: EventSource.objects.create(event=event, source_id=987654, quote="x"))


def test_deleting_an_event_deletes_its_participants_and_citations():
    event = cited_event(actors=[(ActorFactory(), "initiator")])
    event.delete()
    assert not EventActor.objects.exists()
    assert not EventSource.objects.exists()
    assert Source.objects.count() == 1


@pytest.mark.parametrize(
    "changes",
    [
        pytest.param({"stance": "likes"}, id="bad-stance"),
        pytest.param({"summary": ""}, id="blank-summary"),
        pytest.param({"date_precision": ""}, id="dated-without-precision"),
        pytest.param({"date_start": None}, id="undated-with-precision"),
        pytest.param(
            {"date_start": None, "date_precision": "", "date_end": datetime.date(2020, 1, 1)},
            id="undated-with-end",
        ),
        pytest.param({"date_end": datetime.date(2015, 2, 1)}, id="end-before-start"),
        pytest.param({"date_start": datetime.date(2015, 3, 26)}, id="month-not-first-day"),
        pytest.param({"date_end": datetime.date(2015, 4, 14)}, id="month-end-not-first-day"),
        pytest.param(
            {
                "date_start": datetime.date(2015, 1, 1),
                "date_end": datetime.date(2021, 7, 3),
                "date_precision": "year",
            },
            id="year-end-not-first-january",
        ),
        pytest.param({"date_precision": "decade"}, id="bad-date-precision"),
    ],
)
def test_database_refuses_invalid_position(changes):
    actor, issue = ActorFactory(), IssueFactory()
    fields = {
        "actor": actor,
        "issue": issue,
        "stance": "opposes",
        "summary": "Opposes the intervention.",
        "date_start": datetime.date(2015, 3, 1),
        "date_precision": "month",
    }
    assert_refused(lambda: Position.objects.create(**{**fields, **changes}))


def test_undated_position_is_stored():
    position = PositionFactory(date_start=None, date_precision="")
    assert position.date_start is None


def test_deleting_an_issue_with_positions_is_refused():
    position = cited_position()
    with pytest.raises(ProtectedError):
        position.issue.delete()


def test_database_refuses_position_citation_without_quote():
    position, source = PositionFactory(), SourceFactory()
    assert_refused(
        lambda: PositionSource.objects.create(position=position, source=source, quote="")
    )


def test_database_refuses_duplicate_position_citation():
    position, source = PositionFactory(), SourceFactory()
    PositionSource.objects.create(position=position, source=source, quote="A passage.")
    assert_refused(
        lambda: PositionSource.objects.create(position=position, source=source, quote="Again.")
    )


@pytest.mark.parametrize("url", ["ftp://example.org/a", "javascript:alert(1)", "example.org"])
def test_database_refuses_source_url_that_is_not_a_web_address(url):
    assert_refused(lambda: Source.objects.create(**VALID_SOURCE, url=url))


# -- periods still going on, and relations ---------------------------------------------


def test_ongoing_event_with_an_end_is_refused():
    event = cited_event(date_start=datetime.date(2015, 1, 1), date_precision="year")
    event.ongoing_as_of = datetime.date(2021, 7, 3)
    event.date_end = datetime.date(2020, 1, 1)
    assert_refused(event.save)


def test_ongoing_as_of_before_the_start_is_refused():
    event = cited_event(date_start=datetime.date(2015, 1, 1), date_precision="year")
    event.ongoing_as_of = datetime.date(2014, 12, 31)
    assert_refused(event.save)


def test_event_without_start_or_ongoing_as_of_is_refused():
    assert_refused(lambda: EventFactory(date_start=None, date_precision=""))


def test_event_observed_going_on_without_a_start_is_stored():
    event = EventFactory(
        date_start=None, date_precision="", ongoing_as_of=datetime.date(2021, 7, 3)
    )
    assert event.pk


@pytest.mark.parametrize(
    "end,precision",
    [(datetime.date(2016, 2, 29), "month"), (datetime.date(2021, 7, 3), "year")],
)
def test_relation_end_finer_than_its_precision_is_refused(end, precision):
    assert_refused(
        lambda: RelationFactory(
            date_start=datetime.date(2015, 1, 1), date_end=end, date_precision=precision
        )
    )


def test_relation_with_itself_is_refused():
    actor = ActorFactory()
    assert_refused(lambda: RelationFactory(actor=actor, counterpart=actor))


def test_symmetric_relation_is_stored_once_in_either_order():
    relation = RelationFactory(kind="competition")
    assert_refused(
        lambda: RelationFactory(
            actor=relation.counterpart, counterpart=relation.actor, kind="competition"
        )
    )


def test_directed_support_may_run_both_ways():
    relation = RelationFactory(kind="support")
    assert RelationFactory(actor=relation.counterpart, counterpart=relation.actor, kind="support")


def test_same_pair_in_another_domain_is_a_second_relation():
    relation = RelationFactory(kind="cooperation", domain="military")
    assert RelationFactory(
        actor=relation.counterpart, counterpart=relation.actor, kind="cooperation", domain="media"
    )


@pytest.mark.parametrize(
    "field,value", [("kind", "friendship"), ("domain", "cultural"), ("country", "Syria")]
)
def test_database_refuses_invalid_relation_field(field, value):
    assert_refused(lambda: RelationFactory(**{field: value}))


def test_deleting_an_actor_in_a_relation_is_refused():
    relation = RelationFactory()
    with pytest.raises(ProtectedError):
        relation.counterpart.delete()
