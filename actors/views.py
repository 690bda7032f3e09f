from django.db.models import Prefetch

from common.api.viewsets import SLUG_REGEX, DatasetViewSet

from .filters import ActorFilterSet
from .models import Actor, ActorAlias
from .serializers import ActorSerializer
from .tables import ACTORS


class ActorViewSet(DatasetViewSet):
    """States, forces, groups, organisations and people, with their hierarchy and aliases."""

    prefix = "actors"
    queryset = Actor.objects.all()
    serializer_class = ActorSerializer
    filterset_class = ActorFilterSet
    ordering_fields = ["slug", "name", "kind", "country", "created", "updated"]
    lookup_field = "slug"
    lookup_value_regex = SLUG_REGEX
    table = ACTORS

    def get_queryset(self):
        return Actor.objects.select_related("parent").prefetch_related(
            Prefetch("aliases", queryset=ActorAlias.objects.order_by("alias"))
        )
