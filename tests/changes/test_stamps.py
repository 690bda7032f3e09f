"""Every update stamps what it changed, by any path (triggers.py): the live version, the
caches keyed by it, ETags and ``updated_after`` cannot miss a ``QuerySet.update()``."""

import datetime

import pytest
from django.utils import timezone

from actors.models import Actor, ActorAlias
from changes.version import live_version
from events.models import (
    Event,
    EventActor,
    EventSource,
    Issue,
    Position,
    PositionSource,
    Relation,
    RelationSource,
    Source,
)
from tests.factories import (
    ActorAliasFactory,
    ActorFactory,
    IssueFactory,
    SourceFactory,
    cited_event,
    cited_position,
    cited_relation,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def rows():
    actor = ActorFactory()
    event = cited_event(actors=[(actor, "initiator")])
    return {
        Actor: actor,
        ActorAlias: ActorAliasFactory(actor=actor),
        Source: SourceFactory(),
        Event: event,
        Issue: IssueFactory(),
        Position: cited_position(actor=actor),
        Relation: cited_relation(actor=actor, counterpart=ActorFactory()),
    }


# A text column of each stamped table that an update may change.
STAMPED = [
    (Actor, "name"),
    (ActorAlias, "alias"),
    (Source, "title"),
    (Event, "title"),
    (Issue, "name"),
    (Position, "summary"),
    (Relation, "summary"),
]


def updated(row):
    return type(row).objects.values_list("updated", flat=True).get(pk=row.pk)


@pytest.mark.parametrize(("model", "column"), STAMPED, ids=[m.__name__ for m, _ in STAMPED])
def test_an_update_without_save_stamps_the_row(rows, model, column):
    row = rows[model]
    before, version = updated(row), live_version()
    model.objects.filter(pk=row.pk).update(**{column: "changed-by-update"})
    assert updated(row) > before
    assert live_version() != version
    # It is seen by updated_after as of the moment before.
    assert model.objects.filter(pk=row.pk, updated__gt=before).exists()


def test_an_update_that_sets_its_own_stamp_keeps_it(rows):
    event = rows[Event]
    stamp = timezone.now() - datetime.timedelta(days=3)
    Event.objects.filter(pk=event.pk).update(title="Set with its time", updated=stamp)
    assert updated(event) == stamp


def test_save_keeps_djangos_stamp(rows):
    event = rows[Event]
    event.title = "Saved"
    event.save()
    assert updated(event) == event.updated


CHILDREN = [
    (ActorAlias, "actor", Actor, {"alias": "Renamed alias"}),
    (EventActor, "event", Event, {"role": "supporter"}),
    (EventSource, "event", Event, {"quote": "A corrected passage."}),
    (PositionSource, "position", Position, {"quote": "A corrected passage."}),
    (RelationSource, "relation", Relation, {"quote": "A corrected passage."}),
]


@pytest.mark.parametrize(
    ("model", "link", "parent_model", "change"), CHILDREN, ids=[m.__name__ for m, *_ in CHILDREN]
)
def test_an_update_of_a_nested_row_stamps_its_parent(rows, model, link, parent_model, change):
    parent = rows[parent_model]
    child = model.objects.filter(**{link: parent}).first()
    before, version = updated(parent), live_version()
    model.objects.filter(pk=child.pk).update(**change)
    assert updated(parent) > before
    assert live_version() != version


def test_a_nested_row_moved_to_another_parent_stamps_both(rows):
    old = rows[Event]
    new = cited_event()
    stamps = updated(old), updated(new)
    EventActor.objects.filter(event=old).update(event=new)
    assert updated(old) > stamps[0] and updated(new) > stamps[1]


def test_a_nested_row_added_without_its_parent_changes_the_version(rows):
    source = SourceFactory()
    version = live_version()
    EventSource.objects.bulk_create(
        [EventSource(event=rows[Event], source=source, quote="Another passage.")]
    )
    assert live_version() != version


def test_a_write_stamped_below_the_latest_stamp_still_changes_the_version(rows):
    # Another row stamped a moment ahead: by Django to the microsecond where SQLite's
    # triggers stamp to the millisecond, or by a clock running ahead.
    event = rows[Event]
    ahead = cited_event()
    Event.objects.filter(pk=ahead.pk).update(updated=timezone.now() + datetime.timedelta(1))
    version = live_version()
    Event.objects.filter(pk=event.pk).update(title="Stamped below the latest")
    assert updated(event) < updated(ahead)
    assert live_version() != version
