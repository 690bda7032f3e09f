"""?release= answers from a published release exactly, whatever the live data became."""

import sqlite3

import pytest
from django.conf import settings as django_settings
from django.core.management import call_command
from django.db import connection, connections
from django.test.utils import CaptureQueriesContext

from common.api.pagination import encode_cursor
from datapackage.models import Release
from datapackage.release import import_release, publish, release_paths
from datapackage.snapshots import alias_of, snapshot_path
from events.models import Event, Position

from .conftest import fill

pytestmark = pytest.mark.django_db

RESOURCES = ["actors", "sources", "events", "issues", "positions", "relations"]


@pytest.fixture
def published(settings, tmp_path):
    """Release 1.0.0 of the dataset, then live edits, then release 1.1.0."""
    settings.RELEASES_DIR = tmp_path / "releases"
    settings.RELEASE_SNAPSHOTS_DIR = tmp_path / "snapshots"
    settings.BUNDLED_DATAPACKAGE = tmp_path / "no-bundled-dataset"
    fill()
    publish("1.0.0", created="2021-07-03")
    first = Event.objects.order_by("pk").first()
    first.title = "Renamed after 1.0.0"
    first.save()
    Position.objects.order_by("pk").last().delete()
    publish("1.1.0", created="2021-08-01")
    first.title = "Renamed after 1.1.0"
    first.save()
    return first


def body(response):
    if response.streaming:
        return b"".join(response.streaming_content)
    return response.content


@pytest.mark.parametrize("resource", RESOURCES)
def test_a_release_csv_is_its_package_file_byte_for_byte(api_client, published, resource):
    response = api_client.get(f"/api/v1/{resource}/", {"format": "csv", "release": "1.0.0"})
    assert response.status_code == 200
    path = release_paths("1.0.0")[0] / "data" / f"{resource}.csv"
    assert body(response) == path.read_bytes()


def test_each_release_and_the_live_data_answer_their_own_rows(api_client, published):
    def title(**params):
        return api_client.get(f"/api/v1/events/{published.pk}/", params).json()["title"]

    assert title(release="1.0.0") != "Renamed after 1.0.0"
    assert title(release="1.1.0") == "Renamed after 1.0.0"
    assert title() == "Renamed after 1.1.0"


def test_a_row_deleted_since_is_still_in_its_release(api_client, published):
    deleted = api_client.get("/api/v1/positions/", {"release": "1.0.0"}).json()["results"][-1]
    assert not Position.objects.filter(pk=deleted["id"]).exists()
    response = api_client.get(f"/api/v1/positions/{deleted['id']}/", {"release": "1.0.0"})
    assert response.status_code == 200
    assert api_client.get(f"/api/v1/positions/{deleted['id']}/").status_code == 404


def test_latest_is_the_newest_release(api_client, published):
    response = api_client.get("/api/v1/events/", {"release": "latest"})
    assert response["Dataset-Version"] == "1.1.0"
    assert "max-age=60" in response["Cache-Control"]


@pytest.mark.parametrize("paging", [{"page_size": 1}, {"page_size": 1, "cursor": encode_cursor(0)}])
def test_paging_through_latest_stays_on_the_release_that_answered(api_client, published, paging):
    first = api_client.get("/api/v1/events/", {"release": "latest", **paging}).json()
    assert "release=1.1.0" in first["next"] and "latest" not in first["next"]
    publish("1.2.0", created="2021-09-01")
    following = api_client.get(first["next"])
    assert following["Dataset-Version"] == "1.1.0"
    assert "release=1.1.0" in following.json()["next"]
    assert api_client.get("/api/v1/events/", {"release": "latest"})["Dataset-Version"] == "1.2.0"


