"""Validate a data package: frictionless (foreign keys included) plus this dataset's rules.

Frictionless checks types, the Table Schema constraints and foreign keys. It is lenient
where a reproducible dataset cannot be: it reads "+5", "007", "NaN" and "20150901". This
module adds, in the same pass over the rows:

- canonical text: integers without sign or leading zeros, finite numbers, YYYY-MM-DD dates;
- the database's check constraints that relate several fields (date order, month/year
  precision, coordinates both or neither...), compiled from the models (``rules.py``);
- the rules of the data model no constraint can hold: no cycles in the actor hierarchy,
  every event and position cites at least one source.

The schema used is always the one this code derives from the models, not the one the
package declares, so a package cannot relax a rule by editing its own descriptor.
"""

import contextlib
import csv
import json
import re
import shutil
import stat
import tempfile
import zipfile
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

import attrs
import frictionless
from frictionless import errors as ferrors

from .progress import SILENT
from .rules import CANONICAL, CANONICAL_HINT, column_type, key_function, parser, row_rules
from .schema import PACKAGE_NAME, RESOURCES, RESOURCES_BY_NAME, SEMVER_RE, package_descriptor

DESCRIPTOR = "datapackage.json"
EXTRA_FILES = {"README.md", "CHANGELOG.md"}
MAX_REPORTED_PER_RULE = 100
HASH_RE = re.compile(r"sha256:[0-9a-f]{64}\Z")


@dataclass(frozen=True, order=True)
class Problem:
    resource: str  # resource name, or "" for the package itself
    row: int  # row number in the file, the header being row 1; 0 when not about a row
    field: str  # field name, or ""
    message: str

    def location(self):
        parts = []
        if self.row:
            parts.append(f"row {self.row}")
        if self.field:
            parts.append(self.field)
        return ", ".join(parts) or "(file)"


@dataclass
class Report:
    problems: list = field(default_factory=list)
    warnings: list = field(default_factory=list)
    version: str = ""
    row_counts: dict = field(default_factory=dict)

    @property
    def valid(self):
        return not self.problems

    def add(self, resource, row, field_name, message):
        self.problems.append(Problem(resource or "", row or 0, field_name or "", message))

    def format(self, limit=200):
        """Errors grouped by resource, then by row and field."""
        lines = []
        by_resource = {}
        for problem in self.problems:
            by_resource.setdefault(problem.resource, []).append(problem)
        order = [""] + [table.name for table in RESOURCES]
        names = sorted(by_resource, key=lambda n: (order.index(n) if n in order else 99, n))
        shown = 0
        for name in names:
            problems = sorted(by_resource[name])
            title = f"package ({DESCRIPTOR})" if name == "" else f"{name} (data/{name}.csv)"
            plural = "s" if len(problems) != 1 else ""
            lines.append(f"{title}: {len(problems)} error{plural}")
            for problem in problems:
                if shown >= limit:
                    break
                lines.append(f"  {problem.location()}: {problem.message}")
                shown += 1
        if shown < len(self.problems):
            lines.append(f"... and {len(self.problems) - shown} more errors")
        return "\n".join(lines)


# ---------------------------------------------------------------------------------------
# Opening a package: a folder, a datapackage.json, or a zip


class PackageError(Exception):
    """The package cannot be opened at all (no descriptor, unreadable zip...)."""


def _safe_member_name(name):
    """The member's relative path if it is a plain path inside the archive, else None."""
    if "\\" in name or name.startswith("/") or ":" in name.split("/")[0]:
        return None
    path = PurePosixPath(name)
    if any(part in ("..", "") for part in path.parts[:-1]) or ".." in path.parts:
        return None
    return path


def _allowed_members():
    return {DESCRIPTOR, *EXTRA_FILES} | {f"data/{table.name}.csv" for table in RESOURCES}


