"""Validate a data package: frictionless (foreign keys included) plus this dataset's rules.

Validation judges everything a load and the database will enforce, so that a package it
calls valid loads, and one it refuses is refused with a located message (resource, row,
field) rather than a traceback:

- the descriptor's shape (JSON Schema), names, paths, byte counts and hashes;
- the files: UTF-8 without a byte-order mark, the header, then every row through
  frictionless (types, Table Schema constraints with the database's integer ranges,
  foreign keys) and the checks of ``checks.py``, one per concern.

The schema used is always the one this code derives from the models, not the one the
package declares, so a package cannot relax a rule by editing its own descriptor.
"""

import codecs
import re
from dataclasses import dataclass, field
from pathlib import Path

import frictionless
import jsonschema

from .checks import (
    CanonicalForm,
    CanonicalFormError,
    KeyOrder,
    ModelRules,
    UniqueExpressions,
    expression_constraints,
    rule_check,
)
from .files import DESCRIPTOR, PackageError, data_path, open_package, read_descriptor
from .progress import SILENT
from .rules import row_rules
from .schema import (
    DATAPACKAGE_MAJOR,
    PACKAGE_NAME,
    RESOURCES,
    RESOURCES_BY_NAME,
    RULES,
    column_range,
    package_descriptor,
)
from .versions import SEMVER_RE, major_version

HASH_RE = re.compile(r"sha256:[0-9a-f]{64}\Z")
MAX_MESSAGE = 300  # characters of a value quoted in a message

# The parts of a descriptor this code reads, and their types: anything else in a
# descriptor is ignored (the schema used is the code's own).
DESCRIPTOR_SHAPE = {
    "type": "object",
    "required": ["name", "version", "resources"],
    "properties": {
        "name": {"type": "string"},
        "version": {"type": "string"},
        "created": {"type": "string"},
        "resources": {
            "type": "array",
            "items": {
                "type": "object",
                "required": ["name", "path"],
                "properties": {
                    "name": {"type": "string"},
                    "path": {"type": "string"},
                    "bytes": {"type": "integer"},
                    "hash": {"type": "string"},
                    "schema": {
                        "type": "object",
                        "properties": {
                            "fields": {
                                "type": "array",
                                "items": {
                                    "type": "object",
                                    "required": ["name"],
                                    "properties": {"name": {"type": "string"}},
                                },
                            }
                        },
                    },
                },
            },
        },
    },
}
DESCRIPTOR_VALIDATOR = jsonschema.Draft202012Validator(DESCRIPTOR_SHAPE)


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
# The descriptor and the files


def _shorten(text):
    return text if len(text) <= MAX_MESSAGE else text[:MAX_MESSAGE] + "..."


def _json_path(path):
    """'resources[3].schema' for the path (resources, 3, schema)."""
    text = ""
    for part in path:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else part)
    return text


def check_shape(descriptor, report):
    """The descriptor's parts have the types this code reads; each error names its place
    (and its resource, when the resource's name is one of ours)."""
    try:
        errors = sorted(DESCRIPTOR_VALIDATOR.iter_errors(descriptor), key=lambda e: e.path)
    except RecursionError:  # a value nested nearly as deep as json.load allows
        report.add("", 0, "", f"{DESCRIPTOR} is nested too deeply to be a descriptor")
        return
    for error in errors:
        path = list(error.absolute_path)
        resource = ""
        if len(path) >= 2 and path[0] == "resources":
            item = descriptor["resources"][path[1]]
            name = item.get("name") if isinstance(item, dict) else None
            if isinstance(name, str) and name in RESOURCES_BY_NAME:
                resource, path = name, path[2:]
        report.add(resource, 0, _json_path(path), f"descriptor: {_shorten(error.message)}")


