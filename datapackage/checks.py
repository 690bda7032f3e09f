"""The dataset's rules as frictionless Checks, one per concern, run in frictionless's row
loop (one pass over each file).

Frictionless checks types, Table Schema constraints and foreign keys. It is lenient where
a reproducible dataset cannot be, and knows nothing of rules that relate fields or rows:

- ``CanonicalForm``: each cell is the text a build writes for its value, and holds no
  character the database refuses (NUL);
- ``ModelRules``: the database's check constraints that relate several fields of a row,
  compiled from the models (``rules.py``);
- ``KeyOrder``: primary keys in order and unique, in constant memory for files in key
  order (as builds write them);
- ``CitedBy`` and ``Acyclic``: the rules of ``schema.RULES`` that relate rows, on the
  resources of their models.

Each check is given the ``Table`` it validates, and does nothing on a file whose header is
not the table's (frictionless reports the labels).
"""

import csv
import re
from pathlib import Path

import attrs
import frictionless
from django.core.exceptions import ImproperlyConfigured
from django.db import models
from django.db.models import F, Value
from django.db.models.functions import Coalesce, Greatest, Least
from frictionless import errors as ferrors

from common.rules import Acyclic as AcyclicRule
from common.rules import CitedBy as CitedByRule
from common.tabular import public_key_field

from .rules import (
    CANONICAL,
    CANONICAL_HINT,
    column_type,
    compile_q,
    key_function,
    parser,
    row_rules,
)
from .schema import RESOURCES, RESOURCES_BY_MODEL, column_range

MAX_REPORTED_PER_RULE = 100


@attrs.define(kw_only=True, repr=False)
class CanonicalFormError(ferrors.CellError):
    type = "canonical-form"
    title = "Canonical Form Error"
    description = "A value is not written in its one canonical form."
    template = 'The cell "{cell}" in row "{rowNumber}" and field "{fieldName}": {note}'


@attrs.define(kw_only=True, repr=False)
class ModelRuleError(ferrors.RowError):
    type = "model-rule"
    title = "Model Rule Error"
    description = "A row breaks a rule of the data model (a database check constraint)."
    template = 'The row "{rowNumber}" breaks a rule of the data model: {note}'

    field_name: str = ""


@attrs.define(kw_only=True, repr=False)
class AcyclicError(ferrors.RowError):
    type = "acyclic"
    title = "Acyclic Error"
    description = "A row is its own ancestor, or too far from its root."
    template = 'The row "{rowNumber}" breaks the hierarchy rule: {note}'

    field_name: str = ""


class TableCheck(frictionless.Check):
    """A check of one resource, active only when the file's header is the table's."""

    def active(self, table):
        return list(self.resource.labels or []) == table.header

    def problems(self):
        """(resource, row, field, message) found once every resource is read."""
        return ()


def _has_nul(path):
    """Whether the file holds a NUL byte: one fast scan spares a test of every text cell."""
    with open(path, "rb") as handle:
        while chunk := handle.read(1 << 20):
            if b"\x00" in chunk:
                return True
    return False


def _integer_test(low, high):
    """A test of canonical integers within [low, high]: a regular expression (no Python
    call per cell) accepts every number of fewer digits than ``high`` of an allowed sign;
    a longer one is compared."""
    sign = "-?" if low < 0 else ""
    short = re.compile(rf"(?:0|{sign}[1-9][0-9]{{0,{len(str(high)) - 2}}})\Z").match
    match = CANONICAL["integer"]

    def compare(text):
        return match(text) is not None and low <= int(text) <= high

    return short, compare


def _false(text):
    return False


