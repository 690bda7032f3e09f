from importlib import import_module

from django.contrib import admin
from django.urls import include, path, reverse
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView
from rest_framework import routers


class APIRootView(routers.APIRootView):
    """MENA Alignments API: the interactive docs, the OpenAPI schema, the codebook (every
    column and vocabulary value defined in words), the releases and their downloads, each
    resource, and the alignment of two actors. The pages for people start at /."""

    def get(self, request, *args, **kwargs):
        response = super().get(request, *args, **kwargs)
        latest = reverse("datapackage-zip", kwargs={"version": "latest"})
        links = dict(response.data)
        # The latest release's zip, after the releases that list every version's downloads.
        ordered = {}
        for key, url in links.items():
            ordered[key] = url
            if key == "releases":
                ordered["downloads"] = request.build_absolute_uri(latest)
        response.data = ordered
        return response


class APIRouter(routers.DefaultRouter):
    """The API root lists the documentation first, then every resource, then alignment."""

    APIRootView = APIRootView
    FIRST = {"docs": "docs", "schema": "schema", "codebook": "pages:codebook"}
    LAST = {"alignment": "alignment", "alignment/matrix": "alignment-matrix"}

    def get_api_root_view(self, api_urls=None):
        resources = {}
        list_name = self.routes[0].name
        for prefix, _viewset, basename in self.registry:
            resources[prefix] = list_name.format(basename=basename)
        if "releases" in resources:  # the releases, with their downloads, come first
            resources = {"releases": resources.pop("releases"), **resources}
        root = {**self.FIRST, **resources, **self.LAST}
        return self.APIRootView.as_view(api_root_dict=root)


# Each app registers its viewsets on its own `router`; the API root lists them all.
API_ROUTERS = [
    "actors.urls",
    "events.urls",
    "datapackage.urls",
    "changes.urls",
]
api = APIRouter()
for module in API_ROUTERS:
    api.registry.extend(import_module(module).router.registry)

urlpatterns = [
    path("admin/", admin.site.urls),
    path("api/v1/schema/", SpectacularAPIView.as_view(), name="schema"),
    # The split view serves Swagger UI's set-up script as a file (?script): no inline script,
    # as the Content-Security-Policy requires.
    path("api/v1/docs/", SpectacularSwaggerSplitView.as_view(url_name="schema"), name="docs"),
    path("api/v1/auth/", include("rest_framework.urls")),
    path("api/v1/", include("alignment.urls")),
    path("api/v1/", include(api.urls)),
    # Release downloads: /datapackage/{version}.zip, .../datapackage.json, .../data/*.csv
    path("", include(import_module("datapackage.urls").download_urlpatterns)),
    # The pages for people: /, /alignment/, /events/, /actors/{slug}/, /codebook/, ...
    path("", include("pages.urls")),
]

# Errors outside DRF's views (an unknown /api/ path) are JSON under /api/ as well.
handler404 = "common.api.errors.page_not_found"
handler500 = "common.api.errors.server_error"
