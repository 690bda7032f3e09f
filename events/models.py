from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models
from django.db.models import Q

from actors.models import Actor, country_validator, slug_validator
from common.models import (
    COUNTRY_PATTERN,
    LANGUAGE_PATTERN,
    SLUG_PATTERN,
    TimestampedModel,
    choices_check,
    date_precision_checks,
    pattern_check,
)
from common.rules import CitedBy

from .choices import DatePrecision, EventType, GeoPrecision, Role, SourceType, Stance

language_validator = RegexValidator(LANGUAGE_PATTERN, "Use an ISO 639 code, e.g. 'en'.")


class Source(TimestampedModel):
    """A document that rows cite: an article, a UN document, a report."""

    title = models.CharField(max_length=500)
    author = models.CharField(max_length=300, blank=True)
    publisher = models.CharField(max_length=300, blank=True)
    url = models.URLField(max_length=1000, blank=True)
    published = models.DateField(null=True, blank=True)
    source_type = models.CharField(max_length=40, choices=SourceType.choices)
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

    slug = models.SlugField(max_length=100, unique=True, validators=[slug_validator])
    name = models.CharField(max_length=200)
    country = models.CharField(
        max_length=2,
        blank=True,
        validators=[country_validator],
        help_text="SY or YE, or empty for a regional issue.",
    )
    description = models.TextField(blank=True)

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

    title = models.CharField(max_length=300)
    summary = models.TextField()
    event_type = models.CharField(max_length=40, choices=EventType.choices)
    country = models.CharField(
        max_length=2,
        validators=[country_validator],
        help_text="The conflict the event concerns: SY or YE (other codes for context rows).",
    )
    date_start = models.DateField()
    date_end = models.DateField(null=True, blank=True)
    date_precision = models.CharField(max_length=10, choices=DatePrecision.choices)
    location_name = models.CharField(max_length=200, blank=True)
    location_country = models.CharField(max_length=2, blank=True, validators=[country_validator])
    latitude = models.FloatField(
        null=True, blank=True, validators=[MinValueValidator(-90), MaxValueValidator(90)]
    )
    longitude = models.FloatField(
        null=True, blank=True, validators=[MinValueValidator(-180), MaxValueValidator(180)]
    )
    geo_precision = models.CharField(max_length=10, choices=GeoPrecision.choices, blank=True)
    fatalities = models.PositiveIntegerField(null=True, blank=True)
    actors = models.ManyToManyField(Actor, through="EventActor", related_name="events")
    sources = models.ManyToManyField(Source, through="EventSource", related_name="events")

    class Meta:
        ordering = ["date_start", "id"]
        constraints = [
            models.CheckConstraint(condition=~Q(title=""), name="event_title_not_blank"),
            models.CheckConstraint(condition=~Q(summary=""), name="event_summary_not_blank"),
            choices_check("event_type", EventType, "event_type_valid"),
            pattern_check("country", COUNTRY_PATTERN, "event_country_valid"),
            pattern_check(
                "location_country", COUNTRY_PATTERN, "event_location_country_valid", blank=True
            ),
            *date_precision_checks("event", DatePrecision),
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
            # date_after reads the precision too (a month covers its whole month).
            models.Index(fields=["country", "date_start", "date_end", "date_precision"]),
            models.Index(fields=["event_type"]),
        ]

    def __str__(self):
        return f"{self.date_start:%Y-%m-%d} {self.title}"


class EventActor(models.Model):
    """An actor's part in an event."""

    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="participants")
    actor = models.ForeignKey(Actor, on_delete=models.PROTECT, related_name="event_roles")
    role = models.CharField(max_length=20, choices=Role.choices)

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

    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="citations")
    source = models.ForeignKey(Source, on_delete=models.PROTECT, related_name="event_citations")
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

    actor = models.ForeignKey(Actor, on_delete=models.PROTECT, related_name="positions")
    issue = models.ForeignKey(Issue, on_delete=models.PROTECT, related_name="positions")
    stance = models.CharField(max_length=10, choices=Stance.choices)
    summary = models.TextField()
    date_start = models.DateField(
        null=True, blank=True, help_text="Empty when the source states the stance undated."
    )
    date_end = models.DateField(null=True, blank=True)
    date_precision = models.CharField(max_length=10, choices=DatePrecision.choices, blank=True)
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
        ]

    def __str__(self):
        return f"{self.actor} {self.stance} {self.issue}"


class PositionSource(models.Model):
    """A citation: the source and the passage in it that supports the position."""

    position = models.ForeignKey(Position, on_delete=models.CASCADE, related_name="citations")
    source = models.ForeignKey(Source, on_delete=models.PROTECT, related_name="position_citations")
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


# Every event and position cites at least one source (see common.rules).
CITATION_RULES = (CitedBy(Event), CitedBy(Position))
