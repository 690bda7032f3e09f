import hashlib
import json

import pytest

from datapackage.release import publish
from events.models import Event

from .conftest import CREATED

pytestmark = pytest.mark.django_db


@pytest.fixture
def releases(dataset, releases_dir):
    first = publish("1.0.0", notes="First release.", created=CREATED)
    Event.objects.filter(id=2).update(title="Battle of Aleppo")
    second = publish("1.1.0", notes="A correction.", created="2022-01-01")
    return first, second


def test_releases_list_is_paginated_newest_first(api_client, releases):
    response = api_client.get("/api/v1/releases/")
    assert response.status_code == 200
    body = response.json()
    assert body["count"] == 2
    assert [r["version"] for r in body["results"]] == ["1.1.0", "1.0.0"]
    latest = body["results"][0]
    assert latest["changes_summary"] == {"events": {"added": 0, "removed": 0, "modified": 1}}
    assert latest["downloads"]["zip"] == "http://testserver/datapackage/1.1.0.zip"
    assert "changes" not in latest
    response = api_client.get("/api/v1/releases/", {"page_size": 1, "page": 2})
    assert [r["version"] for r in response.json()["results"]] == ["1.0.0"]


def test_release_detail_lists_the_changes(api_client, releases):
    body = api_client.get("/api/v1/releases/1.1.0/").json()
    assert body["previous_version"] == "1.0.0"
    assert body["notes"] == "A correction."
    assert body["changes"] == {"events": {"added": [], "removed": [], "modified": [2]}}
    assert body["row_counts"]["events"] == 3
    assert body["zip_sha256"] == releases[1].zip_sha256
    resources = body["downloads"]["resources"]
    assert resources["events"] == "http://testserver/datapackage/1.1.0/data/events.csv"
    assert api_client.get("/api/v1/releases/latest/").json()["version"] == "1.1.0"


def test_unknown_release_and_unknown_parameter(api_client, releases):
    response = api_client.get("/api/v1/releases/9.9.9/")
    assert response.status_code == 404
    assert "detail" in response.json()
    response = api_client.get("/api/v1/releases/", {"vesion": "1.0.0"})
    assert response.status_code == 400
    assert "vesion" in response.json()["detail"]


def test_releases_are_read_only(api_client, releases):
    assert api_client.post("/api/v1/releases/", {"version": "3.0.0"}).status_code in (401, 403, 405)
    assert api_client.delete("/api/v1/releases/1.0.0/").status_code in (401, 403, 405)


def test_versioned_downloads_are_immutable_with_etags(client, releases, releases_dir):
    first = releases[0]
    response = client.get("/datapackage/1.0.0.zip")
    assert response.status_code == 200
    body = b"".join(response.streaming_content)
    assert hashlib.sha256(body).hexdigest() == first.zip_sha256
    assert response["ETag"] == f'"{first.zip_sha256}"'
    assert response["Cache-Control"] == "public, max-age=31536000, immutable"
    assert response["Content-Type"] == "application/zip"
    assert "mena-alignments-1.0.0.zip" in response["Content-Disposition"]

    response = client.get("/datapackage/1.0.0/datapackage.json")
    descriptor = json.loads(b"".join(response.streaming_content))
    assert descriptor["version"] == "1.0.0"
    assert response["ETag"] == f'"{first.descriptor_sha256}"'

    response = client.get("/datapackage/1.0.0/data/events.csv")
    content = b"".join(response.streaming_content)
    expected = next(r for r in descriptor["resources"] if r["name"] == "events")["hash"]
    assert response["ETag"] == f'"{expected.removeprefix("sha256:")}"'
    assert f"sha256:{hashlib.sha256(content).hexdigest()}" == expected
    assert response["Content-Type"] == "text/csv; charset=utf-8"


def test_if_none_match_gives_304(client, releases):
    etag = f'"{releases[0].zip_sha256}"'
    response = client.get("/datapackage/1.0.0.zip", headers={"If-None-Match": etag})
    assert response.status_code == 304
    assert response["ETag"] == etag
    response = client.get("/datapackage/1.0.0.zip", headers={"If-None-Match": '"other"'})
    assert response.status_code == 200


def test_latest_redirects_to_the_version(client, releases):
    for path, target in [
        ("/datapackage/latest.zip", "/datapackage/1.1.0.zip"),
        ("/datapackage/latest/datapackage.json", "/datapackage/1.1.0/datapackage.json"),
        ("/datapackage/latest/data/actors.csv", "/datapackage/1.1.0/data/actors.csv"),
    ]:
        response = client.get(path)
        assert response.status_code == 302
        assert response["Location"] == target
        assert response["Cache-Control"] == "public, max-age=60"


def test_the_two_versions_serve_different_events(client, releases):
    old = b"".join(client.get("/datapackage/1.0.0/data/events.csv").streaming_content)
    new = b"".join(client.get("/datapackage/1.1.0/data/events.csv").streaming_content)
    assert b"Aleppo offensive" in old and b"Battle of Aleppo" in new


@pytest.mark.parametrize(
    "path",
    [
        "/datapackage/9.9.9.zip",
        "/datapackage/1.0.zip",
        "/datapackage/9.9.9/datapackage.json",
        "/datapackage/1.0.0/data/secrets.csv",
        "/datapackage/1.0.0/data/..%2F..%2Fdatapackage.csv",
        "/datapackage/..%2F1.0.0/data/events.csv",
    ],
)
def test_unknown_versions_and_resources_are_json_404(client, releases, path):
    response = client.get(path)
    assert response.status_code == 404
    assert response["Content-Type"] == "application/json"
    assert "detail" in response.json()


def test_no_release_yet(client, db, releases_dir):
    response = client.get("/datapackage/latest.zip")
    assert response.status_code == 404
    assert response.json()["detail"]


def test_a_download_refuses_a_query_parameter(client, db):
    response = client.get("/datapackage/latest.zip", {"versoin": "1.0.0"})
    assert response.status_code == 400
    assert "versoin" in response.json()["errors"]
