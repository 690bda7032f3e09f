"""Pages cost the same whatever the table size: a capped count, offset pages, cursor pages."""

import datetime
import itertools
import re
from urllib.parse import urlencode

import pytest
from django.core.cache.backends.base import CacheKeyWarning
from django.db import connection
from django.test.utils import CaptureQueriesContext

from actors.models import Actor, ActorAlias
from common.api import pagination
from common.api.pagination import (
    DatasetPagination,
    period_page_keys,
    span_classes,
    table_size,
)
from common.periods import date_overlap, overlaps
from events import search
from events.filters import EventSearchFilter
from events.models import Event
from events.views import EventViewSet
from tests.factories import EventFactory

from .conftest import listed
from .factories import many_events

pytestmark = pytest.mark.django_db

URL = "/api/v1/events/"


@pytest.fixture
def small_cap(monkeypatch):
    monkeypatch.setattr(DatasetPagination, "count_limit", 10)


def test_count_is_exact_up_to_the_limit(api_client, db, small_cap):
    many_events(10, participants=1, citations=1)
    assert api_client.get(URL).json()["count"] == 10


def test_count_is_null_past_the_limit_and_next_still_works(api_client, db, small_cap):
    many_events(11, participants=1, citations=1)
    body = api_client.get(URL, {"page_size": 5}).json()
    assert body["count"] is None
    assert body["next"].endswith("page=2&page_size=5") or "page=2" in body["next"]
    last = api_client.get(URL, {"page_size": 5, "page": 3}).json()
    assert len(last["results"]) == 1 and last["next"] is None


def test_last_page_needs_a_count(api_client, db, small_cap):
    many_events(11, participants=1, citations=1)
    response = api_client.get(URL, {"page": "last"})
    assert list(response.json()["errors"]) == ["page"]


def test_last_page_when_the_count_is_known(api_client, db):
    many_events(7, participants=1, citations=1)
    body = api_client.get(URL, {"page": "last", "page_size": 3}).json()
    assert len(body["results"]) == 1 and body["next"] is None


def test_cursor_pages_walk_every_row_once_in_id_order(api_client, db):
    events = many_events(23, participants=1, citations=1)
    seen, url, params = [], URL, {"cursor": "aWQ-MA", "page_size": 10}  # "id>0"
    while url:
        body = api_client.get(url, params).json()
        assert body["previous"] is None
        seen += [row["id"] for row in body["results"]]
        url, params = body["next"], {}
    assert seen == sorted(event.pk for event in events)


def test_the_first_next_link_can_be_a_cursor(api_client, db):
    many_events(3, participants=1, citations=1)
    first = api_client.get(URL, {"cursor": "aWQ-MA", "page_size": 2}).json()
    assert "cursor=" in first["next"]


@pytest.mark.parametrize(
    ("params", "name"),
    [
        ({"cursor": "nonsense"}, "cursor"),
        ({"cursor": "aWQ-MA", "page": "2"}, "page"),
        ({"cursor": "aWQ-MA", "ordering": "-date_start"}, "ordering"),
    ],
)
def test_bad_cursor_requests_name_the_parameter(api_client, db, params, name):
    response = api_client.get(URL, params)
    assert response.status_code == 400
    assert list(response.json()["errors"]) == [name]


def test_a_page_past_the_limit_runs_the_usual_queries(
    api_client, db, small_cap, django_assert_max_num_queries
):
    many_events(30, participants=0, citations=0)
    # data version, capped count, page keys, page, participants, citations
    with django_assert_max_num_queries(6):
        body = api_client.get(URL, {"page": 2, "page_size": 5}).json()
    assert body["count"] is None and len(body["results"]) == 5


def count_queries(queries):
    return [query["sql"] for query in queries if "COUNT(" in query["sql"].upper()]


def test_a_count_is_kept_for_its_data_version(api_client, db):
    many_events(12, participants=0, citations=0)
    with CaptureQueriesContext(connection) as first:
        assert api_client.get(URL, {"page_size": 5}).json()["count"] == 12
    with CaptureQueriesContext(connection) as next_page:
        assert api_client.get(URL, {"page_size": 5, "page": 2}).json()["count"] == 12
    assert len(count_queries(first)) == 1
    assert count_queries(next_page) == []


