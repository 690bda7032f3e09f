import csv
import datetime
import io
import shutil

import pytest

from actors.choices import ActorKind
from common.tabular import CSV_DIALECT
from datapackage.build import build_package, refresh_descriptor
from datapackage.schema import RESOURCES
from events.choices import DatePrecision, EventType, GeoPrecision, Role, SourceType, Stance
from tests.factories import (
    ActorAliasFactory,
    ActorFactory,
    EventActorFactory,
    EventFactory,
    EventSourceFactory,
    IssueFactory,
    PositionFactory,
    PositionSourceFactory,
    RelationFactory,
    RelationSourceFactory,
    SourceFactory,
)

VERSION = "1.0.0"
CREATED = "2021-07-03T00:00:00Z"


def dump():
    """Every row of the nine tables, as the data package writes them."""
    return {table.name: list(table.rows()) for table in RESOURCES}


def dump_bytes():
    """Every row of every table, written as the build writes them: {resource: CSV bytes}."""
    result = {}
    for table in RESOURCES:
        buffer = io.StringIO()
        writer = csv.writer(buffer, **CSV_DIALECT)
        writer.writerow(table.header)
        writer.writerows(table.rows())
        result[table.name] = buffer.getvalue().encode("utf-8")
    return result


def build(folder, **options):
    options.setdefault("version", VERSION)
    options.setdefault("created", CREATED)
    descriptor, _counts = build_package(folder, **options)
    return descriptor


def files(folder):
    """{relative path: bytes} of every file under ``folder``."""
    return {
        path.relative_to(folder).as_posix(): path.read_bytes()
        for path in sorted(folder.rglob("*"))
        if path.is_file()
    }


def edit_csv(folder, resource, change):
    """Rewrite data/<resource>.csv through ``change(rows) -> rows`` (header first), then
    refresh the descriptor's bytes and hashes so only the edit is wrong."""
    path = folder / "data" / f"{resource}.csv"
    with open(path, encoding="utf-8", newline="") as handle:
        rows = list(csv.reader(handle))
    rows = change(rows)
    with open(path, "w", encoding="utf-8", newline="") as handle:
        csv.writer(handle, lineterminator="\n").writerows(rows)
    refresh_descriptor(folder)


def copy_package(source, target):
    shutil.copytree(source, target)
    return target


