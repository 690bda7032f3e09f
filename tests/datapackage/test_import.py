"""Earlier releases shipped with the code are recorded as published, byte for byte."""

import shutil

import pytest
from django.conf import settings
from django.core.management import CommandError, call_command

from datapackage.models import Release
from datapackage.release import PublishError, import_release, release_paths, sha256_file

SHIPPED = settings.BUNDLED_DATAPACKAGE / "releases" / "mena-alignments-1.0.0.zip"
SHIPPED_1_1_0 = settings.BUNDLED_DATAPACKAGE / "releases" / "mena-alignments-1.1.0.zip"


@pytest.fixture
def releases_dir(settings, tmp_path):
    settings.RELEASES_DIR = tmp_path / "releases"
    return settings.RELEASES_DIR


def test_a_shipped_release_is_recorded_with_its_own_bytes(db, releases_dir):
    release = import_release(SHIPPED)
    assert release.version == "1.0.0"
    assert release.zip_sha256 == sha256_file(SHIPPED)
    folder, zip_path = release_paths("1.0.0")
    assert sha256_file(zip_path) == release.zip_sha256
    assert (folder / "data" / "events.csv").is_file()
    assert release.notes == "The bundled dataset, version 1.0.0."
    assert release.row_counts["events"] == 25
    assert "relations" not in release.row_counts  # the resource came in 1.1.0


def test_importing_again_does_nothing(db, releases_dir):
    first = import_release(SHIPPED)
    assert import_release(SHIPPED).pk == first.pk
    assert Release.objects.count() == 1


def test_another_zip_under_a_published_version_is_refused(db, releases_dir, tmp_path):
    import_release(SHIPPED)
    other = tmp_path / "other.zip"
    shutil.copy(SHIPPED, other)
    with open(other, "ab") as handle:
        handle.write(b"\\0")  # a zip with a trailing byte: the same files, other bytes
    with pytest.raises(PublishError, match="other bytes"):
        import_release(other)


def test_the_shipped_releases_count_their_changes_in_order(db, releases_dir):
    assert import_release(SHIPPED).version == "1.0.0"
    release = import_release(SHIPPED_1_1_0)
    assert release.version == "1.1.0"
    assert release.zip_sha256 == sha256_file(SHIPPED_1_1_0)
    assert release.previous_version == "1.0.0"
    # Rows unchanged but for the new empty column are not "modified".
    assert "actor_aliases" not in release.changes
    assert len(release.changes["relations"]["added"]) == 40
    assert "ongoing" in release.notes
    assert "DESIGN.md" not in release.notes


def test_the_bundled_release_counts_its_changes_from_the_shipped_one(db, releases_dir):
    call_command("import_release", str(SHIPPED), str(SHIPPED_1_1_0), verbosity=0)
    call_command("load_datapackage", str(settings.BUNDLED_DATAPACKAGE), verbosity=0)
    call_command(
        "publish_release",
        "1.1.1",
        notes_file=str(settings.BUNDLED_DATAPACKAGE / "notes" / "1.1.1.md"),
        verbosity=0,
    )
    release = Release.objects.get(version="1.1.1")
    assert release.previous_version == "1.1.0"
    # A patch: corrections to existing rows and one participant row removed, nothing added.
    assert not any(change.get("added") for change in release.changes.values())
    assert len(release.changes["event_actors"]["removed"]) == 1
    assert len(release.changes["events"]["modified"]) == 8
    assert len(release.changes["positions"]["modified"]) == 3
    assert len(release.changes["relations"]["modified"]) == 3
    assert "DESIGN.md" not in release.notes


def test_a_missing_zip_is_a_clear_error(db, releases_dir, tmp_path):
    with pytest.raises(CommandError, match="not a release zip"):
        call_command("import_release", str(tmp_path / "nothing.zip"), verbosity=0)