def test_a_change_to_the_data_counts_again(api_client, db):
    events = many_events(12, participants=0, citations=0)
    assert api_client.get(URL, {"page_size": 5}).json()["count"] == 12
    Event.objects.filter(pk=events[0].pk).delete()  # logged: a new data version
    assert api_client.get(URL, {"page_size": 5}).json()["count"] == 11
    many_events(2, participants=0, citations=0)
    assert api_client.get(URL, {"page_size": 5}).json()["count"] == 13


def test_each_filter_has_its_own_count(api_client, db):
    many_events(12, participants=0, citations=0)
    assert api_client.get(URL, {"page_size": 5}).json()["count"] == 12
    assert api_client.get(URL, {"page_size": 5, "q": "Event 1"}).json()["count"] == 3


@pytest.mark.parametrize(
    "params",
    [
        {"q": "Event 2"},  # another value
        {"q": ["Event 1", "Event 2"]},  # a value added
        {"q": "Event 1", "country": "YE"},  # another filter
        {"q": "Event 1", "ordering": "title", "page_size": 2},  # not a filter: the same count
    ],
)
def test_a_kept_count_is_the_count_of_its_own_filters(api_client, db, params):
    many_events(12, participants=0, citations=0)
    assert api_client.get(URL, {"q": "Event 1"}).json()["count"] == 3  # 1, 10, 11
    expected = len(listed(api_client.get(URL, {**params, "page_size": 500}), "id"))
    assert api_client.get(URL, params).json()["count"] == expected


def test_resources_keep_their_own_counts(api_client, db):
    many_events(3, participants=0, citations=0)
    assert api_client.get(URL, {"q": "Event"}).json()["count"] == 3
    assert api_client.get("/api/v1/positions/", {"q": "Event"}).json()["count"] == 0


def test_table_size_is_kept_per_version(db, django_assert_num_queries):
    events = many_events(3, participants=0, citations=0)
    with django_assert_num_queries(1):
        assert table_size(Event, "default", "v1") == max(event.pk for event in events)
    with django_assert_num_queries(0):
        assert table_size(Event, "default", "v1") == max(event.pk for event in events)


def test_pages_keep_the_order_of_their_keys(api_client, db):
    many_events(12, participants=0, citations=0)
    body = api_client.get(URL, {"page_size": 5, "ordering": "-date_start"}).json()
    dates = [row["date_start"] for row in body["results"]]
    assert dates == sorted(dates, reverse=True) and len(dates) == 5


# -- date_after pages read per span class -------------------------------------------------

D = datetime.date


@pytest.fixture
def periods(db):
    """Events of every span: single days, weeks, months and years, ongoing for a decade,
    and undated ones still going on; in two countries."""
    starts = [D(2014, 1, 1) + datetime.timedelta(days=9 * n) for n in range(120)]
    lengths = [0, 3, 6, 20, 40, 200, 800, 3000]
    for (n, start), length in zip(enumerate(starts), itertools.cycle(lengths), strict=False):
        country = "SY" if n % 3 else "YE"
        last = start + datetime.timedelta(days=length)
        if n % 4 == 0:
            EventFactory(
                date_start=start, date_precision="day", ongoing_as_of=last, country=country
            )
        elif n % 4 == 1:
            EventFactory(date_start=start, date_precision="day", date_end=last, country=country)
        elif n % 4 == 2:
            EventFactory(date_start=start.replace(day=1), date_precision="month", country=country)
        else:
            EventFactory(
                date_start=start.replace(month=1, day=1),
                date_precision="year",
                date_end=last.replace(month=1, day=1),
                country=country,
            )
    for n in range(3):
        EventFactory(date_start=None, date_precision="", ongoing_as_of=D(2016 + n, 6, 1))


AFTERS = [D(2013, 1, 1), D(2015, 6, 30), D(2016, 3, 15), D(2017, 1, 1), D(2030, 1, 1)]


