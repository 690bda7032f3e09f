import csv
import io
import json

import pytest

from actors.models import Actor
from actors.tables import ACTORS
from common.tabular import CSV_DIALECT
from events.models import Event, Issue, Position, Source
from events.tables import EVENTS, ISSUES, POSITIONS, SOURCES

from .factories import many_events

pytestmark = pytest.mark.django_db

CSV_LISTS = [
    ("/api/v1/actors/", ACTORS, Actor),
    ("/api/v1/sources/", SOURCES, Source),
    ("/api/v1/events/", EVENTS, Event),
    ("/api/v1/issues/", ISSUES, Issue),
    ("/api/v1/positions/", POSITIONS, Position),
]


def streamed(response):
    assert response.status_code == 200, response.content
    return b"".join(response.streaming_content).decode()


def test_json_is_the_default(api_client, world):
    response = api_client.get("/api/v1/events/")
    assert response["Content-Type"] == "application/json"
    assert response.json()["count"] == 3


def test_browsable_api(api_client, world):
    response = api_client.get("/api/v1/events/", HTTP_ACCEPT="text/html")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/html")
    assert b"Russian airstrikes begin" in response.content


@pytest.mark.parametrize(("url", "table", "model"), CSV_LISTS)
def test_csv_has_the_data_package_columns_and_every_row(api_client, world, url, table, model):
    response = api_client.get(url, {"format": "csv", "page_size": 1})
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"] == f'attachment; filename="{table.name}.csv"'
    text = streamed(response)
    assert text == "".join(table.csv_chunks(model.objects.all()))
    rows = list(csv.reader(io.StringIO(text)))
    assert rows[0] == table.header
    assert len(rows) - 1 == model.objects.count()


def test_csv_is_not_paginated(api_client, db):
    many_events(120, participants=1, citations=1)
    text = streamed(api_client.get("/api/v1/events/", {"format": "csv"}))
    assert text.count("\n") == 121


@pytest.mark.parametrize(
    ("name", "value"), [("page_size", "ten"), ("page", "0"), ("cursor", "not-a-cursor")]
)
def test_csv_refuses_a_malformed_paging_value(api_client, world, name, value):
    # An export ignores paging, but a malformed value is still an error, as on a JSON page.
    response = api_client.get("/api/v1/events/", {"format": "csv", name: value})
    assert response.status_code == 400
    assert name in response.json()["errors"]


def test_csv_applies_filters(api_client, world):
    text = streamed(api_client.get("/api/v1/events/", {"format": "csv", "actor_tree": "iran"}))
    rows = list(csv.DictReader(io.StringIO(text)))
    assert sorted(row["title"] for row in rows) == [
        "Aleppo offensive",
        "Houthi delegation in Tehran",
    ]


def test_csv_chunks_match_a_plain_csv_writer_over_rows(world):
    # Table.csv_chunks writes some values unformatted; the bytes must not change.
    many_events(3, participants=1, citations=1)  # whole-number floats: 35.0 is written "35"
    for table, model in [(EVENTS, Event), (ACTORS, Actor), (POSITIONS, Position)]:
        buffer = io.StringIO()
        writer = csv.writer(buffer, **CSV_DIALECT)
        writer.writerow(table.header)
        writer.writerows(table.rows(model.objects.all()))
        assert "".join(table.csv_chunks(model.objects.all(), rows_per_chunk=2)) == buffer.getvalue()


def test_geojson_is_a_feature_collection_of_located_events(api_client, world):
    response = api_client.get("/api/v1/events/", {"format": "geojson"})
    assert response["Content-Type"] == "application/geo+json; charset=utf-8"
    body = json.loads(streamed(response))
    assert body["type"] == "FeatureCollection"
    assert len(body["features"]) == 1  # only Latakia has coordinates
    feature = body["features"][0]
    latakia = world["events"]["latakia"]
    assert feature["geometry"] == {"type": "Point", "coordinates": [35.78, 35.52]}
    assert feature["properties"]["title"] == "Russian airstrikes begin"
    assert feature["properties"]["participants"][0]["actor"] == "russia"
    assert feature["properties"]["url"] == f"http://testserver/api/v1/events/{latakia.pk}/"


def test_geojson_applies_filters_and_is_not_paginated(api_client, db):
    many_events(1100, participants=1, citations=1)
    body = json.loads(streamed(api_client.get("/api/v1/events/", {"format": "geojson"})))
    assert len(body["features"]) == 1100
    assert len({feature["id"] for feature in body["features"]}) == 1100
    filtered = api_client.get("/api/v1/events/", {"format": "geojson", "country": "YE"})
    assert json.loads(streamed(filtered))["features"] == []


@pytest.mark.parametrize(
    "url", ["/api/v1/events/", "/api/v1/positions/", "/api/v1/relations/", "/api/v1/actors/"]
)
def test_browsable_filter_form_labels_every_parameter(api_client, world, url):
    html = api_client.get(url, HTTP_ACCEPT="text/html").content.decode()
    assert "[invalid name]" not in html
    assert '<label for="id_q">q:' in html


def test_browsable_filter_form_lists_vocabulary_values(api_client, world):
    html = api_client.get("/api/v1/events/", HTTP_ACCEPT="text/html").content.decode()
    assert '<select name="event_type"' in html
    assert '<option value="airstrike">' in html


def test_every_api_response_says_it_answers_from_the_live_data(api_client, world):
    for url in ["/api/v1/events/", "/api/v1/actors/iran/", "/api/v1/nothing/"]:
        assert api_client.get(url)["Dataset-Version"] == "live"
