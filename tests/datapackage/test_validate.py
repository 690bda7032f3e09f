import json
import sys
import zipfile

import pytest
from django.core.management import call_command

from actors.models import HIERARCHY_RULE
from common import rules
from common.rules import CitedBy
from datapackage import validate
from datapackage.release import write_zip
from datapackage.schema import PACKAGE_NAME
from datapackage.validate import Report, check_shape, validate_package
from events.models import CITATION_RULES, Source

from .conftest import copy_package, edit_csv

pytestmark = pytest.mark.django_db


def problems(path):
    report = validate_package(path)
    return [(p.resource, p.row, p.field, p.message) for p in report.problems]


def set_cell(resource, key, column, value):
    """An edit that sets ``column`` of the row whose first cell is ``key``."""

    def change(rows):
        index = rows[0].index(column)
        for row in rows[1:]:
            if row[0] == key:
                row[index] = value
        return rows

    return resource, change


def test_a_built_package_is_valid(package):
    report = validate_package(package)
    assert report.problems == []
    assert report.version == "1.0.0"
    assert report.row_counts["events"] == 3


def test_folder_descriptor_and_zip_are_accepted(package, tmp_path):
    write_zip(package, tmp_path / "p.zip")
    for path in (package, package / "datapackage.json", tmp_path / "p.zip"):
        assert validate_package(path).valid, path


@pytest.mark.parametrize(
    "edit, expected",
    [
        (set_cell("events", "2", "date_start", "2016-1-1"), ("events", 3, "date_start")),
        (set_cell("events", "2", "date_start", "20160101"), ("events", 3, "date_start")),
        (set_cell("events", "2", "date_end", "2016-02-30"), ("events", 3, "date_end")),
        (set_cell("events", "2", "fatalities", "+5"), ("events", 3, "fatalities")),
        (set_cell("events", "2", "fatalities", "007"), ("events", 3, "fatalities")),
        (set_cell("events", "2", "fatalities", "-1"), ("events", 3, "fatalities")),
        (set_cell("events", "1", "latitude", "NaN"), ("events", 2, "latitude")),
        (set_cell("events", "1", "latitude", "inf"), ("events", 2, "latitude")),
        (set_cell("events", "1", "latitude", "95"), ("events", 2, "latitude")),
        (set_cell("events", "1", "event_type", "carpet_bombing"), ("events", 2, "event_type")),
        (set_cell("events", "1", "country", "Syria"), ("events", 2, "country")),
        (set_cell("events", "1", "title", ""), ("events", 2, "title")),
        (set_cell("actors", "iran", "kind", "empire"), ("actors", 3, "kind")),
        (set_cell("sources", "3", "url", "ftp://example.org/x"), ("sources", 4, "url")),
        (set_cell("event_actors", "7", "actor", "nobody"), ("event_actors", 6, "actor")),
        (set_cell("actors", "irgc", "parent", "nobody"), ("actors", 4, "parent")),
        (set_cell("positions", "3", "issue", "unknown-issue"), ("positions", 4, "issue")),
    ],
)
def test_cell_errors_are_reported_by_resource_row_and_field(package, tmp_path, edit, expected):
    folder = copy_package(package, tmp_path / "bad")
    edit_csv(folder, *edit)
    found = problems(folder)
    assert found, "the package should be invalid"
    assert any(p[:2] == expected[:2] and expected[2] in p[2] for p in found), found


