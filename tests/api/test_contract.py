"""The contract every resource keeps, written once and checked for each resource:
a list item equals its detail, and lists and details run a constant number of queries
whatever the page size or the number of nested rows."""

from dataclasses import dataclass

import pytest

from tests.factories import IssueFactory

from .factories import many_actors, many_events, many_positions, many_relations, many_sources

pytestmark = pytest.mark.django_db


@dataclass(frozen=True)
class Resource:
    url: str
    key: str  # the lookup field in URLs
    build: object  # (count, nested) -> rows
    nested: str | None  # a nested list whose length is checked
    list_queries: int  # data version + count + page keys + page + one per nested list
    detail_queries: int

    def __str__(self):
        return self.url.split("/")[-2]


RESOURCES = [
    Resource(
        "/api/v1/actors/",
        "slug",
        lambda n, k: many_actors(n, aliases=k),
        "aliases",
        list_queries=5,
        detail_queries=2,
    ),
    Resource(
        "/api/v1/sources/",
        "pk",
        lambda n, k: many_sources(n),
        None,
        list_queries=4,
        detail_queries=1,
    ),
    Resource(
        "/api/v1/events/",
        "pk",
        lambda n, k: many_events(n, participants=k, citations=k),
        "participants",
        list_queries=6,
        detail_queries=3,
    ),
    Resource(
        "/api/v1/issues/",
        "slug",
        lambda n, k: IssueFactory.create_batch(n),
        None,
        list_queries=4,
        detail_queries=1,
    ),
    Resource(
        "/api/v1/positions/",
        "pk",
        lambda n, k: many_positions(n, citations=k),
        "citations",
        list_queries=5,
        detail_queries=2,
    ),
    Resource(
        "/api/v1/relations/",
        "pk",
        lambda n, k: many_relations(n, citations=k),
        "citations",
        list_queries=5,
        detail_queries=2,
    ),
]


@pytest.mark.parametrize("resource", RESOURCES, ids=str)
def test_list_item_equals_detail(api_client, world, resource):
    items = api_client.get(resource.url).json()["results"]
    assert items
    for item in items:
        assert item == api_client.get(item["url"]).json()


@pytest.mark.parametrize("page_size", [1, 100])
@pytest.mark.parametrize("resource", RESOURCES, ids=str)
def test_list_runs_constant_queries(api_client, django_assert_max_num_queries, resource, page_size):
    resource.build(100, 4)
    with django_assert_max_num_queries(resource.list_queries):
        rows = api_client.get(resource.url, {"page_size": page_size}).json()["results"]
    assert len(rows) == page_size
    if resource.nested:
        assert all(len(row[resource.nested]) == 4 for row in rows)


@pytest.mark.parametrize("resource", RESOURCES, ids=str)
def test_detail_runs_constant_queries(api_client, django_assert_max_num_queries, resource):
    row = resource.build(1, 10)[0]
    key = getattr(row, resource.key)
    with django_assert_max_num_queries(resource.detail_queries):
        body = api_client.get(f"{resource.url}{key}/").json()
    if resource.nested:
        assert len(body[resource.nested]) == 10


@pytest.mark.parametrize("resource", RESOURCES, ids=str)
def test_unknown_key_is_a_json_404(api_client, db, resource):
    missing = "nobody" if resource.key == "slug" else "999999"
    response = api_client.get(f"{resource.url}{missing}/")
    assert response.status_code == 404
    assert response["Content-Type"] == "application/json"
