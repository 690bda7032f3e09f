"""Serializer pieces every resource shares: model validation, strict keys and JSON types."""

import copy
from collections.abc import Mapping

from django.core.exceptions import ValidationError as DjangoValidationError
from rest_framework import serializers
from rest_framework.settings import api_settings

from common.rules import cited_rule
from common.services import create_cited, update_cited, update_row

from .errors import django_error_detail


class FullCleanMixin:
    """Runs the model's own validation (fields, clean(), unique and check constraints).

    Every database rule is thus answered as a 400, in the rule's own words and naming the
    field, before the write. ``nested_fields`` are the serializer's lists written to other
    tables (by the resource's service functions).
    """

    nested_fields = ()

    def validate(self, attrs):
        attrs = super().validate(attrs)
        model = self.Meta.model
        instance = copy.copy(self.instance) if self.instance is not None else model()
        for name, value in attrs.items():
            if name not in self.nested_fields:
                setattr(instance, name, value)
        try:
            instance.full_clean()
        except DjangoValidationError as exc:
            raise serializers.ValidationError(django_error_detail(exc)) from exc
        return attrs


# The JSON types each kind of field takes. DRF also reads form data, where every value is
# text, so it turns 5 into "5" for a text field, "5" into 5 for a number and "" into null for
# a reference. This API reads only JSON, in which each is the client's mistake, and the schema
# documents one type per field: a body that the schema calls invalid is refused.
JSON_TYPES = [
    (serializers.BooleanField, (bool,), serializers.BooleanField.default_error_messages["invalid"]),
    (serializers.CharField, (str,), serializers.CharField.default_error_messages["invalid"]),
    (serializers.IntegerField, (int,), serializers.IntegerField.default_error_messages["invalid"]),
    (
        serializers.FloatField,
        (int, float),
        serializers.FloatField.default_error_messages["invalid"],
    ),
    (serializers.DecimalField, (int, float), "A valid number is required."),
    (serializers.SlugRelatedField, (str,), "Incorrect type. Expected a slug (a string)."),
]
BLANK_REFERENCE = "This field may not be blank: give null for none."


def shape_errors(field, value, *, whole=False):
    """What is wrong with the shape of ``value`` for ``field``, in DRF's error shapes, or None:
    its JSON types (JSON_TYPES), and the keys missing from a nested row. A nested row
    (a citation, a participant) is always written whole, so its required keys are required
    in a PATCH too, where DRF would skip them as it does the top level's."""
    if value is None:
        return None  # the field's own allow_null answers
    if isinstance(field, serializers.ListSerializer) and isinstance(value, list):
        errors = [shape_errors(field.child, item, whole=True) or {} for item in value]
        return errors if any(errors) else None
    if isinstance(field, serializers.Serializer) and isinstance(value, Mapping):
        errors = {}
        for child in field._writable_fields:
            if child.field_name in value:
                problem = shape_errors(child, value[child.field_name], whole=True)
            elif whole and child.required:
                problem = [child.error_messages["required"]]
            else:
                problem = None
            if problem:
                errors[child.field_name] = problem
        return errors or None
    if isinstance(field, serializers.ListField) and isinstance(value, list):
        errors = {
            index: problem
            for index, item in enumerate(value)
            if (problem := shape_errors(field.child, item))
        }
        return errors or None
    if isinstance(field, serializers.RelatedField) and value == "":
        return [BLANK_REFERENCE]
    for kind, types, message in JSON_TYPES:
        if isinstance(field, kind):
            if isinstance(value, bool) and bool not in types or not isinstance(value, types):
                return [message]
            return None
    return None


class StrictBodyMixin:
    """A body is refused where its shape is wrong (see ``shape_errors``), with the same error
    shapes as DRF's own, beside any other errors of the body."""

    def to_internal_value(self, data):
        problems = shape_errors(self, data) if isinstance(data, Mapping) else None
        if not problems:
            return super().to_internal_value(data)
        # The rest of the body is checked as usual; the misshapen values are left out, so
        # that no check of DRF or of the resource reads them.
        try:
            super().to_internal_value({k: v for k, v in data.items() if k not in problems})
        except serializers.ValidationError as exc:
            if isinstance(exc.detail, Mapping):
                raise serializers.ValidationError({**exc.detail, **problems}) from exc
        raise serializers.ValidationError(problems)


class IdRelatedField(serializers.PrimaryKeyRelatedField):
    """A row named by its integer id: ``1`` or ``"1"``, never ``1.5``, ``true`` or 2**64."""

    default_error_messages = {
        "incorrect_type": "Incorrect type. Expected an id (a whole number), received {data_type}.",
    }

    def to_internal_value(self, data):
        if isinstance(data, bool) or not isinstance(data, (int, str)):
            self.fail("incorrect_type", data_type=type(data).__name__)
        if isinstance(data, str) and not (data.isascii() and data.isdigit()):
            self.fail("incorrect_type", data_type="str")
        if not 0 < int(data) < 2**63:
            self.fail("does_not_exist", pk_value=data)
        return super().to_internal_value(int(data))


def unique_items(items, key, message):
    """Reject duplicates in a nested list before the database's unique constraint does."""
    seen, errors, duplicate = set(), [], False
    for item in items:
        value = key(item)
        if value in seen:
            errors.append({api_settings.NON_FIELD_ERRORS_KEY: [message]})
            duplicate = True
        else:
            errors.append({})
        seen.add(value)
    if duplicate:
        raise serializers.ValidationError(errors)


class DatasetSerializer(StrictBodyMixin, FullCleanMixin, serializers.ModelSerializer):
    """A resource's serializer: its ``Meta.fields`` are the one declaration of the resource's
    shape (the list path derives its rows from them), and its writes go through service
    functions, which store only the fields given: the resource's own when it declares them
    (an event's participants), else the shared ones (a cited row with its citations)."""

    create_function = None  # staticmethod(fn(**validated_data)) -> instance
    update_function = None  # staticmethod(fn(instance, **validated_data)) -> instance

    def create(self, validated_data):
        if self.create_function is not None:
            return self.create_function(**validated_data)
        rule = cited_rule(self.Meta.model)
        if rule is not None:
            return create_cited(rule, **validated_data)
        return self.Meta.model._default_manager.create(**validated_data)

    def update(self, instance, validated_data):
        if self.update_function is not None:
            return self.update_function(instance, **validated_data)
        rule = cited_rule(self.Meta.model)
        if rule is not None:
            return update_cited(rule, instance, **validated_data)
        return update_row(instance, validated_data)


class PublicKeyMixin:
    """A slug is a published key: it never changes."""

    def validate_slug(self, value):
        if self.instance is not None and value != self.instance.slug:
            raise serializers.ValidationError("A published slug never changes.")
        return value
