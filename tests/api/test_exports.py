"""Spreadsheet-ready exports (wide=true, bom=true), fields= on JSON, updated_after."""

import csv
import datetime
import io

import pytest
from django.utils import timezone

from events.models import Event

from .factories import many_events

pytestmark = pytest.mark.django_db

EVENTS = "/api/v1/events/"


def csv_rows(response):
    assert response.status_code == 200, response.content
    text = b"".join(response.streaming_content).decode("utf-8")
    return list(csv.DictReader(io.StringIO(text)))


def test_wide_events_carry_participants_and_citations_in_cells(api_client, world):
    rows = csv_rows(api_client.get(EVENTS, {"format": "csv", "wide": "true"}))
    aleppo = next(row for row in rows if row["title"] == "Aleppo offensive")
    assert aleppo["participants"] == "quds-force:supporter;russia:initiator"
    assert aleppo["participant_names"] == "Quds Force (supporter); Russia (initiator)"
    lse, un = world["sources"]["lse"], world["sources"]["un"]
    assert aleppo["source_ids"] == f"{lse.pk};{un.pk}"
    assert aleppo["citations"].splitlines()[0].startswith(f"[{lse.pk}] {lse.title}: “")
    assert "url" not in aleppo


def test_wide_positions_carry_names(api_client, world):
    rows = csv_rows(api_client.get("/api/v1/positions/", {"format": "csv", "wide": "true"}))
    assert {row["actor_name"] for row in rows} == {
        "Iran",
        "Islamic Revolutionary Guard Corps",
        "Russia",
    }
    assert all(row["issue_name"] for row in rows)


def test_wide_relations_carry_both_names(api_client, world):
    rows = csv_rows(api_client.get("/api/v1/relations/", {"format": "csv", "wide": "true"}))
    assert {(row["actor"], row["counterpart_name"]) for row in rows} >= {("iran", "Russia")}


def test_wide_export_applies_filters_and_streams_every_row(api_client, db):
    many_events(1100, participants=1, citations=1)
    rows = csv_rows(api_client.get(EVENTS, {"format": "csv", "wide": "true"}))
    assert len(rows) == 1100
    assert len({row["id"] for row in rows}) == 1100
    assert (
        csv_rows(api_client.get(EVENTS, {"format": "csv", "wide": "true", "country": "YE"})) == []
    )


def test_wide_export_of_nothing_still_has_its_header(api_client, db):
    response = api_client.get(EVENTS, {"format": "csv", "wide": "true"})
    text = b"".join(response.streaming_content).decode()
    assert text.startswith("id,title,summary,")
    assert "participants,participant_names" in text


def test_wide_export_makes_formulas_inert(api_client, world):
    Event.objects.filter(pk=world["events"]["aleppo"].pk).update(title="=HYPERLINK(1)")
    rows = csv_rows(api_client.get(EVENTS, {"format": "csv", "wide": "true"}))
    titles = {row["title"] for row in rows}
    assert "'=HYPERLINK(1)" in titles
    # numbers that start with a minus sign stay numbers
    Event.objects.filter(pk=world["events"]["latakia"].pk).update(longitude=-35.5)
    rows = csv_rows(api_client.get(EVENTS, {"format": "csv", "wide": "true"}))
    assert "-35.5" in {row["longitude"] for row in rows}


def test_package_csv_stays_exact(api_client, world):
    Event.objects.filter(pk=world["events"]["aleppo"].pk).update(title="=HYPERLINK(1)")
    rows = csv_rows(api_client.get(EVENTS, {"format": "csv"}))
    assert "=HYPERLINK(1)" in {row["title"] for row in rows}


def test_bom_only_on_request(api_client, world):
    plain = b"".join(api_client.get(EVENTS, {"format": "csv"}).streaming_content)
    assert not plain.startswith(b"\xef\xbb\xbf")
    response = api_client.get(EVENTS, {"format": "csv", "wide": "true", "bom": "true"})
    assert b"".join(response.streaming_content).startswith(b"\xef\xbb\xbfid,")


@pytest.mark.parametrize(
    ("params", "name"),
    [
        ({"wide": "true"}, "wide"),
        ({"format": "csv", "wide": "yes"}, "wide"),
        ({"bom": "true"}, "bom"),
        ({"format": "csv", "fields": "id"}, "fields"),
        ({"fields": "id,nope"}, "fields"),
    ],
)
def test_export_parameter_errors_name_the_parameter(api_client, world, params, name):
    response = api_client.get(EVENTS, params)
    assert response.status_code == 400
    assert list(response.json()["errors"]) == [name]


def test_wide_is_not_offered_on_actors(api_client, world):
    response = api_client.get("/api/v1/actors/", {"format": "csv", "wide": "true"})
    assert response.status_code == 400
    assert "wide" in response.json()["errors"]


def test_fields_on_a_list_returns_only_those_keys(api_client, world, django_assert_max_num_queries):
    with django_assert_max_num_queries(4):  # version, count, page keys, page: no nested list
        body = api_client.get(EVENTS, {"fields": "id,title"}).json()
    assert all(set(row) == {"id", "title"} for row in body["results"])


def test_fields_on_a_detail(api_client, world):
    event = world["events"]["aleppo"]
    body = api_client.get(f"{EVENTS}{event.pk}/", {"fields": "title,participants"}).json()
    assert set(body) == {"title", "participants"}


def test_updated_after_lists_rows_changed_since(api_client, world):
    cutoff = timezone.now()
    event = world["events"]["aleppo"]
    Event.objects.filter(pk=event.pk).update(updated=cutoff + datetime.timedelta(seconds=1))
    body = api_client.get(EVENTS, {"updated_after": cutoff.isoformat()}).json()
    assert [row["id"] for row in body["results"]] == [event.pk]


def test_updated_after_needs_a_datetime(api_client, world):
    response = api_client.get(EVENTS, {"updated_after": "yesterday"})
    assert list(response.json()["errors"]) == ["updated_after"]
