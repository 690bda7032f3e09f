from common.api.routers import router_for

from . import views

router = router_for(views)
