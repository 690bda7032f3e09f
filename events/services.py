"""Writes of events with their participants and citations.

Events have a nested list besides their citations, so they have their own service
functions; other cited rows (positions, relations) are written by the shared ones in
common.services. A given nested list replaces the stored one as a whole, and a row is
never stored without a citation.
"""

from django.db import transaction

from common.services import create_cited, update_cited

from .models import EVENT_CITED


@transaction.atomic
def event_create(*, citations, participants=(), **fields):
    return create_cited(
        EVENT_CITED, citations=citations, related={"participants": participants}, **fields
    )


@transaction.atomic
def event_update(event, *, participants=None, citations=None, **fields):
    return update_cited(
        EVENT_CITED, event, citations=citations, related={"participants": participants}, **fields
    )
