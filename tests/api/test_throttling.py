import pytest
from django.test import override_settings
from rest_framework.settings import api_settings

pytestmark = pytest.mark.django_db


def rates(anon):
    return override_settings(
        REST_FRAMEWORK={**api_settings.user_settings, "DEFAULT_THROTTLE_RATES": {"anon": anon}}
    )


def test_anonymous_clients_get_429_past_the_rate(api_client, world):
    with rates("2/minute"):
        assert api_client.get("/api/v1/issues/").status_code == 200
        assert api_client.get("/api/v1/issues/").status_code == 200
        response = api_client.get("/api/v1/issues/")
    assert response.status_code == 429
    assert "Retry-After" in response
    assert "throttled" in response.json()["detail"].lower()


def test_authenticated_clients_are_not_throttled_as_anonymous(user_with, world):
    client = user_with()
    with rates("1/minute"):
        statuses = [client.get("/api/v1/issues/").status_code for _ in range(3)]
    assert statuses == [200, 200, 200]


def test_no_rate_disables_the_throttle(api_client, world):
    with rates(None):
        statuses = [api_client.get("/api/v1/issues/").status_code for _ in range(5)]
    assert statuses == [200] * 5


def test_rate_comes_from_the_environment(monkeypatch):
    from config.settings import throttle_rate

    monkeypatch.setenv("ANON_THROTTLE_RATE", "30/minute")
    assert throttle_rate("ANON_THROTTLE_RATE", "1000/hour") == "30/minute"
    monkeypatch.setenv("ANON_THROTTLE_RATE", "off")
    assert throttle_rate("ANON_THROTTLE_RATE", "1000/hour") is None
