"""Two curators PATCH different fields of one event at the same moment through the real
server: both answer 200 and both changes stay (issue 7, defect 2); with If-Match, the
second of two writes from the same version is refused (412) instead of overwriting."""

from functools import partial

import pytest

from events.models import Event
from tests.factories import cited_event

from .races import curator_token, race, request

pytestmark = pytest.mark.django_db(transaction=True)

ROUNDS = 20


@pytest.fixture
def token():
    return curator_token("change_event")


def send(method, url, token, payload=None, headers=()):
    status, etag, _body = request(method, url, token, payload, headers)
    return status, etag


def test_concurrent_patches_of_different_fields_keep_both(live_server, token):
    for n in range(ROUNDS):
        event = cited_event(title=f"Title {n}", summary=f"Summary {n}.")
        url = f"{live_server.url}/api/v1/events/{event.pk}/"
        outcome = race(
            partial(send, "PATCH", url, token, {"title": f"New title {n}"}),
            partial(send, "PATCH", url, token, {"summary": f"New summary {n}."}),
        )
        assert [status for status, _etag in outcome] == [200, 200], outcome
        event.refresh_from_db()
        assert (event.title, event.summary) == (f"New title {n}", f"New summary {n}.")


def test_concurrent_patches_from_one_version_with_if_match_let_one_through(live_server, token):
    for n in range(ROUNDS):
        event = cited_event(title=f"Title {n}", summary=f"Summary {n}.")
        url = f"{live_server.url}/api/v1/events/{event.pk}/"
        _status, etag = send("GET", url, token)
        outcome = race(
            partial(send, "PATCH", url, token, {"title": "A"}, {"If-Match": etag}),
            partial(send, "PATCH", url, token, {"summary": "B."}, {"If-Match": etag}),
        )
        assert sorted(status for status, _etag in outcome) == [200, 412], outcome
        event.refresh_from_db()
        assert (event.title == "A") != (event.summary == "B.")
    assert Event.objects.count() == ROUNDS
