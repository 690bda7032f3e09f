"""Package files: open a folder, a ``datapackage.json`` or a zip, and read the descriptor.

Everything here runs before any rule does, on files that may be hostile: a zip is checked
member by member (names, links, declared sizes, the total, the compression ratio) before
anything is extracted, extraction stops at the declared sizes whatever the archive's
headers claim, and the temporary folder is removed however the caller exits.
"""

import contextlib
import json
import shutil
import stat
import tempfile
import zipfile
import zlib
from pathlib import Path, PurePosixPath

from .schema import RESOURCES

DESCRIPTOR = "datapackage.json"
EXTRA_FILES = {"README.md", "CHANGELOG.md"}

# Far above a release of a million events (about 400 MB of CSV), far below what fills a
# disk. A member must also compress less than MAX_COMPRESSION_RATIO times: CSV text
# compresses 5 to 20 times, a zip bomb a thousand times.
MAX_PACKAGE_BYTES = 4 << 30
MAX_DESCRIPTOR_BYTES = 16 << 20
MAX_COMPRESSION_RATIO = 200
RATIO_CHECKED_FROM = 1 << 20  # small members may compress better than that (empty CSVs)
COPY_CHUNK = 1 << 20


class PackageError(Exception):
    """The package cannot be opened at all (no descriptor, unreadable zip...)."""


def data_path(table):
    """A resource's file, relative to the package folder."""
    return f"data/{table.name}.csv"


def package_files():
    """Every file a package may hold, relative to its folder."""
    return {DESCRIPTOR, *EXTRA_FILES} | {data_path(table) for table in RESOURCES}


def _safe_member_name(name):
    """The member's relative path if it is a plain path inside the archive, else None."""
    if "\\" in name or name.startswith("/") or ":" in name.split("/")[0]:
        return None
    path = PurePosixPath(name)
    if any(part in ("..", "") for part in path.parts[:-1]) or ".." in path.parts:
        return None
    return path


def _check_members(members, allowed):
    """Refuse an archive from its central directory alone, before extracting anything."""
    total = 0
    names = set()
    for info in members:
        path = _safe_member_name(info.filename)
        if path is None:
            raise PackageError(f"zip member {info.filename!r} is outside the package")
        if stat.S_ISLNK(info.external_attr >> 16):
            raise PackageError(f"zip member {info.filename!r} is a link")
        if info.is_dir():
            if str(path).rstrip("/") != "data":
                raise PackageError(f"unexpected folder {info.filename!r} in the zip")
            continue
        if str(path) not in allowed:
            raise PackageError(f"unexpected file {info.filename!r} in the zip")
        if str(path) in names:
            raise PackageError(f"zip member {info.filename!r} is in the zip twice")
        names.add(str(path))
        limit = MAX_DESCRIPTOR_BYTES if str(path) == DESCRIPTOR else MAX_PACKAGE_BYTES
        if info.file_size > limit:
            raise PackageError(
                f"zip member {info.filename!r} declares {info.file_size:,} bytes, over the "
                f"limit of {limit:,}"
            )
        if info.file_size > RATIO_CHECKED_FROM and info.file_size > MAX_COMPRESSION_RATIO * max(
            info.compress_size, 1
        ):
            raise PackageError(
                f"zip member {info.filename!r} expands {info.file_size:,} bytes from "
                f"{info.compress_size:,}: more than {MAX_COMPRESSION_RATIO} times, not a data file"
            )
        total += info.file_size
        if total > MAX_PACKAGE_BYTES:
            raise PackageError(
                f"the zip's files declare more than the limit of {MAX_PACKAGE_BYTES:,} bytes"
            )


def _copy_capped(source, out, limit, name):
    """Copy at most ``limit`` bytes; a member holding more than it declared is refused."""
    written = 0
    while chunk := source.read(min(COPY_CHUNK, limit - written + 1)):
        written += len(chunk)
        if written > limit:
            raise PackageError(f"zip member {name!r} holds more bytes than it declares")
        out.write(chunk)
    return written


def extract_zip(zip_path, target):
    """Extract a release zip into ``target``, refusing anything that is not a package file:
    absolute paths, '..', links, unexpected names, declared sizes over the limits. Each
    member is copied up to its declared size only; truncated or corrupt archives raise
    PackageError."""
    try:
        with zipfile.ZipFile(zip_path) as archive:
            members = archive.infolist()
            _check_members(members, package_files())
            for info in members:
                if info.is_dir():
                    continue
                destination = Path(target) / info.filename
                destination.parent.mkdir(parents=True, exist_ok=True)
                with archive.open(info) as source, open(destination, "xb") as out:
                    _copy_capped(source, out, info.file_size, info.filename)
    except (zipfile.BadZipFile, zipfile.LargeZipFile, zlib.error, EOFError, OSError) as error:
        raise PackageError(f"cannot read the zip {zip_path}: {error}") from error


@contextlib.contextmanager
def temporary_folder(prefix):
    """A new folder, removed on the way out however the block ends (errors, Ctrl-C)."""
    folder = tempfile.mkdtemp(prefix=prefix)
    try:
        yield Path(folder)
    finally:
        shutil.rmtree(folder, ignore_errors=True)


@contextlib.contextmanager
def open_package(path):
    """Yield the folder holding ``datapackage.json`` for a folder, descriptor or zip path."""
    path = Path(path)
    if path.is_dir():
        yield path
    elif path.suffix.lower() == ".zip":
        if not path.is_file():
            raise PackageError(f"{path} does not exist")
        with temporary_folder("datapackage-") as folder:
            extract_zip(path, folder)
            yield folder
    elif path.name == DESCRIPTOR or path.suffix.lower() == ".json":
        if not path.is_file():
            raise PackageError(f"{path} does not exist")
        if path.name != DESCRIPTOR:
            raise PackageError(f"the descriptor must be named {DESCRIPTOR}, not {path.name}")
        yield path.parent
    else:
        raise PackageError(f"{path} is not a folder, a {DESCRIPTOR} or a .zip")


def read_descriptor(folder):
    """The descriptor as a dict: a JSON object no larger than MAX_DESCRIPTOR_BYTES."""
    path = Path(folder) / DESCRIPTOR
    if not path.is_file():
        raise PackageError(f"no {DESCRIPTOR} in {folder}")
    if path.stat().st_size > MAX_DESCRIPTOR_BYTES:
        raise PackageError(f"{DESCRIPTOR} is larger than {MAX_DESCRIPTOR_BYTES:,} bytes")
    try:
        with open(path, encoding="utf-8") as handle:
            descriptor = json.load(handle)
    except (ValueError, UnicodeDecodeError) as error:
        raise PackageError(f"{DESCRIPTOR} is not valid JSON: {error}") from error
    except OSError as error:
        raise PackageError(f"cannot read {DESCRIPTOR}: {error}") from error
    except RecursionError as error:
        raise PackageError(f"{DESCRIPTOR} is nested too deeply to be a descriptor") from error
    if not isinstance(descriptor, dict):
        raise PackageError(f"{DESCRIPTOR} is not a JSON object")
    return descriptor
