from importlib import import_module

from django.contrib import admin
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView
from rest_framework.routers import DefaultRouter

# Each app registers its viewsets on its own `router`; the API root lists them all.
API_ROUTERS = [
    "actors.urls",
    "events.urls",
    "datapackage.urls",
    "changes.urls",
]
api = DefaultRouter()
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
]

# Errors outside DRF's views (an unknown /api/ path) are JSON under /api/ as well.
handler404 = "common.api.errors.page_not_found"
handler500 = "common.api.errors.server_error"
