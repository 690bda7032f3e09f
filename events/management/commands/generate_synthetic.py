"""Fill the database with a realistic, deterministic synthetic dataset.

Used by benchmarks and load tests: a 3-level actor hierarchy with aliases, issues, sources,
``--events`` events with 1-4 participants and 1-2 citations each, and about one position per
ten events. The same ``--seed`` gives the same rows, whatever ``--batch-size``. Rows are made
and written batch by batch, so memory stays flat up to millions of events.
"""

import datetime
import random
import sys
import time

from django.core.management.base import BaseCommand, CommandError
from django.core.management.color import no_style
from django.db import connection, reset_queries, transaction
from django.db.models import Max

from actors.choices import ActorKind
from actors.models import Actor, ActorAlias
from events.choices import DatePrecision, EventType, GeoPrecision, Role, SourceType, Stance
from events.models import Event, EventActor, EventSource, Issue, Position, PositionSource, Source

STATES = [
    # slug, name, short name, ISO code, alias
    ("russia", "Russian Federation", "Russia", "RU", "Moscow"),
    ("iran", "Islamic Republic of Iran", "Iran", "IR", "Tehran"),
    ("syria", "Syrian Arab Republic", "Syria", "SY", "Damascus"),
    ("yemen", "Republic of Yemen", "Yemen", "YE", "Hadi government"),
    ("saudi-arabia", "Kingdom of Saudi Arabia", "Saudi Arabia", "SA", "Riyadh"),
    ("uae", "United Arab Emirates", "UAE", "AE", "Abu Dhabi"),
    ("turkey", "Republic of Turkey", "Turkey", "TR", "Ankara"),
    ("united-states", "United States of America", "United States", "US", "Washington"),
    ("israel", "State of Israel", "Israel", "IL", "Jerusalem"),
    ("united-kingdom", "United Kingdom", "UK", "GB", "London"),
]
# (suffix, name, kind, parent suffix or None for the state itself)
BRANCHES = [
    ("government", "Government", ActorKind.GOVERNMENT, None),
    ("armed-forces", "Armed Forces", ActorKind.ARMED_FORCES, None),
    ("intelligence", "Intelligence Service", ActorKind.INTELLIGENCE_AGENCY, None),
    ("air-force", "Air Force", ActorKind.ARMED_FORCES, "armed-forces"),
    ("ground-forces", "Ground Forces", ActorKind.ARMED_FORCES, "armed-forces"),
    ("special-forces", "Special Forces", ActorKind.PARAMILITARY, "armed-forces"),
    ("foreign-intelligence", "Foreign Intelligence", ActorKind.INTELLIGENCE_AGENCY, "intelligence"),
]
GROUPS = [
    # slug, name, kind, country, parent slug, alias
    ("houthis", "Houthi movement", ActorKind.ARMED_GROUP, "YE", None, "Ansar Allah"),
    ("hezbollah", "Hezbollah", ActorKind.ARMED_GROUP, "LB", None, "Party of God"),
    ("wagner", "Wagner Group", ActorKind.PRIVATE_MILITARY_COMPANY, "RU", None, "PMC Wagner"),
    ("irgc", "Islamic Revolutionary Guard Corps", ActorKind.ARMED_FORCES, "IR", "iran", "IRGC"),
    ("quds-force", "Quds Force", ActorKind.PARAMILITARY, "IR", "irgc", "IRGC-QF"),
    ("stc", "Southern Transitional Council", ActorKind.ARMED_GROUP, "YE", None, "STC"),
    ("sdf", "Syrian Democratic Forces", ActorKind.ARMED_GROUP, "SY", None, "SDF"),
    ("hts", "Hayat Tahrir al-Sham", ActorKind.ARMED_GROUP, "SY", None, "HTS"),
    ("united-nations", "United Nations", ActorKind.INTERGOVERNMENTAL_ORGANISATION, "", None, "UN"),
    (
        "un-security-council",
        "UN Security Council",
        ActorKind.INTERGOVERNMENTAL_ORGANISATION,
        "",
        "united-nations",
        "UNSC",
    ),
]
ISSUES = [
    ("assad-legitimacy", "Legitimacy of the Assad government", "SY"),
    ("hadi-legitimacy", "Legitimacy of the Hadi government", "YE"),
    ("security-sector-reform", "Security-sector reform in Syria", "SY"),
    ("reconstruction-contracts", "Reconstruction contracts in Syria", "SY"),
    ("idlib-ceasefire", "The Idlib ceasefire", "SY"),
    ("kurdish-autonomy", "Kurdish autonomy in north-east Syria", "SY"),
    ("astana-process", "The Astana process", "SY"),
    ("constitutional-committee", "The Syrian Constitutional Committee", "SY"),
    ("hodeidah-agreement", "The Hodeidah agreement", "YE"),
    ("saudi-coalition", "The Saudi-led coalition's intervention", "YE"),
    ("southern-separatism", "Southern separatism in Yemen", "YE"),
    ("red-sea-shipping", "Red Sea shipping", "YE"),
    ("un-sanctions", "UN sanctions", ""),
    ("iran-nuclear-deal", "The Iran nuclear deal", ""),
    ("israeli-strikes", "Israeli strikes on Iranian assets", ""),
    ("refugee-return", "Return of refugees", "SY"),
]
PLACES = {
    "SY": [
        ("Damascus", 33.51, 36.29),
        ("Aleppo", 36.20, 37.16),
        ("Idlib", 35.93, 36.63),
        ("Homs", 34.73, 36.71),
        ("Deir ez-Zor", 35.33, 40.14),
        ("Latakia", 35.52, 35.78),
        ("Raqqa", 35.95, 39.01),
        ("Daraa", 32.62, 36.10),
        ("Palmyra", 34.55, 38.27),
    ],
    "YE": [
        ("Sanaa", 15.37, 44.19),
        ("Aden", 12.79, 45.03),
        ("Hodeidah", 14.80, 42.95),
        ("Taiz", 13.58, 44.02),
        ("Marib", 15.46, 45.32),
        ("Saada", 16.94, 43.76),
    ],
    "IR": [("Tehran", 35.69, 51.39)],
    "IQ": [("Baghdad", 33.31, 44.36)],
    "LB": [("Beirut", 33.89, 35.50)],
}
VENUES = [
    ("Geneva", "CH", 46.20, 6.14),
    ("Astana", "KZ", 51.16, 71.47),
    ("Moscow", "RU", 55.75, 37.62),
    ("New York", "US", 40.71, -74.01),
]
DIPLOMATIC = {
    EventType.DIPLOMATIC_VISIT,
    EventType.NEGOTIATIONS,
    EventType.AGREEMENT,
    EventType.UN_VOTE,
    EventType.STATEMENT,
}
VIOLENT = {EventType.ARMED_CLASH, EventType.AIRSTRIKE, EventType.OFFENSIVE}
PUBLISHERS = [
    "Reuters",
    "Associated Press",
    "Al Jazeera",
    "BBC News",
    "LSE Middle East Centre",
    "Carnegie Endowment",
    "International Crisis Group",
    "UN Security Council",
    "Human Rights Watch",
    "Amnesty International",
    "TASS",
    "IRNA",
    "Al-Monitor",
    "Middle East Eye",
    "The Guardian",
    "Sana'a Center for Strategic Studies",
]
FIRST_DAY = datetime.date(2011, 3, 15)
LAST_DAY = datetime.date(2024, 12, 31)


