"""Load a data package into the database: validated first, then all or nothing.

The rows go in with their public keys (slugs, ids) in one transaction. The validator
(frictionless + the dataset's rules) judges the package before anything is written, and
the database's own constraints judge every row as it goes in: any error rolls the whole
load back, and is reported with its resource, row and field.
"""

import csv
from pathlib import Path

from django.core.management.color import no_style
from django.db import DatabaseError, IntegrityError, connections, transaction

from .files import PackageError, data_path, open_package
from .progress import SILENT
from .rules import parser
from .schema import RESOURCES
from .validate import Report, validate_folder

BATCH_SIZE = 1000


class LoadError(Exception):
    """The package was not loaded; ``report`` says why. The database is unchanged."""

    def __init__(self, report):
        super().__init__(report.format())
        self.report = report


def database_is_empty(using="default"):
    return not any(table.model._default_manager.using(using).exists() for table in RESOURCES)


def delete_all(using="default"):
    """Delete every row of the nine tables (foreign keys are checked at commit)."""
    for table in reversed(RESOURCES):
        queryset = table.model._default_manager.using(using).all()
        queryset._raw_delete(using)  # one DELETE per table, no per-row signals or collector


class _Converter:
    """Turns CSV rows of one resource into model instances with public keys kept."""

    def __init__(self, table, key_ids):
        self.table = table
        self.model = table.model
        self.steps = []
        for index, column in enumerate(table.columns):
            model_field = column.field
            if column.references is not None:
                lookup = key_ids.get(column.references)  # None: the key is the id itself
                self.steps.append((index, model_field.attname, _fk_parser(lookup)))
            else:
                self.steps.append((index, model_field.attname, parser(column)))
        # A slug-keyed model gets ids in file order (its ids are not public).
        self.own_ids = key_ids.get(self.model) if self.model in key_ids else None
        self.key_index = table.header.index(table.primary_key[0])

    def instance(self, cells):
        values = {attname: parse(cells[index]) for index, attname, parse in self.steps}
        if self.own_ids is not None:
            values["id"] = self.own_ids[cells[self.key_index]]
        return self.model(**values)


def _fk_parser(lookup):
    if lookup is None:
        return lambda text: int(text) if text != "" else None

    def resolve(text):
        if text == "":
            return None
        try:
            return lookup[text]
        except KeyError:
            raise ValueError(f"{text!r} is not a known key") from None

    return resolve


def _read_rows(folder, table, *, earlier_minor=False):
    """(row number, cells in the table's column order) of a resource's file.

    ``earlier_minor``: the package may be of an earlier minor version of this major one, made
    before some columns or resources were added: a missing resource has no rows, and a
    missing column (one that may be empty) is empty in every row.
    """
    path = Path(folder) / data_path(table)
    if earlier_minor and not path.is_file():
        return
    with open(path, encoding="utf-8", newline="") as handle:
        reader = csv.reader(handle, strict=True)
        header = next(reader, None)
        if header == table.header:
            yield from enumerate(reader, start=2)
            return
        if not earlier_minor or not _earlier_header(header, table):
            raise ValueError(f"header {header} is not {table.header}")
        positions = [header.index(name) if name in header else None for name in table.header]
        for number, cells in enumerate(reader, start=2):
            yield number, [cells[i] if i is not None else "" for i in positions]


def _earlier_header(header, table):
    """Whether ``header`` is the table's less columns that may be empty (added later)."""
    if header is None or not set(header) <= set(table.header):
        return False
    missing = [table.column(name).field for name in table.header if name not in header]
    return all(field.null or field.blank for field in missing)


def _slug_ids(folder, table, *, earlier_minor=False):
    """{slug: id} for a slug-keyed resource: ids 1..n in file order."""
    key_index = table.header.index(table.primary_key[0])
    rows = _read_rows(folder, table, earlier_minor=earlier_minor)
    return {cells[key_index]: n for n, (_row, cells) in enumerate(rows, 1)}


def _insert(model, batch, using, report, table):
    """bulk_create one batch in a savepoint; on a database error find the rows at fault."""
    objects = [obj for _row, obj in batch]
    try:
        with transaction.atomic(using=using):
            model._default_manager.using(using).bulk_create(objects)
        return True
    except (DatabaseError, OverflowError):
        pass
    for row_number, obj in batch:
        try:
            with transaction.atomic(using=using):
                model._default_manager.using(using).bulk_create([obj])
        except (DatabaseError, OverflowError) as error:  # SQLite: an int past 64 bits
            report.add(table.name, row_number, "", f"rejected by the database: {error}")
    return False


