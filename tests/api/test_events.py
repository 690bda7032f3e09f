import datetime

import pytest
from django.urls import reverse

from common.api.filters import search_terms
from events.models import Event, EventActor, EventSource
from tests.factories import cited_event

from .conftest import listed
from .factories import many_events

pytestmark = pytest.mark.django_db

URL = "/api/v1/events/"


def titles(response):
    return listed(response, "title")


# -- representation ---------------------------------------------------------------------


def test_event_carries_participants_and_citations(api_client, world):
    aleppo = world["events"]["aleppo"]
    body = api_client.get(f"{URL}{aleppo.pk}/").json()
    assert body["url"] == f"http://testserver{URL}{aleppo.pk}/"
    assert body["participants"] == [
        {"actor": "quds-force", "actor_name": "Quds Force", "role": "supporter"},
        {"actor": "russia", "actor_name": "Russia", "role": "initiator"},
    ]
    lse, un = world["sources"]["lse"], world["sources"]["un"]
    assert body["citations"] == [
        {
            "source": lse.pk,
            "source_title": lse.title,
            "quote": "The passage that supports the event.",
        },
        {
            "source": un.pk,
            "source_title": un.title,
            "quote": "The passage that supports the event.",
        },
    ]


def test_default_ordering_is_date_start(api_client, world):
    response = api_client.get(URL)
    assert [r["title"] for r in response.json()["results"]] == [
        "Russian airstrikes begin",
        "Aleppo offensive",
        "Houthi delegation in Tehran",
    ]


def test_ordering(api_client, world):
    rows = api_client.get(URL, {"ordering": "-date_start"}).json()["results"]
    assert rows[0]["title"] == "Houthi delegation in Tehran"


def test_unknown_event_is_404(api_client, world):
    response = api_client.get(f"{URL}999999/")
    assert response.status_code == 404
    assert response.json() == {"detail": "No Event matches the given query."}


# -- filters --------------------------------------------------------------------------


def test_filter_country(api_client, world):
    assert titles(api_client.get(URL, {"country": "YE"})) == ["Houthi delegation in Tehran"]


def test_filter_country_is_case_insensitive(api_client, world):
    assert titles(api_client.get(URL, {"country": "ye"})) == ["Houthi delegation in Tehran"]


def test_filter_event_type(api_client, world):
    assert titles(api_client.get(URL, {"event_type": "airstrike"})) == ["Russian airstrikes begin"]


def test_filter_event_type_comma_separated(api_client, world):
    assert titles(api_client.get(URL, {"event_type": "airstrike,offensive"})) == [
        "Aleppo offensive",
        "Russian airstrikes begin",
    ]


def test_filter_event_type_repeated(api_client, world):
    response = api_client.get(f"{URL}?event_type=airstrike&event_type=diplomatic_visit")
    assert titles(response) == ["Houthi delegation in Tehran", "Russian airstrikes begin"]


def test_filter_actor(api_client, world):
    assert titles(api_client.get(URL, {"actor": "russia"})) == [
        "Aleppo offensive",
        "Russian airstrikes begin",
    ]


def test_filter_actor_does_not_include_descendants(api_client, world):
    assert titles(api_client.get(URL, {"actor": "iran"})) == ["Houthi delegation in Tehran"]


def test_filter_actor_tree_includes_every_level(api_client, world):
    assert titles(api_client.get(URL, {"actor_tree": "iran"})) == [
        "Aleppo offensive",
        "Houthi delegation in Tehran",
    ]


def test_filter_actor_tree_of_a_leaf_is_the_actor(api_client, world):
    assert titles(api_client.get(URL, {"actor_tree": "quds-force"})) == ["Aleppo offensive"]


def test_filter_role(api_client, world):
    assert titles(api_client.get(URL, {"role": "host"})) == ["Houthi delegation in Tehran"]


def test_filter_actor_and_role_match_the_same_participant(api_client, world):
    # Russia initiated Aleppo and Quds Force supported it: no participant is Russia-supporter.
    assert titles(api_client.get(URL, {"actor": "russia", "role": "supporter"})) == []
    assert titles(api_client.get(URL, {"actor": "quds-force", "role": "supporter"})) == [
        "Aleppo offensive"
    ]


def test_filter_source(api_client, world):
    un = world["sources"]["un"]
    assert titles(api_client.get(URL, {"source": un.pk})) == [
        "Aleppo offensive",
        "Houthi delegation in Tehran",
    ]


