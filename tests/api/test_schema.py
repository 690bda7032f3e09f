import re

import jsonschema
import pytest
import yaml

from config.urls import api

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


def test_reads_are_documented_as_open_to_anyone(schema):
    # Anyone reads (DjangoModelPermissionsOrAnonReadOnly): {} is "no credentials needed".
    for path in ("/api/v1/events/", "/api/v1/events/{id}/", "/api/v1/releases/"):
        assert {} in schema["paths"][path]["get"]["security"], path


def test_writes_are_documented_as_needing_credentials(schema):
    for method, path in [("post", "/api/v1/events/"), ("delete", "/api/v1/events/{id}/")]:
        assert {} not in schema["paths"][path][method]["security"], (method, path)


def query_parameters(schema, *, whole=False):
    for path, operations in schema["paths"].items():
        for method, operation in operations.items():
            for parameter in operation.get("parameters", []):
                if parameter["in"] == "query":
                    value = parameter if whole else parameter["schema"]
                    yield f"{method} {path} {parameter['name']}", value


def test_every_query_parameter_states_the_value_rules(schema):
    # The rules of common.api.params: no empty or blank value, no NUL, at most 500
    # characters, at most 20 values of a parameter that repeats.
    for name, whole in query_parameters(schema, whole=True):
        parameter = values = whole["schema"]
        if parameter.get("type") == "array":
            assert parameter["minItems"] >= 1, name
            if whole.get("explode", True):
                assert parameter["maxItems"] <= 20, name
            else:  # one value, comma-separated: only its length is limited
                assert "maxItems" not in parameter, name
            values = parameter["items"]
        if values.get("type") == "string" and not {"enum", "format", "pattern"} & set(values):
            pytest.fail(f"{name} accepts any text: {values}")
        if "pattern" in values and "enum" not in values:
            assert values.get("minLength", 1) >= 1, name


def test_free_text_parameters_refuse_blank_and_nul(schema):
    parameters = dict(query_parameters(schema))
    text = parameters["get /api/v1/events/ q"]["items"]
    assert (text["minLength"], text["maxLength"]) == (1, 500)
    pattern = re.compile(text["pattern"])
    assert pattern.search("Astana talks")
    assert not pattern.search("   ")
    assert not pattern.search("a\x00b")


def test_pages_are_documented_as_whole_numbers_from_one(schema):
    parameters = dict(query_parameters(schema))
    page_size = parameters["get /api/v1/events/ page_size"]
    assert (page_size["minimum"], page_size["maximum"]) == (1, 2**31 - 1)
    # A page is a number or "last": every number the pattern allows is one the code reads.
    page = re.compile(parameters["get /api/v1/events/ page"]["pattern"])
    assert page.match("last") and page.match("1") and not page.match("0")
    assert not page.match(str(2**31))


def test_fields_are_documented_as_the_resources_keys(schema):
    parameters = dict(query_parameters(schema))
    fields = parameters["get /api/v1/sources/{id}/ fields"]
    assert fields["type"] == "array"
    assert {"id", "title", "source_url"} <= set(fields["items"]["enum"])


def test_alignment_actors_are_documented_as_two_distinct_slugs(schema):
    parameters = dict(query_parameters(schema))
    pair = parameters["get /api/v1/alignment/ actors"]
    assert (pair["minItems"], pair["maxItems"], pair["uniqueItems"]) == (2, 2, True)
    assert parameters["get /api/v1/alignment/matrix/ actors"]["maxItems"] == 20


def as_json_schema(node):
    """OpenAPI 3.0's ``nullable`` as JSON Schema's null type, for jsonschema."""
    if isinstance(node, list):
        return [as_json_schema(item) for item in node]
    if not isinstance(node, dict):
        return node
    node = {key: as_json_schema(value) for key, value in node.items()}
    if node.pop("nullable", False) and "type" in node:
        node["type"] = [node["type"], "null"]
    return node


def documented(schema, path, method, status):
    body = schema["paths"][path][method]["responses"][status]["content"]["application/json"]
    return as_json_schema({**body["schema"], "components": schema["components"]})


def documented_error(schema, path, method, status):
    return documented(schema, path, method, status)


def test_nested_field_errors_match_the_documented_400(schema, user_with, world):
    body = {
        "title": "Astana talks",
        "summary": "Russia, Iran and Turkey meet.",
        "event_type": "negotiations",
        "country": "SY",
        "participants": [{"actor": "russia", "role": "host"}, {"actor": "nobody"}],
        "citations": [{"quote": ""}],
    }
    response = user_with("add_event").post("/api/v1/events/", body, format="json")
    assert response.status_code == 400
    errors = response.json()["errors"]
    assert isinstance(errors["participants"], list) or isinstance(errors["citations"], dict)
    jsonschema.validate(response.json(), documented_error(schema, "/api/v1/events/", "post", "400"))


