import datetime

import pytest
from django.contrib import admin
from django.contrib.auth.models import Permission
from django.urls import reverse

from common.admin import SEEN
from events.admin import EVENT_CITED, EventAdmin
from events.models import Event
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


def test_event_years_are_found_by_seeking_as_djangos_would_list_them(admin_client, db):
    for day in ["2011-03-15", "2011-12-31", "2013-01-01", "2015-09-30", "2024-02-29", None]:
        if day is None:  # observed going on, start unknown
            cited_event(date_start=None, date_precision="", ongoing_as_of=datetime.date(2020, 1, 1))
        else:
            cited_event(date_start=datetime.date.fromisoformat(day), date_precision="day")
    response = admin_client.get(reverse("admin:events_event_changelist"))
    queryset = response.context["cl"].queryset
    expected = list(Event.objects.dates("date_start", "year"))
    assert queryset.dates("date_start", "year") == expected
    assert queryset.dates("date_start", "year", "DESC") == expected[::-1]
    assert [year.year for year in expected] == [2011, 2013, 2015, 2024]
    for year in expected:
        assert f"?date_start__year={year.year}" in response.text


def test_event_years_of_a_filtered_list_are_djangos(admin_client, db):
    for year, country in [(2012, "YE"), (2014, "SY"), (2016, "YE")]:
        cited_event(date_start=datetime.date(year, 5, 1), country=country)
    response = admin_client.get(reverse("admin:events_event_changelist"), {"country": "YE"})
    years = response.context["cl"].queryset.dates("date_start", "year")
    assert [year.year for year in years] == [2012, 2016]
    assert "?country=YE&amp;date_start__year=2016" in response.text


def test_event_search_matches_participant_alias(admin_client, rows):
    rows["eventactor"].actor.aliases.create(alias="Russian Federation")
    response = admin_client.get(reverse("admin:events_event_changelist"), {"q": "Federation"})
    assert list(response.context["cl"].result_list) == [rows["event"]]


@pytest.fixture
def searched():
    """Events holding the searched words in each column the admin's search reads."""
    russia = ActorFactory(slug="russia", name="Russian Armed Forces")
    ActorAliasFactory(actor=russia, alias="VKS")
    iran = ActorFactory(slug="iran", name="Iran")
    ActorAliasFactory(actor=iran, alias="Islamic Republic")
    return [
        cited_event(title="Siege of Aleppo", summary="Shelling.", location_name="Aleppo"),
        cited_event(title="Strikes", summary="Airstrikes near Idlib.", location_name="Idlib"),
        cited_event(title="Talks", location_name="Astana", actors=[(iran, "host")]),
        cited_event(title="Sorties", actors=[(russia, "initiator"), (iran, "supporter")]),
        cited_event(title="Aleppo airlift", actors=[(russia, "initiator"), (russia, "target")]),
    ]


SEARCHES = [
    "Aleppo",
    "aleppo",
    "Idlib",
    "Astana",
    "Iran",
    "VKS",
    "Republic",
    "Aleppo Russian",
    '"Islamic Republic"',
    "Al",
    "Or",
    "nowhere",
]


@pytest.mark.parametrize("term", SEARCHES)
def test_event_search_finds_what_djangos_search_finds(rf, admin_user, searched, term):
    # Django's own search over search_fields, its joins' duplicates removed: the reference.
    model_admin = EventAdmin(Event, admin.site)
    request = rf.get("/", {"q": term})
    request.user = admin_user
    reference, duplicates = admin.ModelAdmin.get_search_results(
        model_admin, request, Event.objects.all(), term
    )
    found, may_have_duplicates = model_admin.get_search_results(request, Event.objects.all(), term)
    assert duplicates  # the joins Django's search makes
    assert not may_have_duplicates
    assert sorted(found.values_list("pk", flat=True)) == sorted(
        set(reference.values_list("pk", flat=True))
    )


def test_event_search_lists_an_event_once_whatever_matches(admin_client, searched):
    response = admin_client.get(reverse("admin:events_event_changelist"), {"q": "Russian"})
    titles = [event.title for event in response.context["cl"].result_list]
    assert sorted(titles) == ["Aleppo airlift", "Sorties"]  # each once


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


def loaded_form(client, event):
    """The change form's values as a curator's browser would send them back unchanged."""
    page = client.get(reverse("admin:events_event_change", args=[event.pk]))
    citation = event.citations.get()
    return event_form(
        title=event.title,
        summary=event.summary,
        updated_when_loaded=page.context["adminform"].form[SEEN].value(),
        **{
            "citations-INITIAL_FORMS": "1",
            "citations-0-id": citation.pk,
            "citations-0-event": event.pk,
            "citations-0-source": citation.source_id,
            "citations-0-quote": citation.quote,
        },
    )


