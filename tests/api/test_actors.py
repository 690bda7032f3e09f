import pytest

from actors.models import Actor
from tests.factories import ActorFactory

from .conftest import listed

pytestmark = pytest.mark.django_db

URL = "/api/v1/actors/"


def slugs(response):
    return listed(response, "slug")


def test_actor_representation(api_client, world):
    body = api_client.get(f"{URL}quds-force/").json()
    assert body["url"] == "http://testserver/api/v1/actors/quds-force/"
    assert body["parent"] == "irgc"
    assert body["kind"] == "paramilitary"
    assert api_client.get(f"{URL}houthis/").json()["aliases"] == ["Ansar Allah"]


def test_unknown_actor_is_404(api_client, world):
    assert api_client.get(f"{URL}nobody/").status_code == 404


def test_filter_kind(api_client, world):
    assert slugs(api_client.get(URL, {"kind": "armed_group"})) == ["houthis"]


def test_filter_country(api_client, world):
    assert slugs(api_client.get(URL, {"country": "RU,YE"})) == ["houthis", "russia"]


def test_filter_parent(api_client, world):
    assert slugs(api_client.get(URL, {"parent": "iran"})) == ["irgc"]


def test_filter_q_matches_name(api_client, world):
    assert slugs(api_client.get(URL, {"q": "revolutionary"})) == ["irgc"]


def test_filter_q_matches_short_name(api_client, world):
    assert slugs(api_client.get(URL, {"q": "rf"})) == ["russia"]


def test_filter_q_matches_aliases(api_client, world):
    assert slugs(api_client.get(URL, {"q": "ansar allah"})) == ["houthis"]


def test_filter_q_folds_the_case_of_letters_beyond_ascii(api_client, db):
    ActorFactory(slug="turkey", name="Türkiye")
    assert slugs(api_client.get(URL, {"q": "TÜRKIYE"})) == ["turkey"]
    assert slugs(api_client.get(URL, {"q": "türkiye"})) == ["turkey"]


def test_ordering(api_client, world):
    rows = api_client.get(URL, {"ordering": "-name"}).json()["results"]
    assert rows[0]["slug"] == "russia"


# -- writes -----------------------------------------------------------------------------


def test_create_actor_with_aliases(user_with, world):
    client = user_with("add_actor")
    body = {
        "slug": "hezbollah",
        "name": "Hezbollah",
        "kind": "armed_group",
        "country": "LB",
        "parent": None,
        "aliases": ["Party of God", "Hizballah"],
    }
    response = client.post(URL, body, format="json")
    assert response.status_code == 201, response.content
    assert sorted(response.json()["aliases"]) == ["Hizballah", "Party of God"]


def test_update_replaces_aliases(user_with, world):
    client = user_with("change_actor")
    response = client.patch(f"{URL}houthis/", {"aliases": ["Houthi movement"]}, format="json")
    assert response.status_code == 200, response.content
    houthis = Actor.objects.get(slug="houthis")
    assert list(houthis.aliases.values_list("alias", flat=True)) == ["Houthi movement"]


def test_slug_never_changes(user_with, world):
    response = user_with("change_actor").patch(f"{URL}iran/", {"slug": "persia"}, format="json")
    assert response.status_code == 400
    assert "slug" in response.json()["errors"]


def test_parent_cannot_be_a_descendant(user_with, world):
    response = user_with("change_actor").patch(
        f"{URL}iran/", {"parent": "quds-force"}, format="json"
    )
    assert response.status_code == 400
    assert "parent" in response.json()["errors"]


def test_invalid_wikidata_id_is_400(user_with, world):
    response = user_with("change_actor").patch(f"{URL}iran/", {"wikidata_id": "794"}, format="json")
    assert response.status_code == 400
    assert "wikidata_id" in response.json()["errors"]


def test_duplicate_wikidata_id_is_400(user_with, world):
    client = user_with("change_actor")
    assert client.patch(f"{URL}iran/", {"wikidata_id": "Q794"}, format="json").status_code == 200
    response = client.patch(f"{URL}russia/", {"wikidata_id": "Q794"}, format="json")
    assert response.status_code == 400
    assert response.json()["errors"]


def test_duplicate_aliases_are_400(user_with, world):
    response = user_with("change_actor").patch(
        f"{URL}iran/", {"aliases": ["Persia", "Persia"]}, format="json"
    )
    assert response.status_code == 400
    assert "aliases" in response.json()["errors"]


def test_deleting_a_referenced_actor_is_409(user_with, world):
    response = user_with("delete_actor").delete(f"{URL}russia/")
    assert response.status_code == 409
    assert "detail" in response.json()
    assert Actor.objects.filter(slug="russia").exists()
