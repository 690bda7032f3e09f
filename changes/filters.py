from common.api.filters import DatasetFilterSet, InstantFilter, MultiValueFilter

from .models import Deletion


class DeletionFilterSet(DatasetFilterSet):
    # A deleted row has no updated time; `after` is when it was deleted.
    updated_after = None

    after = InstantFilter(
        field_name="deleted_at",
        lookup_expr="gt",
        help_text="ISO 8601 date and time: rows deleted after it.",
    )
    resource = MultiValueFilter(
        field_name="resource", help_text="Data package resource names, e.g. events."
    )

    class Meta:
        model = Deletion
        fields = []
