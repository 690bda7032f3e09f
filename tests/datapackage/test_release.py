import json
import zipfile

import pytest
from django.core.management import CommandError, call_command

from datapackage.load import delete_all, load_package
from datapackage.models import Release
from datapackage.release import PublishError, publish, sha256_file
from events.models import Event, Issue
from tests.factories import EventFactory, IssueFactory, cited_event

from .conftest import CREATED, build, dump, files, fill

pytestmark = pytest.mark.django_db


def test_publish_stores_an_immutable_release(dataset, releases_dir):
    release = publish("1.0.0", notes="First.", created=CREATED)
    folder, zip_path = releases_dir / "1.0.0", releases_dir / "1.0.0.zip"
    assert sorted(p.relative_to(folder).as_posix() for p in folder.rglob("*") if p.is_file()) == [
        "CHANGELOG.md",
        "README.md",
        "data/actor_aliases.csv",
        "data/actors.csv",
        "data/event_actors.csv",
        "data/event_sources.csv",
        "data/events.csv",
        "data/issues.csv",
        "data/position_sources.csv",
        "data/positions.csv",
        "data/relation_sources.csv",
        "data/relations.csv",
        "data/sources.csv",
        "datapackage.json",
    ]
    assert release.zip_sha256 == sha256_file(zip_path)
    assert release.descriptor_sha256 == sha256_file(folder / "datapackage.json")
    assert release.row_counts["events"] == 3 and release.row_counts["actors"] == 5
    assert release.previous_version == ""
    assert release.changes["events"]["added"] == [1, 2, 7]
    assert release.changes["event_actors"]["added"][0] == [1, "russia", "initiator"]
    assert json.loads((folder / "datapackage.json").read_text())["version"] == "1.0.0"
    assert (zip_path.stat().st_mode & 0o222) == 0  # read-only
    assert ((folder / "data" / "events.csv").stat().st_mode & 0o222) == 0
    assert sorted(releases_dir.iterdir()) == [folder, zip_path]  # no temporary files left
    with zipfile.ZipFile(zip_path) as archive:
        infos = archive.infolist()
        assert [i.filename for i in infos] == sorted(i.filename for i in infos)
        assert {i.date_time for i in infos} == {(1980, 1, 1, 0, 0, 0)}
        assert archive.read("data/events.csv") == (folder / "data" / "events.csv").read_bytes()
        readme = archive.read("README.md").decode()
    assert "version 1.0.0" in readme and "| `data/events.csv` | 3 |" in readme


def test_the_same_data_gives_the_same_zip(db, tmp_path, settings):
    settings.BUNDLED_DATAPACKAGE = tmp_path / "none"
    fill()
    settings.RELEASES_DIR = tmp_path / "a"
    first = publish("1.0.0", notes="n", created=CREATED)
    Release.objects.all().delete()
    delete_all()
    fill(reverse=True)
    settings.RELEASES_DIR = tmp_path / "b"
    second = publish("1.0.0", notes="n", created=CREATED)
    assert first.zip_sha256 == second.zip_sha256
    assert (tmp_path / "a" / "1.0.0.zip").read_bytes() == (
        tmp_path / "b" / "1.0.0.zip"
    ).read_bytes()


def test_row_level_changes_since_the_previous_release(dataset, releases_dir):
    publish("1.0.0", created=CREATED)
    Event.objects.filter(id=2).update(title="Battle of Aleppo")
    Event.objects.filter(id=7).delete()
    new = cited_event(id=8, title="New event")
    Issue.objects.filter(slug="regional").delete()
    IssueFactory(slug="aaa-first", name="First")
    release = publish("1.1.0", notes="Corrections.", created="2022-01-01")
    assert release.previous_version == "1.0.0"
    assert release.changes["events"] == {"added": [new.id], "removed": [7], "modified": [2]}
    assert release.changes["issues"] == {
        "added": ["aaa-first"],
        "removed": ["regional"],
        "modified": [],
    }
    assert release.changes["event_actors"]["removed"] == [[7, "houthis", "participant"]]
    assert "actors" not in release.changes
    changelog = (releases_dir / "1.1.0" / "CHANGELOG.md").read_text()
    assert changelog.index("## 1.1.0") < changelog.index("## 1.0.0")
    assert "- `events`: 1 added, 1 removed, 1 modified" in changelog
    assert "Corrections." in changelog


def test_existing_or_lower_versions_are_refused(dataset, releases_dir):
    publish("1.2.0", created=CREATED)
    before = files(releases_dir)
    for version in ("1.2.0", "1.1.9", "0.9.0"):
        with pytest.raises(PublishError):
            publish(version, created=CREATED)
    assert files(releases_dir) == before
    assert Release.objects.count() == 1
    with pytest.raises(ValueError):
        publish("1.3", created=CREATED)


