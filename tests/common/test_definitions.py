"""Every column users see and every vocabulary value is defined in words (the codebook)."""

import pytest
from django.db import models

from actors.tables import TABLES as ACTOR_TABLES
from common.choices import value_definitions
from events.tables import TABLES as EVENT_TABLES

TABLES = [*ACTOR_TABLES, *EVENT_TABLES]
COLUMNS = [(table, column) for table in TABLES for column in table.columns]


@pytest.mark.parametrize(
    ("table", "column"), COLUMNS, ids=[f"{t.name}.{c.name}" for t, c in COLUMNS]
)
def test_every_column_has_a_definition(table, column):
    assert str(column.field.help_text).strip(), f"{table.name}.{column.name} has no help_text"


@pytest.mark.parametrize("table", TABLES, ids=[table.name for table in TABLES])
def test_every_resource_has_a_description(table):
    assert table.description.strip()


CHOICE_COLUMNS = [(t, c) for t, c in COLUMNS if c.field.choices]


@pytest.mark.parametrize(
    ("table", "column"), CHOICE_COLUMNS, ids=[f"{t.name}.{c.name}" for t, c in CHOICE_COLUMNS]
)
def test_every_vocabulary_value_has_a_definition(table, column):
    definitions = value_definitions(column.field)
    assert definitions is not None, f"{table.name}.{column.name}: vocabulary not described"
    assert set(definitions) == {value for value, _label in column.field.choices}
    assert all(text.strip() for text in definitions.values())


def test_describe_refuses_a_missing_definition():
    from common.choices import describe

    class Colour(models.TextChoices):
        RED = "red", "Red"
        BLUE = "blue", "Blue"

    with pytest.raises(ValueError, match="undefined"):
        describe(Colour, {Colour.RED: "Red."})
