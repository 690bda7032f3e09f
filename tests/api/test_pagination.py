"""Pages cost the same whatever the table size: a capped count, offset pages, cursor pages."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from common.api.pagination import DatasetPagination
from events.models import Event

from .factories import many_events

pytestmark = pytest.mark.django_db

URL = "/api/v1/events/"


@pytest.fixture
def small_cap(monkeypatch):
    monkeypatch.setattr(DatasetPagination, "count_limit", 10)


def test_count_is_exact_up_to_the_limit(api_client, db, small_cap):
    many_events(10, participants=1, citations=1)
    assert api_client.get(URL).json()["count"] == 10


def test_count_is_null_past_the_limit_and_next_still_works(api_client, db, small_cap):
    many_events(11, participants=1, citations=1)
    body = api_client.get(URL, {"page_size": 5}).json()
    assert body["count"] is None
    assert body["next"].endswith("page=2&page_size=5") or "page=2" in body["next"]
    last = api_client.get(URL, {"page_size": 5, "page": 3}).json()
    assert len(last["results"]) == 1 and last["next"] is None


def test_last_page_needs_a_count(api_client, db, small_cap):
    many_events(11, participants=1, citations=1)
    response = api_client.get(URL, {"page": "last"})
    assert list(response.json()["errors"]) == ["page"]


def test_last_page_when_the_count_is_known(api_client, db):
    many_events(7, participants=1, citations=1)
    body = api_client.get(URL, {"page": "last", "page_size": 3}).json()
    assert len(body["results"]) == 1 and body["next"] is None


def test_cursor_pages_walk_every_row_once_in_id_order(api_client, db):
    events = many_events(23, participants=1, citations=1)
    seen, url, params = [], URL, {"cursor": "aWQ-MA", "page_size": 10}  # "id>0"
    while url:
        body = api_client.get(url, params).json()
        assert body["previous"] is None
        seen += [row["id"] for row in body["results"]]
        url, params = body["next"], {}
    assert seen == sorted(event.pk for event in events)


def test_the_first_next_link_can_be_a_cursor(api_client, db):
    many_events(3, participants=1, citations=1)
    first = api_client.get(URL, {"cursor": "aWQ-MA", "page_size": 2}).json()
    assert "cursor=" in first["next"]


@pytest.mark.parametrize(
    ("params", "name"),
    [
        ({"cursor": "nonsense"}, "cursor"),
        ({"cursor": "aWQ-MA", "page": "2"}, "page"),
        ({"cursor": "aWQ-MA", "ordering": "-date_start"}, "ordering"),
    ],
)
def test_bad_cursor_requests_name_the_parameter(api_client, db, params, name):
    response = api_client.get(URL, params)
    assert response.status_code == 400
    assert list(response.json()["errors"]) == [name]


def test_a_page_past_the_limit_runs_the_usual_queries(
    api_client, db, small_cap, django_assert_max_num_queries
):
    many_events(30, participants=0, citations=0)
    # data version, capped count, page keys, page, participants, citations
    with django_assert_max_num_queries(6):
        body = api_client.get(URL, {"page": 2, "page_size": 5}).json()
    assert body["count"] is None and len(body["results"]) == 5


def count_queries(queries):
    return [query["sql"] for query in queries if "COUNT(" in query["sql"].upper()]


def test_a_count_is_kept_for_its_data_version(api_client, db):
    many_events(12, participants=0, citations=0)
    with CaptureQueriesContext(connection) as first:
        assert api_client.get(URL, {"page_size": 5}).json()["count"] == 12
    with CaptureQueriesContext(connection) as next_page:
        assert api_client.get(URL, {"page_size": 5, "page": 2}).json()["count"] == 12
    assert len(count_queries(first)) == 1
    assert count_queries(next_page) == []


def test_a_change_to_the_data_counts_again(api_client, db):
    events = many_events(12, participants=0, citations=0)
    assert api_client.get(URL, {"page_size": 5}).json()["count"] == 12
    Event.objects.filter(pk=events[0].pk).delete()  # logged: a new data version
    assert api_client.get(URL, {"page_size": 5}).json()["count"] == 11
    many_events(2, participants=0, citations=0)
    assert api_client.get(URL, {"page_size": 5}).json()["count"] == 13


def test_each_filter_has_its_own_count(api_client, db):
    many_events(12, participants=0, citations=0)
    assert api_client.get(URL, {"page_size": 5}).json()["count"] == 12
    assert api_client.get(URL, {"page_size": 5, "q": "Event 1"}).json()["count"] == 3


def test_pages_keep_the_order_of_their_keys(api_client, db):
    many_events(12, participants=0, citations=0)
    body = api_client.get(URL, {"page_size": 5, "ordering": "-date_start"}).json()
    dates = [row["date_start"] for row in body["results"]]
    assert dates == sorted(dates, reverse=True) and len(dates) == 5
