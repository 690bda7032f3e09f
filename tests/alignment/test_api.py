import csv
import io

import pytest

from alignment import compare as engine
from events.models import EventActor, Position
from tests.api.factories import many_events, many_positions
from tests.factories import ActorFactory, cited_event

pytestmark = pytest.mark.django_db

URL = "/api/v1/alignment/"
MATRIX = "/api/v1/alignment/matrix/"


def compare(api_client, **params):
    params.setdefault("actors", "russia,iran")
    response = api_client.get(URL, params)
    assert response.status_code == 200, response.content
    return response.json()


def verdicts(body):
    return {item["issue"]["slug"]: item["verdict"] for item in body["issues"]}


def test_verdict_per_issue(api_client, rivals):
    body = compare(api_client)
    assert [actor["slug"] for actor in body["actors"]] == ["russia", "iran"]
    assert verdicts(body) == {"agree": "agree", "partly": "partly", "diverge": "diverge"}
    assert {item["issue"]["slug"]: item["side"] for item in body["one_sided"]} == {
        "alone": "a",
        "compete": "a",
    }


def test_the_latest_position_sets_the_stance(api_client, rivals):
    agree = next(item for item in compare(api_client)["issues"] if item["verdict"] == "agree")
    assert (agree["stance_a"], agree["stance_b"]) == ("supports", "supports")
    # both of Iran's positions are listed, with their quotes
    assert len(agree["positions_b"]) == 2
    assert agree["positions_b"][0]["citations"][0]["quote"]
    assert agree["positions_b"][0]["url"].startswith("http://testserver/api/v1/positions/")


def test_summary(api_client, rivals):
    summary = compare(api_client)["summary"]
    assert summary["issues_compared"] == 3
    assert (summary["agree"], summary["partly"], summary["diverge"], summary["compete"]) == (
        1,
        1,
        1,
        0,
    )
    assert summary["agreement"] == 0.3333
    # stances (S,S), (S,mixed), (S,O): po = 1/3 = pe, kappa 0; distances 0, .5, 1: S = 0
    assert summary["kappa"] == 0.0
    assert summary["s_score"] == 0.0
    assert (summary["events_same"], summary["events_opposite"]) == (1, 1)
    assert summary["relations"]["alliance"] == 1
    assert summary["relations"]["competition"] == 0


def test_tree_folds_in_the_actors_below_and_a_competition_relation_wins(api_client, rivals):
    body = compare(api_client, tree="true")
    assert verdicts(body)["compete"] == "compete"
    assert body["summary"]["relations"]["competition"] == 1
    assert {r["kind"] for r in body["relations"]} == {"alliance", "competition"}


def test_events_with_each_sides_roles(api_client, rivals):
    events = {event["title"]: event for event in compare(api_client)["events"]}
    assert events["Together"]["side"] == "same"
    assert events["Against"]["side"] == "opposite"
    assert events["Against"]["roles_b"] == [{"actor": "iran", "role": "target"}]


def test_country_scope(api_client, rivals):
    body = compare(api_client, country="YE")
    assert verdicts(body) == {"diverge": "diverge"}
    assert [event["title"] for event in body["events"]] == ["Against"]
    assert body["relations"] == []


def test_date_scope(api_client, rivals):
    body = compare(api_client, date_after="2017-01-01", date_before="2017-12-31")
    assert verdicts(body) == {"agree": "agree"}
    assert body["summary"]["agreement"] == 1.0
    assert body["summary"]["kappa"] is None  # both always "supports": pe = 1
    assert body["summary"]["s_score"] == 1.0


def test_timeline_runs_from_the_earliest_to_the_latest_dated_row(api_client, rivals):
    timeline = {row["year"]: row for row in compare(api_client)["timeline"]}
    assert sorted(timeline) == list(range(2014, 2022))
    assert timeline[2014]["issues_compared"] == 0
    assert timeline[2016]["agree"] == 1 and timeline[2016]["events_same"] == 1
    assert timeline[2015]["partly"] == 0  # Iran's mixed stance dates from 2017
    assert timeline[2017]["agree"] == 1
    assert timeline[2018]["events_opposite"] == 1
    assert timeline[2021]["relations"]["alliance"] == 1


