"""``q`` on events is served by an index on both databases: an FTS5 trigram table on SQLite
(events/search.py), trigram GIN indexes on PostgreSQL (migration 0006). Whatever serves it,
the answer is icontains': any row whose title, summary or location name contains a term."""

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from events import search
from events.filters import EventSearchFilter
from events.models import Event
from tests.api.conftest import listed
from tests.factories import EventFactory

URL = "/api/v1/events/"
sqlite_only = pytest.mark.skipif(connection.vendor != "sqlite", reason="SQLite's search index")
postgresql_only = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="PostgreSQL's indexes"
)


def found(api_client, *terms):
    return sorted(listed(api_client.get(URL, {"q": list(terms)}), "title"))


@pytest.fixture
def events(db):
    return {
        "aleppo": EventFactory(title="Siege of Aleppo", summary="Shelling.", location_name=""),
        "hodeidah": EventFactory(
            title="Port talks", summary="Talks on the port.", location_name="Hodeidah"
        ),
        "geneva": EventFactory(
            title="Talks", summary="Delegates met in Geneva's Palais.", location_name=""
        ),
    }


@pytest.mark.parametrize(
    ("terms", "titles"),
    [
        (["aleppo"], ["Siege of Aleppo"]),  # title, case-insensitive
        (["LEPP"], ["Siege of Aleppo"]),  # inside a word
        (["hodeidah"], ["Port talks"]),  # location name
        (["palais"], ["Talks"]),  # summary
        (["geneva's"], ["Talks"]),  # punctuation is text, not syntax
        (["of"], ["Siege of Aleppo"]),  # shorter than a trigram: LIKE
        (["aleppo", "hodeidah"], ["Port talks", "Siege of Aleppo"]),  # any term
        (["aleppo", "of"], ["Siege of Aleppo"]),  # indexed and short terms together
        (["talks on"], ["Port talks"]),  # a phrase
    ],
)
def test_q_finds_what_icontains_finds(api_client, events, terms, titles):
    assert found(api_client, *terms) == titles


@pytest.mark.parametrize("term", ['"', 'a"b', "AND", "NEAR(x", "x OR y", "*", "title:siege", "^s"])
def test_q_reads_search_syntax_as_text(api_client, events, term):
    response = api_client.get(URL, {"q": term})
    assert response.status_code == 200
    assert response.json()["results"] == []


@sqlite_only
def test_sqlite_q_reads_the_index(api_client, events):
    with CaptureQueriesContext(connection) as queries:
        assert found(api_client, "aleppo") == ["Siege of Aleppo"]
    assert any(f"{search.TABLE} MATCH" in query["sql"] for query in queries)
    assert not any("LIKE" in query["sql"] for query in queries)


@sqlite_only
def test_sqlite_index_follows_inserts_updates_and_deletes(api_client, events):
    event = events["aleppo"]
    event.title = "Siege of Homs"
    event.save(update_fields=["title"])
    assert found(api_client, "aleppo") == []
    assert found(api_client, "homs") == ["Siege of Homs"]
    Event.objects.filter(pk=event.pk).delete()
    assert found(api_client, "homs") == []
    EventFactory(title="Raqqa offensive")
    assert found(api_client, "raqqa") == ["Raqqa offensive"]


@sqlite_only
def test_sqlite_reinstalling_keeps_one_entry_per_row(api_client, events):
    search.install()
    search.install()
    assert found(api_client, "talks") == ["Port talks", "Talks"]


@sqlite_only
@pytest.mark.django_db(transaction=True)
def test_sqlite_index_survives_a_migration_that_rebuilds_the_table(api_client):
    EventFactory(title="Before the rebuild")
    # Unapplying 0005 alters events_event, which SQLite does by copying it into a new table
    # and dropping the old one, and its triggers with it.
    call_command("migrate", "events", "0004", verbosity=0)
    call_command("migrate", "events", verbosity=0)
    EventFactory(title="After the rebuild")
    assert found(api_client, "rebuild") == ["After the rebuild", "Before the rebuild"]


def explain(queryset, *, sort=True):
    """The plan PostgreSQL picks when reading the whole table is ruled out (a test table is
    too small for an index to pay), and sorting too unless ``sort``."""
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        if not sort:
            cursor.execute("SET LOCAL enable_sort = off")
        plan = queryset.explain()
    return plan


@postgresql_only
def test_postgresql_q_uses_the_trigram_indexes(events):
    plan = explain(Event.objects.filter(title__icontains="aleppo").order_by())
    assert "events_event_title_trgm" in plan


@postgresql_only
@pytest.mark.parametrize(
    ("filters", "index"),
    [
        ({}, "events_event_order_nulls_first"),
        ({"country": "SY"}, "events_event_country_order_nulls_first"),
    ],
)
def test_postgresql_lists_read_in_index_order(events, filters, index):
    # Without an index in the list's order (undated first), each page sorts every row.
    plan = explain(Event.objects.filter(**filters)[:101], sort=False)
    assert index in plan
    assert "Sort" not in plan


def searched(api_client, term):
    """The titles ``q=term`` finds in the list's order, and the SQL of the request."""
    with CaptureQueriesContext(connection) as queries:
        titles = listed(api_client.get(URL, {"q": term}), "title")
    return titles, "\n".join(query["sql"] for query in queries)


COLLECTED = '"events_event"."id" IN (SELECT rowid'
FILTERED = '("events_event"."id" + 0) IN (SELECT rowid'


@sqlite_only
def test_sqlite_common_terms_are_found_in_list_order(api_client, events, monkeypatch):
    # A term that many rows match fills a page sooner by reading rows in the list's order
    # than by collecting every match from the index.
    monkeypatch.setattr(EventSearchFilter, "RARE", 2)
    monkeypatch.setattr(EventSearchFilter, "FILTER_LIMIT", 0)
    titles, sql = searched(api_client, "talks")  # 2 rows: common
    assert sorted(titles) == ["Port talks", "Talks"]
    assert "IN (SELECT rowid" not in sql
    assert "LIKE" in sql
    titles, sql = searched(api_client, "aleppo")  # 1 row: collected from the index
    assert titles == ["Siege of Aleppo"]
    assert COLLECTED in sql
    assert "LIKE" not in sql


@sqlite_only
def test_sqlite_terms_in_between_filter_rows_read_in_list_order(api_client, events, monkeypatch):
    # Common enough that collecting and sorting every match costs more than reading rows
    # in the list's order, rare enough that LIKE would read many rows for a page.
    expected, _ = searched(api_client, "talks")
    monkeypatch.setattr(EventSearchFilter, "RARE", 2)
    monkeypatch.setattr(EventSearchFilter, "FILTER_LIMIT", 10**9)
    titles, sql = searched(api_client, "talks")
    assert titles == expected
    assert FILTERED in sql
    assert "LIKE" not in sql


@sqlite_only
@pytest.mark.parametrize(("margin", "plan"), [(0.99, search.SCAN), (1.01, search.FILTER)])
def test_sqlite_search_plan_weighs_density_and_size(events, margin, plan):
    ids = sorted(Event.objects.filter(title__icontains="talks").values_list("pk", flat=True))
    size = max(Event.objects.values_list("pk", flat=True))
    density = 2 / ids[1]  # the index's first two matches, in id order
    limit = density * density * size * margin
    assert search.search_plan(["talks"], "default", rare=2, filter_limit=limit) == plan
    # fewer matches than ``rare``: collected, whatever the density
    assert search.search_plan(["talks"], "default", rare=3, filter_limit=limit) == (search.COLLECT)