def test_a_save_from_a_page_loaded_before_another_save_is_refused(admin_client):
    event = cited_event(title="Loaded title", summary="Loaded summary.")
    mine = loaded_form(admin_client, event)
    theirs = loaded_form(admin_client, event)
    theirs["title"] = "Their title"
    url = reverse("admin:events_event_change", args=[event.pk])
    assert admin_client.post(url, theirs).status_code == 302
    mine["summary"] = "My summary."
    response = admin_client.post(url, mine)
    assert response.status_code == 200
    assert "Someone else saved this event after you opened it" in response.content.decode()
    event.refresh_from_db()
    assert (event.title, event.summary) == ("Their title", "Loaded summary.")
    again = loaded_form(admin_client, event)
    again["summary"] = "My summary."
    assert admin_client.post(url, again).status_code == 302
    event.refresh_from_db()
    assert (event.title, event.summary) == ("Their title", "My summary.")


def test_the_last_citation_is_not_deleted_or_moved_on_its_own_page(admin_client):
    event = cited_event()
    other = cited_event()
    citation = event.citations.get()
    delete = reverse("admin:events_eventsource_delete", args=[citation.pk])
    assert admin_client.post(delete, {"post": "yes"}).status_code == 403
    changelist = admin_client.get(reverse("admin:events_eventsource_changelist"))
    assert changelist.context["action_form"] is None  # no bulk delete, the only action
    change = admin_client.get(reverse("admin:events_eventsource_change", args=[citation.pk]))
    assert "event" in change.context["adminform"].readonly_fields
    assert event.citations.count() == 1 and other.citations.count() == 1


def test_a_citation_beside_another_may_be_deleted_on_its_own_page(admin_client):
    event = cited_event(sources=[SourceFactory(), SourceFactory()])
    first = event.citations.order_by("pk").first()
    delete = reverse("admin:events_eventsource_delete", args=[first.pk])
    assert admin_client.post(delete, {"post": "yes"}).status_code == 302
    assert event.citations.count() == 1


def test_a_curator_who_may_not_add_citations_may_not_add_cited_rows(client, django_user_model):
    curator = django_user_model.objects.create_user("events-only", password="pw-1234567")
    curator.is_staff = True
    curator.save()
    codenames = ["add_event", "change_event", "view_event", "add_position", "view_position"]
    curator.user_permissions.set(Permission.objects.filter(codename__in=codenames))
    client.force_login(curator)
    assert client.get(reverse("admin:events_event_add")).status_code == 403
    assert client.post(reverse("admin:events_event_add"), event_form()).status_code == 403
    assert client.get(reverse("admin:events_position_add")).status_code == 403
    assert not Event.objects.exists()


def test_an_issues_slug_is_not_changed_in_the_admin(admin_client):
    issue = IssueFactory(slug="caesar-act")
    page = admin_client.get(reverse("admin:events_issue_change", args=[issue.pk]))
    assert "slug" in page.context["adminform"].readonly_fields
    assert "slug" not in page.context["adminform"].form.fields


@pytest.mark.parametrize(
    "query", ["date_start__year=9999", "date_start__year=9999&date_start__month=12"]
)
def test_a_date_drill_down_past_the_calendar_is_not_a_server_error(admin_client, query):
    cited_event(date_start=datetime.date(9999, 12, 31), date_precision="day")
    response = admin_client.get(reverse("admin:events_event_changelist") + "?" + query)
    assert response.status_code == 302
    assert "e=1" in response["Location"]


def test_relations_are_told_apart_and_found_by_alias(admin_client):
    iran, russia = (
        ActorFactory(slug="iran", name="Iran"),
        ActorFactory(slug="russia", name="Russia"),
    )
    ActorAliasFactory(actor=iran, alias="Islamic Republic")
    first = cited_relation(actor=iran, counterpart=russia, kind="cooperation", domain="military")
    second = cited_relation(actor=iran, counterpart=russia, kind="cooperation", domain="economic")
    assert str(first) != str(second)
    assert str(first) == f"#{first.pk} Iran cooperation Russia (military)"
    response = admin_client.get(
        reverse("admin:events_relation_changelist"), {"q": "Islamic Republic"}
    )
    assert response.context["cl"].result_count == 2
