import json
import zipfile

import pytest
from django.core.management import call_command
from django.db import connection, transaction

from actors.models import Actor
from datapackage.load import (
    LoadError,
    delete_all,
    load_package,
    load_rows,
    validate_and_trial_load,
)
from datapackage.release import write_zip
from events.models import Event, Position, Source
from tests.factories import EventFactory, IssueFactory, PositionFactory, SourceFactory

from .conftest import build, copy_package, dump, edit_csv, files
from .test_validate import set_cell

pytestmark = pytest.mark.django_db


def test_round_trip_gives_byte_identical_files(package, tmp_path):
    delete_all()
    assert dump() == {name: [] for name in dump()}
    load_package(package)
    build(tmp_path / "again")
    assert files(tmp_path / "again") == files(package)


def test_a_lone_carriage_return_survives_the_round_trip(package, tmp_path):
    # csv.writer of Python 3.11 wrote it bare, and every reader split the row there.
    Event.objects.filter(id=2).update(summary="first line\rsecond line")
    build(tmp_path / "again")
    delete_all()
    load_package(tmp_path / "again")
    assert Event.objects.get(id=2).summary == "first line\rsecond line"


def test_load_keeps_public_keys(package):
    delete_all()
    load_package(package)
    assert sorted(Event.objects.values_list("id", flat=True)) == [1, 2, 7]
    assert Actor.objects.get(slug="quds-force").parent.slug == "irgc"
    assert Actor.objects.get(slug="irgc").parent.slug == "iran"
    assert sorted(Position.objects.values_list("id", flat=True)) == [1, 2, 3]
    event = Event.objects.get(id=2)
    assert sorted(event.actors.values_list("slug", flat=True)) == ["quds-force", "russia", "russia"]


def test_new_rows_can_be_created_after_a_load(package):
    delete_all()
    load_package(package)
    # Sequences (PostgreSQL) follow the loaded ids: no collision with id 7 or 3.
    event = EventFactory()
    assert event.id > 7
    assert SourceFactory().id > 3
    assert PositionFactory().id > 3
    IssueFactory(slug="new-issue")
    assert Actor.objects.create(slug="new-actor", name="New", kind="state").pk


def test_load_refuses_a_database_with_data(package):
    before = dump()
    with pytest.raises(LoadError, match="already has data"):
        load_package(package)
    assert dump() == before


def test_replace_replaces_the_data(package, tmp_path):
    folder = copy_package(package, tmp_path / "changed")
    edit_csv(folder, *set_cell("events", "7", "title", "Talks in Astana"))
    SourceFactory(id=99, title="Not in the package")
    load_package(folder, replace=True)
    assert Event.objects.get(id=7).title == "Talks in Astana"
    assert not Source.objects.filter(id=99).exists()
    build(tmp_path / "rebuilt")
    assert files(tmp_path / "rebuilt")["data/events.csv"] == files(folder)["data/events.csv"]


def _bad(package, tmp_path, edit):
    folder = copy_package(package, tmp_path / "bad")
    edit_csv(folder, *edit)
    return folder


@pytest.mark.parametrize(
    "edit",
    [
        pytest.param(set_cell("event_actors", "7", "actor", "nobody"), id="dangling-fk"),
        pytest.param(set_cell("actors", "irgc", "parent", "nobody"), id="dangling-parent"),
        pytest.param(set_cell("events", "1", "event_type", "carpet_bombing"), id="bad-vocabulary"),
        pytest.param(set_cell("events", "2", "date_start", "2016-13-01"), id="bad-date"),
        pytest.param(set_cell("events", "2", "date_start", "2016-1-1"), id="non-iso-date"),
        pytest.param(set_cell("events", "2", "date_end", "2015-01-01"), id="date-order"),
        pytest.param(("events", lambda rows: [*rows, rows[2]]), id="duplicate-key"),
    ],
)
def test_a_failed_load_changes_nothing(package, tmp_path, edit):
    folder = _bad(package, tmp_path, edit)
    Event.objects.filter(id=7).update(title="Edited in the database")
    before = dump()
    with pytest.raises(LoadError) as error:
        load_package(folder, replace=True)
    assert error.value.report.problems
    assert all(p.row > 1 or p.resource == "" for p in error.value.report.problems)
    assert dump() == before


def test_a_missing_file_changes_nothing(package, tmp_path):
    folder = copy_package(package, tmp_path / "bad")
    (folder / "data" / "positions.csv").unlink()
    before = dump()
    with pytest.raises(LoadError, match="positions.csv is missing"):
        load_package(folder, replace=True)
    assert dump() == before


def test_a_truncated_zip_changes_nothing(package, tmp_path):
    path = tmp_path / "p.zip"
    write_zip(package, path)
    path.write_bytes(path.read_bytes()[:-200])
    before = dump()
    with pytest.raises(LoadError):
        load_package(path, replace=True)
    assert dump() == before


def test_a_zip_loads(package, tmp_path):
    path = tmp_path / "p.zip"
    write_zip(package, path)
    before = dump()
    delete_all()
    load_package(path)
    assert dump() == before


def test_another_major_version_is_refused(package, tmp_path):
    folder = copy_package(package, tmp_path / "v2")
    descriptor = json.loads((folder / "datapackage.json").read_text())
    descriptor["version"] = "2.0.0"
    (folder / "datapackage.json").write_text(json.dumps(descriptor))
    before = dump()
    with pytest.raises(LoadError, match="not compatible"):
        load_package(folder, replace=True)
    assert dump() == before


def test_the_database_rejects_what_validation_would_have(package, tmp_path):
    """Even past the validator, the database's constraints refuse a bad row, naming it."""
    folder = _bad(package, tmp_path, set_cell("events", "7", "event_type", "carpet_bombing"))
    before = dump()
    with pytest.raises(LoadError) as error:
        with transaction.atomic():
            delete_all()
            load_rows(folder)
    assert [(p.resource, p.row) for p in error.value.report.problems] == [("events", 4)]
    assert "rejected by the database" in error.value.report.problems[0].message
    assert dump() == before


def test_load_command(package, capsys):
    delete_all()
    call_command("load_datapackage", str(package))
    assert "Loaded" in capsys.readouterr().out
    call_command("load_datapackage", str(package), "--if-empty")
    assert "database already has data; not loading" in capsys.readouterr().out
    with pytest.raises(SystemExit) as exit_info:
        call_command("load_datapackage", str(package))
    assert exit_info.value.code == 1
    assert "--replace" in capsys.readouterr().out


def test_load_command_refuses_an_invalid_package(package, tmp_path, capsys):
    folder = _bad(package, tmp_path, set_cell("events", "1", "event_type", "carpet_bombing"))
    before = dump()
    with pytest.raises(SystemExit) as exit_info:
        call_command("load_datapackage", str(folder), "--replace")
    assert exit_info.value.code == 1
    captured = capsys.readouterr()
    assert "row 2, event_type" in captured.out
    assert "unchanged" in captured.err
    assert dump() == before


def test_zip_of_the_package_lists_only_package_files(package, tmp_path):
    path = tmp_path / "p.zip"
    write_zip(package, path)
    with zipfile.ZipFile(path) as archive:
        names = archive.namelist()
    assert names == sorted(names)
    assert "datapackage.json" in names and "data/events.csv" in names
    assert connection.vendor in ("sqlite", "postgresql")


def test_trial_load_runs_the_database_constraints_and_changes_nothing(package):
    before = dump()
    report = validate_and_trial_load(package)
    assert report.valid
    assert dump() == before
