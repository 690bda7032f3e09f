from django.urls import re_path
from rest_framework.routers import SimpleRouter

from . import views

router = SimpleRouter()
router.register("releases", views.ReleaseViewSet, basename="release")

# Any text is matched as a version or resource so that an unknown one gets a JSON 404.
download_urlpatterns = [
    re_path(r"^datapackage/(?P<version>[^/]+)\.zip$", views.download_zip, name="datapackage-zip"),
    re_path(
        r"^datapackage/(?P<version>[^/]+)/datapackage\.json$",
        views.download_descriptor,
        name="datapackage-descriptor",
    ),
    re_path(
        r"^datapackage/(?P<version>[^/]+)/data/(?P<resource>[^/]+)\.csv$",
        views.download_resource,
        name="datapackage-resource",
    ),
    # Anything else under /datapackage/ is a JSON 404 too.
    re_path(r"^datapackage/", views.download_not_found),
]
