"""The plain baseline for bench_pages.py: the pages' queries with ``values()``, the same
templates, nothing else.

``/baseline/events/`` and ``/baseline/alignment/`` answer what ``/events/`` and
``/alignment/`` answer for the benchmarked queries, built by hand: the filter SQL written
directly (no filter set, no paginator, no query parsing or validation), the comparison's own
queries (``compare.load``) and its verdicts in Python, then the same template. Every other
path is the real site, so one server serves both and they are measured under the same load.
bench_pages.py checks that the bodies are equal before measuring.

    BENCH_DATABASE_URL=... gunicorn -c gunicorn.conf.py tests.benchmarks.pages_baseline:application
"""

import datetime
import os

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

from django.core.wsgi import get_wsgi_application  # noqa: E402

application = get_wsgi_application()

from django.conf import settings  # noqa: E402
from django.db.models import F  # noqa: E402
from django.shortcuts import render  # noqa: E402
from django.urls import include, path  # noqa: E402

from actors.models import Actor  # noqa: E402
from alignment import compare  # noqa: E402
from alignment.choices import MEASURES, EventSide, Verdict  # noqa: E402
from common.periods import Scope, date_overlap  # noqa: E402
from events.choices import EventType, Role  # noqa: E402
from events.models import Event, EventActor  # noqa: E402
from pages import timelines  # noqa: E402
from pages.citations import with_sources  # noqa: E402
from pages.views import EVENT_COLUMNS, PAGE_SIZE, all_citations  # noqa: E402

settings.ROOT_URLCONF = __name__


class Page:
    """What the events template reads of a page of results."""

    def __init__(self, number, count):
        self.number = number
        self.paginator = self
        self.count = count
        self.num_pages = max(1, -(-count // PAGE_SIZE))

    def has_previous(self):
        return self.number > 1

    def has_next(self):
        return self.number < self.num_pages

    def previous_page_number(self):
        return self.number - 1

    def next_page_number(self):
        return self.number + 1


def events(request):
    country = request.GET["country"]
    after = datetime.date.fromisoformat(request.GET["date_after"])
    number = int(request.GET.get("page", 1))
    matching = Event.objects.filter(date_overlap(after=after), country__in=[country])
    count = matching.count()
    offset = (number - 1) * PAGE_SIZE
    rows = list(
        matching.order_by(F("date_start").desc(nulls_last=True), "-id").values(*EVENT_COLUMNS)[
            offset : offset + PAGE_SIZE
        ]
    )
    participants = {}
    for event_id, slug, name, role in (
        EventActor.objects.filter(event_id__in=[row["id"] for row in rows])
        .order_by("event_id", "actor__name", "role")
        .values_list("event_id", "actor__slug", "actor__name", "role")
    ):
        participants.setdefault(event_id, []).append({"slug": slug, "name": name, "role": role})
    for row in rows:
        row["participants"] = participants.get(row["id"], [])
    query = f"country={country}&date_after={after.isoformat()}"
    context = {
        "actors": list(Actor.objects.order_by("name", "slug").values("slug", "name")),
        "countries": list(
            Event.objects.order_by("country").values_list("country", flat=True).distinct()
        ),
        "event_types": EventType.choices,
        "roles": Role.choices,
        "form": request.GET,
        "actor_selected": "",
        "tree": False,
        "page_obj": Page(number, count),
        "rows": rows,
        "chart": timelines.event_type_chart(timelines.events_by_year_and_type(matching)),
        "data_links": [
            (
                "API (JSON)",
                f"/api/v1/events/?{query}&ordering=-date_start"
                + (f"&page={number}" if number > 1 else ""),
            ),
            ("CSV of every matching event", f"/api/v1/events/?{query}&format=csv"),
        ],
    }
    return render(request, "pages/events.html", context)


def alignment(request):
    slug_a, slug_b = request.GET["actors"].split(",")
    actors = list(Actor.objects.order_by("name", "slug").values("slug", "name"))
    by_slug = {actor.slug: actor for actor in Actor.objects.filter(slug__in=[slug_a, slug_b])}
    actor_a, actor_b = by_slug[slug_a], by_slug[slug_b]
    rows = compare.load({actor_a.pk, actor_b.pk}, Scope())
    result = compare.compare(actor_a, actor_b, rows=rows)
    for item in result["issues"]:
        for position in [*item["positions_a"], *item["positions_b"]]:
            position["url"] = f"http://{request.get_host()}/api/v1/positions/{position['id']}/"
    for item in result["one_sided"]:
        for position in item["positions"]:
            position["url"] = f"http://{request.get_host()}/api/v1/positions/{position['id']}/"
    for event in result["events"]:
        event["url"] = f"http://{request.get_host()}/api/v1/events/{event['id']}/"
    for relation in result["relations"]:
        relation["url"] = f"http://{request.get_host()}/api/v1/relations/{relation['id']}/"
    with_sources(list(all_citations(result)))
    query = f"actors={slug_a}%2C{slug_b}"
    context = {
        "actors": actors,
        "chosen": [slug_a, slug_b],
        "conflicts": [("SY", "Syria"), ("YE", "Yemen")],
        "form": {"actors": [request.GET["actors"]]},
        "verdicts": Verdict.descriptions,
        "event_sides": EventSide.descriptions,
        "measures": MEASURES,
        "a": actor_a,
        "b": actor_b,
        "tree": False,
        "result": result,
        "summary": result["summary"],
        "chart": timelines.alignment_chart(result["timeline"]),
        "data_links": [
            ("API (JSON)", f"/api/v1/alignment/?{query}"),
            ("CSV of the issues compared", f"/api/v1/alignment/?{query}&format=csv"),
        ],
    }
    return render(request, "pages/alignment.html", context)


# Named as the pages' routes, which the layout reads to mark the current page in its menu.
urlpatterns = [
    path("baseline/events/", events, name="events"),
    path("baseline/alignment/", alignment, name="alignment"),
    path("", include("config.urls")),
]
