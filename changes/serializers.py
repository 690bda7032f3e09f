from rest_framework import serializers

from .models import Deletion


class DeletionSerializer(serializers.ModelSerializer):
    key = serializers.JSONField(
        help_text="The deleted row's public key: a slug, an id, or a list for a composite key."
    )

    class Meta:
        model = Deletion
        fields = ["id", "resource", "key", "deleted_at"]
        read_only_fields = fields
