"""The alignment endpoints' query parameters, validated as a DRF serializer (one error per
parameter, named), and documented in the OpenAPI schema from the same declaration."""

import re

from drf_spectacular.extensions import OpenApiSerializerFieldExtension
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from actors.models import Actor
from common.models import COUNTRY_PATTERN, SLUG_PATTERN
from common.periods import Scope

from .choices import MEASURES, EventSide, Verdict

MAX_MATRIX_ACTORS = 20


class SlugListField(serializers.Field):
    """Comma-separated (or repeated) actor slugs: ``min_items`` to ``max_items``, each once."""

    def __init__(self, *, min_items, max_items, **kwargs):
        self.min_items, self.max_items = min_items, max_items
        super().__init__(**kwargs)

    def to_internal_value(self, data):
        values = data if isinstance(data, list) else [data]
        slugs = [part.strip() for value in values for part in str(value).split(",")]
        slugs = [slug for slug in slugs if slug]
        if not self.min_items <= len(slugs) <= self.max_items:
            wanted = (
                f"exactly {self.min_items}"
                if self.min_items == self.max_items
                else f"{self.min_items} to {self.max_items}"
            )
            raise serializers.ValidationError(
                f"Give {wanted} actor slugs, comma-separated ({len(slugs)} given)."
            )
        repeated = sorted({slug for slug in slugs if slugs.count(slug) > 1})
        if repeated:
            raise serializers.ValidationError(
                f"Each actor may be given once: {', '.join(repeated)} is repeated."
            )
        return slugs


class SlugListFieldExtension(OpenApiSerializerFieldExtension):
    """Documents a SlugListField from its own limits."""

    target_class = SlugListField

    def map_serializer_field(self, auto_schema, direction):
        field = self.target
        return {
            "type": "array",
            "items": {"type": "string", "pattern": SLUG_PATTERN},
            "minItems": field.min_items,
            "maxItems": field.max_items,
            "uniqueItems": True,
        }


@extend_schema_field({"type": "array", "items": {"type": "string", "pattern": COUNTRY_PATTERN}})
class CountryListField(serializers.Field):
    def to_internal_value(self, data):
        values = data if isinstance(data, list) else [data]
        codes = [part.strip().upper() for value in values for part in str(value).split(",")]
        codes = [code for code in codes if code]
        for code in codes:
            if not re.fullmatch(COUNTRY_PATTERN, code):
                raise serializers.ValidationError(
                    f"'{code}' is not an ISO 3166-1 alpha-2 code such as SY."
                )
        return codes


class ComparisonQuerySerializer(serializers.Serializer):
    actors = SlugListField(
        min_items=2,
        max_items=2,
        help_text="Exactly two actor slugs, comma-separated, e.g. russia,iran (the order sets "
        "which is side a and which side b).",
    )
    tree = serializers.BooleanField(
        default=False,
        help_text="true: each side also includes every actor below it in the hierarchy.",
    )
    country = CountryListField(
        required=False, help_text="Only rows concerning these conflicts: SY, YE (comma-separated)."
    )
    date_after = serializers.DateField(
        required=False, help_text="ISO date: rows whose period ends on or after it."
    )
    date_before = serializers.DateField(
        required=False, help_text="ISO date: rows whose period starts on or before it."
    )

    def validate_actors(self, slugs):
        actors = {actor.slug: actor for actor in Actor.objects.filter(slug__in=slugs)}
        unknown = [slug for slug in slugs if slug not in actors]
        if unknown:
            raise serializers.ValidationError(f"Unknown actor slug(s): {', '.join(unknown)}.")
        return [actors[slug] for slug in slugs]

    def validate(self, attrs):
        after, before = attrs.get("date_after"), attrs.get("date_before")
        if after and before and after > before:
            raise serializers.ValidationError({"date_before": ["It comes before date_after."]})
        return attrs

    def scope(self):
        data = self.validated_data
        return Scope(
            tuple(data.get("country") or ()), data.get("date_after"), data.get("date_before")
        )


class MatrixQuerySerializer(ComparisonQuerySerializer):
    actors = SlugListField(
        min_items=2,
        max_items=MAX_MATRIX_ACTORS,
        help_text=f"2 to {MAX_MATRIX_ACTORS} actor slugs, comma-separated: every pair is compared.",
    )