def check_descriptor(folder, descriptor, report, *, major=DATAPACKAGE_MAJOR):
    """Package-level checks; returns {resource: (bytes, sha256)} declared for each file.
    A version of another major than ``major`` is refused (None: any)."""
    check_shape(descriptor, report)
    if report.problems:
        return {}
    if descriptor["name"] != PACKAGE_NAME:
        report.add("", 0, "name", f"the package name must be {PACKAGE_NAME!r}")
    version = descriptor["version"]
    if not SEMVER_RE.match(version):
        report.add(
            "", 0, "version", f"{_shorten(version)!r} is not a semantic version such as 1.0.0"
        )
    elif major is not None and major_version(version) != major:
        report.add(
            "",
            0,
            "version",
            f"the package's version {version} is not compatible with this code, which reads "
            f"data package version {major}.x (a different major version renames or removes "
            "columns or vocabulary values)",
        )
    else:
        report.version = version
    declared = {}
    for index, resource in enumerate(descriptor["resources"]):
        name = resource["name"]
        if name not in RESOURCES_BY_NAME:
            report.add("", 0, f"resources[{index}]", f"unknown resource {_shorten(name)!r}")
        elif name in declared:
            report.add("", 0, f"resources[{index}]", f"resource {name!r} is listed twice")
        else:
            declared[name] = resource
    files = {}
    root = Path(folder).resolve()
    for table in RESOURCES:
        resource = declared.get(table.name)
        if resource is None:
            report.add(table.name, 0, "", "the resource is missing from the descriptor")
            continue
        expected = data_path(table)
        if resource["path"] != expected:
            report.add(
                table.name,
                0,
                "path",
                f"path must be {expected!r}, not {_shorten(resource['path'])!r}",
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
        if not isinstance(nbytes, int) or isinstance(nbytes, bool) or nbytes < 0:
            report.add(table.name, 0, "bytes", "the descriptor gives no byte count")
            nbytes = None
        if not isinstance(digest, str) or not HASH_RE.match(digest):
            report.add(table.name, 0, "hash", "the descriptor gives no 'sha256:<hex>' hash")
            digest = None
        files[table.name] = (nbytes, digest.split(":", 1)[1] if digest else None)
        declared_fields = resource.get("schema", {}).get("fields")
        if declared_fields is not None:
            header = [f["name"] for f in declared_fields]
            if header != table.header:
                report.add(
                    table.name,
                    0,
                    "schema",
                    f"declared fields {_shorten(str(header))} differ from this version's "
                    f"{table.header}",
                )
        try:
            with open(file_path, "rb") as handle:
                start = handle.read(len(codecs.BOM_UTF8))
        except OSError as error:
            report.add(table.name, 0, "", f"cannot read {expected}: {error}")
            continue
        if start == codecs.BOM_UTF8:
            report.add(
                table.name,
                1,
                "",
                "the file starts with a byte-order mark: write UTF-8 without one (as "
                "builds do), so that the header is read as it is written",
            )
    return files


# ---------------------------------------------------------------------------------------
# The rows


def _problem_from_error(report, resource, error):
    row = getattr(error, "row_number", None) or 0
    field_name = getattr(error, "field_name", "") or ""
    if not field_name and getattr(error, "field_names", None):
        field_name = ", ".join(error.field_names)
    if not field_name and getattr(error, "label", None):
        field_name = error.label
    note = getattr(error, "note", "") or error.message
    cell = getattr(error, "cell", None)
    if not isinstance(error, CanonicalFormError) and error.type in (
        "type-error",
        "constraint-error",
        "unique-error",
    ):
        if cell not in (None, ""):
            note = f"{_shorten(repr(cell))}: {note}"
    report.add(resource, row, _shorten(field_name), f"{error.type}: {note}")


def resource_checks(table, rule_checks, warnings):
    """The checks of one resource: one per concern, then the rules on its model."""
    checks = [CanonicalForm(table=table), KeyOrder(table=table, warnings=warnings)]
    if row_rules(table):
        checks.append(ModelRules(table=table))
    if expression_constraints(table):
        checks.append(UniqueExpressions(table=table))
    checks.extend(check for check in rule_checks if table.name in check.resources)
    return checks


class _RowCounter:
    def __init__(self, label, progress):
        self.label, self.progress, self.rows = label, progress, 0

    def __call__(self, row):
        self.rows += 1
        if not self.rows % 50000:
            self.progress.update(self.label, self.rows)


def validate_folder(folder, *, limit_errors=1000, progress=SILENT, major=DATAPACKAGE_MAJOR):
    """Validate the package in ``folder``; returns a Report. By default a package of a
    major version this code does not load is refused."""
    report = Report()
    try:
        descriptor = read_descriptor(folder)
    except PackageError as error:
        report.add("", 0, "", str(error))
        return report
    files = check_descriptor(folder, descriptor, report, major=major)
    if report.problems:
        return report  # do not read data files a broken descriptor points at
    code_descriptor = package_descriptor(version=report.version, created="", files=files)
    code_descriptor.pop("created")
    for resource in code_descriptor["resources"]:
        # Keys are checked by KeyOrder: in constant memory for a file in key order (as
        # builds write them), where frictionless keeps every key of every row in memory.
        resource["schema"].pop("primaryKey")
        # The database's integer ranges are checked by CanonicalForm, in a fraction of the
        # time frictionless takes for two more constraints on every integer cell.
        table = RESOURCES_BY_NAME[resource["name"]]
        for descriptor_field in resource["schema"]["fields"]:
            bounds = column_range(table.column(descriptor_field["name"]))
            constraints = descriptor_field.get("constraints", {})
            if bounds and constraints.get("minimum") == bounds[0]:
                del constraints["minimum"]
            if bounds and constraints.get("maximum") == bounds[1]:
                del constraints["maximum"]
    package = frictionless.Package(code_descriptor, basepath=str(folder))
    rule_checks = [rule_check(rule) for rule in RULES]
    for resource in package.resources:
        table = RESOURCES_BY_NAME[resource.name]
        checklist = frictionless.Checklist(
            checks=resource_checks(table, rule_checks, report.warnings)
        )
        result = resource.validate(
            checklist,
            limit_errors=limit_errors,
            on_row=_RowCounter(f"validate {table.name}", progress) if progress.enabled else None,
        )
        for error in result.errors:
            _problem_from_error(report, table.name, error)
        for task in result.tasks:
            report.row_counts[table.name] = task.stats.get("rows") or 0
            for error in task.errors:
                _problem_from_error(report, table.name, error)
            for warning in task.warnings:
                report.warnings.append(f"{table.name}: {warning}")
    refused = {problem.resource for problem in report.problems}
    for check in rule_checks:
        if not refused.intersection(check.resources):
            for problem in check.problems():
                report.add(*problem)
    return report


def validate_package(path, *, limit_errors=1000, progress=SILENT):
    """Validate a package folder, datapackage.json or zip. Returns a Report."""
    try:
        with open_package(path) as folder:
            return validate_folder(folder, limit_errors=limit_errors, progress=progress)
    except PackageError as error:
        report = Report()
        report.add("", 0, "", str(error))
        return report