@pytest.mark.parametrize("after", AFTERS)
@pytest.mark.parametrize("country", [None, "SY"])
def test_a_date_after_page_per_span_class_is_the_page_of_one_walk(periods, after, country):
    rows = Event.objects.filter(date_overlap(after=after))
    if country:
        rows = rows.filter(country=country)
    classes = span_classes(Event, "default", None)
    for offset, limit in [(0, 5), (0, 1000), (7, 11), (30, 50)]:
        one_walk = list(rows.values_list("pk", flat=True)[offset : offset + limit])
        assert period_page_keys(rows, after, offset, limit, classes) == one_walk


def test_date_after_pages_hold_every_match_once_in_list_order(api_client, periods):
    after = D(2016, 3, 15)
    expected = [
        pk
        for pk, *dates in Event.objects.values_list(
            "pk", "date_start", "date_end", "date_precision", "ongoing_as_of"
        )
        if overlaps(
            dict(
                zip(
                    ["date_start", "date_end", "date_precision", "ongoing_as_of"],
                    dates,
                    strict=True,
                )
            ),
            after,
        )
    ]
    seen, url = [], f"{URL}?date_after=2016-03-15&page_size=7"
    while url:
        body = api_client.get(url).json()
        seen += [row["id"] for row in body["results"]]
        url = body["next"]
    assert seen == expected  # the model's order: undated first, then by start and id
    assert len(seen) > 20


def test_span_classes_are_those_rows_have(periods):
    classes = span_classes(Event, "default", None)
    assert classes == sorted(
        set(Event.objects.exclude(span_class=None).values_list("span_class", flat=True))
    )


def test_a_filter_value_equal_to_a_stand_in_reads_the_page_in_one_walk(periods):
    after = D(2016, 3, 15)
    rows = Event.objects.filter(date_overlap(after=after), span_class__gt=-31_415)
    assert period_page_keys(rows, after, 0, 10) is None


@pytest.fixture
def searched_in_list_order(monkeypatch):
    """Searches read in the list's order, whatever the counts say of this small table."""
    monkeypatch.setattr(EventSearchFilter, "RARE", 1)  # SQLite: not collected by the filter
    monkeypatch.setattr(EventSearchFilter, "FILTER_LIMIT", 0)  # nor tested on its matches
    monkeypatch.setattr(EventViewSet, "COLLECT_LIMIT", 0)  # nor collected for the page
    monkeypatch.setattr(search, "collects", lambda count, take, size: False)  # PostgreSQL


@pytest.fixture
def searched_collected(monkeypatch):
    monkeypatch.setattr(EventSearchFilter, "RARE", 10**6)  # SQLite: the filter collects
    monkeypatch.setattr(search, "collects", lambda count, take, size: True)  # PostgreSQL


def read_pages(api_client, params):
    """Every row's id over the pages, following next, and the SQL of the requests."""
    ids, statements, url = [], [], f"{URL}?{urlencode(params)}"
    while url:
        with CaptureQueriesContext(connection) as queries:
            body = api_client.get(url).json()
        ids += [row["id"] for row in body["results"]]
        statements += [query["sql"] for query in queries]
        url = body["next"]
    return ids, statements


@pytest.fixture
def talks(periods):
    """Half the events (every other id) hold "talks", the term the searches below look for."""
    ids = Event.objects.order_by("pk").values_list("pk", flat=True)
    Event.objects.filter(pk__in=list(ids)[::2]).update(summary="Talks were held.")


def period_search_ids(after):
    """The ids ``q=talks&date_after=after`` should list, in the list's order."""
    columns = ["date_start", "date_end", "date_precision", "ongoing_as_of"]
    return [
        pk
        for pk, summary, *dates in Event.objects.values_list("pk", "summary", *columns)
        if "talks" in summary.lower() and overlaps(dict(zip(columns, dates, strict=True)), after)
    ]


