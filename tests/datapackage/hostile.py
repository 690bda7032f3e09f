"""A corpus of hostile data packages, each made from a valid base package in code.

Every case is a package that ``validate_datapackage`` and ``load_datapackage`` must refuse
with a message located at ``where`` (resource, row, field; "" and 0 for the package or a
whole file), leaving the database as it was. ``make(base, workdir)`` writes the case from
the base package folder and returns the path to give the commands (a folder or a zip).
"""

import codecs
import csv
import json
import shutil
import struct
import warnings
import zipfile
from dataclasses import dataclass

from datapackage.build import refresh_descriptor
from datapackage.release import write_zip
from datapackage.schema import RESOURCES


@dataclass(frozen=True)
class Case:
    id: str
    make: object
    where: tuple  # (resource, row, field)


CASES = []


def case(id, where):
    def register(make):
        CASES.append(Case(id, make, where))
        return make

    return register


def copy(base, workdir):
    folder = workdir / "case"
    shutil.copytree(base, folder)
    return folder


def read_rows(folder, resource):
    with open(folder / "data" / f"{resource}.csv", encoding="utf-8", newline="") as handle:
        return list(csv.reader(handle))


def write_rows(folder, resource, rows):
    with open(folder / "data" / f"{resource}.csv", "w", encoding="utf-8", newline="") as handle:
        csv.writer(handle, lineterminator="\n").writerows(rows)


def rows_case(id, where, resource, change):
    """A case whose CSV rows are changed by ``change(rows) -> rows`` (header first); the
    descriptor's bytes and hashes are refreshed so that only the edit is wrong."""

    def make(base, workdir):
        folder = copy(base, workdir)
        write_rows(folder, resource, change(read_rows(folder, resource)))
        refresh_descriptor(folder)
        return folder

    CASES.append(Case(id, make, where))


def set_cell(key, column, value):
    """A change setting ``column`` of the rows whose first cell is ``key``."""

    def change(rows):
        index = rows[0].index(column)
        for row in rows[1:]:
            if row[0] == key:
                row[index] = value
        return rows

    return change


def cell_case(id, where, key, value, column=None):
    """A case setting a cell of ``where``'s resource (in ``where``'s field by default)."""
    rows_case(id, where, where[0], set_cell(key, column or where[2], value))


def bytes_case(id, where, resource, change):
    """A case whose CSV bytes are changed by ``change(data) -> data``, descriptor refreshed."""

    def make(base, workdir):
        folder = copy(base, workdir)
        path = folder / "data" / f"{resource}.csv"
        path.write_bytes(change(path.read_bytes()))
        refresh_descriptor(folder)
        return folder

    CASES.append(Case(id, make, where))


def descriptor_case(id, where, change):
    """A case whose descriptor (a dict) is changed by ``change(descriptor) -> object``."""

    def make(base, workdir):
        folder = copy(base, workdir)
        path = folder / "datapackage.json"
        path.write_text(json.dumps(change(json.loads(path.read_text()))))
        return folder

    CASES.append(Case(id, make, where))


def nested(depth):
    value = []
    for _level in range(depth):
        value = [value]
    return value


def resource_of(descriptor, name):
    return next(r for r in descriptor["resources"] if r["name"] == name)


def with_resource(name, change):
    def apply(descriptor):
        change(resource_of(descriptor, name))
        return descriptor

    return apply


# ---------------------------------------------------------------------------------------
# Cells: types, canonical text, Table Schema constraints, foreign keys

