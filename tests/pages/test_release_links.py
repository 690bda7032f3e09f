"""A page read from a release (``?release=``) shows that release's rows, says so, and keeps
the reader in it: every link to a page or to the dataset's API carries the release, and
every form sends it."""

import html
from html.parser import HTMLParser
from urllib.parse import parse_qs, urlsplit

import pytest
from django.core.management import call_command

from datapackage.models import Release
from datapackage.release import import_release, publish
from pages import views

from .conftest import populate

pytestmark = pytest.mark.django_db

VERSION = "2.0.0"
PAGES = [
    "/",
    "/alignment/?actors=russia,iran",
    "/events/",
    "/events/?country=SY&actor=iran&tree=1",
    "/events/{event}/",
    "/actors/iran/",
    "/issues/issue-1/",
    "/codebook/",
]
PAGE_PATHS = ("/events/", "/actors/", "/issues/", "/alignment/", "/codebook/")
DATASET_API = tuple(
    f"/api/v1/{name}/"
    for name in ("actors", "sources", "events", "issues", "positions", "relations", "alignment")
)


class Links(HTMLParser):
    """Every link (href, text) and every GET form (its hidden fields) of a page."""

    def __init__(self):
        super().__init__()
        self.links, self.forms = [], []
        self._link = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "a" and "href" in attrs:
            self._link = [attrs["href"], ""]
            self.links.append(self._link)
        elif tag == "form" and attrs.get("method") == "get":
            self.forms.append({})
        elif tag == "input" and attrs.get("type") == "hidden" and self.forms:
            self.forms[-1][attrs["name"]] = attrs["value"]

    def handle_data(self, data):
        if self._link is not None:
            self._link[1] += data

    def handle_endtag(self, tag):
        if tag == "a":
            self._link = None


def parsed(response):
    links = Links()
    links.feed(response.content.decode())
    return links


def reads_the_dataset(url):
    parts = urlsplit(url)
    if parts.scheme or parts.netloc:
        return False
    return parts.path == "/" or parts.path.startswith(PAGE_PATHS + DATASET_API)


@pytest.fixture
def pinned(settings, tmp_path):
    """The pages' data published as release 2.0.0, then an event renamed live."""
    settings.RELEASES_DIR = tmp_path / "releases"
    settings.RELEASE_SNAPSHOTS_DIR = tmp_path / "snapshots"
    data = populate(3)
    Release.objects.all().delete()  # populate's release row has no files behind it
    publish(VERSION, created="2021-07-03")
    event = data["events"][0]
    event.title = "Renamed after the release"
    event.save()
    return event


def with_release(path, event):
    path = path.format(event=event.pk)
    return path + ("&" if "?" in path else "?") + f"release={VERSION}"


@pytest.mark.parametrize("path", PAGES)
def test_every_link_of_a_page_read_from_a_release_keeps_it(client, pinned, path):
    response = client.get(with_release(path, pinned), follow=True)
    assert response.status_code == 200
    page = parsed(response)
    kept = [url for url, _ in page.links if reads_the_dataset(url)]
    assert kept, "the page links to pages or to the dataset's API"
    for url, text in page.links:
        if not reads_the_dataset(url) or text == "Read the live data":
            continue
        assert parse_qs(urlsplit(html.unescape(url)).query).get("release") == [VERSION], url
    for form in page.forms:
        assert form.get("release") == VERSION


@pytest.mark.parametrize("path", PAGES)
def test_a_live_page_links_to_the_live_data(client, pinned, path):
    response = client.get(path.format(event=pinned.pk), follow=True)
    assert response.status_code == 200
    page = parsed(response)
    assert not [url for url, _ in page.links if "release=" in url]
    assert all("release" not in form for form in page.forms)
    assert "release-note" not in response.content.decode()


def test_a_page_read_from_a_release_shows_its_rows_and_says_so(client, pinned):
    path = f"/events/{pinned.pk}/"
    pinned_page = client.get(path, {"release": VERSION})
    body = html.unescape(pinned_page.content.decode())
    assert "Renamed after the release" not in body
    assert f"You are reading release {VERSION} of 3 July 2021" in " ".join(
        body.replace("<strong>", "").replace("</strong>", "").split()
    )
    live_link = [url for url, text in parsed(pinned_page).links if text == "Read the live data"]
    assert live_link == [path]
    assert "Renamed after the release" in client.get(path).content.decode()


def test_a_page_read_from_a_release_offers_that_release_files(client, pinned):
    publish("2.1.0", created="2021-08-01")
    response = client.get(f"/events/{pinned.pk}/", {"release": VERSION})
    urls = [url for url, _ in parsed(response).links]
    assert f"/datapackage/{VERSION}/data/events.csv" in urls
    assert not [url for url in urls if "/datapackage/latest/" in url]
    home = html.unescape(client.get("/", {"release": VERSION}).content.decode())
    assert f"This page is read from <strong>version {VERSION}</strong>" in home


@pytest.mark.parametrize("release", [False, True])
def test_the_events_pager_links_to_the_next_page(client, pinned, monkeypatch, release):
    monkeypatch.setattr(views, "PAGE_SIZE", 2)
    query = {"release": VERSION} if release else {}
    first = client.get("/events/", query)
    older = [url for url, text in parsed(first).links if text == "Older"]
    assert len(older) == 1
    assert parse_qs(urlsplit(html.unescape(older[0])).query) == {
        "page": ["2"],
        **({"release": [VERSION]} if release else {}),
    }
    second = client.get("/events/" + html.unescape(older[0]))
    assert "Page 2 of 2" in second.content.decode()


def test_a_release_without_a_resource_shows_neither_its_count_nor_its_file(
    client, settings, tmp_path
):
    settings.RELEASES_DIR = tmp_path / "releases"
    settings.RELEASE_SNAPSHOTS_DIR = tmp_path / "snapshots"
    import_release(settings.BASE_DIR / "dataset" / "releases" / "mena-alignments-1.0.0.zip")
    call_command("load_datapackage", str(settings.BUNDLED_DATAPACKAGE), verbosity=0)
    old = html.unescape(client.get("/", {"release": "1.0.0"}).content.decode())
    assert "relations between actors" not in old and "positions on issues" in old
    assert "/datapackage/1.0.0/data/relations.csv" not in old
    assert "/datapackage/1.0.0/data/events.csv" in old
    assert "relations between actors" in client.get("/").content.decode()