def test_a_search_from_a_date_read_in_list_order_is_read_per_span_class(
    api_client, talks, searched_in_list_order
):
    params = {"q": "talks", "date_after": "2016-03-15", "page_size": 4}
    ids, statements = read_pages(api_client, params)
    assert ids == period_search_ids(D(2016, 3, 15))
    assert len(ids) > 8
    assert any("UNION ALL" in sql and "LIKE" in sql for sql in statements)


def test_a_collected_search_or_an_ordering_reads_date_after_pages_in_one_walk(
    api_client, talks, searched_collected
):
    ids, statements = read_pages(api_client, {"q": "talks", "date_after": "2016-03-15"})
    assert ids == period_search_ids(D(2016, 3, 15))
    assert len(ids) > 8
    assert not any("UNION ALL" in sql for sql in statements)
    with CaptureQueriesContext(connection) as queries:
        body = api_client.get(URL, {"date_after": "2016-03-15", "ordering": "-date_start"}).json()
    assert body["results"]
    assert not any("UNION ALL" in query["sql"] for query in queries)


@pytest.mark.parametrize("paging", [{}, {"cursor": pagination.encode_cursor(0)}])
def test_no_page_is_read_when_nothing_matches(api_client, talks, paging):
    # The count (0) is read first: a page would only pass over the rows the other filters
    # hold (a term that occurs in the table, but not in that country).
    with CaptureQueriesContext(connection) as queries:
        body = api_client.get(URL, {"q": "talks", "country": "XK", **paging}).json()
    assert body == {"count": 0, "next": None, "previous": None, "results": []}
    statements = [query["sql"] for query in queries]
    assert any("COUNT(*)" in sql and "LIMIT 10001" in sql for sql in statements)
    assert not any("ORDER BY" in sql for sql in statements)


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL's plan")
def test_postgresql_reads_each_span_class_as_an_index_range(api_client, periods):
    with CaptureQueriesContext(connection) as queries:
        api_client.get(URL, {"country": "SY", "date_after": "2016-03-15"})
    (union,) = [query["sql"] for query in queries if "UNION ALL" in query["sql"]]
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")  # a test table is too small to tell
        cursor.execute("SET LOCAL enable_bitmapscan = off")
        cursor.execute(f"EXPLAIN (ANALYZE, COSTS OFF, TIMING OFF, SUMMARY OFF) {union}")
        plan = "\n".join(row[0] for row in cursor.fetchall())
    # The undated rows' range, then one range per class, run once per class (lateral).
    assert len(re.findall(r"Index (?:Only )?Scan using (\w+)", plan)) == 2
    classes = len(span_classes(Event, "default", None))
    assert f"Function Scan on span (actual rows={classes} loops=1)" in plan
    assert re.search(rf"Index Only Scan .*\(actual rows=\d+ loops={classes}\)", plan)
    # The country's span index, or the one a search reads (migration 0012), which holds
    # the country too: a table this small does not tell the planner which.
    assert "(span_class = span.number) AND (date_start >= span.earliest)" in plan


def test_postgresql_prepares_one_statement_whatever_the_classes(periods):
    """The classes are parameters (PostgreSQL): the SQL is the same when they differ, so
    a connection prepares it once."""
    if connection.vendor != "postgresql":
        pytest.skip("PostgreSQL's lateral join")
    after = D(2016, 3, 15)
    rows = Event.objects.filter(date_overlap(after=after))
    classes, sent = span_classes(Event, "default", None), []

    def record(execute, sql, params, many, context):
        sent.append(sql)
        return execute(sql, params, many, context)

    with connection.execute_wrapper(record):
        full = period_page_keys(rows, after, 0, 10, classes)
        some = period_page_keys(rows, after, 0, 10, [0, 2])
    assert len(sent) == 2 and sent[0] == sent[1]
    assert full != some  # the classes did change the page


def test_span_classes_are_kept_per_version_under_a_key_any_cache_takes(
    periods, recwarn, django_assert_num_queries
):
    version = "release 0.1.0 110cf748cbc9af98"  # spaces: memcached refuses such keys
    classes = span_classes(Event, "default", version)
    with django_assert_num_queries(0):
        assert span_classes(Event, "default", version) == classes
    assert not [w for w in recwarn if issubclass(w.category, CacheKeyWarning)]


