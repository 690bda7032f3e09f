from collections import defaultdict

import django_filters
from django.db.models import Q

from common.api import (
    MultiValueChoiceFilter,
    MultiValueModelFilter,
    any_contains,
    country_filter,
    search_filter,
)

from .choices import ActorKind
from .models import Actor, ActorAlias


def actor_tree_ids(roots):
    """The ids of ``roots`` and of every actor below them, at any depth.

    The actor table is small, so one query for all (id, parent) pairs and a walk in
    Python beats a recursive CTE per request and works the same on every database. The walk
    visits each actor once, so it ends on any stored data, a cycle included.
    """
    children = defaultdict(list)
    for pk, parent_id in Actor.objects.values_list("pk", "parent_id"):
        children[parent_id].append(pk)
    found = set()
    pending = [actor.pk for actor in roots]
    while pending:
        pk = pending.pop()
        if pk not in found:
            found.add(pk)
            pending.extend(children[pk])
    return found


class ActorFilterSet(django_filters.FilterSet):
    kind = MultiValueChoiceFilter(choices=ActorKind.choices, help_text="Actor kind.")
    country = country_filter(help_text="ISO 3166-1 alpha-2 code of the actor's home state.")
    parent = MultiValueModelFilter(
        field_name="parent",
        queryset=Actor.objects.all(),
        to_field_name="slug",
        help_text="Slug of the parent actor (its direct children match).",
    )
    q = search_filter("Text in the name, short name or any alias (case-insensitive).")

    class Meta:
        model = Actor
        fields = []

    def search(self, queryset, name, value):
        aliases = ActorAlias.objects.filter(any_contains(["alias"], value)).values("actor_id")
        return queryset.filter(any_contains(["name", "short_name"], value) | Q(pk__in=aliases))