@attrs.define(kw_only=True, repr=False)
class CanonicalForm(TableCheck):
    """Each cell is the text a build writes for its value: integers within the database's
    range, and no NUL character in text, which PostgreSQL cannot store."""

    type = "canonical-form"
    Errors = [CanonicalFormError]

    table: object

    def validate_start(self):
        self.width = len(self.table.header) if self.active(self.table) else None
        self.tests = []
        self.texts = []
        for index, column in enumerate(self.table.columns):
            kind = column_type(column.field)
            hint = CANONICAL_HINT.get(kind)
            if kind == "integer" and (bounds := column_range(column)) is not None:
                test, again = _integer_test(*bounds)
                hint = f"{hint}, from {bounds[0]} to {bounds[1]} (the database's range)"
                self.tests.append((index, column.name, test, again, hint))
            elif kind in CANONICAL:
                self.tests.append((index, column.name, CANONICAL[kind], _false, hint))
            elif kind == "string":
                self.texts.append((index, column.name))
        if self.width and not _has_nul(Path(self.resource.basepath) / self.resource.path):
            self.texts = []
        return ()

    def validate_row(self, row):
        cells = row.cells
        if len(cells) != self.width:
            return ()  # frictionless reports extra or missing cells
        errors = ()
        for index, name, test, again, hint in self.tests:
            text = cells[index]
            if text and not test(text) and not again(text):
                errors += (self._error(row, index, name, f"{text!r} is not {hint}"),)
        for index, name in self.texts:
            if "\x00" in cells[index]:
                note = "a NUL character (\\x00), which the database cannot store"
                errors += (self._error(row, index, name, note),)
        return errors

    def _error(self, row, index, name, note):
        return CanonicalFormError(
            note=note,
            cells=list(map(str, row.cells)),
            row_number=row.row_number,
            cell=str(row.cells[index]),
            field_name=name,
            field_number=index + 1,
        )


@attrs.define(kw_only=True, repr=False)
class ModelRules(TableCheck):
    type = "model-rules"
    Errors = [ModelRuleError]

    table: object

    def validate_start(self):
        self.width = len(self.table.header) if self.active(self.table) else None
        self.rules = row_rules(self.table)
        needed = {name for rule in self.rules for name in rule.fields}
        if self.rules and len(self.table.primary_key) == 1:
            needed.add(self.table.primary_key[0])  # "pk" in a rule
        index = {name: i for i, name in enumerate(self.table.header)}
        self.parsers = [(name, index[name], parser(self.table.column(name))) for name in needed]
        self.canonical = {
            name: (index[name], CANONICAL[kind])
            for name in needed
            if (kind := column_type(self.table.column(name).field)) in CANONICAL
        }
        return ()

    def validate_row(self, row):
        cells = row.cells
        if not self.rules or len(cells) != self.width or row.errors:
            return ()
        try:
            values = {name: parse(cells[i]) for name, i, parse in self.parsers}
        except (ValueError, KeyError):
            return ()
        return [
            ModelRuleError(
                note=rule.description,
                cells=list(map(str, cells)),
                row_number=row.row_number,
                field_name=rule.field or (rule.fields[0] if len(rule.fields) == 1 else ""),
            )
            for rule in self.rules
            if rule.check(values) is False and self._canonical(cells, rule.fields)
        ]

    def _canonical(self, cells, names):
        """Whether the rule's cells are canonical: others are CanonicalForm's to report
        (a NaN compares false with everything)."""
        for name in names:
            index, test = self.canonical.get(name, (None, None))
            if test is not None and cells[index] and not test(cells[index]):
                return False
        return True


@attrs.define(kw_only=True, repr=False)
class KeyOrder(TableCheck):
    """Primary keys in strictly increasing order need only the previous key in memory; a
    file out of order is read again at the end, with its keys in memory, and a warning."""

    type = "key-order"
    Errors = [ferrors.PrimaryKeyError]

    table: object
    warnings: list = attrs.field(factory=list)

    def validate_start(self):
        self.width = len(self.table.header) if self.active(self.table) else None
        self.key = key_function(self.table, self.table.header)
        # The key and row number of the last row, in a list: an attribute set on a Check
        # per row would go through frictionless's Metadata.__setattr__.
        self.last = [None, 0]
        self.unsorted = False
        return ()

    def validate_row(self, row):
        cells = row.cells
        if self.unsorted or len(cells) != self.width or row.errors:
            return ()
        try:
            key = self.key(cells)
        except ValueError:
            return ()
        last = self.last
        previous, previous_row = last
        last[0], last[1] = key, row.row_number
        if previous is None or previous < key:
            return ()
        if previous == key:
            return [self._error(key, previous_row, cells, row.row_number)]
        self.unsorted = True
        return ()

    def validate_end(self):
        if not self.unsorted:
            return ()
        self.warnings.append(
            f"{self.table.name}: rows are not in primary-key order (a build sorts them)"
        )
        return self._duplicate_keys()

    def _duplicate_keys(self):
        seen = {}
        path = Path(self.resource.basepath) / self.resource.path
        with open(path, encoding="utf-8", newline="") as handle:
            reader = csv.reader(handle)
            next(reader, None)
            for row_number, cells in enumerate(reader, start=2):
                try:
                    key = self.key(cells)
                except (ValueError, IndexError):
                    continue  # reported as a type error
                if key in seen:
                    yield self._error(key, seen[key], cells, row_number)
                else:
                    seen[key] = row_number

    @staticmethod
    def _error(key, first_row, cells, row_number):
        return ferrors.PrimaryKeyError(
            note=f"the key {key!r} is the same as in row {first_row}",
            cells=list(map(str, cells)),
            row_number=row_number,
        )


