"""Writes of actors with their aliases: the API and the admin call these."""

from django.db import transaction

from common.services import update_row

from .models import Actor, ActorAlias


@transaction.atomic
def actor_create(*, aliases=(), **fields):
    actor = Actor.objects.create(**fields)
    ActorAlias.objects.bulk_create(ActorAlias(actor=actor, alias=alias) for alias in aliases)
    return actor


@transaction.atomic
def actor_update(actor, *, aliases=None, **fields):
    """Write the given fields; a given list of aliases replaces the stored set."""
    update_row(actor, fields)
    if aliases is not None:
        actor.aliases.exclude(alias__in=aliases).delete()
        existing = set(actor.aliases.values_list("alias", flat=True))
        ActorAlias.objects.bulk_create(
            ActorAlias(actor=actor, alias=alias) for alias in aliases if alias not in existing
        )
    return actor
