"""The one settings module, configured from the environment.

Local use needs no configuration at all. ``DJANGO_ENV=production`` switches to safe
defaults: no debug, a mandatory ``SECRET_KEY`` and HTTPS-only cookies and redirects.
"""

import datetime
import os
import tempfile
from pathlib import Path

import dj_database_url
from csp.constants import NONE, SELF, UNSAFE_INLINE
from django.core.checks.security.base import (
    SECRET_KEY_INSECURE_PREFIX,
    SECRET_KEY_MIN_LENGTH,
    SECRET_KEY_MIN_UNIQUE_CHARACTERS,
)
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent


def env_bool(name, default):
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name, default):
    value = os.environ.get(name)
    if value is None:
        return default
    return [item.strip() for item in value.split(",") if item.strip()]


def env_count(name, default, minimum=0):
    """A whole number >= ``minimum``; anything else stops start-up rather than guessing."""
    value = os.environ.get(name, "").strip()
    if not value:
        return default
    if not value.isdigit() or int(value) < minimum:
        raise ImproperlyConfigured(f"{name}={value!r} must be a whole number, {minimum} or more.")
    return int(value)


# Every environment changes behaviour, so a misspelt one ("prod") must not fall back to
# development's debug pages and public key: it stops start-up instead.
ENVIRONMENTS = ("development", "production")
_env = os.environ.get("DJANGO_ENV", "development")
DJANGO_ENV = _env.strip().lower()
if DJANGO_ENV not in ENVIRONMENTS:
    raise ImproperlyConfigured(
        f"DJANGO_ENV={_env!r} is not an environment of this project. Use 'development' "
        "(the default: debug on, a public development key) or 'production'."
    )
PRODUCTION = DJANGO_ENV == "production"


def production_secret_key_problem(key):
    """Why ``key`` is too weak to sign production sessions, or None.

    The same thresholds as Django's deployment check (security.W009), enforced at start-up
    rather than reported.
    """
    if not key.strip():
        return "SECRET_KEY is not set"
    if key.startswith(SECRET_KEY_INSECURE_PREFIX):
        return f"SECRET_KEY starts with {SECRET_KEY_INSECURE_PREFIX!r}, a development key"
    if len(key) < SECRET_KEY_MIN_LENGTH:
        return f"SECRET_KEY has {len(key)} characters, fewer than {SECRET_KEY_MIN_LENGTH}"
    if len(set(key)) < SECRET_KEY_MIN_UNIQUE_CHARACTERS:
        return (
            f"SECRET_KEY has {len(set(key))} distinct characters, fewer than "
            f"{SECRET_KEY_MIN_UNIQUE_CHARACTERS}"
        )
    return None


SECRET_KEY = os.environ.get("SECRET_KEY", "")
if PRODUCTION:
    problem = production_secret_key_problem(SECRET_KEY)
    if problem:
        raise ImproperlyConfigured(
            f"{problem}. Production settings (DJANGO_ENV=production) need a long random "
            "SECRET_KEY in the environment, e.g. from "
            "`python -c 'import secrets; print(secrets.token_urlsafe(50))'`."
        )
elif not SECRET_KEY.strip():
    # Only ever used for local development and tests.
    SECRET_KEY = "django-insecure-local-development-key-not-for-production-use-0123456789"

DEBUG = env_bool("DEBUG", not PRODUCTION)
if PRODUCTION and DEBUG:
    # Debug pages show settings, source and SQL to anyone who triggers an error.
    raise ImproperlyConfigured(
        "DEBUG is on with DJANGO_ENV=production. Unset DEBUG; use DJANGO_ENV=development to debug."
    )
ALLOWED_HOSTS = env_list(
    "ALLOWED_HOSTS", [] if PRODUCTION else ["127.0.0.1", "localhost", "[::1]", "testserver"]
)
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])
CSRF_FAILURE_VIEW = "common.middleware.csrf_failure"

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "rest_framework",
    "rest_framework.authtoken",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "axes",
    "csp",
    "actors",
    "events",
    "datapackage",
    "alignment",
    "changes",
    "pages",
]

