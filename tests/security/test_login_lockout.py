"""Brute-force protection on both logins: the admin's and the browsable API's."""

import datetime

import pytest
from axes.models import AccessAttempt
from django.conf import settings as django_settings
from django.contrib.auth.models import User
from django.test import Client, override_settings
from rest_framework.settings import api_settings

pytestmark = pytest.mark.django_db

ADMIN_LOGIN = "/admin/login/"
API_LOGIN = "/api/v1/auth/login/"
PASSWORD = "the-Right-password-1"
LIMIT = django_settings.LOGIN_FAILURE_LIMIT


@pytest.fixture(autouse=True)
def curator(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    return User.objects.create_user("curator", password=PASSWORD, is_staff=True)


@pytest.fixture
def client():
    return Client(raise_request_exception=False)


def log_in(client, path, password, username="curator", **headers):
    return client.post(path, {"username": username, "password": password}, **headers)


def fail(client, path, times, **kwargs):
    return [log_in(client, path, "wrong", **kwargs).status_code for _ in range(times)]


def test_the_policy_is_five_failures_and_a_fifteen_minute_cool_off():
    # The README documents these defaults.
    assert (LIMIT, django_settings.LOGIN_COOLOFF_MINUTES) == (5, 15)
    assert django_settings.AXES_LOCKOUT_PARAMETERS == [["username", "ip_address"]]


@pytest.mark.parametrize("path", [ADMIN_LOGIN, API_LOGIN])
def test_failures_below_the_limit_get_the_login_form_again(client, path):
    assert fail(client, path, LIMIT - 1) == [200] * (LIMIT - 1)


def test_the_admin_login_locks_out_in_words(client):
    assert fail(client, ADMIN_LOGIN, LIMIT)[-1] == 429
    response = log_in(client, ADMIN_LOGIN, PASSWORD)
    assert response.status_code == 429
    assert response["Content-Type"].startswith("text/plain")
    assert response.content.decode() == django_settings.AXES_COOLOFF_MESSAGE
    assert "locked for 15 minutes" in response.content.decode()
    assert response["Retry-After"] == "900"
    assert "_auth_user_id" not in client.session


def test_the_api_login_locks_out_in_json(client):
    assert fail(client, API_LOGIN, LIMIT)[-1] == 429
    response = log_in(client, API_LOGIN, PASSWORD)
    assert response.status_code == 429
    assert response["Content-Type"] == "application/json"
    assert response.json() == {"detail": django_settings.AXES_COOLOFF_MESSAGE}
    assert response["Retry-After"] == "900"
    assert "_auth_user_id" not in client.session


def test_one_lockout_covers_both_logins(client):
    fail(client, API_LOGIN, LIMIT)
    assert log_in(client, ADMIN_LOGIN, PASSWORD).status_code == 429


def test_another_username_from_the_same_address_is_not_locked(client):
    User.objects.create_user("other", password=PASSWORD, is_staff=True)
    fail(client, ADMIN_LOGIN, LIMIT)
    assert log_in(client, ADMIN_LOGIN, PASSWORD, username="other").status_code == 302


def test_the_same_username_from_another_address_is_not_locked(client):
    fail(client, ADMIN_LOGIN, LIMIT, REMOTE_ADDR="198.51.100.1")
    response = log_in(client, ADMIN_LOGIN, PASSWORD, REMOTE_ADDR="198.51.100.2")
    assert response.status_code == 302


def test_a_spoofed_forwarded_for_header_does_not_escape_the_lockout(client):
    for n in range(LIMIT):
        log_in(client, ADMIN_LOGIN, "wrong", HTTP_X_FORWARDED_FOR=f"198.51.100.{n}")
    response = log_in(client, ADMIN_LOGIN, PASSWORD, HTTP_X_FORWARDED_FOR="198.51.100.99")
    assert response.status_code == 429


def test_behind_a_trusted_proxy_the_lockout_keys_on_the_address_the_proxy_saw(client):
    proxied = override_settings(REST_FRAMEWORK={**api_settings.user_settings, "NUM_PROXIES": 1})
    with proxied:
        fail(client, ADMIN_LOGIN, LIMIT, HTTP_X_FORWARDED_FOR="203.0.113.7")
        locked = log_in(client, ADMIN_LOGIN, PASSWORD, HTTP_X_FORWARDED_FOR="1.2.3.4, 203.0.113.7")
        other = log_in(client, ADMIN_LOGIN, PASSWORD, HTTP_X_FORWARDED_FOR="203.0.113.8")
    assert locked.status_code == 429
    assert other.status_code == 302
    assert set(AccessAttempt.objects.values_list("ip_address", flat=True)) == {"203.0.113.7"}


def test_a_successful_login_starts_the_count_again(client):
    fail(client, ADMIN_LOGIN, LIMIT - 1)
    assert log_in(client, ADMIN_LOGIN, PASSWORD).status_code == 302
    client.logout()
    assert fail(client, ADMIN_LOGIN, LIMIT - 1) == [200] * (LIMIT - 1)


def test_the_lockout_ends_after_the_cool_off(client):
    fail(client, ADMIN_LOGIN, LIMIT)
    # The attempts as they will look when the cool-off has passed.
    cool_off = datetime.timedelta(minutes=django_settings.LOGIN_COOLOFF_MINUTES, seconds=1)
    for attempt in AccessAttempt.objects.all():
        AccessAttempt.objects.filter(pk=attempt.pk).update(
            attempt_time=attempt.attempt_time - cool_off
        )
    assert log_in(client, ADMIN_LOGIN, PASSWORD).status_code == 302
