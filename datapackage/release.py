"""Publish immutable releases: build, validate, diff, README/CHANGELOG, deterministic zip.

A release is ``RELEASES_DIR/<version>/`` (datapackage.json, data/*.csv, README.md,
CHANGELOG.md) and ``RELEASES_DIR/<version>.zip`` holding the same files, plus a Release
row. Files are written in a temporary folder inside RELEASES_DIR and renamed into place
only once complete and valid; an existing release is never overwritten.
"""

import csv
import datetime
import hashlib
import json
import os
import shutil
import tempfile
import time
import zipfile
from pathlib import Path

from django.conf import settings
from django.db import OperationalError, connections, transaction

from .build import build_package, existing_descriptor, files_info, format_created, now_created
from .citation import citation, release_url
from .files import data_path, open_package, read_descriptor
from .models import Release
from .progress import SILENT
from .rules import key_function
from .schema import PACKAGE_METADATA, PACKAGE_NAME, RESOURCES, RESOURCES_BY_NAME, integer_range
from .validate import validate_folder
from .versions import bump, parse_semver

ZIP_DATE = (1980, 1, 1, 0, 0, 0)
ZIP_LEVEL = 6
MAX_LISTED_KEYS = 20  # per resource and kind, in the CHANGELOG (the API lists all)
# SQLite's in-process shared cache (the test database) answers "locked" at once instead
# of waiting: the publish lock is tried again, for at most about ten seconds.
LOCK_ATTEMPTS = 100
LOCK_PAUSE = 0.1


class PublishError(Exception):
    pass


def releases_dir():
    return Path(settings.RELEASES_DIR)


def release_paths(version):
    root = releases_dir()
    return root / version, root / f"{version}.zip"


def sha256_file(path):
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        while chunk := handle.read(1 << 20):
            digest.update(chunk)
    return digest.hexdigest()


# ---------------------------------------------------------------------------------------
# Row-level changes between two builds


def _rows(path, table):
    """(key, {column: value}) for each row of a CSV file, in file order."""
    with open(path, encoding="utf-8", newline="") as handle:
        reader = csv.reader(handle)
        header = next(reader, None) or []
        key = key_function(table, header)
        for row in reader:
            yield key(row), dict(zip(header, row, strict=False))


def _public(key):
    return list(key) if isinstance(key, tuple) else key


def _same(old, new):
    """Whether two rows hold the same values; a column one of them lacks (a release of an
    earlier minor version, before the column was added) counts as empty."""
    return all(old.get(name, "") == new.get(name, "") for name in old.keys() | new.keys())


def _rows_of(path, table):
    """The rows of a resource's file, or none when the release has no such file (it was
    published before the resource existed)."""
    return _rows(path, table) if path and Path(path).is_file() else iter(())


def diff_resource(old_path, new_path, table):
    """{added, removed, modified} keys between two CSV files of one resource.

    Both files are in key order (as builds write them), so a merge join reads each file
    once in constant memory. If a file is out of order the diff falls back to a dict.
    """
    added, removed, modified = [], [], []
    old_rows = _rows_of(old_path, table)
    new_rows = _rows_of(new_path, table)
    old = next(old_rows, None)
    new = next(new_rows, None)
    last_old = last_new = None
    while old is not None or new is not None:
        if old is not None and last_old is not None and not last_old < old[0]:
            return _diff_in_memory(old_path, new_path, table)
        if new is not None and last_new is not None and not last_new < new[0]:
            return _diff_in_memory(old_path, new_path, table)
        if new is None or (old is not None and old[0] < new[0]):
            removed.append(_public(old[0]))
            last_old, old = old[0], next(old_rows, None)
        elif old is None or new[0] < old[0]:
            added.append(_public(new[0]))
            last_new, new = new[0], next(new_rows, None)
        else:
            if not _same(old[1], new[1]):
                modified.append(_public(new[0]))
            last_old, old = old[0], next(old_rows, None)
            last_new, new = new[0], next(new_rows, None)
    return {"added": added, "removed": removed, "modified": modified}


def _diff_in_memory(old_path, new_path, table):
    old = dict(_rows_of(old_path, table))
    new = dict(_rows_of(new_path, table))
    return {
        "added": [_public(k) for k in sorted(new.keys() - old.keys())],
        "removed": [_public(k) for k in sorted(old.keys() - new.keys())],
        "modified": [
            _public(k) for k in sorted(new.keys() & old.keys()) if not _same(old[k], new[k])
        ],
    }