for id, where, key, value in [
    ("date-not-iso", ("events", 3, "date_start"), "2", "2016-1-1"),
    ("date-basic-format", ("events", 3, "date_start"), "2", "20160101"),
    ("date-impossible", ("events", 3, "date_end"), "2", "2016-02-30"),
    ("date-month-13", ("events", 3, "date_start"), "2", "2016-13-01"),
    ("integer-plus-sign", ("events", 3, "fatalities"), "2", "+5"),
    ("integer-leading-zeros", ("events", 3, "fatalities"), "2", "007"),
    ("integer-minus-zero", ("events", 3, "fatalities"), "2", "-0"),
    ("integer-negative", ("events", 3, "fatalities"), "2", "-1"),
    ("integer-past-32-bits", ("events", 3, "fatalities"), "2", str(2**31)),
    ("integer-past-64-bits", ("events", 3, "fatalities"), "2", str(2**63)),
    ("integer-decimal", ("events", 3, "fatalities"), "2", "5.0"),
    ("number-nan", ("events", 2, "latitude"), "1", "NaN"),
    ("number-infinite", ("events", 2, "latitude"), "1", "inf"),
    ("number-past-float", ("events", 2, "latitude"), "1", "1e999"),
    ("number-over-precise", ("events", 2, "latitude"), "1", "34.73240000000000000001"),
    ("number-trailing-zero", ("events", 2, "latitude"), "1", "34.73240"),
    ("number-exponent", ("events", 2, "longitude"), "1", "3.67137e1"),
    ("number-out-of-range", ("events", 2, "latitude"), "1", "95"),
    ("vocabulary", ("events", 2, "event_type"), "1", "carpet_bombing"),
    ("pattern-country", ("events", 2, "country"), "1", "Syria"),
    ("required-title", ("events", 2, "title"), "1", ""),
    ("max-length", ("events", 2, "title"), "1", "x" * 301),
    ("nul-in-text", ("events", 2, "title"), "1", "Russian\x00air campaign"),
    ("nul-in-quote", ("event_sources", 2, "quote"), "1", "Quote\x00"),
    ("actor-kind", ("actors", 3, "kind"), "iran", "empire"),
    ("slug-pattern", ("issues", 2, "slug"), "hadi-legitimacy", "Hadi_Legitimacy"),
    ("url-scheme", ("sources", 4, "url"), "3", "ftp://example.org/x"),
    ("wikidata-duplicate", ("actors", 6, "wikidata_id"), "russia", "Q794"),
    ("foreign-key-actor", ("event_actors", 6, "actor"), "7", "nobody"),
    ("foreign-key-parent", ("actors", 4, "parent"), "irgc", "nobody"),
    ("foreign-key-issue", ("positions", 4, "issue"), "3", "unknown-issue"),
    ("foreign-key-source", ("event_sources", 5, "source"), "7", "99"),
    ("foreign-key-past-64-bits", ("event_sources", 5, "event"), "7", str(2**63)),
]:
    cell_case(id, where, key, value)

# Rules relating fields (the models' check constraints): located at the row, and at the
# field when the rule is about one field or the model reports it on one.
for id, where, key, column, value in [
    ("date-order", ("events", 3, "date_end"), "2", "date_end", "2015-12-31"),
    ("month-precision", ("events", 4, "date_start"), "7", "date_start", "2018-02-15"),
    ("year-precision", ("events", 3, "date_start"), "2", "date_start", "2016-03-01"),
    ("month-precision-end", ("events", 4, "date_end"), "7", "date_end", "2018-03-15"),
    ("year-precision-end", ("events", 3, "date_end"), "2", "date_end", "2017-05-05"),
    ("coordinates-half", ("events", 2, ""), "1", "longitude", ""),
    ("coordinates-precision", ("events", 2, ""), "1", "geo_precision", ""),
    (
        "undated-position-precision",
        ("positions", 3, "date_precision"),
        "2",
        "date_precision",
        "day",
    ),
    ("own-parent", ("actors", 3, "parent"), "iran", "parent", "iran"),
]:
    cell_case(id, where, key, value, column)

# Rules relating rows
cell_case("parent-cycle", ("actors", 3, "parent"), "iran", "quds-force")
rows_case(
    "uncited-event",
    ("events", 4, "id"),
    "event_sources",
    lambda rows: [r for r in rows if r[0] != "7"],
)
rows_case(
    "uncited-position",
    ("positions", 4, "id"),
    "position_sources",
    lambda rows: [r for r in rows if r[0] != "3"],
)
rows_case(
    "uncited-relation",
    ("relations", 2, "id"),
    "relation_sources",
    lambda rows: [r for r in rows if r[0] != "1"],
)
cell_case("relation-with-itself", ("relations", 2, "counterpart"), "1", "iran")


