"""The worked example (examples/russia_iran.py) run as a researcher runs it: a separate
process against a real server holding releases 1.0.0, 1.1.0 and 1.1.1 of the bundled dataset."""

import datetime
import importlib.util
import re
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest
from django.conf import settings as django_settings
from django.core.management import call_command

from datapackage.release import release_paths

SCRIPT = Path(django_settings.BASE_DIR) / "examples" / "russia_iran.py"
DATASET = Path(django_settings.BASE_DIR) / "dataset"

# The live server reads what the test writes only when each write is committed.
pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def server(live_server, settings, tmp_path):
    """The server's address, with 1.0.0 and 1.1.0 imported as shipped and 1.1.1 published
    from dataset/, as `make setup` does."""
    settings.RELEASES_DIR = tmp_path / "releases"
    settings.RELEASE_SNAPSHOTS_DIR = tmp_path / "snapshots"
    call_command(
        "import_release",
        str(DATASET / "releases" / "mena-alignments-1.0.0.zip"),
        str(DATASET / "releases" / "mena-alignments-1.1.0.zip"),
        verbosity=0,
    )
    call_command("load_datapackage", str(DATASET), verbosity=0)
    call_command(
        "publish_release", "1.1.1", notes_file=str(DATASET / "notes" / "1.1.1.md"), verbosity=0
    )
    return live_server.url


def run(url, *args):
    return subprocess.run(
        [sys.executable, str(SCRIPT), "--url", url, *args], capture_output=True, text=True
    )


def figure(stdout, name):
    """A summary figure of the report: (actors only, tree=true)."""
    match = re.search(rf"^{name}\s+(\S+)\s+(\S+)$", stdout, re.MULTILINE)
    assert match, f"no {name} in the report:\n{stdout}"
    return match.groups()


def checked(stdout):
    return re.findall(r"^equal: (\S+)$", stdout, re.MULTILINE)


@pytest.mark.parametrize("version", ["1.1.0", "1.1.1"])
def test_the_rebuild_of_a_release_with_relations_equals_the_api(server, version):
    result = run(server, "--release", version)
    assert result.returncode == 0, result.stdout + result.stderr
    assert f"Pinned release {version} (as asked)" in result.stdout
    assert figure(result.stdout, "issues_compared") == ("15", "15")
    assert figure(result.stdout, "compete") == ("1", "1")
    assert len(checked(result.stdout)) == 2
    assert all(f"release={version}" in address for address in checked(result.stdout))


def test_release_1_0_0_without_relations_is_rebuilt_with_no_compete(server):
    result = run(server, "--release", "1.0.0")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "Pinned release 1.0.0 (as asked)" in result.stdout
    assert figure(result.stdout, "compete") == ("0", "0")
    assert not re.search(r"^relations ", result.stdout, re.MULTILINE)
    assert all("release=1.0.0" in address for address in checked(result.stdout))


def test_without_a_release_the_latest_is_pinned_once(server):
    result = run(server)
    assert result.returncode == 0, result.stdout + result.stderr
    assert f"Pinned release 1.1.1 (the latest at {server})" in result.stdout
    assert all("release=1.1.1" in address for address in checked(result.stdout))


def test_a_zip_that_is_not_the_releases_is_refused(server):
    zip_path = release_paths("1.1.0")[1]
    zip_path.write_bytes(zip_path.read_bytes() + b"\0")
    result = run(server, "--release", "1.1.0")
    assert result.returncode == 2
    assert "sha256" in result.stderr
    assert "Validated" not in result.stdout


def test_an_unknown_release_is_refused(server):
    result = run(server, "--release", "9.9.9")
    assert result.returncode == 2
    assert "404" in result.stderr


@pytest.fixture
def example():
    spec = importlib.util.spec_from_file_location("russia_iran", SCRIPT)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_a_rebuild_that_differs_from_the_api_exits_1_naming_the_difference(
    server, example, monkeypatch, capsys
):
    rebuild = example.rebuild

    def one_verdict_off(tables, tree):
        result = rebuild(tables, tree)
        result["issues"]["syria-reconstruction-contracts"]["verdict"] = "agree"
        return result

    monkeypatch.setattr(example, "rebuild", one_verdict_off)
    assert example.main(["--url", server, "--release", "1.1.0"]) == 1
    stdout = capsys.readouterr().out
    assert "DIFFERENT" in stdout
    assert "issues syria-reconstruction-contracts" in stdout
    assert "'verdict': 'agree'" in stdout and "'verdict': 'compete'" in stdout


def test_the_latest_position_is_by_date_then_highest_id_and_undated_is_oldest(example):
    # The bundled data has no tie between two dated positions of one side: rows made here.
    def position(pk, stance, start):
        return {"id": pk, "actor": "a", "issue": "i", "stance": stance, "date_start": start}

    start = datetime.date(2015, 1, 1)
    positions = pd.DataFrame(
        [position(2, "opposes", start), position(1, "supports", start), position(3, "mixed", None)]
    )
    latest = example.latest_positions(positions, {"a"})
    assert latest.loc["i", "stance"] == "opposes"
    assert latest.loc["i", "ids"] == [1, 2, 3]
