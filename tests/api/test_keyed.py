"""Queries by a list of keys, compiled once (common.api.keyed)."""

import datetime
from types import SimpleNamespace

import pytest
from django.db import connections
from django.utils import timezone
from rest_framework import serializers

from common.api.keyed import api_datetime_from_text, keyed_query
from events.models import Event, EventActor

from .factories import many_events

pytestmark = pytest.mark.django_db

connection = connections["default"]
PATHS = ["pk", "title", "date_start", "latitude", "created"]


def as_api(row):
    """An ORM row with its datetime (the last column) as DRF writes it."""
    return (*row[:-1], serializers.DateTimeField().to_representation(row[-1]))


def test_rows_equal_the_orms_with_its_conversions(db):
    events = many_events(30, participants=2, citations=1)
    keys = [event.pk for event in events[::3]]
    rows = keyed_query(connection, Event, "pk", PATHS, ["pk"]).rows(connection, keys)
    expected = Event.objects.filter(pk__in=keys).order_by("pk").values_list(*PATHS)
    assert [tuple(row) for row in rows] == [as_api(row) for row in expected]


# Whole seconds (no fraction at all), trailing zeros (PostgreSQL's text leaves them out),
# every digit, and a year before 1000 (zero-padded).
INSTANTS = [
    datetime.datetime(2016, 3, 15, 10, 0, 0, tzinfo=datetime.UTC),
    datetime.datetime(2016, 3, 15, 10, 0, 0, 120000, tzinfo=datetime.UTC),
    datetime.datetime(2016, 3, 15, 10, 0, 0, 5, tzinfo=datetime.UTC),
    datetime.datetime(2026, 12, 31, 23, 59, 59, 999999, tzinfo=datetime.UTC),
    datetime.datetime(999, 1, 2, 3, 4, 5, 600000, tzinfo=datetime.UTC),
]


@pytest.mark.parametrize("zone", ["UTC", "Asia/Tehran", "America/New_York"])
def test_datetimes_are_the_apis_text_in_the_current_time_zone(db, zone):
    events = many_events(len(INSTANTS), participants=1, citations=1)
    for event, instant in zip(events, INSTANTS, strict=True):
        Event.objects.filter(pk=event.pk).update(created=instant)
    keys = [event.pk for event in events]
    with timezone.override(zone):
        rows = keyed_query(connection, Event, "pk", ["pk", "created"], ["pk"]).rows(
            connection, keys
        )
        expected = [serializers.DateTimeField().to_representation(instant) for instant in INSTANTS]
    assert [row[1] for row in rows] == expected
    if zone == "UTC":
        assert expected[:2] == ["2016-03-15T10:00:00Z", "2016-03-15T10:00:00.120000Z"]


@pytest.mark.parametrize(
    ("vendor", "text", "api"),
    [
        ("postgresql", "2016-03-15 10:00:00.12+00", "2016-03-15T10:00:00.120000Z"),
        ("postgresql", "2016-03-15 10:00:00+00", "2016-03-15T10:00:00Z"),
        # Another session time zone than Django's UTC: read through a datetime.
        ("postgresql", "2016-03-15 13:30:00.5+03:30", "2016-03-15T10:00:00.500000Z"),
        ("postgresql", "2016-03-15 05:00:00-05", "2016-03-15T10:00:00Z"),
        ("sqlite", "2016-03-15 10:00:00.123456", "2016-03-15T10:00:00.123456Z"),
        ("sqlite", "2016-03-15 10:00:00", "2016-03-15T10:00:00Z"),
        ("sqlite", "2016-03-15T10:00:00.5", "2016-03-15T10:00:00.500000Z"),
    ],
)
def test_the_databases_text_of_a_datetime_becomes_the_apis(vendor, text, api):
    assert api_datetime_from_text(SimpleNamespace(vendor=vendor), text) == api


def test_one_compiled_query_serves_any_number_of_keys(db, django_assert_num_queries):
    events = many_events(3000, participants=1, citations=1)
    query = keyed_query(connection, Event, "pk", ["pk"])
    assert keyed_query(connection, Event, "pk", ["pk"]) is query
    with django_assert_num_queries(3):
        assert query.rows(connection, []) == []
        assert len(query.rows(connection, [events[0].pk])) == 1
        # Past SQLite's limit of host parameters, were each key one.
        assert len(query.rows(connection, [event.pk for event in events])) == 3000


def test_rows_follow_the_ordering_across_a_join(db):
    events = many_events(2, participants=3, citations=1)
    keys = [event.pk for event in events]
    ordering = EventActor._meta.ordering
    paths = ["event_id", "actor__slug", "role"]
    rows = keyed_query(connection, EventActor, "event_id", paths, ordering).rows(connection, keys)
    expected = EventActor.objects.filter(event__in=keys).order_by(*ordering).values_list(*paths)
    assert [tuple(row) for row in rows] == list(expected)
