import json

import pytest

from datapackage.build import build_package, files_info
from datapackage.load import delete_all
from datapackage.schema import PACKAGE_NAME, RESOURCES

from .conftest import CREATED, VERSION, build, files, fill

pytestmark = pytest.mark.django_db


def test_build_writes_every_resource_and_the_descriptor(dataset, tmp_path):
    descriptor, counts = build_package(tmp_path / "p", version="1.2.3", created="2021-07-03")
    names = [resource["name"] for resource in descriptor["resources"]]
    assert names == [table.name for table in RESOURCES]
    for table in RESOURCES:
        text = (tmp_path / "p" / "data" / f"{table.name}.csv").read_text(encoding="utf-8")
        assert text.split("\n", 1)[0] == ",".join(table.header)
    assert counts["events"] == 3 and counts["event_actors"] == 5 and counts["actors"] == 5
    on_disk = json.loads((tmp_path / "p" / "datapackage.json").read_text(encoding="utf-8"))
    assert on_disk == descriptor
    assert on_disk["name"] == PACKAGE_NAME
    assert on_disk["version"] == "1.2.3"
    assert on_disk["created"] == "2021-07-03T00:00:00Z"
    for key in ("title", "description", "licenses", "sources", "contributors", "keywords"):
        assert on_disk[key], key
    assert on_disk["licenses"][0]["name"] == "CC-BY-4.0"
    assert "military-allies-or-competitive-partners" in on_disk["sources"][0]["path"]


def test_bytes_and_hash_describe_the_files(package):
    descriptor = json.loads((package / "datapackage.json").read_text(encoding="utf-8"))
    info = files_info(package)
    for resource in descriptor["resources"]:
        nbytes, sha256 = info[resource["name"]]
        assert resource["bytes"] == nbytes
        assert resource["hash"] == f"sha256:{sha256}"
        assert resource["path"] == f"data/{resource['name']}.csv"


def test_rows_are_in_key_order_with_canonical_values(package):
    events = (package / "data" / "events.csv").read_text(encoding="utf-8").splitlines()
    assert [line.split(",")[0] for line in events[1:]] == ["1", "2", "7"]
    assert events[1].startswith("1,Russian air campaign begins,Happened.,airstrike,SY,2015-09-30,,")
    assert ",34.7324,36.7137,city,0" in events[1]
    roles = (package / "data" / "event_actors.csv").read_text(encoding="utf-8").splitlines()
    assert roles[1:] == [
        "1,russia,initiator",
        "2,quds-force,participant",
        "2,russia,participant",
        "2,russia,supporter",
        "7,houthis,participant",
    ]
    actors = (package / "data" / "actors.csv").read_text(encoding="utf-8")
    assert '"Houthis, ""Ansar Allah"""' in actors  # quoted once, quotes doubled
    assert "\r" not in actors


def test_the_same_rows_inserted_in_another_order_give_the_same_bytes(db, tmp_path):
    fill()
    build(tmp_path / "a")
    delete_all()
    fill(reverse=True)
    build(tmp_path / "b")
    first, second = files(tmp_path / "a"), files(tmp_path / "b")
    assert list(first) == list(second)
    for name in first:
        assert first[name] == second[name], name


def test_a_changed_row_changes_the_bytes(dataset, tmp_path):
    build(tmp_path / "a")
    from events.models import Event

    Event.objects.filter(id=7).update(title="Talks in Sochi (2)")
    build(tmp_path / "b")
    assert files(tmp_path / "a")["data/actors.csv"] == files(tmp_path / "b")["data/actors.csv"]
    assert files(tmp_path / "a")["data/events.csv"] != files(tmp_path / "b")["data/events.csv"]


def test_rebuilding_in_place_keeps_version_and_created(dataset, tmp_path):
    build(tmp_path / "p")
    before = files(tmp_path / "p")
    build_package(tmp_path / "p")  # no version or created given
    assert files(tmp_path / "p") == before
    descriptor = json.loads((tmp_path / "p" / "datapackage.json").read_text())
    assert (descriptor["version"], descriptor["created"]) == (VERSION, CREATED)


def test_unreleased_build_gets_a_development_version(dataset, tmp_path):
    descriptor, _ = build_package(tmp_path / "new")
    assert descriptor["version"] == "1.0.0-dev"


def test_bad_version_is_refused(dataset, tmp_path):
    with pytest.raises(ValueError):
        build_package(tmp_path / "p", version="v1")


def test_build_command(dataset, tmp_path, capsys):
    from django.core.management import call_command

    call_command(
        "build_datapackage", str(tmp_path / "p"), "--version", "2.0.0", "--created", CREATED
    )
    out = capsys.readouterr().out
    assert "mena-alignments 2.0.0" in out and "events 3" in out
    descriptor = json.loads((tmp_path / "p" / "datapackage.json").read_text())
    assert descriptor["version"] == "2.0.0"