def reversed_pair(rows):
    """Relation 1 again as row 3, with its two actors the other way round: a symmetric
    relation is stored once per pair."""
    header = rows[0]
    copy = dict(zip(header, rows[1], strict=True))
    copy.update(id="3", actor=copy["counterpart"], counterpart=copy["actor"])
    return [*rows, [copy[name] for name in header]]


rows_case("relation-pair-twice", ("relations", 4, "id"), "relations", reversed_pair)


def deep_chain(rows):
    """70 actors each the parent of the next: deeper than the hierarchy's 64 levels."""
    header = rows[0]
    chain = []
    for level in range(70):
        row = dict.fromkeys(header, "")
        row.update(slug=f"zz-{level:03d}", name=f"Level {level}", kind="other")
        row["parent"] = f"zz-{level - 1:03d}" if level else ""
        chain.append([row[name] for name in header])
    return [*rows, *chain]


# Five actors precede the chain (rows 2-6): zz-065, with 65 ancestors, is row 72.
rows_case("hierarchy-too-deep", ("actors", 72, "parent"), "actors", deep_chain)
rows_case("duplicate-key", ("events", 5, ""), "events", lambda rows: [*rows, rows[1]])
rows_case(
    "duplicate-key-unsorted",
    ("event_actors", 7, ""),
    "event_actors",
    lambda rows: [rows[0], *reversed(rows[1:]), rows[3]],
)
rows_case(
    "duplicate-slug",
    ("actors", 7, ""),
    "actors",
    lambda rows: [*rows, [rows[1][0], "Other", *rows[1][2:]]],
)

# Rows and files that are not the table
rows_case(
    "extra-cell", ("events", 3, ""), "events", lambda rows: [*rows[:2], [*rows[2], "x"], *rows[3:]]
)
rows_case(
    "missing-cell",
    ("events", 3, "fatalities"),
    "events",
    lambda rows: [*rows[:2], rows[2][:-1], *rows[3:]],
)
rows_case(
    "wrong-header",
    ("issues", 0, "name"),
    "issues",
    lambda rows: [["slug", "title", "country", "description"], *rows[1:]],
)
bytes_case("byte-order-mark", ("actors", 1, ""), "actors", lambda data: codecs.BOM_UTF8 + data)
bytes_case(
    "not-utf-8", ("sources", 0, ""), "sources", lambda data: data.replace(b"Report", b"R\xe9port")
)
bytes_case("empty-file", ("issues", 0, ""), "issues", lambda data: b"")


@case("hash-mismatch", ("issues", 0, ""))
def _(base, workdir):
    folder = copy(base, workdir)
    path = folder / "data" / "issues.csv"
    path.write_bytes(path.read_bytes().replace(b"SSR", b"SSX"))
    return folder


@case("missing-file", ("positions", 0, ""))
def _(base, workdir):
    folder = copy(base, workdir)
    (folder / "data" / "positions.csv").unlink()
    return folder


@case("symlinked-file", ("issues", 0, ""))
def _(base, workdir):
    folder = copy(base, workdir)
    outside = workdir / "issues.csv"
    (folder / "data" / "issues.csv").rename(outside)
    (folder / "data" / "issues.csv").symlink_to(outside)
    return folder


# ---------------------------------------------------------------------------------------
# Descriptors

for id, path in [
    ("path-parent", "../secret.csv"),
    ("path-absolute", "/etc/passwd"),
    ("path-url", "https://example.org/issues.csv"),
]:
    descriptor_case(
        id, ("issues", 0, "path"), with_resource("issues", lambda r, path=path: r.update(path=path))
    )


