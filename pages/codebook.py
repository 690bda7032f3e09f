"""The codebook: every resource, column and vocabulary value in words.

Nothing here is written twice: resources and their descriptions are the ``Table``s of
actors/tables.py and events/tables.py, each column's type and constraints its Table Schema
field (datapackage.schema.field_descriptor, which reads the column's ``help_text``), and each
vocabulary value's definition comes from ``common.choices`` (``describe``).
"""

from actors.tables import TABLES as ACTOR_TABLES
from common.choices import VOCABULARIES, value_definitions
from datapackage.schema import RESOURCES_BY_NAME, field_descriptor
from events.tables import TABLES as EVENT_TABLES

TABLES = [*ACTOR_TABLES, *EVENT_TABLES]


def vocabulary_name(choices):
    return choices.__name__


def vocabulary_of(model_field):
    """The described vocabulary (a TextChoices class) of a column, or None."""
    definitions = value_definitions(model_field)
    if definitions is None:
        return None
    for vocabulary in VOCABULARIES:
        if vocabulary.descriptions == definitions:
            return vocabulary
    return None


def vocabularies():
    """Every described vocabulary, each value with its label and definition."""
    result = []
    for vocabulary in VOCABULARIES:
        result.append(
            {
                "name": vocabulary_name(vocabulary),
                "values": [
                    {"value": value, "label": label, "definition": vocabulary.descriptions[value]}
                    for value, label in vocabulary.choices
                ],
            }
        )
    return result


def resources():
    """Every resource of the dataset, with its columns."""
    result = []
    for table in TABLES:
        columns = []
        for column in table.columns:
            descriptor = field_descriptor(table, column)
            constraints = descriptor.get("constraints", {})
            vocabulary = vocabulary_of(column.field) if column.references is None else None
            references = None
            if column.references is not None:
                target = next(t for t in TABLES if t.model is column.references)
                references = {"resource": target.name, "key": target.primary_key[0]}
            columns.append(
                {
                    "name": column.name,
                    "type": descriptor["type"],
                    "description": descriptor.get("description", ""),
                    "required": constraints.get("required", False),
                    "unique": constraints.get("unique", False),
                    "key": column.name in table.primary_key,
                    "pattern": constraints.get("pattern"),
                    "minimum": constraints.get("minimum"),
                    "maximum": constraints.get("maximum"),
                    "max_length": constraints.get("maxLength"),
                    "vocabulary": vocabulary_name(vocabulary) if vocabulary else None,
                    "references": references,
                }
            )
        result.append(
            {
                "name": table.name,
                "title": table.title,
                "description": table.description,
                "primary_key": table.primary_key,
                "in_package": table.name in RESOURCES_BY_NAME,
                "columns": columns,
            }
        )
    return result
