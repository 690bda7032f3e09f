import datetime

from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models
from django.db.models import F, Q, Value
from django.db.models.functions import Coalesce, Greatest, Least

from actors.models import Actor, country_validator, slug_validator
from common.models import (
    COUNTRY_PATTERN,
    LANGUAGE_PATTERN,
    SLUG_PATTERN,
    FieldCheckConstraint,
    TimestampedModel,
    choices_check,
    date_end_field,
    date_precision_checks,
    date_precision_field,
    ongoing_as_of_field,
    pattern_check,
)
from common.periods import SpanClass
from common.rules import CitedBy

from .choices import (
    DIRECTED_RELATION_KINDS,
    DatePrecision,
    EventType,
    GeoPrecision,
    RelationDomain,
    RelationKind,
    Role,
    SourceType,
    Stance,
)

# The period columns date_after reads besides date_start (common.periods.date_overlap).
PERIOD_REST = ["date_end", "date_precision", "ongoing_as_of"]

language_validator = RegexValidator(LANGUAGE_PATTERN, "Use an ISO 639 code, e.g. 'en'.")


class Source(TimestampedModel):
    """A document that rows cite: an article, a UN document, a report."""

    id = models.BigAutoField(
        "ID",
        primary_key=True,
        help_text="Stable public key of the source. Never changes once published.",
    )
    title = models.CharField(max_length=500, help_text="The document's title.")
    author = models.CharField(max_length=300, blank=True, help_text="Who wrote it, if named.")
    publisher = models.CharField(
        max_length=300, blank=True, help_text="Who published it: an outlet, an organisation."
    )
    url = models.URLField(
        max_length=1000, blank=True, help_text="Where the document can be read (http or https)."
    )
    published = models.DateField(null=True, blank=True, help_text="Its publication date.")
    source_type = models.CharField(
        max_length=40, choices=SourceType.choices, help_text="What sort of document it is."
    )
    language = models.CharField(
        max_length=3, default="en", validators=[language_validator], help_text="ISO 639 code."
    )

    class Meta:
        ordering = ["id"]
        constraints = [
            models.CheckConstraint(condition=~Q(title=""), name="source_title_not_blank"),
            choices_check("source_type", SourceType, "source_type_valid"),
            pattern_check("language", LANGUAGE_PATTERN, "source_language_valid"),
            models.CheckConstraint(
                condition=Q(url="") | Q(url__startswith="https://") | Q(url__startswith="http://"),
                name="source_url_is_web_address",
                violation_error_message="url must start with https:// or http://",
            ),
        ]
        indexes = [
            models.Index(fields=["source_type"]),
            models.Index(fields=["publisher"]),
            models.Index(fields=["published"]),
        ]

    def __str__(self):
        return self.title


class Issue(TimestampedModel):
    """A question on which actors take positions, e.g. who is Yemen's legitimate authority."""

    slug = models.SlugField(
        max_length=100,
        unique=True,
        validators=[slug_validator],
        help_text="Stable public key, e.g. 'yemen-legitimate-authority'. Never changes once "
        "published.",
    )
    name = models.CharField(max_length=200, help_text="The question, in a few words.")
    country = models.CharField(
        max_length=2,
        blank=True,
        validators=[country_validator],
        help_text="SY or YE, or empty for a regional issue.",
    )
    description = models.TextField(blank=True, help_text="What the issue is about.")

    class Meta:
        ordering = ["slug"]
        constraints = [
            pattern_check("slug", SLUG_PATTERN, "issue_slug_valid"),
            models.CheckConstraint(condition=~Q(name=""), name="issue_name_not_blank"),
            pattern_check("country", COUNTRY_PATTERN, "issue_country_valid", blank=True),
        ]
        indexes = [models.Index(fields=["country"])]

    def __str__(self):
        return self.name


