import pytest

from .conftest import listed

pytestmark = pytest.mark.django_db

URL = "/api/v1/sources/"


def titles(response):
    return listed(response, "title")


def test_source_has_api_url_and_source_url(api_client, world):
    lse = world["sources"]["lse"]
    body = api_client.get(f"{URL}{lse.pk}/").json()
    assert body["url"] == f"http://testserver{URL}{lse.pk}/"
    assert body["source_url"] == lse.url


def test_filter_source_type(api_client, world):
    assert titles(api_client.get(URL, {"source_type": "un_document"})) == [
        "Security Council report"
    ]


def test_filter_publisher(api_client, world):
    assert titles(api_client.get(URL, {"publisher": "lse"})) == ["Allies or competitive partners?"]


def test_filter_publisher_repeated_and_not_split_on_commas(api_client, world):
    response = api_client.get(f"{URL}?publisher=LSE&publisher=United%20Nations")
    assert len(titles(response)) == 2
    assert titles(api_client.get(URL, {"publisher": "LSE,United Nations"})) == []


def test_filter_published_after(api_client, world):
    world["sources"]["un"].__class__.objects.filter(pk=world["sources"]["un"].pk).update(
        published="2022-01-01"
    )
    assert titles(api_client.get(URL, {"published_after": "2022-01-01"})) == [
        "Security Council report"
    ]


def test_filter_published_before(api_client, world):
    world["sources"]["un"].__class__.objects.filter(pk=world["sources"]["un"].pk).update(
        published="2022-01-01"
    )
    assert titles(api_client.get(URL, {"published_before": "2021-07-03"})) == [
        "Allies or competitive partners?"
    ]


def test_filter_q(api_client, world):
    assert titles(api_client.get(URL, {"q": "ramani"})) == ["Allies or competitive partners?"]
    assert titles(api_client.get(URL, {"q": "united nations"})) == ["Security Council report"]


def test_create_source(user_with, db):
    body = {"title": "A report", "source_type": "ngo_report", "source_url": "https://hrw.org/x"}
    response = user_with("add_source").post(URL, body, format="json")
    assert response.status_code == 201, response.content
    assert response.json()["source_url"] == "https://hrw.org/x"
    assert response.json()["language"] == "en"


def test_invalid_language_is_400(user_with, db):
    body = {"title": "A report", "source_type": "news", "language": "English"}
    response = user_with("add_source").post(URL, body, format="json")
    assert response.status_code == 400
    assert "language" in response.json()["errors"]