def diff_packages(old_folder, new_folder):
    """{resource: {added, removed, modified}} for the resources that changed."""
    changes = {}
    for table in RESOURCES:
        old_path = Path(old_folder) / "data" / f"{table.name}.csv" if old_folder else None
        new_path = Path(new_folder) / "data" / f"{table.name}.csv"
        result = diff_resource(old_path, new_path, table)
        if any(result.values()):
            changes[table.name] = result
    return changes


# ---------------------------------------------------------------------------------------
# README, CHANGELOG and the zip


def readme_text(descriptor, row_counts, descriptor_sha256):
    version = descriptor["version"]
    citation_text, bibtex = citation(
        version,
        descriptor["created"][:10],
        release_url(version),
        descriptor_sha256,
        hashed="datapackage.json",
    )
    lines = [
        f"# {descriptor['title']} — version {version}",
        "",
        descriptor["description"],
        "",
        f"Data package `{PACKAGE_NAME}` {version}, created {descriptor['created']}.",
        "Licence: CC-BY-4.0 (https://creativecommons.org/licenses/by/4.0/).",
        "",
        "## How to cite",
        "",
        "Cite the version: it always names the same bytes. The hash below is that of this",
        "package's datapackage.json, which gives the sha256 of every data file.",
        "",
        citation_text,
        "",
        "```bibtex",
        bibtex,
        "```",
        "",
        "## Files",
        "",
        "| file | rows | description |",
        "|---|---:|---|",
    ]
    for resource in descriptor["resources"]:
        lines.append(
            f"| `{resource['path']}` | {row_counts.get(resource['name'], 0)} | "
            f"{resource['description']} |"
        )
    lines += [
        "",
        "`datapackage.json` describes every column (type, constraints, vocabulary), the primary",
        "and foreign keys, and the sha256 of every file. CSV files are UTF-8, comma-separated,",
        "with a header row; an empty cell is a missing value; dates are YYYY-MM-DD with their",
        "precision in `date_precision` ('September 2015' is 2015-09-01, precision month).",
        "",
        "## Reading it",
        "",
        "```python",
        "import pandas as pd",
        'events = pd.read_csv("data/events.csv", parse_dates=["date_start", "date_end"])',
        "```",
        "",
        "```r",
        'events <- read.csv("data/events.csv", na.strings = "")',
        "```",
        "",
        "Validate it with `frictionless validate datapackage.json`.",
        "",
        "## Sources",
        "",
    ]
    for source in PACKAGE_METADATA["sources"]:
        lines.append(f"- {source['title']}: {source['path']}")
    lines += ["", *codebook_lines(descriptor)]
    return "\n".join(lines) + "\n"


def codebook_lines(descriptor):
    """Every resource, column and vocabulary value of the package, defined in words: the
    descriptions its Table Schema carries (the same the API's codebook page shows)."""
    lines = ["## Codebook", ""]
    for resource in descriptor["resources"]:
        lines += [f"### `{resource['name']}`: {resource['title']}", "", resource["description"]]
        keys = ", ".join(f"`{name}`" for name in resource["schema"]["primaryKey"])
        lines += ["", f"Key: {keys}.", "", "| column | type | definition |", "|---|---|---|"]
        for field in resource["schema"]["fields"]:
            lines.append(
                f"| `{field['name']}` | {field['type']} | {field.get('description', '')} |"
            )
        for field in resource["schema"]["fields"]:
            values = field.get("enumDescriptions")
            if values:
                lines += ["", f"`{field['name']}` values:", ""]
                lines += [f"- `{value}`: {words}" for value, words in values.items()]
        lines.append("")
    return lines


def _changes_lines(changes, *, list_keys=True):
    lines = []
    if not changes:
        return ["No row changed."]
    for table in RESOURCES:
        change = changes.get(table.name)
        if not change:
            continue
        parts = [f"{len(change[kind])} {kind}" for kind in ("added", "removed", "modified")]
        lines.append(f"- `{table.name}`: {', '.join(parts)}")
        for kind in ("added", "removed", "modified"):
            keys = change[kind]
            if keys and list_keys:
                shown = ", ".join(json.dumps(key) for key in keys[:MAX_LISTED_KEYS])
                more = (
                    f" and {len(keys) - MAX_LISTED_KEYS} more"
                    if len(keys) > MAX_LISTED_KEYS
                    else ""
                )
                lines.append(f"  - {kind}: {shown}{more}")
    return lines


