"""What issue 10 asked to fix outside the pages: the API root and the admin's way to them."""

import pytest
from django.contrib.auth import get_user_model

pytestmark = pytest.mark.django_db

API_ROOT_LINKS = {
    "docs": "/api/v1/docs/",
    "schema": "/api/v1/schema/",
    "codebook": "/codebook/",
    "releases": "/api/v1/releases/",
    "downloads": "/datapackage/latest.zip",
    "actors": "/api/v1/actors/",
    "sources": "/api/v1/sources/",
    "events": "/api/v1/events/",
    "issues": "/api/v1/issues/",
    "positions": "/api/v1/positions/",
    "relations": "/api/v1/relations/",
    "deletions": "/api/v1/deletions/",
    "alignment": "/api/v1/alignment/",
    "alignment/matrix": "/api/v1/alignment/matrix/",
}


def test_api_root_lists_docs_schema_codebook_downloads_resources_and_alignment(api_client):
    response = api_client.get("/api/v1/")
    assert response.status_code == 200
    assert response.json() == {
        name: f"http://testserver{path}" for name, path in API_ROOT_LINKS.items()
    }


def test_api_root_lists_the_documentation_first(api_client):
    assert list(api_client.get("/api/v1/").json())[:3] == ["docs", "schema", "codebook"]


@pytest.mark.parametrize("name", ["docs", "schema", "codebook", "releases", "actors"])
def test_api_root_links_answer(api_client, client, name):
    assert client.get(API_ROOT_LINKS[name]).status_code == 200


def test_admin_view_site_goes_to_the_home_page(client):
    user = get_user_model().objects.create_superuser("curator", "c@example.org", "pw-12345-x")
    client.force_login(user)
    body = client.get("/admin/").content.decode()
    assert '<a href="/">View site</a>' in body
    assert client.get("/").status_code == 200