@attrs.define(kw_only=True, repr=False)
class UniqueExpressions(TableCheck):
    """The model's unique constraints over expressions (a symmetric relation is stored once
    per pair: the unordered pair of actors, with ``Least`` and ``Greatest``), evaluated on
    the public keys the package carries. Frictionless knows only unique columns."""

    type = "unique-expressions"
    Errors = [ferrors.UniqueError]

    table: object

    def validate_start(self):
        self.width = len(self.table.header) if self.active(self.table) else None
        self.constraints = expression_constraints(self.table)
        pk = public_key_field(self.table.model).name
        self.parsers = [(c.name, i, parser(c)) for i, c in enumerate(self.table.columns)]
        self.tests = [
            (constraint, compile_q(constraint.condition, pk) if constraint.condition else None)
            for constraint in self.constraints
        ]
        self.seen = [{} for _ in self.constraints]
        return ()

    def validate_row(self, row):
        cells = row.cells
        if not self.constraints or len(cells) != self.width or row.errors:
            return ()
        try:
            values = {name: parse(cells[i]) for name, i, parse in self.parsers}
        except (ValueError, KeyError):
            return ()
        errors = []
        for (constraint, condition), seen in zip(self.tests, self.seen, strict=True):
            if condition is not None and condition(values) is not True:
                continue
            key = tuple(evaluate(expression, values) for expression in constraint.expressions)
            if key in seen:
                errors.append(
                    ferrors.UniqueError(
                        note=f"{constraint.violation_error_message} "
                        f"({constraint.name}; the same as row {seen[key]})",
                        cells=list(map(str, cells)),
                        row_number=row.row_number,
                        cell="",
                        field_name=self.table.primary_key[0],
                        field_number=1,
                    )
                )
            else:
                seen[key] = row.row_number
        return errors


def expression_constraints(table):
    return [
        constraint
        for constraint in table.model._meta.constraints
        if isinstance(constraint, models.UniqueConstraint) and constraint.expressions
    ]


def evaluate(expression, values):
    """The value of a constraint's expression (F, Value, Least, Greatest, Coalesce) for a
    row of public keys; the pair of slugs orders like the pair of ids it stands for."""
    if isinstance(expression, str):
        return values[expression]
    if isinstance(expression, F):
        return values[expression.name]
    if isinstance(expression, Value):
        return expression.value
    arguments = [evaluate(source, values) for source in expression.get_source_expressions()]
    if isinstance(expression, Coalesce):
        return next((value for value in arguments if value is not None), None)
    if isinstance(expression, (Least, Greatest)):
        if any(value is None for value in arguments):
            return None
        return (min if isinstance(expression, Least) else max)(arguments)
    raise ImproperlyConfigured(f"no evaluation of {expression!r} for the package validator")


# ---------------------------------------------------------------------------------------
# The rules of schema.RULES