def extract_zip(zip_path, target):
    """Extract a release zip into ``target``, refusing anything that is not a package file:
    absolute paths, '..', links, unexpected names. Truncated or corrupt archives raise
    PackageError."""
    allowed = _allowed_members()
    try:
        with zipfile.ZipFile(zip_path) as archive:
            members = archive.infolist()
            for info in members:
                path = _safe_member_name(info.filename)
                if path is None:
                    raise PackageError(f"zip member {info.filename!r} is outside the package")
                mode = info.external_attr >> 16
                if stat.S_ISLNK(mode):
                    raise PackageError(f"zip member {info.filename!r} is a link")
                if info.is_dir():
                    if str(path).rstrip("/") not in ("data",):
                        raise PackageError(f"unexpected folder {info.filename!r} in the zip")
                    continue
                if str(path) not in allowed:
                    raise PackageError(f"unexpected file {info.filename!r} in the zip")
            for info in members:
                if info.is_dir():
                    continue
                destination = Path(target) / info.filename
                destination.parent.mkdir(parents=True, exist_ok=True)
                with archive.open(info) as source, open(destination, "wb") as out:
                    shutil.copyfileobj(source, out, 1 << 20)
    except (zipfile.BadZipFile, zipfile.LargeZipFile, EOFError, OSError) as error:
        raise PackageError(f"cannot read the zip {zip_path}: {error}") from error


@contextlib.contextmanager
def open_package(path):
    """Yield the folder holding ``datapackage.json`` for a folder, descriptor or zip path."""
    path = Path(path)
    if path.is_dir():
        yield path
    elif path.suffix.lower() == ".zip":
        if not path.is_file():
            raise PackageError(f"{path} does not exist")
        with tempfile.TemporaryDirectory(prefix="datapackage-") as tmp:
            extract_zip(path, tmp)
            yield Path(tmp)
    elif path.name == DESCRIPTOR or path.suffix.lower() == ".json":
        if not path.is_file():
            raise PackageError(f"{path} does not exist")
        if path.name != DESCRIPTOR:
            raise PackageError(f"the descriptor must be named {DESCRIPTOR}, not {path.name}")
        yield path.parent
    else:
        raise PackageError(f"{path} is not a folder, a {DESCRIPTOR} or a .zip")


def read_descriptor(folder):
    path = Path(folder) / DESCRIPTOR
    if not path.is_file():
        raise PackageError(f"no {DESCRIPTOR} in {folder}")
    try:
        with open(path, encoding="utf-8") as handle:
            descriptor = json.load(handle)
    except (ValueError, UnicodeDecodeError) as error:
        raise PackageError(f"{DESCRIPTOR} is not valid JSON: {error}") from error
    if not isinstance(descriptor, dict):
        raise PackageError(f"{DESCRIPTOR} is not a JSON object")
    return descriptor


