import pytest

from .conftest import listed

pytestmark = pytest.mark.django_db

URL = "/api/v1/issues/"


def slugs(response):
    return listed(response, "slug")


def test_issue_by_slug(api_client, world):
    body = api_client.get(f"{URL}hadi-legitimacy/").json()
    assert body["url"] == "http://testserver/api/v1/issues/hadi-legitimacy/"
    assert body["country"] == "YE"


def test_filter_country(api_client, world):
    assert slugs(api_client.get(URL, {"country": "YE"})) == ["hadi-legitimacy"]


def test_filter_q(api_client, world):
    assert slugs(api_client.get(URL, {"q": "reform"})) == ["security-sector-reform"]


def test_create_issue_with_bad_slug_is_400(user_with, db):
    body = {"slug": "Bad Slug", "name": "x"}
    response = user_with("add_issue").post(URL, body, format="json")
    assert response.status_code == 400
    assert "slug" in response.json()["errors"]


def test_deleting_an_issue_with_positions_is_409(user_with, world):
    response = user_with("delete_issue").delete(f"{URL}hadi-legitimacy/")
    assert response.status_code == 409
