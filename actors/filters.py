from collections import defaultdict

from django import forms
from django.db.models import Q

from common.api.filters import (
    CountryFilter,
    DatasetFilterSet,
    IdMultipleChoiceField,
    MultiValueChoiceFilter,
    MultiValueModelFilter,
    SearchFilter,
    any_contains,
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


class ActorFilter(MultiValueModelFilter):
    """Actor slugs: rows in which any of those actors takes part, in any of ``fields``
    (a relation names two actors: ``?actor=`` matches either side)."""

    tree = False

    def __init__(self, *args, fields=("actor",), **kwargs):
        self.fields = tuple(fields)
        kwargs.setdefault("queryset", Actor.objects.all())
        kwargs.setdefault("to_field_name", "slug")
        super().__init__(*args, **kwargs)

    def actor_ids(self, actors):
        return actor_tree_ids(actors) if self.tree else {actor.pk for actor in actors}

    def condition(self, actors):
        ids = self.actor_ids(actors)
        condition = Q()
        for name in self.fields:
            condition |= Q(**{f"{name}_id__in": ids})
        return condition


class ActorTreeFilter(ActorFilter):
    """Actor slugs: rows in which those actors or any actor below them (at any depth)
    take part."""

    tree = True


class PairField(IdMultipleChoiceField):
    def clean(self, value):
        actors = super().clean(value)
        if value and len(actors) != 2:
            raise forms.ValidationError("Give two different actor slugs, e.g. russia,iran.")
        return actors


class ActorPairFilter(ActorFilter):
    """Two actor slugs: the rows between exactly those two, one in each of ``fields`` (in
    either order): ``?between=russia,iran`` on relations."""

    field_class = PairField
    values_count = 2  # the OpenAPI schema's minItems and maxItems

    def condition(self, actors):
        first, second = (actor.pk for actor in actors)
        one, other = self.fields
        return Q(**{f"{one}_id": first, f"{other}_id": second}) | Q(
            **{f"{one}_id": second, f"{other}_id": first}
        )


class ActorSearchFilter(SearchFilter):
    """Names, short names and aliases: "Ansar Allah" finds the Houthis."""

    def condition(self, terms):
        aliases = ActorAlias.objects.filter(any_contains(["alias"], terms)).values("actor_id")
        return super().condition(terms) | Q(pk__in=aliases)


class ActorFilterSet(DatasetFilterSet):
    kind = MultiValueChoiceFilter(choices=ActorKind.choices, help_text="Actor kind.")
    country = CountryFilter(help_text="ISO 3166-1 alpha-2 code of the actor's home state.")
    parent = MultiValueModelFilter(
        field_name="parent",
        queryset=Actor.objects.all(),
        to_field_name="slug",
        help_text="Slug of the parent actor (its direct children match).",
    )
    q = ActorSearchFilter(
        fields=["name", "short_name"],
        help_text="Text in the name, short name or any alias (case-insensitive).",
    )

    class Meta:
        model = Actor
        fields = []
