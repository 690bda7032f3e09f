"""The database's check constraints, read from the models and applied to CSV rows.

Every rule of the dataset lives in the models (fields, validators, choices and
``Meta.constraints``). This module reads the constraints' ``Q`` trees once and turns them
into either Table Schema constraints (a rule on one field, e.g. ``fatalities >= 0``) or a
compiled Python predicate over a whole row (a rule that relates fields, e.g. ``date_end >=
date_start``). So the data package's schema, the validator and the database all enforce
the same rules, and none of them is written twice.

Predicates follow SQL's three-valued logic: a check constraint fails only when its
condition is FALSE, not when it is unknown (NULL).
"""

import datetime
import math
import operator
import re
from dataclasses import dataclass

from django.db import models
from django.db.models import F, Q

from common.tabular import format_value, public_key_field

# Canonical text forms. Frictionless accepts more ("+5", "007", "NaN", "20150901");
# a package must not, so that a load and a rebuild give back the same bytes.
_INTEGER_RE = re.compile(r"(?:0|-?[1-9][0-9]*)\Z")
_NUMBER_RE = re.compile(r"-?(?:0|[1-9][0-9]*)(?:\.[0-9]+)?(?:[eE][-+]?[0-9]+)?\Z")
_DATE_RE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}\Z")


def _canonical_number(text):
    """A finite number written as the build writes the float it parses to: so that an
    over-precise "34.73240000000000001" (which loads as 34.7324) is refused."""
    if _NUMBER_RE.match(text) is None:
        return False
    value = float(text)
    return math.isfinite(value) and format_value(value) == text


# Tests text -> truthy when canonical.
CANONICAL = {
    "integer": _INTEGER_RE.match,
    "number": _canonical_number,
    "date": _DATE_RE.match,
    "boolean": {"true", "false"}.__contains__,
}
CANONICAL_HINT = {
    "integer": "an integer written without a sign '+', leading zeros or decimals",
    "number": "a finite decimal number written as the build writes it (no NaN, Infinity, "
    "'+' sign, leading zeros, trailing zeros or more digits than a float holds)",
    "date": "an ISO date written YYYY-MM-DD",
    "boolean": "true or false",
}

STRING_FIELDS = (models.CharField, models.TextField)  # Slug/URL/Email are CharFields
INTEGER_FIELDS = (models.IntegerField, models.BigIntegerField, models.AutoField)


def column_type(model_field):
    """The Table Schema type of a model field (of the public key, for a foreign key)."""
    if model_field.is_relation:
        return column_type(public_key_field(model_field.related_model))
    if isinstance(model_field, models.BooleanField):
        return "boolean"
    if isinstance(model_field, (models.AutoField, models.BigAutoField, models.SmallAutoField)):
        return "integer"
    if isinstance(model_field, models.IntegerField):  # Positive*, Big*, Small* included
        return "integer"
    if isinstance(model_field, models.FloatField):
        return "number"
    if isinstance(model_field, models.DecimalField):
        return "number"
    if isinstance(model_field, models.DateTimeField):
        return "datetime"
    if isinstance(model_field, models.DateField):
        return "date"
    if isinstance(model_field, STRING_FIELDS):
        return "string"
    raise TypeError(f"no Table Schema type for {model_field!r}")


def parser(column):
    """A function from a cell's text to the value the database stores for it.

    The loader and the row rules use the same parsers: an empty cell is NULL for a
    nullable field and the empty string for a text field that is NOT NULL.
    """
    kind = column_type(column.field)
    nullable = column.field.null or column.references is not None
    empty = None if nullable else ""
    if kind == "string":
        return lambda text: text if text != "" else empty
    if kind == "integer":
        return lambda text: int(text) if text != "" else None
    if kind == "number":
        return lambda text: float(text) if text != "" else None
    if kind == "date":
        return lambda text: datetime.date.fromisoformat(text) if text != "" else None
    if kind == "boolean":
        return lambda text: {"true": True, "false": False}[text] if text != "" else None
    raise TypeError(kind)