class Event(TimestampedModel):
    """Something that happened, with its date as precise as its sources allow."""

    id = models.BigAutoField(
        "ID",
        primary_key=True,
        help_text="Stable public key of the event. Never changes once published.",
    )
    title = models.CharField(max_length=300, help_text="What happened, in a line.")
    summary = models.TextField(help_text="What happened, saying no more than the sources.")
    event_type = models.CharField(
        max_length=40, choices=EventType.choices, help_text="What sort of event it was."
    )
    country = models.CharField(
        max_length=2,
        validators=[country_validator],
        help_text="The conflict the event concerns: SY or YE (other codes for context rows).",
    )
    date_start = models.DateField(
        null=True,
        blank=True,
        help_text="When it began: the first day of its day, month or year (date_precision). "
        "Empty only when the source observes it going on (ongoing_as_of) without saying when "
        "it began.",
    )
    date_end = date_end_field()
    date_precision = date_precision_field(DatePrecision.choices)
    ongoing_as_of = ongoing_as_of_field()
    location_name = models.CharField(
        max_length=200, blank=True, help_text="Where it happened: a place, a city or a region."
    )
    location_country = models.CharField(
        max_length=2,
        blank=True,
        validators=[country_validator],
        help_text="ISO 3166-1 alpha-2 code of the country where it happened.",
    )
    latitude = models.FloatField(
        null=True,
        blank=True,
        validators=[MinValueValidator(-90), MaxValueValidator(90)],
        help_text="WGS 84 latitude of the location, with longitude and geo_precision.",
    )
    longitude = models.FloatField(
        null=True,
        blank=True,
        validators=[MinValueValidator(-180), MaxValueValidator(180)],
        help_text="WGS 84 longitude of the location, with latitude and geo_precision.",
    )
    geo_precision = models.CharField(
        max_length=10,
        choices=GeoPrecision.choices,
        blank=True,
        help_text="How precise the coordinates are.",
    )
    fatalities = models.PositiveIntegerField(
        null=True, blank=True, help_text="Deaths the sources report; empty when they give none."
    )
    # Not data (the data package and the API leave it out): how long the period lasts, for
    # reading a date_after page per class from an index range (common.periods.SpanClass).
    span_class = models.GeneratedField(
        expression=SpanClass(),
        output_field=models.SmallIntegerField(),
        db_persist=True,
        help_text="The period lasts fewer than 2**span_class days (derived; not data).",
    )
    actors = models.ManyToManyField(Actor, through="EventActor", related_name="events")
    sources = models.ManyToManyField(Source, through="EventSource", related_name="events")

    class Meta:
        # Undated events first, as SQLite sorts NULLs, on every database.
        ordering = [F("date_start").asc(nulls_first=True), "id"]
        constraints = [
            models.CheckConstraint(condition=~Q(title=""), name="event_title_not_blank"),
            models.CheckConstraint(condition=~Q(summary=""), name="event_summary_not_blank"),
            choices_check("event_type", EventType, "event_type_valid"),
            pattern_check("country", COUNTRY_PATTERN, "event_country_valid"),
            pattern_check(
                "location_country", COUNTRY_PATTERN, "event_location_country_valid", blank=True
            ),
            *date_precision_checks("event", DatePrecision, nullable_start=True),
            FieldCheckConstraint(
                condition=Q(date_start__isnull=False) | Q(ongoing_as_of__isnull=False),
                name="event_dated_or_ongoing",
                violation_error_message=(
                    "an event needs a date_start, or an ongoing_as_of when its source observes "
                    "it going on without saying when it began"
                ),
                field="date_start",
            ),
            models.CheckConstraint(
                condition=Q(latitude__isnull=True) | Q(latitude__gte=-90, latitude__lte=90),
                name="event_latitude_range",
            ),
            models.CheckConstraint(
                condition=Q(longitude__isnull=True) | Q(longitude__gte=-180, longitude__lte=180),
                name="event_longitude_range",
            ),
            models.CheckConstraint(
                condition=Q(latitude__isnull=True, longitude__isnull=True)
                | Q(
                    latitude__isnull=False,
                    longitude__isnull=False,
                    geo_precision__in=GeoPrecision.values,
                ),
                name="event_coordinates_complete",
                violation_error_message=(
                    "latitude and longitude go together, with a geo_precision"
                ),
            ),
            choices_check("geo_precision", GeoPrecision, "event_geo_precision_valid", blank=True),
            models.CheckConstraint(
                condition=Q(fatalities__isnull=True) | Q(fatalities__gte=0),
                name="event_fatalities_not_negative",
            ),
        ]
        indexes = [
            models.Index(fields=["date_start", "id"]),
            models.Index(fields=["date_end"]),
            # Serves the usual filtered list (?country=..&date_after=..) from the index alone:
            # date_after reads the precision (a month covers its whole month) and
            # ongoing_as_of too. (PostgreSQL also has its own, in NULLS FIRST order: 0006.)
            models.Index(fields=["country", "date_start", *PERIOD_REST]),
            models.Index(fields=["event_type"]),
            models.Index(fields=["ongoing_as_of"]),
            # A date_after page, one index range per span class (with or without a country),
            # covering the period columns date_after reads.
            *(
                models.Index(fields=[*first, "span_class", "date_start", "id", *PERIOD_REST])
                for first in ([], ["country"])
            ),
        ]

    def __str__(self):
        when = self.date_start or self.ongoing_as_of
        return f"{when:%Y-%m-%d} {self.title}" if when else self.title


