"""Tables: the one description of how model rows become data package / CSV rows.

A ``Table`` is derived from a Django model: its columns are the model's concrete fields
(timestamps and surrogate ids left out), foreign keys written as the related model's
public key (slug or id). The data package's Table Schema, its CSV files, its loader and
the API's ``?format=csv`` all read the same ``Table``, so they cannot drift apart.
"""

import csv
import datetime
import decimal
import math
from contextlib import contextmanager
from dataclasses import dataclass, field

from django.db import connections, models, transaction
from django.db.models import F
from django.db.models.functions import Collate

CSV_DIALECT = {
    "delimiter": ",",
    "quotechar": '"',
    "lineterminator": "\n",
    "quoting": csv.QUOTE_MINIMAL,
}
NON_DATA_FIELDS = {"created", "updated"}


def csv_field(value):
    """``value`` as a field of a CSV_DIALECT row: quoted when it holds a comma, a quote or a
    line break, its quotes doubled; None as empty. Every CSV the project writes (the data
    package's, ``?format=csv``, the wide export) is made of these fields.

    The same text as csv.writer's, except that a carriage return is quoted too: Python
    3.11's writer leaves a lone one bare, and csv.reader, pandas and spreadsheets then read
    it as the end of the row. Made of str methods, it writes long text several times faster
    than csv.writer (the wide export's participant and citation cells at 100k events:
    0.13 s against 0.80 s); on short fields the two cost the same.
    """
    if value is None:
        return ""
    if value.__class__ is not str:
        value = str(value)
    if '"' in value:
        return '"' + value.replace('"', '""') + '"'
    if "," in value or "\n" in value or "\r" in value:
        return '"' + value + '"'
    return value


def csv_line(values):
    """A CSV_DIALECT row of ``values`` (see ``csv_field``), with its line terminator."""
    line = ",".join(map(csv_field, values))
    if not line and len(values) == 1:
        return '""\n'  # as csv.writer: a lone empty field, not a blank line
    return line + "\n"


@contextmanager
def one_snapshot(using="default"):
    """A transaction in which every read sees the same data: on PostgreSQL a read-only
    REPEATABLE READ one, so rows changed meanwhile by others are not seen. Inside an open
    transaction, only a savepoint (its isolation is already set)."""
    connection = connections[using]
    outermost = not connection.in_atomic_block
    with transaction.atomic(using=using):
        if outermost and connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
        yield


def csv_text(header, rows):
    """A small CSV document (a header and rows of values) in the package's dialect."""
    return csv_rows([header]) + csv_rows(rows)


def csv_rows(rows):
    """CSV lines for ``rows`` (lists of values) in the package's dialect."""
    return "".join(csv_line([format_value(value) for value in row]) for row in rows)


BINARY_COLLATIONS = {"postgresql": "C", "sqlite": "BINARY"}


def public_key_field(model):
    """The field that names a row publicly: a unique slug if the model has one, else id."""
    try:
        slug = model._meta.get_field("slug")
    except Exception:
        return model._meta.pk
    return slug if slug.unique else model._meta.pk


@dataclass(frozen=True)
class Column:
    name: str
    field: models.Field  # the model field the column comes from
    path: str  # ORM lookup path that yields the column's value
    references: type[models.Model] | None = None  # the model a foreign key points at


