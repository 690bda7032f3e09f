"""Writes shared by every resource's service functions (``<app>/services.py``).

The API's serializers and the admin both write through them, so that a write stores only
the columns it was given: two curators changing different fields of one row at the same
time both keep their change.
"""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import router
from django.utils.module_loading import import_string


def lock_row(queryset):
    """``queryset``'s own rows (not those it joins) locked FOR NO KEY UPDATE for the rest
    of the transaction, for a write that must see the row as it will write over it.

    The live data's write lock is taken first (settings.HOLD_WRITES): every writer takes
    it at its first write, so one that locked a row before would wait for it while a
    writer holding it waits for the row. NO KEY: a plain FOR UPDATE would also block other
    transactions' foreign-key checks on the row (and deadlock against the actor
    hierarchy trigger's lock).
    """
    import_string(settings.HOLD_WRITES)(router.db_for_write(queryset.model))
    return queryset.select_for_update(of=("self",), no_key=True)


def update_row(instance, values):
    """Set ``values`` on ``instance`` and write only those columns (and ``updated``)."""
    for name, value in values.items():
        setattr(instance, name, value)
    save_changed(instance, values)
    return instance


def save_changed(instance, names):
    """Write only the columns ``names`` of an existing row (and its ``updated`` stamp)."""
    fields = [instance._meta.get_field(name).name for name in names]
    if any(field.name == "updated" for field in instance._meta.concrete_fields):
        fields.append("updated")
    instance.save(update_fields=sorted(set(fields)))


def touch(instance):
    """Mark a row changed (its ``updated`` stamp), e.g. when one of its nested rows changed."""
    instance.save(update_fields=["updated"])


def replace_related(instance, related_name, rows):
    """Replace the rows of a one-to-many relation as a whole (``rows``: field dicts)."""
    relation = instance._meta.get_field(related_name)
    model, link = relation.related_model, relation.field.name
    model._default_manager.filter(**{link: instance}).delete()
    model._default_manager.bulk_create(model(**{link: instance}, **row) for row in rows)


def require_citations(rule, citations):
    """Refuse to store a row of ``rule.model`` without citations, in the rule's words."""
    if not citations:
        raise ValidationError({rule.related_name: [rule.message]})


def create_cited(rule, *, citations, related=None, **fields):
    """Create a row of ``rule.model`` with its citations and other nested lists."""
    require_citations(rule, citations)
    instance = rule.model._default_manager.create(**fields)
    for name, rows in {**(related or {}), rule.related_name: citations}.items():
        replace_related(instance, name, rows)
    return instance


def update_cited(rule, instance, *, citations=None, related=None, **fields):
    """Write the given fields; each given nested list replaces the stored one."""
    update_row(instance, fields)
    if citations is not None:
        require_citations(rule, citations)
    lists = {**(related or {}), rule.related_name: citations}
    for name, rows in lists.items():
        if rows is not None:
            replace_related(instance, name, rows)
    return instance