# ---------------------------------------------------------------------------------------
# Responses, for the OpenAPI schema (the views return the plain dicts of compare.py)


class ActorRefSerializer(serializers.Serializer):
    slug = serializers.CharField()
    name = serializers.CharField()
    url = serializers.URLField()


class IssueRefSerializer(serializers.Serializer):
    slug = serializers.CharField()
    name = serializers.CharField()
    country = serializers.CharField(allow_blank=True)


class CitationRefSerializer(serializers.Serializer):
    source = serializers.IntegerField()
    source_title = serializers.CharField()
    source_url = serializers.CharField(allow_blank=True, help_text="The document's address.")
    quote = serializers.CharField()


class PeriodSerializer(serializers.Serializer):
    date_start = serializers.DateField(allow_null=True)
    date_end = serializers.DateField(allow_null=True)
    date_precision = serializers.CharField(allow_blank=True)
    ongoing_as_of = serializers.DateField(allow_null=True)


class PositionRefSerializer(PeriodSerializer):
    id = serializers.IntegerField()
    url = serializers.URLField()
    actor = serializers.CharField()
    stance = serializers.CharField()
    summary = serializers.CharField()
    citations = CitationRefSerializer(many=True)


class IssueComparisonSerializer(serializers.Serializer):
    issue = IssueRefSerializer()
    stance_a = serializers.CharField()
    stance_b = serializers.CharField()
    verdict = serializers.ChoiceField(choices=Verdict.choices)
    positions_a = PositionRefSerializer(many=True)
    positions_b = PositionRefSerializer(many=True)


class OneSidedSerializer(serializers.Serializer):
    issue = IssueRefSerializer()
    side = serializers.ChoiceField(choices=["a", "b"])
    positions = PositionRefSerializer(many=True)


class RoleSerializer(serializers.Serializer):
    actor = serializers.CharField()
    role = serializers.CharField()


class SharedEventSerializer(PeriodSerializer):
    id = serializers.IntegerField()
    url = serializers.URLField()
    title = serializers.CharField()
    event_type = serializers.CharField()
    country = serializers.CharField()
    roles_a = RoleSerializer(many=True)
    roles_b = RoleSerializer(many=True)
    side = serializers.ChoiceField(choices=EventSide.choices)


class RelationRefSerializer(PeriodSerializer):
    id = serializers.IntegerField()
    url = serializers.URLField()
    actor = serializers.CharField()
    counterpart = serializers.CharField()
    kind = serializers.CharField()
    domain = serializers.CharField()
    issue = serializers.CharField(allow_null=True)
    country = serializers.CharField(allow_blank=True)
    summary = serializers.CharField()
    citations = CitationRefSerializer(many=True)


class CountsSerializer(serializers.Serializer):
    issues_compared = serializers.IntegerField(help_text=MEASURES["issues_compared"])
    agree = serializers.IntegerField()
    partly = serializers.IntegerField()
    diverge = serializers.IntegerField()
    compete = serializers.IntegerField()
    events_same = serializers.IntegerField()
    events_opposite = serializers.IntegerField()
    relations = serializers.DictField(
        child=serializers.IntegerField(), help_text="{relation kind: count}"
    )


class YearSerializer(CountsSerializer):
    year = serializers.IntegerField()


class SummarySerializer(CountsSerializer):
    agreement = serializers.FloatField(allow_null=True, help_text=MEASURES["agreement"])
    kappa = serializers.FloatField(allow_null=True, help_text=MEASURES["kappa"])
    s_score = serializers.FloatField(allow_null=True, help_text=MEASURES["s_score"])


class ComparisonSerializer(serializers.Serializer):
    actors = ActorRefSerializer(many=True)
    tree = serializers.BooleanField()
    issues = IssueComparisonSerializer(many=True)
    one_sided = OneSidedSerializer(many=True)
    events = SharedEventSerializer(many=True)
    relations = RelationRefSerializer(many=True)
    timeline = YearSerializer(many=True)
    summary = SummarySerializer()


class PairSerializer(serializers.Serializer):
    actor_a = ActorRefSerializer()
    actor_b = ActorRefSerializer()
    summary = SummarySerializer()


class MatrixSerializer(serializers.Serializer):
    actors = ActorRefSerializer(many=True)
    tree = serializers.BooleanField()
    pairs = PairSerializer(many=True)
