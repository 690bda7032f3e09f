"""Spreadsheet-ready rows (``?format=csv&wide=true``): one row per record, its nested lists
flattened into readable cells, and text that a spreadsheet would run as a formula made inert.

The data package's CSVs stay exact (they are data); this export is for people who open it
in Excel, LibreOffice or Google Sheets.

The cells come straight from ``values_list`` tuples, not from the API's JSON rows: the
columns are the resource serializer's (read through its ``RowSerializer``), but building a
dict per row and per nested item, then flattening it, cost five times the plain export.
"""

import csv
import io
from functools import cache
from itertools import groupby
from operator import itemgetter

from django.db import models

from common.tabular import CSV_DIALECT, format_value

from .rows import URL, Nested, field_at

# A cell starting with one of these is a formula to a spreadsheet (OWASP: CSV injection).
FORMULA_STARTS = "=+-@\t\r"
LEFT_OUT = {"url", "created", "updated"}


def _participants(items):
    """(event, actor, actor_name, role) items."""
    return [
        ";".join([f"{actor}:{role}" for _, actor, _, role in items]),
        "; ".join([f"{name} ({role})" for _, _, name, role in items]),
    ]


def _citations(items):
    """(row, source, source_title, quote) items."""
    return [
        ";".join([str(source) for _, source, _, _ in items]),
        "\n".join([f"[{source}] {title}: “{quote}”" for _, source, title, quote in items]),
    ]


# The related rows (actors, sources) an export keeps between batches, at most: actors are
# read once, and memory stays bounded however many sources there are.
KNOWN_LIMIT = 20_000

# A nested list's flattening: the keys of its items it reads, in the order the function
# takes them (after the row's id), and the cells it makes.
FLATTENERS = {
    "participants": (
        ("actor", "actor_name", "role"),
        ("participants", "participant_names"),
        _participants,
    ),
    "citations": (("source", "source_title", "quote"), ("source_ids", "citations"), _citations),
}

_TEXT_FIELDS = (models.CharField, models.TextField)
# Values csv.writer already writes as format_value would (None as empty, ints, dates).
_PLAIN_FIELDS = (*_TEXT_FIELDS, models.IntegerField, models.AutoField, models.DateField)


@cache
def table_for(rows):
    """The WideTable of a resource's RowSerializer (built once per resource)."""
    return WideTable(rows)


class WideTable:
    """The wide CSV of a resource, from its ``RowSerializer``: the row's own columns in
    the serializer's order, then the cells of each nested list."""

    def __init__(self, rows):
        self.header = []
        self.paths = []  # the values_list paths of the row's own columns
        self.text = []  # indexes of those that may hold a formula
        self.formatted = []  # indexes of those csv.writer would write differently
        self.nested = []  # a NestedCells per nested list
        nested_header = []
        for key, spec in rows.fields.items():
            if key in LEFT_OUT or spec is URL:
                continue
            if isinstance(spec, Nested):
                reads, names, function = FLATTENERS[key]
                self.nested.append(NestedCells(spec, reads, function))
                nested_header += names
                continue
            field = field_at(rows.model, spec)
            if isinstance(field, _TEXT_FIELDS):
                self.text.append(len(self.paths))
            elif not isinstance(field, _PLAIN_FIELDS):
                self.formatted.append(len(self.paths))
            self.paths.append(spec)
            self.header.append(key)
        self.header += nested_header

    def csv_chunks(self, queryset, *, batch_size=2000):
        """The header, then every row of ``queryset`` in id order, a chunk per keyset batch
        of ``batch_size``: memory is bounded by a batch, and no cursor stays open across
        the nested queries."""
        buffer = io.StringIO()
        writer = csv.writer(buffer, **CSV_DIALECT)
        writer.writerow(self.header)
        yield _drain(buffer)
        queryset = queryset.prefetch_related(None).order_by("pk")
        known = [[{} for _ in nested.lookups] for nested in self.nested]
        last = None
        while True:
            batch = queryset if last is None else queryset.filter(pk__gt=last)
            batch = list(batch.values_list("pk", *self.paths)[:batch_size])
            if not batch:
                return
            last = batch[-1][0]
            writer.writerows(self._rows(batch, known))
            yield _drain(buffer)

    def _rows(self, batch, known):
        pks = [row[0] for row in batch]
        nested = [
            (item.cells(pks, read), item.empty)
            for item, read in zip(self.nested, known, strict=True)
        ]
        text, formatted = self.text, self.formatted
        for row in batch:
            cells = list(row[1:])
            for index in formatted:
                if cells[index] is not None:
                    cells[index] = format_value(cells[index])
            for index in text:
                value = cells[index]
                if value and value[0] in FORMULA_STARTS:
                    cells[index] = safe(value)
            for by_row, empty in nested:
                cells += by_row.get(row[0], empty)
            yield cells


