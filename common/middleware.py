"""Refusals made outside the API's views, in the API's words; who a client is.

Django and its middleware answer some requests before a DRF view runs, or instead of one:
a Host that is not allowed, a body too large, a path that matches nothing, a CSRF failure, a
method that a plain view refuses, a debug page. Under ``/api/`` and the release downloads
every such error is JSON ``{"detail": "..."}``, as the API's own errors are, with DEBUG on or
off. The one exception is the browsable API: a DRF response rendered as HTML because the
client asked for HTML (a browser) keeps the page, which shows the same JSON.
"""

import ipaddress
import time

from axes.helpers import get_cool_off, get_lockout_message
from django.conf import settings
from django.core.exceptions import DisallowedHost, TooManyFieldsSent
from django.db import OperationalError, connections
from django.http import HttpResponse, JsonResponse
from django.http.response import HttpResponseRedirectBase
from django.middleware.common import CommonMiddleware
from django.utils.http import escape_leading_slashes
from django.views.csrf import csrf_failure as django_csrf_failure
from rest_framework.throttling import BaseThrottle

from common.api.errors import QueryTimeout, is_timeout

API_PREFIXES = ("/api/", "/datapackage/")

# DRF's wording where DRF has one, so an error reads the same wherever it was made.
DETAILS = {
    400: "Malformed request.",
    403: "You do not have permission to perform this action.",
    404: "Not found.",
    429: "Request was throttled.",
    500: "Server error.",
}


def is_api(request):
    return request.path.startswith(API_PREFIXES)


def json_error(status, detail):
    response = JsonResponse({"detail": detail}, status=status)
    # Set here because an early refusal skips CommonMiddleware, which would set it.
    response["Content-Length"] = len(response.content)
    return response


class JSONErrorsMiddleware:
    """Outermost: sees every response, including those made from another middleware's error."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if not is_api(request):
            return self.get_response(request)
        refusal = self.refuse_early(request)
        if refusal is not None:
            return refusal
        response = self.get_response(request)
        if response.status_code >= 400 and not _is_json(response) and not _negotiated(response):
            return _as_json(response, _detail(request, response))
        return response

    def refuse_early(self, request):
        """What Django would refuse deep inside, refused first so the answer can say why.

        Django checks the host, the number of parameters and the body's declared length when
        another middleware or the view first reads them, and answers with a page that no
        longer knows the reason (or, with DEBUG on, fails to render its debug page at all).
        """
        try:
            request.get_host()
        except DisallowedHost:
            return json_error(400, "The Host header names a host this server does not serve.")
        try:
            request.GET  # noqa: B018 - parsed here, where a refusal can still be worded
        except TooManyFieldsSent:
            limit = settings.DATA_UPLOAD_MAX_NUMBER_FIELDS
            return json_error(400, f"Too many parameters: at most {limit} are accepted.")
        limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
        length = _content_length(request)
        if limit is not None and length > limit:
            return json_error(
                413, f"The request body is {length} bytes; this server accepts at most {limit}."
            )
        return None


def csrf_failure(request, reason=""):
    """CSRF_FAILURE_VIEW: Django's page, or under /api/ the words DRF uses for the same."""
    if is_api(request):
        return json_error(403, f"CSRF Failed: {reason}")
    return django_csrf_failure(request, reason=reason)


def client_ip(request):
    """AXES_CLIENT_IP_CALLABLE: the address DRF's throttling counts by (``NUM_PROXIES``).

    One reading of X-Forwarded-For for both, so a client that a spoofed header cannot move
    to a fresh rate limit cannot move to a fresh lockout either.
    """
    address = BaseThrottle().get_ident(request)
    try:
        return str(ipaddress.ip_address(address))
    except ValueError:
        # Only a proxy count larger than the real one lets a client choose this text; it
        # would not fit the address column of the login attempts.
        return None


def lockout_response(request, original_response=None, credentials=None):
    """AXES_LOCKOUT_CALLABLE: 429 in words (JSON under /api/) with the cool-off to wait."""
    message = str(get_lockout_message())
    if is_api(request):
        response = json_error(429, message)
    else:
        response = HttpResponse(message, status=429, content_type="text/plain; charset=utf-8")
    cool_off = get_cool_off(request)
    if cool_off is not None:
        response["Retry-After"] = str(int(cool_off.total_seconds()))
    return response


def _content_length(request):
    # As Django reads it: a missing or malformed length is no body.
    try:
        return int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        return 0


def _is_json(response):
    content_type = response.get("Content-Type", "").split(";")[0].strip().lower()
    return content_type == "application/json" or content_type.endswith("+json")


def _negotiated(response):
    # A DRF response carries the renderer its content negotiation chose.
    return getattr(response, "accepted_renderer", None) is not None


def _detail(request, response):
    if response.status_code == 405:
        return f'Method "{request.method}" not allowed.'
    return DETAILS.get(response.status_code, f"{response.reason_phrase}.")


