"""The pages for people: thin views over the models, the API's own filters and the
alignment comparison (alignment/compare.py), each in a constant number of queries."""

import functools
from collections import defaultdict

from django.core.paginator import InvalidPage, Paginator
from django.db.models import F, Q
from django.http import QueryDict
from django.shortcuts import redirect, render
from django.urls import reverse

from actors.models import Actor, ActorAlias
from alignment import compare
from alignment.choices import MEASURES, EventSide, Verdict
from alignment.serializers import ComparisonQuerySerializer
from alignment.views import Links, with_links
from common.api.filters import MAX_ID
from datapackage.citation import release_citation
from datapackage.models import Release
from datapackage.schema import RESOURCES
from datapackage.serializers import download_urls
from datapackage.snapshots import current_release
from events.choices import EventType, Role, Stance
from events.filters import EventFilterSet
from events.models import (
    Event,
    EventActor,
    EventSource,
    Issue,
    Position,
    PositionSource,
    Relation,
    RelationSource,
    Source,
)

from . import codebook as codebook_module
from . import timelines
from .citations import citations, with_sources
from .links import link, package_version

# The pages send a stricter policy than the rest of the site: no inline script or style of
# any kind (every script and style is a static file; chart data sits in JSON blocks).
CONTENT_SECURITY_POLICY = (
    "default-src 'self'; img-src 'self'; object-src 'none'; base-uri 'self'; "
    "form-action 'self'; frame-ancestors 'none'"
)
PAGE_SIZE = 50
ACTOR_EVENTS_SHOWN = 20
PERIOD = ("date_start", "date_end", "date_precision", "ongoing_as_of")
EVENT_COLUMNS = ("id", "title", "event_type", "country", *PERIOD, "location_name", "fatalities")
CONFLICTS = [("SY", "Syria"), ("YE", "Yemen")]


def page(view):
    """A page view: answers with the pages' Content-Security-Policy."""

    @functools.wraps(view)
    def wrapper(request, *args, **kwargs):
        response = view(request, *args, **kwargs)
        response["Content-Security-Policy"] = CONTENT_SECURITY_POLICY
        return response

    return wrapper


def not_found(request, message):
    return render(request, "404.html", {"message": message}, status=404)


def release_words():
    version = package_version()
    return "latest release" if version == "latest" else f"release {version}"


def as_id(text):
    """An id from the URL, or None when it cannot name a row."""
    return int(text) if text.isdigit() and 0 < int(text) <= MAX_ID else None


def actor_choices():
    return list(Actor.objects.order_by("name", "slug").values("slug", "name"))


# ---------------------------------------------------------------------------------------
# /


@page
def home(request):
    # A page read from a release offers that release's files and citation, and counts only
    # what it holds (an earlier minor release may lack a resource: 1.0.0 had no relations).
    pinned = current_release()
    counts = [
        (key, label, model.objects.count(), url)
        for key, label, model, url in [
            ("events", "events", Event, link("pages:events")),
            ("actors", "actors", Actor, None),
            ("issues", "issues", Issue, None),
            ("positions", "positions on issues", Position, None),
            ("relations", "relations between actors", Relation, None),
            ("sources", "sources cited", Source, None),
        ]
        if pinned is None or key in pinned.row_counts
    ]
    release = pinned or Release.objects.latest_release()
    featured = set(Actor.objects.filter(slug__in=["russia", "iran"]).values_list("slug", flat=True))
    context = {
        "counts": counts,
        "release": release,
        "pinned": pinned is not None,
        "issues": list(Issue.objects.order_by("country", "name").values("slug", "name", "country")),
        "actors": list(
            Actor.objects.filter(parent__isnull=True).order_by("name").values("slug", "name")
        ),
        "compare_url": link(
            "pages:alignment", {"actors": "russia,iran"} if len(featured) == 2 else None
        ),
    }
    if release is not None:
        downloads = download_urls(request, release)
        context["downloads"] = downloads
        context["resources"] = [
            (table.name, table.title, downloads["resources"][table.name])
            for table in RESOURCES
            if table.name in downloads["resources"]
        ]
        context["citation"], context["bibtex"] = release_citation(release, downloads["zip"])
        context["release_api"] = link("release-detail", version=release.version)
        context["data_links"] = [
            ("API root", reverse("api-root")),
            (f"release {release.version} (JSON)", context["release_api"]),
            (f"release {release.version} (zip of CSV files)", downloads["zip"]),
        ]
    else:
        context["data_links"] = [("API root", reverse("api-root"))]
    return render(request, "pages/home.html", context)


# ---------------------------------------------------------------------------------------
# /events/


