"""Writes of events, positions and relations with their participants and citations.

The API's serializers and the admin call these; a given nested list replaces the stored one
as a whole, and a row is never stored without a citation.
"""

from django.db import transaction

from common.services import create_cited, update_cited

from .models import EVENT_CITED, POSITION_CITED, RELATION_CITED


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


@transaction.atomic
def position_create(*, citations, **fields):
    return create_cited(POSITION_CITED, citations=citations, **fields)


@transaction.atomic
def position_update(position, *, citations=None, **fields):
    return update_cited(POSITION_CITED, position, citations=citations, **fields)


@transaction.atomic
def relation_create(*, citations, **fields):
    return create_cited(RELATION_CITED, citations=citations, **fields)


@transaction.atomic
def relation_update(relation, *, citations=None, **fields):
    return update_cited(RELATION_CITED, relation, citations=citations, **fields)
