from django.contrib import admin

from .models import Deletion


@admin.register(Deletion)
class DeletionAdmin(admin.ModelAdmin):
    """The log is written by the database; curators read it."""

    list_display = ["deleted_at", "resource", "key"]
    list_filter = ["resource"]
    date_hierarchy = "deleted_at"

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
