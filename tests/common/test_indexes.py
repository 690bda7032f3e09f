"""Every index of the schema is needed: no table has two indexes of one definition (each
copy costs every write and its space, and serves nothing the other does not)."""

import re
from collections import defaultdict

import pytest
from django.db import connection

pytestmark = pytest.mark.django_db


def index_definitions():
    """{(table, definition without the index's name): [index names]}."""
    found = defaultdict(list)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "SELECT tablename, indexname, indexdef FROM pg_indexes "
                "WHERE schemaname = current_schema()"
            )
            for table, name, definition in cursor.fetchall():
                found[table, re.sub(r"INDEX \S+ ON", "INDEX ON", definition)].append(name)
        else:
            cursor.execute("SELECT tbl_name, name, sql FROM sqlite_master WHERE type = 'index'")
            for table, name, sql in cursor.fetchall():
                if sql is None:  # a UNIQUE or PRIMARY KEY constraint's own index
                    cursor.execute(f'PRAGMA index_xinfo("{name}")')
                    sql = repr([row[1:] for row in cursor.fetchall()])
                found[table, re.sub(r'INDEX "?[^"\s]+"? ON', "INDEX ON", sql)].append(name)
    return found


def test_no_table_has_two_indexes_of_one_definition():
    repeated = {key: names for key, names in index_definitions().items() if len(names) > 1}
    assert repeated == {}


def test_the_check_sees_a_repeated_index():
    with connection.cursor() as cursor:
        cursor.execute('CREATE INDEX "copy_of_an_index" ON "events_relation" ("counterpart_id")')
    repeated = {key: names for key, names in index_definitions().items() if len(names) > 1}
    assert [sorted(names) for names in repeated.values()] == [
        ["copy_of_an_index", "events_relation_counterpart_id_22124db2"]
    ]
