"""The pages for people, through Django's test client: content, errors and query counts."""

import html
import json
import re

import pytest
from django.urls import reverse

from actors.tables import TABLES as ACTOR_TABLES
from alignment import compare
from alignment.choices import EventSide, Verdict
from common.choices import VOCABULARIES
from datapackage.models import Release
from events.choices import Stance
from events.tables import TABLES as EVENT_TABLES
from pages.templatetags.pages import measure
from pages.views import CONTENT_SECURITY_POLICY

from .conftest import populate

pytestmark = pytest.mark.django_db


def text(response):
    return html.unescape(response.content.decode())


def chart_data(response, name):
    found = re.search(
        rf'<script id="{name}" type="application/json">(.*?)</script>', response.content.decode()
    )
    assert found, f"no chart data block {name}"
    return json.loads(found.group(1))


# ---------------------------------------------------------------------------------------
# Every page


PAGES = [
    "/",
    "/alignment/?actors=russia,iran",
    "/events/",
    "/events/?country=SY&actor=iran&tree=1",
    "/actors/iran/",
    "/issues/issue-1/",
    "/codebook/",
]


@pytest.mark.parametrize("path", PAGES)
def test_page_answers_html_with_the_strict_policy(client, site, path):
    response = client.get(path)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/html")
    assert response["Content-Security-Policy"] == CONTENT_SECURITY_POLICY


@pytest.mark.parametrize("path", PAGES)
def test_page_has_no_inline_script_or_style(client, site, path):
    body = client.get(path).content.decode()
    assert "style=" not in body
    assert "<style" not in body
    for tag in re.findall(r"<script[^>]*>", body):
        assert "src=" in tag or 'type="application/json"' in tag, tag
    assert not re.search(r"\son[a-z]+=", body), "no inline event handlers"


@pytest.mark.parametrize("path", PAGES)
def test_page_links_its_data(client, site, path):
    body = client.get(path).content.decode()
    block = re.search(r'<aside class="data-links".*?</aside>', body, re.S)
    assert block, "the page names the API call and CSV of its data"
    links = re.findall(r'href="([^"]+)"', block.group(0))
    if path == "/codebook/":
        assert reverse("schema") in links
    elif path == "/":
        assert reverse("api-root") in links
    else:
        assert any(link.startswith("/api/v1/") for link in links)
        assert any("csv" in link for link in links)


@pytest.mark.parametrize("path", PAGES)
def test_page_has_landmarks_and_labelled_controls(client, site, path):
    body = client.get(path).content.decode()
    for landmark in ("<header", "<nav", '<main id="main"', "<footer"):
        assert landmark in body
    assert 'href="#main"' in body  # the skip link
    ids = set(re.findall(r'<label for="([^"]+)"', body))
    for control in re.findall(r"<(?:select|input)\b[^>]*>", body):
        if 'type="hidden"' in control:
            continue
        control_id = re.search(r'id="([^"]+)"', control)
        assert control_id and control_id.group(1) in ids, f"unlabelled control {control}"


# ---------------------------------------------------------------------------------------
# /


def test_home_shows_counts_release_downloads_and_citation(client, site):
    body = text(client.get("/"))
    assert "Russia and Iran" in body
    assert '<span class="count">3</span> <a href="/events/">events</a>' in body
    assert "version 1.0.0" in body
    assert 'href="http://testserver/datapackage/1.0.0.zip"' in body
    assert "http://testserver/datapackage/1.0.0/data/events.csv" in body
    assert "Data package version 1.0.0" in body and "a" * 64 in body  # how to cite it
    assert "@misc{mena_alignments_1_0_0," in body
    for url in ("/api/v1/docs/", "/codebook/", "/alignment/", "/events/", "/api/v1/schema/"):
        assert f'href="{url}' in body
    assert 'href="/issues/issue-0/"' in body
    assert 'href="/actors/iran/"' in body


def test_home_without_a_release_says_so(client, site):
    Release.objects.all().delete()
    body = text(client.get("/"))
    assert "No release has been published yet." in body


# ---------------------------------------------------------------------------------------
# /alignment/


def test_alignment_without_actors_compares_russia_and_iran(client, site):
    response = client.get("/alignment/")
    assert response.status_code == 302
    assert response["Location"] == "/alignment/?actors=russia%2Ciran"
    body = text(client.get(response["Location"]))
    assert '<label for="actor-a">First actor</label>' in body
    assert '<option value="russia" selected>' in body
    assert '<option value="iran" selected>' in body


def test_alignment_with_fewer_than_two_actors_offers_the_form(client, db):
    response = client.get("/alignment/")
    assert response.status_code == 200
    assert "In short" not in text(response)


