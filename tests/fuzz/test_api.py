"""Schemathesis against the whole app (every middleware, in process), with all its checks.

Every operation of the OpenAPI schema is fuzzed: schemathesis's coverage cases (each
parameter's boundaries and wrong types) and ``MAX_EXAMPLES`` generated cases per operation,
from the fixed ``SEED``, on whichever database the suite runs on. The bundled dataset is
loaded and published first, so generated keys can name rows that exist, and a curator
holding every permission on the dataset's models sends every request, so writes are fuzzed
too. Each case runs in a savepoint that is rolled back: every case starts from the bundled
dataset, so a failure replays the same way on its own. The run ends with a line giving the
operations fuzzed and the requests sent.
"""

import json
import zlib

import pytest
import schemathesis
from django.contrib.auth.models import Permission, User
from django.contrib.contenttypes.models import ContentType
from django.core.management import call_command
from django.core.signals import request_finished, request_started
from django.db import close_old_connections, transaction
from rest_framework.authtoken.models import Token
from schemathesis.config import SchemathesisConfig
from schemathesis.generation import GenerationMode

from actors.models import Actor
from common.api.pagination import encode_cursor
from config.wsgi import application
from datapackage.models import Release
from datapackage.schema import RESOURCES
from events.models import Event, Issue, Position, Relation, Source

SEED = 20250707
MAX_EXAMPLES = 10
SCHEMA_PATH = "/api/v1/schema/?format=json"


class CountingApp:
    """The WSGI application, counting the requests it answers (checks send some too)."""

    def __init__(self, app):
        self.app = app
        self.requests = 0

    def __call__(self, environ, start_response):
        self.requests += 1
        return self.app(environ, start_response)


@pytest.fixture
def wsgi_app():
    """The project's WSGI application, inside this test's transaction.

    As in Django's test client, a request must not close the connection that holds the
    test's transaction (the handler closes old connections around each request).
    """
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield CountingApp(application)
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.fixture
def bundled_dataset(db, settings, tmp_path):
    settings.RELEASES_DIR = tmp_path / "releases"
    call_command("load_datapackage", str(settings.BUNDLED_DATAPACKAGE), verbosity=0)
    descriptor = json.loads((settings.BUNDLED_DATAPACKAGE / "datapackage.json").read_text())
    call_command("publish_release", descriptor["version"], notes="Fuzzed.", verbosity=0)


@pytest.fixture
def curator_token(bundled_dataset):
    curator = User.objects.create_user("fuzz-curator")
    content_types = ContentType.objects.get_for_models(*(table.model for table in RESOURCES))
    curator.user_permissions.set(Permission.objects.filter(content_type__in=content_types.values()))
    return Token.objects.create(user=curator).key


class Rules:
    """Makes the parts of a case that schemathesis generated to be valid obey the rules that
    OpenAPI cannot state; the parts made invalid on purpose are left alone.

    - A key names a row that exists. A schema says what a slug looks like, not which slugs
      exist, so a random one names nothing and only ever tests the 400 or 404 that says so.
      Each is swapped for an existing key picked by a hash of the generated value (the same
      case always names the same rows).
    - A cursor is one the API handed out (in ``next``): random text is none.
    - Parameters that depend on another (README, "The API"): ``bom`` and ``wide`` only with
      ``format=csv``, ``fields`` only for JSON, ``updated_after`` not with ``release``,
      ``cursor`` neither with ``page`` nor with ``ordering`` nor on an export, and a
      ``date_after`` not after its ``date_before``.
    - A published slug never changes: a PUT or PATCH gives the slug it is sent to.
    - If-Match names the object's current version: ``*`` (which any stored object matches)
      in three cases out of four. The fourth keeps its random ETag, which answers 412 before
      the body is read; were every one kept, no write's body would be read at all.
    """

    PATH = {
        "actors": "actor",
        "issues": "issue",
        "sources": "source",
        "events": "event",
        "positions": "position",
        "relations": "relation",
        "releases": "release",
    }
    QUERY = {
        "parent": "actor",
        "actor": "actor",
        "actor_tree": "actor",
        "actors": "actor",
        "between": "actor",
        "issue": "issue",
        "source": "source",
        "release": "release",
    }
    BODY = {"parent": "actor", "actor": "actor", "counterpart": "actor", "issue": "issue"}
    NESTED = {"participants": ("actor", "actor"), "citations": ("source", "source")}

    def __init__(self):
        self.keys = {
            "actor": list(Actor.objects.order_by("slug").values_list("slug", flat=True)),
            "issue": list(Issue.objects.order_by("slug").values_list("slug", flat=True)),
            "release": ["latest", *Release.objects.values_list("version", flat=True)],
        }
        for name, model in [
            ("source", Source),
            ("event", Event),
            ("position", Position),
            ("relation", Relation),
        ]:
            self.keys[name] = list(model.objects.order_by("pk").values_list("pk", flat=True))

    def pick(self, kind, value, offset=0):
        keys = self.keys[kind]
        if not keys or isinstance(value, bool) or not isinstance(value, (str, int)):
            return value
        chosen = keys[(zlib.crc32(str(value).encode()) + offset) % len(keys)]
        return str(chosen) if isinstance(value, str) else chosen

    def pick_all(self, kind, values):
        if not isinstance(values, list):
            return self.pick(kind, values)
        # Distinct values stay distinct (an alignment compares two different actors).
        start = zlib.crc32(repr(values).encode())
        return [self.pick(kind, start, offset) for offset, _value in enumerate(values)]

    def __call__(self, context, case):
        meta = case.meta
        if meta is None:
            return case
        valid = {
            location.value
            for location, info in meta.components.items()
            if info.mode == GenerationMode.POSITIVE
        }
        if "header" in valid and "If-Match" in (case.headers or {}):
            if self.digest(case.headers["If-Match"], case) % 4:
                case.headers["If-Match"] = "*"
        if "path" in valid and case.path_parameters:
            kind = self.PATH.get(case.operation.path.split("/")[3])
            if kind is not None:
                case.path_parameters = {
                    name: self.pick(kind, value) for name, value in case.path_parameters.items()
                }
        if "query" in valid and case.query:
            for name, kind in self.QUERY.items():
                if name in case.query:
                    case.query[name] = self.pick_all(kind, case.query[name])
            self.related_parameters(case)
        if "body" in valid and isinstance(case.body, dict):
            for name, kind in self.BODY.items():
                if isinstance(case.body.get(name), str):
                    case.body[name] = self.pick(kind, case.body[name])
            for name, (key, kind) in self.NESTED.items():
                for item in case.body.get(name) or []:
                    if isinstance(item, dict) and key in item:
                        item[key] = self.pick(kind, item[key])
            if "slug" in case.body and "slug" in (case.path_parameters or {}):
                case.body["slug"] = case.path_parameters["slug"]
        return case

    @staticmethod
    def digest(value, case):
        """The same number for the same generated case, run after run."""
        body = case.body if isinstance(case.body, (dict, list, str)) else None
        generated = [value, case.path_parameters, case.query, body]
        return zlib.crc32(json.dumps(generated, sort_keys=True, default=repr).encode())

    def related_parameters(self, case):
        query = case.query
        if "cursor" in query:
            query["cursor"] = encode_cursor(self.digest(query["cursor"], case) % 100)
            query.pop("page", None)
            query.pop("ordering", None)
        if query.get("format") != "csv":
            query.pop("bom", None)
            query.pop("wide", None)
        if query.get("format") not in (None, "json"):
            query.pop("fields", None)
        if "release" in query:
            query.pop("updated_after", None)  # a release's rows never change
        if query.get("format") in ("csv", "geojson"):
            query.pop("cursor", None)  # an export streams every row: a cursor is refused
        after, before = query.get("date_after"), query.get("date_before")
        if after and before:
            query["date_after"], query["date_before"] = sorted([after, before])


