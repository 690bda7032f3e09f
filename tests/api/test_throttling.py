import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.test import override_settings
from rest_framework.settings import api_settings

pytestmark = pytest.mark.django_db

BASE_DIR = Path(__file__).resolve().parents[2]


def rates(anon, **rest_framework):
    return override_settings(
        REST_FRAMEWORK={
            **api_settings.user_settings,
            "DEFAULT_THROTTLE_RATES": {"anon": anon},
            **rest_framework,
        }
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


def test_a_spoofed_forwarded_for_header_does_not_reset_the_limit(api_client, world):
    # No trusted proxy by default: the header is the client's own claim.
    with rates("2/minute"):
        statuses = [
            api_client.get("/api/v1/issues/", HTTP_X_FORWARDED_FOR=f"198.51.100.{i}").status_code
            for i in range(3)
        ]
    assert statuses == [200, 200, 429]


def test_behind_a_trusted_proxy_the_client_is_the_address_the_proxy_saw(api_client, world):
    def get(forwarded_for):
        return api_client.get("/api/v1/issues/", HTTP_X_FORWARDED_FOR=forwarded_for).status_code

    with rates("2/minute", NUM_PROXIES=1):
        # The client may send any header; the proxy appends the address it saw.
        one_client = [get(f"198.51.100.{i}, 203.0.113.7") for i in range(3)]
        another_client = get("203.0.113.8")
    assert one_client == [200, 200, 429]
    assert another_client == 200


# Runs in a fresh interpreter: its own process, hence its own memory.
REQUESTS_IN_ANOTHER_PROCESS = """
import json, sys
import django
django.setup()
from django.test import Client
client = Client()
print(json.dumps([client.get("/api/v1/").status_code for _ in range(int(sys.argv[1]))]))
"""


def test_processes_share_one_allowance(tmp_path):
    # gunicorn's workers are processes: each must see the requests the others let through.
    environment = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "ANON_THROTTLE_RATE": "3/hour",
        "CACHE_DIR": str(tmp_path / "cache"),
        "DATABASE_URL": f"sqlite:///{tmp_path / 'unused.sqlite3'}",
    }
    environment.pop("REDIS_URL", None)

    def requests_in_a_new_process(count):
        result = subprocess.run(
            [sys.executable, "-c", REQUESTS_IN_ANOTHER_PROCESS, str(count)],
            cwd=BASE_DIR,
            env=environment,
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert result.returncode == 0, result.stderr
        return json.loads(result.stdout)

    assert requests_in_a_new_process(2) == [200, 200]
    assert requests_in_a_new_process(2) == [200, 429]


@pytest.mark.parametrize(
    "path",
    [
        "/datapackage/latest.zip",
        "/datapackage/1.0.0/datapackage.json",
        "/datapackage/1.0.0/data/events.csv",
        "/datapackage/elsewhere",
    ],
)
def test_downloads_are_throttled_like_the_api(api_client, db, path):
    with rates("2/minute"):
        first, second = (api_client.get(path) for _ in range(2))
        response = api_client.get(path)
    assert first.status_code != 429 and second.status_code != 429
    assert response.status_code == 429
    assert response["Content-Type"] == "application/json"
    assert "Retry-After" in response
    assert "throttled" in response.json()["detail"].lower()


def test_downloads_and_the_api_share_one_allowance(api_client, db):
    with rates("2/minute"):
        api_client.get("/api/v1/issues/")
        api_client.get("/datapackage/latest.zip")
        response = api_client.get("/api/v1/issues/")
    assert response.status_code == 429
