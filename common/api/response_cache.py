"""JSON answers kept per data version: a page, a search or a comparison asked for again
is sent as it was first rendered, without running its queries.

Safe because the key names everything the body depends on: the version of the data it
answers from (a release's, or the live data's, which changes with every write by any
path), the absolute URL (its host and scheme are in the body's links) and the negotiated
media type. A change to the data makes a new version, so an entry is never stale; the
timeout and the size limits only bound the memory the cache takes.

Only 200 answers in JSON are kept: a refused request never reaches one (its parameters are
checked first), the browsable API's HTML holds the user's session, and the streamed formats
are read as they are written.

An answer over RESPONSE_CACHE_MAX_BYTES is kept compressed when that fits: a comparison of
two actors at a million events is 1.4 MB of JSON, repetitive enough to keep in a tenth of
that, and inflating it costs a few milliseconds against a tenth of a second to compute it.
Smaller answers are kept as they are, so that a page asked again costs no inflating.
"""

import hashlib
import zlib

from django.conf import settings
from django.core.cache import caches
from django.http import HttpResponse
from rest_framework.response import Response

ALIAS = "responses"
# The headers the view's response had when it was kept; the middleware adds the others
# (Dataset-Version, security headers) to every response, also to one from the cache.
KEPT_HEADERS = ("Content-Type", "Vary", "Allow", "ETag")


def key_for(request, data_version):
    """The cache key of ``request``'s answer, or None when it is not one to keep."""
    if settings.RESPONSE_CACHE_SECONDS <= 0 or request.method not in ("GET", "HEAD"):
        return None
    renderer = getattr(request, "accepted_renderer", None)
    if getattr(renderer, "format", None) != "json":
        return None
    text = f"{data_version}\n{request.build_absolute_uri()}\n{request.accepted_media_type}"
    return "response:" + hashlib.sha256(text.encode()).hexdigest()


def cached(key):
    """The kept answer of ``key`` as a new response, or None."""
    if key is None:
        return None
    kept = caches[ALIAS].get(key)
    if kept is None:
        return None
    content, headers, compressed = kept
    if compressed:
        content = zlib.decompress(content)
    response = HttpResponse(content)
    for name, value in headers:
        response[name] = value
    return response


def keep(key, response):
    """Keep ``response`` (rendered by DRF's finalize_response) under ``key`` when it is a
    JSON 200 of at most RESPONSE_CACHE_MAX_BYTES, as it is or compressed."""
    if key is None or not isinstance(response, Response) or response.status_code != 200:
        return
    response.render()
    content = response.content
    compressed = len(content) > settings.RESPONSE_CACHE_MAX_BYTES
    if compressed:
        content = zlib.compress(content, 1)  # the fastest level: most of the gain here
        if len(content) > settings.RESPONSE_CACHE_MAX_BYTES:
            return
    headers = [(name, response[name]) for name in KEPT_HEADERS if name in response]
    caches[ALIAS].set(key, (content, headers, compressed), settings.RESPONSE_CACHE_SECONDS)
