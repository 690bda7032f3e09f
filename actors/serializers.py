from rest_framework import serializers

from common.api import URL, FullCleanMixin, Nested, RowSerializer

from .models import Actor, ActorAlias


class AliasListField(serializers.ListField):
    """An actor's aliases as a list of strings, written as the whole set."""

    child = serializers.CharField(max_length=200)

    def to_representation(self, data):
        return [alias.alias for alias in data.all()]


class ActorSerializer(FullCleanMixin, serializers.ModelSerializer):
    url = serializers.HyperlinkedIdentityField(view_name="actor-detail", lookup_field="slug")
    parent = serializers.SlugRelatedField(
        slug_field="slug", queryset=Actor.objects.all(), allow_null=True, required=False
    )
    aliases = AliasListField(required=False)

    nested_fields = ("aliases",)

    class Meta:
        model = Actor
        fields = [
            "slug",
            "url",
            "name",
            "short_name",
            "kind",
            "country",
            "parent",
            "wikidata_id",
            "description",
            "aliases",
            "created",
            "updated",
        ]
        read_only_fields = ["created", "updated"]

    def validate_slug(self, value):
        if self.instance is not None and value != self.instance.slug:
            raise serializers.ValidationError("A published slug never changes.")
        return value

    def validate_aliases(self, value):
        if len(set(value)) != len(value):
            raise serializers.ValidationError("Each alias may appear only once.")
        return value

    def create(self, validated_data):
        aliases = validated_data.pop("aliases", [])
        actor = super().create(validated_data)
        ActorAlias.objects.bulk_create(ActorAlias(actor=actor, alias=a) for a in aliases)
        return actor

    def update(self, instance, validated_data):
        aliases = validated_data.pop("aliases", None)
        actor = super().update(instance, validated_data)
        if aliases is not None:
            actor.aliases.exclude(alias__in=aliases).delete()
            existing = set(actor.aliases.values_list("alias", flat=True))
            ActorAlias.objects.bulk_create(
                ActorAlias(actor=actor, alias=a) for a in aliases if a not in existing
            )
        return actor


ACTOR_ROWS = RowSerializer(
    Actor,
    {
        "slug": "slug",
        "url": URL,
        "name": "name",
        "short_name": "short_name",
        "kind": "kind",
        "country": "country",
        "parent": "parent__slug",
        "wikidata_id": "wikidata_id",
        "description": "description",
        "aliases": Nested(ActorAlias, "actor", "alias"),
        "created": "created",
        "updated": "updated",
    },
    view_name="actor-detail",
    lookup_field="slug",
)