def load_rows(folder, *, using="default", progress=SILENT, earlier_minor=False):
    """Insert every resource of the (validated) package in ``folder``. Must run inside a
    transaction; raises LoadError, leaving that transaction to be rolled back.
    ``earlier_minor``: see ``_read_rows`` (a published release of an earlier minor version)."""
    report = Report()
    key_ids = {}
    for table in RESOURCES:
        if len(table.primary_key) == 1 and "id" not in table.header:  # slug-keyed
            try:
                key_ids[table.model] = _slug_ids(folder, table, earlier_minor=earlier_minor)
            except (OSError, UnicodeDecodeError, csv.Error, ValueError, IndexError) as error:
                report.add(table.name, 0, "", f"cannot read {data_path(table)}: {error}")
                raise LoadError(report) from error
    for table in RESOURCES:
        converter = _Converter(table, key_ids)
        batch, count = [], 0
        try:
            for row_number, cells in _read_rows(folder, table, earlier_minor=earlier_minor):
                try:
                    batch.append((row_number, converter.instance(cells)))
                except (ValueError, IndexError, KeyError) as error:
                    report.add(table.name, row_number, "", f"cannot read the row: {error}")
                    continue
                count += 1
                if len(batch) >= BATCH_SIZE:
                    _insert(table.model, batch, using, report, table)
                    batch = []
                    progress.update(f"load {table.name}", count)
                if len(report.problems) >= 100:
                    raise LoadError(report)
            if batch:
                _insert(table.model, batch, using, report, table)
        except (OSError, UnicodeDecodeError, csv.Error, ValueError) as error:
            report.add(table.name, 0, "", f"cannot read {data_path(table)}: {error}")
        progress.update(f"load {table.name}", count, final=True)
        if report.problems:
            raise LoadError(report)
    connection = connections[using]
    try:
        connection.check_constraints()  # the deferred foreign keys, before commit
    except IntegrityError as error:
        report.add("", 0, "", f"rejected by the database: {error}")
        raise LoadError(report) from error
    reset_sequences(using)


def reset_sequences(using="default"):
    """Make the next generated ids follow the loaded ones (PostgreSQL sequences)."""
    connection = connections[using]
    statements = connection.ops.sequence_reset_sql(no_style(), [table.model for table in RESOURCES])
    if statements:
        with connection.cursor() as cursor:
            for statement in statements:
                cursor.execute(statement)


def load_package(path, *, replace=False, using="default", progress=SILENT):
    """Validate and load the package at ``path``; returns its validation Report.

    Raises LoadError (nothing changed) when the package is invalid, of another major
    version, or the database is not empty and ``replace`` is false.
    """
    try:
        with open_package(path) as folder:
            report = validate_folder(folder, progress=progress)
            if not report.valid:
                raise LoadError(report)
            with transaction.atomic(using=using):
                if replace:
                    delete_all(using)
                elif not database_is_empty(using):
                    report.add(
                        "", 0, "", "the database already has data; use --replace to replace it"
                    )
                    raise LoadError(report)
                load_rows(folder, using=using, progress=progress)
            return report
    except PackageError as error:
        report = Report()
        report.add("", 0, "", str(error))
        raise LoadError(report) from error


def trial_load(folder, report, *, using="default", progress=SILENT):
    """Load ``folder`` inside a transaction that is always rolled back, adding the rows
    the database rejects to ``report``."""
    with transaction.atomic(using=using):
        try:
            delete_all(using)
            load_rows(folder, using=using, progress=progress)
        except LoadError as error:
            report.problems.extend(error.report.problems)
        finally:
            transaction.set_rollback(True, using=using)


def validate_and_trial_load(path, *, using="default", progress=SILENT):
    """Validate the package at ``path`` and, when valid, trial-load it (``trial_load``), so
    that the database's own constraints judge every row too. Returns the Report."""
    try:
        with open_package(path) as folder:
            report = validate_folder(folder, progress=progress)
            if report.valid:
                trial_load(folder, report, using=using, progress=progress)
            return report
    except PackageError as error:
        report = Report()
        report.add("", 0, "", str(error))
        return report