def changelog_text(entries):
    """``entries``: [(version, created, previous_version, notes, changes)], newest first."""
    lines = [f"# Changelog of the `{PACKAGE_NAME}` data package", ""]
    lines.append("Versions: major when a column or vocabulary value is removed or renamed,")
    lines.append("minor when columns or rows are added, patch for corrections.")
    for version, created, previous, notes, changes in entries:
        lines += ["", f"## {version} ({created[:10]})", ""]
        if notes:
            lines += [notes.strip(), ""]
        lines.append(f"Changes since {previous}:" if previous else "First release; its rows:")
        lines += _changes_lines(changes, list_keys=bool(previous))
    return "\n".join(lines) + "\n"


def write_zip(folder, zip_path):
    """A zip whose bytes depend only on the files: sorted names, fixed dates and modes."""
    folder = Path(folder)
    names = sorted(
        path.relative_to(folder).as_posix() for path in folder.rglob("*") if path.is_file()
    )
    with zipfile.ZipFile(zip_path, "w") as archive:
        for name in names:
            path = folder / name
            info = zipfile.ZipInfo(name, date_time=ZIP_DATE)
            info.compress_type = zipfile.ZIP_DEFLATED
            info._compresslevel = ZIP_LEVEL  # ZipInfo has no public setter before 3.13
            info.create_system = 3  # Unix, whatever the platform
            info.external_attr = (0o100644) << 16
            size = path.stat().st_size
            with (
                open(path, "rb") as source,
                archive.open(info, "w", force_zip64=size > 0x7FFFFFFF) as target,
            ):
                shutil.copyfileobj(source, target, 1 << 20)


def _make_read_only(folder):
    for path in Path(folder).rglob("*"):
        if path.is_file():
            path.chmod(0o444)


# ---------------------------------------------------------------------------------------
# Publishing


def bundled_created(version):
    """The bundled dataset's ``created`` when it describes this version, else None: so
    that the bundled dataset's release has the same bytes wherever it is published."""
    descriptor = existing_descriptor(settings.BUNDLED_DATAPACKAGE)
    if descriptor.get("version") == version and descriptor.get("created"):
        return descriptor["created"]
    return None


def next_version(part):
    latest = Release.objects.latest_release()
    return bump(latest.version if latest else "0.0.0", part)


def check_version_range(version):
    """(major, minor, patch) of ``version``, each small enough for the database."""
    parts = parse_semver(version)
    for name, part in zip(("major", "minor", "patch"), parts, strict=True):
        highest = integer_range(Release._meta.get_field(name))[1]
        if part > highest:
            raise PublishError(
                f"version {version}: its {name} number {part} is larger than {highest}, the "
                "largest a release version may use"
            )
    return parts


def check_bundled(version, package):
    """Version ``version`` of the bundled dataset names the bundled files' bytes: the
    package just built from the database must have the same CSV files."""
    bundle = Path(settings.BUNDLED_DATAPACKAGE)
    if existing_descriptor(bundle).get("version") != version:
        return
    try:
        bundled = files_info(bundle)
    except OSError as error:
        raise PublishError(f"cannot read the bundled dataset {bundle}: {error}") from error
    built = files_info(package)
    differ = [table.name for table in RESOURCES if built[table.name] != bundled[table.name]]
    if differ:
        shown = os.path.relpath(bundle) if bundle.is_relative_to(Path.cwd()) else bundle
        files = ", ".join(data_path(RESOURCES_BY_NAME[name]) for name in differ)
        raise PublishError(
            f"the database is not the bundled dataset {version} ({shown}): {files} differ. "
            f"Version {version} names the bundled files, so nothing was published.\n"
            f"- To publish the bundled dataset, load it (this replaces the database's rows): "
            f"python manage.py load_datapackage {shown} --replace\n"
            f"- To publish the database's rows, give them a new version above every release: "
            f"make dataset VERSION=X.Y.Z (then make run publishes it)"
        )