MIDDLEWARE = [
    # Outermost, so that every response carries the policy, static files and refusals too.
    "csp.middleware.CSPMiddleware",
    # A HEAD response never carries a body, whatever made it.
    "common.middleware.HeadMiddleware",
    "common.middleware.DatasetVersionMiddleware",
    # Next, so that errors made by the middleware below are JSON under /api/ too.
    "common.middleware.JSONErrorsMiddleware",
    # Before the statement timeout, which limits the release's database too.
    "datapackage.middleware.ReleaseMiddleware",
    "common.middleware.StatementTimeoutMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "common.middleware.SlashMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # Last, as django-axes requires: turns a lockout into its response.
    "axes.middleware.AxesMiddleware",
]

# Content-Security-Policy (django-csp): scripts, styles, fonts and requests only from this
# server, no inline script, no plugins, no framing. Every page here (admin, browsable API,
# Swagger UI) loads its scripts from files: the docs page its set-up script from
# /api/v1/docs/?script, the browsable API logs out with a form (config/templates). Two
# allowances: inline style attributes, which cannot run code and lay out the browsable API,
# and data: images, Swagger UI's icons. Two inline <style> blocks are refused, at no loss
# that shows: Swagger UI's page background and the browsable API's code highlighting.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "style-src-attr": [UNSAFE_INLINE],
        "img-src": [SELF, "data:"],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    }
}

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "config" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

# SQLite reads through a memory map of the file (the operating system's page cache, shared
# by every connection and worker) and keeps a larger page cache per connection: with the
# defaults (no map, 2 MB) each query at a million events copies pages it read a moment ago.
SQLITE_MMAP_BYTES = int(os.environ.get("SQLITE_MMAP_BYTES", str(2**31 - 2**16)))
SQLITE_CACHE_KIB = int(os.environ.get("SQLITE_CACHE_KIB", "65536"))
SQLITE_INIT_COMMAND = f"PRAGMA mmap_size={SQLITE_MMAP_BYTES}; PRAGMA cache_size=-{SQLITE_CACHE_KIB}"
DATABASES = {
    "default": dj_database_url.config(
        default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}",
        conn_max_age=int(os.environ.get("CONN_MAX_AGE", "60")),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {
            # Every transaction takes SQLite's write lock when it begins, so writers queue
            # one behind the other: none fails with "database is locked" on upgrading a
            # read lock, and none writes what it read before another writer committed.
            "transaction_mode": "IMMEDIATE",
            # Seconds a writer waits in that queue before giving up.
            "timeout": 20,
            "init_command": SQLITE_INIT_COMMAND,
        }
    )
    # Tests use a file, as deployments do: an in-memory test database is shared by every
    # thread of the live test server through one connection, so concurrent writes could
    # not be tested. Django deletes the file after the run.
    DATABASES["default"]["TEST"] = {
        "NAME": str(Path(tempfile.gettempdir()) / f"mena-alignments-test-{os.getpid()}.sqlite3")
    }
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    if env_bool("POSTGRES_PREPARED_STATEMENTS", True):
        # Parameters sent apart from the SQL, and a statement run five times on a connection
        # is prepared: PostgreSQL then skips parsing it again (a filtered page's key query
        # is 10 KB; at a million events it took 8.4 ms unprepared, 3.3 ms prepared). Turn
        # off behind a pooler in transaction mode (PgBouncer), where a prepared statement
        # may not be on the server connection that gets the next query.
        DATABASES["default"].setdefault("OPTIONS", {}).update(
            {"server_side_binding": True, "prepare_threshold": 5}
        )
    # The planner's cost of reading a page out of order, relative to a sequential read.
    # PostgreSQL's default (4) is a spinning disk's; where the data is in memory or on SSD,
    # as a curated dataset's is, it makes the planner hash a whole table (every source, to
    # cite 100 events) where an index lookup per row is ten times faster. 1.1 is the usual
    # SSD setting.
    _cost = os.environ.get("POSTGRES_RANDOM_PAGE_COST", "").strip() or "1.1"
    try:
        if not 0 < float(_cost) < 1000:
            raise ValueError(_cost)
    except ValueError:
        raise ImproperlyConfigured(
            f"POSTGRES_RANDOM_PAGE_COST={_cost!r} must be a positive number, e.g. 1.1."
        ) from None
    DATABASES["default"].setdefault("OPTIONS", {}).setdefault(
        "options", f"-c random_page_cost={float(_cost)}"
    )
# Several checkouts may test against one PostgreSQL server: each can name its test database.
if os.environ.get("TEST_DATABASE_NAME"):
    DATABASES["default"]["TEST"] = {"NAME": os.environ["TEST_DATABASE_NAME"]}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
