"""The pages in a real browser: Debian's Chromium driven by Playwright (no browser download).

Each page is loaded from a live server holding the bundled dataset: its chart must be drawn
(a canvas with the expected number of marks and pixels on it), no request may leave
127.0.0.1, the browser console must stay free of errors (a Content-Security-Policy
violation is one), and a screenshot of it at a laptop's and a phone's width is saved in
var/screenshots/ for people to look at.
"""

from pathlib import Path
from urllib.parse import urlsplit

import pytest
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management import call_command

from actors.models import Actor
from alignment import compare
from events.models import Event

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
SCREENSHOTS = Path(settings.BASE_DIR) / "var" / "screenshots"
WIDTHS = {"laptop": 1280, "phone": 390}
LOCAL_HOSTS = {"127.0.0.1"}

pytestmark = [
    pytest.mark.skipif(
        not CHROMIUM.exists(),
        reason="Chromium is not installed at /usr/bin/chromium (apt-get install -y chromium; "
        ".ci/run installs it)",
    ),
    pytest.mark.django_db(transaction=True),
]
sync_api = pytest.importorskip("playwright.sync_api")


@pytest.fixture(scope="module")
def browser():
    # Playwright's sync API keeps an event loop running in this thread; Django refuses ORM
    # calls from a thread with a running loop unless told they are safe. They are: the ORM
    # calls here are the tests' own set-up, and the live server answers from its own thread.
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
        with sync_api.sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
            yield browser
            browser.close()


@pytest.fixture
def site(live_server, settings, tmp_path):
    """The live server's address, with the bundled dataset loaded and published."""
    settings.RELEASES_DIR = tmp_path / "releases"
    call_command("load_datapackage", str(settings.BUNDLED_DATAPACKAGE), verbosity=0)
    call_command("publish_release", "1.0.0", notes="The bundled dataset.", verbosity=0)
    # The server listens on localhost; the pages are asked for at 127.0.0.1 itself.
    return live_server.url.replace("://localhost:", "://127.0.0.1:")


class Visit:
    """One page in a fresh browser context: every request recorded (and any that would
    leave 127.0.0.1 refused), every console error and page error collected."""

    def __init__(self, browser, width):
        self.context = browser.new_context(viewport={"width": width, "height": 900})
        self.requests, self.errors = [], []
        self.refused_document = None  # a page expected to answer 404
        self.context.route("**/*", self._route)
        self.page = self.context.new_page()
        self.page.on("console", self._console)
        self.page.on("pageerror", lambda error: self.errors.append(f"page error: {error}"))

    def _route(self, route):
        url = route.request.url
        self.requests.append(url)
        if urlsplit(url).hostname in LOCAL_HOSTS:
            route.continue_()
        else:
            route.abort()

    def _console(self, message):
        if message.type != "error":
            return
        if message.location.get("url") == self.refused_document and "404" in message.text:
            return  # the browser reports the 404 page's own status: that one is expected
        self.errors.append(f"console: {message.text}")

    def open(self, url, *, status=200):
        if status == 404:
            self.refused_document = url
        response = self.page.goto(url, wait_until="load")
        assert response.status == status
        self.page.wait_for_load_state("networkidle")
        return response

    def check_stayed_local(self):
        outside = [url for url in self.requests if urlsplit(url).hostname not in LOCAL_HOSTS]
        assert self.requests and not outside, f"requests left 127.0.0.1: {outside}"
        assert not self.errors, self.errors

    def screenshot(self, name, width_name):
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        self.page.screenshot(path=str(SCREENSHOTS / f"{name}-{width_name}.png"), full_page=True)

    def close(self):
        self.context.close()


def chart_marks(page, canvas_id):
    """(bars Chart.js drew with a value, canvas pixels painted) of one chart."""
    page.wait_for_function(
        "id => window.Chart && window.Chart.getChart(document.getElementById(id))", arg=canvas_id
    )
    return page.evaluate(
        """id => {
            const canvas = document.getElementById(id);
            const chart = window.Chart.getChart(canvas);
            let marks = 0;
            chart.data.datasets.forEach((dataset, index) => {
                const meta = chart.getDatasetMeta(index);
                meta.data.forEach((bar, i) => {
                    if (dataset.data[i] !== null && bar.height > 0) { marks += 1; }
                });
            });
            const pixels = canvas.getContext("2d")
                .getImageData(0, 0, canvas.width, canvas.height).data;
            let painted = 0;
            for (let i = 3; i < pixels.length; i += 4) { if (pixels[i] > 0) { painted += 1; } }
            return [marks, painted];
        }""",
        canvas_id,
    )


def expected_event_marks():
    cells = set()
    for start, ongoing, kind in Event.objects.values_list(
        "date_start", "ongoing_as_of", "event_type"
    ):
        when = start or ongoing
        cells.add((when.year, kind))
    return len(cells)


def expected_alignment_marks(a, b):
    timeline = compare.compare(Actor.objects.get(slug=a), Actor.objects.get(slug=b))["timeline"]
    keys = ("agree", "partly", "diverge", "compete", "events_same", "events_opposite")
    return sum(1 for row in timeline for key in keys if row[key])