class EventActor(models.Model):
    """An actor's part in an event."""

    event = models.ForeignKey(
        Event, on_delete=models.CASCADE, related_name="participants", help_text="The event (id)."
    )
    actor = models.ForeignKey(
        Actor,
        on_delete=models.PROTECT,
        related_name="event_roles",
        help_text="The actor who took part (slug).",
    )
    role = models.CharField(
        max_length=20, choices=Role.choices, help_text="The part the actor played in the event."
    )

    class Meta:
        ordering = ["event_id", "actor__slug", "role"]
        verbose_name = "event participant"
        constraints = [
            models.UniqueConstraint(fields=["event", "actor", "role"], name="event_actor_unique"),
            choices_check("role", Role, "event_actor_role_valid"),
        ]
        indexes = [
            models.Index(fields=["actor", "event"]),
            models.Index(fields=["role", "event"]),
        ]

    def __str__(self):
        return f"{self.actor} ({self.role})"


class EventSource(models.Model):
    """A citation: the source and the passage in it that supports the event."""

    event = models.ForeignKey(
        Event, on_delete=models.CASCADE, related_name="citations", help_text="The event (id)."
    )
    source = models.ForeignKey(
        Source,
        on_delete=models.PROTECT,
        related_name="event_citations",
        help_text="The source that supports it (id).",
    )
    quote = models.TextField(help_text="The passage of the source that supports the row.")

    class Meta:
        ordering = ["event_id", "source_id"]
        verbose_name = "event citation"
        constraints = [
            models.UniqueConstraint(fields=["event", "source"], name="event_source_unique"),
            models.CheckConstraint(condition=~Q(quote=""), name="event_source_quote_not_blank"),
        ]
        indexes = [models.Index(fields=["source", "event"])]

    def __str__(self):
        return f"{self.source} — {self.quote[:60]}"


class Position(TimestampedModel):
    """What an actor stood for on an issue, over a period when the sources date it."""

    id = models.BigAutoField(
        "ID",
        primary_key=True,
        help_text="Stable public key of the position. Never changes once published.",
    )
    actor = models.ForeignKey(
        Actor,
        on_delete=models.PROTECT,
        related_name="positions",
        help_text="The actor who holds the position (slug).",
    )
    issue = models.ForeignKey(
        Issue, on_delete=models.PROTECT, related_name="positions", help_text="The issue (slug)."
    )
    stance = models.CharField(
        max_length=10, choices=Stance.choices, help_text="Where the actor stood on the issue."
    )
    summary = models.TextField(help_text="The position, saying no more than the sources.")
    date_start = models.DateField(
        null=True,
        blank=True,
        help_text="Since when the actor held the stance, as precise as date_precision; empty "
        "when the source does not say.",
    )
    date_end = date_end_field()
    date_precision = date_precision_field(DatePrecision.choices)
    ongoing_as_of = ongoing_as_of_field()
    sources = models.ManyToManyField(Source, through="PositionSource", related_name="positions")

    class Meta:
        ordering = ["id"]
        constraints = [
            choices_check("stance", Stance, "position_stance_valid"),
            models.CheckConstraint(condition=~Q(summary=""), name="position_summary_not_blank"),
            *date_precision_checks("position", DatePrecision, nullable_start=True),
        ]
        indexes = [
            models.Index(fields=["actor", "issue"]),
            models.Index(fields=["issue", "stance"]),
            models.Index(fields=["stance"]),
            models.Index(fields=["date_start"]),
            models.Index(fields=["date_end"]),
            models.Index(fields=["ongoing_as_of"]),
        ]

    def __str__(self):
        return f"{self.actor} {self.stance} {self.issue}"


class PositionSource(models.Model):
    """A citation: the source and the passage in it that supports the position."""

    position = models.ForeignKey(
        Position,
        on_delete=models.CASCADE,
        related_name="citations",
        help_text="The position (id).",
    )
    source = models.ForeignKey(
        Source,
        on_delete=models.PROTECT,
        related_name="position_citations",
        help_text="The source that supports it (id).",
    )
    quote = models.TextField(help_text="The passage of the source that supports the row.")

    class Meta:
        ordering = ["position_id", "source_id"]
        verbose_name = "position citation"
        constraints = [
            models.UniqueConstraint(fields=["position", "source"], name="position_source_unique"),
            models.CheckConstraint(condition=~Q(quote=""), name="position_source_quote_not_blank"),
        ]
        indexes = [models.Index(fields=["source", "position"])]

    def __str__(self):
        return f"{self.source} — {self.quote[:60]}"