def test_filter_date_after_is_inclusive_and_overlapping(api_client, world):
    # Aleppo runs 2016-11-15..2016-12-22: it overlaps a window starting on its last day.
    assert titles(api_client.get(URL, {"date_after": "2016-12-22"})) == [
        "Aleppo offensive",
        "Houthi delegation in Tehran",
    ]
    assert titles(api_client.get(URL, {"date_after": "2016-12-23"})) == [
        "Houthi delegation in Tehran"
    ]


def test_filter_date_after_compares_the_whole_period_of_an_imprecise_date(api_client, world):
    # "August 2019" (month precision) may fall on any day of August.
    assert titles(api_client.get(URL, {"date_after": "2019-08-31"})) == [
        "Houthi delegation in Tehran"
    ]
    assert titles(api_client.get(URL, {"date_after": "2019-09-01"})) == []


def test_filter_date_after_compares_the_whole_year_of_a_year_precision_date(api_client, world):
    event = world["events"]["sanaa"]
    Event.objects.filter(pk=event.pk).update(
        date_start=datetime.date(2019, 1, 1), date_precision="year"
    )
    assert titles(api_client.get(URL, {"date_after": "2019-12-31"})) == [
        "Houthi delegation in Tehran"
    ]
    assert titles(api_client.get(URL, {"date_after": "2020-01-01"})) == []


def test_filter_date_before_is_inclusive(api_client, world):
    assert titles(api_client.get(URL, {"date_before": "2015-09-30"})) == [
        "Russian airstrikes begin"
    ]
    assert titles(api_client.get(URL, {"date_before": "2015-09-29"})) == []


def test_filter_date_window_inside_a_range_matches_it(api_client, world):
    response = api_client.get(URL, {"date_after": "2016-12-01", "date_before": "2016-12-05"})
    assert titles(response) == ["Aleppo offensive"]


@pytest.mark.parametrize(
    "params",
    [
        {"date_after": "0001-01-01"},
        {"date_after": "0010-06-30", "country": "SY"},
        {"date_after": "0001-01-01", "date_before": "9999-12-31"},
        {"date_before": "9999-12-31"},
    ],
)
def test_a_date_filter_at_the_ends_of_the_calendar_matches_every_dated_event(
    api_client, world, params
):
    everything = titles(api_client.get(URL, {"country": params.get("country", "SY,YE")}))
    assert everything
    assert titles(api_client.get(URL, params)) == everything


def test_filter_q(api_client, world):
    assert titles(api_client.get(URL, {"q": "quds force advisers"})) == ["Aleppo offensive"]
    assert titles(api_client.get(URL, {"q": "latakia"})) == ["Russian airstrikes begin"]


@pytest.mark.parametrize(
    ("q", "expected"),
    [
        ("Dera'a", ["Protests in Dera’a"]),
        ("dera’a", ["Protests in Dera’a"]),
        ("Sana’a", ["Talks in Sana'a"]),
        ("TÜRKIYE", ["Türkiye's incursion"]),
        ("türkiye's", ["Türkiye's incursion"]),
        ("ÖZ", ["Talks in Sana'a"]),
    ],
)
def test_filter_q_matches_either_apostrophe_and_any_case(api_client, db, q, expected):
    cited_event(title="Protests in Dera’a", summary="One.")
    cited_event(title="Talks in Sana'a", summary="With Mr öz.")
    cited_event(title="Türkiye's incursion", summary="Three.")
    assert titles(api_client.get(URL, {"q": q})) == expected


def test_search_terms_are_each_spelling_once():
    assert search_terms(["Aleppo"]) == ["Aleppo"]
    assert search_terms(["türkiye"]) == ["türkiye", "TÜRKIYE"]
    assert search_terms(["Dera'a", "Dera'a"]) == ["Dera'a", "Dera’a"]


def test_filters_combine(api_client, world):
    response = api_client.get(URL, {"country": "SY", "actor_tree": "iran"})
    assert titles(response) == ["Aleppo offensive"]


# -- query counts ---------------------------------------------------------------------

LIST_QUERIES = 6  # data version, count, page keys, page, participants, citations


@pytest.mark.parametrize("page_size", [1, 100])
def test_filtered_list_runs_constant_queries(api_client, django_assert_max_num_queries, page_size):
    events = many_events(100, participants=5, citations=3)
    actor = events[0].participants.first().actor
    source = events[0].citations.first().source
    params = {
        "page_size": page_size,
        "actor_tree": actor.slug,
        "source": source.pk,
        "date_after": "2015-01-01",
    }
    # + actor lookup, actor tree, source lookup, the span classes (kept per data version)
    with django_assert_max_num_queries(LIST_QUERIES + 4):
        response = api_client.get(URL, params)
    assert len(response.json()["results"]) == page_size


# -- writes -----------------------------------------------------------------------------


