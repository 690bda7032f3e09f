"""Under /api/ (and the release downloads) every error is JSON in words, with DEBUG on or off."""

import pytest
from django.contrib.auth.models import User
from django.test import Client

pytestmark = pytest.mark.django_db


@pytest.fixture(params=[False, True], ids=["production", "debug"])
def debug(request, settings):
    settings.DEBUG = request.param
    return request.param


@pytest.fixture
def client():
    # Errors are answered, not raised into the test.
    return Client(raise_request_exception=False)


@pytest.fixture
def curator_client(client, settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    client.force_login(User.objects.create_superuser("curator", password="unused-Password-1"))
    return client


def detail(response, status):
    assert response.status_code == status, response.content
    assert response["Content-Type"] == "application/json"
    return response.json()["detail"]


def test_a_host_not_allowed_is_json(client, debug):
    response = client.get("/api/v1/actors/", HTTP_HOST="evil.example")
    assert detail(response, 400) == "The Host header names a host this server does not serve."


def test_a_body_too_large_is_json_before_authentication(client, debug, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000
    response = client.post("/api/v1/actors/", "[" + " " * 1000 + "]", "application/json")
    assert detail(response, 413) == (
        "The request body is 1002 bytes; this server accepts at most 1000."
    )


def test_a_body_too_large_is_json_for_a_curator(curator_client, debug, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000
    response = curator_client.post("/api/v1/actors/", {"name": "x" * 1000})
    assert "this server accepts at most 1000" in detail(response, 413)


def test_too_many_parameters_is_json(client, debug, settings):
    settings.DATA_UPLOAD_MAX_NUMBER_FIELDS = 10
    query = "&".join(f"q={n}" for n in range(11))
    response = client.get(f"/api/v1/actors/?{query}")
    assert detail(response, 400) == "Too many parameters: at most 10 are accepted."


def test_an_unknown_api_path_is_json(client, debug):
    assert detail(client.get("/api/v1/nothing-here/"), 404) == "Not found."


def test_an_unknown_download_path_is_json(client, debug):
    assert "Downloads:" in detail(client.get("/datapackage/nothing/here"), 404)


def test_a_method_a_download_refuses_is_json(client, debug):
    response = client.post("/datapackage/latest.zip")
    assert detail(response, 405) == 'Method "POST" not allowed.'
    assert response["Allow"] == "GET, HEAD"


def test_a_method_the_api_refuses_is_json(client, debug):
    assert detail(client.delete("/api/v1/"), 405) == 'Method "DELETE" not allowed.'


def test_a_csrf_failure_is_json(debug):
    client = Client(enforce_csrf_checks=True, raise_request_exception=False)
    response = client.post("/api/v1/auth/login/", {"username": "a", "password": "b"})
    assert detail(response, 403) == "CSRF Failed: CSRF cookie not set."


def test_a_server_error_is_json(client, debug, monkeypatch):
    def fail(*args, **kwargs):
        raise RuntimeError("boom")

    monkeypatch.setattr("rest_framework.routers.APIRootView.get", fail)
    assert detail(client.get("/api/v1/"), 500) == "Server error."


def test_the_browsable_api_keeps_its_error_page_for_browsers(client):
    # Asked for HTML, DRF renders the error in its page (which shows the same JSON).
    response = client.get("/api/v1/actors/atlantis/", HTTP_ACCEPT="text/html")
    assert response.status_code == 404
    assert response["Content-Type"].startswith("text/html")


def test_errors_outside_the_api_stay_pages(client, debug):
    response = client.get("/admin/login/", HTTP_HOST="evil.example")
    assert response.status_code == 400
    assert response["Content-Type"].startswith("text/html")
    response = Client(enforce_csrf_checks=True).post("/admin/login/", {"username": "a"})
    assert response.status_code == 403
    assert response["Content-Type"].startswith("text/html")


def test_a_malformed_form_on_the_api_login_is_json(client, debug, settings):
    # Django refuses it while checking CSRF, before any view: the reason is lost on the way.
    settings.DATA_UPLOAD_MAX_NUMBER_FIELDS = 10
    response = client.post("/api/v1/auth/login/", {f"field{n}": "x" for n in range(11)})
    assert detail(response, 400) == "Malformed request."