def test_alignment_shows_compare_verdicts_positions_and_quotes(client, site):
    russia, iran = site["actors"]["russia"], site["actors"]["iran"]
    result = compare.compare(russia, iran)
    assert result["issues"], "the fixture has issues both hold a position on"
    response = client.get("/alignment/?actors=russia,iran")
    body = text(response)
    for item in result["issues"]:
        slug = item["issue"]["slug"]
        heading = re.search(rf'id="issue-{slug}">.*?</h3>', body, re.S).group(0)
        assert f'verdict-{item["verdict"]}"' in heading
        for position in [*item["positions_a"], *item["positions_b"]]:
            assert position["summary"] in body
            assert f'href="http://testserver/api/v1/positions/{position["id"]}/"' in body
    for item in result["one_sided"]:
        assert item["issue"]["name"] in body
    assert 'href="https://example.org/article">The founding article</a>' in body
    assert 'href="/api/v1/sources/' in body
    summary = result["summary"]
    assert f'<span class="count">{summary["issues_compared"]}</span>' in body
    assert "Event number 1" in body  # an event both took part in
    assert "Relation 1 between Iran and Russia." in body
    assert 'href="/api/v1/alignment/?actors=russia%2Ciran"' in body
    assert (
        'href="/api/v1/alignment/?actors=russia%2Ciran&amp;format=csv"' in response.content.decode()
    )


def test_alignment_names_and_links_the_actors_and_issues_it_shows(client, site):
    raw = client.get("/alignment/?actors=russia,iran&tree=true").content.decode()
    relations = raw[raw.index('id="relations-title"') :]
    assert '<a href="/actors/iran/">Iran</a> <span class="kind kind-competition">' in relations
    assert '<a href="/actors/russia/">Russia</a>' in relations
    assert 'on <a href="/issues/issue-0/">Issue number 0</a>' in relations
    shared = raw[raw.index('id="events-title"') : raw.index('id="relations-title"')]
    assert '(<a href="/actors/quds-force/">Quds Force</a>)' in shared
    assert "(quds-force)" not in shared


@pytest.mark.parametrize(
    ("value", "shown"),
    [(0.625, "0.63"), (0.615, "0.62"), (-0.125, "-0.13"), (1, "1.00"), (None, "–")],
)
def test_a_measure_is_shown_rounded_half_up(value, shown):
    assert measure(value) == shown


def test_alignment_chart_is_compare_timeline(client, site):
    russia, iran = site["actors"]["russia"], site["actors"]["iran"]
    timeline = compare.compare(russia, iran)["timeline"]
    chart = chart_data(client.get("/alignment/?actors=russia,iran"), "alignment-chart-data")
    assert chart["labels"] == [row["year"] for row in timeline]
    by_key = {series["key"]: series["data"] for series in chart["series"]}
    for key in ("agree", "partly", "diverge", "compete", "events_same", "events_opposite"):
        assert by_key[key] == [row[key] or None for row in timeline]
    assert chart["marks"] == sum(1 for row in timeline for key in by_key if row[key])


def test_alignment_tree_folds_in_the_actors_below(client, site):
    without = text(client.get("/alignment/?actors=russia,iran"))
    with_tree = text(client.get("/alignment/?actors=russia,iran&tree=true"))
    # issue-0's Iranian position is the IRGC's: compared only with the actors below Iran.
    assert 'id="issue-issue-0"' not in without
    assert 'id="issue-issue-0"' in with_tree
    assert 'href="/api/v1/alignment/?actors=russia%2Ciran&amp;tree=true"' in with_tree.replace(
        "&", "&amp;"
    ).replace("&amp;amp;", "&amp;")


def test_alignment_scope_is_passed_to_compare_and_the_api_link(client, site):
    body = client.get(
        "/alignment/?actors=russia&actors=iran&country=YE&date_after=2016-01-01"
    ).content.decode()
    assert "actors=russia%2Ciran&amp;country=YE&amp;date_after=2016-01-01" in body
    assert "Event number 3" not in body  # a Syrian event


@pytest.mark.parametrize(
    "query, words",
    [
        ("actors=russia", "Give exactly 2 actor slugs"),
        ("actors=russia,nobody", "Unknown actor slug(s): nobody."),
        ("actors=russia,russia", "Each actor may be given once"),
        ("actors=russia,iran&date_after=2020-01-01&date_before=2019-01-01", "date_after"),
        ("actors=russia,iran&country=Syria", "ISO 3166-1 alpha-2"),
    ],
)
def test_alignment_refuses_a_bad_query_in_words(client, site, query, words):
    response = client.get(f"/alignment/?{query}")
    assert response.status_code == 400
    assert 'role="alert"' in response.content.decode()
    assert words in text(response)