def new_event(world, **changes):
    body = {
        "title": "Astana talks",
        "summary": "Russia, Iran and Turkey meet.",
        "event_type": "negotiations",
        "country": "SY",
        "date_start": "2017-01-23",
        "date_precision": "day",
        "participants": [
            {"actor": "russia", "role": "participant"},
            {"actor": "iran", "role": "participant"},
        ],
        "citations": [{"source": world["sources"]["lse"].pk, "quote": "Talks in Astana."}],
    }
    body.update(changes)
    return body


def test_create_event_with_participants_and_citations(user_with, world):
    client = user_with("add_event")
    response = client.post(URL, new_event(world), format="json")
    assert response.status_code == 201, response.content
    event = Event.objects.get(pk=response.json()["id"])
    assert sorted(event.participants.values_list("actor__slug", flat=True)) == ["iran", "russia"]
    assert event.citations.get().quote == "Talks in Astana."
    assert response.json()["participants"][0]["actor_name"] in {"Iran", "Russia"}


def test_create_event_is_atomic(user_with, world):
    client = user_with("add_event")
    body = new_event(world, participants=[{"actor": "russia", "role": "participant"}])
    body["citations"].append({"source": 999999, "quote": "No such source."})
    before = (Event.objects.count(), EventActor.objects.count(), EventSource.objects.count())
    response = client.post(URL, body, format="json")
    assert response.status_code == 400
    assert "citations" in response.json()["errors"]
    after = (Event.objects.count(), EventActor.objects.count(), EventSource.objects.count())
    assert after == before


def test_create_event_needs_a_citation(user_with, world):
    response = user_with("add_event").post(URL, new_event(world, citations=[]), format="json")
    assert response.status_code == 400
    assert "citations" in response.json()["errors"]


def test_create_event_rejects_end_before_start(user_with, world):
    body = new_event(world, date_end="2017-01-01")
    response = user_with("add_event").post(URL, body, format="json")
    assert response.status_code == 400
    assert "date_end" in response.json()["errors"]


def test_create_event_rejects_month_precision_not_on_the_first(user_with, world):
    body = new_event(world, date_precision="month")
    response = user_with("add_event").post(URL, body, format="json")
    assert response.status_code == 400
    assert "date_start" in response.json()["errors"]


@pytest.mark.parametrize(
    "dates,message",
    [
        (
            {"date_start": "2017-01-01", "date_end": "2017-03-15", "date_precision": "month"},
            "a month-precision end date is stored as the first day of its month",
        ),
        (
            {"date_start": "2015-01-01", "date_end": "2016-05-05", "date_precision": "year"},
            "a year-precision end date is stored as 1 January of its year",
        ),
    ],
)
def test_create_event_rejects_an_end_finer_than_its_precision(user_with, world, dates, message):
    body = new_event(world, **dates)
    response = user_with("add_event").post(URL, body, format="json")
    assert response.status_code == 400, response.content
    assert response.json()["errors"] == {"date_end": [message]}
    assert not Event.objects.filter(title="Astana talks").exists()


def test_create_event_with_a_year_precision_end_on_1_january(user_with, world):
    body = new_event(world, date_start="2015-01-01", date_end="2016-01-01", date_precision="year")
    response = user_with("add_event").post(URL, body, format="json")
    assert response.status_code == 201, response.content
    assert response.json()["date_end"] == "2016-01-01"


def test_coarsening_the_precision_of_an_exact_end_is_refused(user_with, world):
    # Aleppo runs 2016-11-15..2016-12-22 (day): a month precision would read its end as the
    # whole of December, so the end must be stored as 2016-12-01 first.
    event = world["events"]["aleppo"]
    response = user_with("change_event").patch(
        f"{URL}{event.pk}/", {"date_start": "2016-11-01", "date_precision": "month"}, format="json"
    )
    assert response.status_code == 400, response.content
    assert list(response.json()["errors"]) == ["date_end"]
    event.refresh_from_db()
    assert (event.date_start, event.date_precision) == (datetime.date(2016, 11, 15), "day")


def test_create_event_rejects_half_coordinates(user_with, world):
    body = new_event(world, latitude=35.0)
    response = user_with("add_event").post(URL, body, format="json")
    assert response.status_code == 400, response.content
    assert Event.objects.filter(title="Astana talks").count() == 0


def test_create_event_rejects_duplicate_participants(user_with, world):
    twice = [{"actor": "russia", "role": "participant"}] * 2
    response = user_with("add_event").post(URL, new_event(world, participants=twice), format="json")
    assert response.status_code == 400
    assert "participants" in response.json()["errors"]