def test_files_of_a_release_are_never_overwritten(dataset, releases_dir):
    publish("1.0.0", created=CREATED)
    zip_before = (releases_dir / "1.0.0.zip").read_bytes()
    Release.objects.all().delete()  # the files stay; the database is recreated
    Event.objects.filter(id=7).update(title="Changed")
    with pytest.raises(PublishError, match="never overwritten"):
        publish("1.0.0", created=CREATED)
    assert (releases_dir / "1.0.0.zip").read_bytes() == zip_before
    assert not Release.objects.exists()


def test_identical_existing_files_are_adopted(dataset, releases_dir):
    first = publish("1.0.0", created=CREATED)
    Release.objects.all().delete()
    again = publish("1.0.0", created=CREATED)
    assert again.zip_sha256 == first.zip_sha256
    assert [p.name for p in releases_dir.iterdir() if p.name.startswith(".")] == []


def test_an_invalid_database_is_not_published(dataset, releases_dir):
    EventFactory(id=50)  # an event that cites no source
    with pytest.raises(PublishError, match="cites at least one source"):
        publish("1.0.0", created=CREATED)
    assert not Release.objects.exists()
    assert list(releases_dir.iterdir()) == []


def test_a_release_loads_into_an_empty_database_and_rebuilds_identically(
    dataset, releases_dir, tmp_path
):
    publish("1.0.0", created=CREATED)
    before = dump()
    delete_all()
    load_package(releases_dir / "1.0.0.zip")
    assert dump() == before
    build(tmp_path / "rebuilt", version="1.0.0", created=CREATED)
    released = files(releases_dir / "1.0.0")
    for name, content in files(tmp_path / "rebuilt").items():
        assert released[name] == content, name


def test_command_bump_and_if_missing(dataset, releases_dir, capsys):
    call_command("publish_release", "1.0.0", "--notes", "First", "--created", "2021-07-03")
    assert "Published release 1.0.0" in capsys.readouterr().out
    call_command("publish_release", "1.0.0", "--if-missing", "--notes", "First")
    assert "already published" in capsys.readouterr().out
    with pytest.raises(CommandError, match="already exists"):
        call_command("publish_release", "1.0.0")
    call_command("publish_release", "--bump", "minor", "--created", "2021-08-01")
    call_command("publish_release", "--bump", "patch", "--created", "2021-08-02")
    call_command("publish_release", "--bump", "major", "--created", "2021-08-03")
    versions = list(Release.objects.values_list("version", flat=True))
    assert versions == ["2.0.0", "1.1.1", "1.1.0", "1.0.0"]
    assert str(Release.objects.get(version="1.1.0").created.date()) == "2021-08-01"


def test_bundled_dataset_created_makes_its_release_reproducible(
    dataset, releases_dir, settings, tmp_path
):
    bundle = tmp_path / "bundle"
    build(bundle, version="1.0.0", created="2020-02-02")
    settings.BUNDLED_DATAPACKAGE = bundle
    release = publish("1.0.0")
    assert release.created.isoformat() == "2020-02-02T00:00:00+00:00"
    descriptor = json.loads((releases_dir / "1.0.0" / "datapackage.json").read_text())
    assert descriptor["created"] == "2020-02-02T00:00:00Z"


def test_the_bundled_version_is_published_only_from_the_bundled_files(
    dataset, releases_dir, settings, tmp_path
):
    bundle = tmp_path / "bundle"
    build(bundle, version="1.0.0", created=CREATED)
    settings.BUNDLED_DATAPACKAGE = bundle
    Event.objects.filter(id=7).update(title="Edited since the bundle was built")
    with pytest.raises(CommandError) as error:
        call_command("publish_release", "1.0.0", "--if-missing")
    message = str(error.value)
    assert "data/events.csv differ" in message
    assert "load_datapackage" in message and "--replace" in message
    assert "make dataset VERSION=" in message
    assert not Release.objects.exists()
    assert list(releases_dir.iterdir()) == []
    # Another version of the same database is not the bundled one: it publishes.
    assert publish("1.0.1", created=CREATED).version == "1.0.1"


def test_the_bundled_version_publishes_from_the_bundled_files(
    dataset, releases_dir, settings, tmp_path
):
    bundle = tmp_path / "bundle"
    build(bundle, version="1.0.0", created=CREATED)
    settings.BUNDLED_DATAPACKAGE = bundle
    call_command("publish_release", "1.0.0", "--if-missing")
    release = Release.objects.get()
    assert sha256_file(releases_dir / "1.0.0" / "data" / "events.csv") == sha256_file(
        bundle / "data" / "events.csv"
    )
    assert release.version == "1.0.0"


@pytest.mark.parametrize("version", ["2147483648.0.0", "1.2147483648.0", "1.0.9223372036854775808"])
def test_version_numbers_too_large_for_the_database_are_refused(dataset, releases_dir, version):
    with pytest.raises(PublishError, match="larger than 2147483647"):
        publish(version, created=CREATED)
    with pytest.raises(CommandError, match="larger than 2147483647"):
        call_command("publish_release", version)
    assert not Release.objects.exists()
    assert not releases_dir.exists()