# ---------------------------------------------------------------------------------------
# /events/


def test_events_lists_filters_and_links_the_same_api_query(client, site):
    response = client.get("/events/?country=YE")
    body = text(response)
    assert "Event number 0" in body  # in Yemen
    assert "Event number 1" not in body and "Event number 2" not in body  # in Syria
    raw = response.content.decode()
    assert 'href="/api/v1/events/?country=YE&amp;ordering=-date_start"' in raw
    assert 'href="/api/v1/events/?country=YE&amp;format=csv"' in raw
    assert '<option value="YE" selected>' in raw


def test_events_tree_box_asks_for_actor_tree(client, site):
    response = client.get("/events/?actor=iran&tree=1")
    body = text(response)
    assert "Event number 0" in body  # the Quds Force took part, below Iran
    assert "actor_tree=iran" in response.content.decode()
    assert "Event number 0" not in text(client.get("/events/?actor=iran"))


def test_events_are_paginated_newest_first(client, site, monkeypatch):
    monkeypatch.setattr("pages.views.PAGE_SIZE", 2)
    first = text(client.get("/events/"))
    assert "Page 1 of 2" in first
    titles = re.findall(r"Event number \d", first)
    assert titles == ["Event number 2", "Event number 1"]
    second = client.get("/events/?page=2")
    assert "Event number 0" in text(second)
    assert "page=2" in second.content.decode()  # the API link names the same page


@pytest.mark.parametrize("query", ["q=Hodeidah", "date_after=2030-01-01", "country=XX"])
def test_events_that_match_nothing_say_so(client, site, query):
    response = client.get(f"/events/?{query}")
    assert response.status_code == 200
    body = text(response)
    assert "0 events, newest first" in body
    assert "No events match these filters." in body
    assert "CSV of every matching event" in body


def test_events_page_past_the_end_is_404(client, site):
    assert client.get("/events/?page=9").status_code == 404
    assert client.get("/events/?page=x").status_code == 404


def test_events_with_a_reversed_window_say_so(client, site):
    response = client.get("/events/?date_after=2016-01-01&date_before=2015-01-01")
    assert response.status_code == 400
    assert "It comes before date_after." in response.content.decode()


def test_events_bad_filter_is_400_naming_it(client, site):
    response = client.get("/events/?date_after=yesterday")
    assert response.status_code == 400
    assert "<strong>date_after</strong>" in response.content.decode()


def test_events_chart_counts_by_year_and_type(client, site):
    chart = chart_data(client.get("/events/"), "events-chart-data")
    cells = {(event.date_start.year, event.event_type) for event in site["events"]}
    assert chart["marks"] == len(cells)
    years = [event.date_start.year for event in site["events"]]
    assert chart["labels"] == list(range(min(years), max(years) + 1))
    total = sum(value or 0 for series in chart["series"] for value in series["data"])
    assert total == len(site["events"])


# ---------------------------------------------------------------------------------------
# /events/{id}/, /actors/{slug}/, /issues/{slug}/


def test_event_shows_participants_and_quotes_with_sources(client, site):
    event = site["events"][1]
    response = client.get(f"/events/{event.pk}/")
    body = text(response)
    assert event.title in body and event.summary in body
    assert 'href="/actors/russia/">Russia</a>' in body
    assert "Initiator" in body and "Supporter" in body
    assert "The passage that supports the event." in body
    assert 'href="https://example.org/article">The founding article</a>' in body
    assert f'href="/api/v1/events/{event.pk}/"' in body


@pytest.mark.parametrize(
    "path",
    [
        "/events/999999/",
        "/events/abc/",
        "/events/0/",
        "/events/99999999999999999999999/",
        "/actors/nobody/",
        "/actors/Iran/",
        "/issues/no-such-issue/",
    ],
)
def test_unknown_ids_and_slugs_are_404_pages(client, site, path):
    response = client.get(path)
    assert response.status_code == 404
    assert response["Content-Type"].startswith("text/html")
    assert "<h1>Not found</h1>" in response.content.decode()


def test_actor_shows_hierarchy_positions_events_and_relations(client, site):
    body = text(client.get("/actors/iran/"))
    assert "Tehran" in body  # alias
    below = re.search(r'id="below-title".*?</section>', body, re.S).group(0)
    assert 'href="/actors/irgc/"' in below and 'href="/actors/quds-force/"' in below
    assert "Iran's stance on issue 1." in body
    assert "The passage that supports the position." in body
    assert "Event number 1" in body
    assert "Relation 0 between Iran and Russia." in body
    assert 'href="/api/v1/positions/?actor=iran&amp;format=csv"' in body.replace("&", "&amp;")
    assert 'href="/alignment/"' in body  # compare with another actor