def event_filter_params(query):
    """The API's event filter parameters from the page's query string: the same names,
    plus the page's ``tree`` box, which turns ``actor`` into ``actor_tree``."""
    params = QueryDict(mutable=True)
    for name in EventFilterSet.base_filters:
        values = [value for value in query.getlist(name) if value.strip()]
        if values:
            params.setlist(name, values)
    if query.get("tree") and "actor" in params:
        params.setlist("actor_tree", params.getlist("actor_tree") + params.pop("actor"))
    return params


def event_rows(events):
    """The page's rows: ``values()`` of the events, each with its participants (one query)."""
    rows = list(events)
    by_event = defaultdict(list)
    participants = (
        EventActor.objects.filter(event_id__in=[row["id"] for row in rows])
        .order_by("event_id", "actor__name", "role")
        .values_list("event_id", "actor__slug", "actor__name", "role")
    )
    for event_id, slug, name, role in participants:
        by_event[event_id].append({"slug": slug, "name": name, "role": role})
    for row in rows:
        row["participants"] = by_event[row["id"]]
    return rows


def events_ordered(events):
    return events.order_by(F("date_start").desc(nulls_last=True), "-id")


@page
def events(request):
    params = event_filter_params(request.GET)
    filterset = EventFilterSet(params, queryset=Event.objects.all())
    context = {
        "actors": actor_choices(),
        "countries": list(
            Event.objects.order_by("country").values_list("country", flat=True).distinct()
        ),
        "event_types": EventType.choices,
        "roles": Role.choices,
        "form": request.GET,
        "actor_selected": (params.getlist("actor") or params.getlist("actor_tree") or [""])[0],
        "tree": "actor_tree" in params,
    }
    if not filterset.is_valid():
        context["errors"] = filterset.errors
        return render(request, "pages/events.html", context, status=400)
    matching = filterset.qs
    paginator = Paginator(events_ordered(matching).values(*EVENT_COLUMNS), PAGE_SIZE)
    try:
        current = paginator.page(request.GET.get("page") or 1)
    except InvalidPage:
        return not_found(request, "There is no such page of events.")
    api_query = params.copy()
    api_query["ordering"] = "-date_start"
    if current.number > 1:
        api_query["page"] = current.number
    csv_query = params.copy()
    csv_query["format"] = "csv"
    chart = timelines.event_type_chart(timelines.events_by_year_and_type(matching))
    context.update(
        {
            "listed": True,  # the list and its count show even when nothing matches
            "page_obj": current,
            "rows": event_rows(current.object_list),
            "chart": chart,
            "data_links": [
                ("API (JSON)", link("event-list", api_query)),
                ("CSV of every matching event", link("event-list", csv_query)),
            ],
        }
    )
    return render(request, "pages/events.html", context)


@page
def event_detail(request, pk):
    event_id = as_id(pk)
    event = Event.objects.filter(pk=event_id).values().first() if event_id else None
    if event is None:
        return not_found(request, f"There is no event {pk}.")
    participants = list(
        EventActor.objects.filter(event_id=event_id)
        .order_by("role", "actor__name")
        .values("role", slug=F("actor__slug"), name=F("actor__name"), kind=F("actor__kind"))
    )
    context = {
        "event": event,
        "participants": participants,
        "citations": citations(EventSource, "event", [event_id])[event_id],
        # The API's CSV has no one-row filter: the row is in the release's files (the one
        # the page is read from, else the latest).
        "data_links": [("API (JSON)", link("event-detail", pk=event_id))]
        + [
            (
                f"{name}.csv ({release_words()})",
                reverse(
                    "datapackage-resource",
                    kwargs={"version": package_version(), "resource": name},
                ),
            )
            for name in ("events", "event_actors", "event_sources")
        ],
    }
    return render(request, "pages/event_detail.html", context)


# ---------------------------------------------------------------------------------------
# /actors/{slug}/


def actor_tree(actors, root_id):
    """(ancestors from the top, the nested tree below ``root_id``) from all actors' rows.

    Walks are bounded by the rows seen, so a cycle in stored data cannot loop."""
    by_id = {actor["id"]: actor for actor in actors}
    children = defaultdict(list)
    for actor in actors:
        children[actor["parent_id"]].append(actor)
    ancestors, seen = [], {root_id}
    parent = by_id[root_id]["parent_id"]
    while parent is not None and parent not in seen:
        seen.add(parent)
        ancestors.insert(0, by_id[parent])
        parent = by_id[parent]["parent_id"]

    def below(actor_id, visited):
        nodes = []
        for child in sorted(children[actor_id], key=lambda a: a["name"]):
            if child["id"] not in visited:
                visited.add(child["id"])
                nodes.append({"actor": child, "children": below(child["id"], visited)})
        return nodes

    return ancestors, below(root_id, {root_id})


