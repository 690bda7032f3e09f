from django.contrib import admin

from .models import Release


@admin.register(Release)
class ReleaseAdmin(admin.ModelAdmin):
    """Releases are immutable and made by ``manage.py publish_release``: read-only here."""

    list_display = ["version", "created", "published", "previous_version", "zip_sha256"]
    search_fields = ["version", "notes"]
    readonly_fields = [
        "version",
        "previous_version",
        "created",
        "published",
        "notes",
        "zip_sha256",
        "descriptor_sha256",
        "row_counts",
        "changes",
    ]
    exclude = ["major", "minor", "patch"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
