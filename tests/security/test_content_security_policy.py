"""A strict Content-Security-Policy on every response, and pages that work under it."""

from html.parser import HTMLParser

import pytest
from django.contrib.auth.models import User
from django.contrib.staticfiles import finders
from django.test import Client

from tests.factories import ActorFactory, IssueFactory, SourceFactory, cited_event

pytestmark = pytest.mark.django_db

# Script types a browser runs; a JSON data block (json_script, DRF's CSRF data) is not run.
SCRIPT_TYPES = {"", "text/javascript", "application/javascript", "module"}


def policy(response):
    return dict(
        (directive.split(" ", 1) + [""])[:2]
        for directive in (part.strip() for part in response["Content-Security-Policy"].split(";"))
    )


class InlineCode(HTMLParser):
    """Collects what a page would run without a script file: inline scripts, on* handlers and
    javascript: URLs."""

    def __init__(self):
        super().__init__()
        self.found = []
        self.script_sources = []
        self._in_inline_script = False

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        for name, value in attributes.items():
            if name.startswith("on"):
                self.found.append(f"<{tag} {name}=...>")
            if name in {"href", "src", "action"} and (value or "").strip().startswith(
                "javascript:"
            ):
                self.found.append(f"<{tag} {name}={value}>")
        if tag == "script":
            if attributes.get("src"):
                self.script_sources.append(attributes["src"])
            elif (attributes.get("type") or "").lower() in SCRIPT_TYPES:
                self._in_inline_script = True

    def handle_data(self, data):
        if self._in_inline_script and data.strip():
            self.found.append(f"<script>{data.strip()[:60]}")

    def handle_endtag(self, tag):
        if tag == "script":
            self._in_inline_script = False


def inline_code(response):
    assert response.status_code == 200, response.content[:500]
    parser = InlineCode()
    parser.feed(response.content.decode())
    return parser


@pytest.fixture
def curator(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    client = Client()
    client.force_login(User.objects.create_superuser("curator", password="unused-Password-1"))
    return client


def test_the_policy_allows_only_this_server_and_no_inline_script(client):
    directives = policy(client.get("/api/v1/"))
    assert directives["default-src"] == "'self'"
    assert "script-src" not in directives  # so scripts fall back to default-src 'self'
    assert directives["object-src"] == "'none'"
    assert directives["frame-ancestors"] == "'none'"
    assert directives["base-uri"] == "'self'"
    assert directives["form-action"] == "'self'"
    assert all("unsafe-eval" not in sources for sources in directives.values())
    assert [name for name, sources in directives.items() if "unsafe-inline" in sources] == [
        "style-src-attr"
    ]


@pytest.mark.parametrize(
    "path,extra",
    [
        ("/api/v1/", {}),
        ("/api/v1/actors/", {"HTTP_ACCEPT": "text/html"}),
        ("/api/v1/docs/", {}),
        ("/api/v1/schema/", {}),
        ("/admin/login/", {}),
        ("/datapackage/latest.zip", {}),
        ("/api/v1/actors/atlantis/", {}),
        ("/api/v1/", {"HTTP_HOST": "evil.example"}),
    ],
    ids=["api", "browsable", "docs", "schema", "admin", "download", "api-404", "refused-early"],
)
def test_every_response_carries_the_policy(client, path, extra):
    response = client.get(path, **extra)
    assert "default-src 'self'" in response["Content-Security-Policy"]


def test_the_docs_page_runs_no_inline_script(client):
    page = inline_code(client.get("/api/v1/docs/"))
    assert page.found == []
    assert "/api/v1/docs/?script=" in page.script_sources
    setup_script = client.get("/api/v1/docs/?script=")
    assert setup_script.status_code == 200
    assert setup_script["Content-Type"].startswith("application/javascript")
    assert b"SwaggerUIBundle" in setup_script.content


def test_the_docs_page_loads_its_scripts_from_this_server(client, settings):
    page = inline_code(client.get("/api/v1/docs/"))
    static = [source for source in page.script_sources if source.startswith(settings.STATIC_URL)]
    assert len(static) == 2, page.script_sources  # Swagger UI's bundle and preset
    for source in static:
        assert finders.find(source.removeprefix(settings.STATIC_URL)), source


@pytest.mark.parametrize("path", ["/api/v1/", "/api/v1/events/", "/api/v1/auth/login/"])
def test_the_browsable_api_runs_no_inline_script(client, path, world_small):
    assert inline_code(client.get(path, HTTP_ACCEPT="text/html")).found == []


@pytest.mark.parametrize("path", ["/api/v1/events/", "/api/v1/actors/iran/"])
def test_the_browsable_api_forms_run_no_inline_script(curator, path, world_small):
    assert inline_code(curator.get(path, HTTP_ACCEPT="text/html")).found == []


def test_the_browsable_api_logs_out_with_a_form(curator):
    page = curator.get("/api/v1/", HTTP_ACCEPT="text/html").content.decode()
    assert '<form method="post" action="/api/v1/auth/logout/?next=/api/v1/"' in page
    assert curator.post("/api/v1/auth/logout/?next=/api/v1/").status_code == 302
    assert "_auth_user_id" not in curator.session


@pytest.mark.parametrize(
    "path",
    [
        "/admin/",
        "/admin/actors/actor/",
        "/admin/actors/actor/add/",
        "/admin/actors/actor/{actor}/change/",
        "/admin/events/event/",
        "/admin/events/event/add/",
        "/admin/events/event/{event}/change/",
        "/admin/events/position/add/",
    ],
)
def test_the_admin_runs_no_inline_script(curator, path, world_small):
    response = curator.get(
        path.format(actor=world_small["actor"].pk, event=world_small["event"].pk)
    )
    assert inline_code(response).found == []


@pytest.fixture
def world_small(db):
    iran = ActorFactory(slug="iran", name="Iran", country="IR")
    IssueFactory(slug="hadi-legitimacy")
    event = cited_event(
        title="A visit", country="SY", actors=[(iran, "host")], sources=[SourceFactory()]
    )
    return {"actor": iran, "event": event}
