import shutil
import tempfile

import pytest
from django.conf import settings
from django.contrib.auth.models import Permission, User
from django.core.cache import caches
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from common.api.memo import clear_memos


def pytest_configure(config):
    # Hashing passwords the production way costs a third of the suite's time; the tests
    # check permissions, not the hasher's strength.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    # A cache of this run's own: two runs at once (SQLite and PostgreSQL) would otherwise
    # share the anonymous clients' request history in var/cache and throttle each other.
    if settings.CACHES["default"]["BACKEND"].endswith("FileBasedCache"):
        location = tempfile.mkdtemp(prefix="mena-alignments-test-cache-")
        settings.CACHES = {
            **settings.CACHES,
            "default": {**settings.CACHES["default"], "LOCATION": location},
        }
        config.test_cache_dir = location


def pytest_unconfigure(config):
    location = getattr(config, "test_cache_dir", None)
    if location:
        shutil.rmtree(location, ignore_errors=True)


@pytest.fixture(autouse=True)
def _fresh_cache():
    # The cache holds anonymous clients' request history and lists' counts by data version:
    # each test starts with a clean slate (a rolled-back test's version can come again).
    # So do the filtered lists' queries kept by data version (common/api/memo.py).
    # And the JSON answers kept by data version (common/api/response_cache.py).
    for each in caches.all():
        each.clear()
    clear_memos()
    yield
    for each in caches.all():
        each.clear()
    clear_memos()


@pytest.fixture
def api_client():
    return APIClient()


@pytest.fixture
def user_with(db):
    """A token-authenticated client for a user holding the given permission codenames."""

    def make(*codenames):
        user = User.objects.create_user(f"curator-{User.objects.count()}", password="pw-1234567")
        if codenames:
            user.user_permissions.set(Permission.objects.filter(codename__in=codenames))
        client = APIClient()
        client.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=user).key}")
        client.user = user
        return client

    return make