def first(model, order):
    return model.objects.order_by(order).values_list("pk", flat=True).first()


PAGES = {
    # name: (path, canvas id of its chart or None)
    "home": ("/", None),
    "alignment": ("/alignment/?actors=russia,iran", "alignment-chart"),
    "events": ("/events/", "events-chart"),
    "events-filtered": ("/events/?country=SY&actor=iran&tree=1", "events-chart"),
    "event": ("/events/{event}/", None),
    "actor": ("/actors/iran/", None),
    "issue": ("/issues/yemen-legitimate-authority/", None),
    "codebook": ("/codebook/", None),
    "not-found": ("/actors/no-such-actor/", None),
}


@pytest.mark.parametrize("name", list(PAGES))
def test_page_in_the_browser(browser, site, name):
    path, canvas_id = PAGES[name]
    path = path.format(event=first(Event, "id"))
    if name == "alignment":
        expected = expected_alignment_marks("russia", "iran")
    elif canvas_id:
        if name == "events-filtered":
            expected = None  # checked against the server's own count below
        else:
            expected = expected_event_marks()
    for width_name, width in WIDTHS.items():
        visit = Visit(browser, width)
        try:
            response = visit.open(site + path, status=404 if name == "not-found" else 200)
            assert "default-src 'self'" in response.headers["content-security-policy"]
            if canvas_id:
                marks, painted = chart_marks(visit.page, canvas_id)
                wanted = expected
                if wanted is None:
                    wanted = int(visit.page.get_attribute(f"#{canvas_id}", "data-marks"))
                assert marks == wanted > 0
                assert painted > 0
            # Nothing is wider than the screen: no sideways scrolling on a phone.
            assert visit.page.evaluate(
                "document.documentElement.scrollWidth <= window.innerWidth"
            ), "the page scrolls sideways"
            visit.screenshot(name, width_name)
            visit.check_stayed_local()
        finally:
            visit.close()


def test_keyboard_reaches_the_content_first(browser, site):
    visit = Visit(browser, WIDTHS["laptop"])
    try:
        visit.open(site + "/events/")
        visit.page.keyboard.press("Tab")
        focused = visit.page.evaluate("document.activeElement.getAttribute('href')")
        assert focused == "#main"
        visit.page.keyboard.press("Enter")
        assert visit.page.evaluate("document.activeElement.id") == "main"
        visit.check_stayed_local()
    finally:
        visit.close()


def test_events_filter_form_works_from_the_keyboard(browser, site):
    visit = Visit(browser, WIDTHS["laptop"])
    try:
        visit.open(site + "/events/")
        visit.page.select_option("#f-country", "YE")
        visit.page.focus("#f-q")
        with visit.page.expect_navigation():
            visit.page.keyboard.press("Enter")
        assert "country=YE" in visit.page.url
        countries = visit.page.locator(".event-list .meta").all_inner_texts()
        assert countries and all(" · YE" in line for line in countries)
        visit.check_stayed_local()
    finally:
        visit.close()


@pytest.mark.parametrize(
    ("path", "changes", "submit"),
    [
        (
            "/alignment/?actors=russia,iran",
            {"#actor-a": "saudi-arabia", "#actor-b": "houthis"},
            "form.filters button[type=submit]",
        ),
        ("/events/?country=SY", {"#f-country": "YE"}, "form.filters button[type=submit]"),
    ],
)
def test_back_shows_the_form_as_the_page_was_served(browser, site, path, changes, submit):
    visit = Visit(browser, WIDTHS["laptop"])
    try:
        visit.open(site + path)
        served = {selector: visit.page.input_value(selector) for selector in changes}
        for selector, value in changes.items():
            visit.page.select_option(selector, value)
        with visit.page.expect_navigation():
            visit.page.click(submit)
        assert visit.page.url != site + path
        visit.page.go_back(wait_until="load")
        assert visit.page.url == site + path
        shown = {selector: visit.page.input_value(selector) for selector in changes}
        assert shown == served
        visit.check_stayed_local()
    finally:
        visit.close()


def test_admin_view_site_and_position_stance_at_1280(browser, site):
    get_user_model().objects.create_superuser("curator", "c@example.org", "a-long-password-1")
    visit = Visit(browser, 1280)
    try:
        visit.open(site + "/admin/login/?next=/admin/events/position/")
        visit.page.fill("#id_username", "curator")
        visit.page.fill("#id_password", "a-long-password-1")
        with visit.page.expect_navigation():
            visit.page.click("input[type=submit]")
        assert visit.page.get_attribute("#user-tools a[href='/']", "href") == "/"
        # The results table scrolls inside its own box: the column must show within it.
        shown = visit.page.locator("#changelist .results").bounding_box()
        for selector in ("th.column-stance", "td.field-stance"):
            box = visit.page.locator(selector).first.bounding_box()
            assert box is not None
            right = min(shown["x"] + shown["width"], 1280)
            assert box["x"] + box["width"] <= right, f"{selector} is cut off at 1280 px"
        visit.screenshot("admin-positions", "laptop")
    finally:
        visit.close()
