"""The hostile corpus (hostile.py): every case is refused by validate_datapackage and by
load_datapackage with a message at its place, and the database is left byte-identical."""

import re

import pytest
from django.core.management import call_command

from datapackage.validate import Problem
from events.models import Event

from .conftest import dump_bytes
from .hostile import CASES

pytestmark = pytest.mark.django_db

TITLE = re.compile(r"^(?:package \(datapackage\.json\)|(\w+) \(data/\w+\.csv\)): \d+ errors?$")


def located(output):
    """{(resource, location)} of the errors a command printed (Report.format)."""
    found = set()
    resource = None
    for line in output.splitlines():
        title = TITLE.match(line)
        if title:
            resource = title.group(1) or ""
        elif line.startswith("  ") and resource is not None:
            found.add((resource, line[2:].split(": ", 1)[0]))
    return found


def refuse(command, path, capsys):
    with pytest.raises(SystemExit) as exit_info:
        call_command(command, str(path), *(["--replace"] if command == "load_datapackage" else []))
    assert exit_info.value.code == 1
    return located(capsys.readouterr().out)


def test_the_corpus_has_every_case_once():
    ids = [case.id for case in CASES]
    assert len(ids) == len(set(ids))
    assert len(ids) >= 100


@pytest.mark.parametrize("case", CASES, ids=[case.id for case in CASES])
def test_a_hostile_package_is_refused_where_it_is_wrong(case, package, tmp_path, capsys):
    path = case.make(package, tmp_path)
    Event.objects.filter(id=7).update(title="Edited in the database")  # a replace would undo it
    before = dump_bytes()
    resource, row, field = case.where
    where = (resource, Problem(resource, row, field, "").location())
    assert where in refuse("validate_datapackage", path, capsys)
    assert where in refuse("load_datapackage", path, capsys)
    assert dump_bytes() == before
