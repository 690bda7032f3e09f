"""``q`` on events is served by an index on both databases: an FTS5 trigram table on SQLite
(events/search.py), trigram GIN indexes on PostgreSQL (migration 0006). Whatever serves it,
the answer is icontains': any row whose title, summary or location name contains a term."""

from datetime import date

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from common.api.memo import clear_memos
from events import search
from events.filters import EventSearchFilter
from events.models import Event
from events.views import EventViewSet
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
    # search_text and the order index that holds it are back too (the rebuild drops both)
    assert searching("rebuild").count() == 2
    assert "events_event_order_searched" in explain_sqlite(searching("rebuild")[:101])


def explain(queryset, *, sort=True):
    """The plan PostgreSQL picks when reading the whole table is ruled out (a test table is
    too small for an index to pay), and sorting too unless ``sort``."""
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        if not sort:
            cursor.execute("SET LOCAL enable_sort = off")
        plan = queryset.explain()
    return plan


def searching(*terms):
    return Event.objects.filter(search.search_condition(list(terms), "default"))


def explain_sqlite(queryset):
    sql, params = queryset.values("pk").query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute(f"EXPLAIN QUERY PLAN {sql}", params)
        return "\n".join(row[-1] for row in cursor.fetchall())


@sqlite_only
def test_sqlite_q_in_list_order_reads_the_order_index_alone(events):
    # The order index holds the searched text: rows are tested without reading them.
    plan = explain_sqlite(searching("aleppo")[:101])
    assert "SCAN events_event USING INDEX events_event_order_searched" in plan


@postgresql_only
def test_postgresql_q_uses_the_trigram_index(events):
    plan = explain(searching("aleppo").order_by())
    assert "events_event_search_trgm" in plan


@postgresql_only
def test_postgresql_q_in_list_order_reads_the_order_index_alone(events):
    # The order index INCLUDEs the search text: rows are tested without visiting the table.
    plan = explain(searching("aleppo").values("pk")[:101], sort=False)
    assert "Index Only Scan using events_event_order_searched" in plan


@pytest.mark.parametrize("field", ["title", "summary", "location_name"])
def test_search_text_follows_every_write(api_client, events, field):
    event = events["aleppo"]  # only its title says Aleppo
    setattr(event, field, "Raqqa")
    event.save(update_fields=[field])
    assert found(api_client, "aleppo") == ([] if field == "title" else ["Siege of Aleppo"])
    assert found(api_client, "raqqa") == [event.title]
    Event.objects.filter(pk=event.pk).update(**{field: "Homs"})
    assert found(api_client, "raqqa") == []
    assert found(api_client, "HOMS") == [Event.objects.get(pk=event.pk).title]


def test_a_match_never_spans_two_columns(api_client, db):
    EventFactory(title="Siege of Aleppo", summary="Shelling.", location_name="Aleppo")
    assert found(api_client, "aleppo\x1fshell") == []
    assert found(api_client, "aleppo shell") == []
    assert found(api_client, "aleppo") == ["Siege of Aleppo"]


@pytest.mark.parametrize(
    "term", ["50%", "a_b", "c\\d", "50% of a_b", "d.' OR 1=1 --", "%s", "e\\'f", "%%"]
)
def test_q_reads_like_wildcards_and_quotes_as_text(api_client, db, term):
    EventFactory(
        title="Talks", summary="Agreed: 50% of a_b, c\\d.' OR 1=1 -- %s e\\'f %%", location_name=""
    )
    EventFactory(title="Other", summary="500 of axb, cd. OR 1 s ef", location_name="")
    assert found(api_client, term) == ["Talks"]


@postgresql_only
def test_postgresql_search_patterns_are_written_in_the_sql(api_client, events):
    # A prepared statement's plan is made for any parameter value: with the pattern a
    # parameter, the planner guessed its share of rows (0.5%) rather than reading it.
    with CaptureQueriesContext(connection) as queries:
        assert found(api_client, "aleppo") == ["Siege of Aleppo"]
    assert any("LIKE UPPER(E'%aleppo%')" in query["sql"] for query in queries)


