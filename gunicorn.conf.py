"""gunicorn settings, from the environment: `gunicorn -c gunicorn.conf.py`.

Threaded workers (gthread), not the default sync workers. A sync worker tells the arbiter it
is alive only between requests, so a request longer than `timeout` (30 s by default) is
killed mid-stream: a large `?format=csv` export would end early while the client has already
seen status 200. A gthread worker's main loop keeps notifying the arbiter while its threads
serve requests, so `timeout` only catches a worker that is truly stuck, and a stream may run
as long as it needs. Threads also let one worker serve other requests during an export.
"""

import os

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
