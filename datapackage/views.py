"""The releases API and the release downloads.

Versioned files never change, so they are served with their sha256 as ETag and cached
as immutable. ``latest`` is a short-lived redirect to the versioned URL: caches keep the
immutable file, and the client sees which version it got.
"""

import functools
import json

from django.http import FileResponse, HttpResponse, HttpResponseRedirect, JsonResponse
from django.urls import reverse
from django.views.decorators.http import require_safe
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import viewsets
from rest_framework.exceptions import NotFound, Throttled, ValidationError
from rest_framework.settings import api_settings

from common.api.errors import error_body
from common.api.params import CheckedQueryMixin, check_query_params
from common.api.viewsets import unchanged

from .models import Release
from .release import release_paths
from .schema import RESOURCES_BY_NAME
from .serializers import ReleaseDetailSerializer, ReleaseSerializer
from .versions import RELEASE_RE, VERSION_URL_REGEX

IMMUTABLE = "public, max-age=31536000, immutable"
LATEST_MAX_AGE = 60


@extend_schema_view(
    list=extend_schema(description="Published releases of the data package, newest first."),
    retrieve=extend_schema(
        description="One release (or `latest`): notes, row counts, hashes, download URLs "
        "and the row-level changes since the previous release."
    ),
)
class ReleaseViewSet(CheckedQueryMixin, viewsets.ReadOnlyModelViewSet):
    """Published, immutable releases of the data package."""

    queryset = Release.objects.all()
    lookup_field = "version"
    lookup_value_regex = VERSION_URL_REGEX
    filter_backends = []

    def get_serializer_class(self):
        return ReleaseDetailSerializer if self.action == "retrieve" else ReleaseSerializer

    def get_object(self):
        version = self.kwargs["version"]
        release = (
            Release.objects.latest_release()
            if version == "latest"
            else Release.objects.filter(version=version).first()
        )
        if release is None:
            raise NotFound(f"No release {version}.")
        self.check_object_permissions(self.request, release)
        return release

    def check_query_params(self, request):
        accepted = {api_settings.URL_FORMAT_OVERRIDE}
        if self.action == "list":
            accepted |= {"page", "page_size", "cursor"}
        check_query_params(request.query_params, accepted=accepted)


# ---------------------------------------------------------------------------------------
# Downloads


def _not_found(detail):
    return JsonResponse({"detail": detail}, status=404)


def _latest_redirect(name, **kwargs):
    release = Release.objects.latest_release()
    if release is None:
        return _not_found("No release has been published yet.")
    response = HttpResponseRedirect(reverse(name, kwargs={"version": release.version, **kwargs}))
    response["Cache-Control"] = f"public, max-age={LATEST_MAX_AGE}"
    return response


def throttled(view):
    """Downloads count against the API's throttles: the same rates, history and 429.

    A download is a plain Django view (a file response needs no DRF request), so the check
    DRF runs in ``APIView.initial`` runs here.
    """

    @functools.wraps(view)
    def wrapper(request, *args, **kwargs):
        # A download takes no query parameter: a typo is refused, as by every endpoint.
        try:
            check_query_params(request.GET, accepted=set())
        except ValidationError as error:
            return JsonResponse(error_body(error, error.detail), status=400)
        throttles = [throttle_class() for throttle_class in api_settings.DEFAULT_THROTTLE_CLASSES]
        waits = [t.wait() for t in throttles if not t.allow_request(request, None)]
        if waits:
            refusal = Throttled(max((wait for wait in waits if wait is not None), default=None))
            response = JsonResponse({"detail": refusal.detail}, status=refusal.status_code)
            if refusal.wait is not None:
                response["Retry-After"] = str(refusal.wait)
            return response
        return view(request, *args, **kwargs)

    return wrapper


def release_download(route_name):
    """A download view of one release: ``latest`` redirects, an unknown version is a 404.

    The wrapped view receives the Release instead of the version string.
    """

    def decorator(view):
        @require_safe
        @functools.wraps(view)
        def wrapper(request, version, **kwargs):
            if version == "latest":
                return _latest_redirect(route_name, **kwargs)
            release = None
            if RELEASE_RE.match(version):
                release = Release.objects.filter(version=version).first()
            if release is None:
                return _not_found(f"No release {version}.")
            return view(request, release, **kwargs)

        return wrapper

    return decorator


def _serve(request, path, *, etag, content_type, filename=None):
    if not path.is_file():
        return _not_found("The release's file is missing on this server.")
    if unchanged(request, f'"{etag}"'):
        response = HttpResponse(status=304)
    else:
        response = FileResponse(
            open(path, "rb"),  # FileResponse closes it
            content_type=content_type,
            as_attachment=filename is not None,
            filename=filename or "",
        )
    response["ETag"] = f'"{etag}"'
    response["Cache-Control"] = IMMUTABLE
    return response


@throttled
@release_download("datapackage-zip")
def download_zip(request, release):
    return _serve(
        request,
        release_paths(release.version)[1],
        etag=release.zip_sha256,
        content_type="application/zip",
        filename=f"mena-alignments-{release.version}.zip",
    )


@throttled
@release_download("datapackage-descriptor")
def download_descriptor(request, release):
    return _serve(
        request,
        release_paths(release.version)[0] / "datapackage.json",
        etag=release.descriptor_sha256,
        content_type="application/json",
    )


@throttled
@require_safe
def download_resource(request, version, resource):
    if resource not in RESOURCES_BY_NAME:
        known = ", ".join(RESOURCES_BY_NAME)
        return _not_found(f"No resource {resource!r}. Resources: {known}.")
    return _download_resource(request, version, resource=resource)


@release_download("datapackage-resource")
def _download_resource(request, release, resource):
    folder = release_paths(release.version)[0]
    try:
        with open(folder / "datapackage.json", encoding="utf-8") as handle:
            descriptor = json.load(handle)
        (entry,) = [r for r in descriptor["resources"] if r["name"] == resource]
        etag = entry["hash"].removeprefix("sha256:")
    except (OSError, ValueError, KeyError):
        return _not_found("The release's file is missing on this server.")
    return _serve(
        request,
        folder / "data" / f"{resource}.csv",
        etag=etag,
        content_type="text/csv; charset=utf-8",
    )


@throttled
def download_not_found(request):
    return _not_found(
        "Not found. Downloads: /datapackage/{version}.zip, /datapackage/{version}/"
        "datapackage.json and /datapackage/{version}/data/{resource}.csv; {version} may be "
        "'latest'."
    )
