import pytest
from django.urls import reverse

from actors.models import Actor
from tests.factories import ActorAliasFactory, ActorFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def actor():
    iran = ActorFactory(slug="iran", name="Iran", country="IR")
    irgc = ActorFactory(slug="irgc", name="IRGC", kind="armed_forces", parent=iran)
    ActorAliasFactory(actor=irgc, alias="Islamic Revolutionary Guard Corps")
    return irgc


@pytest.mark.parametrize("model", ["actor", "actoralias"])
def test_changelist_renders(admin_client, actor, model):
    response = admin_client.get(reverse(f"admin:actors_{model}_changelist"))
    assert response.status_code == 200


@pytest.mark.parametrize("model", ["actor", "actoralias"])
def test_add_page_renders(admin_client, model):
    response = admin_client.get(reverse(f"admin:actors_{model}_add"))
    assert response.status_code == 200


def test_actor_change_page_renders(admin_client, actor):
    response = admin_client.get(reverse("admin:actors_actor_change", args=[actor.pk]))
    assert response.status_code == 200
    assert b"Islamic Revolutionary Guard Corps" in response.content


def test_alias_change_page_renders(admin_client, actor):
    alias = actor.aliases.get()
    response = admin_client.get(reverse("admin:actors_actoralias_change", args=[alias.pk]))
    assert response.status_code == 200


def test_actor_search_matches_aliases(admin_client, actor):
    response = admin_client.get(reverse("admin:actors_actor_changelist"), {"q": "Revolutionary"})
    assert list(response.context["cl"].result_list) == [actor]


def test_actor_autocomplete_matches_aliases(admin_client, actor):
    response = admin_client.get(
        reverse("admin:autocomplete"),
        {"term": "Guard", "app_label": "actors", "model_name": "actor", "field_name": "parent"},
    )
    assert response.status_code == 200
    assert [item["text"] for item in response.json()["results"]] == ["IRGC"]


def test_admin_adds_actor_with_alias(admin_client):
    response = admin_client.post(
        reverse("admin:actors_actor_add"),
        {
            "slug": "houthis",
            "name": "Houthis",
            "short_name": "",
            "kind": "armed_group",
            "country": "YE",
            "parent": "",
            "wikidata_id": "",
            "description": "",
            "aliases-TOTAL_FORMS": "1",
            "aliases-INITIAL_FORMS": "0",
            "aliases-0-alias": "Ansar Allah",
            "children-TOTAL_FORMS": "0",
            "children-INITIAL_FORMS": "0",
        },
    )
    assert response.status_code == 302, response.context["adminform"].errors
    assert Actor.objects.get(slug="houthis").aliases.get().alias == "Ansar Allah"


def test_admin_refuses_invalid_country(admin_client):
    response = admin_client.post(
        reverse("admin:actors_actor_add"),
        {
            "slug": "houthis",
            "name": "Houthis",
            "kind": "armed_group",
            "country": "Yemen",
            "aliases-TOTAL_FORMS": "0",
            "aliases-INITIAL_FORMS": "0",
            "children-TOTAL_FORMS": "0",
            "children-INITIAL_FORMS": "0",
        },
    )
    assert response.status_code == 200
    assert "country" in response.context["adminform"].errors
    assert not Actor.objects.exists()


def test_timestamps_are_read_only(admin_client, actor):
    response = admin_client.get(reverse("admin:actors_actor_change", args=[actor.pk]))
    assert "created" not in response.context["adminform"].form.fields


def test_a_published_slug_is_not_changed_in_the_admin(admin_client, actor):
    slug = actor.slug
    url = reverse("admin:actors_actor_change", args=[actor.pk])
    page = admin_client.get(url)
    assert "slug" not in page.context["adminform"].form.fields
    form = {
        "slug": "renamed",
        "name": "Renamed",
        "short_name": "",
        "kind": actor.kind,
        "country": actor.country,
        "parent": "",
        "wikidata_id": actor.wikidata_id,
        "description": "",
        "aliases-TOTAL_FORMS": "0",
        "aliases-INITIAL_FORMS": "0",
        "children-TOTAL_FORMS": "0",
        "children-INITIAL_FORMS": "0",
    }
    response = admin_client.post(url, form)
    assert response.status_code == 302, response.context["adminform"].errors
    actor.refresh_from_db()
    assert (actor.slug, actor.name) == (slug, "Renamed")
