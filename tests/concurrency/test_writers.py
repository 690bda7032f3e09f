"""Writers queue behind one another instead of failing, on every database."""

import pytest
from django.db import transaction

from actors.models import Actor
from tests.factories import ActorFactory

from .races import race

pytestmark = pytest.mark.django_db(transaction=True)

ROUNDS = 20


def test_concurrent_writers_wait_their_turn():
    # Each writer reads, then writes in one transaction, as validation inside a transaction
    # does. SQLite in its default (deferred) mode refuses one of two such writers with
    # "database is locked"; they must queue instead, on every database.
    actor = ActorFactory(slug="renamed")

    def rename(n):
        def write():
            with transaction.atomic():
                Actor.objects.get(pk=actor.pk)
                Actor.objects.filter(pk=actor.pk).update(name=f"Name {n}")
            return "saved"

        return write

    for _round in range(ROUNDS):
        assert race(*(rename(n) for n in range(4))) == ["saved"] * 4
