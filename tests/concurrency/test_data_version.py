"""The live data's version changes with every commit that wrote, also when two writers
commit in the opposite order of their stamps (PostgreSQL: the write count serialises them);
and taking that count cannot deadlock a curator's write against another writer."""

import threading
import time

import psycopg
import pytest
from django.db import connection

from changes.models import WriteCount
from changes.version import live_version
from events.models import Event
from tests.factories import cited_event

from .races import curator_token, patch, waiting_for_a_lock

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason="SQLite's writers queue for its write lock when they begin (IMMEDIATE)",
    ),
]


def connect():
    """A connection of its own to the test database, outside Django's."""
    settings = connection.settings_dict
    return psycopg.connect(
        dbname=settings["NAME"],
        user=settings["USER"],
        password=settings["PASSWORD"] or None,
        host=settings["HOST"] or None,
        port=settings["PORT"] or None,
    )


def until(condition, timeout=30):
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "timed out waiting"
        time.sleep(0.02)


def retitle(conn, event, title):
    # As QuerySet.update() or a script does: the trigger stamps the row with the time.
    conn.execute("UPDATE events_event SET title = %s WHERE id = %s", [title, event.pk])


def test_every_write_statement_is_counted():
    event = cited_event()
    before = WriteCount.objects.get().writes
    Event.objects.filter(pk=event.pk).update(title="Counted")
    assert WriteCount.objects.get().writes == before + 1  # not the stamp the trigger wrote


def test_a_commit_stamped_before_another_that_committed_changes_the_version():
    first, second = cited_event(), cited_event()
    stamped, go = threading.Event(), threading.Event()
    with connect() as earlier, connect() as later:
        retitle(earlier, first, "Stamped first")  # open: stamped, not committed
        pid = later.info.backend_pid

        def write_later():
            retitle(later, second, "Stamped second")
            stamped.set()
            go.wait(30)  # commits only once the version between the two commits is read
            later.commit()

        thread = threading.Thread(target=write_later)
        thread.start()
        until(lambda: stamped.is_set() or waiting_for_a_lock(pid))
        if stamped.is_set():
            # Nothing held the later writer (no count): it commits first, and its stamp is
            # the latest, so the earlier commit would not move the latest stamp.
            go.set()
            thread.join()
        seen = live_version()
        earlier.commit()
        assert stamped.wait(30)
        after_earlier = live_version()
        go.set()
        thread.join()
        after_both = live_version()
    assert after_earlier != seen
    assert after_both != after_earlier
    assert set(Event.objects.values_list("title", flat=True)) == {
        "Stamped first",
        "Stamped second",
    }


@pytest.fixture
def token():
    return curator_token("change_event")


def test_an_api_write_waits_for_another_writer_before_it_locks_its_row(live_server, token):
    event, other = cited_event(title="Before"), cited_event()
    url = f"{live_server.url}/api/v1/events/{event.pk}/"
    outcome = []
    with connect() as loader:
        retitle(loader, other, "Loaded")  # a load under way: it holds the write count
        thread = threading.Thread(
            target=lambda: outcome.append(patch(url, token, {"summary": "Curated."})[0])
        )
        thread.start()
        until(lambda: not thread.is_alive() or waiting_for_a_lock())
        # Had the API locked the event before waiting for the count, this would wait for
        # the API while the API waits for the loader: PostgreSQL would abort one of them.
        retitle(loader, event, "Loaded too")
        loader.commit()
        thread.join()
    assert outcome == [200]
    event.refresh_from_db()
    assert (event.title, event.summary) == ("Loaded too", "Curated.")
