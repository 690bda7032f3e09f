"""A web request cannot hold the database past STATEMENT_TIMEOUT_MS: the query is stopped
and the request answers 503 in words, on SQLite and PostgreSQL alike."""

import json

import pytest
from django.db import connection
from django.test import RequestFactory

from common.middleware import StatementTimeoutMiddleware

pytestmark = pytest.mark.django_db

SLOW = {
    "postgresql": "SELECT pg_sleep(5)",
    # Counts to a hundred million: seconds of work for SQLite.
    "sqlite": "WITH RECURSIVE n(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM n "
    "WHERE x < 100000000) SELECT count(*) FROM n",
}


def slow_view(request):
    with connection.cursor() as cursor:
        cursor.execute(SLOW[connection.vendor])
    raise AssertionError("the query should have been stopped")


def quick_view(request):
    from django.http import JsonResponse

    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        return JsonResponse({"answer": cursor.fetchone()[0]})


def test_a_query_past_the_timeout_is_stopped_with_a_503(settings):
    settings.STATEMENT_TIMEOUT_MS = 100
    response = StatementTimeoutMiddleware(slow_view)(RequestFactory().get("/api/v1/events/"))
    assert response.status_code == 503
    assert "longer than this server allows" in json.loads(response.content)["detail"]


def test_a_page_past_the_timeout_answers_503_in_words(settings):
    settings.STATEMENT_TIMEOUT_MS = 100
    response = StatementTimeoutMiddleware(slow_view)(RequestFactory().get("/events/"))
    assert response.status_code == 503
    assert b"longer than this server allows" in response.content


def test_the_limit_ends_with_the_request(settings):
    settings.STATEMENT_TIMEOUT_MS = 100
    StatementTimeoutMiddleware(quick_view)(RequestFactory().get("/api/v1/events/"))
    # A management command on the same connection afterwards is not limited.
    with connection.cursor() as cursor:
        cursor.execute(
            {
                "postgresql": "SELECT pg_sleep(0.3)",
                "sqlite": SLOW["sqlite"].replace("100000000", "3000000"),
            }[connection.vendor]
        )


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL's session setting")
def test_a_connection_broken_during_the_request_still_answers(settings):
    settings.STATEMENT_TIMEOUT_MS = 100

    def breaking_view(request):
        response = quick_view(request)
        connection.connection.close()
        return response

    response = StatementTimeoutMiddleware(breaking_view)(RequestFactory().get("/api/v1/events/"))
    assert response.status_code == 200
    connection.close()


def test_zero_means_no_limit(settings):
    settings.STATEMENT_TIMEOUT_MS = 0
    response = StatementTimeoutMiddleware(quick_view)(RequestFactory().get("/api/v1/events/"))
    assert response.status_code == 200


def statement_timeout():
    with connection.cursor() as cursor:
        cursor.execute("SHOW statement_timeout")
        return cursor.fetchone()[0]


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL's session setting")
@pytest.mark.django_db(transaction=True)
def test_a_web_connection_is_limited_once_for_its_life(settings):
    settings.STATEMENT_TIMEOUT_MS = 100
    connection.close()
    connection.ensure_connection()
    sent = []
    execute = connection.connection.execute

    def spy(query, *args, **kwargs):
        sent.append(query)
        return execute(query, *args, **kwargs)

    connection.connection.execute = spy
    try:
        for _ in range(3):
            response = StatementTimeoutMiddleware(quick_view)(
                RequestFactory().get("/api/v1/events/")
            )
            assert response.status_code == 200
        # Set by the first request and kept: no round trip on the next ones.
        assert sent == ["SET statement_timeout = 100"]
        assert statement_timeout() == "100ms"
        response = StatementTimeoutMiddleware(slow_view)(RequestFactory().get("/api/v1/events/"))
        assert response.status_code == 503
        # Another limit is set anew; so is a new connection's, which starts unlimited.
        settings.STATEMENT_TIMEOUT_MS = 200
        StatementTimeoutMiddleware(quick_view)(RequestFactory().get("/api/v1/events/"))
        assert sent[-1] == "SET statement_timeout = 200"
    finally:
        connection.close()
    assert statement_timeout() == "0"
    StatementTimeoutMiddleware(quick_view)(RequestFactory().get("/api/v1/events/"))
    assert statement_timeout() == "200ms"
    connection.close()
