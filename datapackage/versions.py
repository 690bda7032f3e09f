"""Semantic versions of the data package (no model imports: models.py uses this)."""

import re

SEMVER = r"(0|[1-9][0-9]*)\.(0|[1-9][0-9]*)\.(0|[1-9][0-9]*)"
SEMVER_RE = re.compile(SEMVER + r"(-[0-9A-Za-z.-]+)?(\+[0-9A-Za-z.-]+)?\Z")
RELEASE_RE = re.compile(SEMVER + r"\Z")
# For URLs: a release version or "latest".
VERSION_URL_REGEX = r"latest|(?:0|[1-9][0-9]*)\.(?:0|[1-9][0-9]*)\.(?:0|[1-9][0-9]*)"


def major_version(version):
    match = SEMVER_RE.match(str(version or ""))
    return int(match.group(1)) if match else None


def parse_semver(version):
    """(major, minor, patch) of a release version 'X.Y.Z', or ValueError."""
    match = RELEASE_RE.match(str(version or ""))
    if not match:
        raise ValueError(f"{version!r} is not a release version MAJOR.MINOR.PATCH, e.g. 1.0.0")
    return tuple(int(part) for part in match.groups())


def bump(version, part):
    major, minor, patch = parse_semver(version)
    if part == "major":
        return f"{major + 1}.0.0"
    if part == "minor":
        return f"{major}.{minor + 1}.0"
    if part == "patch":
        return f"{major}.{minor}.{patch + 1}"
    raise ValueError(f"unknown version part {part!r}")