def check_descriptor(folder, descriptor, report):
    """Package-level checks; returns {resource: (bytes, sha256)} declared for each file."""
    if descriptor.get("name") != PACKAGE_NAME:
        report.add("", 0, "name", f"the package name must be {PACKAGE_NAME!r}")
    version = descriptor.get("version")
    if not isinstance(version, str) or not SEMVER_RE.match(version):
        report.add("", 0, "version", f"{version!r} is not a semantic version such as 1.0.0")
    else:
        report.version = version
    resources = descriptor.get("resources")
    if not isinstance(resources, list):
        report.add("", 0, "resources", "the descriptor lists no resources")
        return {}
    declared = {}
    for index, resource in enumerate(resources):
        name = resource.get("name") if isinstance(resource, dict) else None
        if name not in RESOURCES_BY_NAME:
            report.add("", 0, f"resources[{index}]", f"unknown resource {name!r}")
            continue
        if name in declared:
            report.add("", 0, f"resources[{index}]", f"resource {name!r} is listed twice")
            continue
        declared[name] = resource
    files = {}
    root = Path(folder).resolve()
    for table in RESOURCES:
        resource = declared.get(table.name)
        if resource is None:
            report.add(table.name, 0, "", "the resource is missing from the descriptor")
            continue
        expected = f"data/{table.name}.csv"
        if resource.get("path") != expected:
            report.add(
                table.name, 0, "path", f"path must be {expected!r}, not {resource.get('path')!r}"
            )
            continue
        file_path = Path(folder) / expected
        if not file_path.is_file():
            report.add(table.name, 0, "", f"the file {expected} is missing")
            continue
        if not file_path.resolve().is_relative_to(root) or file_path.is_symlink():
            report.add(table.name, 0, "", f"{expected} points outside the package")
            continue
        nbytes, digest = resource.get("bytes"), resource.get("hash")
        if not isinstance(nbytes, int) or isinstance(nbytes, bool):
            report.add(table.name, 0, "bytes", "the descriptor gives no byte count")
            nbytes = None
        if not isinstance(digest, str) or not HASH_RE.match(digest):
            report.add(table.name, 0, "hash", "the descriptor gives no 'sha256:<hex>' hash")
            digest = None
        files[table.name] = (nbytes, digest.split(":", 1)[1] if digest else None)
        table_header = [f.get("name") for f in resource.get("schema", {}).get("fields", [])]
        if resource.get("schema") and table_header != table.header:
            report.add(
                table.name,
                0,
                "schema",
                f"declared fields {table_header} differ from this version's {table.header}",
            )
    return files


# ---------------------------------------------------------------------------------------
# The dataset's own rules, run inside frictionless's row loop


@attrs.define(kw_only=True, repr=False)
class CanonicalFormError(ferrors.CellError):
    type = "canonical-form"
    title = "Canonical Form Error"
    description = "A value is not written in its one canonical form."
    template = 'The cell "{cell}" in row "{rowNumber}" and field "{fieldName}": {note}'


@attrs.define(kw_only=True, repr=False)
class ModelRuleError(ferrors.RowError):
    type = "model-rule"
    title = "Model Rule Error"
    description = "A row breaks a rule of the data model (a database check constraint)."
    template = 'The row "{rowNumber}" breaks a rule of the data model: {note}'

    field_name: str = ""


