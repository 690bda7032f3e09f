"""Allies or competitive partners? Compare two actors from the data, with the evidence.

Plain functions: ``load`` reads what a comparison needs in a constant number of queries,
``compare`` and ``summarize`` work on those rows in Python (the timeline recomputes the
same verdicts for each year), and ``matrix`` compares every pair of several actors from one
load. The API views and the pages call these; nothing else computes a verdict.

Definitions (the codebook and README say the same):
- A side is an actor, or with ``tree`` the actor and every actor below it (minus the other
  side's own subtree, when one lies inside the other).
- A side's stance on an issue is that of its latest position in scope: latest ``date_end``,
  else ``ongoing_as_of``, else ``date_start``; undated positions count as the oldest; ties go
  to the highest id.
- Verdict per issue on which both sides hold a position: ``compete`` when a ``competition``
  relation between the two sides concerns the issue, else ``agree`` when the stances are
  equal, ``diverge`` when one supports and the other opposes, else ``partly``.
- ``agreement`` = agree / n; ``kappa`` = Cohen's kappa of the stances over the n issues
  (null when n = 0 or pe = 1); ``s_score`` = 1 - 2 * mean |x_a - x_b| with supports = 1,
  mixed = neutral = 0.5, opposes = 0 (Signorino and Ritter's S; null when n = 0).
"""

import datetime
from collections import Counter, defaultdict
from dataclasses import dataclass, field

from django.db.models import Exists, OuterRef, Q

from actors.models import Actor
from common.periods import Scope, date_overlap, period
from events.choices import RelationKind, Role, Stance
from events.models import EventActor, Position, PositionSource, Relation, RelationSource

from .choices import EventSide, Verdict

VERDICTS = tuple(Verdict.values)
STANCE_SCORES = {
    Stance.SUPPORTS: 1.0,
    Stance.MIXED: 0.5,
    Stance.NEUTRAL: 0.5,
    Stance.OPPOSES: 0.0,
}
ACTING_ROLES = {Role.INITIATOR, Role.SUPPORTER}
DIGITS = 4
EVERYTHING = Scope()

DATE_FIELDS = ("date_start", "date_end", "date_precision", "ongoing_as_of")


@dataclass
class Rows:
    """Everything a comparison of some actors reads, fetched once."""

    positions: list = field(default_factory=list)  # dicts, with "citations"
    participants: list = field(default_factory=list)  # one dict per (event, actor, role)
    relations: list = field(default_factory=list)  # dicts, with "citations"


# ---------------------------------------------------------------------------------------
# Sides


def subtree_map():
    """{actor id: set of ids of it and every actor below it} for every actor (one query).

    The walk is bounded: an actor already seen is not visited again, so even a cycle left
    in stored data cannot make it loop.
    """
    children = defaultdict(list)
    ids = []
    for pk, parent_id in Actor.objects.values_list("pk", "parent_id"):
        children[parent_id].append(pk)
        ids.append(pk)
    cache = {}

    def below(root):
        if root not in cache:
            found, pending = set(), [root]
            while pending:
                pk = pending.pop()
                if pk not in found:
                    found.add(pk)
                    pending.extend(children[pk])
            cache[root] = found
        return cache[root]

    return below


def sides(actor_a, actor_b, *, tree, below=None):
    """The actor ids of each side."""
    if not tree:
        return {actor_a.pk}, {actor_b.pk}
    below = below or subtree_map()
    side_a, side_b = below(actor_a.pk), below(actor_b.pk)
    # When one side lies inside the other, the outer side keeps only what is not the inner.
    if actor_b.pk in side_a:
        side_a = side_a - side_b
    if actor_a.pk in side_b:
        side_b = side_b - side_a
    return side_a, side_b


# ---------------------------------------------------------------------------------------
# Loading


