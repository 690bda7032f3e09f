import pytest
from django.urls import reverse

from events.admin import EVENT_CITED, EventAdmin
from events.models import Event
from tests.factories import (
    ActorFactory,
    IssueFactory,
    SourceFactory,
    cited_event,
    cited_position,
)

pytestmark = pytest.mark.django_db

MODELS = ["source", "issue", "event", "position", "eventactor", "eventsource", "positionsource"]


@pytest.fixture
def rows():
    actor = ActorFactory(slug="russia", name="Russia")
    event = cited_event(actors=[(actor, "initiator")])
    position = cited_position(actor=actor, issue=IssueFactory(slug="caesar-act"))
    return {
        "source": event.citations.get().source,
        "issue": position.issue,
        "event": event,
        "position": position,
        "eventactor": event.participants.get(),
        "eventsource": event.citations.get(),
        "positionsource": position.citations.get(),
    }


@pytest.mark.parametrize("model", MODELS)
def test_changelist_renders(admin_client, rows, model):
    response = admin_client.get(reverse(f"admin:events_{model}_changelist"))
    assert response.status_code == 200
    assert response.context["cl"].result_count >= 1


@pytest.mark.parametrize("model", MODELS)
def test_add_page_renders(admin_client, model):
    response = admin_client.get(reverse(f"admin:events_{model}_add"))
    assert response.status_code == 200


@pytest.mark.parametrize("model", MODELS)
def test_change_page_renders(admin_client, rows, model):
    response = admin_client.get(reverse(f"admin:events_{model}_change", args=[rows[model].pk]))
    assert response.status_code == 200


def test_event_changelist_has_date_hierarchy(admin_client, rows):
    response = admin_client.get(
        reverse("admin:events_event_changelist"), {"date_start__year": 2015}
    )
    assert response.status_code == 200
    assert response.context["cl"].result_count == 1


def test_event_search_matches_participant_alias(admin_client, rows):
    rows["eventactor"].actor.aliases.create(alias="Russian Federation")
    response = admin_client.get(reverse("admin:events_event_changelist"), {"q": "Federation"})
    assert list(response.context["cl"].result_list) == [rows["event"]]


def event_form(**overrides):
    data = {
        "title": "Soleimani visits Moscow",
        "summary": "Qassem Soleimani consulted Russian officials in Moscow.",
        "event_type": "diplomatic_visit",
        "country": "SY",
        "date_start": "2015-07-01",
        "date_precision": "month",
        "location_name": "Moscow",
        "location_country": "RU",
        "participants-TOTAL_FORMS": "0",
        "participants-INITIAL_FORMS": "0",
        "citations-TOTAL_FORMS": "1",
        "citations-INITIAL_FORMS": "0",
    }
    data.update(overrides)
    return data


def test_admin_adds_cited_event(admin_client):
    source = SourceFactory()
    response = admin_client.post(
        reverse("admin:events_event_add"),
        event_form(**{"citations-0-source": source.pk, "citations-0-quote": "July 2015 trip"}),
    )
    assert response.status_code == 302
    assert Event.objects.get().citations.get().quote == "July 2015 trip"


def test_admin_refuses_event_without_citation(admin_client):
    response = admin_client.post(
        reverse("admin:events_event_add"), event_form(**{"citations-TOTAL_FORMS": "0"})
    )
    assert response.status_code == 200
    assert not Event.objects.exists()
    # The same words as the API and the data package validator.
    assert EVENT_CITED.message in response.content.decode()


def test_admin_change_writes_only_the_changed_fields(admin_client, monkeypatch):
    event = cited_event(title="Old title", summary="Old summary.")
    citation = event.citations.get()
    form = event_form(
        title="New title",
        summary="Old summary.",
        **{
            "citations-INITIAL_FORMS": "1",
            "citations-0-id": citation.pk,
            "citations-0-event": event.pk,
            "citations-0-source": citation.source_id,
            "citations-0-quote": citation.quote,
        },
    )
    save_form = EventAdmin.save_form

    def save_form_while_another_curator_writes(self, request, form, change):
        obj = save_form(self, request, form, change)
        Event.objects.filter(pk=event.pk).update(summary="Changed meanwhile.")
        return obj

    monkeypatch.setattr(EventAdmin, "save_form", save_form_while_another_curator_writes)
    response = admin_client.post(reverse("admin:events_event_change", args=[event.pk]), form)
    assert response.status_code == 302
    event.refresh_from_db()
    assert (event.title, event.summary) == ("New title", "Changed meanwhile.")