# The longest a web request's queries may run, in milliseconds (0: no limit). Past it the
# query is stopped and the request answers 503 (common.middleware.StatementTimeoutMiddleware).
STATEMENT_TIMEOUT_MS = int(os.environ.get("STATEMENT_TIMEOUT_MS", "15000"))
# Each published release is also a read-only SQLite database, built from its files on first
# use, that ?release= queries read (datapackage/snapshots.py).
RELEASE_SNAPSHOTS_DIR = Path(
    os.environ.get("RELEASE_SNAPSHOTS_DIR", BASE_DIR / "var" / "snapshots")
)
DATABASE_ROUTERS = ["datapackage.snapshots.ReleaseRouter"]
# The function that names the live data's version (list ETags change when it does).
DATA_VERSION = "changes.version.live_version"
# The function a write calls before it locks a row (common.services.lock_row).
HOLD_WRITES = "changes.version.hold_writes"

# Anonymous throttling counts requests in the cache, so the cache must be one that every
# gunicorn worker shares: a per-process cache would give each worker its own allowance.
# Without Redis, files on this machine serve all its workers; culling visits every file, so
# the cap keeps each write cheap (a full cache forgets a third of its clients).
CACHES = {
    "default": {
        "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
        "LOCATION": Path(os.environ.get("CACHE_DIR", BASE_DIR / "var" / "cache")),
        "OPTIONS": {"MAX_ENTRIES": 1000},
    }
}
# JSON answers kept per data version (common/api/response_cache.py). In each process's
# memory by default: a hit then costs no I/O, and each worker fills its own. The entries and
# the size of a kept body bound that memory (at most 200 x 1 MiB a worker).
CACHES["responses"] = {
    "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
    "LOCATION": "responses",
    "OPTIONS": {"MAX_ENTRIES": env_count("RESPONSE_CACHE_ENTRIES", 200)},
}
if os.environ.get("REDIS_URL"):
    # Shared by every app server, not only by the workers of one machine.
    CACHES["default"] = {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": os.environ["REDIS_URL"],
    }
    CACHES["responses"] = {**CACHES["default"], "KEY_PREFIX": "responses"}

# How long a list's count is kept, under the data's version (it cannot go stale: a change
# makes a new version). 0 counts on every request.
COUNT_CACHE_SECONDS = int(os.environ.get("COUNT_CACHE_SECONDS", "3600"))
# How long a JSON answer is kept (0: never; an entry cannot go stale either), and the
# largest body kept, in bytes (a 100-row page of events is about 100 KB).
RESPONSE_CACHE_SECONDS = env_count("RESPONSE_CACHE_SECONDS", 3600)
RESPONSE_CACHE_MAX_BYTES = env_count("RESPONSE_CACHE_MAX_BYTES", 1024 * 1024)

# How many reverse proxies in front of the app append to X-Forwarded-For. The client is the
# address the outermost trusted proxy saw; with 0 the header is ignored, since anyone can
# send it. Throttling (DRF's NUM_PROXIES) and login lockouts count by this same address.
TRUSTED_PROXIES = env_count("TRUSTED_PROXIES", 0)