def test_kept_answers_stay_with_the_data_they_came_from(api_client, published):
    """A release's answer and the live one are kept apart, and ``latest`` moves on."""

    def titles(**params):
        response = api_client.get("/api/v1/events/", params)
        assert response.status_code == 200
        return {row["title"] for row in response.json()["results"]}

    assert "Renamed after 1.0.0" in titles(release="latest")
    assert "Renamed after 1.1.0" in titles()
    published.title = "Renamed before 1.2.0"
    published.save()
    assert "Renamed before 1.2.0" in titles()
    assert "Renamed after 1.0.0" in titles(release="latest")
    assert "Renamed after 1.0.0" not in titles(release="1.0.0")
    publish("1.2.0", created="2021-09-01")
    assert "Renamed before 1.2.0" in titles(release="latest")
    assert "Renamed after 1.0.0" in titles(release="1.1.0")


def test_every_response_names_its_data(api_client, published):
    assert api_client.get("/api/v1/events/")["Dataset-Version"] == "live"
    pinned = api_client.get("/api/v1/events/", {"release": "1.0.0"})
    assert pinned["Dataset-Version"] == "1.0.0"
    assert "immutable" in pinned["Cache-Control"]


@pytest.mark.parametrize("version", ["9.9.9", "1.0.1"])
def test_an_unknown_release_is_a_json_404(api_client, published, version):
    response = api_client.get("/api/v1/events/", {"release": version})
    assert response.status_code == 404
    assert "No release" in response.json()["detail"]


@pytest.mark.parametrize(
    "version", ["", "1.0", "nonsense", "1.0.0\n", "1.0.0\x00", "../../etc", "01.0.0", "Latest"]
)
def test_a_malformed_release_is_a_400_naming_it(api_client, published, version):
    response = api_client.get("/api/v1/events/", {"release": version})
    assert response.status_code == 400
    assert list(response.json()["errors"]) == ["release"]


@pytest.mark.parametrize(("version", "status"), [("9.9.9", 404), ("nonsense", 400)])
def test_a_page_with_a_bad_release_says_so_in_a_page(client, published, version, status):
    response = client.get("/events/", {"release": version})
    assert response.status_code == status
    assert response["Content-Type"].startswith("text/html")
    assert "release" in response.content.decode()


def test_filters_ordering_and_pages_work_on_a_release(api_client, published):
    everything = api_client.get("/api/v1/events/", {"release": "1.0.0"}).json()
    assert everything["count"] >= 3
    params = {"ordering": "-date_start", "page_size": 1, "page": 2, "release": "1.0.0"}
    pinned = api_client.get("/api/v1/events/", params).json()
    assert len(pinned["results"]) == 1
    assert "release=1.0.0" in pinned["next"] and "release=1.0.0" in pinned["previous"]
    assert pinned["results"][0]["url"].endswith("?release=1.0.0")
    newest_first = sorted(
        everything["results"], key=lambda row: (row["date_start"] or "", row["id"]), reverse=True
    )
    assert pinned["results"][0]["id"] == newest_first[1]["id"]
    filtered = api_client.get("/api/v1/events/", {"country": "YE", "release": "1.0.0"}).json()
    assert {row["country"] for row in filtered["results"]} <= {"YE"}


def test_a_list_item_of_a_release_equals_its_detail(api_client, published):
    for item in api_client.get("/api/v1/events/", {"release": "1.0.0"}).json()["results"]:
        assert item == api_client.get(item["url"]).json()


def test_the_alignment_of_a_release(api_client, published):
    response = api_client.get("/api/v1/alignment/", {"actors": "russia,iran", "release": "1.0.0"})
    assert response.status_code == 200
    assert response["Dataset-Version"] == "1.0.0"


def test_a_release_is_read_only(user_with, published):
    response = user_with("change_event").patch(
        f"/api/v1/events/{published.pk}/?release=1.0.0", {"title": "x"}, format="json"
    )
    assert response.status_code == 400
    assert list(response.json()["errors"]) == ["release"]


def test_updated_after_is_only_for_the_live_data(api_client, published):
    response = api_client.get(
        "/api/v1/events/", {"release": "1.0.0", "updated_after": "2020-01-01T00:00:00Z"}
    )
    assert list(response.json()["errors"]) == ["updated_after"]


