"""Conditional requests: ETags on details, If-None-Match (304) and If-Match (412)."""

import pytest

import common.services
from events.models import Event

pytestmark = pytest.mark.django_db

EVENTS = "/api/v1/events/"


def detail(event):
    return f"{EVENTS}{event.pk}/"


def test_detail_carries_an_etag_that_changes_with_the_row(api_client, user_with, world):
    event = world["events"]["aleppo"]
    first = api_client.get(detail(event))["ETag"]
    assert first == api_client.get(detail(event))["ETag"]
    user_with("change_event").patch(detail(event), {"title": "Renamed"}, format="json")
    assert api_client.get(detail(event))["ETag"] != first


def test_if_none_match_is_a_304(api_client, world):
    event = world["events"]["aleppo"]
    etag = api_client.get(detail(event))["ETag"]
    response = api_client.get(detail(event), HTTP_IF_NONE_MATCH=etag)
    assert response.status_code == 304
    assert response["ETag"] == etag


def test_stale_if_match_is_a_412_and_changes_nothing(api_client, user_with, world):
    event = world["events"]["aleppo"]
    stale = api_client.get(detail(event))["ETag"]
    client = user_with("change_event")
    assert client.patch(detail(event), {"title": "First"}, format="json").status_code == 200
    response = client.patch(
        detail(event), {"summary": "Second"}, format="json", HTTP_IF_MATCH=stale
    )
    assert response.status_code == 412
    assert "ETag" in response.json()["detail"]
    event.refresh_from_db()
    assert event.summary != "Second"


def test_current_if_match_writes(api_client, user_with, world):
    event = world["events"]["aleppo"]
    etag = api_client.get(detail(event))["ETag"]
    response = user_with("change_event").patch(
        detail(event), {"title": "Renamed"}, format="json", HTTP_IF_MATCH=etag
    )
    assert response.status_code == 200
    assert response["ETag"] == api_client.get(detail(event))["ETag"]


def test_stale_if_match_on_delete_is_a_412(api_client, user_with, world):
    event = world["events"]["aleppo"]
    client = user_with("change_event", "delete_event")
    stale = api_client.get(detail(event))["ETag"]
    client.patch(detail(event), {"title": "Renamed"}, format="json")
    assert client.delete(detail(event), HTTP_IF_MATCH=stale).status_code == 412
    assert Event.objects.filter(pk=event.pk).exists()


def test_patch_writes_only_the_fields_it_gives(user_with, world, monkeypatch):
    """Two curators PATCH different fields of one event at the same time: both changes stay.

    The other curator's write lands between this request's read and its write."""
    event = world["events"]["aleppo"]
    update_row = common.services.update_row

    def update_row_while_another_curator_writes(instance, values):
        Event.objects.filter(pk=event.pk).update(summary="Written by the other curator.")
        return update_row(instance, values)

    monkeypatch.setattr(common.services, "update_row", update_row_while_another_curator_writes)
    response = user_with("change_event").patch(detail(event), {"title": "Renamed"}, format="json")
    assert response.status_code == 200, response.content
    event.refresh_from_db()
    assert (event.title, event.summary) == ("Renamed", "Written by the other curator.")


def test_a_list_carries_an_etag_and_answers_304_before_querying(
    api_client, world, django_assert_max_num_queries
):
    etag = api_client.get(EVENTS)["ETag"]
    with django_assert_max_num_queries(1):  # only the data version is read
        response = api_client.get(EVENTS, HTTP_IF_NONE_MATCH=etag)
    assert response.status_code == 304


@pytest.mark.parametrize(
    "params",
    [
        {"format": "csv"},
        {"format": "csv", "wide": "true", "bom": "true"},
        {"format": "geojson"},
        {"format": "json", "page_size": "1"},
    ],
)
def test_a_streamed_or_paged_list_answers_304_to_its_etag(api_client, world, params):
    first = api_client.get(EVENTS, params)
    assert first.status_code == 200
    response = api_client.get(EVENTS, params, HTTP_IF_NONE_MATCH=first["ETag"])
    assert response.status_code == 304
    assert response["ETag"] == first["ETag"]
    assert response.content == b""


@pytest.mark.parametrize("path", [EVENTS, f"{EVENTS}?format=csv", "/api/v1/actors/"])
def test_if_none_match_any_is_a_304_on_lists(api_client, world, path):
    response = api_client.get(path, HTTP_IF_NONE_MATCH="*")
    assert response.status_code == 304
    assert response["ETag"] == api_client.get(path)["ETag"]


@pytest.mark.parametrize(
    "params", [{"actor": "Not A Slug"}, {"date_after": "yesterday"}, {"page": "99"}]
)
def test_if_none_match_any_does_not_hide_a_refusal(api_client, world, params):
    response = api_client.get(EVENTS, params, HTTP_IF_NONE_MATCH="*")
    assert response.status_code in (400, 404)


def test_if_none_match_any_is_a_304_on_details(api_client, world):
    event = world["events"]["aleppo"]
    response = api_client.get(detail(event), HTTP_IF_NONE_MATCH="*")
    assert response.status_code == 304
    assert response["ETag"] == api_client.get(detail(event))["ETag"]


def test_a_list_etag_changes_with_the_data_and_the_request(api_client, user_with, world):
    etag = api_client.get(EVENTS)["ETag"]
    assert api_client.get(EVENTS, {"country": "SY"})["ETag"] != etag
    user_with("change_event").patch(
        f"{EVENTS}{world['events']['aleppo'].pk}/", {"title": "Renamed"}, format="json"
    )
    assert api_client.get(EVENTS)["ETag"] != etag


def test_a_list_etag_changes_when_a_row_is_deleted(api_client, user_with, world):
    etag = api_client.get(EVENTS)["ETag"]
    user_with("delete_event").delete(f"{EVENTS}{world['events']['aleppo'].pk}/")
    assert api_client.get(EVENTS)["ETag"] != etag
