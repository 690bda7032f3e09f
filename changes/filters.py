from common.api.filters import DatasetFilterSet, InstantFilter, MultiValueChoiceFilter

from .models import Deletion
from .triggers import TABLES


class DeletionFilterSet(DatasetFilterSet):
    # A deleted row has no updated time; `after` is when it was deleted.
    updated_after = None

    after = InstantFilter(
        field_name="deleted_at",
        lookup_expr="gt",
        help_text="ISO 8601 date and time: rows deleted after it.",
    )
    resource = MultiValueChoiceFilter(
        field_name="resource",
        choices=[(resource, resource) for _table, resource, _columns in TABLES],
        help_text="Data package resource names, e.g. events.",
    )

    class Meta:
        model = Deletion
        fields = []
