from rest_framework.settings import api_settings
from rest_framework.throttling import AnonRateThrottle as BaseAnonRateThrottle


class AnonRateThrottle(BaseAnonRateThrottle):
    """DRF reads the rates once at import; reading them per request lets tests change them."""

    def get_rate(self):
        return api_settings.DEFAULT_THROTTLE_RATES.get(self.scope)
