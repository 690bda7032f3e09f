"""Writes at the same moment from several threads, each with its own database connection,
as concurrent requests to a threaded server make them."""

import json
import threading
import urllib.error
import urllib.request
from concurrent.futures import ThreadPoolExecutor

from django.contrib.auth.models import Permission, User
from django.db import connection, connections
from rest_framework.authtoken.models import Token

from actors.models import Actor


def race(*calls):
    """Run ``calls`` in threads released together; each one's result, or the exception it
    raised, in order."""
    barrier = threading.Barrier(len(calls))

    def run(call):
        try:
            barrier.wait()
            return call()
        except Exception as error:
            return error
        finally:
            # Each thread has its own connections; leave none open for the test database's
            # teardown.
            connections.close_all()

    with ThreadPoolExecutor(len(calls)) as pool:
        return list(pool.map(run, calls))


def stored_cycles():
    """The actors whose stored ancestors come back to them (a walk bounded by a visited set)."""
    parents = dict(Actor.objects.values_list("pk", "parent_id"))
    looping = set()
    for pk in parents:
        seen, current = set(), parents[pk]
        while current is not None and current not in seen:
            if current == pk:
                looping.add(pk)
                break
            seen.add(current)
            current = parents.get(current)
    return looping


def waiting_for_a_lock(pid=None):
    """PostgreSQL: whether the backend ``pid`` (or any of the test database's) waits for a
    lock."""
    sql = (
        "SELECT count(*) FROM pg_stat_activity "
        "WHERE datname = current_database() AND wait_event_type = 'Lock'"
    )
    params = []
    if pid is not None:
        sql += " AND pid = %s"
        params.append(pid)
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchone()[0] > 0


def curator_token(codename):
    """The API token of a curator with the one permission ``codename`` (e.g. change_event)."""
    user = User.objects.create_user("curator", password="pw-1234567")
    user.user_permissions.set(Permission.objects.filter(codename=codename))
    return Token.objects.create(user=user).key


def request(method, url, token, payload=None, headers=()):
    """A JSON request to the live server's ``url``, as a curator: (status, ETag, body)."""
    call = urllib.request.Request(
        url,
        data=json.dumps(payload).encode() if payload is not None else None,
        method=method,
        headers={
            "Authorization": f"Token {token}",
            "Content-Type": "application/json",
            "Accept": "application/json",
            **dict(headers),
        },
    )
    try:
        with urllib.request.urlopen(call) as response:
            return response.status, response.headers.get("ETag"), response.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, None, error.read().decode()


def patch(url, token, payload):
    """PATCH ``payload`` to the live server's ``url``: (status, body)."""
    status, _etag, body = request("PATCH", url, token, payload)
    return status, body