# ---------------------------------------------------------------------------------------
# Reading Q trees


def lookups(q):
    """Every (field, lookup path, value) a Q tree tests."""
    for child in q.children:
        if isinstance(child, Q):
            yield from lookups(child)
        else:
            path, value = child
            parts = path.split("__")
            yield parts[0], parts[1:], value


def field_names(q):
    names = set()
    for name, _path, value in lookups(q):
        names.add(name)
        if isinstance(value, F):
            names.add(value.name)
    return names


def _is_null_alternative(child, name):
    """``field__isnull=True`` or ``field=""``: what a blank/nullable field may hold."""
    if isinstance(child, Q):
        return False
    path, value = child
    return (path == f"{name}__isnull" and value is True) or (path == name and value == "")


def single_field_constraints(q):
    """Table Schema constraints equivalent to a one-field check, or None.

    Handles the shapes the models use: ``NOT field = ''`` (required), ``field IN (...)``
    (enum), ``field ~ regex`` (pattern), ``field >= a AND field <= b`` (minimum, maximum),
    each optionally OR-ed with ``field IS NULL`` / ``field = ''`` (frictionless skips
    constraints on empty cells, as those alternatives do).
    """
    names = field_names(q)
    if len(names) != 1 or any(isinstance(v, F) for _n, _p, v in lookups(q)):
        return None
    (name,) = names
    if q.negated:
        if q.connector == Q.AND and q.children == [(name, "")]:
            return name, {"required": True}
        return None
    node = q
    if node.connector == Q.OR:
        rest = [child for child in node.children if not _is_null_alternative(child, name)]
        if len(rest) != 1:
            return None
        node = rest[0] if isinstance(rest[0], Q) else Q(rest[0])
        if node.negated:
            return None
    if node.connector != Q.AND and len(node.children) > 1:
        return None
    constraints = {}
    for child in node.children:
        if isinstance(child, Q):
            return None
        path, value = child
        lookup = path.split("__")[1:]
        if lookup == ["in"]:
            constraints["enum"] = list(value)
        elif lookup == ["regex"]:
            constraints["pattern"] = strip_anchors(value)
        elif lookup == ["gte"]:
            constraints["minimum"] = value
        elif lookup == ["lte"]:
            constraints["maximum"] = value
        else:
            return None
    return name, constraints


def strip_anchors(pattern):
    """Frictionless anchors patterns itself: '^[A-Z]{2}$' becomes '[A-Z]{2}'."""
    if pattern.startswith("^"):
        pattern = pattern[1:]
    if pattern.endswith("$") and not pattern.endswith("\\$"):
        pattern = pattern[:-1]
    return pattern


# ---------------------------------------------------------------------------------------
# Compiling Q trees to row predicates

_COMPARE = {
    "exact": operator.eq,
    "gte": operator.ge,
    "gt": operator.gt,
    "lte": operator.le,
    "lt": operator.lt,
}
_TEXT_TESTS = {
    "startswith": str.startswith,
    "endswith": str.endswith,
    "contains": operator.contains,
    "iexact": lambda left, right: left.casefold() == right.casefold(),
    "istartswith": lambda left, right: left.casefold().startswith(right.casefold()),
}
_TRANSFORMS = {
    "day": operator.attrgetter("day"),
    "month": operator.attrgetter("month"),
    "year": operator.attrgetter("year"),
}


