"""The actor hierarchy never loops: the database refuses a cycle by any path, and no walk in
actors/ runs forever on one that got in anyway (e.g. stored with the trigger disabled)."""

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction

from actors.filters import actor_tree_ids
from actors.models import HIERARCHY_RULE, Actor
from tests.factories import ActorFactory

pytestmark = pytest.mark.django_db

RULE_NAME = "actor_parent_acyclic"


def chain(length, prefix="level"):
    """``length`` actors, each the parent of the next; the last has ``length - 1`` ancestors."""
    actors = [ActorFactory(slug=f"{prefix}-0")]
    for n in range(1, length):
        actors.append(ActorFactory(slug=f"{prefix}-{n}", parent=actors[-1]))
    return actors


def execute(sql, params=()):
    with connection.cursor() as cursor:
        cursor.execute(sql, params)


def refused_by_database(write):
    """The database's error text for a write it refuses (the write is rolled back)."""
    with pytest.raises(IntegrityError) as refused, transaction.atomic():
        write()
    return str(refused.value)


def alter_actor_table(change):
    # PostgreSQL alters no table with foreign key checks still pending in the transaction.
    execute("SET CONSTRAINTS ALL IMMEDIATE")
    execute(f"ALTER TABLE actors_actor {change}")
    execute("SET CONSTRAINTS ALL DEFERRED")


@pytest.fixture
def unguarded():
    """The hierarchy trigger off for this test only (the test's transaction restores it), to
    store what only a broken or bypassed database could hold."""
    if connection.vendor == "postgresql":
        alter_actor_table(f"DISABLE TRIGGER {RULE_NAME}")
    else:
        execute(f"DROP TRIGGER {RULE_NAME}_insert")
        execute(f"DROP TRIGGER {RULE_NAME}_update")


def stored_cycle():
    """a -> b -> c -> a, stored behind the database's back."""
    a, b, c = (ActorFactory(slug=slug) for slug in ("cycle-a", "cycle-b", "cycle-c"))
    Actor.objects.filter(pk=a.pk).update(parent=b)
    Actor.objects.filter(pk=b.pk).update(parent=c)
    Actor.objects.filter(pk=c.pk).update(parent=a)
    return tuple(Actor.objects.get(pk=actor.pk) for actor in (a, b, c))


@pytest.fixture
def query_budget():
    """Fails a block that runs more queries than a bounded walk needs, so an endless walk
    ends in an error instead of hanging the suite."""

    class Exhausted(Exception):
        pass

    def limit(count):
        used = 0

        def count_query(execute, sql, params, many, context):
            nonlocal used
            used += 1
            if used > count:
                raise Exhausted(f"more than {count} queries: the walk does not stop")
            return execute(sql, params, many, context)

        return connection.execute_wrapper(count_query)

    return limit


# -- the database refuses a cycle by any path ------------------------------------------


def test_raw_sql_cannot_store_a_cycle():
    iran, irgc, quds = chain(3)
    message = refused_by_database(
        lambda: execute("UPDATE actors_actor SET parent_id = %s WHERE id = %s", [quds.pk, iran.pk])
    )
    assert RULE_NAME in message
    assert HIERARCHY_RULE.message in message
    assert Actor.objects.get(pk=iran.pk).parent_id is None


def test_queryset_update_cannot_store_a_two_actor_cycle():
    a, b = ActorFactory(), ActorFactory()
    Actor.objects.filter(pk=a.pk).update(parent=b)
    message = refused_by_database(lambda: Actor.objects.filter(pk=b.pk).update(parent=a))
    assert HIERARCHY_RULE.message in message


def test_one_statement_cannot_swap_two_parents_into_a_cycle():
    a, b = ActorFactory(), ActorFactory()
    refused_by_database(
        lambda: execute(
            "UPDATE actors_actor SET parent_id = CASE id WHEN %s THEN %s ELSE %s END "
            "WHERE id IN (%s, %s)",
            [a.pk, b.pk, a.pk, a.pk, b.pk],
        )
    )
    assert not Actor.objects.filter(parent__isnull=False).exists()


def test_inserted_rows_cannot_close_a_cycle():
    # A load inserts rows with their ids, a parent possibly after its child.
    def insert_both():
        Actor.objects.bulk_create(
            [
                Actor(id=9001, slug="first", name="First", kind="state", parent_id=9002),
                Actor(id=9002, slug="second", name="Second", kind="state", parent_id=9001),
            ]
        )

    assert HIERARCHY_RULE.message in refused_by_database(insert_both)


def test_saving_a_model_cannot_store_a_cycle():
    iran, irgc = chain(2)
    iran.parent = irgc
    assert HIERARCHY_RULE.message in refused_by_database(iran.save)


def test_a_chain_of_max_depth_is_stored():
    deepest = chain(HIERARCHY_RULE.max_depth + 1)[-1]
    assert Actor.objects.get(pk=deepest.pk).parent_id is not None


