from django.db.models import Prefetch
from rest_framework.viewsets import ModelViewSet

from common.api import DatasetViewSetMixin, list_schema

from .filters import ActorFilterSet
from .models import Actor, ActorAlias
from .serializers import ACTOR_ROWS, ActorSerializer
from .tables import ACTORS


@list_schema(ActorSerializer)
class ActorViewSet(DatasetViewSetMixin, ModelViewSet):
    """States, forces, groups, organisations and people, with their hierarchy and aliases."""

    queryset = Actor.objects.all()
    serializer_class = ActorSerializer
    filterset_class = ActorFilterSet
    ordering_fields = ["slug", "name", "kind", "country", "created", "updated"]
    lookup_field = "slug"
    rows = ACTOR_ROWS
    table = ACTORS

    def get_queryset(self):
        return Actor.objects.select_related("parent").prefetch_related(
            Prefetch("aliases", queryset=ActorAlias.objects.order_by("alias"))
        )