def _lock_releases(using="default"):
    """Serialise publishing until the end of the transaction: a publish holding the lock
    has checked the versions and not yet committed its Release row.

    PostgreSQL locks the release table against other writers (readers go on). SQLite
    serialises writers itself: the first write (here one that changes nothing) takes the
    database's write lock, which other writers wait for.
    """
    connection = connections[using]
    table = connection.ops.quote_name(Release._meta.db_table)
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(f"LOCK TABLE {table} IN SHARE ROW EXCLUSIVE MODE")
        return
    for attempt in range(1, LOCK_ATTEMPTS + 1):
        try:
            with connection.cursor() as cursor:
                cursor.execute(f"UPDATE {table} SET id = id WHERE 1 = 0")
            return
        except OperationalError as error:
            if "locked" not in str(error) or attempt == LOCK_ATTEMPTS:
                raise
            time.sleep(LOCK_PAUSE)


def _check_versions(version, parts, published):
    """``version`` is new and above every release of ``published``."""
    if any(release.version == version for release in published):
        raise PublishError(f"release {version} already exists; releases are immutable")
    latest = published[0] if published else None
    if latest is not None and parts <= (latest.major, latest.minor, latest.patch):
        raise PublishError(f"version {version} is not above the latest release {latest.version}")


def publish(version, *, notes="", created=None, progress=SILENT):
    """Build, validate and store release ``version``; returns the Release.

    Raises PublishError for an existing or lower version or an invalid package. When the
    release files already exist (the database was recreated) and a fresh build gives
    exactly the same zip, the files are kept and only the Release row is recorded.
    """
    parts = check_version_range(version)
    # Read once: the final check under the publish lock makes sure nothing was added since.
    published = list(Release.objects.order_by("-major", "-minor", "-patch"))
    _check_versions(version, parts, published)
    latest = published[0] if published else None
    created = format_created(created or bundled_created(version) or now_created())
    root = releases_dir()
    root.mkdir(parents=True, exist_ok=True)
    folder, zip_path = release_paths(version)
    tmp = Path(tempfile.mkdtemp(prefix=f".publish-{version}-", dir=root))
    try:
        package = tmp / version
        descriptor, row_counts = build_package(
            package, version=version, created=created, progress=progress
        )
        # Any major: a release of a new major version is written before the code that reads it.
        report = validate_folder(package, progress=progress, major=None)
        if not report.valid:
            raise PublishError(
                f"the package built from the database is invalid; nothing was published.\n"
                f"{report.format()}"
            )
        check_bundled(version, package)
        previous_folder = release_paths(latest.version)[0] if latest else None
        if previous_folder is not None and not (previous_folder / "data").is_dir():
            raise PublishError(f"the previous release's files are missing: {previous_folder}")
        changes = diff_packages(previous_folder, package)
        entries = [
            (version, created, latest.version if latest else "", notes, changes),
            *[
                (r.version, format_created(r.created), r.previous_version, r.notes, r.changes)
                for r in published
            ],
        ]
        descriptor_sha256 = sha256_file(package / "datapackage.json")
        (package / "README.md").write_text(
            readme_text(descriptor, row_counts, descriptor_sha256), encoding="utf-8"
        )
        (package / "CHANGELOG.md").write_text(changelog_text(entries), encoding="utf-8")
        tmp_zip = tmp / f"{version}.zip"
        write_zip(package, tmp_zip)
        zip_sha256 = sha256_file(tmp_zip)
        adopt = folder.exists() or zip_path.exists()
        if adopt and not (zip_path.is_file() and sha256_file(zip_path) == zip_sha256):
            raise PublishError(
                f"{folder} or {zip_path} already exists with other content; releases are "
                "never overwritten"
            )
        with transaction.atomic():
            _lock_releases()
            now = list(Release.objects.order_by("-major", "-minor", "-patch"))
            _check_versions(version, parts, now)
            if [r.pk for r in now] != [r.pk for r in published]:
                raise PublishError(
                    f"release {now[0].version} was published while {version} was being built; "
                    f"publish {version} again to count its changes from {now[0].version}"
                )
            release = Release.objects.create(
                version=version,
                previous_version=latest.version if latest else "",
                created=datetime.datetime.fromisoformat(created.replace("Z", "+00:00")),
                notes=notes,
                zip_sha256=zip_sha256,
                descriptor_sha256=descriptor_sha256,
                row_counts=row_counts,
                changes=changes,
            )
            if not adopt:
                _make_read_only(package)
                tmp_zip.chmod(0o444)
                os.rename(package, folder)  # atomic on one file system
                try:
                    os.link(tmp_zip, zip_path)  # fails rather than overwrite
                except OSError:
                    os.rename(folder, package)
                    raise
        return release
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


