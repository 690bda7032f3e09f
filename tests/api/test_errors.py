import pytest
from django.db import IntegrityError
from rest_framework.test import APIRequestFactory

from common.api.errors import exception_handler
from common.api.serializers import BLANK_REFERENCE

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
    assert body["accepted"] == ["fields", "format", "release"]


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


@pytest.mark.parametrize("method", ["get", "post", "put", "patch", "delete"])
@pytest.mark.parametrize("debug", [True, False])
def test_a_path_missing_its_slash_is_a_308_keeping_the_method(
    api_client, world, settings, method, debug
):
    settings.DEBUG = debug
    event = world["events"]["aleppo"]
    path = EVENTS.rstrip("/") if method == "post" else f"{EVENTS}{event.pk}"
    response = getattr(api_client, method)(f"{path}?country=SY", {}, format="json")
    assert response.status_code == 308
    assert response["Location"] == f"{path}/?country=SY"


def test_a_write_following_the_308_is_the_write(user_with, world):
    client = user_with("change_event")
    event = world["events"]["aleppo"]
    response = client.patch(f"{EVENTS}{event.pk}", {"title": "Renamed"}, format="json")
    response = client.patch(response["Location"], {"title": "Renamed"}, format="json")
    assert response.status_code == 200
    assert response.json()["title"] == "Renamed"


@pytest.mark.parametrize(
    ("params", "headers"),
    [
        ({"format": "csv"}, {}),
        ({"format": "csv", "wide": "true"}, {}),
        ({"format": "geojson"}, {}),
        ({}, {"HTTP_ACCEPT": "text/csv"}),
    ],
)
def test_a_cursor_on_an_export_is_a_400_naming_it(api_client, world, params, headers):
    body = error(api_client.get(EVENTS, {**params, "cursor": "aWQ-MTA"}, **headers), 400)
    assert list(body["errors"]) == ["cursor"]


@pytest.mark.parametrize("resource", ["events", "positions", "relations"])
def test_a_date_window_ending_before_it_starts_is_a_400(api_client, world, resource):
    path = f"/api/v1/{resource}/"
    body = error(
        api_client.get(path, {"date_after": "2016-01-01", "date_before": "2015-12-31"}), 400
    )
    assert list(body["errors"]) == ["date_before"]
    same_day = api_client.get(path, {"date_after": "2016-01-01", "date_before": "2016-01-01"})
    assert same_day.status_code == 200


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


def handled(error):
    request = APIRequestFactory().post("/api/v1/events/")
    response = exception_handler(error, {"request": request})
    assert response.status_code == 400
    return response.data["errors"]


def test_integrity_error_is_400_not_500_and_never_shows_database_text():
    errors = handled(IntegrityError("UNIQUE constraint failed"))
    assert "constraint failed" not in str(errors)
    assert "refused" in errors["non_field_errors"][0]


# PostgreSQL and SQLite name a check constraint differently.
@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            'new row for relation "events_event" violates check constraint '
            '"event_date_end_after_start"',
            {"date_end": ["date_end must not come before date_start"]},
        ),
        (
            "CHECK constraint failed: event_date_end_after_start",
            {"date_end": ["date_end must not come before date_start"]},
        ),
        # Not the start's rule, whose name is a near neighbour.
        (
            'new row for relation "events_position" violates check constraint '
            '"position_year_precision_end_first_january"',
            {"date_end": ["a year-precision end date is stored as 1 January of its year"]},
        ),
        (
            "CHECK constraint failed: position_year_precision_end_first_january",
            {"date_end": ["a year-precision end date is stored as 1 January of its year"]},
        ),
    ],
)
def test_check_constraint_error_is_the_rules_words_on_its_field(text, expected):
    assert handled(IntegrityError(text)) == expected


def test_sqlite_unique_error_is_worded_from_the_model():
    text = (
        "UNIQUE constraint failed: events_eventactor.event_id, events_eventactor.actor_id, "
        "events_eventactor.role"
    )
    errors = handled(IntegrityError(text))
    assert "events_eventactor" not in str(errors)
    assert "event participant" in errors["non_field_errors"][0]


def test_trigger_error_is_the_hierarchy_rules_words():
    from actors.models import HIERARCHY_RULE

    errors = handled(IntegrityError(f"{HIERARCHY_RULE.name}: cycle"))
    assert errors == {"parent": [HIERARCHY_RULE.message]}