def test_create_event_rejects_unknown_actor(user_with, world):
    body = new_event(world, participants=[{"actor": "nobody", "role": "participant"}])
    response = user_with("add_event").post(URL, body, format="json")
    assert response.status_code == 400
    assert "participants" in response.json()["errors"]


def test_patch_replaces_participants(user_with, world):
    event = world["events"]["latakia"]
    client = user_with("change_event")
    response = client.patch(
        f"{URL}{event.pk}/",
        {"participants": [{"actor": "iran", "role": "supporter"}]},
        format="json",
    )
    assert response.status_code == 200, response.content
    assert list(event.participants.values_list("actor__slug", "role")) == [("iran", "supporter")]
    assert event.citations.count() == 1  # untouched


def test_put_updates_event(user_with, world):
    event = world["events"]["latakia"]
    body = new_event(world, title="Renamed")
    response = user_with("change_event").put(f"{URL}{event.pk}/", body, format="json")
    assert response.status_code == 200, response.content
    event.refresh_from_db()
    assert event.title == "Renamed"
    assert event.participants.count() == 2


def test_delete_event_removes_its_participants(user_with, world):
    event = world["events"]["aleppo"]
    response = user_with("delete_event").delete(f"{URL}{event.pk}/")
    assert response.status_code == 204
    assert not EventActor.objects.filter(event_id=event.pk).exists()


def test_created_event_dates_round_trip(user_with, world):
    response = user_with("add_event").post(URL, new_event(world), format="json")
    event = Event.objects.get(pk=response.json()["id"])
    assert event.date_start == datetime.date(2017, 1, 23)
    assert reverse("event-detail", kwargs={"pk": event.pk}) in response.json()["url"]


# -- periods still going on ------------------------------------------------------------


def ongoing_event(**fields):
    fields.setdefault("title", "Russia's naval base in Tartous")
    fields.setdefault("country", "SY")
    fields.setdefault("event_type", "deployment")
    return cited_event(**fields)


def test_since_2015_event_matches_a_window_years_later(api_client, db):
    ongoing_event(
        date_start=datetime.date(2015, 1, 1),
        date_precision="year",
        ongoing_as_of=datetime.date(2021, 7, 3),
    )
    assert titles(api_client.get(URL, {"date_after": "2016-01-01", "date_before": "2017-12-31"}))
    assert titles(api_client.get(URL, {"date_after": "2021-07-03"}))
    assert titles(api_client.get(URL, {"date_after": "2021-07-04"})) == []


def test_ongoing_event_with_month_precision_start_matches_its_first_month(api_client, db):
    ongoing_event(
        date_start=datetime.date(2015, 3, 1),
        date_precision="month",
        ongoing_as_of=datetime.date(2021, 7, 3),
    )
    assert titles(api_client.get(URL, {"date_before": "2015-03-01"}))
    assert titles(api_client.get(URL, {"date_before": "2015-02-28"})) == []


def test_event_with_unknown_start_matches_on_its_ongoing_date_only(api_client, db):
    ongoing_event(date_start=None, date_precision="", ongoing_as_of=datetime.date(2021, 7, 3))
    assert titles(api_client.get(URL, {"date_before": "2021-07-03"}))
    assert titles(api_client.get(URL, {"date_before": "2021-07-02"})) == []
    assert titles(api_client.get(URL, {"date_after": "2021-07-03"}))
    assert titles(api_client.get(URL, {"date_after": "2021-07-04"})) == []


def test_ended_event_is_not_extended_to_a_later_window(api_client, db):
    ongoing_event(
        date_start=datetime.date(2015, 1, 1),
        date_end=datetime.date(2016, 1, 1),
        date_precision="year",
    )
    # A year-precision end covers the whole of 2016.
    assert titles(api_client.get(URL, {"date_after": "2016-12-31"}))
    assert titles(api_client.get(URL, {"date_after": "2017-01-01"})) == []


def test_undated_events_sort_first_on_every_database(api_client, world):
    ongoing_event(date_start=None, date_precision="", ongoing_as_of=datetime.date(2021, 7, 3))
    rows = api_client.get(URL).json()["results"]
    assert rows[0]["title"] == "Russia's naval base in Tartous"
    rows = api_client.get(URL, {"ordering": "-date_start"}).json()["results"]
    assert rows[-1]["title"] == "Russia's naval base in Tartous"


def test_create_event_without_start_needs_ongoing_as_of(user_with, world):
    body = new_event(world, date_start=None, date_precision="")
    response = user_with("add_event").post(URL, body, format="json")
    assert response.status_code == 400
    assert "date_start" in response.json()["errors"]
    body["ongoing_as_of"] = "2021-07-03"
    assert user_with("add_event").post(URL, body, format="json").status_code == 201