def fill(*, reverse=False):
    """A small dataset covering every resource, hierarchy, coordinates, NULLs, Unicode,
    commas, quotes and newlines. ``reverse`` inserts the same rows in another order."""

    def order(items):
        return list(reversed(items)) if reverse else list(items)

    actors = {}

    def actor(slug, **fields):
        fields.setdefault("name", slug.replace("-", " ").title())
        actors[slug] = ActorFactory(slug=slug, **fields)

    # Parents before children either way; unrelated actors in either order.
    roots = [
        ("russia", {"kind": ActorKind.STATE, "country": "RU", "wikidata_id": "Q159"}),
        ("iran", {"kind": ActorKind.STATE, "country": "IR", "wikidata_id": "Q794"}),
        (
            "houthis",
            {
                "kind": ActorKind.ARMED_GROUP,
                "country": "YE",
                "name": 'Houthis, "Ansar Allah"',
                "short_name": "Houthis",
                "description": "Zaydi movement.\nControls Sana'a since 2014.",
            },
        ),
    ]
    for slug, fields in order(roots):
        actor(slug, **fields)
    actor("irgc", kind=ActorKind.ARMED_FORCES, country="IR", parent=actors["iran"])
    actor("quds-force", kind=ActorKind.ARMED_FORCES, country="IR", parent=actors["irgc"])
    for alias in order(["Ansar Allah", "أنصار الله"]):
        ActorAliasFactory(actor=actors["houthis"], alias=alias)

    sources = {}
    source_rows = [
        (1, {"title": "Russia and Iran in Syria", "url": "https://blogs.lse.ac.uk/mec/"}),
        (2, {"title": "UNSC resolution 2216", "source_type": SourceType.UN_DOCUMENT}),
        (3, {"title": "Report, with a comma", "published": None, "url": "", "language": "ar"}),
    ]
    for pk, fields in order(source_rows):
        fields = {"author": "", "publisher": "P", "url": f"https://example.org/{pk}", **fields}
        sources[pk] = SourceFactory(id=pk, **fields)

    event_rows = [
        (
            1,
            {
                "title": "Russian air campaign begins",
                "event_type": EventType.AIRSTRIKE,
                "date_start": datetime.date(2015, 9, 30),
                "date_precision": DatePrecision.DAY,
                "location_name": "Homs",
                "location_country": "SY",
                "latitude": 34.7324,
                "longitude": 36.7137,
                "geo_precision": GeoPrecision.CITY,
                "fatalities": 0,
            },
        ),
        (
            2,
            {
                "title": "Aleppo offensive",
                "event_type": EventType.OFFENSIVE,
                "date_start": datetime.date(2016, 1, 1),
                "date_end": datetime.date(2017, 1, 1),
                "date_precision": DatePrecision.YEAR,
                "fatalities": 31000,
            },
        ),
        (
            7,
            {
                "title": "Talks in Sochi",
                "event_type": EventType.NEGOTIATIONS,
                "country": "YE",
                "date_start": datetime.date(2018, 2, 1),
                "date_precision": DatePrecision.MONTH,
                "summary": 'He said "no", then yes.',
            },
        ),
    ]
    events = {}
    for pk, fields in order(event_rows):
        events[pk] = EventFactory(id=pk, summary=fields.pop("summary", "Happened."), **fields)
    for event_id, slug, role in order(
        [
            (1, "russia", Role.INITIATOR),
            (2, "quds-force", Role.PARTICIPANT),
            (2, "russia", Role.SUPPORTER),
            (2, "russia", Role.PARTICIPANT),
            (7, "houthis", Role.PARTICIPANT),
        ]
    ):
        EventActorFactory(event=events[event_id], actor=actors[slug], role=role)
    for event_id, source_id in order([(1, 1), (1, 2), (2, 1), (7, 3)]):
        EventSourceFactory(
            event=events[event_id], source=sources[source_id], quote=f"Quote {event_id}/{source_id}"
        )

    issues = {}
    for slug, country in order([("hadi-legitimacy", "YE"), ("ssr", "SY"), ("regional", "")]):
        issues[slug] = IssueFactory(slug=slug, name=slug.upper(), country=country)
    position_rows = [
        (1, "russia", "hadi-legitimacy", Stance.SUPPORTS, datetime.date(2015, 3, 1)),
        (2, "iran", "hadi-legitimacy", Stance.OPPOSES, None),
        (3, "iran", "ssr", Stance.MIXED, datetime.date(2017, 1, 1)),
    ]
    positions = {}
    for pk, slug, issue, stance, start in order(position_rows):
        positions[pk] = PositionFactory(
            id=pk,
            actor=actors[slug],
            issue=issues[issue],
            stance=stance,
            summary=f"Position {pk}",
            date_start=start,
            date_precision=(DatePrecision.MONTH if start else ""),
        )
    for position_id, source_id in order([(1, 1), (2, 1), (2, 3), (3, 2)]):
        PositionSourceFactory(
            position=positions[position_id],
            source=sources[source_id],
            quote=f"Passage {position_id}",
        )
    positions[3].ongoing_as_of = datetime.date(2021, 7, 3)
    positions[3].save()
    relation_rows = [
        # a symmetric rivalry on an issue, still going on, with no known start
        (1, "iran", "russia", "competition", "economic", "ssr", None, None),
        # a directed, dated, ended support
        (2, "russia", "iran", "support", "diplomatic", None, datetime.date(2014, 1, 1), None),
    ]
    relations = {}
    for pk, actor, counterpart, kind, domain, issue, start, ongoing in order(relation_rows):
        relations[pk] = RelationFactory(
            id=pk,
            actor=actors[actor],
            counterpart=actors[counterpart],
            kind=kind,
            domain=domain,
            issue=issues[issue] if issue else None,
            country="SY",
            summary=f"Relation {pk}, “quoted”, with a comma",
            date_start=start,
            date_end=datetime.date(2015, 1, 1) if start else None,
            date_precision=DatePrecision.YEAR if start else "",
            ongoing_as_of=ongoing or (None if start else datetime.date(2021, 7, 3)),
        )
    for relation_id, source_id in order([(1, 1), (2, 1), (2, 2)]):
        RelationSourceFactory(
            relation=relations[relation_id],
            source=sources[source_id],
            quote=f"Relation passage {relation_id}",
        )


@pytest.fixture
def dataset(db):
    fill()


@pytest.fixture
def releases_dir(tmp_path, settings):
    settings.RELEASES_DIR = tmp_path / "releases"
    # Not the repository's bundled dataset: its 'created' would be used for its version.
    settings.BUNDLED_DATAPACKAGE = tmp_path / "no-bundle"
    return settings.RELEASES_DIR


@pytest.fixture
def package(dataset, tmp_path):
    """A valid package folder built from ``dataset``."""
    folder = tmp_path / "package"
    build(folder)
    return folder