def test_a_scoped_timeline_keeps_to_the_scopes_years(api_client, rivals):
    whole = {row["year"]: row for row in compare(api_client)["timeline"]}
    body = compare(api_client, date_after="2016-06-01", date_before="2018-03-31")
    timeline = {row["year"]: row for row in body["timeline"]}
    assert sorted(timeline) == [2016, 2017, 2018]
    assert timeline[2017] == whole[2017]  # a year wholly in scope counts as it does unscoped
    assert compare(api_client, date_after="2019-01-01")["timeline"][0]["year"] == 2019


def test_csv_is_one_row_per_compared_issue(api_client, rivals):
    response = api_client.get(URL, {"actors": "russia,iran", "format": "csv"})
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    rows = list(csv.DictReader(io.StringIO(response.content.decode())))
    assert [row["issue"] for row in rows] == ["agree", "diverge", "partly"]
    assert rows[1]["verdict"] == "diverge"
    assert rows[0]["positions_b"].count(";") == 1


def test_matrix_compares_every_pair(api_client, rivals):
    response = api_client.get(MATRIX, {"actors": "russia,iran,irgc"})
    assert response.status_code == 200, response.content
    pairs = {(p["actor_a"]["slug"], p["actor_b"]["slug"]): p for p in response.json()["pairs"]}
    assert set(pairs) == {("russia", "iran"), ("russia", "irgc"), ("iran", "irgc")}
    assert pairs[("russia", "iran")]["summary"] == compare(api_client)["summary"]
    assert pairs[("russia", "irgc")]["summary"]["compete"] == 1


def test_matrix_csv(api_client, rivals):
    response = api_client.get(MATRIX, {"actors": "russia,iran,irgc", "format": "csv"})
    rows = list(csv.DictReader(io.StringIO(response.content.decode())))
    assert len(rows) == 3
    assert rows[0]["agreement"] == "0.3333"


@pytest.mark.parametrize(
    ("url", "actors"),
    [
        (URL, "russia"),
        (URL, "russia,atlantis"),
        (URL, "russia,russia"),
        (URL, "russia,iran,irgc"),
        (MATRIX, "russia"),
        (MATRIX, ",".join(f"a-{n}" for n in range(21))),
    ],
)
def test_bad_actors_is_a_400_naming_actors(api_client, rivals, url, actors):
    response = api_client.get(url, {"actors": actors})
    assert response.status_code == 400
    assert list(response.json()["errors"]) == ["actors"]


def test_missing_actors_is_a_400_naming_actors(api_client, rivals):
    response = api_client.get(URL)
    assert response.status_code == 400
    assert list(response.json()["errors"]) == ["actors"]


def test_unknown_parameter_is_a_400(api_client, rivals):
    response = api_client.get(URL, {"actors": "russia,iran", "contry": "SY"})
    assert response.status_code == 400
    assert "contry" in response.json()["errors"]


def test_bad_tree_and_date_name_their_parameter(api_client, rivals):
    response = api_client.get(URL, {"actors": "russia,iran", "tree": "maybe"})
    assert list(response.json()["errors"]) == ["tree"]
    response = api_client.get(URL, {"actors": "russia,iran", "date_after": "2015-13-01"})
    assert list(response.json()["errors"]) == ["date_after"]


def test_matrix_of_20_actors_is_answered(api_client, rivals):
    others = [ActorFactory().slug for _ in range(18)]
    response = api_client.get(MATRIX, {"actors": ",".join(["russia", "iran", *others])})
    assert response.status_code == 200
    assert len(response.json()["pairs"]) == 190


@pytest.mark.parametrize("size", [1, 40])
def test_comparison_runs_constant_queries(api_client, django_assert_max_num_queries, size):
    events = many_events(size, participants=2, citations=2)
    a, b = (participant.actor for participant in events[0].participants.all())
    for actor in (a, b):
        for position in many_positions(size, citations=2):
            position.actor = actor
            position.save()
    with django_assert_max_num_queries(8):  # with the data's version, for the ETag
        response = api_client.get(URL, {"actors": f"{a.slug},{b.slug}", "tree": "true"})
    assert response.status_code == 200
    assert len(response.json()["events"]) == size


