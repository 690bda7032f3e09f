"""Links between API responses that stay on the data they came from: a response read from
a release (``?release=``) links to rows of that same release."""

from rest_framework import serializers
from rest_framework.utils.urls import replace_query_param


def released(request):
    """The release a request reads (``?release=``), or None for the live data."""
    return getattr(request, "dataset_release", None)


def with_release(url_template, request):
    """A row link pinned to the release the request reads, so following it stays there."""
    release = released(request)
    if release is None:
        return url_template
    prefix, suffix = url_template
    return prefix, f"{suffix}{'&' if '?' in suffix else '?'}release={release.version}"


def this_page(request):
    """The request's own absolute URL, with ``?release=latest`` replaced by the version that
    answered: a client paging through ``latest`` stays on one release, even when a newer
    one is published between its requests."""
    url = request.build_absolute_uri()
    release = released(request)
    if release is None or request.query_params.get("release") == release.version:
        return url
    return replace_query_param(url, "release", release.version)


class DatasetLink(serializers.HyperlinkedIdentityField):
    """The link to a row's own detail, pinned to the release the request reads."""

    def get_url(self, obj, view_name, request, format):
        url = super().get_url(obj, view_name, request, format)
        release = released(request) if request is not None else None
        if release is None or url is None:
            return url
        return f"{url}{'&' if '?' in url else '?'}release={release.version}"
