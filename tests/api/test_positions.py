import datetime

import pytest

from events.models import Position

from .conftest import listed

pytestmark = pytest.mark.django_db

URL = "/api/v1/positions/"


def summaries(response):
    return listed(response, "summary")


IRGC = "The IRGC resists security-sector reform."
RUSSIA = "Russia pushes reform of the Syrian army."
IRAN = "Iran rejects the Hadi government."


def test_position_representation(api_client, world):
    position = world["positions"]["irgc_ssr"]
    body = api_client.get(f"{URL}{position.pk}/").json()
    assert body["actor"] == "irgc"
    assert body["actor_name"] == "Islamic Revolutionary Guard Corps"
    assert body["issue"] == "security-sector-reform"
    assert body["issue_name"] == "Security-sector reform"
    assert body["stance"] == "opposes"
    assert body["citations"][0]["source"] == world["sources"]["lse"].pk


def test_filter_actor(api_client, world):
    assert summaries(api_client.get(URL, {"actor": "irgc"})) == [IRGC]


def test_filter_actor_tree(api_client, world):
    assert summaries(api_client.get(URL, {"actor_tree": "iran"})) == [IRAN, IRGC]


def test_filter_issue(api_client, world):
    assert summaries(api_client.get(URL, {"issue": "hadi-legitimacy"})) == [IRAN]


def test_filter_stance(api_client, world):
    assert summaries(api_client.get(URL, {"stance": "supports"})) == [RUSSIA]


def test_filter_country_is_the_issue_country(api_client, world):
    assert summaries(api_client.get(URL, {"country": "YE"})) == [IRAN]


def test_filter_source(api_client, world):
    assert summaries(api_client.get(URL, {"source": world["sources"]["un"].pk})) == [IRAN]


def test_filter_date_after_excludes_undated(api_client, world):
    assert summaries(api_client.get(URL, {"date_after": "2019-12-31"})) == [IRGC]


def test_filter_date_after_compares_the_whole_month_of_a_month_precision_date(api_client, world):
    # Russia's position dates from "June 2017": any day of June 2017 may be its start.
    assert sorted(summaries(api_client.get(URL, {"date_after": "2017-06-30"}))) == sorted(
        [IRGC, RUSSIA]
    )


def test_filter_date_before_excludes_undated(api_client, world):
    assert summaries(api_client.get(URL, {"date_before": "2017-06-01"})) == [RUSSIA]


def test_filter_q_matches_summary_actor_and_issue(api_client, world):
    assert summaries(api_client.get(URL, {"q": "resists"})) == [IRGC]
    assert summaries(api_client.get(URL, {"q": "guard corps"})) == [IRGC]
    assert summaries(api_client.get(URL, {"q": "legitimacy"})) == [IRAN]


def new_position(world, **fields):
    """A position to create through the API, with ``fields`` changed."""
    return {
        "actor": "russia",
        "issue": "hadi-legitimacy",
        "stance": "neutral",
        "summary": "Russia keeps channels open to both sides.",
        "date_start": "2018-01-01",
        "date_precision": "year",
        "citations": [{"source": world["sources"]["lse"].pk, "quote": "Both sides."}],
        **fields,
    }


def test_create_position_with_citations(user_with, world):
    body = new_position(world)
    response = user_with("add_position").post(URL, body, format="json")
    assert response.status_code == 201, response.content
    assert Position.objects.get(pk=response.json()["id"]).citations.count() == 1


def test_a_month_precision_end_not_on_the_first_is_refused(user_with, world):
    body = new_position(world, date_end="2018-03-15", date_precision="month")
    response = user_with("add_position").post(URL, body, format="json")
    assert response.status_code == 400, response.content
    assert response.json()["errors"] == {
        "date_end": ["a month-precision end date is stored as the first day of its month"]
    }
    assert not Position.objects.filter(date_end=datetime.date(2018, 3, 15)).exists()


def test_undated_position_must_have_no_precision(user_with, world):
    body = {
        "actor": "russia",
        "issue": "hadi-legitimacy",
        "stance": "neutral",
        "summary": "Undated.",
        "date_precision": "day",
        "citations": [{"source": world["sources"]["lse"].pk, "quote": "Both sides."}],
    }
    response = user_with("add_position").post(URL, body, format="json")
    assert response.status_code == 400
    assert not Position.objects.filter(summary="Undated.").exists()


def test_duplicate_citations_are_400(user_with, world):
    position = world["positions"]["russia_ssr"]
    lse = world["sources"]["lse"].pk
    body = {"citations": [{"source": lse, "quote": "a"}, {"source": lse, "quote": "b"}]}
    response = user_with("change_position").patch(f"{URL}{position.pk}/", body, format="json")
    assert response.status_code == 400
    assert "citations" in response.json()["errors"]
    assert position.citations.count() == 1


def test_present_tense_stance_matches_a_date_filter_on_its_ongoing_date(api_client, world):
    position = world["positions"]["iran_hadi"]
    assert IRAN not in summaries(api_client.get(URL, {"date_after": "2021-07-03"}))
    position.ongoing_as_of = datetime.date(2021, 7, 3)
    position.save()
    assert IRAN in summaries(api_client.get(URL, {"date_after": "2021-07-03"}))
    assert IRAN in summaries(api_client.get(URL, {"date_before": "2021-07-03"}))
    assert IRAN not in summaries(api_client.get(URL, {"date_before": "2021-07-02"}))
