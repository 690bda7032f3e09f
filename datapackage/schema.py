"""The data package's Table Schema and metadata, derived from the Django models.

There is no hand-written schema: each resource is a ``common.tabular.Table`` (the same
column code the API's ``?format=csv`` uses), and its fields, constraints, primary key and
foreign keys are read from the model fields, validators, choices and check constraints.
"""

from django.core import validators as django_validators
from django.db import models
from django.db.backends.base.operations import BaseDatabaseOperations

from actors.models import HIERARCHY_RULE
from actors.tables import TABLES as ACTOR_TABLES
from common.choices import value_definitions
from common.tabular import CSV_DIALECT, public_key_field
from events.models import CITATION_RULES
from events.tables import TABLES as EVENT_TABLES

from .rules import column_type, single_field_constraints, strip_anchors

# The data package's major version this code reads and writes. A package of another
# major version has renamed or removed columns or vocabulary values, and is not loaded.
DATAPACKAGE_MAJOR = 1


def in_dependency_order(tables):
    """The tables as declared, checked to be in foreign-key dependency order: a resource
    only references earlier ones (or itself, as actors do), so loads insert parents first."""
    seen = set()
    for table in tables:
        for column in table.columns:
            target = column.references
            if target is not None and target is not table.model and target not in seen:
                raise ValueError(
                    f"resource {table.name} references {target.__name__}, which is not "
                    "declared before it"
                )
        seen.add(table.model)
    return list(tables)


# Every table of the apps is a resource: adding a Table to an app's TABLES adds it here.
RESOURCES = in_dependency_order([*ACTOR_TABLES, *EVENT_TABLES])
RESOURCES_BY_NAME = {table.name: table for table in RESOURCES}
RESOURCES_BY_MODEL = {table.model: table for table in RESOURCES}

# The rules that relate rows of several resources (or of one resource), declared beside
# their models; the validator runs one check per rule, on the resources of its models. A
# rule on a model the package does not carry yet has no rows to check here.
RULES = [rule for rule in (*CITATION_RULES, HIERARCHY_RULE) if rule.model in RESOURCES_BY_MODEL]

PACKAGE_NAME = "mena-alignments"
PACKAGE_METADATA = {
    "title": "MENA Alignments: Russia and Iran in the wars in Syria and Yemen",
    "description": (
        "A curated dataset on Russian and Iranian involvement in the wars in Syria and "
        "Yemen: who the actors are, what happened (events), what each actor stood for "
        "(positions on issues), and which sources say so, with the passage of the source "
        "that supports every row. Dates are only as precise as their sources: "
        "'September 2015' is 2015-09-01 with date_precision 'month'."
    ),
    "licenses": [
        {
            "name": "CC-BY-4.0",
            "title": "Creative Commons Attribution 4.0 International",
            "path": "https://creativecommons.org/licenses/by/4.0/",
        }
    ],
    "sources": [
        {
            "title": "Russia and Iran in Syria: Military Allies or Competitive Partners?",
            "path": (
                "https://blogs.lse.ac.uk/mec/2021/07/03/"
                "russia-and-iran-in-syria-military-allies-or-competitive-partners/"
            ),
            "description": "Samuel Ramani, LSE Middle East Centre blog, 3 July 2021.",
        }
    ],
    "contributors": [
        {"title": "MENA Alignments curators", "role": "author"},
        {"title": "Samuel Ramani (founding article)", "role": "contributor"},
    ],
    "keywords": [
        "Russia",
        "Iran",
        "Syria",
        "Yemen",
        "conflict events",
        "actors",
        "alignment",
        "provenance",
    ],
}

# The CSV dialect of common.tabular, as a Table Schema (v1) CSV dialect.
DIALECT = {
    "delimiter": CSV_DIALECT["delimiter"],
    "lineTerminator": CSV_DIALECT["lineterminator"],
    "quoteChar": CSV_DIALECT["quotechar"],
    "doubleQuote": True,
    "header": True,
}


def _choice_values(choices):
    values = []
    for value, label in choices:
        if isinstance(label, list | tuple):  # a named group of choices
            values.extend(inner for inner, _label in label)
        else:
            values.append(value)
    return values


def _title(model_field):
    text = str(model_field.verbose_name)
    return text[:1].upper() + text[1:]


def _merge(constraints, extra):
    for key, value in extra.items():
        if key == "minimum" and "minimum" in constraints:
            constraints[key] = max(constraints[key], value)
        elif key == "maximum" and "maximum" in constraints:
            constraints[key] = min(constraints[key], value)
        else:
            constraints[key] = value


def _validator_constraints(model_field):
    """Constraints from the field's own validators (not the database-dependent ones)."""
    constraints = {}
    for validator in model_field._validators:
        if isinstance(validator, django_validators.RegexValidator) and not validator.inverse_match:
            _merge(constraints, {"pattern": strip_anchors(validator.regex.pattern)})
        elif isinstance(validator, django_validators.MinValueValidator):
            _merge(constraints, {"minimum": validator.limit_value})
        elif isinstance(validator, django_validators.MaxValueValidator):
            _merge(constraints, {"maximum": validator.limit_value})
    return constraints


def integer_range(model_field):
    """(lowest, highest) value an integer field stores: PostgreSQL's range, the stricter
    of the supported databases (SQLite stores 64 bits in every integer column). PostgreSQL
    uses Django's base ranges; reading them from the base spares SQLite sites importing
    psycopg."""
    return BaseDatabaseOperations.integer_field_ranges[model_field.get_internal_type()]