# -- deep pages start from an anchor ------------------------------------------------------


@pytest.fixture
def anchors_every_7(monkeypatch):
    monkeypatch.setattr(pagination, "ANCHOR_EVERY", 7)


def walk_pages(api_client, params, size):
    ids, page = [], 1
    while True:
        body = api_client.get(URL, {**params, "page_size": size, "page": page}).json()
        ids += [row["id"] for row in body["results"]]
        if body["next"] is None:
            return ids
        page += 1


ORDERS = [
    {},
    {"ordering": "-id"},
    {"ordering": "title"},
    {"ordering": "date_end"},
    {"ordering": "-date_start"},
    {"ordering": "-date_start,-id"},
    {"ordering": "event_type,-id"},
    {"country": "YE"},
]


@pytest.mark.parametrize("params", ORDERS)
def test_pages_read_from_anchors_are_the_pages_of_one_walk(
    api_client, periods, anchors_every_7, params
):
    # One page from offset 0 reads without an anchor: the list in its order.
    body = api_client.get(URL, {**params, "page_size": 500}).json()
    everything = [row["id"] for row in body["results"]]
    assert len(everything) > 20
    for size in (5, 8):
        assert walk_pages(api_client, params, size) == everything  # anchors found
        assert walk_pages(api_client, params, size) == everything  # anchors kept


def anchored_queries(queries):
    return [query["sql"] for query in queries if re.search(r"\) [<>]= \(", query["sql"])]


def test_a_deep_page_reads_from_its_anchor(api_client, periods, anchors_every_7, settings):
    settings.RESPONSE_CACHE_SECONDS = 0  # the second request must read its page
    params = {"page_size": 5, "page": 4}  # offset 15: from the anchor at 14, skip 1
    api_client.get(URL, params)
    with CaptureQueriesContext(connection) as queries:
        api_client.get(URL, params)
    (keys,) = anchored_queries(queries)
    assert "OFFSET 1" in keys


@pytest.mark.parametrize(
    "params",
    [{"ordering": "-date_start,-id"}, {"ordering": "-date_start"}, {"ordering": "title,-id"}],
)
def test_an_order_no_row_comparison_follows_reads_by_offset(
    api_client, periods, anchors_every_7, params
):
    """Descending with empty values last, or in two directions: a row-value comparison
    would not follow the order."""
    with CaptureQueriesContext(connection) as queries:
        api_client.get(URL, {**params, "page_size": 5, "page": 4})
    assert anchored_queries(queries) == []


def test_a_change_to_the_data_finds_the_anchors_again(api_client, periods, anchors_every_7):
    before = walk_pages(api_client, {}, 5)
    earliest = EventFactory(date_start=D(2000, 1, 1), date_precision="day")
    undated = before[:3]  # undated events sort first; the new one comes right after them
    assert walk_pages(api_client, {}, 5) == [*undated, earliest.pk, *before[3:]]


def test_paging_on_finds_each_anchor_from_the_one_before(api_client, periods, anchors_every_7):
    api_client.get(URL, {"page_size": 7, "page": 2})  # the anchor at 7: skips 7 rows
    with CaptureQueriesContext(connection) as queries:
        api_client.get(URL, {"page_size": 7, "page": 3})  # the anchor at 14: from the one at 7
    anchored = anchored_queries(queries)
    assert any("LIMIT 1 OFFSET 7" in sql for sql in anchored)
    assert not any("OFFSET 14" in query["sql"] for query in queries)


def test_only_an_order_of_the_rows_own_columns_has_anchors(db):
    assert pagination._row_order(Event.objects.all()) == [("date_start", False), ("id", False)]
    assert pagination._row_order(Event.objects.order_by("?")) is None
    assert pagination._row_order(ActorAlias.objects.all()) is None  # by actor__slug
    assert pagination._row_order(Actor.objects.all()) is None  # by slug: no id to break ties
