from rest_framework import exceptions
from rest_framework.negotiation import DefaultContentNegotiation

from .formats import FORMATS, StreamRenderer


class ContentNegotiation(DefaultContentNegotiation):
    """An unavailable ``?format=`` is a client error, not DRF's bare 404.

    A streamed format is only ever a read's answer: any other request (OPTIONS, a write)
    that asks for one is refused here, before a view has run, not when rendering.
    """

    def select_renderer(self, request, renderers, format_suffix=None):
        if request.method not in ("GET", "HEAD"):
            renderers = [r for r in renderers if not isinstance(r, StreamRenderer)]
        return super().select_renderer(request, renderers, format_suffix)

    def filter_renderers(self, renderers, format):
        matching = [renderer for renderer in renderers if renderer.format == format]
        if matching:
            return matching
        available = ", ".join(renderer.format for renderer in renderers)
        if format in FORMATS:
            raise exceptions.NotAcceptable(
                f"Format '{format}' is not available here. Available formats: {available}."
            )
        raise exceptions.ValidationError(
            {"format": [f"Unknown format '{format}'. Available formats: {available}."]}
        )