def format_value(value):
    """Canonical text for a value: the same value always gives the same bytes."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, datetime.datetime):
        return value.isoformat()
    if isinstance(value, datetime.date):
        return value.isoformat()
    if isinstance(value, float):
        if not math.isfinite(value):
            raise ValueError(f"cannot write non-finite number {value!r}")
        text = repr(value)
        return text[:-2] if text.endswith(".0") else text
    if isinstance(value, decimal.Decimal):
        return format(value.normalize(), "f")
    return str(value)


@dataclass
class Table:
    name: str
    model: type[models.Model]
    primary_key: list[str]
    title: str = ""
    description: str = ""
    columns: list[Column] = field(default_factory=list)

    @classmethod
    def from_model(cls, name, model, *, primary_key, title="", description=""):
        columns = []
        for model_field in model._meta.concrete_fields:
            if model_field.name in NON_DATA_FIELDS or model_field.generated:
                continue
            if model_field.primary_key and model_field.name not in primary_key:
                continue
            if model_field.is_relation:
                target = model_field.related_model
                key = public_key_field(target)
                # An id key is already on this row; only a slug key needs a join.
                path = model_field.attname if key.primary_key else f"{model_field.name}__{key.name}"
                columns.append(Column(model_field.name, model_field, path, target))
            else:
                columns.append(Column(model_field.name, model_field, model_field.name))
        return cls(name, model, list(primary_key), title, description, columns)

    def only(self, names):
        """The same table with only the columns ``names`` (a release of an earlier minor
        version, made before some columns were added), in the table's order."""
        if names == self.header:
            return self
        columns = [column for column in self.columns if column.name in set(names)]
        return Table(self.name, self.model, self.primary_key, self.title, self.description, columns)

    @property
    def header(self):
        return [column.name for column in self.columns]

    def order_by(self, vendor):
        """Primary-key order, with text compared byte-wise on every database.

        PostgreSQL would otherwise sort by its locale's collation and SQLite by bytes, and
        the same rows must give the same file on both.
        """
        collation = BINARY_COLLATIONS.get(vendor)
        ordering = []
        for name in self.primary_key:
            column = self.column(name)
            text = isinstance(column.field, models.CharField) or (
                column.references is not None and not column.path.endswith("_id")
            )
            ordering.append(
                Collate(F(column.path), collation) if text and collation else column.path
            )
        return ordering

    def column(self, name):
        for column in self.columns:
            if column.name == name:
                return column
        raise KeyError(name)

    def rows(self, queryset=None, *, chunk_size=2000):
        """Yield each row as a list of canonical strings, in primary-key order.

        Rows come from ``values_list`` through a server-side cursor where the database
        has one, so memory stays flat however many rows there are.
        """
        if queryset is None:
            queryset = self.model._default_manager.all()
        paths = [column.path for column in self.columns]
        vendor = connections[queryset.db].vendor
        values = queryset.order_by(*self.order_by(vendor)).values_list(*paths)
        for row in values.iterator(chunk_size=chunk_size):
            yield [format_value(value) for value in row]

    def csv_chunks(self, queryset=None, *, rows_per_chunk=1000, counter=None):
        """Yield the table as CSV text in chunks: the header first, then the rows.

        The one CSV writer: the API's ``?format=csv`` streams these chunks and the data
        package build writes them to its files, so both give the same bytes by
        construction. The bytes are those of writing ``rows()`` (``csv_line``); only columns
        whose values ``csv_field`` would write differently from ``format_value`` are
        formatted, which makes exports of large tables about twice as fast. ``counter`` is
        called with the number of rows written so far after each chunk.
        """
        if queryset is None:
            queryset = self.model._default_manager.all()
        formatted = [index for index, column in enumerate(self.columns) if _needs_format(column)]
        paths = [column.path for column in self.columns]
        vendor = connections[queryset.db].vendor
        values = queryset.order_by(*self.order_by(vendor)).values_list(*paths)
        lines = [csv_line(self.header)]
        count = 0
        for row in values.iterator(chunk_size=2000):
            if formatted:
                row = list(row)
                for index in formatted:
                    row[index] = format_value(row[index])
            lines.append(csv_line(row))
            count += 1
            if count % rows_per_chunk == 0:
                yield "".join(lines)
                lines.clear()
                if counter is not None:
                    counter(count)
        yield "".join(lines)
        if counter is not None:
            counter(count)


# csv_field already writes these values as format_value does: None as "", str as is,
# int and date through str() (a date's str() is its ISO format).
_UNFORMATTED_FIELDS = (models.CharField, models.TextField, models.IntegerField, models.AutoField)


def _needs_format(column):
    field = column.field
    if column.references is not None:
        field = public_key_field(column.references)
    if isinstance(field, models.DateTimeField):
        return True
    if isinstance(field, models.DateField):
        return False
    return not isinstance(field, _UNFORMATTED_FIELDS)
