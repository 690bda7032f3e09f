"""Two curators making A the child of B and B the child of A at the same moment: exactly one
succeeds and no cycle is stored, on SQLite and PostgreSQL alike (issue 7, defect 1).

Validation reads the hierarchy before the write's transaction (as the API's serializer
does), so only the database can decide such a race.
"""

import json
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from functools import partial

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, connections, transaction

from actors.models import HIERARCHY_RULE, Actor
from tests.factories import ActorFactory

from .races import curator_token, patch, race, stored_cycles, waiting_for_a_lock

pytestmark = pytest.mark.django_db(transaction=True)

ROUNDS = 20


def set_parent(child_pk, parent_pk):
    """What a write through the admin or the API does: validate, then save atomically."""
    actor = Actor.objects.get(pk=child_pk)
    actor.parent_id = parent_pk
    try:
        actor.full_clean()
        with transaction.atomic():
            actor.save()
    except (ValidationError, IntegrityError) as refused:
        return refused
    return "saved"


def test_concurrent_parent_swaps_through_the_orm_store_no_cycle():
    outcomes = []
    for n in range(ROUNDS):
        a, b = ActorFactory(slug=f"orm-a-{n}"), ActorFactory(slug=f"orm-b-{n}")
        outcomes.append(race(partial(set_parent, a.pk, b.pk), partial(set_parent, b.pk, a.pk)))

    for outcome in outcomes:
        saved = [result for result in outcome if result == "saved"]
        refused = [result for result in outcome if result != "saved"]
        assert len(saved) == 1, outcome
        # Refused in words, never by a lock timeout ("database is locked") or another error.
        assert isinstance(refused[0], (ValidationError, IntegrityError)), outcome
        assert HIERARCHY_RULE.message in str(refused[0])
    assert stored_cycles() == set()


@pytest.fixture
def token():
    return curator_token("change_actor")


def api_parent_swaps(server_url, token, prefix):
    """ROUNDS races of two PATCHes making a new pair of actors each other's parent."""

    def set_parent_by_api(child, parent):
        return patch(f"{server_url}/api/v1/actors/{child}/", token, {"parent": parent})

    outcomes = []
    for n in range(ROUNDS):
        a, b = ActorFactory(slug=f"{prefix}-a-{n}"), ActorFactory(slug=f"{prefix}-b-{n}")
        outcomes.append(
            race(
                partial(set_parent_by_api, a.slug, b.slug),
                partial(set_parent_by_api, b.slug, a.slug),
            )
        )
    return outcomes


def test_concurrent_parent_swaps_through_the_api_store_no_cycle(live_server, token):
    outcomes = api_parent_swaps(live_server.url, token, "api")

    for outcome in outcomes:
        assert sorted(status for status, _body in outcome) == [200, 400], outcome
        body = next(body for status, body in outcome if status == 400)
        error = json.loads(body)
        assert error["detail"]
        assert HIERARCHY_RULE.message in body
        assert "Traceback" not in body
    assert stored_cycles() == set()


def test_an_api_race_is_refused_in_the_rules_words_only(live_server, token):
    outcomes = api_parent_swaps(live_server.url, token, "words")

    refusals = [
        json.loads(body) for outcome in outcomes for status, body in outcome if status == 400
    ]
    messages = [
        message for refusal in refusals for field in refusal["errors"].values() for message in field
    ]
    assert len(messages) == ROUNDS
    assert all(message == HIERARCHY_RULE.message for message in messages), messages


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL's locks and snapshots")
def test_second_change_waits_for_the_first_and_sees_it_committed():
    """The hierarchy check runs after a lock that serialises hierarchy changes; in READ
    COMMITTED its query then sees the first change, committed after the second's statement
    began. Deterministic: the test waits until PostgreSQL shows the second change blocked."""
    a, b = ActorFactory(slug="first"), ActorFactory(slug="second")
    first_written, release_first = threading.Event(), threading.Event()
    second_backend = []

    def first():
        try:
            with transaction.atomic():
                Actor.objects.filter(pk=a.pk).update(parent=b)
                first_written.set()
                release_first.wait()
        finally:
            first_written.set()
            connections.close_all()

    def second():
        try:
            with transaction.atomic():
                with connection.cursor() as cursor:
                    cursor.execute("SELECT pg_backend_pid()")
                    second_backend.append(cursor.fetchone()[0])
                Actor.objects.filter(pk=b.pk).update(parent=a)
            return "saved"
        except IntegrityError as refused:
            return refused
        finally:
            connections.close_all()

    with ThreadPoolExecutor(2) as pool:
        first_done = pool.submit(first)
        first_written.wait()
        second_done = pool.submit(second)
        while not second_backend and not second_done.done():
            time.sleep(0.001)
        while not second_done.done() and not waiting_for_a_lock(second_backend[0]):
            time.sleep(0.001)
        second_waited = not second_done.done()
        release_first.set()
        first_done.result()
        outcome = second_done.result()

    assert second_waited, "the second hierarchy change did not wait for the first"
    assert isinstance(outcome, IntegrityError), outcome
    assert HIERARCHY_RULE.message in str(outcome)
    assert stored_cycles() == set()