@attrs.define(kw_only=True, repr=False)
class CitedBy(TableCheck):
    """Every row of the cited resource has a row in its citations resource.

    Validated in resource order (the cited resource first, as its citations reference
    it), the cited keys are kept with their row numbers and each citation removes its
    key: what is left cites nothing. Connected to both resources; ``problems`` reports
    once both are read.
    """

    type = "cited-by"

    rule: CitedByRule

    def __attrs_post_init__(self):
        self.cited = RESOURCES_BY_MODEL[self.rule.model]
        self.citations = RESOURCES_BY_MODEL[self.rule.citation_model]
        if RESOURCES.index(self.citations) < RESOURCES.index(self.cited):
            raise ImproperlyConfigured(
                f"{self.citations.name} references {self.cited.name}: it must come after it "
                "in RESOURCES"
            )
        (self.key_name,) = self.cited.primary_key
        self.uncited = {}

    @property
    def resources(self):
        return (self.cited.name, self.citations.name)

    def validate_start(self):
        table = self.cited if self.resource.name == self.cited.name else self.citations
        self.width = len(table.header) if self.active(table) else None
        name = self.key_name if table is self.cited else self.rule.link
        self.index = table.header.index(name)
        self.parse = parser(table.column(name))
        self.reading_cited = table is self.cited
        return ()

    def validate_row(self, row):
        cells = row.cells
        if len(cells) != self.width or row.errors:
            return ()
        try:
            key = self.parse(cells[self.index])
        except ValueError:
            return ()  # reported as a type error
        if self.reading_cited:
            self.uncited[key] = row.row_number
        else:
            self.uncited.pop(key, None)
        return ()

    def problems(self):
        """(resource, row, field, message) for each row that cites nothing."""
        noun = self.rule.noun
        uncited = sorted(self.uncited.items(), key=lambda item: item[1])
        for key, row_number in uncited[:MAX_REPORTED_PER_RULE]:
            yield (
                self.cited.name,
                row_number,
                self.key_name,
                f"{self.type}: {noun} {key} has no row in {self.citations.name}. "
                f"{self.rule.message}",
            )
        if len(uncited) > MAX_REPORTED_PER_RULE:
            yield (
                self.cited.name,
                0,
                self.key_name,
                f"{self.type}: ... {len(uncited)} {noun} rows in all have no row in "
                f"{self.citations.name}",
            )


# A walk's state for a row: its number of ancestors, or one of these.
IN_CYCLE = "in a cycle"
LEADS_TO_CYCLE = "leads into a cycle"


@attrs.define(kw_only=True, repr=False)
class Acyclic(TableCheck):
    """Following the rule's field from any row never comes back to it, nor takes more
    than ``max_depth`` steps. Each row is walked once: a walk stops at a row already
    walked, so the whole check is linear in the rows, whatever the data."""

    type = "acyclic"
    Errors = [AcyclicError]

    rule: AcyclicRule

    def __attrs_post_init__(self):
        self.table = RESOURCES_BY_MODEL[self.rule.model]

    @property
    def resources(self):
        return (self.table.name,)

    def validate_start(self):
        self.width = len(self.table.header) if self.active(self.table) else None
        (key,) = self.table.primary_key
        self.key_index = self.table.header.index(key)
        self.parent_index = self.table.header.index(self.rule.field)
        self.parents = {}  # key: (parent key or "", row number)
        return ()

    def validate_row(self, row):
        cells = row.cells
        if len(cells) == self.width and not row.errors:
            self.parents[cells[self.key_index]] = (cells[self.parent_index], row.row_number)
        return ()

    def validate_end(self):
        depths = self._depths()
        found = []
        for key, state in depths.items():
            if state == IN_CYCLE:
                found.append((key, self.rule.message))
            elif state != LEADS_TO_CYCLE and state > self.rule.max_depth:
                found.append((key, self.rule.depth_message))
        found.sort(key=lambda item: self.parents[item[0]][1])
        for key, message in found[:MAX_REPORTED_PER_RULE]:
            yield AcyclicError(
                note=f"{key!r}: {message}",
                cells=[],
                row_number=self.parents[key][1],
                field_name=self.rule.field,
            )

    def _depths(self):
        """{key: number of ancestors, IN_CYCLE or LEADS_TO_CYCLE} for every row."""
        parents = self.parents
        depths = {}
        for start in parents:
            path, on_path = [], {}
            current = start
            # Each step adds a row never walked before: the loop ends within len(parents).
            while current in parents and current not in depths:
                if current in on_path:
                    cycle = path[on_path[current] :]
                    for key in cycle:
                        depths[key] = IN_CYCLE
                    del path[on_path[current] :]
                    break
                on_path[current] = len(path)
                path.append(current)
                current = parents[current][0]
            if current in depths:
                below = depths[current]
            else:
                below = (
                    -1 if current == "" else 0
                )  # a root, or a missing parent (a foreign key error)
            for key in reversed(path):
                if below in (IN_CYCLE, LEADS_TO_CYCLE):
                    below = LEADS_TO_CYCLE
                else:
                    below += 1
                depths[key] = below
        return depths


RULE_CHECKS = {CitedByRule: CitedBy, AcyclicRule: Acyclic}


def rule_check(rule):
    """The Check that enforces one rule of ``schema.RULES``."""
    return RULE_CHECKS[type(rule)](rule=rule)
