import pytest
from django.db import IntegrityError
from rest_framework.test import APIRequestFactory

from common.api import exception_handler

from .factories import many_events

pytestmark = pytest.mark.django_db

EVENTS = "/api/v1/events/"


def error(response, status):
    assert response.status_code == status, response.content
    assert response["Content-Type"].startswith("application/json")
    return response.json()


def test_unknown_parameter_is_named_and_accepted_ones_listed(api_client, world):
    body = error(api_client.get(EVENTS, {"contry": "SY"}), 400)
    assert "contry" in body["detail"]
    assert "contry" in body["errors"]
    assert "country" in body["accepted"]
    assert {"page", "page_size", "ordering", "format", "actor_tree"} <= set(body["accepted"])


def test_unknown_parameter_on_detail(api_client, world):
    event = world["events"]["aleppo"]
    body = error(api_client.get(f"{EVENTS}{event.pk}/", {"country": "SY"}), 400)
    assert body["accepted"] == ["format"]


def test_unknown_parameter_with_csv_is_json(api_client, world):
    body = error(api_client.get(EVENTS, {"format": "csv", "typo": "1"}), 400)
    assert "typo" in body["errors"]


def test_bad_vocabulary_value_names_the_parameter(api_client, world):
    body = error(api_client.get(EVENTS, {"event_type": "airstrike,bombing"}), 400)
    assert list(body["errors"]) == ["event_type"]
    assert "bombing" in body["errors"]["event_type"][0]


def test_bad_country_names_the_parameter(api_client, world):
    body = error(api_client.get(EVENTS, {"country": "Syria"}), 400)
    assert list(body["errors"]) == ["country"]


def test_bad_date_names_the_parameter(api_client, world):
    body = error(api_client.get(EVENTS, {"date_after": "2015-13-01"}), 400)
    assert list(body["errors"]) == ["date_after"]


def test_unknown_actor_slug_names_the_parameter(api_client, world):
    body = error(api_client.get(EVENTS, {"actor_tree": "iran,atlantis"}), 400)
    assert list(body["errors"]) == ["actor_tree"]
    assert "atlantis" in body["errors"]["actor_tree"][0]


def test_non_integer_source_names_the_parameter(api_client, world):
    body = error(api_client.get(EVENTS, {"source": "abc"}), 400)
    assert list(body["errors"]) == ["source"]


def test_single_valued_parameter_given_twice(api_client, world):
    body = error(api_client.get(f"{EVENTS}?date_after=2015-01-01&date_after=2016-01-01"), 400)
    assert list(body["errors"]) == ["date_after"]


def test_unknown_ordering_field(api_client, world):
    body = error(api_client.get(EVENTS, {"ordering": "-dat_start"}), 400)
    assert "dat_start" in body["errors"]["ordering"][0]


def test_page_past_the_end_is_404(api_client, world):
    body = error(api_client.get(EVENTS, {"page": 2}), 404)
    assert "Page 2" in body["detail"]


def test_page_not_a_number_is_400(api_client, world):
    body = error(api_client.get(EVENTS, {"page": "two"}), 400)
    assert list(body["errors"]) == ["page"]


def test_page_size_not_a_number_is_400(api_client, world):
    body = error(api_client.get(EVENTS, {"page_size": "0"}), 400)
    assert list(body["errors"]) == ["page_size"]


def test_page_size_is_capped_at_500(api_client, db):
    many_events(501, participants=1, citations=1)
    response = api_client.get(EVENTS, {"page_size": 1000})
    assert response.status_code == 200
    assert len(response.json()["results"]) == 500
    assert response.json()["next"] is not None


def test_unknown_object_is_404_json(api_client, world):
    error(api_client.get("/api/v1/actors/atlantis/"), 404)


def test_unknown_api_path_is_404_json(api_client, db):
    error(api_client.get("/api/v1/nothing-here/"), 404)


def test_unknown_format_is_400(api_client, world):
    body = error(api_client.get(EVENTS, {"format": "xml"}), 400)
    assert list(body["errors"]) == ["format"]


def test_csv_on_a_detail_is_406_json(api_client, world):
    event = world["events"]["aleppo"]
    error(api_client.get(f"{EVENTS}{event.pk}/", {"format": "csv"}), 406)


def test_geojson_on_actors_is_406_json(api_client, world):
    error(api_client.get("/api/v1/actors/", {"format": "geojson"}), 406)


def test_invalid_write_body_is_400_with_errors(user_with, db):
    body = error(user_with("add_issue").post("/api/v1/issues/", {}, format="json"), 400)
    assert {"slug", "name"} <= set(body["errors"])


def test_integrity_error_is_400_not_500():
    request = APIRequestFactory().post("/api/v1/events/")
    response = exception_handler(IntegrityError("UNIQUE constraint failed"), {"request": request})
    assert response.status_code == 400
    assert "UNIQUE constraint failed" in str(response.data["errors"])