# -- hostile input: every one a JSON 400 (or 404), never a 500 ------------------------


@pytest.mark.parametrize(
    ("query", "parameter"),
    [
        ("ordering=--date_start", "ordering"),
        ("ordering=date_start--", "ordering"),
        ("q=%00", "q"),
        ("country=%25s", "country"),
        ("country=%25(value)s", "country"),
        ("source=9223372036854775808", "source"),
        ("source=-11000850566832770252800", "source"),
        ("source=1e3", "source"),
        ("date_after=", "date_after"),
        ("country=", "country"),
        ("q=", "q"),
        ("page=99999999999999999999", "page"),
        ("page_size=-1", "page_size"),
        ("actor=" + ",".join(["iran"] * 21), "actor"),
    ],
)
def test_hostile_query_is_a_400_naming_the_parameter(api_client, world, query, parameter):
    body = error(api_client.get(f"{EVENTS}?{query}"), 400)
    assert list(body["errors"]) == [parameter]


def test_percent_in_a_value_is_shown_as_given(api_client, world):
    body = error(api_client.get(f"{EVENTS}?country=%25s"), 400)
    assert "'%S'" in body["errors"]["country"][0]


def test_q_repeated_past_the_cap_is_a_400(api_client, world):
    body = error(api_client.get(EVENTS + "?" + "&".join(["q=x"] * 340)), 400)
    assert "At most 20 values" in body["errors"]["q"][0]


def test_q_repeated_up_to_the_cap_is_answered(api_client, world):
    response = api_client.get(EVENTS + "?" + "&".join(f"q=term{n}" for n in range(20)))
    assert response.status_code == 200


@pytest.mark.parametrize(
    "path",
    [
        "/api/v1/actors/%00/",
        "/api/v1/events/%00/",
        "/api/v1/events/99999999999999999999999/",
        "/api/v1/events/-1/",
        "/api/v1/actors/Not-A-Slug/",
    ],
)
def test_impossible_keys_in_the_path_are_404(api_client, world, path):
    error(api_client.get(path), 404)


def test_nul_in_a_written_slug_is_a_400(user_with, db):
    body = {"slug": "gol\x00an", "name": "Golan", "country": "SY"}
    response = user_with("add_issue").post("/api/v1/issues/", body, format="json")
    error(response, 400)


def test_deeply_nested_json_is_a_400(user_with, db):
    body = "[" * 100_000 + "]" * 100_000
    response = user_with("add_issue").post("/api/v1/issues/", body, content_type="application/json")
    assert "nested" in error(response, 400)["detail"]


def test_a_fractional_source_id_is_refused(user_with, world):
    body = {
        "title": "Astana talks",
        "summary": "Russia, Iran and Turkey meet.",
        "event_type": "negotiations",
        "country": "SY",
        "date_start": "2017-01-23",
        "date_precision": "day",
        "citations": [{"source": world["sources"]["lse"].pk + 0.5, "quote": "Talks."}],
    }
    response = user_with("add_event").post(EVENTS, body, format="json")
    assert "citations" in error(response, 400)["errors"]


@pytest.mark.parametrize("value", [True, 1.0, "1.0", "01x", 2**64])
def test_a_source_id_must_be_a_whole_number(user_with, world, value):
    body = {
        "title": "Astana talks",
        "summary": "Russia, Iran and Turkey meet.",
        "event_type": "negotiations",
        "country": "SY",
        "date_start": "2017-01-23",
        "date_precision": "day",
        "citations": [{"source": value, "quote": "Talks."}],
    }
    response = user_with("add_event").post(EVENTS, body, format="json")
    assert "citations" in error(response, 400)["errors"]


@pytest.mark.parametrize(
    "path",
    ["/api/v1/events/{id}/?fields=", "/api/v1/deletions/?after=", "/api/v1/releases/?page=0"],
)
def test_an_unsupported_method_is_a_405_whatever_its_parameters(user_with, world, path):
    client = user_with("add_event", "change_event", "delete_event")
    event = world["events"]["aleppo"]
    response = client.post(path.format(id=event.pk), {}, format="json")
    assert "POST" not in response["Allow"]
    error(response, 405)


