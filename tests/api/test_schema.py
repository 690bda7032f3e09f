import pytest
import yaml

pytestmark = pytest.mark.django_db

DESIGN_FILTERS = {
    "/api/v1/actors/": {"kind", "country", "parent", "q"},
    "/api/v1/sources/": {"source_type", "publisher", "published_after", "published_before", "q"},
    "/api/v1/events/": {
        "country",
        "event_type",
        "actor",
        "actor_tree",
        "role",
        "source",
        "date_after",
        "date_before",
        "q",
    },
    "/api/v1/issues/": {"country", "q"},
    "/api/v1/positions/": {
        "actor",
        "actor_tree",
        "issue",
        "stance",
        "country",
        "source",
        "date_after",
        "date_before",
        "q",
    },
    "/api/v1/relations/": {
        "actor",
        "actor_tree",
        "kind",
        "domain",
        "issue",
        "country",
        "source",
        "date_after",
        "date_before",
        "q",
    },
}


@pytest.fixture(scope="module")
def schema(django_db_blocker):
    from rest_framework.test import APIClient

    with django_db_blocker.unblock():
        response = APIClient().get("/api/v1/schema/")
    assert response.status_code == 200
    return yaml.safe_load(response.content)


def test_schema_is_openapi_3(schema):
    assert schema["openapi"].startswith("3.")


@pytest.mark.parametrize("path", sorted(DESIGN_FILTERS))
def test_every_design_filter_is_documented_with_a_type(schema, path):
    parameters = {p["name"]: p for p in schema["paths"][path]["get"]["parameters"]}
    assert DESIGN_FILTERS[path] | {"ordering", "page", "page_size", "format"} <= set(parameters)
    for name in DESIGN_FILTERS[path]:
        assert "type" in parameters[name]["schema"], name


def test_date_filters_are_typed_as_dates(schema):
    parameters = {p["name"]: p for p in schema["paths"]["/api/v1/events/"]["get"]["parameters"]}
    assert parameters["date_after"]["schema"] == {"type": "string", "format": "date"}
    assert parameters["event_type"]["schema"]["items"]["enum"][0] == "agreement"


def test_list_documents_csv(schema):
    content = schema["paths"]["/api/v1/events/"]["get"]["responses"]["200"]["content"]
    assert {"application/json", "text/csv", "application/geo+json"} <= set(content)


def test_docs_page_uses_no_cdn(api_client):
    response = api_client.get("/api/v1/docs/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "drf_spectacular_sidecar" in html
    assert "cdn." not in html and "unpkg" not in html


def test_every_operation_documents_its_error_responses(schema):
    for path, operations in schema["paths"].items():
        for method, operation in operations.items():
            if method == "parameters":
                continue
            responses = operation["responses"]
            assert {"400", "429"} <= set(responses), (method, path)
            if method in ("post", "put", "patch", "delete"):
                assert {"401", "403"} <= set(responses), (method, path)
            if "{" in path:
                assert "404" in responses, (method, path)
            body = responses["400"]["content"]["application/json"]["schema"]
            assert body == {"$ref": "#/components/schemas/InvalidInput"}


def test_writes_document_the_precondition_failure(schema):
    assert "412" in schema["paths"]["/api/v1/events/{id}/"]["patch"]["responses"]
    assert "409" in schema["paths"]["/api/v1/events/{id}/"]["delete"]["responses"]


def test_every_vocabulary_in_the_schema_defines_its_values(schema):
    from common.choices import VOCABULARIES

    components = schema["components"]["schemas"]
    described = {
        frozenset(component["enum"]): component
        for component in components.values()
        if "x-enumDescriptions" in component
    }
    for name in ("StanceEnum", "RoleEnum", "RelationKindEnum", "VerdictEnum"):
        assert "x-enumDescriptions" in components[name], name
    for vocabulary in VOCABULARIES:
        if frozenset(vocabulary.values) in described:
            assert described[frozenset(vocabulary.values)]["x-enumDescriptions"] == dict(
                vocabulary.descriptions
            )
