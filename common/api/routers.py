from rest_framework.routers import SimpleRouter


def router_for(views):
    """A router with every dataset viewset defined in the module ``views``, each at its
    ``prefix`` (e.g. ``relations``) and named after its model (``relation-list``): a new
    resource is routed by defining its viewset."""
    from .viewsets import DatasetViewSet

    router = SimpleRouter()
    for viewset in vars(views).values():
        if (
            isinstance(viewset, type)
            and issubclass(viewset, DatasetViewSet)
            and viewset.__module__ == views.__name__
        ):
            basename = viewset.queryset.model._meta.model_name
            router.register(viewset.prefix, viewset, basename=basename)
    return router