@pytest.mark.parametrize(
    "edit, rule",
    [
        (set_cell("events", "2", "date_end", "2015-12-31"), "event_date_end_after_start"),
        (set_cell("events", "7", "date_start", "2018-02-15"), "event_month_precision_first_day"),
        (set_cell("events", "2", "date_start", "2016-03-01"), "event_year_precision_first_jan"),
        (set_cell("events", "7", "date_end", "2018-03-15"), "event_month_precision_end_first"),
        (set_cell("events", "2", "date_end", "2017-05-05"), "event_year_precision_end_first_jan"),
        (set_cell("positions", "1", "date_end", "2015-04-14"), "position_month_precision_end"),
        (set_cell("relations", "2", "date_end", "2015-07-03"), "relation_year_precision_end"),
        (set_cell("events", "1", "longitude", ""), "event_coordinates_complete"),
        (set_cell("events", "1", "geo_precision", ""), "event_coordinates_complete"),
        (set_cell("positions", "2", "date_precision", "day"), "position_undated_has_no_precision"),
        (set_cell("actors", "iran", "parent", "iran"), "actor_not_own_parent"),
    ],
)
def test_database_rules_between_fields_are_checked(package, tmp_path, edit, rule):
    folder = copy_package(package, tmp_path / "bad")
    edit_csv(folder, *edit)
    found = problems(folder)
    assert any(rule in p[3] for p in found), found


def test_rule_errors_say_what_the_rule_asks(package, tmp_path):
    folder = copy_package(package, tmp_path / "bad")
    edit_csv(folder, *set_cell("events", "7", "date_start", "2018-02-15"))
    messages = [p[3] for p in problems(folder) if "month_precision" in p[3]]
    assert messages == [
        "model-rule: a month-precision date is stored as the first day of its month: "
        "event_month_precision_first_day (date_precision, date_start)"
    ]


def test_an_end_date_finer_than_the_rows_precision_is_refused_at_date_end(package, tmp_path):
    # A row has one precision, for its start and its end: 2016-2017 (year) cannot end on
    # 5 May 2017.
    folder = copy_package(package, tmp_path / "bad")
    edit_csv(folder, *set_cell("events", "2", "date_end", "2017-05-05"))
    assert [p for p in problems(folder) if "precision" in p[3]] == [
        (
            "events",
            3,
            "date_end",
            "model-rule: a year-precision end date is stored as 1 January of its year: "
            "event_year_precision_end_first_january (date_end, date_precision)",
        )
    ]


def test_cycles_in_the_actor_hierarchy_are_refused(package, tmp_path):
    folder = copy_package(package, tmp_path / "bad")
    edit_csv(folder, *set_cell("actors", "iran", "parent", "quds-force"))
    found = problems(folder)
    assert {p[:3] for p in found} >= {("actors", 3, "parent")}
    assert any("own ancestor" in p[3] for p in found)


def test_duplicate_keys_are_refused(package, tmp_path):
    folder = copy_package(package, tmp_path / "bad")
    edit_csv(folder, "events", lambda rows: [*rows, rows[1]])
    found = problems(folder)
    assert any(p[0] == "events" and p[1] == 5 and "primary-key" in p[3] for p in found), found
    edit_csv(folder, "actors", lambda rows: [*rows, [*rows[1][:1], "Other", *rows[1][2:]]])
    assert any(p[0] == "actors" and "primary-key" in p[3] for p in problems(folder))


def test_events_and_positions_must_cite_a_source(package, tmp_path):
    folder = copy_package(package, tmp_path / "bad")
    edit_csv(folder, "event_sources", lambda rows: [r for r in rows if r[0] != "7"])
    assert ("events", 4, "id") in {p[:3] for p in problems(folder)}


def test_an_edited_file_no_longer_matches_its_hash(package, tmp_path):
    folder = copy_package(package, tmp_path / "bad")
    path = folder / "data" / "issues.csv"
    path.write_bytes(path.read_bytes().replace(b"SSR", b"SSX"))
    found = problems(folder)
    assert any(p[0] == "issues" and "hash" in p[3] for p in found), found


def test_missing_file_and_wrong_header(package, tmp_path):
    folder = copy_package(package, tmp_path / "bad")
    (folder / "data" / "issues.csv").unlink()
    assert ("issues", 0, "") in {p[:3] for p in problems(folder)}
    folder = copy_package(package, tmp_path / "bad2")
    edit_csv(
        folder, "issues", lambda rows: [["slug", "title", "country", "description"], *rows[1:]]
    )
    assert any(p[0] == "issues" and "label" in p[3] for p in problems(folder))


