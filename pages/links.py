"""Links of the pages. A page read from a release (``?release=``) links to that release's
pages and API answers, so a reader who follows them stays in the data as published."""

from urllib.parse import urlencode

from django.http import QueryDict
from django.urls import reverse

from datapackage.snapshots import current_release

# The pages, and the views of the API that read the dataset (and so take ?release=).
PINNED_NAMES = (
    "pages:",
    "actor-",
    "source-",
    "event-",
    "issue-",
    "position-",
    "relation-",
    "alignment",
)


def link(name, query=None, **kwargs):
    """The URL of view ``name`` with ``query``; on a page read from a release, with that
    release too when the view reads the dataset."""
    url = reverse(name, kwargs=kwargs or None)
    query = query.copy() if isinstance(query, QueryDict) else dict(query or {})
    release = current_release()
    if release is not None and name.startswith(PINNED_NAMES):
        query["release"] = release.version
    if query:
        url += "?" + (query.urlencode() if isinstance(query, QueryDict) else urlencode(query))
    return url


def package_version():
    """The release whose files a page offers: the one it is read from, else the latest."""
    release = current_release()
    return "latest" if release is None else release.version
