"""Spreadsheet-ready rows (``?format=csv&wide=true``): one row per record, its nested lists
flattened into readable cells, and text that a spreadsheet would run as a formula made inert.

The data package's CSVs stay exact (they are data); this export is for people who open it
in Excel, LibreOffice or Google Sheets.

The cells come straight from ``values_list`` tuples, not from the API's JSON rows: the
columns are the resource serializer's (read through its ``RowSerializer``), but building a
dict per row and per nested item, then flattening it, cost five times the plain export.
"""

from functools import cache
from itertools import groupby
from operator import itemgetter

from django.db import models
from django.db.models import F, TextField, Value
from django.db.models.functions import Cast, Concat

from common.tabular import csv_field, csv_line, format_value

from .rows import URL, Nested, field_at

# A cell starting with one of these is a formula to a spreadsheet (OWASP: CSV injection).
FORMULA_STARTS = "=+-@\t\r"
LEFT_OUT = {"url", "created", "updated"}


def _concat(*parts):
    """The SQL concatenation of ``parts``: expressions as they are, strings as values."""
    return Concat(
        *(part if isinstance(part, F) else Value(part) for part in parts),
        output_field=TextField(),
    )


def _participants(actor, actor_name, role):
    return [
        ("participants", ";", _concat(actor, ":", role)),
        ("participant_names", "; ", _concat(actor_name, " (", role, ")")),
    ]


def _citations(source, source_title, quote):
    return [
        ("source_ids", ";", Cast(source, TextField())),
        ("citations", "\n", _concat("[", source, "] ", source_title, ": “", quote, "”")),
    ]


# A nested list's flattening: the keys of its items it reads, in the order the function
# takes them, and the function making (cell name, separator, an item's part) per cell: a
# row's cell is its items' parts, in the list's order, joined by the separator.
FLATTENERS = {
    "participants": (("actor", "actor_name", "role"), _participants),
    "citations": (("source", "source_title", "quote"), _citations),
}

_TEXT_FIELDS = (models.CharField, models.TextField)
# Values csv_field already writes as format_value would (None as empty, ints, dates).
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
        self.formatted = []  # indexes of those csv_field would write differently
        self.nested = []  # a NestedCells per nested list
        nested_header = []
        for key, spec in rows.fields.items():
            if key in LEFT_OUT or spec is URL:
                continue
            if isinstance(spec, Nested):
                nested = NestedCells(spec, *FLATTENERS[key])
                self.nested.append(nested)
                nested_header += nested.names
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
        yield csv_line(self.header)
        queryset = queryset.prefetch_related(None).order_by("pk")
        last = None
        while True:
            batch = queryset if last is None else queryset.filter(pk__gt=last)
            batch = list(batch.values_list("pk", *self.paths)[:batch_size])
            if not batch:
                return
            last = batch[-1][0]
            yield "".join(self._lines(batch))

    def _lines(self, batch):
        pks = [row[0] for row in batch]
        nested = [(item.cells(pks), item.empty) for item in self.nested]
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
            line = ",".join(map(csv_field, cells))
            for by_row, empty in nested:
                line += by_row.get(row[0], empty)
            yield line + "\n"


class NestedCells:
    """The wide cells of one nested list (an event's participants) for a batch of rows.

    One query reads, in the list's order, each item's part of every cell, concatenated by
    the database (``actor:role``), with the related rows' columns joined in; Python only
    joins a row's parts. As fast as building the parts in Python from the items' columns
    and the related rows read apart (a little faster on PostgreSQL), and nothing is kept
    between batches.
    """

    def __init__(self, spec, reads, function):
        self.model = spec.model
        self.link = f"{spec.parent}_id"
        cells = function(*(F(spec.fields[name]) for name in reads))
        self.names = [name for name, _, _ in cells]
        self.separators = [separator for _, separator, _ in cells]
        self.parts = {f"wide_{name}": part for name, _, part in cells}
        self.empty = "," * len(cells)

    def cells(self, pks):
        """The CSV text of the cells (each after a comma) of each row of ``pks`` that has
        items, by row id."""
        link = self.link
        items = self.model._default_manager.order_by(link, *self.model._meta.ordering)
        # An id range is far cheaper to build and run than a list of a batch's ids; when
        # a filter leaves the batch sparse, the range would read too many other rows.
        if pks[-1] - pks[0] < 2 * len(pks):
            items = items.filter(**{f"{link}__gte": pks[0], f"{link}__lte": pks[-1]})
        else:
            items = items.filter(**{f"{link}__in": pks})
        rows = items.annotate(**self.parts).values_list(link, *self.parts)
        separators = self.separators
        cells_by_row = {}
        for pk, group in groupby(rows, itemgetter(0)):
            columns = zip(*group, strict=True)
            next(columns)  # the row's id
            cells = [
                separator.join(column)
                for separator, column in zip(separators, columns, strict=True)
            ]
            if any(cell[0] in FORMULA_STARTS for cell in cells if cell):
                cells = [safe(cell) for cell in cells]
            cells_by_row[pk] = "," + ",".join(map(csv_field, cells))
        return cells_by_row


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