def _compile_lookup(path, value, key_of_pk):
    name, *parts = path.split("__")
    transforms = []
    lookup = "exact"
    for part in parts:
        if part in _TRANSFORMS:
            transforms.append(_TRANSFORMS[part])
        else:
            lookup = part

    def lhs(row):
        result = row[name]
        for transform in transforms:
            if result is None:
                return None
            result = transform(result)
        return result

    if lookup == "isnull":
        return lambda row: (lhs(row) is None) == bool(value)
    if isinstance(value, F):
        # F("pk") is the row's own key; on a foreign key column (which holds the
        # target's public key) that is the row's public key column.
        other = key_of_pk if value.name == "pk" else value.name

        def rhs(row):
            return row[other]
    else:

        def rhs(row, value=value):
            return value

    if lookup == "in":
        choices = frozenset(value)

        def test(row):
            left = lhs(row)
            return None if left is None else left in choices

        return test
    if lookup == "regex":
        pattern = re.compile(value)

        def test(row):
            left = lhs(row)
            return None if left is None else pattern.search(left) is not None

        return test
    if lookup in _TEXT_TESTS:
        text_test = _TEXT_TESTS[lookup]

        def test(row):
            left, right = lhs(row), rhs(row)
            if left is None or right is None:
                return None
            return text_test(left, right)

        return test
    compare = _COMPARE[lookup]

    def test(row):
        left, right = lhs(row), rhs(row)
        if left is None or right is None:
            return None
        return compare(left, right)

    return test


def compile_q(q, key_of_pk):
    """A predicate row -> True / False / None (unknown) equivalent to ``q`` in SQL."""
    parts = [
        compile_q(child, key_of_pk)
        if isinstance(child, Q)
        else _compile_lookup(child[0], child[1], key_of_pk)
        for child in q.children
    ]
    if q.connector == Q.AND:

        def combined(row):
            unknown = False
            for part in parts:
                result = part(row)
                if result is False:
                    return False
                if result is None:
                    unknown = True
            return None if unknown else True
    else:

        def combined(row):
            unknown = False
            for part in parts:
                result = part(row)
                if result is True:
                    return True
                if result is None:
                    unknown = True
            return None if unknown else False

    if q.negated:

        def negated(row):
            result = combined(row)
            return None if result is None else not result

        return negated
    return combined


@dataclass(frozen=True)
class RowRule:
    name: str  # the constraint's name in the database
    fields: tuple  # the columns it relates, for error messages
    check: object  # row dict -> True / False / None
    message: str = ""  # what the rule asks, in words, when the model says it
    field: str = ""  # the column the model reports it on (FieldCheckConstraint), if one

    @property
    def description(self):
        where = f"{self.name} ({', '.join(self.fields)})"
        return f"{self.message}: {where}" if self.message else where

    def violated(self, row):
        return self.check(row) is False


def row_rules(table):
    """The model's check constraints that no Table Schema constraint expresses."""
    pk_name = public_key_field(table.model).name
    columns = set(table.header)
    rules = []
    for constraint in table.model._meta.constraints:
        if not isinstance(constraint, models.CheckConstraint):
            continue
        q = constraint.condition
        if single_field_constraints(q) is not None:
            continue
        names = field_names(q)
        if not names <= columns | {"pk"}:
            continue  # a rule on a column the package does not carry
        message = ""
        if constraint.violation_error_message != constraint.default_violation_error_message:
            message = str(constraint.violation_error_message)
        fields = tuple(sorted(names - {"pk"}))
        field = getattr(constraint, "field", None) or ""
        rules.append(RowRule(constraint.name, fields, compile_q(q, pk_name), message, field))
    return rules


def key_function(table, header):
    """A function from a CSV row to its primary key, typed so that Python's order is the
    build's order (integers numerically, text by code point = UTF-8 byte order)."""
    positions = []
    for name in table.primary_key:
        index = header.index(name)
        integer = column_type(table.column(name).field) == "integer"
        positions.append((index, integer))
    if len(positions) == 1:
        ((index, integer),) = positions
        return (lambda row: int(row[index])) if integer else (lambda row: row[index])
    # Validation computes a key per row: the shapes of this dataset's keys get a function
    # without a generator.
    indexes = [index for index, _integer in positions]
    shape = [integer for _index, integer in positions]
    if not any(shape):
        return operator.itemgetter(*indexes)
    if shape == [True, True]:
        a, b = indexes
        return lambda row: (int(row[a]), int(row[b]))
    if shape == [True, False, False]:
        a, b, c = indexes
        return lambda row: (int(row[a]), row[b], row[c])
    return lambda row: tuple(int(row[i]) if integer else row[i] for i, integer in positions)
