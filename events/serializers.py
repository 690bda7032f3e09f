from rest_framework import serializers

from actors.models import Actor
from common.api import URL, FullCleanMixin, Nested, RowSerializer, unique_items

from .choices import DatePrecision
from .models import Event, EventActor, EventSource, Issue, Position, PositionSource, Source


class SourceSerializer(FullCleanMixin, serializers.ModelSerializer):
    url = serializers.HyperlinkedIdentityField(view_name="source-detail")
    # ``url`` is the API link of every object, so the document's own address is renamed.
    source_url = serializers.URLField(
        source="url", max_length=1000, required=False, allow_blank=True
    )

    class Meta:
        model = Source
        fields = [
            "id",
            "url",
            "title",
            "author",
            "publisher",
            "source_url",
            "published",
            "source_type",
            "language",
            "created",
            "updated",
        ]
        read_only_fields = ["id", "created", "updated"]


class IssueSerializer(FullCleanMixin, serializers.ModelSerializer):
    url = serializers.HyperlinkedIdentityField(view_name="issue-detail", lookup_field="slug")

    class Meta:
        model = Issue
        fields = ["slug", "url", "name", "country", "description", "created", "updated"]
        read_only_fields = ["created", "updated"]

    def validate_slug(self, value):
        if self.instance is not None and value != self.instance.slug:
            raise serializers.ValidationError("A published slug never changes.")
        return value


class ParticipantSerializer(serializers.ModelSerializer):
    actor = serializers.SlugRelatedField(slug_field="slug", queryset=Actor.objects.all())
    actor_name = serializers.CharField(source="actor.name", read_only=True)

    class Meta:
        model = EventActor
        fields = ["actor", "actor_name", "role"]


class CitationSerializer(serializers.Serializer):
    """A source (by id), its title, and the passage that supports the row."""

    source = serializers.PrimaryKeyRelatedField(queryset=Source.objects.all())
    source_title = serializers.CharField(source="source.title", read_only=True)
    quote = serializers.CharField()


class DatedSerializerMixin:
    """Clear messages for the date rules the database also enforces."""

    def validate(self, attrs):
        def current(name):
            if name in attrs:
                return attrs[name]
            return getattr(self.instance, name, None)

        start, end = current("date_start"), current("date_end")
        precision = current("date_precision")
        errors = {}
        if start and end and end < start:
            errors["date_end"] = ["The end date cannot be before the start date."]
        if start and precision == DatePrecision.MONTH and start.day != 1:
            errors["date_start"] = ["A month-precision date is stored as the 1st of the month."]
        if start and precision == DatePrecision.YEAR and (start.day, start.month) != (1, 1):
            errors["date_start"] = ["A year-precision date is stored as 1 January."]
        if errors:
            raise serializers.ValidationError(errors)
        return super().validate(attrs)


def validate_citations(value):
    unique_items(value, lambda item: item["source"].pk, "This source is already cited.")
    return value


class EventSerializer(DatedSerializerMixin, FullCleanMixin, serializers.ModelSerializer):
    url = serializers.HyperlinkedIdentityField(view_name="event-detail")
    participants = ParticipantSerializer(many=True, required=False)
    citations = CitationSerializer(many=True, allow_empty=False)

    nested_fields = ("participants", "citations")

    class Meta:
        model = Event
        fields = [
            "id",
            "url",
            "title",
            "summary",
            "event_type",
            "country",
            "date_start",
            "date_end",
            "date_precision",
            "location_name",
            "location_country",
            "latitude",
            "longitude",
            "geo_precision",
            "fatalities",
            "participants",
            "citations",
            "created",
            "updated",
        ]
        read_only_fields = ["id", "created", "updated"]

    def validate_participants(self, value):
        unique_items(
            value,
            lambda item: (item["actor"].pk, item["role"]),
            "This actor already has this role in the event.",
        )
        return value

    def validate_citations(self, value):
        return validate_citations(value)

    def create(self, validated_data):
        participants = validated_data.pop("participants", [])
        citations = validated_data.pop("citations")
        event = Event.objects.create(**validated_data)
        self._write_nested(event, participants, citations)
        return event

    def update(self, instance, validated_data):
        participants = validated_data.pop("participants", None)
        citations = validated_data.pop("citations", None)
        event = super().update(instance, validated_data)
        self._write_nested(event, participants, citations)
        return event

    def _write_nested(self, event, participants, citations):
        # A given list replaces the stored one as a whole.
        if participants is not None:
            event.participants.all().delete()
            EventActor.objects.bulk_create(EventActor(event=event, **p) for p in participants)
        if citations is not None:
            event.citations.all().delete()
            EventSource.objects.bulk_create(EventSource(event=event, **c) for c in citations)