def column_range(column):
    """The database's (lowest, highest) for an integer column (of its target's key, for a
    foreign key), else None."""
    model_field = column.field
    if column.references is not None:
        model_field = public_key_field(column.references)
    if not isinstance(model_field, models.IntegerField | models.AutoField):
        return None
    return integer_range(model_field)


def _range_constraints(column):
    bounds = column_range(column)
    return {} if bounds is None else {"minimum": bounds[0], "maximum": bounds[1]}


def _check_constraints(model):
    """{field name: Table Schema constraints} from the model's one-field check constraints."""
    result = {}
    for constraint in model._meta.constraints:
        if isinstance(constraint, models.CheckConstraint):
            derived = single_field_constraints(constraint.condition)
            if derived is not None:
                name, constraints = derived
                _merge(result.setdefault(name, {}), constraints)
    return result


def _unique_fields(model):
    """Fields unique on their own: ``unique=True`` or a one-field UniqueConstraint whose
    only condition is "not blank" (frictionless skips empty cells in unique checks)."""
    names = {f.name for f in model._meta.concrete_fields if f.unique and not f.primary_key}
    for constraint in model._meta.constraints:
        if isinstance(constraint, models.UniqueConstraint) and len(constraint.fields) == 1:
            (name,) = constraint.fields
            condition = constraint.condition
            if condition is None or condition == ~q_blank(name):
                names.add(name)
    return names


def q_blank(name):
    return models.Q(**{name: ""})


def field_descriptor(table, column):
    """The Table Schema field for one column of a table."""
    model_field = column.field
    kind = column_type(model_field)
    descriptor = {"name": column.name, "type": kind}
    if kind == "date":
        descriptor["format"] = "default"
    if isinstance(model_field, models.URLField):
        descriptor["format"] = "uri"
    descriptor["title"] = _title(model_field)
    if model_field.help_text:
        descriptor["description"] = str(model_field.help_text)

    constraints = {}
    in_key = column.name in table.primary_key
    if in_key or (not model_field.null and not model_field.blank):
        constraints["required"] = True
    if column.name in _unique_fields(table.model) and table.primary_key != [column.name]:
        constraints["unique"] = True
    if column.references is not None:
        target = public_key_field(column.references)
        _merge(constraints, _range_constraints(column))
        _merge(constraints, _validator_constraints(target))
        if getattr(target, "max_length", None) and kind == "string":
            constraints["maxLength"] = target.max_length
    else:
        if model_field.choices:
            constraints["enum"] = _choice_values(model_field.choices)
        if getattr(model_field, "max_length", None) and kind == "string":
            constraints["maxLength"] = model_field.max_length
        _merge(constraints, _range_constraints(column))
        _merge(constraints, _validator_constraints(model_field))
        if isinstance(
            model_field,
            (
                models.PositiveIntegerField,
                models.PositiveBigIntegerField,
                models.PositiveSmallIntegerField,
            ),
        ):
            _merge(constraints, {"minimum": 0})
        _merge(constraints, _check_constraints(table.model).get(column.name, {}))
    if constraints:
        descriptor["constraints"] = {key: constraints[key] for key in sorted(constraints)}
    definitions = value_definitions(model_field) if column.references is None else None
    if definitions:
        # What each vocabulary value means (a property of this package's fields; the Table
        # Schema lets fields carry more properties than it defines).
        descriptor["enumDescriptions"] = definitions
    return descriptor


def table_schema(table):
    """The Table Schema of one resource, from its Table and model."""
    schema = {
        "fields": [field_descriptor(table, column) for column in table.columns],
        "missingValues": [""],
        "primaryKey": list(table.primary_key),
    }
    foreign_keys = []
    for column in table.columns:
        if column.references is None:
            continue
        target_key = public_key_field(column.references).name
        target = next(t for t in RESOURCES if t.model is column.references)
        # A reference to the resource itself is written with an empty resource name.
        resource = "" if target is table else target.name
        foreign_keys.append(
            {"fields": [column.name], "reference": {"resource": resource, "fields": [target_key]}}
        )
    if foreign_keys:
        schema["foreignKeys"] = foreign_keys
    return schema


def resource_descriptor(table, *, nbytes=None, sha256=None):
    descriptor = {
        "name": table.name,
        "path": f"data/{table.name}.csv",
        "profile": "tabular-data-resource",
        "title": table.title,
        "description": table.description,
        "format": "csv",
        "mediatype": "text/csv",
        "encoding": "utf-8",
    }
    if nbytes is not None:
        descriptor["bytes"] = nbytes
    if sha256 is not None:
        descriptor["hash"] = f"sha256:{sha256}"
    descriptor["dialect"] = dict(DIALECT)
    descriptor["schema"] = table_schema(table)
    return descriptor


def package_descriptor(*, version, created, files=None):
    """The whole ``datapackage.json``; ``files`` maps a resource to (bytes, sha256)."""
    files = files or {}
    descriptor = {
        "profile": "tabular-data-package",
        "name": PACKAGE_NAME,
        "title": PACKAGE_METADATA["title"],
        "description": PACKAGE_METADATA["description"],
        "version": version,
        "created": created,
    }
    for key in ("licenses", "sources", "contributors", "keywords"):
        descriptor[key] = PACKAGE_METADATA[key]
    descriptor["resources"] = []
    for table in RESOURCES:
        nbytes, sha256 = files.get(table.name, (None, None))
        descriptor["resources"].append(resource_descriptor(table, nbytes=nbytes, sha256=sha256))
    return descriptor