def test_resource_paths_outside_the_package_are_refused(package, tmp_path):
    (tmp_path / "secret.csv").write_text("slug\nx\n")
    for path in ("../secret.csv", "/etc/passwd", "https://example.org/issues.csv"):
        folder = copy_package(package, tmp_path / f"bad{abs(hash(path))}")
        descriptor = json.loads((folder / "datapackage.json").read_text())
        descriptor["resources"][6]["path"] = path
        (folder / "datapackage.json").write_text(json.dumps(descriptor))
        assert ("issues", 0, "path") in {p[:3] for p in problems(folder)}


def test_a_symlinked_file_is_refused(package, tmp_path):
    folder = copy_package(package, tmp_path / "bad")
    outside = tmp_path / "issues.csv"
    (folder / "data" / "issues.csv").rename(outside)
    (folder / "data" / "issues.csv").symlink_to(outside)
    assert any("outside" in p[3] for p in problems(folder))


@pytest.mark.parametrize("name", ["../evil.csv", "/abs.csv", "data/../../evil.csv", "extra.txt"])
def test_zip_members_outside_the_package_are_refused(package, tmp_path, name):
    path = tmp_path / "p.zip"
    write_zip(package, path)
    with zipfile.ZipFile(path, "a") as archive:
        archive.writestr(name, "x")
    found = problems(path)
    assert found and found[0][0] == ""
    assert not (tmp_path.parent / "evil.csv").exists()