# ---------------------------------------------------------------------------------------
# Importing a release published elsewhere


def declared_files_ok(folder, descriptor):
    """Problems with the files a descriptor declares: missing, or other bytes or hash."""
    problems = []
    for resource in descriptor.get("resources") or []:
        path = Path(folder) / str(resource.get("path", ""))
        if not path.is_file():
            problems.append(f"{resource.get('path')} is missing")
            continue
        digest = f"sha256:{sha256_file(path)}"
        if resource.get("hash") != digest or resource.get("bytes") != path.stat().st_size:
            problems.append(f"{resource.get('path')} is not the file its descriptor declares")
    return problems


def notes_in_changelog(text, version):
    """The notes a CHANGELOG gives for ``version`` (the text under its heading)."""
    lines = text.splitlines()
    heading = next((i for i, line in enumerate(lines) if line.startswith(f"## {version} ")), None)
    if heading is None:
        return ""
    notes = []
    for line in lines[heading + 1 :]:
        if line.startswith(("## ", "Changes since ", "First release;")):
            break
        notes.append(line)
    return "\n".join(notes).strip()


def import_release(path):
    """Record a release published elsewhere from its zip (an earlier version shipped with
    the code, or one copied from another server): the same bytes, checked against its own
    hashes, with its changes counted from the previous release here. Importing the same zip
    again does nothing; another zip under a published version is refused."""
    zip_path = Path(path)
    if not zip_path.is_file():
        raise PublishError(f"{zip_path} does not exist")
    zip_sha256 = sha256_file(zip_path)
    with open_package(zip_path) as folder:
        descriptor = read_descriptor(folder)
        version = str(descriptor.get("version", ""))
        try:
            parts = check_version_range(version)
        except ValueError as error:
            raise PublishError(f"{zip_path}: {error}") from error
        problems = declared_files_ok(folder, descriptor)
        if problems:
            raise PublishError(f"{zip_path} is damaged: " + "; ".join(problems))
        published = list(Release.objects.order_by("-major", "-minor", "-patch"))
        existing = next((r for r in published if r.version == version), None)
        if existing is not None:
            if existing.zip_sha256 == zip_sha256:
                return existing
            raise PublishError(f"release {version} exists here with other bytes than {zip_path}")
        _check_versions(version, parts, published)
        latest = published[0] if published else None
        previous_folder = release_paths(latest.version)[0] if latest else None
        changes = diff_packages(previous_folder, folder)
        changelog = Path(folder) / "CHANGELOG.md"
        notes = notes_in_changelog(changelog.read_text(encoding="utf-8"), version)
        row_counts = {
            table.name: sum(1 for _ in _rows_of(Path(folder) / data_path(table), table))
            for table in RESOURCES
            if (Path(folder) / data_path(table)).is_file()
        }
        root = releases_dir()
        root.mkdir(parents=True, exist_ok=True)
        target, target_zip = release_paths(version)
        tmp = Path(tempfile.mkdtemp(prefix=f".import-{version}-", dir=root))
        try:
            shutil.copytree(folder, tmp / version)
            shutil.copyfile(zip_path, tmp / f"{version}.zip")
            with transaction.atomic():
                _lock_releases()
                _check_versions(version, parts, list(Release.objects.all()))
                release = Release.objects.create(
                    version=version,
                    previous_version=latest.version if latest else "",
                    created=datetime.datetime.fromisoformat(
                        format_created(descriptor.get("created", "")).replace("Z", "+00:00")
                    ),
                    notes=notes,
                    zip_sha256=zip_sha256,
                    descriptor_sha256=sha256_file(Path(folder) / "datapackage.json"),
                    row_counts=row_counts,
                    changes=changes,
                )
                if not target_zip.exists():
                    _make_read_only(tmp / version)
                    (tmp / f"{version}.zip").chmod(0o444)
                    os.rename(tmp / version, target)
                    os.link(tmp / f"{version}.zip", target_zip)
                elif sha256_file(target_zip) != zip_sha256:
                    raise PublishError(f"{target_zip} exists with other content")
            return release
        finally:
            shutil.rmtree(tmp, ignore_errors=True)
