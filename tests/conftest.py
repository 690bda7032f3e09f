import pytest
from django.conf import settings
from rest_framework.test import APIClient


def pytest_configure(config):
    # Hashing passwords the production way costs a third of the suite's time; the tests
    # check permissions, not the hasher's strength.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def api_client():
    return APIClient()
