"""Query a published release exactly as published: ``?release=X.Y.Z`` on the API.

Each release is answered from its own read-only SQLite database, a *snapshot* built once
from the release's files (which never change) into ``RELEASE_SNAPSHOTS_DIR``. The same
viewsets, filters, serializers and alignment functions run on it unchanged: a database
router (``ReleaseRouter``) sends the dataset's reads of a request that asked for a release
to that release's database.

Why this way: a release's rows can never change (the file is opened read-only and was
built from files checked against their hashes); live queries cost exactly what they cost
without releases (no version column to filter on, no history tables growing with every
release); and any number of releases of any size cost only disk. A deployment on
PostgreSQL keeps its live data there and answers releases from these files, which every
app server builds from the immutable release files it serves anyway.
"""

import contextvars
import fcntl
import functools
import hashlib
import os
import tempfile
from pathlib import Path

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, connections, transaction
from django.db.utils import load_backend

from .files import read_descriptor
from .load import load_rows
from .progress import SILENT
from .release import declared_files_ok, release_paths, sha256_file
from .schema import RESOURCES

DATASET_APPS = {"actors", "events"}
_current = contextvars.ContextVar("dataset_release_alias", default=None)
_release = contextvars.ContextVar("dataset_release", default=None)


class SnapshotError(Exception):
    pass


# ---------------------------------------------------------------------------------------
# Which database a request reads


def use(alias, release=None):
    """Read the dataset from ``alias`` (``release``'s database) in this thread, or from the
    live database with None. Set at the start of every request (ReleaseMiddleware), so a
    streamed response, which is read after its view returns, still reads the same data."""
    _current.set(alias)
    _release.set(release)


def forget(**kwargs):
    """Back to the live data once a response is finished (a ``request_finished`` receiver):
    whatever runs next in this thread (a test, a command) reads the live database."""
    use(None)


def current_release():
    """The release the current request reads, or None for the live data."""
    return _release.get()


class ReleaseRouter:
    """Sends the dataset's reads to the release a request asked for."""

    def db_for_read(self, model, **hints):
        alias = _current.get()
        if alias is not None and model._meta.app_label in DATASET_APPS:
            return alias
        return None

    def db_for_write(self, model, **hints):
        # Always the live database, also for a row read from a release.
        return DEFAULT_DB_ALIAS

    def allow_relation(self, obj1, obj2, **hints):
        return None

    def allow_migrate(self, db, app_label, model_name=None, **hints):
        return False if db.startswith(ALIAS_PREFIX) else None


# ---------------------------------------------------------------------------------------
# Snapshots

ALIAS_PREFIX = "release_"


def _name(release):
    """A release's version and the start of its zip's hash: the snapshot of those bytes,
    with this code's tables and indexes (a new index builds new snapshots)."""
    return f"{release.version}-{release.zip_sha256[:16]}-{_layout()}"


@functools.cache
def _layout():
    parts = [
        (
            table.model._meta.db_table,
            [field.column for field in table.model._meta.concrete_fields],
            sorted(index.name for index in table.model._meta.indexes),
        )
        for table in RESOURCES
    ]
    return hashlib.sha256(repr(parts).encode()).hexdigest()[:8]


def alias_of(release):
    return ALIAS_PREFIX + _name(release).replace(".", "_").replace("-", "_")


def snapshot_path(release):
    return Path(settings.RELEASE_SNAPSHOTS_DIR) / f"{_name(release)}.sqlite3"


def register(alias, path, *, read_only=True):
    """Make ``alias`` a connection to the SQLite file ``path`` in this thread.

    The connection lives in this thread's set of connections only, not in settings: each
    thread that reads a release opens its own (ReleaseMiddleware calls this at the start of
    every request), and the live database's settings stay what they are.
    """
    name = f"file:{path}?mode=ro" if read_only else str(path)
    existing = getattr(connections._connections, alias, None)
    if existing is not None and existing.settings_dict["NAME"] == name:
        return alias
    if existing is not None:
        existing.close()
    config = {
        "ENGINE": "django.db.backends.sqlite3",
        "NAME": name,
        "OPTIONS": {"init_command": settings.SQLITE_INIT_COMMAND},
        "ATOMIC_REQUESTS": False,
        "AUTOCOMMIT": True,
        "CONN_MAX_AGE": None,  # a read-only file: keep the connection
        "CONN_HEALTH_CHECKS": False,
        "TIME_ZONE": None,
        "USER": "",
        "PASSWORD": "",
        "HOST": "",
        "PORT": "",
        "TEST": {"NAME": None, "MIRROR": None, "CHARSET": None, "COLLATION": None},
    }
    connections[alias] = load_backend(config["ENGINE"]).DatabaseWrapper(config, alias)
    return alias


def open_release(release):
    """The database alias of ``release``'s snapshot, built first if needed."""
    path = snapshot_path(release)
    if not path.is_file():
        build_snapshot(release)
    return register(alias_of(release), path)


def build_snapshot(release, *, progress=SILENT):
    """Build the release's snapshot from its files, once, whoever asks first: a file lock
    makes other processes wait for it rather than build it again."""
    path = snapshot_path(release)
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path.with_suffix(".lock"), "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if path.is_file():
            return path
        folder = release_paths(release.version)[0]
        _check_files(folder, release)
        handle, tmp_name = tempfile.mkstemp(prefix=f".{release.version}-", dir=path.parent)
        os.close(handle)
        tmp = Path(tmp_name)
        alias = register(f"{ALIAS_PREFIX}build_{os.getpid()}", tmp, read_only=False)
        try:
            _create_tables(alias)
            with transaction.atomic(using=alias):
                load_rows(folder, using=alias, progress=progress, earlier_minor=True)
                _stamp(alias, release)
            with connections[alias].cursor() as cursor:
                # Statistics for the planner: without them SQLite can pick a worse index.
                cursor.execute("ANALYZE")
            connections[alias].close()
            os.chmod(tmp, 0o444)
            os.replace(tmp, path)
        finally:
            connections[alias].close()
            del connections[alias]
            tmp.unlink(missing_ok=True)
    return path


def _check_files(folder, release):
    if not (folder / "datapackage.json").is_file():
        raise SnapshotError(f"the files of release {release.version} are missing: {folder}")
    if sha256_file(folder / "datapackage.json") != release.descriptor_sha256:
        raise SnapshotError(f"release {release.version}: datapackage.json is not as published")
    problems = declared_files_ok(folder, read_descriptor(folder))
    if problems:
        raise SnapshotError(f"release {release.version}: " + "; ".join(problems))


def _create_tables(alias):
    connection = connections[alias]
    with connection.schema_editor() as editor:
        for table in RESOURCES:
            editor.create_model(table.model)


def _stamp(alias, release):
    """A release's rows were all published at once: created and updated say when."""
    for table in RESOURCES:
        names = {field.name for field in table.model._meta.concrete_fields}
        if {"created", "updated"} <= names:
            table.model._default_manager.using(alias).update(
                created=release.created, updated=release.created
            )
