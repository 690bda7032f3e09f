from rest_framework import serializers

from common.api.links import DatasetLink
from common.api.serializers import DatasetSerializer, PublicKeyMixin

from .models import Actor
from .services import actor_create, actor_update


class AliasListField(serializers.ListField):
    """An actor's aliases as a list of strings, written as the whole set."""

    child = serializers.CharField(max_length=200)
    row_path = "alias"  # what the list path reads from each related row

    def to_representation(self, data):
        return [alias.alias for alias in data.all()]


class ActorSerializer(PublicKeyMixin, DatasetSerializer):
    url = DatasetLink(view_name="actor-detail", lookup_field="slug")
    parent = serializers.SlugRelatedField(
        slug_field="slug", queryset=Actor.objects.all(), allow_null=True, required=False
    )
    aliases = AliasListField(required=False)

    nested_fields = ("aliases",)
    create_function = staticmethod(actor_create)
    update_function = staticmethod(actor_update)

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

    def validate_aliases(self, value):
        if len(set(value)) != len(value):
            raise serializers.ValidationError("Each alias may appear only once.")
        return value