# Brute-force protection (django-axes) for every login: the admin's and the browsable API's.
# After LOGIN_FAILURE_LIMIT failed attempts the lockout key is refused, even with the right
# password, until LOGIN_COOLOFF_MINUTES have passed since its last attempt. The default key,
# a username from one address, stops guessing one account without letting a stranger lock
# a curator out from the curator's own address.
AUTHENTICATION_BACKENDS = [
    # First: refuses a locked-out client before any password is checked.
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
LOCKOUT_KEY_PARTS = ("username", "ip_address", "user_agent")


def lockout_parameters(name, default):
    """``username+ip_address`` (one key of two parts) or ``ip_address,username`` (either key
    alone) as django-axes' AXES_LOCKOUT_PARAMETERS."""
    value = os.environ.get(name, "").strip() or default
    keys = []
    for key in value.split(","):
        parts = [part.strip() for part in key.split("+")]
        unknown = [part for part in parts if part not in LOCKOUT_KEY_PARTS]
        if unknown or not parts:
            raise ImproperlyConfigured(
                f"{name}={value!r}: a key is made of {', '.join(LOCKOUT_KEY_PARTS)} joined by "
                "'+', and keys are separated by ','; e.g. 'username+ip_address'."
            )
        keys.append(parts[0] if len(parts) == 1 else parts)
    return keys


LOGIN_FAILURE_LIMIT = env_count("LOGIN_FAILURE_LIMIT", 5, minimum=1)
LOGIN_COOLOFF_MINUTES = env_count("LOGIN_COOLOFF_MINUTES", 15, minimum=1)
AXES_FAILURE_LIMIT = LOGIN_FAILURE_LIMIT
AXES_COOLOFF_TIME = datetime.timedelta(minutes=LOGIN_COOLOFF_MINUTES)
AXES_LOCKOUT_PARAMETERS = lockout_parameters("LOGIN_LOCKOUT_KEY", "username+ip_address")
AXES_RESET_ON_SUCCESS = True
AXES_CLIENT_IP_CALLABLE = "common.middleware.client_ip"
AXES_LOCKOUT_CALLABLE = "common.middleware.lockout_response"
AXES_COOLOFF_MESSAGE = (
    f"Too many failed login attempts: logging in is locked for {LOGIN_COOLOFF_MINUTES} "
    "minutes after the last attempt."
)

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "en-gb"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = Path(os.environ.get("STATIC_ROOT", BASE_DIR / "staticfiles"))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "whitenoise.storage.CompressedManifestStaticFilesStorage"
            if PRODUCTION
            else "django.contrib.staticfiles.storage.StaticFilesStorage"
        )
    },
}

# The site's public address: citations of a release give its zip's address under it.
PUBLIC_URL = os.environ.get("PUBLIC_URL", "http://127.0.0.1:8000")
# Where published releases (immutable folders and zips) are stored.
RELEASES_DIR = Path(os.environ.get("RELEASES_DIR", BASE_DIR / "releases"))
# The curated dataset that ships with the code, as a data package.
BUNDLED_DATAPACKAGE = BASE_DIR / "dataset"


def throttle_rate(name, default):
    """A DRF rate such as ``1000/hour``; empty, ``none`` or ``off`` disables the throttle."""
    value = os.environ.get(name, default).strip()
    return None if value.lower() in {"", "none", "off"} else value


# The API's behaviour lives in common/api/, one module per concern.
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        # First, so an anonymous write gets 401 with a WWW-Authenticate header.
        "rest_framework.authentication.TokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    # Anyone reads; a write needs the Django model permission (add/change/delete).
    "DEFAULT_PERMISSION_CLASSES": [
        "rest_framework.permissions.DjangoModelPermissionsOrAnonReadOnly"
    ],
    "DEFAULT_FILTER_BACKENDS": [
        "common.api.filters.FilterBackend",
        "common.api.filters.StrictOrderingFilter",
    ],
    "DEFAULT_PAGINATION_CLASS": "common.api.pagination.DatasetPagination",
    "PAGE_SIZE": 50,
    "DEFAULT_PARSER_CLASSES": ["common.api.parsers.JSONParser"],
    "DEFAULT_RENDERER_CLASSES": [
        "rest_framework.renderers.JSONRenderer",
        "rest_framework.renderers.BrowsableAPIRenderer",
    ],
    "DEFAULT_CONTENT_NEGOTIATION_CLASS": "common.api.negotiation.ContentNegotiation",
    "DEFAULT_THROTTLE_CLASSES": ["common.api.throttling.AnonRateThrottle"],
    "DEFAULT_THROTTLE_RATES": {"anon": throttle_rate("ANON_THROTTLE_RATE", "1000/hour")},
    "NUM_PROXIES": TRUSTED_PROXIES,
    "EXCEPTION_HANDLER": "common.api.errors.exception_handler",
    "DEFAULT_SCHEMA_CLASS": "common.api.schema.AutoSchema",
    "URL_FORMAT_OVERRIDE": "format",
    "TEST_REQUEST_DEFAULT_FORMAT": "json",
}

SPECTACULAR_SETTINGS = {
    "TITLE": "MENA Alignments API",
    "DESCRIPTION": (
        "A curated, versioned dataset on Russian and Iranian involvement in the wars in "
        "Syria and Yemen: actors, events, positions on issues, and the sources for every row."
    ),
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "common.api.schema.describe_enums",
    ],
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
}

if PRODUCTION:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = int(os.environ.get("SECURE_HSTS_SECONDS", "31536000"))
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    SECURE_CONTENT_TYPE_NOSNIFF = True
    X_FRAME_OPTIONS = "DENY"