class PositionSerializer(DatedSerializerMixin, FullCleanMixin, serializers.ModelSerializer):
    url = serializers.HyperlinkedIdentityField(view_name="position-detail")
    actor = serializers.SlugRelatedField(slug_field="slug", queryset=Actor.objects.all())
    actor_name = serializers.CharField(source="actor.name", read_only=True)
    issue = serializers.SlugRelatedField(slug_field="slug", queryset=Issue.objects.all())
    issue_name = serializers.CharField(source="issue.name", read_only=True)
    citations = CitationSerializer(many=True, allow_empty=False)

    nested_fields = ("citations",)

    class Meta:
        model = Position
        fields = [
            "id",
            "url",
            "actor",
            "actor_name",
            "issue",
            "issue_name",
            "stance",
            "summary",
            "date_start",
            "date_end",
            "date_precision",
            "citations",
            "created",
            "updated",
        ]
        read_only_fields = ["id", "created", "updated"]

    def validate_citations(self, value):
        return validate_citations(value)

    def create(self, validated_data):
        citations = validated_data.pop("citations")
        position = Position.objects.create(**validated_data)
        self._write_citations(position, citations)
        return position

    def update(self, instance, validated_data):
        citations = validated_data.pop("citations", None)
        position = super().update(instance, validated_data)
        self._write_citations(position, citations)
        return position

    def _write_citations(self, position, citations):
        if citations is not None:
            position.citations.all().delete()
            PositionSource.objects.bulk_create(
                PositionSource(position=position, **c) for c in citations
            )


CITATION_ROWS = {"source": "source_id", "source_title": "source__title", "quote": "quote"}

SOURCE_ROWS = RowSerializer(
    Source,
    {
        "id": "id",
        "url": URL,
        "title": "title",
        "author": "author",
        "publisher": "publisher",
        "source_url": "url",
        "published": "published",
        "source_type": "source_type",
        "language": "language",
        "created": "created",
        "updated": "updated",
    },
    view_name="source-detail",
)

ISSUE_ROWS = RowSerializer(
    Issue,
    {
        "slug": "slug",
        "url": URL,
        "name": "name",
        "country": "country",
        "description": "description",
        "created": "created",
        "updated": "updated",
    },
    view_name="issue-detail",
    lookup_field="slug",
)

EVENT_ROWS = RowSerializer(
    Event,
    {
        "id": "id",
        "url": URL,
        "title": "title",
        "summary": "summary",
        "event_type": "event_type",
        "country": "country",
        "date_start": "date_start",
        "date_end": "date_end",
        "date_precision": "date_precision",
        "location_name": "location_name",
        "location_country": "location_country",
        "latitude": "latitude",
        "longitude": "longitude",
        "geo_precision": "geo_precision",
        "fatalities": "fatalities",
        "participants": Nested(
            EventActor,
            "event",
            {"actor": "actor__slug", "actor_name": "actor__name", "role": "role"},
        ),
        "citations": Nested(EventSource, "event", CITATION_ROWS),
        "created": "created",
        "updated": "updated",
    },
    view_name="event-detail",
)

POSITION_ROWS = RowSerializer(
    Position,
    {
        "id": "id",
        "url": URL,
        "actor": "actor__slug",
        "actor_name": "actor__name",
        "issue": "issue__slug",
        "issue_name": "issue__name",
        "stance": "stance",
        "summary": "summary",
        "date_start": "date_start",
        "date_end": "date_end",
        "date_precision": "date_precision",
        "citations": Nested(PositionSource, "position", CITATION_ROWS),
        "created": "created",
        "updated": "updated",
    },
    view_name="position-detail",
)
