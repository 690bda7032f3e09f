"""The database itself refuses invalid actors: each rule is a constraint, not only a form check."""

import pytest
from django.db import DataError, IntegrityError, transaction
from django.db.models import ProtectedError

from actors.models import Actor, ActorAlias
from tests.factories import ActorFactory, cited_event, cited_position

pytestmark = pytest.mark.django_db


def assert_refused(create):
    # PostgreSQL reports an over-long value as a DataError, SQLite as a failed check.
    with pytest.raises((IntegrityError, DataError)), transaction.atomic():
        create()


VALID_ACTOR = {"slug": "iran", "name": "Iran", "kind": "state", "country": "IR"}


@pytest.mark.parametrize(
    "field,value",
    [
        ("slug", "Not A Slug"),
        ("slug", "trailing-"),
        ("name", ""),
        ("kind", "superpower"),
        ("country", "ir"),
        ("country", "IRN"),
        ("wikidata_id", "794"),
        ("wikidata_id", "Q0794"),
    ],
)
def test_database_refuses_invalid_actor_field(field, value):
    assert_refused(lambda: Actor.objects.create(**{**VALID_ACTOR, field: value}))


def test_valid_actor_is_stored():
    actor = Actor.objects.create(**VALID_ACTOR, wikidata_id="Q794")
    assert Actor.objects.get(slug="iran") == actor


def test_database_refuses_duplicate_slug():
    ActorFactory(slug="iran")
    assert_refused(lambda: Actor.objects.create(**VALID_ACTOR))


def test_database_refuses_duplicate_wikidata_id():
    ActorFactory(slug="iran", wikidata_id="Q794")
    assert_refused(
        lambda: Actor.objects.create(slug="persia", name="Persia", kind="state", wikidata_id="Q794")
    )


def test_blank_wikidata_ids_do_not_clash():
    ActorFactory(wikidata_id="")
    ActorFactory(wikidata_id="")
    assert Actor.objects.filter(wikidata_id="").count() == 2


def test_database_refuses_actor_as_its_own_parent():
    actor = ActorFactory()
    assert_refused(lambda: Actor.objects.filter(pk=actor.pk).update(parent=actor.pk))


def test_deleting_a_parent_actor_is_refused():
    iran = ActorFactory(slug="iran")
    ActorFactory(slug="irgc", parent=iran)
    with pytest.raises(ProtectedError):
        iran.delete()


def test_deleting_an_actor_that_events_cite_is_refused():
    actor = ActorFactory()
    cited_event(actors=[(actor, "initiator")])
    with pytest.raises(ProtectedError):
        actor.delete()


def test_deleting_an_actor_with_positions_is_refused():
    position = cited_position()
    with pytest.raises(ProtectedError):
        position.actor.delete()


def test_deleting_an_actor_deletes_its_aliases():
    actor = ActorFactory()
    ActorAlias.objects.create(actor=actor, alias="Another name")
    actor.delete()
    assert not ActorAlias.objects.exists()


def test_database_refuses_duplicate_alias():
    actor = ActorFactory()
    ActorAlias.objects.create(actor=actor, alias="Ansar Allah")
    assert_refused(lambda: ActorAlias.objects.create(actor=actor, alias="Ansar Allah"))


def test_database_refuses_blank_alias():
    actor = ActorFactory()
    assert_refused(lambda: ActorAlias.objects.create(actor=actor, alias=""))


def test_database_refuses_alias_of_missing_actor():
    from django.db import connection

    with pytest.raises(IntegrityError), transaction.atomic():
        ActorAlias.objects.create(actor_id=987654, alias="Nobody")
        connection.check_constraints()