@pytest.mark.parametrize("url", [URL, MATRIX])
@pytest.mark.parametrize("fmt", ["json", "csv"])
def test_an_unchanged_comparison_is_a_304(
    api_client, rivals, url, fmt, django_assert_max_num_queries
):
    params = {"actors": "russia,iran", "format": fmt}
    first = api_client.get(url, params)
    assert first.status_code == 200
    with django_assert_max_num_queries(1):  # only the data's version is read
        again = api_client.get(url, params, HTTP_IF_NONE_MATCH=first["ETag"])
    assert again.status_code == 304
    assert again["ETag"] == first["ETag"]
    assert api_client.get(url, {**params, "tree": "true"})["ETag"] != first["ETag"]


def test_a_comparison_etag_changes_with_the_data(api_client, rivals, user_with):
    etag = api_client.get(URL, {"actors": "russia,iran"})["ETag"]
    position = Position.objects.first()
    user_with("change_position").patch(
        f"/api/v1/positions/{position.pk}/", {"summary": "Changed."}, format="json"
    )
    response = api_client.get(URL, {"actors": "russia,iran"}, HTTP_IF_NONE_MATCH=etag)
    assert response.status_code == 200
    assert response["ETag"] != etag


def test_if_none_match_any_does_not_hide_a_bad_comparison(api_client, rivals):
    response = api_client.get(URL, {"actors": "russia"}, HTTP_IF_NONE_MATCH="*")
    assert response.status_code == 400


@pytest.mark.parametrize("url", [URL, MATRIX])
def test_options_as_csv_is_a_json_406(api_client, rivals, url):
    # CSV is how a comparison is downloaded, not how its description is read.
    response = api_client.options(f"{url}?format=csv")
    assert response.status_code == 406
    assert "csv" in response.json()["detail"]


@pytest.mark.parametrize("method", ["post", "put", "patch", "delete"])
def test_a_write_method_is_a_405_whatever_its_format(api_client, rivals, method):
    response = getattr(api_client, method)(f"{URL}?actors=russia,iran&format=csv")
    assert response.status_code == 405
    assert response["Allow"] == "GET, HEAD, OPTIONS"


@pytest.mark.parametrize("tree", [False, True])
def test_a_comparison_reads_only_events_both_sides_took_part_in(rivals, tree):
    russia, iran, irgc = (rivals["actors"][slug] for slug in ("russia", "iran", "irgc"))
    below = cited_event(title="IRGC too", actors=[(russia, "initiator"), (irgc, "supporter")])
    cited_event(title="Russia alone", actors=[(russia, "initiator")])
    cited_event(title="Iran twice", actors=[(iran, "initiator"), (iran, "supporter")])
    within = cited_event(title="Iran and IRGC", actors=[(iran, "initiator"), (irgc, "target")])
    cited_event(title="Neither", actors=[(ActorFactory(), "initiator"), (russia, "target")])
    side_a, side_b = engine.sides(russia, iran, tree=tree)
    rows = engine.load(side_a | side_b, engine.EVERYTHING, sides=(side_a, side_b))
    expected = {rivals["events"]["together"].pk, rivals["events"]["against"].pk}
    if tree:
        expected.add(below.pk)
    assert {row["event_id"] for row in rows.participants} == expected
    # A matrix reads the events in which two of its actors took part.
    pairs = engine.load(side_a | side_b, engine.EVERYTHING)
    assert {row["event_id"] for row in pairs.participants} == expected | (
        {within.pk} if tree else set()
    )
    # Every participation of either side, as read before: the same comparison.
    everything = engine.Rows(
        rows.positions,
        engine._rows(
            EventActor.objects.filter(actor_id__in=side_a | side_b).order_by(
                "event_id", "actor__slug", "role"
            ),
            **engine.PARTICIPANT_PATHS,
        ),
        rows.relations,
    )
    full = engine.compare(russia, iran, tree=tree, rows=everything)
    assert engine.compare(russia, iran, tree=tree) == full
    assert {event["id"] for event in full["events"]} == expected
