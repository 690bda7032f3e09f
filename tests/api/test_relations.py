import datetime

import pytest

from events.models import Relation, RelationSource

from .conftest import listed

pytestmark = pytest.mark.django_db

URL = "/api/v1/relations/"


def summaries(response):
    return listed(response, "summary")


PARTNERSHIP = "Russia and Iran remain military partners in Syria."
CONTRACTS = "They compete for reconstruction contracts."
HOUTHIS = "Iran legitimises Houthi control over Sana'a."


def test_relation_representation(api_client, world):
    relation = world["relations"]["contracts"]
    body = api_client.get(f"{URL}{relation.pk}/").json()
    assert body["actor"] == "irgc" and body["counterpart"] == "russia"
    assert body["actor_name"] == "Islamic Revolutionary Guard Corps"
    assert body["issue"] == "security-sector-reform"
    assert (body["date_start"], body["ongoing_as_of"]) == (None, "2021-07-03")
    assert body["citations"][0]["quote"] == "The passage that supports the relation."


def test_relation_without_issue_has_null_issue_name(api_client, world):
    body = api_client.get(f"{URL}{world['relations']['partnership'].pk}/").json()
    assert (body["issue"], body["issue_name"]) == (None, None)


def test_filter_actor_matches_either_side(api_client, world):
    assert summaries(api_client.get(URL, {"actor": "russia"})) == [PARTNERSHIP, CONTRACTS]
    assert summaries(api_client.get(URL, {"actor": "houthis"})) == [HOUTHIS]


def test_filter_actor_tree_matches_either_side(api_client, world):
    assert summaries(api_client.get(URL, {"actor_tree": "iran"})) == [
        HOUTHIS,
        PARTNERSHIP,
        CONTRACTS,
    ]


@pytest.mark.parametrize("pair", ["russia,iran", "iran,russia"])
def test_filter_between_is_the_relations_of_one_pair_in_either_order(api_client, world, pair):
    assert summaries(api_client.get(URL, {"between": pair})) == [PARTNERSHIP]
    assert summaries(api_client.get(URL, {"between": "houthis,iran"})) == [HOUTHIS]
    assert summaries(api_client.get(URL, {"between": "irgc,houthis"})) == []


@pytest.mark.parametrize("pair", ["russia", "russia,russia", "russia,iran,irgc", "russia,nobody"])
def test_filter_between_needs_two_known_actors(api_client, world, pair):
    response = api_client.get(URL, {"between": pair})
    assert response.status_code == 400
    assert list(response.json()["errors"]) == ["between"]


def test_filter_kind(api_client, world):
    assert summaries(api_client.get(URL, {"kind": "competition"})) == [CONTRACTS]


def test_filter_domain(api_client, world):
    assert summaries(api_client.get(URL, {"domain": "diplomatic,economic"})) == [
        HOUTHIS,
        CONTRACTS,
    ]


def test_filter_issue(api_client, world):
    assert summaries(api_client.get(URL, {"issue": "hadi-legitimacy"})) == [HOUTHIS]


def test_filter_country(api_client, world):
    assert summaries(api_client.get(URL, {"country": "YE"})) == [HOUTHIS]


def test_filter_source(api_client, world):
    assert summaries(api_client.get(URL, {"source": world["sources"]["un"].pk})) == [HOUTHIS]


def test_filter_q(api_client, world):
    assert summaries(api_client.get(URL, {"q": "reconstruction"})) == [CONTRACTS]


def test_filter_date_after_includes_ongoing_periods(api_client, world):
    # The partnership started in 2015 and still held on 2021-07-03; the contracts rivalry
    # has no known start but held on 2021-07-03.
    assert summaries(api_client.get(URL, {"date_after": "2020-01-01"})) == [
        PARTNERSHIP,
        CONTRACTS,
    ]


def test_filter_date_before_matches_an_unknown_start_on_its_ongoing_date(api_client, world):
    assert summaries(api_client.get(URL, {"date_before": "2021-07-02"})) == [
        HOUTHIS,
        PARTNERSHIP,
    ]
    assert CONTRACTS in summaries(api_client.get(URL, {"date_before": "2021-07-03"}))


def test_filter_date_window_inside_an_ongoing_period(api_client, world):
    response = api_client.get(URL, {"date_after": "2016-01-01", "date_before": "2017-12-31"})
    assert summaries(response) == [PARTNERSHIP]


def test_create_relation_with_citations(user_with, world):
    body = {
        "actor": "russia",
        "counterpart": "houthis",
        "kind": "opposition",
        "domain": "diplomatic",
        "country": "YE",
        "summary": "Russia recognises Hadi, not the Houthis.",
        "citations": [{"source": world["sources"]["lse"].pk, "quote": "Hadi."}],
    }
    response = user_with("add_relation").post(URL, body, format="json")
    assert response.status_code == 201, response.content
    relation = Relation.objects.get(pk=response.json()["id"])
    assert relation.citations.get().quote == "Hadi."


def test_create_relation_needs_a_citation_in_the_rules_words(user_with, world):
    body = {
        "actor": "russia",
        "counterpart": "houthis",
        "kind": "opposition",
        "domain": "diplomatic",
        "summary": "x",
        "citations": [],
    }
    response = user_with("add_relation").post(URL, body, format="json")
    assert response.status_code == 400
    assert response.json()["errors"]["citations"] == [
        "Every relation cites at least one source: add a citation (a source and the passage "
        "of it that supports the relation)."
    ]


def test_symmetric_relation_in_the_other_order_is_refused(user_with, world):
    body = {
        "actor": "russia",
        "counterpart": "iran",
        "kind": "alliance",
        "domain": "military",
        "country": "SY",
        "summary": "The same partnership, the other way round.",
        "date_start": "2015-01-01",
        "date_precision": "year",
        "citations": [{"source": world["sources"]["lse"].pk, "quote": "Partners."}],
    }
    before = (Relation.objects.count(), RelationSource.objects.count())
    response = user_with("add_relation").post(URL, body, format="json")
    assert response.status_code == 400, response.content
    assert "already stored" in str(response.json()["errors"])
    assert (Relation.objects.count(), RelationSource.objects.count()) == before


def test_relation_with_itself_is_refused(user_with, world):
    body = {
        "actor": "russia",
        "counterpart": "russia",
        "kind": "cooperation",
        "domain": "military",
        "summary": "x",
        "citations": [{"source": world["sources"]["lse"].pk, "quote": "x"}],
    }
    response = user_with("add_relation").post(URL, body, format="json")
    assert response.status_code == 400
    assert "counterpart" in response.json()["errors"]


def test_ongoing_relation_with_an_end_is_refused(user_with, world):
    relation = world["relations"]["partnership"]
    response = user_with("change_relation").patch(
        f"{URL}{relation.pk}/", {"date_end": "2020-01-01"}, format="json"
    )
    assert response.status_code == 400
    assert "ongoing_as_of" in response.json()["errors"]


def test_a_year_precision_end_not_on_1_january_is_refused(user_with, world):
    relation = world["relations"]["houthis"]
    response = user_with("change_relation").patch(
        f"{URL}{relation.pk}/",
        {"date_start": "2019-01-01", "date_end": "2021-07-03", "date_precision": "year"},
        format="json",
    )
    assert response.status_code == 400, response.content
    assert response.json()["errors"] == {
        "date_end": ["a year-precision end date is stored as 1 January of its year"]
    }
    relation.refresh_from_db()
    assert relation.date_end == datetime.date(2019, 12, 31)
