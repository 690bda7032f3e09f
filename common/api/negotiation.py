from rest_framework import exceptions
from rest_framework.negotiation import DefaultContentNegotiation

from .formats import FORMATS


class ContentNegotiation(DefaultContentNegotiation):
    """An unavailable ``?format=`` is a client error, not DRF's bare 404."""

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