def test_a_body_that_is_not_json_matches_the_documented_400(schema, user_with, db):
    response = user_with("add_issue").post(
        "/api/v1/issues/", "{not json", content_type="application/json"
    )
    assert response.status_code == 400
    jsonschema.validate(response.json(), documented_error(schema, "/api/v1/issues/", "post", "400"))


def test_a_name_read_through_an_optional_reference_may_be_null(schema):
    # A relation without an issue has no issue name: null, which the schema must allow.
    issue_name = schema["components"]["schemas"]["Relation"]["properties"]["issue_name"]
    assert issue_name.get("nullable") is True


def test_every_field_read_through_an_optional_reference_may_be_null():
    for _prefix, viewset, _basename in api.registry:
        serializer = viewset.serializer_class
        if serializer is None:
            continue
        model = serializer.Meta.model
        for name, field in serializer().fields.items():
            hop = field.source.split(".")[0]
            if "." not in field.source or not field.read_only:
                continue
            if model._meta.get_field(hop).null:
                assert field.allow_null, f"{serializer.__name__}.{name}"


def documented_ok(schema, path):
    return documented(schema, path, "get", "200")


def test_a_response_with_only_the_fields_asked_matches_the_documented_200(
    schema, api_client, world
):
    event = world["events"]["aleppo"]
    detail = api_client.get(f"/api/v1/events/{event.pk}/", {"fields": "id,title"})
    assert detail.json() == {"id": event.pk, "title": event.title}
    jsonschema.validate(detail.json(), documented_ok(schema, "/api/v1/events/{id}/"))
    listed = api_client.get("/api/v1/sources/", {"fields": "id"})
    jsonschema.validate(listed.json(), documented_ok(schema, "/api/v1/sources/"))


def test_citations_are_documented_as_at_least_one(schema):
    # Every cited row cites at least one source, in a PATCH too when citations are given.
    for name in ("EventRequest", "PatchedPositionRequest", "RelationRequest"):
        assert schema["components"]["schemas"][name]["properties"]["citations"]["minItems"] == 1


def test_text_in_a_body_is_documented_without_nul_and_not_blank_where_required(schema):
    event = schema["components"]["schemas"]["EventRequest"]["properties"]
    title = re.compile(event["title"]["pattern"])
    assert title.search("Astana talks") and not title.search(" \t") and not title.search("a\x00")
    text, blank = event["location_name"]["oneOf"]
    assert blank == {"type": "string", "maxLength": 0}
    location = re.compile(text["pattern"])
    assert location.search("Aleppo") and not location.search("Aleppo\x00")
    # "" is the blank option only: a oneOf must not match it twice.
    assert not location.search("")


def test_a_body_that_is_not_json_is_a_documented_415(schema, user_with, db):
    client = user_with("add_issue")
    response = client.post("/api/v1/issues/", "slug=golan", content_type="text/plain")
    assert response.status_code == 415
    assert "415" in schema["paths"]["/api/v1/issues/"]["post"]["responses"]
    assert "413" in schema["paths"]["/api/v1/issues/"]["post"]["responses"]


def test_a_detail_as_csv_is_a_documented_406(schema, api_client, world):
    event = world["events"]["aleppo"]
    assert api_client.get(f"/api/v1/events/{event.pk}/", {"format": "csv"}).status_code == 406
    assert "406" in schema["paths"]["/api/v1/events/{id}/"]["get"]["responses"]


def header_parameters(schema, path, method):
    operation = schema["paths"][path][method]
    return {p["name"] for p in operation.get("parameters", []) if p["in"] == "header"}


def test_conditional_requests_are_documented(schema, api_client, world):
    event = world["events"]["aleppo"]
    etag = api_client.get(f"/api/v1/events/{event.pk}/")["ETag"]
    unchanged = api_client.get(f"/api/v1/events/{event.pk}/", HTTP_IF_NONE_MATCH=etag)
    assert unchanged.status_code == 304
    detail = "/api/v1/events/{id}/"
    for path in (detail, "/api/v1/events/"):
        assert header_parameters(schema, path, "get") == {"If-None-Match"}, path
        assert "304" in schema["paths"][path]["get"]["responses"], path
    for method in ("put", "patch", "delete"):
        assert header_parameters(schema, detail, method) == {"If-Match"}, method


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
