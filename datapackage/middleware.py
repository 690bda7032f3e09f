"""``?release=X.Y.Z`` (or ``latest``): the request reads the dataset as published in that
release (see snapshots.py); without it, from the live database. Every API response names
which in its ``Dataset-Version`` header."""

import functools
import re

from django.http import JsonResponse
from django.shortcuts import render

from common.middleware import is_api

from .models import Release
from .release import release_paths
from .snapshots import SnapshotError, open_release, use
from .versions import RELEASE_RE

PARAMETER = "release"
SAFE_METHODS = {"GET", "HEAD", "OPTIONS"}
# Where ?release= means nothing: the releases themselves, the deletions feed, downloads.
NOT_HERE = re.compile(r"^/(admin/|static/|datapackage/|api/v1/(releases|deletions|auth)/)")
IMMUTABLE = "public, max-age=31536000, immutable"
LATEST_MAX_AGE = 60


def refusal(request, status, detail, message=None):
    """The API's JSON error naming the parameter; on a page, the page saying it."""
    if not is_api(request):
        title = "Not found" if status == 404 else "Cannot show this page"
        context = {"title": title, "message": f"{detail} {message or ''}".strip()}
        return render(request, "404.html", context, status=status)
    body = {"detail": detail}
    if message:
        body["errors"] = {PARAMETER: [message]}
    return JsonResponse(body, status=status)


class ReleaseMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        use(None)  # a thread serves one request at a time: start from the live data
        request.dataset_release = None
        request.dataset_headers = None
        values = request.GET.getlist(PARAMETER)
        if not values or NOT_HERE.match(request.path):
            return self.get_response(request)
        if request.method not in SAFE_METHODS:
            # Not read from a release: the view answers (a 405 for a method it lacks; a
            # write refuses ?release= itself, common.api.params).
            return self.get_response(request)
        if len(values) > 1:
            return refusal(request, 400, "Invalid input: release.", "Give this parameter once.")
        version = values[0]
        if version != "latest" and not RELEASE_RE.match(version):
            return refusal(
                request,
                400,
                "Invalid input: release.",
                "Give a published version, MAJOR.MINOR.PATCH such as 1.0.0, or latest.",
            )
        release = resolve(version)
        if release is None:
            return refusal(request, 404, f"No release {version}. See /api/v1/releases/.")
        try:
            alias = open_release(release)
        except SnapshotError as error:
            return refusal(request, 503, f"Release {release.version} cannot be read here: {error}")
        use(alias, release)
        request.dataset_release = release
        request.dataset_alias = alias
        request.dataset_headers = headers(release.version, release.zip_sha256)
        response = self.get_response(request)
        response["Dataset-Version"] = release.version
        if response.status_code in (200, 304) and request.method in ("GET", "HEAD"):
            response["Cache-Control"] = (
                f"public, max-age={LATEST_MAX_AGE}" if version == "latest" else IMMUTABLE
            )
        return response


def resolve(version):
    # Without its change lists: a first release lists every key it added (megabytes of JSON
    # at 100k events), which a query pinned to it never reads.
    releases = Release.objects.defer("changes")
    if version == "latest":
        return releases.latest_release()
    return releases.filter(version=version).first()


@functools.lru_cache(maxsize=64)
def headers(version, zip_sha256):
    """{resource: its CSV header} in a release (a release's files never change)."""
    found = {}
    for path in (release_paths(version)[0] / "data").glob("*.csv"):
        with open(path, encoding="utf-8") as handle:
            found[path.stem] = handle.readline().rstrip("\n").split(",")
    return found
