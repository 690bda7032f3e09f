"""Spreadsheet-ready exports (wide=true, bom=true), fields= on JSON, updated_after."""

import csv
import datetime
import io
import threading

import pytest
from django.db import connection, connections
from django.utils import timezone

from actors.models import Actor
from common.api import wide
from common.tabular import Table, format_value
from events.models import Event, EventSource

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


def wide_cells_from_json(row):
    """What a wide row holds, written from the JSON API's row: the spec of the export."""
    cells = {key: value for key, value in row.items() if key not in {"url", "created", "updated"}}
    participants = cells.pop("participants", None)
    citations = cells.pop("citations")
    if participants is not None:
        cells["participants"] = ";".join(f"{p['actor']}:{p['role']}" for p in participants)
        cells["participant_names"] = "; ".join(
            f"{p['actor_name']} ({p['role']})" for p in participants
        )
    cells["source_ids"] = ";".join(str(c["source"]) for c in citations)
    cells["citations"] = "\n".join(
        f"[{c['source']}] {c['source_title']}: “{c['quote']}”" for c in citations
    )
    return {key: format_value(value) for key, value in cells.items()}


def json_rows(api_client, path, params=None):
    body = api_client.get(path, {"page_size": 1000, **(params or {})}).json()
    return body["results"]


@pytest.mark.parametrize("path", [EVENTS, "/api/v1/positions/", "/api/v1/relations/"])
def test_wide_rows_hold_what_the_json_rows_hold(api_client, world, path):
    wide = csv_rows(api_client.get(path, {"format": "csv", "wide": "true"}))
    expected = [wide_cells_from_json(row) for row in json_rows(api_client, path)]
    assert wide
    assert sorted(wide, key=lambda row: int(row["id"])) == sorted(
        expected, key=lambda row: int(row["id"])
    )


def test_wide_export_of_a_sparse_filter_keeps_every_rows_lists(api_client, db):
    # Every third event in Yemen: each batch's ids are far apart, so its lists are read by
    # the batch's ids rather than an id range.
    events = many_events(2500, participants=2, citations=2)
    Event.objects.filter(pk__in=[event.pk for event in events[::3]]).update(country="YE")
    wide = csv_rows(api_client.get(EVENTS, {"format": "csv", "wide": "true", "country": "YE"}))
    assert len(wide) == len(events[::3])
    assert all(row["participants"].count(";") == 1 for row in wide)
    assert all(row["source_ids"].count(";") == 1 for row in wide)


def test_wide_export_reads_a_constant_number_of_queries_per_batch(
    api_client, db, django_assert_max_num_queries
):
    many_events(2100, participants=3, citations=2)
    # version, then per batch of 2,000: rows, participants (actors joined in), citations
    # (sources joined in); and the empty batch that ends it. On PostgreSQL, the snapshot:
    # here a savepoint and its release, in a request its SET TRANSACTION.
    snapshot = 2 if connection.vendor == "postgresql" else 0
    with django_assert_max_num_queries(1 + 3 + 3 + 1 + snapshot):
        rows = csv_rows(api_client.get(EVENTS, {"format": "csv", "wide": "true"}))
    assert len(rows) == 2100


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
    # in a nested list's cells too: the first participant's name starts the cell
    Actor.objects.filter(slug="quds-force").update(name="@SUM(1)")
    rows = csv_rows(api_client.get(EVENTS, {"format": "csv", "wide": "true"}))
    aleppo = next(row for row in rows if row["title"] == "'=HYPERLINK(1)")
    assert aleppo["participant_names"] == "'@SUM(1) (supporter); Russia (initiator)"
    # numbers that start with a minus sign stay numbers
    Event.objects.filter(pk=world["events"]["latakia"].pk).update(longitude=-35.5)
    rows = csv_rows(api_client.get(EVENTS, {"format": "csv", "wide": "true"}))
    assert "-35.5" in {row["longitude"] for row in rows}


def test_wide_export_quotes_what_a_spreadsheet_would_split(api_client, world):
    aleppo = world["events"]["aleppo"]
    title = 'Siege, "phase\r\ntwo"'
    # a lone carriage return too: Python 3.11's csv.writer left it bare, a new row to Excel
    Event.objects.filter(pk=aleppo.pk).update(title=title, location_name="Old\rcity")
    EventSource.objects.filter(event=aleppo).update(quote='He said: "no",\rthen left')
    response = api_client.get(EVENTS, {"format": "csv", "wide": "true"})
    text = b"".join(response.streaming_content).decode("utf-8")
    assert '"Siege, ""phase\r\ntwo"""' in text
    rows = list(csv.DictReader(io.StringIO(text, newline="")))
    row = next(row for row in rows if row["id"] == str(aleppo.pk))
    assert row["title"] == title
    assert row["location_name"] == "Old\rcity"
    assert 'He said: "no",\rthen left' in row["citations"]
    assert len(rows) == Event.objects.count()


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


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL's snapshots")
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("wide_rows", [False, True])
def test_an_export_on_postgresql_reads_one_snapshot(api_client, monkeypatch, wide_rows):
    """An edit made while an export streams is not in it (the wide export reads in
    batches), and the export's cursor lives in a transaction (not WITH HOLD, which copies
    every row before the first is sent)."""
    monkeypatch.setattr(wide.WideTable.csv_chunks, "__kwdefaults__", {"batch_size": 5})
    monkeypatch.setattr(Table.csv_chunks, "__kwdefaults__", {"rows_per_chunk": 5, "counter": None})
    events = many_events(20)
    params = {"format": "csv", **({"wide": "true"} if wide_rows else {})}
    chunks = iter(api_client.get(EVENTS, params).streaming_content)
    first = next(chunks) + next(chunks)
    assert connection.in_atomic_block

    def edit():
        Event.objects.filter(pk=events[-1].pk).update(title="Edited during the export")
        Event.objects.filter(pk=events[-2].pk).delete()
        connections["default"].close()

    writer = threading.Thread(target=edit)
    writer.start()
    writer.join()
    text = (first + b"".join(chunks)).decode()
    rows = list(csv.DictReader(io.StringIO(text)))
    assert [row["title"] for row in rows] == [f"Event {n}" for n in range(20)]
    assert not connection.in_atomic_block
    assert Event.objects.get(pk=events[-1].pk).title == "Edited during the export"