@attrs.define(kw_only=True, repr=False)
class DatasetRules(frictionless.Check):
    """The checks frictionless does not make, for the resource being validated."""

    type = "mena-alignments-rules"
    Errors = [CanonicalFormError, ModelRuleError, ferrors.PrimaryKeyError]

    state: dict = attrs.field(factory=dict)
    progress: object = attrs.field(default=SILENT)

    def validate_start(self):
        table = RESOURCES_BY_NAME.get(self.resource.name)
        labels = list(self.resource.labels or [])
        active = table is not None and labels == table.header
        self.state["active"] = active
        self.state["rows"] = 0
        if not active:
            return []
        index = {name: i for i, name in enumerate(table.header)}
        self.state["table"] = table
        self.state["width"] = len(table.header)
        self.state["key"] = key_function(table, table.header)
        self.state["previous"] = None  # (key, row number) of the last valid row
        self.state["unsorted"] = False
        self.state["canonical"] = [
            (i, column.name, CANONICAL[kind].match, CANONICAL_HINT[kind])
            for i, column in enumerate(table.columns)
            if (kind := column_type(column.field)) in CANONICAL
        ]
        rules = row_rules(table)
        needed = {name for rule in rules for name in rule.fields}
        if len(table.primary_key) == 1:
            needed.add(table.primary_key[0])  # "pk" in a rule; the key of citations
        if table.name == "actors":
            needed.add("parent")
        self.state["rules"] = rules
        self.state["parsers"] = [
            (name, index[name], parser(table.column(name))) for name in sorted(needed)
        ]
        self.state["citations"] = self.state.get("citations") or {
            "events": set(),
            "event_sources": set(),
            "positions": set(),
            "position_sources": set(),
        }
        self.state["actors"] = {} if table.name == "actors" else self.state.get("actors", {})
        self.state["collect"] = self._collector(table.name)
        return []

    def _collector(self, name):
        """What a valid row adds to the checks that span resources."""
        citations = self.state["citations"]
        if name in ("events", "positions"):
            ids = citations[name]
            return lambda cells, values, row_number: ids.add(values["id"])
        if name in ("event_sources", "position_sources"):
            cited = citations[name]  # the first column: "event" or "position"
            return lambda cells, values, row_number: cited.add(int(cells[0]))
        if name == "actors":
            parents = self.state["actors"]

            def collect(cells, values, row_number):
                parents[values["slug"]] = (values["parent"], row_number)

            return collect
        return None

    def validate_row(self, row):
        state = self.state
        if not state["active"]:
            return
        state["rows"] += 1
        if not state["rows"] % 50000:
            self.progress.update(f"validate {self.resource.name}", state["rows"])
        cells = row.cells
        if len(cells) != state["width"]:
            return  # frictionless reports extra or missing cells
        clean = True
        for i, name, match, hint in state["canonical"]:
            text = cells[i]
            if text and not match(text):
                clean = False
                yield CanonicalFormError(
                    note=f"{text!r} is not {hint}",
                    cells=list(map(str, cells)),
                    row_number=row.row_number,
                    cell=str(text),
                    field_name=name,
                    field_number=i + 1,
                )
        if not clean or row.errors:
            return
        if not state["unsorted"]:
            key = state["key"](cells)
            previous = state["previous"]
            if previous is not None and not previous[0] < key:
                if previous[0] == key:
                    yield ferrors.PrimaryKeyError(
                        note=f"the key {key!r} is the same as in row {previous[1]}",
                        cells=list(map(str, cells)),
                        row_number=row.row_number,
                    )
                else:  # keys are checked again at the end, in memory
                    state["unsorted"] = True
            state["previous"] = (key, row.row_number)
        values = {name: parse(cells[i]) for name, i, parse in state["parsers"]}
        for rule in state["rules"]:
            if rule.check(values) is False:
                yield ModelRuleError(
                    note=rule.description,
                    cells=list(map(str, cells)),
                    row_number=row.row_number,
                    field_name=rule.fields[0] if len(rule.fields) == 1 else "",
                )
        collect = state["collect"]
        if collect is not None:
            collect(cells, values, row.row_number)

    def validate_end(self):
        if not self.state.get("active"):
            return
        if self.state["unsorted"]:
            yield from self._duplicate_keys()
        if self.state["table"].name == "actors":
            yield from self._hierarchy_errors()

    def _duplicate_keys(self):
        """Duplicate keys of a file that is not in key order (builds always are)."""
        table = self.state["table"]
        seen = {}
        path = Path(self.resource.basepath) / self.resource.path
        with open(path, encoding="utf-8", newline="") as handle:
            reader = csv.reader(handle)
            next(reader, None)
            for row_number, cells in enumerate(reader, start=2):
                try:
                    key = self.state["key"](cells)
                except (ValueError, IndexError):
                    continue  # reported as a type error
                if key in seen:
                    yield ferrors.PrimaryKeyError(
                        note=f"the key {key!r} is the same as in row {seen[key]}",
                        cells=list(cells),
                        row_number=row_number,
                    )
                else:
                    seen[key] = row_number
        self.state["warnings"].append(
            f"{table.name}: rows are not in primary-key order (a build sorts them)"
        )

    def _hierarchy_errors(self):
        """Cycles in the actor hierarchy (A -> B -> A): each actor in one is reported."""
        parents = self.state["actors"]
        reported = 0
        for slug, (parent, row_number) in sorted(parents.items(), key=lambda i: i[1][1]):
            seen = {slug}
            current = parent
            while current and current in parents:
                if current in seen:
                    if current == slug:
                        reported += 1
                        if reported <= MAX_REPORTED_PER_RULE:
                            yield ModelRuleError(
                                note=f"actor {slug!r} is its own ancestor (a cycle of parents)",
                                cells=[],
                                row_number=row_number,
                                field_name="parent",
                            )
                    break
                seen.add(current)
                current = parents[current][0]

    def citation_problems(self, report):
        citations = self.state.get("citations")
        if not citations:
            return
        for resource, cited_by in (("events", "event_sources"), ("positions", "position_sources")):
            uncited = sorted(citations[resource] - citations[cited_by])
            for key in uncited[:MAX_REPORTED_PER_RULE]:
                report.add(
                    resource,
                    0,
                    "id",
                    f"{resource[:-1]} {key} cites no source: every {resource[:-1]} needs a "
                    f"row in {cited_by}",
                )
            if len(uncited) > MAX_REPORTED_PER_RULE:
                report.add(
                    resource, 0, "id", f"... {len(uncited)} {resource} in all cite no source"
                )


