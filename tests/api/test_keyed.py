"""Queries by a list of keys, compiled once (common.api.keyed)."""

import pytest
from django.db import connections

from common.api.keyed import keyed_query
from events.models import Event, EventActor

from .factories import many_events

pytestmark = pytest.mark.django_db

connection = connections["default"]
PATHS = ["pk", "title", "date_start", "latitude", "created"]


def test_rows_equal_the_orms_with_its_conversions(db):
    events = many_events(30, participants=2, citations=1)
    keys = [event.pk for event in events[::3]]
    rows = keyed_query(connection, Event, "pk", PATHS, ["pk"]).rows(connection, keys)
    expected = Event.objects.filter(pk__in=keys).order_by("pk").values_list(*PATHS)
    assert [tuple(row) for row in rows] == list(expected)


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
