"""Build the data package from the database: deterministic CSVs and ``datapackage.json``.

The same rows always give the same bytes: rows in primary-key order (text compared
byte-wise on every database), one CSV dialect, canonical values (common.tabular), and no
build timestamps in the data. The whole build reads one snapshot of the database.
"""

import datetime
import hashlib
import json
import os
from pathlib import Path

from common.tabular import one_snapshot

from .progress import SILENT
from .schema import DATAPACKAGE_MAJOR, RESOURCES, package_descriptor
from .versions import SEMVER_RE

ROWS_PER_WRITE = 2000


def default_version():
    """The version of an unreleased build: the latest release's, marked as a development
    build ('1.2.0+dev'), or '<major>.0.0-dev' before the first release."""
    from .models import Release

    latest = Release.objects.latest_release()
    if latest is not None:
        return f"{latest.version}+dev"
    return f"{DATAPACKAGE_MAJOR}.0.0-dev"


def format_created(value):
    """``created`` as RFC 3339 UTC to the second: a date, a datetime or such a string."""
    if isinstance(value, str):
        text = value.strip()
        if len(text) == 10:
            value = datetime.datetime.combine(datetime.date.fromisoformat(text), datetime.time())
        else:
            value = datetime.datetime.fromisoformat(text.replace("Z", "+00:00"))
    elif isinstance(value, datetime.date) and not isinstance(value, datetime.datetime):
        value = datetime.datetime.combine(value, datetime.time())
    if value.tzinfo is not None:
        value = value.astimezone(datetime.UTC).replace(tzinfo=None)
    return value.replace(microsecond=0).isoformat() + "Z"


def now_created():
    return format_created(datetime.datetime.now(datetime.UTC))


def write_json(path, data):
    """JSON with a stable key order, two-space indents and a final newline."""
    text = json.dumps(data, indent=2, ensure_ascii=False) + "\n"
    write_bytes_atomic(Path(path), text.encode("utf-8"))


def write_bytes_atomic(path, data):
    tmp = path.with_name(f".{path.name}.tmp")
    with open(tmp, "wb") as handle:
        handle.write(data)
    os.replace(tmp, path)


class HashingWriter:
    """A binary file that counts and hashes what is written to it."""

    def __init__(self, handle):
        self.handle = handle
        self.sha256 = hashlib.sha256()
        self.bytes = 0

    def write(self, data):
        self.sha256.update(data)
        self.bytes += len(data)
        self.handle.write(data)


def write_table(table, path, *, using="default", progress=SILENT):
    """Stream one table to ``path`` as CSV; return (rows, bytes, sha256 hex).

    The bytes are those the API's ``?format=csv`` streams: both come from
    ``Table.csv_chunks``.
    """
    tmp = path.with_name(f".{path.name}.tmp")
    queryset = table.model._default_manager.using(using).all()
    written = [0]

    def count(rows):
        written[0] = rows
        progress.update(f"build {table.name}", rows)

    with open(tmp, "wb") as handle:
        out = HashingWriter(handle)
        for chunk in table.csv_chunks(queryset, rows_per_chunk=ROWS_PER_WRITE, counter=count):
            out.write(chunk.encode("utf-8"))
    os.replace(tmp, path)
    progress.update(f"build {table.name}", written[0], final=True)
    return written[0], out.bytes, out.sha256.hexdigest()


def files_info(folder):
    """{resource: (bytes, sha256)} of the CSV files already in ``folder/data``."""
    info = {}
    for table in RESOURCES:
        path = Path(folder) / "data" / f"{table.name}.csv"
        digest = hashlib.sha256()
        size = 0
        with open(path, "rb") as handle:
            while chunk := handle.read(1 << 20):
                digest.update(chunk)
                size += len(chunk)
        info[table.name] = (size, digest.hexdigest())
    return info


def existing_descriptor(folder):
    path = Path(folder) / "datapackage.json"
    try:
        with open(path, encoding="utf-8") as handle:
            data = json.load(handle)
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


def resolve_metadata(folder, version=None, created=None):
    """The version and created of a build into ``folder``.

    Rebuilding a package in place keeps its version and created unless new ones are
    given, so `load_datapackage dataset` + `build_datapackage dataset` gives back the same
    bytes. A new folder gets the development version and the current time.
    """
    existing = existing_descriptor(folder)
    if version is None:
        version = existing.get("version") if SEMVER_RE.match(str(existing.get("version"))) else None
        version = version or default_version()
    if not SEMVER_RE.match(version):
        raise ValueError(f"version {version!r} is not a semantic version such as 1.2.0")
    if created is None:
        if existing.get("version") == version and existing.get("created"):
            created = existing["created"]
        else:
            created = now_created()
    return version, format_created(created)


def write_descriptor(folder, *, version, created, files):
    descriptor = package_descriptor(version=version, created=created, files=files)
    write_json(Path(folder) / "datapackage.json", descriptor)
    return descriptor


def build_package(outdir, *, version=None, created=None, using="default", progress=SILENT):
    """Write ``outdir/data/<resource>.csv`` and ``outdir/datapackage.json``.

    Returns (descriptor, {resource: row count}).
    """
    outdir = Path(outdir)
    (outdir / "data").mkdir(parents=True, exist_ok=True)
    version, created = resolve_metadata(outdir, version, created)
    files, counts = {}, {}
    # One snapshot for every table: rows added during the build are not seen.
    with one_snapshot(using):
        for table in RESOURCES:
            path = outdir / "data" / f"{table.name}.csv"
            count, nbytes, sha256 = write_table(table, path, using=using, progress=progress)
            files[table.name] = (nbytes, sha256)
            counts[table.name] = count
    descriptor = write_descriptor(outdir, version=version, created=created, files=files)
    return descriptor, counts


def refresh_descriptor(folder, *, version=None, created=None):
    """Rewrite ``folder/datapackage.json`` for the CSV files already there (schema from
    the models, bytes and hash from the files), without touching the data."""
    version, created = resolve_metadata(folder, version, created)
    return write_descriptor(folder, version=version, created=created, files=files_info(folder))
