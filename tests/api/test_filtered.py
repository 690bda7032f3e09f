"""A list's filtered query is built once per resource, filters, ordering and data version
in a process (common/api/viewsets.py ``FILTERED``), and so are the parts of its date_after
pages (common/api/pagination.py ``PERIOD_PARTS``); every request still runs them."""

import pytest
from rest_framework.generics import GenericAPIView

from common.api import pagination
from common.api.viewsets import FILTERED
from events.models import Event
from tests.factories import ActorFactory, EventActorFactory

from .conftest import listed
from .factories import many_events

URL = "/api/v1/events/"


@pytest.fixture
def built(monkeypatch):
    """How many times each list's filters were built."""
    calls = []
    build = GenericAPIView.filter_queryset  # DRF's, which the memo calls to build

    def counting(view, queryset):
        calls.append(dict(view.request.query_params))
        return build(view, queryset)

    monkeypatch.setattr(GenericAPIView, "filter_queryset", counting)
    return calls


def test_the_same_filters_are_built_once(api_client, db, built):
    many_events(6, participants=0, citations=0)
    first = listed(api_client.get(URL, {"q": "Event 1", "page_size": 2}), "id")
    again = listed(api_client.get(URL, {"q": "Event 1", "page": 1, "page_size": 2}), "id")
    assert first == again
    assert len(built) == 1


@pytest.mark.parametrize(
    "params",
    [{"q": "Event 2"}, {"q": ["Event 1", "Event 2"]}, {"q": "Event 1", "ordering": "-title"}],
)
def test_other_filters_or_orderings_are_built_anew(api_client, db, built, params):
    many_events(6, participants=0, citations=0)
    api_client.get(URL, {"q": "Event 1"})
    response = api_client.get(URL, params)
    assert len(built) == 2
    expected = [e.title for e in Event.objects.filter(title__in=["Event 1", "Event 2"])]
    titles = [row["title"] for row in response.json()["results"]]
    assert set(titles) <= set(expected)
    if "ordering" in params:
        assert titles == sorted(titles, reverse=True)


def test_a_change_to_the_data_builds_anew(api_client, db, built):
    # An actor filter looks the actor up: the same parameters, after a change, are another
    # query (here the actor now has an event).
    actor = ActorFactory(slug="iran")
    many_events(3, participants=0, citations=0)
    assert listed(api_client.get(URL, {"actor": "iran"}), "id") == []
    event = Event.objects.first()
    EventActorFactory(event=event, actor=actor)
    assert listed(api_client.get(URL, {"actor": "iran"}), "id") == [event.pk]
    assert len(built) == 2


def test_a_refused_filter_is_not_kept(api_client, db, built):
    for _ in range(2):
        response = api_client.get(URL, {"actor": "nobody"})
        assert response.status_code == 400
        assert "actor" in response.json()["errors"]
    assert len(built) == 2
    assert not FILTERED.entries


def test_the_memo_keeps_the_most_recent(api_client, db, monkeypatch, settings):
    settings.RESPONSE_CACHE_SECONDS = 0  # the last request must build its answer
    monkeypatch.setattr(FILTERED, "size", 2)
    many_events(3, participants=0, citations=0)
    for term in ("Event 0", "Event 1", "Event 2", "Event 1"):
        api_client.get(URL, {"q": term})
    assert [key[3] for key in FILTERED.entries] == [
        "events\nq=['Event 2']",
        "events\nq=['Event 1']",
    ]


def test_a_date_after_page_is_compiled_once_per_filters_and_depth(api_client, db, monkeypatch):
    compiled = []
    compile_ = pagination._compiled

    def counting(queryset, take, using):
        compiled.append(take)
        return compile_(queryset, take, using)

    monkeypatch.setattr(pagination, "_compiled", counting)
    many_events(6, participants=0, citations=0)
    params = {"date_after": "2016-01-03", "page_size": 2}
    pages = [listed(api_client.get(URL, {**params, "page": page}), "id") for page in (1, 2, 1)]
    assert compiled == [3, 3, 5, 5]  # the undated and the dated part, per depth
    assert pages[0] == pages[2] and not set(pages[0]) & set(pages[1])
    api_client.get(URL, {**params, "country": "SY"})  # other filters: compiled again
    assert len(compiled) == 6