def load(actor_ids, scope, *, sides=None):
    """The positions, event participations and relations of ``actor_ids`` in ``scope``.

    Only the participations in events that two sides may share: in which each of
    ``sides`` (sets of actor ids) took part, or without ``sides``, at least two of
    ``actor_ids``. A comparison reads the events it may report rather than every event of
    either side: at a million events, tens of thousands of rows for two actors that take
    part in many.

    Five queries whatever the number of rows.
    """
    actor_ids = list(actor_ids)
    positions = Position.objects.filter(actor_id__in=actor_ids)
    relations = Relation.objects.filter(Q(actor_id__in=actor_ids) & Q(counterpart_id__in=actor_ids))
    participants = EventActor.objects.filter(actor_id__in=actor_ids)
    same_event = EventActor.objects.filter(event_id=OuterRef("event_id"))
    if sides:
        for side in sides:
            participants = participants.filter(Exists(same_event.filter(actor_id__in=side)))
    else:
        others = same_event.filter(actor_id__in=actor_ids).exclude(actor_id=OuterRef("actor_id"))
        participants = participants.filter(Exists(others))
    if scope.countries:
        positions = positions.filter(issue__country__in=scope.countries)
        relations = relations.filter(country__in=scope.countries)
        participants = participants.filter(event__country__in=scope.countries)
    if scope.date_after or scope.date_before:
        bounds = {"after": scope.date_after, "before": scope.date_before}
        positions = positions.filter(date_overlap(**bounds))
        relations = relations.filter(date_overlap(**bounds))
        participants = participants.filter(date_overlap(**bounds, prefix="event__"))
    dates = {name: name for name in DATE_FIELDS}
    position_rows = _rows(
        positions,
        id="id",
        actor_id="actor_id",
        issue_id="issue_id",
        stance="stance",
        summary="summary",
        actor="actor__slug",
        issue_slug="issue__slug",
        issue_name="issue__name",
        issue_country="issue__country",
        **dates,
    )
    _attach_citations(position_rows, PositionSource, "position", positions)
    relation_rows = _rows(
        relations,
        id="id",
        actor_id="actor_id",
        counterpart_id="counterpart_id",
        kind="kind",
        domain="domain",
        issue_id="issue_id",
        country="country",
        summary="summary",
        actor="actor__slug",
        counterpart="counterpart__slug",
        issue="issue__slug",
        **dates,
    )
    _attach_citations(relation_rows, RelationSource, "relation", relations)
    participant_rows = _rows(
        participants.order_by("event_id", "actor__slug", "role"), **PARTICIPANT_PATHS
    )
    return Rows(position_rows, participant_rows, relation_rows)


PARTICIPANT_PATHS = {
    "event_id": "event_id",
    "actor_id": "actor_id",
    "role": "role",
    "actor": "actor__slug",
    "title": "event__title",
    "country": "event__country",
    "event_type": "event__event_type",
    **{name: f"event__{name}" for name in DATE_FIELDS},
}


def _rows(queryset, **paths):
    """Dicts keyed as ``paths`` says ({key: ORM path}), in id order unless ordered."""
    if not queryset.query.order_by:
        queryset = queryset.order_by("id")
    keys, columns = list(paths), list(paths.values())
    return [dict(zip(keys, values, strict=True)) for values in queryset.values_list(*columns)]


def _attach_citations(rows, model, link, queryset):
    """One query for the citations of every row (a subquery, not a list of ids)."""
    by_row = defaultdict(list)
    citations = (
        model.objects.filter(**{f"{link}__in": queryset.values("pk")})
        .order_by(f"{link}_id", "source_id")
        .values_list(f"{link}_id", "source_id", "source__title", "source__url", "quote")
    )
    for row_id, source, title, url, quote in citations:
        by_row[row_id].append(
            {"source": source, "source_title": title, "source_url": url, "quote": quote}
        )
    for row in rows:
        row["citations"] = by_row.get(row["id"], [])


# ---------------------------------------------------------------------------------------
# Comparing


def latest(positions):
    """The position whose stance counts: latest date_end, else ongoing_as_of, else
    date_start; undated positions are the oldest; ties go to the highest id."""

    def key(position):
        when = position["date_end"] or position["ongoing_as_of"] or position["date_start"]
        return (when is not None, when or datetime.date.min, position["id"])

    return max(positions, key=key)


def verdict(stance_a, stance_b, competing):
    if competing:
        return Verdict.COMPETE.value
    if stance_a == stance_b:
        return Verdict.AGREE.value
    if {stance_a, stance_b} == {Stance.SUPPORTS, Stance.OPPOSES}:
        return Verdict.DIVERGE.value
    return Verdict.PARTLY.value


def _between(relation, side_a, side_b):
    return (relation["actor_id"] in side_a and relation["counterpart_id"] in side_b) or (
        relation["actor_id"] in side_b and relation["counterpart_id"] in side_a
    )