def stored_at(day, precision):
    """``day`` as stored at ``precision``: a month as its 1st day, a year as 1 January."""
    if precision == DatePrecision.MONTH:
        return day.replace(day=1)
    if precision == DatePrecision.YEAR:
        return day.replace(month=1, day=1)
    return day


class Command(BaseCommand):
    help = "Fill the database with a deterministic synthetic dataset (for benchmarks)."

    def add_arguments(self, parser):
        parser.add_argument("--events", type=int, required=True, help="How many events.")
        parser.add_argument("--seed", type=int, default=0, help="Random seed (default 0).")
        parser.add_argument("--batch-size", type=int, default=5000, help="Events per write.")
        parser.add_argument(
            "--append", action="store_true", help="Add to a database that already has rows."
        )

    def handle(self, *args, events, seed, batch_size, append, **options):
        if events < 0 or batch_size < 1:
            raise CommandError("--events must be >= 0 and --batch-size >= 1.")
        if not append and any(
            model.objects.exists() for model in (Actor, Source, Issue, Event, Position)
        ):
            raise CommandError("The database already has rows; pass --append to add to them.")
        self.rng = random.Random(seed)
        self.batch_size = batch_size
        self.show_progress = events >= 10000 or options["verbosity"] > 1
        started = time.monotonic()
        actor_ids = self.make_actors()
        issue_ids = self.make_issues()
        source_ids = self.make_sources(max(100, events // 10))
        self.make_events(events, actor_ids, source_ids)
        self.make_positions(max(1, events // 10) if events else 0, actor_ids, issue_ids, source_ids)
        self.reset_sequences()
        self.stdout.write(
            f"Generated {events} events (seed {seed}) in {time.monotonic() - started:.1f}s."
        )

    # -- the small tables ------------------------------------------------------------

    def make_actors(self):
        specs = []  # (slug, name, short_name, kind, country, parent slug, alias)
        for slug, name, short, country, alias in STATES:
            specs.append((slug, name, short, ActorKind.STATE, country, None, alias))
            for suffix, branch, kind, parent in BRANCHES:
                parent_slug = f"{slug}-{parent}" if parent else slug
                specs.append(
                    (f"{slug}-{suffix}", f"{short} {branch}", "", kind, country, parent_slug, "")
                )
        for slug, name, kind, country, parent, alias in GROUPS:
            specs.append((slug, name, "", kind, country, parent, alias))
        existing = dict(Actor.objects.values_list("slug", "pk"))
        with transaction.atomic():
            for slug, name, short, kind, country, parent, alias in specs:
                if slug in existing:
                    continue
                actor = Actor.objects.create(
                    slug=slug,
                    name=name,
                    short_name=short,
                    kind=kind,
                    country=country,
                    parent_id=existing[parent] if parent else None,
                    description=f"Synthetic actor: {name}.",
                )
                existing[slug] = actor.pk
                aliases = {alias, f"{name} (synthetic)"} - {""}
                ActorAlias.objects.bulk_create(ActorAlias(actor=actor, alias=a) for a in aliases)
        return sorted(existing[spec[0]] for spec in specs)

    def make_issues(self):
        existing = dict(Issue.objects.values_list("slug", "pk"))
        missing = [
            Issue(slug=slug, name=name, country=country, description=f"Synthetic issue: {name}.")
            for slug, name, country in ISSUES
            if slug not in existing
        ]
        Issue.objects.bulk_create(missing)
        slugs = [slug for slug, _, _ in ISSUES]
        return sorted(Issue.objects.filter(slug__in=slugs).values_list("pk", flat=True))

    def make_sources(self, count):
        rng = self.rng
        first = (Source.objects.aggregate(m=Max("pk"))["m"] or 0) + 1
        types = SourceType.values
        for start in range(first, first + count, self.batch_size):
            batch = []
            for pk in range(start, min(start + self.batch_size, first + count)):
                publisher = rng.choice(PUBLISHERS)
                batch.append(
                    Source(
                        pk=pk,
                        title=f"{publisher} report no. {pk} on the Syrian and Yemeni wars",
                        author=f"Author {rng.randrange(1, 500)}",
                        publisher=publisher,
                        url=f"https://example.org/synthetic/sources/{pk}",
                        published=self.random_day(),
                        source_type=rng.choice(types),
                        language=rng.choices(["en", "ar", "ru", "fa"], [70, 15, 10, 5])[0],
                    )
                )
            with transaction.atomic():
                Source.objects.bulk_create(batch)
            reset_queries()
        return first, first + count - 1

    # -- events and positions ----------------------------------------------------------

    def make_events(self, count, actor_ids, source_ids):
        rng = self.rng
        first = (Event.objects.aggregate(m=Max("pk"))["m"] or 0) + 1
        types = EventType.values
        roles = Role.values
        labels = dict(EventType.choices)
        for start in range(first, first + count, self.batch_size):
            events, participants, citations = [], [], []
            for pk in range(start, min(start + self.batch_size, first + count)):
                event_type = rng.choice(types)
                country = rng.choices(["SY", "YE", "IR", "IQ", "LB"], [62, 33, 2, 2, 1])[0]
                place, location_country, lat, lon = self.random_place(country, event_type)
                date_start, date_end, precision = self.random_dates()
                has_point = rng.random() < 0.65
                events.append(
                    Event(
                        pk=pk,
                        title=f"{labels[event_type]} near {place}",
                        summary=(
                            f"{labels[event_type]} reported near {place}. Synthetic record {pk}, "
                            "generated for benchmarks; not an observation."
                        ),
                        event_type=event_type,
                        country=country,
                        date_start=date_start,
                        date_end=date_end,
                        date_precision=precision,
                        location_name=place,
                        location_country=location_country,
                        latitude=round(lat + rng.uniform(-0.2, 0.2), 4) if has_point else None,
                        longitude=round(lon + rng.uniform(-0.2, 0.2), 4) if has_point else None,
                        geo_precision=rng.choice(GeoPrecision.values) if has_point else "",
                        fatalities=(
                            int(rng.expovariate(1 / 12))
                            if event_type in VIOLENT and rng.random() < 0.6
                            else None
                        ),
                    )
                )
                for index, actor_id in enumerate(rng.sample(actor_ids, rng.randint(1, 4))):
                    role = Role.INITIATOR if index == 0 else rng.choice(roles)
                    participants.append(EventActor(event_id=pk, actor_id=actor_id, role=role))
                citations.extend(
                    EventSource(
                        event_id=pk,
                        source_id=source_id,
                        quote=f"Passage {rng.randrange(1, 40)} of source {source_id} on {pk}.",
                    )
                    for source_id in self.random_sources(source_ids)
                )
            with transaction.atomic():
                Event.objects.bulk_create(events)
                EventActor.objects.bulk_create(participants)
                EventSource.objects.bulk_create(citations)
            self.progress("events", start + len(events) - first, count)

    def make_positions(self, count, actor_ids, issue_ids, source_ids):
        rng = self.rng
        first = (Position.objects.aggregate(m=Max("pk"))["m"] or 0) + 1
        stances = Stance.values
        for start in range(first, first + count, self.batch_size):
            positions, citations = [], []
            for pk in range(start, min(start + self.batch_size, first + count)):
                stance = rng.choice(stances)
                if rng.random() < 0.8:
                    date_start, date_end, precision = self.random_dates()
                else:
                    date_start, date_end, precision = None, None, ""
                positions.append(
                    Position(
                        pk=pk,
                        actor_id=rng.choice(actor_ids),
                        issue_id=rng.choice(issue_ids),
                        stance=stance,
                        summary=f"The actor {stance} it (synthetic position {pk}).",
                        date_start=date_start,
                        date_end=date_end,
                        date_precision=precision,
                    )
                )
                citations.extend(
                    PositionSource(
                        position_id=pk, source_id=source_id, quote=f"Passage on position {pk}."
                    )
                    for source_id in self.random_sources(source_ids)
                )
            with transaction.atomic():
                Position.objects.bulk_create(positions)
                PositionSource.objects.bulk_create(citations)
            self.progress("positions", start + len(positions) - first, count)

    # -- random values -----------------------------------------------------------------

    def random_day(self):
        span = (LAST_DAY - FIRST_DAY).days
        return FIRST_DAY + datetime.timedelta(days=self.rng.randrange(span + 1))

    def random_dates(self):
        """(start, end, precision), with both dates stored as precise as the precision says."""
        rng = self.rng
        start = self.random_day()
        precision = rng.choices(DatePrecision.values, [75, 18, 7])[0]
        start = stored_at(start, precision)
        end = None
        if rng.random() < 0.25:
            end = stored_at(start + datetime.timedelta(days=rng.randrange(1, 120)), precision)
        return start, end, precision

    def random_place(self, country, event_type):
        if event_type in DIPLOMATIC and self.rng.random() < 0.3:
            return self.rng.choice(VENUES)
        name, lat, lon = self.rng.choice(PLACES[country])
        return name, country, lat, lon

    def random_sources(self, source_ids):
        first, last = source_ids
        count = 1 if self.rng.random() < 0.6 else 2
        chosen = {self.rng.randint(first, last) for _ in range(count)}
        return sorted(chosen)

    def progress(self, what, done, total):
        # With DEBUG on, Django keeps every query's SQL; a batch's INSERTs are large.
        reset_queries()
        if self.show_progress:
            step = max(self.batch_size, total // 20)
            if done == total or done % step < self.batch_size:
                sys.stderr.write(f"  {what}: {done}/{total}\n")
                sys.stderr.flush()

    def reset_sequences(self):
        # Rows were written with explicit ids; new rows must continue after them.
        models = [
            Actor,
            ActorAlias,
            Source,
            Issue,
            Event,
            EventActor,
            EventSource,
            Position,
            PositionSource,
        ]
        statements = connection.ops.sequence_reset_sql(no_style(), models)
        with connection.cursor() as cursor:
            for sql in statements:
                cursor.execute(sql)
