from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import viewsets

from common.api.params import CheckedQueryMixin, check_query_params

from .filters import DeletionFilterSet
from .models import Deletion
from .serializers import DeletionSerializer


@extend_schema_view(
    list=extend_schema(
        description="Rows deleted from the live dataset, oldest first: with "
        "`updated_after` on each list, what a client needs to keep a copy in sync."
    )
)
class DeletionViewSet(CheckedQueryMixin, viewsets.ReadOnlyModelViewSet):
    """Rows deleted from the dataset by any path (API, admin, a replacing load)."""

    queryset = Deletion.objects.all()
    serializer_class = DeletionSerializer
    filterset_class = DeletionFilterSet
    ordering_fields = ["id", "deleted_at"]
    ordering = ["id"]

    def get_queryset(self):
        return Deletion.objects.order_by("id")

    def check_query_params(self, request):
        filters = DeletionFilterSet.base_filters
        check_query_params(
            request.query_params,
            accepted={"format", "page", "page_size", "cursor", "ordering", *filters},
            multi={"resource"},
            split={"resource"},
        )