def astana(world, **changes):
    body = {
        "title": "Astana talks",
        "summary": "Russia, Iran and Turkey meet.",
        "event_type": "negotiations",
        "country": "SY",
        "date_start": "2017-01-23",
        "date_precision": "day",
        "participants": [{"actor": "russia", "role": "host"}],
        "citations": [{"source": world["sources"]["lse"].pk, "quote": "Talks."}],
    }
    return {**body, **changes}


@pytest.mark.parametrize(
    ("changes", "expected"),
    [
        ({"title": 5}, {"title": ["Not a valid string."]}),
        ({"fatalities": "12"}, {"fatalities": ["A valid integer is required."]}),
        ({"fatalities": 12.0}, {"fatalities": ["A valid integer is required."]}),
        ({"fatalities": True}, {"fatalities": ["A valid integer is required."]}),
        ({"latitude": "35.5"}, {"latitude": ["A valid number is required."]}),
        (
            {"participants": [{"actor": 5, "role": "host"}]},
            {"participants": [{"actor": ["Incorrect type. Expected a slug (a string)."]}]},
        ),
        (
            {"citations": [{"source": 1, "quote": 5}]},
            {"citations": [{"quote": ["Not a valid string."]}]},
        ),
    ],
)
def test_a_value_of_another_json_type_is_refused(user_with, world, changes, expected):
    # DRF would read 5 as "5" and "12" as 12, as if from a form; the API reads JSON.
    response = user_with("add_event").post(EVENTS, astana(world, **changes), format="json")
    assert error(response, 400)["errors"] == expected


def test_a_wrong_type_is_named_beside_the_other_errors(user_with, world):
    body = astana(world, title=5, event_type="picnic")
    errors = error(user_with("add_event").post(EVENTS, body, format="json"), 400)["errors"]
    assert set(errors) == {"title", "event_type"}


def test_the_right_json_types_are_accepted(user_with, world):
    body = astana(world, fatalities=0, latitude=35, longitude=35.5, geo_precision="city")
    response = user_with("add_event").post(EVENTS, body, format="json")
    assert response.status_code == 201, response.content


def test_an_empty_string_is_not_a_null_reference(user_with, world):
    body = {"slug": "golan", "name": "Golan", "kind": "state", "parent": ""}
    response = user_with("add_actor").post("/api/v1/actors/", body, format="json")
    assert error(response, 400)["errors"] == {"parent": [BLANK_REFERENCE]}


def test_a_list_of_text_takes_only_strings(user_with, world):
    body = {"slug": "golan", "name": "Golan", "kind": "state", "aliases": ["Jawlan", 5]}
    response = user_with("add_actor").post("/api/v1/actors/", body, format="json")
    assert error(response, 400)["errors"] == {"aliases": {"1": ["Not a valid string."]}}


@pytest.mark.parametrize(
    ("resource", "row", "nested"),
    [
        ("events", "aleppo", {"citations": [{"quote": "Advisers."}]}),
        ("events", "aleppo", {"participants": [{"role": "initiator"}]}),
        ("positions", "irgc_ssr", {"citations": [{"quote": "Resists."}]}),
        ("relations", "partnership", {"citations": [{"quote": "Partners."}]}),
    ],
)
def test_a_patch_writes_nested_rows_whole(user_with, world, resource, row, nested):
    # The nested list replaces the stored one, so each of its rows needs all its keys.
    client = user_with(*(f"change_{name}" for name in ("event", "position", "relation")))
    obj = world[resource][row]
    response = client.patch(f"/api/v1/{resource}/{obj.pk}/", nested, format="json")
    ((name, rows),) = error(response, 400)["errors"].items()
    assert name == next(iter(nested))
    assert list(rows[0].values()) == [["This field is required."]]


def test_a_time_with_any_utc_offset_is_answered(api_client, world):
    # +20:26 is a valid ISO 8601 offset; PostgreSQL stores offsets up to 15:59 only.
    response = api_client.get(EVENTS, {"updated_after": "2000-01-01T00:00:00+20:26"})
    assert response.status_code == 200, response.content
    assert response.json()["count"] == 3


def test_a_time_with_an_offset_past_the_calendar_is_a_400(api_client, world):
    response = api_client.get(EVENTS, {"updated_after": "0001-01-01T00:00:00+20:00"})
    assert list(error(response, 400)["errors"]) == ["updated_after"]