def relaxed_and_wrong(base, workdir):
    """Constraints removed from the declared schema do not relax validation."""
    folder = copy(base, workdir)
    write_rows(
        folder, "events", set_cell("1", "event_type", "carpet_bombing")(read_rows(folder, "events"))
    )
    refresh_descriptor(folder)
    path = folder / "datapackage.json"
    descriptor = json.loads(path.read_text())
    for resource in descriptor["resources"]:
        for field in resource["schema"]["fields"]:
            field.pop("constraints", None)
    path.write_text(json.dumps(descriptor))
    return folder


CASES.append(Case("relaxed-declared-schema", relaxed_and_wrong, ("events", 2, "event_type")))

for id, where, change in [
    (
        "schema-null",
        ("events", 0, "schema"),
        with_resource("events", lambda r: r.update(schema=None)),
    ),
    (
        "schema-url",
        ("events", 0, "schema"),
        with_resource("events", lambda r: r.update(schema="https://example.org/schema.json")),
    ),
    (
        "schema-list",
        ("events", 0, "schema"),
        with_resource("events", lambda r: r.update(schema=[])),
    ),
    (
        "fields-string",
        ("events", 0, "schema.fields"),
        with_resource("events", lambda r: r["schema"].update(fields="id,title")),
    ),
    (
        "field-not-object",
        ("events", 0, "schema.fields[0]"),
        with_resource("events", lambda r: r["schema"]["fields"].__setitem__(0, "id")),
    ),
    (
        "field-name-number",
        ("events", 0, "schema.fields[0].name"),
        with_resource("events", lambda r: r["schema"]["fields"][0].update(name=1)),
    ),
    (
        "fields-renamed",
        ("events", 0, "schema"),
        with_resource("events", lambda r: r["schema"]["fields"][1].update(name="headline")),
    ),
    (
        "name-list",
        ("", 0, "resources[0].name"),
        lambda d: (d["resources"][0].update(name=["actors"]), d)[1],
    ),
    (
        "path-list",
        ("actors", 0, "path"),
        with_resource("actors", lambda r: r.update(path=["data/actors.csv"])),
    ),
    (
        "bytes-string",
        ("events", 0, "bytes"),
        with_resource("events", lambda r: r.update(bytes=str(r["bytes"]))),
    ),
    (
        "bytes-boolean",
        ("events", 0, "bytes"),
        with_resource("events", lambda r: r.update(bytes=True)),
    ),
    (
        "bytes-wrong",
        ("events", 0, ""),
        with_resource("events", lambda r: r.update(bytes=r["bytes"] + 1)),
    ),
    (
        "hash-not-sha256",
        ("events", 0, "hash"),
        with_resource("events", lambda r: r.update(hash="md5:" + "0" * 32)),
    ),
    (
        "resource-list",
        ("", 0, "resources[3]"),
        lambda d: (d["resources"].__setitem__(3, ["events"]), d)[1],
    ),
    (
        "resource-url",
        ("", 0, "resources[3]"),
        lambda d: (d["resources"].__setitem__(3, "https://example.org/r.json"), d)[1],
    ),
    ("resources-object", ("", 0, "resources"), lambda d: {**d, "resources": {"events": {}}}),
    ("resources-missing", ("", 0, ""), lambda d: {k: v for k, v in d.items() if k != "resources"}),
    (
        "resource-missing",
        ("issues", 0, ""),
        lambda d: {**d, "resources": [r for r in d["resources"] if r["name"] != "issues"]},
    ),
    (
        "resource-twice",
        ("", 0, f"resources[{len(RESOURCES)}]"),
        lambda d: {**d, "resources": [*d["resources"], d["resources"][0]]},
    ),
    (
        "resource-unknown",
        ("", 0, f"resources[{len(RESOURCES)}]"),
        lambda d: {**d, "resources": [*d["resources"], {**d["resources"][0], "name": "annexes"}]},
    ),
    ("package-name", ("", 0, "name"), lambda d: {**d, "name": "other"}),
    ("version-number", ("", 0, "version"), lambda d: {**d, "version": 1}),
    ("version-not-semver", ("", 0, "version"), lambda d: {**d, "version": "1.0"}),
    ("version-other-major", ("", 0, "version"), lambda d: {**d, "version": "2.0.0"}),
    ("descriptor-list", ("", 0, ""), lambda d: [d]),
    (
        "fields-deeply-nested",
        ("events", 0, "schema.fields[0]"),
        with_resource("events", lambda r: r["schema"]["fields"].__setitem__(0, nested(500))),
    ),
]:
    descriptor_case(id, where, change)


