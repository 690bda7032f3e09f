import pytest
from django.contrib.auth.models import Permission, User
from rest_framework.test import APIClient

from events.models import Issue

pytestmark = pytest.mark.django_db

ISSUES = "/api/v1/issues/"
NEW = {"slug": "golan", "name": "The Golan Heights", "country": "SY"}


@pytest.mark.parametrize(
    "url",
    [
        "/api/v1/actors/",
        "/api/v1/sources/",
        "/api/v1/events/",
        "/api/v1/issues/",
        "/api/v1/positions/",
        "/api/v1/actors/iran/",
        "/api/v1/issues/hadi-legitimacy/",
    ],
)
def test_anonymous_read(api_client, world, url):
    assert api_client.get(url).status_code == 200


def test_anonymous_post_is_401_with_token_challenge(api_client, world):
    response = api_client.post(ISSUES, NEW, format="json")
    assert response.status_code == 401
    assert response["WWW-Authenticate"] == "Token"
    assert not Issue.objects.filter(slug="golan").exists()


def test_anonymous_put_is_401(api_client, world):
    response = api_client.put(f"{ISSUES}hadi-legitimacy/", NEW, format="json")
    assert response.status_code == 401


def test_anonymous_patch_is_401(api_client, world):
    response = api_client.patch(f"{ISSUES}hadi-legitimacy/", {"name": "x"}, format="json")
    assert response.status_code == 401


def test_anonymous_delete_is_401(api_client, world):
    assert api_client.delete(f"{ISSUES}hadi-legitimacy/").status_code == 401
    assert Issue.objects.filter(slug="hadi-legitimacy").exists()


def test_bad_token_is_401(world):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION="Token not-a-token")
    assert client.post(ISSUES, NEW, format="json").status_code == 401


def test_authenticated_without_permission_is_403(user_with, world):
    response = user_with().post(ISSUES, NEW, format="json")
    assert response.status_code == 403
    assert response.json()["detail"]


def test_authenticated_without_permission_can_read(user_with, world):
    assert user_with().get(ISSUES).status_code == 200


def test_add_permission_does_not_allow_delete(user_with, world):
    client = user_with("add_issue")
    assert client.delete(f"{ISSUES}hadi-legitimacy/").status_code == 403


def test_token_with_add_permission_creates(user_with, world):
    assert user_with("add_issue").post(ISSUES, NEW, format="json").status_code == 201


def test_token_with_change_permission_updates(user_with, world):
    response = user_with("change_issue").patch(
        f"{ISSUES}hadi-legitimacy/", {"name": "Who governs Yemen"}, format="json"
    )
    assert response.status_code == 200
    assert Issue.objects.get(slug="hadi-legitimacy").name == "Who governs Yemen"


def test_token_with_delete_permission_deletes(user_with, db):
    Issue.objects.create(slug="unused", name="Unused")
    assert user_with("delete_issue").delete(f"{ISSUES}unused/").status_code == 204


def test_session_auth_with_permission_creates(world):
    user = User.objects.create_user("session-user", password="pw-1234567")
    user.user_permissions.add(Permission.objects.get(codename="add_issue"))
    client = APIClient(enforce_csrf_checks=False)
    client.force_login(user)
    assert client.post(ISSUES, NEW, format="json").status_code == 201


def test_session_auth_enforces_csrf(world):
    user = User.objects.create_superuser("admin", password="pw-1234567")
    client = APIClient(enforce_csrf_checks=True)
    client.force_login(user)
    assert client.post(ISSUES, NEW, format="json").status_code == 403