class NestedCells:
    """The wide cells of one nested list (an event's participants) for a batch of rows.

    The items' own columns come from one query in the list's order; the columns of the
    rows they point at (an actor's slug and name, a source's title) from one small query
    for the distinct keys of the batch. Joining those in would make a new string per item,
    which cost more than the rest of the wide export's reads together.
    """

    def __init__(self, spec, reads, function):
        self.model = spec.model
        self.link = f"{spec.parent}_id"
        self.function = function
        self.empty = function([])
        own, lookups = [], {}  # lookups: relation -> the related model's paths
        for name in reads:
            relation, _, attribute = spec.fields[name].partition("__")
            if attribute:
                lookups.setdefault(relation, [])
                if attribute not in lookups[relation]:
                    lookups[relation].append(attribute)
            elif spec.fields[name] not in own:
                own.append(spec.fields[name])
        self.lookups = [
            (self.model._meta.get_field(relation).related_model, paths)
            for relation, paths in lookups.items()
        ]
        self.paths = [self.link, *own, *(f"{relation}_id" for relation in lookups)]
        # Where each read is in an item row extended with its lookups' values.
        width = len(self.paths)
        offsets = {}
        for relation, paths in lookups.items():
            offsets[relation] = width
            width += len(paths)
        positions = []
        for name in reads:
            relation, _, attribute = spec.fields[name].partition("__")
            if attribute:
                positions.append(offsets[relation] + lookups[relation].index(attribute))
            else:
                positions.append(self.paths.index(spec.fields[name]))
        self.item = itemgetter(0, *positions)

    def cells(self, pks, known):
        """The flattened cells of each row of ``pks`` that has items, by row id.

        ``known`` holds, per lookup, the related rows read for earlier batches of the same
        export (a dict each, filled here)."""
        link = self.link
        items = self.model._default_manager.order_by(link, *self.model._meta.ordering)
        # An id range is far cheaper to build and run than a list of a batch's ids; when
        # a filter leaves the batch sparse, the range would read too many other rows.
        if pks[-1] - pks[0] < 2 * len(pks):
            items = items.filter(**{f"{link}__gte": pks[0], f"{link}__lte": pks[-1]})
        else:
            items = items.filter(**{f"{link}__in": pks})
        rows = list(items.values_list(*self.paths))
        first_key = len(self.paths) - len(self.lookups)
        for index, (model, paths) in enumerate(self.lookups):
            read = known[index]
            keys = {row[first_key + index] for row in rows}.difference(read)
            if len(read) + len(keys) > KNOWN_LIMIT:
                read.clear()
                keys = {row[first_key + index] for row in rows}
            if keys:
                for pk, *found in model._default_manager.filter(pk__in=keys).values_list(
                    "pk", *paths
                ):
                    read[pk] = tuple(found)
            rows = [row + read[row[first_key + index]] for row in rows]
        item, function = self.item, self.function
        cells_by_row = {}
        for pk, group in groupby(map(item, rows), itemgetter(0)):
            cells = function(list(group))
            if any(cell and cell[0] in FORMULA_STARTS for cell in cells):
                cells = [safe(cell) for cell in cells]
            cells_by_row[pk] = cells
        return cells_by_row


def _drain(buffer):
    text = buffer.getvalue()
    buffer.seek(0)
    buffer.truncate()
    return text


def safe(value):
    """Text a spreadsheet would read as a formula, prefixed with an apostrophe; numbers and
    other values unchanged."""
    if value and value[0] in FORMULA_STARTS and not _is_number(value):
        return "'" + value
    return value


def _is_number(text):
    try:
        float(text)
    except ValueError:
        return False
    return True