def compare_issues(rows, side_a, side_b, scope):
    """(compared issues, one-sided issues) for the positions and relations in ``scope``."""
    by_issue = defaultdict(lambda: ([], []))
    for position in rows.positions:
        if not scope.holds(position):
            continue
        if position["actor_id"] in side_a:
            by_issue[position["issue_id"]][0].append(position)
        elif position["actor_id"] in side_b:
            by_issue[position["issue_id"]][1].append(position)
    competing = {
        relation["issue_id"]
        for relation in rows.relations
        if relation["kind"] == RelationKind.COMPETITION
        and relation["issue_id"] is not None
        and _between(relation, side_a, side_b)
        and scope.holds(relation)
    }
    compared, one_sided = [], []
    for issue_id, (positions_a, positions_b) in by_issue.items():
        issue = _issue(positions_a or positions_b)
        if positions_a and positions_b:
            stance_a = latest(positions_a)["stance"]
            stance_b = latest(positions_b)["stance"]
            compared.append(
                {
                    "issue": issue,
                    "stance_a": stance_a,
                    "stance_b": stance_b,
                    "verdict": verdict(stance_a, stance_b, issue_id in competing),
                    "positions_a": [_position(p) for p in positions_a],
                    "positions_b": [_position(p) for p in positions_b],
                }
            )
        else:
            one_sided.append(
                {
                    "issue": issue,
                    "side": "a" if positions_a else "b",
                    "positions": [_position(p) for p in positions_a or positions_b],
                }
            )
    compared.sort(key=lambda item: item["issue"]["slug"])
    one_sided.sort(key=lambda item: item["issue"]["slug"])
    return compared, one_sided


def _issue(positions):
    first = positions[0]
    return {
        "slug": first["issue_slug"],
        "name": first["issue_name"],
        "country": first["issue_country"],
    }


def _position(row):
    return {
        "id": row["id"],
        "actor": row["actor"],
        "stance": row["stance"],
        "summary": row["summary"],
        **{name: row[name] for name in DATE_FIELDS},
        "citations": row["citations"],
    }


def shared_events(rows, side_a, side_b, scope):
    """Events in scope in which both sides took part, with each side's roles."""
    by_event = {}
    for row in rows.participants:
        if row["actor_id"] in side_a:
            part = "roles_a"
        elif row["actor_id"] in side_b:
            part = "roles_b"
        else:
            continue
        event = by_event.get(row["event_id"])
        if event is None:
            if not scope.holds(row):
                continue
            event = by_event[row["event_id"]] = {
                "id": row["event_id"],
                "title": row["title"],
                "event_type": row["event_type"],
                "country": row["country"],
                **{name: row[name] for name in DATE_FIELDS},
                "roles_a": [],
                "roles_b": [],
            }
        event[part].append({"actor": row["actor"], "role": row["role"]})
    events = []
    for event in by_event.values():
        if event["roles_a"] and event["roles_b"]:
            event["side"] = event_side(event["roles_a"], event["roles_b"])
            events.append(event)
    return events


def event_side(roles_a, roles_b):
    """``opposite`` when one side is a target and the other an initiator or supporter."""
    a = {item["role"] for item in roles_a}
    b = {item["role"] for item in roles_b}
    if (Role.TARGET in a and b & ACTING_ROLES) or (Role.TARGET in b and a & ACTING_ROLES):
        return EventSide.OPPOSITE.value
    return EventSide.SAME.value


def relations_between(rows, side_a, side_b, scope):
    return [
        relation
        for relation in rows.relations
        if _between(relation, side_a, side_b) and scope.holds(relation)
    ]


def _relation(row):
    return {
        "id": row["id"],
        "actor": row["actor"],
        "counterpart": row["counterpart"],
        "kind": row["kind"],
        "domain": row["domain"],
        "issue": row["issue"],
        "country": row["country"],
        "summary": row["summary"],
        **{name: row[name] for name in DATE_FIELDS},
        "citations": row["citations"],
    }


# ---------------------------------------------------------------------------------------
# Measures


def _round(value):
    return None if value is None else round(value, DIGITS)


def cohen_kappa(pairs):
    """Cohen's kappa of (stance_a, stance_b) pairs over the four stances; None when there
    are no pairs or chance agreement is certain (pe = 1)."""
    n = len(pairs)
    if n == 0:
        return None
    po = sum(1 for a, b in pairs if a == b) / n
    count_a = Counter(a for a, _ in pairs)
    count_b = Counter(b for _, b in pairs)
    pe = sum((count_a[s] / n) * (count_b[s] / n) for s in Stance.values)
    if pe == 1:
        return None
    return (po - pe) / (1 - pe)