def test_truncated_zip_is_refused(package, tmp_path):
    path = tmp_path / "p.zip"
    write_zip(package, path)
    path.write_bytes(path.read_bytes()[: path.stat().st_size // 2])
    assert problems(path)


def test_a_relaxed_declared_schema_does_not_relax_validation(package, tmp_path):
    folder = copy_package(package, tmp_path / "bad")
    edit_csv(folder, *set_cell("events", "1", "event_type", "carpet_bombing"))
    descriptor = json.loads((folder / "datapackage.json").read_text())
    for resource in descriptor["resources"]:
        for f in resource["schema"]["fields"]:
            f.pop("constraints", None)
    (folder / "datapackage.json").write_text(json.dumps(descriptor))
    assert any(p[2] == "event_type" for p in problems(folder))


def test_command_prints_grouped_errors_and_exits_1(package, tmp_path, capsys):
    folder = copy_package(package, tmp_path / "bad")
    edit_csv(folder, *set_cell("events", "2", "date_start", "2016-1-1"))
    edit_csv(folder, *set_cell("event_actors", "7", "actor", "nobody"))
    with pytest.raises(SystemExit) as exit_info:
        call_command("validate_datapackage", str(folder))
    assert exit_info.value.code == 1
    out = capsys.readouterr().out
    assert "events (data/events.csv): 1 error" in out
    assert "  row 3, date_start: canonical-form: '2016-1-1' is not an ISO date" in out
    assert "event_actors (data/event_actors.csv): 1 error" in out
    assert out.index("events (") < out.index("event_actors (")


def test_command_on_a_valid_package(package, capsys):
    call_command("validate_datapackage", str(package))
    assert "valid (1.0.0" in capsys.readouterr().out


def test_rows_out_of_key_order_are_valid_with_a_warning(package, tmp_path):
    folder = copy_package(package, tmp_path / "unsorted")
    edit_csv(folder, "events", lambda rows: [rows[0], *reversed(rows[1:])])
    report = validate_package(folder)
    assert report.valid, report.format()
    assert any("not in primary-key order" in warning for warning in report.warnings)


def test_duplicate_keys_are_found_in_unsorted_files_too(package, tmp_path):
    folder = copy_package(package, tmp_path / "unsorted")
    edit_csv(folder, "event_actors", lambda rows: [rows[0], *reversed(rows[1:]), rows[3]])
    found = problems(folder)
    assert [p[:2] for p in found if "primary-key" in p[3]] == [("event_actors", 7)], found


def test_citation_errors_say_what_the_rule_asks(package, tmp_path):
    folder = copy_package(package, tmp_path / "bad")
    edit_csv(folder, "position_sources", lambda rows: [r for r in rows if r[0] != "3"])
    assert [p for p in problems(folder)] == [
        (
            "positions",
            4,
            "id",
            f"cited-by: position 3 has no row in position_sources. {CITATION_RULES[1].message}",
        )
    ]


def test_the_rules_checked_are_those_of_schema_rules(package, tmp_path, monkeypatch):
    """A cited resource is one line in RULES: here, every source cited by an event."""
    folder = copy_package(package, tmp_path / "bad")
    edit_csv(folder, "event_sources", lambda rows: [r for r in rows if r[0] != "7"])
    assert ("events", 4, "id") in {p[:3] for p in problems(folder)}
    # A rule registers its model as cited; this one must not outlive the test.
    monkeypatch.setattr(rules, "_CITED", dict(rules._CITED))
    rule = CitedBy(Source, "event_citations")
    monkeypatch.setattr(validate, "RULES", [rule])
    assert [p[:3] for p in problems(folder)] == [("sources", 4, "id")]
    assert rule.message in problems(folder)[0][3]


def chain(length, *, cycle=False):
    """Actors zz-0000 -> zz-0001 -> ... each the parent of the next (the last the parent
    of the first, with ``cycle``)."""

    def change(rows):
        header = rows[0]
        for level in range(length):
            row = dict.fromkeys(header, "")
            parent = level - 1 if level else (length - 1 if cycle else None)
            row.update(slug=f"zz-{level:04d}", name=f"Level {level}", kind="other")
            row["parent"] = "" if parent is None else f"zz-{parent:04d}"
            rows.append([row[name] for name in header])
        return rows

    return change


def test_a_hierarchy_deeper_than_its_limit_is_refused_row_by_row(package, tmp_path):
    folder = copy_package(package, tmp_path / "deep")
    edit_csv(folder, "actors", chain(HIERARCHY_RULE.max_depth + 3))
    found = [p for p in problems(folder) if p[0] == "actors"]
    # Five actors precede the chain; the rows with more than max_depth ancestors:
    first = 7 + HIERARCHY_RULE.max_depth + 1
    assert [p[:3] for p in found] == [("actors", row, "parent") for row in range(first, first + 2)]
    assert HIERARCHY_RULE.depth_message in found[0][3]


def test_a_long_cycle_is_walked_once_and_each_member_reported(package, tmp_path):
    folder = copy_package(package, tmp_path / "cycle")
    edit_csv(folder, "actors", chain(20_000, cycle=True))
    found = [p for p in problems(folder) if p[0] == "actors"]
    assert len(found) == 100  # reported per rule at most
    assert found[0][1:3] == (7, "parent")
    assert all(HIERARCHY_RULE.message in p[3] for p in found)


def test_rows_leading_into_a_cycle_are_not_reported_as_in_it(package, tmp_path):
    folder = copy_package(package, tmp_path / "cycle")
    edit_csv(folder, *set_cell("actors", "iran", "parent", "quds-force"))
    edit_csv(folder, "actors", lambda rows: [*rows, unit_below(rows, "quds-force")])
    found = {p[1] for p in problems(folder) if HIERARCHY_RULE.message in p[3]}
    assert found == {3, 4, 5}  # iran, irgc and quds-force; not zz-unit below them


def unit_below(rows, parent):
    row = dict.fromkeys(rows[0], "")
    row.update(slug="zz-unit", name="Unit", kind="other", parent=parent)
    return [row[name] for name in rows[0]]


def test_a_descriptor_nested_past_the_recursion_limit_is_refused_in_words():
    deep = []
    for _level in range(sys.getrecursionlimit()):
        deep = [deep]
    descriptor = {"name": PACKAGE_NAME, "version": "1.0.0", "resources": [{"name": deep}]}
    report = Report()
    check_shape(descriptor, report)
    assert [(p.resource, p.row, p.field) for p in report.problems] == [("", 0, "")]
    assert "nested too deeply" in report.problems[0].message