def test_actor_below_others_shows_its_ancestors(client, site):
    body = text(client.get("/actors/quds-force/"))
    crumbs = re.search(r'<nav class="breadcrumbs".*?</nav>', body, re.S).group(0)
    assert crumbs.index("/actors/iran/") < crumbs.index("/actors/irgc/")


def test_issue_shows_every_actors_latest_stance_side_by_side(client, site):
    issue = site["issues"][1]
    body = text(client.get(f"/issues/{issue.slug}/"))
    for value in Stance.values:
        assert f'id="col-{value}"' in body
        assert Stance.descriptions[value] in body
    columns = {
        stance: re.search(rf'id="col-{stance}".*?</section>', body, re.S).group(0)
        for stance in Stance.values
    }
    assert 'href="#actor-russia"' in columns["opposes"]
    assert 'href="#actor-iran"' in columns["mixed"]
    assert "No actor." in columns["supports"] and "No actor." in columns["neutral"]
    assert "Russia's stance on issue 1." in body and "Iran's stance on issue 1." in body
    assert 'href="/api/v1/positions/?issue=issue-1&amp;format=csv"' in body.replace("&", "&amp;")


def test_issue_places_an_actor_by_its_latest_position(client, site):
    import datetime

    from tests.factories import cited_position

    issue, russia = site["issues"][1], site["actors"]["russia"]
    cited_position(
        actor=russia,
        issue=issue,
        stance="supports",
        summary="Russia later came round.",
        date_start=datetime.date(2020, 1, 1),
        date_precision="year",
    )
    body = text(client.get(f"/issues/{issue.slug}/"))
    supports = re.search(r'id="col-supports".*?</section>', body, re.S).group(0)
    opposes = re.search(r'id="col-opposes".*?</section>', body, re.S).group(0)
    assert 'href="#actor-russia"' in supports and 'href="#actor-russia"' not in opposes
    assert "Russia later came round." in body and "Russia's stance on issue 1." in body


# ---------------------------------------------------------------------------------------
# /codebook/


def test_codebook_defines_every_resource_column_and_value(client, db):
    body = text(client.get("/codebook/"))
    for table in [*ACTOR_TABLES, *EVENT_TABLES]:
        assert f'id="{table.name}"' in body
        assert table.description in body
        for column in table.columns:
            assert f'id="{table.name}-{column.name}"' in body
            assert str(column.field.help_text) in body
    for vocabulary in VOCABULARIES:
        assert f'id="vocab-{vocabulary.__name__}"' in body
        for value, definition in vocabulary.descriptions.items():
            assert f"<code>{value}</code>" in body
            assert definition in body


@pytest.mark.parametrize(
    "path",
    ["/", "/codebook/", "/events/", "/alignment/?actors=russia,iran&tree=true", "/actors/iran/"],
)
def test_ids_on_a_page_are_unique(client, site, path):
    ids = re.findall(r'\sid="([^"]+)"', client.get(path).content.decode())
    assert ids
    assert sorted({i for i in ids if ids.count(i) > 1}) == []


def test_codebook_defines_the_alignment_terms(client, db):
    raw = client.get("/codebook/").content.decode()
    assert '<a href="/api/v1/alignment/?actors=russia%2Ciran">its API</a>' in raw
    body = text(client.get("/codebook/"))
    assert set(Verdict.descriptions) == set(compare.VERDICTS)
    for words in [*Verdict.descriptions.values(), *EventSide.descriptions.values()]:
        assert words in body


# ---------------------------------------------------------------------------------------
# Constant queries


BUDGETS = {
    "/": 10,
    "/alignment/?actors=russia": 2,
    "/alignment/?actors=russia,iran": 9,  # with the issues' names
    "/alignment/?actors=russia,iran&tree=true&country=SY": 10,
    "/events/": 6,
    "/events/?country=SY&actor=iran&tree=1&event_type=airstrike": 8,
    "/events/{event}/": 3,
    "/actors/iran/": 8,
    "/issues/issue-1/": 5,
    "/codebook/": 0,
}


@pytest.mark.parametrize("size", [2, 12])
@pytest.mark.parametrize("path", list(BUDGETS))
def test_each_page_runs_a_constant_number_of_queries(
    client, db, django_assert_max_num_queries, size, path
):
    data = populate(size)
    url = path.format(event=data["events"][-1].pk)
    with django_assert_max_num_queries(BUDGETS[path]):
        response = client.get(url)
    assert response.status_code == (400 if path == "/alignment/?actors=russia" else 200)