@case("descriptor-not-json", ("", 0, ""))
def _(base, workdir):
    folder = copy(base, workdir)
    (folder / "datapackage.json").write_text("{not json")
    return folder


@case("descriptor-nested-100k", ("", 0, ""))
def _(base, workdir):
    folder = copy(base, workdir)
    (folder / "datapackage.json").write_text("[" * 100_000 + "]" * 100_000)
    return folder


@case("descriptor-too-large", ("", 0, ""))
def _(base, workdir):
    folder = copy(base, workdir)
    path = folder / "datapackage.json"
    descriptor = json.loads(path.read_text())
    descriptor["description"] = "x" * (17 << 20)
    path.write_text(json.dumps(descriptor))
    return folder


@case("descriptor-missing", ("", 0, ""))
def _(base, workdir):
    folder = copy(base, workdir)
    (folder / "datapackage.json").unlink()
    return folder


# ---------------------------------------------------------------------------------------
# Zips


def base_zip(base, workdir):
    path = workdir / "case.zip"
    write_zip(base, path)
    return path


def zip_with(id, name, data=b"x", **info):
    def make(base, workdir):
        path = base_zip(base, workdir)
        with zipfile.ZipFile(path, "a") as archive, warnings.catch_warnings():
            warnings.simplefilter("ignore", UserWarning)  # "Duplicate name": on purpose
            member = zipfile.ZipInfo(name)
            for key, value in info.items():
                setattr(member, key, value)
            archive.writestr(member, data)
        return path

    CASES.append(Case(id, make, ("", 0, "")))


zip_with("zip-parent-path", "../evil.csv")
zip_with("zip-absolute-path", "/abs.csv")
zip_with("zip-dot-dot-inside", "data/../../evil.csv")
zip_with("zip-unexpected-file", "extra.txt")
zip_with("zip-unexpected-folder", "other/")
zip_with("zip-link", "data/link.csv", b"/etc/passwd", external_attr=0o120777 << 16)
zip_with("zip-duplicate-member", "data/events.csv", b"id\n")


@case("zip-truncated", ("", 0, ""))
def _(base, workdir):
    path = base_zip(base, workdir)
    path.write_bytes(path.read_bytes()[: path.stat().st_size // 2])
    return path


@case("zip-bomb", ("", 0, ""))
def _(base, workdir):
    """A member that expands a thousand times: refused from its declared sizes."""
    path = workdir / "case.zip"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.write(base / "datapackage.json", "datapackage.json")
        archive.writestr("data/events.csv", b"0" * (16 << 20))
    return path


@case("zip-bomb-lying-sizes", ("", 0, ""))
def _(base, workdir):
    """A member that declares 100 bytes and holds a megabyte: extraction stops at 100."""
    path = workdir / "case.zip"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for file in sorted(base.rglob("*")):
            if file.is_file() and file.name != "events.csv":
                archive.write(file, file.relative_to(base).as_posix())
        archive.writestr("data/events.csv", b"0" * (1 << 20))
    data = bytearray(path.read_bytes())
    # The uncompressed size, in the member's local header (offset 22) and in its central
    # directory entry (offset 24).
    local = data.rfind(b"PK\x03\x04", 0, data.find(b"data/events.csv") + 1)
    struct.pack_into("<I", data, local + 22, 100)
    central = data.rfind(b"PK\x01\x02", 0, data.rfind(b"data/events.csv") + 1)
    struct.pack_into("<I", data, central + 24, 100)
    path.write_bytes(bytes(data))
    return path


@case("not-a-package", ("", 0, ""))
def _(base, workdir):
    path = workdir / "case.txt"
    path.write_text("hello")
    return path
