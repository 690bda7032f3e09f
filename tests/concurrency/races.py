"""Writes at the same moment from several threads, each with its own database connection,
as concurrent requests to a threaded server make them."""

import threading
from concurrent.futures import ThreadPoolExecutor

from django.db import connections

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