def test_database_refuses_a_chain_deeper_than_max_depth():
    deepest = chain(HIERARCHY_RULE.max_depth + 1)[-1]
    message = refused_by_database(lambda: ActorFactory(slug="too-deep", parent=deepest))
    assert RULE_NAME in message
    assert HIERARCHY_RULE.depth_message in message


def test_moving_a_subtree_elsewhere_is_allowed():
    iran, irgc, quds = chain(3)
    russia = ActorFactory(slug="russia")
    Actor.objects.filter(pk=irgc.pk).update(parent=russia)
    Actor.objects.filter(pk=irgc.pk).update(parent=None)
    Actor.objects.filter(pk=irgc.pk).update(parent=iran)
    assert Actor.objects.get(pk=quds.pk).parent.parent == iran


def test_unguarded_fixture_lets_a_cycle_in(unguarded):
    # The fixture the tests below rely on really stores a cycle (and the test's transaction
    # restores the trigger: the tests above run with it).
    a, b, c = stored_cycle()
    assert Actor.objects.get(pk=a.pk).parent_id == b.pk


# -- model validation: a bounded walk with the rule's words ----------------------------


def test_clean_refuses_a_parent_cycle_with_the_rules_message():
    iran, irgc, quds = chain(3)
    iran.parent = quds
    with pytest.raises(ValidationError) as refused:
        iran.full_clean()
    assert refused.value.message_dict["parent"] == [HIERARCHY_RULE.message]


def test_clean_refuses_a_chain_deeper_than_max_depth():
    deepest = chain(HIERARCHY_RULE.max_depth + 1)[-1]
    actor = Actor(slug="too-deep", name="Too deep", kind="state", parent=deepest)
    with pytest.raises(ValidationError) as refused:
        actor.full_clean()
    assert refused.value.message_dict["parent"] == [HIERARCHY_RULE.depth_message]


def test_clean_accepts_a_chain_of_max_depth():
    deepest = chain(HIERARCHY_RULE.max_depth)[-1]
    Actor(slug="deepest-allowed", name="Deepest", kind="state", parent=deepest).full_clean()


def test_clean_stops_on_a_stored_cycle_above_the_actor(unguarded, query_budget):
    a, _b, _c = stored_cycle()
    newcomer = Actor(slug="newcomer", name="Newcomer", kind="state", parent=a)
    with query_budget(4 * HIERARCHY_RULE.max_depth), pytest.raises(ValidationError) as refused:
        newcomer.full_clean()
    assert refused.value.message_dict["parent"] == [HIERARCHY_RULE.message]


def test_clean_stops_on_a_stored_cycle_through_the_actor(unguarded, query_budget):
    a, _b, _c = stored_cycle()
    a.name = "Renamed"
    with query_budget(4 * HIERARCHY_RULE.max_depth), pytest.raises(ValidationError) as refused:
        a.full_clean()
    assert refused.value.message_dict["parent"] == [HIERARCHY_RULE.message]


def test_clean_stops_on_a_stored_chain_deeper_than_max_depth(unguarded, query_budget):
    deepest = chain(2 * HIERARCHY_RULE.max_depth)[-1]
    deepest.name = "Renamed"
    with query_budget(4 * HIERARCHY_RULE.max_depth), pytest.raises(ValidationError) as refused:
        deepest.full_clean()
    assert refused.value.message_dict["parent"] == [HIERARCHY_RULE.depth_message]


# -- actor_tree filter: terminates on any stored data ----------------------------------


def test_actor_tree_ids_terminates_on_a_stored_cycle(unguarded, query_budget):
    a, b, c = stored_cycle()
    below = ActorFactory(slug="below", parent=b)
    with query_budget(1):
        found = actor_tree_ids([a])
    assert found == {a.pk, b.pk, c.pk, below.pk}


def test_actor_tree_ids_terminates_on_a_self_parent(unguarded, query_budget):
    # Only the check constraint stops this one: stored by an UPDATE that skips checks.
    actor = ActorFactory(slug="own-parent")
    if connection.vendor == "postgresql":
        alter_actor_table("DROP CONSTRAINT actor_not_own_parent")
        execute("UPDATE actors_actor SET parent_id = id WHERE id = %s", [actor.pk])
    else:
        execute("PRAGMA ignore_check_constraints = ON")
        try:
            execute("UPDATE actors_actor SET parent_id = id WHERE id = %s", [actor.pk])
        finally:
            execute("PRAGMA ignore_check_constraints = OFF")
    with query_budget(1):
        assert actor_tree_ids([actor]) == {actor.pk}


def test_actor_tree_ids_finds_every_level_of_a_deep_chain():
    actors = chain(HIERARCHY_RULE.max_depth + 1)
    assert actor_tree_ids([actors[0]]) == {actor.pk for actor in actors}
