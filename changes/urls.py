from rest_framework.routers import SimpleRouter

from .views import DeletionViewSet

router = SimpleRouter()
router.register("deletions", DeletionViewSet, basename="deletion")