@postgresql_only
@pytest.mark.parametrize(
    ("filters", "index"),
    [
        ({}, "events_event_order_searched"),
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
    monkeypatch.setattr(EventViewSet, "COLLECT_LIMIT", 0)  # a table this small would collect
    titles, sql = searched(api_client, "talks")  # 2 rows: common
    assert sorted(titles) == ["Port talks", "Talks"]
    assert "IN (SELECT rowid" not in sql
    assert "LIKE" in sql
    titles, sql = searched(api_client, "aleppo")  # 1 row: collected from the index
    assert titles == ["Siege of Aleppo"]
    assert COLLECTED in sql
    assert "LIKE" not in sql


@sqlite_only
def test_sqlite_terms_in_between_filter_rows_read_in_list_order(
    api_client, events, monkeypatch, settings
):
    settings.RESPONSE_CACHE_SECONDS = 0  # the second search must be planned and run
    # Common enough that collecting and sorting every match costs more than reading rows
    # in the list's order, rare enough that LIKE would read many rows for a page.
    expected, _ = searched(api_client, "talks")
    monkeypatch.setattr(EventSearchFilter, "RARE", 2)
    monkeypatch.setattr(EventSearchFilter, "FILTER_LIMIT", 10**9)
    monkeypatch.setattr(EventViewSet, "COLLECT_LIMIT", 0)
    clear_memos()  # the plan is chosen when the query is built, kept per data version
    titles, sql = searched(api_client, "talks")
    assert titles == expected
    assert FILTERED in sql
    assert "LIKE" not in sql


@sqlite_only
@pytest.mark.parametrize(("limit", "collected"), [(2, True), (1, False)])
def test_sqlite_a_page_the_count_says_is_cheaper_collected_is_collected_from_the_index(
    api_client, events, monkeypatch, limit, collected
):
    # The filter reads "talks" in the list's order (common in the table, by its plan); the
    # page's count (2 of 3 rows) says collecting costs less, while the index finds no more
    # than COLLECT_LIMIT rows for the term (counting them stops there).
    monkeypatch.setattr(EventSearchFilter, "RARE", 2)
    monkeypatch.setattr(EventSearchFilter, "FILTER_LIMIT", 0)
    monkeypatch.setattr(EventViewSet, "COLLECT_LIMIT", limit)
    titles, sql = searched(api_client, "talks")
    assert titles == ["Port talks", "Talks"]  # the list's order: same start, then by id
    assert (COLLECTED in sql) is collected
    assert ("ORDER BY COALESCE" in sql) is collected


@sqlite_only
def test_sqlite_a_page_collected_for_its_count_finds_every_spelling(api_client, db, monkeypatch):
    # The page adds the index's matches of the terms the filter searched: each apostrophe
    # spelling, not only the one given.
    EventFactory(title="Shelling of Dera'a", summary="Shelling.", location_name="")
    EventFactory(title="Siege of Dera’a", summary="Siege.", location_name="")
    EventFactory(title="Talks", summary="Talks.", location_name="")
    monkeypatch.setattr(EventSearchFilter, "RARE", 1)
    monkeypatch.setattr(EventSearchFilter, "FILTER_LIMIT", 0)
    titles, sql = searched(api_client, "Dera’a")
    assert COLLECTED in sql  # the count (2 of 3 rows) says to collect
    assert sorted(titles) == ["Shelling of Dera'a", "Siege of Dera’a"]


@sqlite_only
def test_sqlite_a_rare_term_is_collected_and_sorted(api_client, events):
    titles, sql = searched(api_client, "aleppo")  # under RARE: the filter collects it
    assert titles == ["Siege of Aleppo"]
    assert sql.count(COLLECTED) == 2  # the count's and the page's, not the page's twice
    assert "ORDER BY COALESCE" in sql


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


@pytest.fixture
def dated_talks(db):
    """Rows that ``q=talks`` finds, in an order the list's default order (undated first,
    then by start, then by id) differs from their ids'."""
    starts = [date(2016, 5, 1), None, date(2014, 1, 1), date(2016, 5, 1)]
    rows = [EventFactory(title=f"Talks {n}", **dated(start)) for n, start in enumerate(starts)]
    EventFactory(title="Shelling", **dated(None))
    return rows


def dated(start):
    if start is None:  # undated: only known to be going on when its source was written
        return {"date_start": None, "date_precision": "", "ongoing_as_of": date(2016, 1, 1)}
    return {"date_start": start, "date_precision": "day"}


def page_titles(api_client, **params):
    """The titles of a list page in the order the API gives them, and the request's SQL."""
    with CaptureQueriesContext(connection) as queries:
        response = api_client.get(URL, params)
    assert response.status_code == 200, response.content
    return [row["title"] for row in response.json()["results"]], [q["sql"] for q in queries]


@pytest.mark.parametrize("ordering", [None, "-date_start", "title"])
def test_collected_keeps_the_order(dated_talks, ordering):
    rows = Event.objects.filter(title__icontains="talks")
    if ordering:
        rows = rows.order_by(ordering, "pk")
    collected = search.collected(rows)
    assert "COALESCE" in str(collected.query)
    assert list(collected) == list(rows)


@postgresql_only
@pytest.mark.parametrize("collect", [True, False])
def test_postgresql_search_pages_are_collected_or_read_in_order(
    api_client, dated_talks, monkeypatch, collect
):
    asked = []

    def collects(count, take, size):
        asked.append((count, take, size))
        return collect

    monkeypatch.setattr(search, "collects", collects)
    in_list_order = ["Talks 1", "Talks 2", "Talks 0", "Talks 3"]  # undated, then by start, id
    for page in (1, 2):
        titles, sql = page_titles(api_client, q="talks", page_size=2, page=page)
        assert titles == in_list_order[2 * page - 2 : 2 * page]
        keys = next(
            statement for statement in sql if "LIKE" in statement and "ORDER BY" in statement
        )
        assert ("ORDER BY COALESCE" in keys) is collect
    # the page's count, the rows it reads up to (offset + page + 1), the table's size
    size = Event.objects.order_by("-pk").values_list("pk", flat=True)[0]
    assert asked == [(4, 3, size), (4, 5, size)]


@postgresql_only
def test_postgresql_short_terms_are_read_in_list_order(api_client, dated_talks, monkeypatch):
    # No trigram index finds a term shorter than three characters: collecting would read
    # every row.
    monkeypatch.setattr(search, "collects", lambda count, take, size: True)
    titles, sql = page_titles(api_client, q="ta")
    assert titles == ["Talks 1", "Talks 2", "Talks 0", "Talks 3"]
    assert not any("COALESCE" in statement for statement in sql)


@pytest.mark.parametrize(
    ("count", "take", "size", "collects"),
    [
        (871, 101, 100_000, True),  # q=Beirut at 100k: collected
        (8_953, 101, 1_000_000, False),  # q=Beirut at 1M: read in order
        (6_279, 101, 100_000, False),
        (100, 101, 99, False),
    ],
)
def test_collects_while_count_squared_is_under_the_rows_read_in_order(count, take, size, collects):
    assert search.collects(count, take, size) is collects


@pytest.mark.parametrize(
    ("count", "take", "size", "bound"),
    [
        (1, 101, 1_000_000, 16_833_333),  # one match where the filters look
        (871, 101, 100_000, 1_932),
        (8_953, 101, 1_000_000, 1_880),
    ],
)
def test_collect_bound_is_where_collecting_costs_what_reading_in_order_does(
    count, take, size, bound
):
    assert search.collect_bound(count, take, size) == bound
    assert 6 * count * bound < take * size <= 6 * count * (bound + 1)


@postgresql_only
def test_postgresql_search_text_statistics_sample_enough_values(db):
    # The planner estimates a search's matches from the sampled values that contain it:
    # with PostgreSQL's default of 100, a term in 1% of the rows was often in none.
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT attstattarget FROM pg_attribute "
            "WHERE attrelid = 'events_event'::regclass AND attname = 'search_text'"
        )
        assert cursor.fetchone() == (1000,)