@page
def actor_detail(request, slug):
    actors = list(
        Actor.objects.order_by("name").values(
            "id", "slug", "name", "short_name", "kind", "country", "parent_id", "wikidata_id",
            "description",
        )
    )  # fmt: skip
    actor = next((a for a in actors if a["slug"] == slug), None)
    if actor is None:
        return not_found(request, f"There is no actor '{slug}'.")
    ancestors, tree = actor_tree(actors, actor["id"])
    aliases = list(
        ActorAlias.objects.filter(actor_id=actor["id"])
        .order_by("alias")
        .values_list("alias", flat=True)
    )
    positions = list(
        Position.objects.filter(actor_id=actor["id"])
        .order_by("issue__name", "id")
        .values("id", "stance", "summary", *PERIOD, issue_slug=F("issue__slug"),
                issue_name=F("issue__name"))
    )  # fmt: skip
    position_citations = citations(
        PositionSource, "position", Position.objects.filter(actor_id=actor["id"]).values("pk")
    )
    for position in positions:
        position["citations"] = position_citations[position["id"]]
    roles = EventActor.objects.filter(actor_id=actor["id"])
    event_count = roles.values("event_id").distinct().count()
    recent = roles.order_by(
        F("event__date_start").desc(nulls_last=True), "-event_id", "role"
    ).values("role", *(f"event__{name}" for name in ("id", "title", "event_type", *PERIOD)))[
        : ACTOR_EVENTS_SHOWN * 2
    ]
    events_shown = {}
    for row in recent:
        event = {name.removeprefix("event__"): value for name, value in row.items()}
        shown = events_shown.setdefault(event["id"], {**event, "roles": []})
        shown["roles"].append(event["role"])
    relations = relation_rows(Q(actor_id=actor["id"]) | Q(counterpart_id=actor["id"]))
    context = {
        "actor": actor,
        "ancestors": ancestors,
        "tree": tree,
        "aliases": aliases,
        "positions": positions,
        "event_count": event_count,
        "events": list(events_shown.values())[:ACTOR_EVENTS_SHOWN],
        "relations": relations,
        "actors": [a for a in actors if a["id"] != actor["id"]],
        "data_links": [("API (JSON)", link("actor-detail", slug=slug))]
        + [
            (f"its {label} (CSV)", link(f"{name}-list", {"actor": slug, "format": "csv"}))
            for name, label in (
                ("position", "positions"),
                ("event", "events"),
                ("relation", "relations"),
            )
        ],
        "events_page": link("pages:events", {"actor": slug}),
    }
    return render(request, "pages/actor_detail.html", context)


def relation_rows(condition):
    """Relations matching ``condition`` with both actors, the issue and citations (two
    queries)."""
    rows = list(
        Relation.objects.filter(condition)
        .order_by(F("date_start").asc(nulls_first=True), "id")
        .values("id", "kind", "domain", "country", "summary", *PERIOD,
                actor_slug=F("actor__slug"), actor_name=F("actor__name"),
                counterpart_slug=F("counterpart__slug"), counterpart_name=F("counterpart__name"),
                issue_slug=F("issue__slug"), issue_name=F("issue__name"))
    )  # fmt: skip
    found = citations(RelationSource, "relation", Relation.objects.filter(condition).values("pk"))
    for row in rows:
        row["citations"] = found[row["id"]]
    return rows


# ---------------------------------------------------------------------------------------
# /issues/{slug}/


@page
def issue_detail(request, slug):
    issue = Issue.objects.filter(slug=slug).values("id", "slug", "name", "country", "description")
    issue = issue.first()
    if issue is None:
        return not_found(request, f"There is no issue '{slug}'.")
    positions = list(
        Position.objects.filter(issue_id=issue["id"])
        .order_by("actor__name", "id")
        .values("id", "actor_id", "stance", "summary", *PERIOD, actor_slug=F("actor__slug"),
                actor_name=F("actor__name"))
    )  # fmt: skip
    found = citations(
        PositionSource, "position", Position.objects.filter(issue_id=issue["id"]).values("pk")
    )
    by_actor = {}
    for position in positions:
        position["citations"] = found[position["id"]]
        by_actor.setdefault(position["actor_id"], []).append(position)
    stances = []
    for held in by_actor.values():
        # The same rule as the alignment comparison: the latest position's stance counts.
        latest = compare.latest(held)
        stances.append(
            {
                "slug": latest["actor_slug"],
                "name": latest["actor_name"],
                "stance": latest["stance"],
                "positions": held,
            }
        )
    columns = [
        {
            "stance": value,
            "label": label,
            "definition": Stance.descriptions[value],
            "actors": [row for row in stances if row["stance"] == value],
        }
        for value, label in Stance.choices
    ]
    context = {
        "issue": issue,
        "columns": columns,
        "stances": stances,
        "relations": relation_rows(Q(issue_id=issue["id"])),
        "data_links": [
            ("API (JSON)", link("issue-detail", slug=slug)),
            ("its positions (JSON)", link("position-list", {"issue": slug})),
            ("its positions (CSV)", link("position-list", {"issue": slug, "format": "csv"})),
            ("its relations (CSV)", link("relation-list", {"issue": slug, "format": "csv"})),
        ],
    }
    return render(request, "pages/issue_detail.html", context)


