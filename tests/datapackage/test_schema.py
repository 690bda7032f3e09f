import frictionless
import pytest
from django.db.backends.postgresql.operations import DatabaseOperations

from actors.choices import ActorKind
from actors.models import HIERARCHY_RULE
from common.rules import CitedBy
from datapackage.rules import row_rules
from datapackage.schema import (
    DATAPACKAGE_MAJOR,
    RESOURCES,
    RULES,
    column_range,
    package_descriptor,
    table_schema,
)
from events.choices import DatePrecision, EventType, GeoPrecision, Role, SourceType, Stance
from events.models import CITATION_RULES


def schema(name):
    return table_schema(next(table for table in RESOURCES if table.name == name))


def field(name, column):
    return next(f for f in schema(name)["fields"] if f["name"] == column)


def test_resources_in_foreign_key_order():
    assert [table.name for table in RESOURCES] == [
        "actors",
        "actor_aliases",
        "sources",
        "events",
        "event_actors",
        "event_sources",
        "issues",
        "positions",
        "position_sources",
        "relations",
        "relation_sources",
    ]
    seen = set()
    for table in RESOURCES:
        for key in schema(table.name).get("foreignKeys", []):
            assert key["reference"]["resource"] in seen | {""}, (table.name, key)
        seen.add(table.name)


def test_fields_are_the_table_columns():
    for table in RESOURCES:
        assert [f["name"] for f in schema(table.name)["fields"]] == table.header


@pytest.mark.parametrize(
    "resource, column, choices",
    [
        ("actors", "kind", ActorKind),
        ("sources", "source_type", SourceType),
        ("events", "event_type", EventType),
        ("events", "date_precision", DatePrecision),
        ("events", "geo_precision", GeoPrecision),
        ("event_actors", "role", Role),
        ("positions", "stance", Stance),
    ],
)
def test_vocabularies_come_from_the_model_choices(resource, column, choices):
    assert field(resource, column)["constraints"]["enum"] == list(choices.values)


def test_types_and_constraints_from_fields_validators_and_check_constraints():
    assert field("events", "id") == {
        "name": "id",
        "type": "integer",
        "title": "ID",
        "description": "Stable public key of the event. Never changes once published.",
        "constraints": {"required": True, "minimum": -(2**63), "maximum": 2**63 - 1},
    }
    assert field("events", "date_start")["type"] == "date"
    assert field("sources", "title")["constraints"]["required"] is True
    # an event observed going on may have no start (event_dated_or_ongoing)
    assert "constraints" not in field("events", "date_start")
    assert "constraints" not in field("events", "date_end")
    # validators and the event_latitude_range check constraint
    assert field("events", "latitude")["type"] == "number"
    assert field("events", "latitude")["constraints"] == {"minimum": -90, "maximum": 90}
    # the event_fatalities_not_negative check constraint, and PostgreSQL's integer range
    assert field("events", "fatalities")["constraints"] == {"minimum": 0, "maximum": 2**31 - 1}
    # RegexValidator, without the anchors frictionless adds itself
    assert field("actors", "slug")["constraints"]["pattern"] == "[a-z0-9]+(-[a-z0-9]+)*"
    assert field("events", "country")["constraints"]["pattern"] == "[A-Z]{2}"
    assert field("events", "title")["constraints"] == {"maxLength": 300, "required": True}
    assert field("sources", "url")["format"] == "uri"
    assert field("actors", "wikidata_id")["constraints"]["unique"] is True
    assert "required" not in field("actors", "short_name").get("constraints", {})
    # verbose_name and help_text
    assert field("actors", "wikidata_id")["title"] == "Wikidata id"
    assert "Quds Force" in field("actors", "parent")["description"]


def test_foreign_key_columns_take_the_referenced_key():
    assert field("event_actors", "actor")["type"] == "string"
    assert field("event_actors", "actor")["constraints"]["pattern"] == "[a-z0-9]+(-[a-z0-9]+)*"
    assert field("event_actors", "event")["type"] == "integer"
    assert schema("event_actors")["primaryKey"] == ["event", "actor", "role"]
    assert schema("event_actors")["foreignKeys"] == [
        {"fields": ["event"], "reference": {"resource": "events", "fields": ["id"]}},
        {"fields": ["actor"], "reference": {"resource": "actors", "fields": ["slug"]}},
    ]


def test_actor_parent_is_a_self_reference():
    assert schema("actors")["primaryKey"] == ["slug"]
    assert schema("actors")["foreignKeys"] == [
        {"fields": ["parent"], "reference": {"resource": "", "fields": ["slug"]}}
    ]


def test_multi_field_check_constraints_become_row_rules():
    events = next(t for t in RESOURCES if t.name == "events")
    names = {rule.name for rule in row_rules(events)}
    assert names == {
        "event_date_end_after_start",
        "event_month_precision_first_day",
        "event_year_precision_first_january",
        "event_month_precision_end_first_day",
        "event_year_precision_end_first_january",
        "event_undated_has_no_precision",
        "event_ongoing_has_no_end",
        "event_ongoing_after_start",
        "event_dated_or_ongoing",
        "event_coordinates_complete",
    }
    actors = next(t for t in RESOURCES if t.name == "actors")
    assert {rule.name for rule in row_rules(actors)} == {"actor_not_own_parent"}


def test_row_rules_use_sql_three_valued_logic():
    import datetime

    events = next(t for t in RESOURCES if t.name == "events")
    (order,) = [r for r in row_rules(events) if r.name == "event_date_end_after_start"]
    start = datetime.date(2020, 5, 1)
    assert order.violated({"date_start": start, "date_end": datetime.date(2020, 4, 30)})
    assert not order.violated({"date_start": start, "date_end": None})
    assert not order.violated({"date_start": start, "date_end": start})


def test_the_descriptor_is_valid_frictionless_metadata():
    descriptor = package_descriptor(
        version=f"{DATAPACKAGE_MAJOR}.0.0", created="2021-07-03T00:00:00Z"
    )
    errors = list(frictionless.Package.metadata_validate(descriptor))
    assert errors == []
    for resource in descriptor["resources"]:
        assert list(frictionless.Resource.metadata_validate(resource)) == []


def test_the_rules_of_the_models_the_package_carries_are_validated():
    carried = {table.model for table in RESOURCES}
    for rule in (*CITATION_RULES, HIERARCHY_RULE):
        assert (rule in RULES) == (rule.model in carried), rule
    for rule in RULES:
        if isinstance(rule, CitedBy):
            assert rule.citation_model in carried, f"{rule.model} is carried, not its citations"


def test_integer_ranges_are_postgresql_s():
    for table in RESOURCES:
        for column in table.columns:
            if column_range(column) is not None:
                field = column.field if column.references is None else column.references._meta.pk
                expected = DatabaseOperations.integer_field_ranges[field.get_internal_type()]
                assert column_range(column) == expected, (table.name, column.name)
