from rest_framework.routers import SimpleRouter

from .views import EventViewSet, IssueViewSet, PositionViewSet, RelationViewSet, SourceViewSet

router = SimpleRouter()
router.register("sources", SourceViewSet, basename="source")
router.register("events", EventViewSet, basename="event")
router.register("issues", IssueViewSet, basename="issue")
router.register("positions", PositionViewSet, basename="position")
router.register("relations", RelationViewSet, basename="relation")
