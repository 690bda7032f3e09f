from django.urls import reverse
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from .citation import release_citation
from .models import Release
from .schema import RESOURCES


def download_urls(request, release):
    """The addresses of a release's zip, descriptor and CSV files: only the resources it
    has (an earlier minor version may have fewer)."""
    version = release.version

    def absolute(path):
        return request.build_absolute_uri(path) if request is not None else path

    return {
        "zip": absolute(reverse("datapackage-zip", kwargs={"version": version})),
        "datapackage": absolute(reverse("datapackage-descriptor", kwargs={"version": version})),
        "resources": {
            table.name: absolute(
                reverse("datapackage-resource", kwargs={"version": version, "resource": table.name})
            )
            for table in RESOURCES
            if table.name in release.row_counts
        },
    }


class ReleaseSerializer(serializers.HyperlinkedModelSerializer):
    url = serializers.HyperlinkedIdentityField(view_name="release-detail", lookup_field="version")
    changes_summary = serializers.SerializerMethodField(
        help_text="{resource: {added: n, removed: n, modified: n}} since the previous release."
    )
    downloads = serializers.SerializerMethodField()

    class Meta:
        model = Release
        fields = [
            "url",
            "version",
            "previous_version",
            "created",
            "published",
            "notes",
            "zip_sha256",
            "descriptor_sha256",
            "row_counts",
            "changes_summary",
            "downloads",
        ]
        read_only_fields = fields

    @extend_schema_field(
        {
            "type": "object",
            "additionalProperties": {
                "type": "object",
                "properties": {
                    kind: {"type": "integer"} for kind in ("added", "removed", "modified")
                },
            },
        }
    )
    def get_changes_summary(self, release):
        return {
            name: {kind: len(keys) for kind, keys in change.items()}
            for name, change in release.changes.items()
        }

    @extend_schema_field(
        {
            "type": "object",
            "properties": {
                "zip": {"type": "string", "format": "uri"},
                "datapackage": {"type": "string", "format": "uri"},
                "resources": {
                    "type": "object",
                    "additionalProperties": {"type": "string", "format": "uri"},
                },
            },
        }
    )
    def get_downloads(self, release):
        return download_urls(self.context.get("request"), release)


class ReleaseDetailSerializer(ReleaseSerializer):
    citation = serializers.SerializerMethodField(
        help_text="How to cite this release: a sentence and a BibTeX entry with its version, "
        "date, address and the sha256 of its zip."
    )

    changes = serializers.JSONField(
        read_only=True,
        help_text="{resource: {added: [keys], removed: [keys], modified: [keys]}} since the "
        "previous release (all rows are 'added' in the first release). A key is a slug, "
        "an id, or a list for a composite key.",
    )

    class Meta(ReleaseSerializer.Meta):
        fields = [*ReleaseSerializer.Meta.fields, "citation", "changes"]
        read_only_fields = fields

    @extend_schema_field(
        {
            "type": "object",
            "properties": {"text": {"type": "string"}, "bibtex": {"type": "string"}},
        }
    )
    def get_citation(self, release):
        url = download_urls(self.context.get("request"), release)["zip"]
        text, bibtex = release_citation(release, url)
        return {"text": text, "bibtex": bibtex}
