"""gunicorn settings, from the environment: `gunicorn -c gunicorn.conf.py`.

Threaded workers (gthread), not the default sync workers. A sync worker tells the arbiter it
is alive only between requests, so a request longer than `timeout` (30 s by default) is
killed mid-stream: a large `?format=csv` export would end early while the client has already
seen status 200. A gthread worker's main loop keeps notifying the arbiter while its threads
serve requests, so `timeout` only catches a worker that is truly stuck, and a stream may run
as long as it needs. Threads also let one worker serve other requests during an export.

gunicorn refuses a request whose request line or headers pass its limits before Django sees
it; its error pages are written as JSON ``{"detail": ...}`` here, like every API error.
"""

import json
import os

from gunicorn import util

wsgi_app = "config.wsgi:application"
bind = os.environ.get("GUNICORN_BIND", "127.0.0.1:8000")
worker_class = "gthread"
workers = int(os.environ.get("WEB_CONCURRENCY", "2"))
threads = int(os.environ.get("GUNICORN_THREADS", "4"))
# A heartbeat limit for a stuck worker, not a per-request limit (see above).
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "30"))
graceful_timeout = int(os.environ.get("GUNICORN_GRACEFUL_TIMEOUT", "30"))
keepalive = int(os.environ.get("GUNICORN_KEEPALIVE", "5"))
accesslog = os.environ.get("GUNICORN_ACCESSLOG") or None
errorlog = "-"
loglevel = os.environ.get("GUNICORN_LOGLEVEL", "info")

# Requests are refused (400 or 431) before Django reads them past these sizes. 4094 bytes of
# request line hold any URL the API needs (twenty actor slugs are a tenth of it) while
# keeping query strings short enough that the API's own checks stay cheap.
limit_request_line = int(os.environ.get("GUNICORN_LIMIT_REQUEST_LINE", "4094"))
limit_request_fields = int(os.environ.get("GUNICORN_LIMIT_REQUEST_FIELDS", "100"))
limit_request_field_size = int(os.environ.get("GUNICORN_LIMIT_REQUEST_FIELD_SIZE", "8190"))


def write_json_error(sock, status_int, reason, mesg):
    """gunicorn's ``util.write_error`` with a JSON body instead of an HTML page."""
    detail = f"{reason}: {mesg}" if mesg else f"{reason}."
    body = json.dumps({"detail": detail}).encode()
    head = (
        f"HTTP/1.1 {status_int} {reason}\r\n"
        "Connection: close\r\n"
        "Content-Type: application/json\r\n"
        f"Content-Length: {len(body)}\r\n\r\n"
    )
    util.write_nonblock(sock, head.encode("latin-1") + body)


# gunicorn has no setting for the format of its own error pages; its workers call
# util.write_error for every request they refuse, and are forked after this file is read.
util.write_error = write_json_error
