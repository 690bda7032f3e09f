"""JSON answers kept per data version (common/api/response_cache.py)."""

import pickle

import pytest
from django.core.cache import caches

from events.models import Event, EventActor

pytestmark = pytest.mark.django_db

EVENTS = "/api/v1/events/"


def titles(response):
    return sorted(row["title"] for row in response.json()["results"])


def test_a_list_asked_again_is_answered_from_the_cache(
    api_client, world, django_assert_max_num_queries
):
    first = api_client.get(EVENTS, {"country": "SY"})
    with django_assert_max_num_queries(1):  # only the data version is read
        again = api_client.get(EVENTS, {"country": "SY"})
    assert again.status_code == 200
    assert again.content == first.content
    for header in ("Content-Type", "ETag", "Vary", "Dataset-Version"):
        assert again[header] == first[header]


@pytest.mark.parametrize("page_size", [1, 3])
def test_a_kept_answer_costs_one_query_whatever_the_page_size(
    api_client, world, page_size, django_assert_num_queries
):
    api_client.get(EVENTS, {"page_size": page_size})
    with django_assert_num_queries(1):
        assert api_client.get(EVENTS, {"page_size": page_size}).status_code == 200


def test_an_edit_by_any_path_is_seen_at_once(api_client, world):
    assert "Aleppo offensive" in titles(api_client.get(EVENTS))
    # A queryset update: no save(), no signal; the data version still changes.
    Event.objects.filter(pk=world["events"]["aleppo"].pk).update(title="Battle of Aleppo")
    assert "Battle of Aleppo" in titles(api_client.get(EVENTS))


def test_a_deletion_is_seen_at_once(api_client, user_with, world):
    event = world["events"]["aleppo"]
    assert api_client.get(EVENTS).json()["count"] == 3
    assert user_with("delete_event").delete(f"{EVENTS}{event.pk}/").status_code == 204
    assert api_client.get(EVENTS).json()["count"] == 2


def test_a_removed_participant_is_seen_at_once(api_client, world):
    event = world["events"]["aleppo"]
    path = f"{EVENTS}?q=Aleppo"
    assert len(api_client.get(path).json()["results"][0]["participants"]) == 2
    EventActor.objects.filter(event=event, actor__slug="russia").delete()
    assert len(api_client.get(path).json()["results"][0]["participants"]) == 1


def test_each_host_gets_its_own_links(api_client, world, settings):
    settings.ALLOWED_HOSTS = ["testserver", "mirror.example.org"]
    here = api_client.get(EVENTS, HTTP_HOST="testserver").json()
    there = api_client.get(EVENTS, HTTP_HOST="mirror.example.org").json()
    assert here["results"][0]["url"].startswith("http://testserver/")
    assert there["results"][0]["url"].startswith("http://mirror.example.org/")


def test_each_media_type_gets_its_own_entry(api_client, world):
    plain = api_client.get(EVENTS, HTTP_ACCEPT="application/json")
    indented = api_client.get(EVENTS, HTTP_ACCEPT="application/json; indent=2")
    assert plain.json() == indented.json()
    assert plain.content != indented.content
    assert b"\n  " in indented.content


@pytest.mark.parametrize(
    "params",
    [{"format": "csv"}, {"format": "geojson"}, {"format": "api"}],
    ids=["csv", "geojson", "browsable"],
)
def test_streamed_and_html_answers_are_not_kept(api_client, world, params):
    assert api_client.get(EVENTS, params).status_code == 200
    assert not caches["responses"]._cache


def test_a_refusal_is_not_kept(api_client, world):
    assert api_client.get(EVENTS, {"date_after": "yesterday"}).status_code == 400
    assert not caches["responses"]._cache


def test_a_detail_is_answered_fresh(api_client, world):
    path = f"{EVENTS}{world['events']['aleppo'].pk}/"
    api_client.get(path)
    assert not caches["responses"]._cache


def test_nothing_is_kept_with_the_cache_off(api_client, world, settings):
    settings.RESPONSE_CACHE_SECONDS = 0
    assert api_client.get(EVENTS).status_code == 200
    assert not caches["responses"]._cache


def test_a_body_over_the_limit_is_kept_compressed(
    api_client, world, settings, django_assert_max_num_queries
):
    first = api_client.get(EVENTS, {"page_size": 3})
    caches["responses"].clear()
    settings.RESPONSE_CACHE_MAX_BYTES = len(first.content) - 1
    assert api_client.get(EVENTS, {"page_size": 3}).content == first.content
    # LocMemCache keeps each value pickled.
    [(content, _headers, compressed)] = map(pickle.loads, caches["responses"]._cache.values())
    assert compressed and len(content) < len(first.content) // 2
    with django_assert_max_num_queries(1):
        again = api_client.get(EVENTS, {"page_size": 3})
    assert again.content == first.content
    assert again["ETag"] == first["ETag"]


def test_a_body_over_the_limit_even_compressed_is_not_kept(api_client, world, settings):
    settings.RESPONSE_CACHE_MAX_BYTES = 100  # less than any page, compressed or not
    assert api_client.get(EVENTS, {"page_size": 1}).status_code == 200
    assert not caches["responses"]._cache


def test_an_alignment_asked_again_is_answered_from_the_cache(
    api_client, world, django_assert_max_num_queries
):
    path = "/api/v1/alignment/?actors=russia,iran"
    first = api_client.get(path)
    assert first.status_code == 200
    with django_assert_max_num_queries(1):
        again = api_client.get(path)
    assert again.content == first.content


def test_if_none_match_still_answers_304_before_the_cache(api_client, world):
    etag = api_client.get(EVENTS)["ETag"]
    response = api_client.get(EVENTS, HTTP_IF_NONE_MATCH=etag)
    assert response.status_code == 304
    assert response.content == b""
