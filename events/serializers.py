from rest_framework import serializers

from actors.models import Actor
from common.api.links import DatasetLink
from common.api.serializers import (
    DatasetSerializer,
    IdRelatedField,
    PublicKeyMixin,
    unique_items,
)

from .models import (
    EVENT_CITED,
    POSITION_CITED,
    RELATION_CITED,
    Event,
    EventActor,
    Issue,
    Position,
    Relation,
    Source,
)
from .services import event_create, event_update


class SourceSerializer(DatasetSerializer):
    url = DatasetLink(view_name="source-detail")
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


class IssueSerializer(PublicKeyMixin, DatasetSerializer):
    url = DatasetLink(view_name="issue-detail", lookup_field="slug")

    class Meta:
        model = Issue
        fields = ["slug", "url", "name", "country", "description", "created", "updated"]
        read_only_fields = ["created", "updated"]


class ParticipantSerializer(serializers.ModelSerializer):
    actor = serializers.SlugRelatedField(slug_field="slug", queryset=Actor.objects.all())
    actor_name = serializers.CharField(source="actor.name", read_only=True)

    class Meta:
        model = EventActor
        fields = ["actor", "actor_name", "role"]


class CitationListSerializer(serializers.ListSerializer):
    """An empty list is refused with the rule's words as the field's own error."""

    def to_internal_value(self, data):
        if data == [] and not self.allow_empty:
            raise serializers.ValidationError([self.error_messages["empty"]])
        return super().to_internal_value(data)


class CitationSerializer(serializers.Serializer):
    """A source (by id), its title, and the passage that supports the row."""

    class Meta:
        list_serializer_class = CitationListSerializer

    source = IdRelatedField(queryset=Source.objects.all())
    source_title = serializers.CharField(source="source.title", read_only=True)
    quote = serializers.CharField()


def citations_field(rule):
    """The nested citations of a cited resource: at least one, in the rule's words."""
    return CitationSerializer(many=True, allow_empty=False, error_messages={"empty": rule.message})


def validate_citations(value):
    unique_items(value, lambda item: item["source"].pk, "This source is already cited.")
    return value


class EventSerializer(DatasetSerializer):
    url = DatasetLink(view_name="event-detail")
    participants = ParticipantSerializer(many=True, required=False)
    citations = citations_field(EVENT_CITED)

    nested_fields = ("participants", "citations")
    create_function = staticmethod(event_create)
    update_function = staticmethod(event_update)

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
            "ongoing_as_of",
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


class PositionSerializer(DatasetSerializer):
    url = DatasetLink(view_name="position-detail")
    actor = serializers.SlugRelatedField(slug_field="slug", queryset=Actor.objects.all())
    actor_name = serializers.CharField(source="actor.name", read_only=True)
    issue = serializers.SlugRelatedField(slug_field="slug", queryset=Issue.objects.all())
    issue_name = serializers.CharField(source="issue.name", read_only=True)
    citations = citations_field(POSITION_CITED)

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
            "ongoing_as_of",
            "citations",
            "created",
            "updated",
        ]
        read_only_fields = ["id", "created", "updated"]

    def validate_citations(self, value):
        return validate_citations(value)


class RelationSerializer(DatasetSerializer):
    url = DatasetLink(view_name="relation-detail")
    actor = serializers.SlugRelatedField(slug_field="slug", queryset=Actor.objects.all())
    actor_name = serializers.CharField(source="actor.name", read_only=True)
    counterpart = serializers.SlugRelatedField(slug_field="slug", queryset=Actor.objects.all())
    counterpart_name = serializers.CharField(source="counterpart.name", read_only=True)
    issue = serializers.SlugRelatedField(
        slug_field="slug", queryset=Issue.objects.all(), allow_null=True, required=False
    )
    issue_name = serializers.CharField(
        source="issue.name", read_only=True, allow_null=True, default=None
    )
    citations = citations_field(RELATION_CITED)

    nested_fields = ("citations",)

    class Meta:
        model = Relation
        fields = [
            "id",
            "url",
            "actor",
            "actor_name",
            "counterpart",
            "counterpart_name",
            "kind",
            "domain",
            "issue",
            "issue_name",
            "country",
            "summary",
            "date_start",
            "date_end",
            "date_precision",
            "ongoing_as_of",
            "citations",
            "created",
            "updated",
        ]
        read_only_fields = ["id", "created", "updated"]

    def validate_citations(self, value):
        return validate_citations(value)
