import pytest

from tests.factories import IssueFactory

from .conftest import listed

pytestmark = pytest.mark.django_db

URL = "/api/v1/issues/"


def slugs(response):
    return listed(response, "slug")


def test_issue_by_slug(api_client, world):
    body = api_client.get(f"{URL}hadi-legitimacy/").json()
    assert body["url"] == "http://testserver/api/v1/issues/hadi-legitimacy/"
    assert body["country"] == "YE"


def test_list_item_equals_detail(api_client, world):
    for item in api_client.get(URL).json()["results"]:
        assert item == api_client.get(item["url"]).json()


def test_filter_country(api_client, world):
    assert slugs(api_client.get(URL, {"country": "YE"})) == ["hadi-legitimacy"]


def test_filter_q(api_client, world):
    assert slugs(api_client.get(URL, {"q": "reform"})) == ["security-sector-reform"]


@pytest.mark.parametrize("page_size", [1, 100])
def test_list_runs_constant_queries(api_client, django_assert_max_num_queries, page_size):
    IssueFactory.create_batch(100)
    with django_assert_max_num_queries(2):
        rows = api_client.get(URL, {"page_size": page_size}).json()["results"]
    assert len(rows) == page_size


def test_create_issue_with_bad_slug_is_400(user_with, db):
    body = {"slug": "Bad Slug", "name": "x"}
    response = user_with("add_issue").post(URL, body, format="json")
    assert response.status_code == 400
    assert "slug" in response.json()["errors"]


def test_deleting_an_issue_with_positions_is_409(user_with, world):
    response = user_with("delete_issue").delete(f"{URL}hadi-legitimacy/")
    assert response.status_code == 409