# Every check runs with its defaults (those below are schemathesis's), but for these
# allowances, on writes only.
# - A write's body can be valid by its schema and still break a rule between its own fields
#   or with other rows, which OpenAPI 3.0 cannot state: a date_end before its date_start, a
#   dated row without a date_precision, coordinates without a geo_precision, an actor in a
#   relation with itself, a source cited twice, a slug another row has, a parent that would
#   close a cycle. The API answers 400 naming the field, as documented.
# - An If-Match that is not the object's current ETag is a 412, as documented, whatever the
#   body: which ETag is current is the stored row's to say, not the schema's, and a
#   precondition is evaluated before the request's content is read (RFC 9110, 13.2.2), so
#   an invalid body sent with a stale ETag is a 412 too.
# Each such response's body is still checked against the schema. A read's valid request may
# not be refused at all.
ACCEPTED = ["2xx", "3xx", "401", "403", "404", "409", "429", "5xx"]
REJECTED = ["400", "401", "403", "404", "405", "406", "409", "415", "422", "428", "429", "5xx"]
WRITES = {
    "POST": {"positive_data_acceptance": [*ACCEPTED, "400"]},
    "PUT": {"positive_data_acceptance": [*ACCEPTED, "400", "412"]},
    "DELETE": {"positive_data_acceptance": [*ACCEPTED, "412"]},
}
WRITES["PATCH"] = WRITES["PUT"]
for method in ("PUT", "PATCH", "DELETE"):
    WRITES[method] = {**WRITES[method], "negative_data_rejection": [*REJECTED, "412"]}


def fuzz_config(token):
    return SchemathesisConfig.from_dict(
        {
            "seed": SEED,
            # The curator's token, through the schema's own security scheme.
            "auth": {"openapi": {"tokenAuth": {"api_key": f"Token {token}"}}},
            "generation": {"max-examples": MAX_EXAMPLES, "database": "none"},
            # Values seen in responses (timestamps, ETags) differ from run to run; the keys
            # they would supply come from Rules instead, so that a seed names one run.
            "phases": {
                phase: {"extra-data-sources": {"responses": False}}
                for phase in ("examples", "coverage", "fuzzing")
            },
            "operations": [
                {
                    "include-method": method,
                    "checks": {
                        check: {"expected-statuses": statuses} for check, statuses in checks.items()
                    },
                }
                for method, checks in WRITES.items()
            ],
        }
    )


@pytest.fixture
def api_schema(wsgi_app, curator_token, settings, capsys):
    # The anonymous throttle counts per client, and this run is one client: without this
    # the budget would go to 429s (which the schema documents) instead of real cases.
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "DEFAULT_THROTTLE_RATES": {"anon": None}}
    loaded = schemathesis.openapi.from_wsgi(
        SCHEMA_PATH, wsgi_app, config=fuzz_config(curator_token)
    )
    loaded.hook("map_case")(Rules())
    before = wsgi_app.requests
    yield loaded
    with capsys.disabled():
        print(
            f"\nschemathesis: {len(loaded)} operations fuzzed, {wsgi_app.requests - before} "
            f"requests (seed {SEED}, {MAX_EXAMPLES} generated cases per operation)"
        )


schema = schemathesis.pytest.from_fixture("api_schema")


@schema.parametrize()
def test_api(case):
    with transaction.atomic():
        case.call_and_validate()
        transaction.set_rollback(True)