def test_release_does_not_apply_to_the_releases_themselves(api_client, published):
    response = api_client.get("/api/v1/releases/", {"release": "1.0.0"})
    assert response.status_code == 400
    assert "release" in response.json()["errors"]


def test_a_release_of_an_earlier_minor_version_answers_in_its_own_columns(
    api_client, settings, tmp_path
):
    settings.RELEASES_DIR = tmp_path / "releases"
    settings.RELEASE_SNAPSHOTS_DIR = tmp_path / "snapshots"
    shipped = django_settings.BASE_DIR / "dataset" / "releases" / "mena-alignments-1.0.0.zip"
    import_release(shipped)
    call_command("load_datapackage", str(django_settings.BUNDLED_DATAPACKAGE), verbosity=0)
    response = api_client.get("/api/v1/events/", {"format": "csv", "release": "1.0.0"})
    path = release_paths("1.0.0")[0] / "data" / "events.csv"
    assert body(response) == path.read_bytes()  # no ongoing_as_of column: 1.0.0 had none
    listed = api_client.get("/api/v1/events/", {"release": "1.0.0"}).json()["results"]
    assert listed and all("ongoing_as_of" not in row for row in listed)
    detail = api_client.get(f"/api/v1/events/{listed[0]['id']}/", {"release": "1.0.0"}).json()
    assert "ongoing_as_of" not in detail and "title" in detail
    assert "ongoing_as_of" in api_client.get(f"/api/v1/events/{listed[0]['id']}/").json()
    wide = api_client.get("/api/v1/events/", {"format": "csv", "wide": "true", "release": "1.0.0"})
    header = body(wide).decode().split("\n", 1)[0].split(",")
    assert "ongoing_as_of" not in header and "participants" in header
    asked = api_client.get("/api/v1/events/", {"fields": "ongoing_as_of", "release": "1.0.0"})
    assert list(asked.json()["errors"]) == ["fields"]
    for params in ({}, {"format": "csv"}):
        relations = api_client.get("/api/v1/relations/", {**params, "release": "1.0.0"})
        assert relations.status_code == 404  # relations came in 1.1.0
        assert "has no relations" in relations.json()["detail"]
    assert api_client.get("/api/v1/relations/").json()["count"] == 40
    downloads = api_client.get("/api/v1/releases/1.0.0/").json()["downloads"]["resources"]
    assert "relations" not in downloads and "events" in downloads


def test_a_snapshot_has_this_codes_indexes_and_planner_statistics(api_client, published):
    assert api_client.get("/api/v1/events/", {"release": "1.0.0"}).status_code == 200
    path = snapshot_path(Release.objects.get(version="1.0.0"))
    with sqlite3.connect(f"file:{path}?mode=ro", uri=True) as snapshot:
        tables = {row[0] for row in snapshot.execute("SELECT name FROM sqlite_master")}
    assert "sqlite_stat1" in tables  # ANALYZEd: the planner picks the covering indexes
    assert {index.name for index in Event._meta.indexes} <= tables


def test_a_query_pinned_to_a_release_does_not_read_its_change_lists(api_client, published):
    # A first release lists every key it added: megabytes of JSON at scale, for nothing.
    with CaptureQueriesContext(connection) as queries:
        assert api_client.get("/api/v1/events/", {"release": "1.1.0"}).status_code == 200
    release_reads = [q["sql"] for q in queries if 'FROM "datapackage_release"' in q["sql"]]
    assert release_reads
    assert not any('"changes"' in sql for sql in release_reads)


def test_a_snapshot_is_read_through_a_memory_map(api_client, published):
    assert api_client.get("/api/v1/events/", {"release": "1.0.0"}).status_code == 200
    alias = alias_of(Release.objects.get(version="1.0.0"))
    with connections[alias].cursor() as cursor:
        cursor.execute("PRAGMA mmap_size")
        assert cursor.fetchone()[0] == django_settings.SQLITE_MMAP_BYTES