def s_score(pairs):
    """Signorino and Ritter's S over (stance_a, stance_b) pairs; None when there are none."""
    if not pairs:
        return None
    distance = sum(abs(STANCE_SCORES[a] - STANCE_SCORES[b]) for a, b in pairs) / len(pairs)
    return 1 - 2 * distance


def relation_counts(relations):
    counts = Counter(relation["kind"] for relation in relations)
    return {kind: counts.get(kind, 0) for kind in RelationKind.values}


def summarize(compared, events, relations):
    pairs = [(item["stance_a"], item["stance_b"]) for item in compared]
    verdicts = Counter(item["verdict"] for item in compared)
    n = len(compared)
    return {
        "issues_compared": n,
        **{name: verdicts.get(name, 0) for name in VERDICTS},
        "agreement": _round(verdicts.get("agree", 0) / n) if n else None,
        "kappa": _round(cohen_kappa(pairs)),
        "s_score": _round(s_score(pairs)),
        "events_same": sum(1 for event in events if event["side"] == "same"),
        "events_opposite": sum(1 for event in events if event["side"] == "opposite"),
        "relations": relation_counts(relations),
    }


# ---------------------------------------------------------------------------------------
# The comparison


def timeline(rows, side_a, side_b, scope, events, relations):
    """One row per calendar year from the earliest to the latest dated row in scope, within
    the scope's own years (a row in scope may have held before or after them)."""
    years = set()
    for row in [*_side_positions(rows, side_a, side_b, scope), *events, *relations]:
        held = period(row)
        if held is not None:
            years.update((held[0].year, held[1].year))
    if not years:
        return []
    first, last = min(years), max(years)
    if scope.date_after:
        first = max(first, scope.date_after.year)
    if scope.date_before:
        last = min(last, scope.date_before.year)
    result = []
    for year in range(first, last + 1):
        narrowed = scope.narrowed_to_year(year)
        compared, _ = compare_issues(rows, side_a, side_b, narrowed)
        year_events = [event for event in events if narrowed.holds(event)]
        year_relations = [relation for relation in relations if narrowed.holds(relation)]
        verdicts = Counter(item["verdict"] for item in compared)
        result.append(
            {
                "year": year,
                "issues_compared": len(compared),
                **{name: verdicts.get(name, 0) for name in VERDICTS},
                "events_same": sum(1 for e in year_events if e["side"] == "same"),
                "events_opposite": sum(1 for e in year_events if e["side"] == "opposite"),
                "relations": relation_counts(year_relations),
            }
        )
    return result


def _side_positions(rows, side_a, side_b, scope):
    both = side_a | side_b
    return [p for p in rows.positions if p["actor_id"] in both and scope.holds(p)]


def compare(actor_a, actor_b, *, tree=False, scope=EVERYTHING, rows=None, below=None):
    """The comparison of two actors, as the API returns it (without URLs)."""
    side_a, side_b = sides(actor_a, actor_b, tree=tree, below=below)
    if rows is None:
        rows = load(side_a | side_b, scope, sides=(side_a, side_b))
    compared, one_sided = compare_issues(rows, side_a, side_b, scope)
    events = shared_events(rows, side_a, side_b, scope)
    relations = relations_between(rows, side_a, side_b, scope)
    return {
        "issues": compared,
        "one_sided": one_sided,
        "events": events,
        "relations": [_relation(relation) for relation in relations],
        "timeline": timeline(rows, side_a, side_b, scope, events, relations),
        "summary": summarize(compared, events, relations),
    }


def matrix(actors, *, tree=False, scope=EVERYTHING):
    """The summary of every pair of ``actors``, from one load of their rows."""
    below = subtree_map() if tree else None
    all_ids = set()
    pairs = []
    for i, actor_a in enumerate(actors):
        for actor_b in actors[i + 1 :]:
            side_a, side_b = sides(actor_a, actor_b, tree=tree, below=below)
            pairs.append((actor_a, actor_b, side_a, side_b))
            all_ids |= side_a | side_b
    rows = load(all_ids, scope)
    result = []
    for actor_a, actor_b, side_a, side_b in pairs:
        compared, _ = compare_issues(rows, side_a, side_b, scope)
        events = shared_events(rows, side_a, side_b, scope)
        relations = relations_between(rows, side_a, side_b, scope)
        result.append((actor_a, actor_b, summarize(compared, events, relations)))
    return result