class Relation(TimestampedModel):
    """How two actors stood towards each other over a period, on an issue or in general.

    ``support`` is directed: the actor supports the counterpart. Every other kind is
    symmetric and stored once per pair.
    """

    id = models.BigAutoField(
        "ID",
        primary_key=True,
        help_text="Stable public key of the relation. Never changes once published.",
    )
    actor = models.ForeignKey(
        Actor,
        on_delete=models.PROTECT,
        related_name="relations",
        help_text="One side (slug); for 'support', the supporter.",
    )
    counterpart = models.ForeignKey(
        Actor,
        on_delete=models.PROTECT,
        related_name="counterpart_relations",
        help_text="The other side (slug); for 'support', the one supported.",
    )
    kind = models.CharField(
        max_length=20, choices=RelationKind.choices, help_text="How the two stood."
    )
    domain = models.CharField(
        max_length=20, choices=RelationDomain.choices, help_text="In which field."
    )
    issue = models.ForeignKey(
        Issue,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="relations",
        help_text="The issue the relation concerns, if one.",
    )
    country = models.CharField(
        max_length=2,
        blank=True,
        validators=[country_validator],
        help_text="The conflict the relation concerns: SY or YE, or empty for both or neither.",
    )
    summary = models.TextField(help_text="The relation, saying no more than the sources.")
    date_start = models.DateField(
        null=True,
        blank=True,
        help_text="When the relation began, as precise as date_precision; empty when the "
        "source does not say.",
    )
    date_end = date_end_field()
    date_precision = date_precision_field(DatePrecision.choices)
    ongoing_as_of = ongoing_as_of_field()
    sources = models.ManyToManyField(Source, through="RelationSource", related_name="relations")

    class Meta:
        ordering = ["id"]
        constraints = [
            choices_check("kind", RelationKind, "relation_kind_valid"),
            choices_check("domain", RelationDomain, "relation_domain_valid"),
            pattern_check("country", COUNTRY_PATTERN, "relation_country_valid", blank=True),
            models.CheckConstraint(condition=~Q(summary=""), name="relation_summary_not_blank"),
            FieldCheckConstraint(
                condition=~Q(actor=F("counterpart")),
                name="relation_not_with_itself",
                violation_error_message="an actor has no relation with itself",
                field="counterpart",
            ),
            *date_precision_checks("relation", DatePrecision, nullable_start=True),
            # A symmetric relation is stored once: B-A is the same row as A-B.
            models.UniqueConstraint(
                Least("actor", "counterpart"),
                Greatest("actor", "counterpart"),
                "kind",
                "domain",
                Coalesce("issue", Value(0)),
                "country",
                Coalesce("date_start", Value(datetime.date(1, 1, 1))),
                condition=~Q(kind__in=DIRECTED_RELATION_KINDS),
                name="relation_symmetric_pair_once",
                violation_error_message=(
                    "this relation is already stored for the pair (a symmetric kind is stored "
                    "once, in either order)"
                ),
            ),
            models.UniqueConstraint(
                "actor",
                "counterpart",
                "kind",
                "domain",
                Coalesce("issue", Value(0)),
                "country",
                Coalesce("date_start", Value(datetime.date(1, 1, 1))),
                condition=Q(kind__in=DIRECTED_RELATION_KINDS),
                name="relation_directed_once",
                violation_error_message="this relation is already stored",
            ),
        ]
        indexes = [
            # counterpart and issue are indexed as foreign keys already
            models.Index(fields=["actor", "counterpart"]),
            models.Index(fields=["kind", "domain"]),
            models.Index(fields=["date_start"]),
        ]

    def __str__(self):
        # Several relations may join the same pair with the same kind: the id, the domain and
        # the issue tell them apart in lists, pickers and delete pages.
        issue = f", on {self.issue}" if self.issue_id else ""
        return f"#{self.pk} {self.actor} {self.kind} {self.counterpart} ({self.domain}{issue})"


class RelationSource(models.Model):
    """A citation: the source and the passage in it that supports the relation."""

    relation = models.ForeignKey(
        Relation,
        on_delete=models.CASCADE,
        related_name="citations",
        help_text="The relation (id).",
    )
    source = models.ForeignKey(
        Source,
        on_delete=models.PROTECT,
        related_name="relation_citations",
        help_text="The source that supports it (id).",
    )
    quote = models.TextField(help_text="The passage of the source that supports the row.")

    class Meta:
        ordering = ["relation_id", "source_id"]
        verbose_name = "relation citation"
        constraints = [
            models.UniqueConstraint(fields=["relation", "source"], name="relation_source_unique"),
            models.CheckConstraint(condition=~Q(quote=""), name="relation_source_quote_not_blank"),
        ]
        indexes = [models.Index(fields=["source", "relation"])]

    def __str__(self):
        return f"{self.source} — {self.quote[:60]}"


# Every event, position and relation cites at least one source (see common.rules).
EVENT_CITED = CitedBy(Event)
POSITION_CITED = CitedBy(Position)
RELATION_CITED = CitedBy(Relation)
CITATION_RULES = (EVENT_CITED, POSITION_CITED, RELATION_CITED)
