import io

import pytest
from django.core.management import CommandError, call_command
from django.db.models import Count

from actors.models import Actor
from events.models import Event, EventActor, EventSource, Position, PositionSource

pytestmark = pytest.mark.django_db


def generate(*args):
    call_command("generate_synthetic", *args, stdout=io.StringIO(), stderr=io.StringIO())


def snapshot():
    return (
        list(Event.objects.order_by("pk").values_list("pk", "title", "date_start", "latitude")),
        list(
            EventActor.objects.order_by("event_id", "actor__slug").values_list(
                "event_id", "actor__slug", "role"
            )
        ),
        list(Position.objects.order_by("pk").values_list("pk", "actor__slug", "stance")),
    )


def test_fills_every_table_within_the_rules():
    generate("--events", "200", "--seed", "3", "--batch-size", "64")
    assert Event.objects.count() == 200
    assert Position.objects.count() == 20
    counts = EventActor.objects.values("event_id").annotate(n=Count("id"))
    assert {row["n"] for row in counts} <= {1, 2, 3, 4}
    assert EventSource.objects.values("event_id").distinct().count() == 200
    assert PositionSource.objects.values("position_id").distinct().count() == 20
    assert Actor.objects.filter(parent__parent__isnull=False).exists()  # three levels
    for event in Event.objects.filter(date_precision="month"):
        assert event.date_start.day == 1
        assert event.date_end is None or event.date_end.day == 1
    year_ends = Event.objects.filter(date_precision="year", date_end__isnull=False)
    assert year_ends.exists()
    for event in year_ends:
        assert (event.date_end.month, event.date_end.day) == (1, 1)


def test_same_seed_same_rows_whatever_the_batch_size():
    generate("--events", "120", "--seed", "7", "--batch-size", "50")
    first = snapshot()
    for model in (PositionSource, Position, EventSource, EventActor, Event):
        model.objects.all().delete()
    generate("--events", "120", "--seed", "7", "--batch-size", "1000", "--append")
    second = snapshot()
    assert second == first


def test_refuses_a_database_with_rows_unless_appending():
    generate("--events", "10", "--seed", "1")
    with pytest.raises(CommandError):
        generate("--events", "10", "--seed", "1")
    generate("--events", "10", "--seed", "1", "--append")
    assert Event.objects.count() == 20


def test_new_rows_after_generation_get_fresh_ids():
    generate("--events", "10", "--seed", "1")
    event = Event.objects.order_by("pk").last()
    created = Event.objects.create(
        title="x",
        summary="y",
        event_type="other",
        country="SY",
        date_start=event.date_start,
        date_precision="day",
    )
    assert created.pk > event.pk