def _as_json(response, detail):
    converted = json_error(response.status_code, detail)
    # Allow, Retry-After, WWW-Authenticate, Vary and the like still apply.
    for header, value in response.items():
        if header.lower() not in {"content-type", "content-length"}:
            converted[header] = value
    converted.cookies = response.cookies
    response.close()
    return converted


class HttpResponsePermanentRedirectKeepingMethod(HttpResponseRedirectBase):
    status_code = 308


class SlashMiddleware(CommonMiddleware):
    """Django's CommonMiddleware, but a URL missing its trailing slash (``/api/v1/events``)
    is a 308 to the one with it, whatever the method: a 308 is re-sent with its method and
    body (RFC 9110, 15.4.9), where Django's 301 turns a client's POST into a GET that loses
    the body (and, with DEBUG, raises a server error instead)."""

    response_redirect_class = HttpResponsePermanentRedirectKeepingMethod

    def get_full_path_with_slash(self, request):
        return escape_leading_slashes(request.get_full_path(force_append_slash=True))


class HeadMiddleware:
    """A HEAD request gets the headers of its GET and no body, under any server.

    Django's development server and test client drop a HEAD response's body themselves;
    gunicorn sends whatever the application returns, which corrupts the next response on a
    keep-alive connection. A streamed body (a CSV export) is never started, so its queries
    never run.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if request.method != "HEAD":
            return response
        if response.streaming:
            response.streaming_content = []
        else:
            length = len(response.content)
            response.content = b""
            response["Content-Length"] = str(length)
        return response


class DatasetVersionMiddleware:
    """Every API response says which data it answers from: ``Dataset-Version`` is a release
    version (``?release=``) or ``live``."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if request.path.startswith("/api/") and "Dataset-Version" not in response:
            response["Dataset-Version"] = "live"
        return response


class StatementTimeoutMiddleware:
    """No web request holds the database longer than ``STATEMENT_TIMEOUT_MS``.

    PostgreSQL stops any statement of the request that runs past it (``statement_timeout``);
    SQLite has no such setting, so a progress handler interrupts the request's queries once
    its deadline has passed. A stopped query answers 503 in words (JSON under /api/). Only
    requests are limited, not management commands (a build or a load may run for minutes);
    a streamed export runs after the view has returned, reading in short batches, and is not
    cut short (on PostgreSQL each of its statements is still limited; each is short).
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        timeout = settings.STATEMENT_TIMEOUT_MS
        if not timeout:
            return self.get_response(request)
        limits = []
        # The live database, and the release's when the request asked for one.
        for alias in dict.fromkeys(["default", getattr(request, "dataset_alias", "default")]):
            connection = connections[alias]
            connection.ensure_connection()
            limits.append(StatementLimit(connection, timeout))
        try:
            response = self.get_response(request)
        except OperationalError as error:
            if not is_timeout(error):
                raise
            response = timeout_response(request)
        finally:
            for limit in limits:
                limit.close()
        return response


def timeout_response(request):
    detail = QueryTimeout.default_detail
    if is_api(request):
        return json_error(503, str(detail))
    return HttpResponse(detail, status=503, content_type="text/plain; charset=utf-8")


class StatementLimit:
    """Start limiting ``connection``'s statements; ``close()`` stops where it must.

    On PostgreSQL a web worker's connection keeps the limit for its life: its connections
    serve web requests only (management commands run in processes of their own, on
    connections that never had it), so it is set once per connection rather than set and
    reset on every request, two round trips of a list page's seven. Inside a transaction
    (a test's) it is set and reset per request: a rollback would undo it unseen.
    """

    def __init__(self, connection, timeout_ms):
        self.connection = connection
        self.reset = False
        # A setting of the connection rather than a query of the request: sent on the
        # driver's connection, so the request's queries are what query counts count.
        if connection.vendor == "postgresql":
            raw = connection.connection
            limit = f"SET statement_timeout = {int(timeout_ms)}"
            if connection.in_atomic_block or not connection.get_autocommit():
                raw.execute(limit)
                self.reset = True
                return
            kept = getattr(connection, "statement_limit", None)
            if kept is None or kept[0] is not raw or kept[1] != timeout_ms:
                raw.execute(limit)
                connection.statement_limit = (raw, timeout_ms)
        elif connection.vendor == "sqlite":
            deadline = time.monotonic() + timeout_ms / 1000
            # Called every 10,000 virtual machine steps (well under a millisecond).
            connection.connection.set_progress_handler(
                lambda: int(time.monotonic() > deadline), 10_000
            )

    def close(self):
        connection = self.connection
        if connection.connection is None:
            return
        if connection.vendor == "postgresql":
            if not self.reset or connection.needs_rollback:
                return
            # Tried rather than checked first: a check is one more round trip per request.
            try:
                connection.connection.execute("SET statement_timeout = 0")
            except connection.Database.Error:
                pass  # a broken connection, which Django's health check replaces
        elif connection.vendor == "sqlite":
            connection.connection.set_progress_handler(None, 0)
