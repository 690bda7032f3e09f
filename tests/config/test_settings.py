"""Configuration comes from the environment, with safe production defaults."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

BASE_DIR = Path(__file__).resolve().parents[2]


def manage(*args, **env):
    environment = {
        key: value
        for key, value in os.environ.items()
        if key not in {"SECRET_KEY", "DEBUG", "ALLOWED_HOSTS", "DJANGO_ENV"}
    }
    environment.update(env)
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=BASE_DIR,
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_production_without_secret_key_refuses_to_start():
    result = manage("check", DJANGO_ENV="production", ALLOWED_HOSTS="example.org")
    assert result.returncode != 0
    assert "SECRET_KEY is not set" in result.stderr


STRONG_KEY = "x" * 20 + "a-long-random-production-secret-key-0123456789"


@pytest.mark.parametrize("name", ["prod", "staging", "Production-1", ""])
def test_unknown_environment_refuses_to_start(name):
    result = manage("check", DJANGO_ENV=name, SECRET_KEY=STRONG_KEY, ALLOWED_HOSTS="example.org")
    assert result.returncode != 0
    assert f"DJANGO_ENV={name!r} is not an environment" in result.stderr
    assert "'development'" in result.stderr and "'production'" in result.stderr


@pytest.mark.parametrize(
    "key,problem",
    [
        (" " * 60, "SECRET_KEY is not set"),
        ("short-but-random-Xq9", "SECRET_KEY has 20 characters, fewer than 50"),
        ("abab" * 15, "SECRET_KEY has 2 distinct characters, fewer than 5"),
        (
            "django-insecure-local-development-key-not-for-production-use-0123456789",
            "SECRET_KEY starts with 'django-insecure-', a development key",
        ),
    ],
    ids=["blank", "short", "few-distinct-characters", "insecure-prefix"],
)
def test_production_refuses_a_weak_secret_key(key, problem):
    result = manage("check", DJANGO_ENV="production", SECRET_KEY=key, ALLOWED_HOSTS="example.org")
    assert result.returncode != 0
    assert problem in result.stderr


def test_production_refuses_debug():
    result = manage(
        "check",
        DJANGO_ENV="production",
        SECRET_KEY=STRONG_KEY,
        ALLOWED_HOSTS="example.org",
        DEBUG="1",
    )
    assert result.returncode != 0
    assert "DEBUG is on with DJANGO_ENV=production" in result.stderr


def test_production_settings_pass_the_deployment_checklist():
    result = manage(
        "check",
        "--deploy",
        "--fail-level",
        "WARNING",
        DJANGO_ENV="production",
        SECRET_KEY=STRONG_KEY,
        ALLOWED_HOSTS="example.org",
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_development_settings_fail_the_deployment_checklist():
    result = manage("check", "--deploy", "--fail-level", "WARNING")
    assert result.returncode != 0


def test_environment_configures_debug_and_hosts():
    code = (
        "from django.conf import settings; import django; django.setup(); "
        "print(settings.DEBUG, settings.ALLOWED_HOSTS, settings.DATABASES['default']['ENGINE'])"
    )
    environment = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "DEBUG": "false",
        "ALLOWED_HOSTS": "a.example, b.example",
        "DATABASE_URL": "postgres://postgres@127.0.0.1:5432/anything",
    }
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=BASE_DIR, env=environment, capture_output=True, text=True
    )
    assert result.stdout.split() == [
        "False",
        "['a.example',",
        "'b.example']",
        "django.db.backends.postgresql",
    ]


@pytest.mark.parametrize("value,expected", [("1", True), ("true", True), ("0", False), ("", False)])
def test_debug_flag_parsing(value, expected):
    from config.settings import env_bool

    os.environ["MENA_TEST_FLAG"] = value
    try:
        assert env_bool("MENA_TEST_FLAG", False) is expected
    finally:
        del os.environ["MENA_TEST_FLAG"]


# Read by the tests below; a value in the outer environment would change their defaults.
CONFIGURED = {
    "TRUSTED_PROXIES",
    "LOGIN_LOCKOUT_KEY",
    "LOGIN_FAILURE_LIMIT",
    "LOGIN_COOLOFF_MINUTES",
    "POSTGRES_PREPARED_STATEMENTS",
    "POSTGRES_RANDOM_PAGE_COST",
}


def settings_in_a_new_process(expression, **env):
    code = f"import django; django.setup(); from django.conf import settings; print({expression})"
    environment = {key: value for key, value in os.environ.items() if key not in CONFIGURED}
    environment.update(DJANGO_SETTINGS_MODULE="config.settings", **env)
    return subprocess.run(
        [sys.executable, "-c", code], cwd=BASE_DIR, env=environment, capture_output=True, text=True
    )


def test_trusted_proxies_sets_how_throttling_reads_forwarded_for():
    default = settings_in_a_new_process("settings.REST_FRAMEWORK['NUM_PROXIES']")
    configured = settings_in_a_new_process(
        "settings.REST_FRAMEWORK['NUM_PROXIES']", TRUSTED_PROXIES="2"
    )
    assert (default.stdout.strip(), configured.stdout.strip()) == ("0", "2")


@pytest.mark.parametrize("value", ["-1", "one", "1.5"])
def test_trusted_proxies_must_be_a_whole_number(value):
    result = settings_in_a_new_process("settings.TRUSTED_PROXIES", TRUSTED_PROXIES=value)
    assert result.returncode != 0
    assert f"TRUSTED_PROXIES={value!r} must be a whole number, 0 or more." in result.stderr


@pytest.mark.parametrize(
    "key,parameters",
    [
        ("", "[['username', 'ip_address']]"),
        ("ip_address", "['ip_address']"),
        ("username+ip_address,ip_address", "[['username', 'ip_address'], 'ip_address']"),
    ],
)
def test_login_lockout_key_comes_from_the_environment(key, parameters):
    result = settings_in_a_new_process("settings.AXES_LOCKOUT_PARAMETERS", LOGIN_LOCKOUT_KEY=key)
    assert result.stdout.strip() == parameters, result.stderr


def test_an_unknown_login_lockout_key_refuses_to_start():
    result = settings_in_a_new_process("1", LOGIN_LOCKOUT_KEY="username+ip")
    assert result.returncode != 0
    assert "LOGIN_LOCKOUT_KEY='username+ip': a key is made of username, ip_address" in (
        result.stderr
    )


def test_login_policy_comes_from_the_environment():
    result = settings_in_a_new_process(
        "settings.AXES_FAILURE_LIMIT, settings.AXES_COOLOFF_TIME",
        LOGIN_FAILURE_LIMIT="10",
        LOGIN_COOLOFF_MINUTES="60",
    )
    assert result.stdout.strip() == "10 1:00:00"


@pytest.mark.parametrize("name", ["LOGIN_FAILURE_LIMIT", "LOGIN_COOLOFF_MINUTES"])
def test_login_policy_needs_at_least_one(name):
    result = settings_in_a_new_process("1", **{name: "0"})
    assert result.returncode != 0
    assert f"{name}='0' must be a whole number, 1 or more." in result.stderr


@pytest.mark.django_db
def test_sqlite_reads_through_a_memory_map_and_a_larger_page_cache(settings):
    from django.db import connection

    if connection.vendor != "sqlite":
        pytest.skip("SQLite's own settings")
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA mmap_size")
        assert cursor.fetchone()[0] == settings.SQLITE_MMAP_BYTES > 0
        cursor.execute("PRAGMA cache_size")
        assert cursor.fetchone()[0] == -settings.SQLITE_CACHE_KIB


POSTGRES_URL = "postgres://postgres@127.0.0.1:5432/anything"


def postgres_options(**env):
    return settings_in_a_new_process(
        "sorted(settings.DATABASES['default']['OPTIONS'].items())", DATABASE_URL=POSTGRES_URL, **env
    )


def test_postgresql_prepares_statements_and_plans_for_memory_by_default():
    result = postgres_options()
    assert result.stdout.strip() == (
        "[('options', '-c random_page_cost=1.1'), ('prepare_threshold', 5), "
        "('server_side_binding', True)]"
    )


def test_prepared_statements_can_be_turned_off_for_a_pooler():
    result = postgres_options(POSTGRES_PREPARED_STATEMENTS="false", POSTGRES_RANDOM_PAGE_COST="2")
    assert result.stdout.strip() == "[('options', '-c random_page_cost=2.0')]"


@pytest.mark.parametrize("value", ["abc", "-1", "0", "nan", "inf"])
def test_random_page_cost_must_be_a_positive_number(value):
    result = postgres_options(POSTGRES_RANDOM_PAGE_COST=value)
    assert result.returncode != 0
    assert f"POSTGRES_RANDOM_PAGE_COST={value!r} must be a positive number" in result.stderr
