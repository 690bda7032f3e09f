"""Every deleted row is logged with its public key, by any path, and a copy of the dataset
kept in sync with updated_after and /api/v1/deletions/ ends equal to a fresh download."""

import datetime

import pytest
from django.conf import settings
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from changes.models import Deletion
from changes.version import live_version
from events.models import Event
from tests.factories import ActorFactory, cited_event

pytestmark = pytest.mark.django_db

URL = "/api/v1/deletions/"


def logged():
    return sorted((d.resource, d.key) for d in Deletion.objects.all())


def test_deleting_an_event_through_the_api_logs_it_and_its_rows(user_with, db):
    actor = ActorFactory(slug="russia")
    event = cited_event(actors=[(actor, "initiator")])
    source = event.citations.get().source_id
    response = user_with("delete_event").delete(f"/api/v1/events/{event.pk}/")
    assert response.status_code == 204
    assert logged() == [
        ("event_actors", [event.pk, "russia", "initiator"]),
        ("event_sources", [event.pk, source]),
        ("events", event.pk),
    ]


def test_deleting_through_the_admin_logs_it(admin_client):
    actor = ActorFactory(slug="wagner-group")
    actor.aliases.create(alias="PMC Wagner")
    response = admin_client.post(
        reverse("admin:actors_actor_delete", args=[actor.pk]), {"post": "yes"}
    )
    assert response.status_code == 302
    assert logged() == [
        ("actor_aliases", ["wagner-group", "PMC Wagner"]),
        ("actors", "wagner-group"),
    ]


def test_a_replacing_load_logs_the_rows_it_removes(db):
    event = cited_event()
    call_command("load_datapackage", str(settings.BUNDLED_DATAPACKAGE), replace=True, verbosity=0)
    assert ("events", event.pk) in logged()


def test_deletions_after_a_time(api_client, db):
    first = cited_event()
    first.delete()
    cutoff = timezone.now()
    second = cited_event()
    Event.objects.filter(pk=second.pk).delete()
    body = api_client.get(URL, {"after": cutoff.isoformat(), "resource": "events"}).json()
    assert [row["key"] for row in body["results"]] == [second.pk]
    assert body["results"][0]["resource"] == "events"


@pytest.mark.parametrize("params", [{"after": "yesterday"}, {"since": "2020-01-01"}, {"after": ""}])
def test_bad_deletions_query_is_a_400(api_client, db, params):
    assert api_client.get(URL, params).status_code == 400


def test_an_unknown_resource_is_a_400_naming_it(api_client, db):
    response = api_client.get(URL, {"resource": "event"})
    assert response.status_code == 400
    assert list(response.json()["errors"]) == ["resource"]
    assert api_client.get(URL, {"resource": "events,event_actors"}).status_code == 200


def test_updated_after_is_not_a_deletions_parameter(api_client, db):
    # Deleted rows have no updated time: `after` is the deletions' own parameter.
    response = api_client.get(URL, {"updated_after": "2020-01-01T00:00:00Z"})
    assert response.status_code == 400
    assert list(response.json()["errors"]) == ["updated_after"]


def test_live_version_changes_with_every_write(db):
    event = cited_event()
    before = live_version()
    assert live_version() == before
    Event.objects.filter(pk=event.pk).update(updated=timezone.now() + datetime.timedelta(1))
    changed = live_version()
    assert changed != before
    event.delete()
    assert live_version() != changed


# -- a mirror kept in sync ---------------------------------------------------------------

RESOURCES = {
    "actors": "slug",
    "sources": "id",
    "events": "id",
    "issues": "slug",
    "positions": "id",
    "relations": "id",
}
# Names and titles repeated from other rows: a normalised copy does not keep them.
DERIVED = {"url", "created", "updated", "actor_name", "issue_name", "counterpart_name"}


def normalise(row):
    clean = {key: value for key, value in row.items() if key not in DERIVED}
    for key in ("participants", "citations"):
        if key in clean:
            clean[key] = [
                {k: v for k, v in item.items() if k not in {"actor_name", "source_title"}}
                for item in clean[key]
            ]
    return clean


def download(client, resource, **params):
    rows, url = [], f"/api/v1/{resource}/"
    params = {"page_size": 500, **params}
    while url:
        body = client.get(url, params).json()
        rows += body["results"]
        url, params = body["next"], {}
    return rows


def full_copy(client):
    return {
        resource: {row[key]: normalise(row) for row in download(client, resource)}
        for resource, key in RESOURCES.items()
    }


def sync(client, copy, since):
    for resource, key in RESOURCES.items():
        for row in download(client, resource, updated_after=since.isoformat()):
            copy[resource][row[key]] = normalise(row)
    for deletion in download(client, "deletions", after=since.isoformat()):
        copy.get(deletion["resource"], {}).pop(deletion["key"], None)


def test_a_mirror_synced_incrementally_equals_a_fresh_download(api_client, user_with, admin_client):
    call_command("load_datapackage", str(settings.BUNDLED_DATAPACKAGE), verbosity=0)
    mirror = full_copy(api_client)
    since = timezone.now()
    curator = user_with(
        "add_event", "change_event", "delete_event", "change_position", "delete_relation"
    )
    event = Event.objects.order_by("pk").first()
    assert (
        curator.patch(
            f"/api/v1/events/{event.pk}/",
            {"participants": [{"actor": "iran", "role": "participant"}]},
            format="json",
        ).status_code
        == 200
    )
    new = curator.post(
        "/api/v1/events/",
        {
            "title": "A new event",
            "summary": "Something new.",
            "event_type": "statement",
            "country": "SY",
            "date_start": "2021-07-01",
            "date_precision": "day",
            "citations": [{"source": 1, "quote": "A quote."}],
        },
        format="json",
    )
    assert new.status_code == 201, new.content
    assert (
        curator.delete(f"/api/v1/events/{Event.objects.order_by('-pk')[1].pk}/").status_code == 204
    )
    position = mirror["positions"][next(iter(mirror["positions"]))]
    assert (
        curator.patch(
            f"/api/v1/positions/{position['id']}/", {"summary": "Recoded."}, format="json"
        ).status_code
        == 200
    )
    relation_id = next(iter(mirror["relations"]), None)
    if relation_id is not None:
        assert curator.delete(f"/api/v1/relations/{relation_id}/").status_code == 204
    admin_client.post(reverse("admin:actors_actoralias_delete", args=[1]), {"post": "yes"})
    sync(api_client, mirror, since)
    assert mirror == full_copy(api_client)


def test_an_alias_added_on_its_own_admin_page_marks_its_actor_changed(admin_client):
    actor = ActorFactory(slug="houthis")
    before = actor.updated
    response = admin_client.post(
        reverse("admin:actors_actoralias_add"), {"actor": actor.pk, "alias": "Ansar Allah"}
    )
    assert response.status_code == 302
    actor.refresh_from_db()
    assert actor.updated > before