def _problem_from_error(report, resource, error):
    row = getattr(error, "row_number", None) or 0
    field_name = getattr(error, "field_name", "") or ""
    if not field_name and getattr(error, "field_names", None):
        field_name = ", ".join(error.field_names)
    if not field_name and getattr(error, "label", None):
        field_name = error.label
    note = getattr(error, "note", "") or error.message
    cell = getattr(error, "cell", None)
    if isinstance(error, CanonicalFormError | ModelRuleError):
        message = f"{error.type}: {note}"
    elif cell not in (None, "") and error.type in (
        "type-error",
        "constraint-error",
        "unique-error",
    ):
        message = f"{error.type}: {cell!r}: {note}"
    else:
        message = f"{error.type}: {note}"
    report.add(resource, row, field_name, message)


def validate_folder(folder, *, limit_errors=1000, progress=SILENT):
    """Validate the package in ``folder``; returns a Report."""
    report = Report()
    try:
        descriptor = read_descriptor(folder)
    except PackageError as error:
        report.add("", 0, "", str(error))
        return report
    files = check_descriptor(folder, descriptor, report)
    if report.problems:
        return report  # do not read data files a broken descriptor points at
    code_descriptor = package_descriptor(
        version=report.version,
        created=str(descriptor.get("created") or ""),
        files={name: info for name, info in files.items()},
    )
    code_descriptor.pop("created")
    for resource in code_descriptor["resources"]:
        # Keys are checked by DatasetRules: in constant memory for a file in key order (as
        # builds write them), where frictionless keeps every key of every row in memory.
        resource["schema"].pop("primaryKey")
    package = frictionless.Package(code_descriptor, basepath=str(folder))
    rules = DatasetRules(progress=progress)
    rules.state["warnings"] = report.warnings
    checklist = frictionless.Checklist(checks=[rules])
    result = package.validate(checklist, limit_errors=limit_errors)
    for error in result.errors:
        _problem_from_error(report, "", error)
    for task in result.tasks:
        report.row_counts[task.name] = task.stats.get("rows") or 0
        for error in task.errors:
            _problem_from_error(report, task.name, error)
        for warning in task.warnings:
            report.warnings.append(f"{task.name}: {warning}")
    if not any(
        p.resource in ("events", "event_sources", "positions", "position_sources")
        for p in report.problems
    ):
        rules.citation_problems(report)
    return report


def validate_package(path, *, limit_errors=1000, progress=SILENT, trial_load=False):
    """Validate a package folder, datapackage.json or zip. Returns a Report.

    With ``trial_load``, a valid package is also loaded into the database inside a
    transaction that is rolled back, so the database's own constraints judge every row.
    """
    try:
        with open_package(path) as folder:
            report = validate_folder(folder, limit_errors=limit_errors, progress=progress)
            if trial_load and report.valid:
                from .load import trial_load as run_trial_load

                run_trial_load(folder, report, progress=progress)
            return report
    except PackageError as error:
        report = Report()
        report.add("", 0, "", str(error))
        return report