# ---------------------------------------------------------------------------------------
# /alignment/


def comparison_query(query):
    """The page's query string as the API's alignment parameters (blank fields dropped)."""
    data = {}
    for name in ("actors", "country"):
        values = [value for value in query.getlist(name) if value.strip()]
        if values:
            data[name] = values
    for name in ("tree", "date_after", "date_before"):
        if query.get(name, "").strip():
            data[name] = query[name]
    return data


def all_citations(result):
    for item in result["issues"]:
        for position in [*item["positions_a"], *item["positions_b"]]:
            yield position["citations"]
    for item in result["one_sided"]:
        for position in item["positions"]:
            yield position["citations"]
    for relation in result["relations"]:
        yield relation["citations"]


@page
def alignment(request):
    actors = actor_choices()
    slugs = [actor["slug"] for actor in actors]
    data = comparison_query(request.GET)
    if not data and len(slugs) >= 2:
        # The founding question, or the first two actors: a page that shows a comparison
        # at an address that says which.
        pair = ["russia", "iran"] if {"russia", "iran"} <= set(slugs) else slugs[:2]
        return redirect(link("pages:alignment", {"actors": ",".join(pair)}))
    chosen = [slug for value in data.get("actors", []) for slug in value.split(",") if slug]
    context = {
        "actors": actors,
        "actor_names": {actor["slug"]: actor["name"] for actor in actors},
        "chosen": (chosen + ["", ""])[:2],
        "conflicts": CONFLICTS,
        "form": data,
        "verdicts": Verdict.descriptions,
        "event_sides": EventSide.descriptions,
        "measures": MEASURES,
        "data_links": [("API docs", reverse("docs"))],
    }
    if not data:
        return render(request, "pages/alignment.html", context)
    query = ComparisonQuerySerializer(data=data)
    if not query.is_valid():
        context["errors"] = query.errors
        return render(request, "pages/alignment.html", context, status=400)
    actor_a, actor_b = query.validated_data["actors"]
    tree = query.validated_data["tree"]
    result = compare.compare(actor_a, actor_b, tree=tree, scope=query.scope())
    with_links(result, Links(request))
    with_sources(list(all_citations(result)))
    api_query = {"actors": f"{actor_a.slug},{actor_b.slug}"}
    if tree:
        api_query["tree"] = "true"
    if data.get("country"):
        api_query["country"] = ",".join(query.validated_data["country"])
    for name in ("date_after", "date_before"):
        if query.validated_data.get(name):
            api_query[name] = query.validated_data[name].isoformat()
    context.update(
        {
            "a": actor_a,
            "b": actor_b,
            "tree": tree,
            "result": result,
            "issue_names": dict(Issue.objects.values_list("slug", "name")),
            "summary": result["summary"],
            "chart": timelines.alignment_chart(result["timeline"]),
            "data_links": [
                ("API (JSON)", link("alignment", api_query)),
                (
                    "CSV of the issues compared",
                    link("alignment", {**api_query, "format": "csv"}),
                ),
            ],
        }
    )
    return render(request, "pages/alignment.html", context)


# ---------------------------------------------------------------------------------------
# /codebook/


@page
def codebook(request):
    context = {
        "resources": codebook_module.resources(),
        "vocabularies": codebook_module.vocabularies(),
        "verdicts": Verdict.descriptions,
        "event_sides": EventSide.descriptions,
        "measures": MEASURES,
        "alignment_api": link("alignment", {"actors": "russia,iran"}),
        "data_links": [
            ("OpenAPI schema", reverse("schema")),
            (
                f"datapackage.json ({release_words()})",
                reverse("datapackage-descriptor", kwargs={"version": package_version()}),
            ),
        ],
    }
    return render(request, "pages/codebook.html", context)
