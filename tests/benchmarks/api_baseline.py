"""The raw baseline of bench_api.py: the API's own SQL, replayed without Django or DRF.

bench_api.py captures the statements the API runs for each benchmarked request
(capture_sql.py serves the request once in-process and records every statement with its
parameters, in order) into a JSON file. This plain WSGI app answers ``/raw/<case>`` by running
the same statements with the DB-API driver (sqlite3, or psycopg connected as Django connects:
the same parameter binding, prepared statements and session settings) and writing their rows
with ``json.dumps``, or streaming them with ``csv.writer`` for an export. What it costs is
what the SQL and the encoding cost: the floor under the API, which bench_api.py reports the
API's throughput against.

The SQL is captured, not copied by hand, so the baseline can never drift from what the API
runs (a hand-copied baseline did, while the API's queries changed under it).

    BENCH_CAPTURED_SQL=captured.json BENCH_DATABASE_URL=postgres://... \\
        gunicorn -c gunicorn.conf.py tests.benchmarks.api_baseline:application
"""

import csv
import datetime
import decimal
import io
import json
import os
import re
import threading
import uuid

# Django's own translation of its "format" placeholders to sqlite3's "qmark" style
# (django.db.backends.sqlite3.base.SQLiteCursorWrapper.convert_query).
FORMAT_QMARK = re.compile(r"(?<!%)%s")
CHUNK_ROWS = 2000

_local = threading.local()


# -- captured statements ------------------------------------------------------------------


def encode_value(value):
    """A statement parameter as JSON, typed where JSON has no type for it."""
    if isinstance(value, datetime.datetime):
        return {"$datetime": value.isoformat()}
    if isinstance(value, datetime.date):
        return {"$date": value.isoformat()}
    if isinstance(value, decimal.Decimal):
        return {"$decimal": str(value)}
    if isinstance(value, uuid.UUID):
        return {"$uuid": str(value)}
    if isinstance(value, bytes | memoryview):
        return {"$bytes": bytes(value).hex()}
    if isinstance(value, list | tuple):
        return [encode_value(item) for item in value]
    return value


def decode_value(value):
    if isinstance(value, list):
        return [decode_value(item) for item in value]
    if isinstance(value, dict):
        ((kind, text),) = value.items()
        return {
            "$datetime": datetime.datetime.fromisoformat,
            "$date": datetime.date.fromisoformat,
            "$decimal": decimal.Decimal,
            "$uuid": uuid.UUID,
            "$bytes": bytes.fromhex,
        }[kind](text)
    return value


def load(path):
    with open(path, encoding="utf-8") as file:
        return json.load(file)


# -- database -----------------------------------------------------------------------------


def database_url():
    return os.environ["BENCH_DATABASE_URL"]


def connect(statement):
    """This thread's connection to the database a statement ran on (kept, like Django's
    persistent connections under CONN_MAX_AGE)."""
    key = (statement["vendor"], statement["database"] or database_url())
    connections = getattr(_local, "connections", None)
    if connections is None:
        connections = _local.connections = {}
    conn = connections.get(key)
    if conn is None:
        if statement["vendor"] == "postgresql":
            import psycopg

            # As the API connected (capture_sql.driver_options): the same binding, prepared
            # statements and session settings, so the server parses and plans alike.
            driver = statement.get("driver") or {}
            options = {"autocommit": True}
            if driver.get("server_side_binding"):
                options["prepare_threshold"] = driver.get("prepare_threshold")
            else:
                options["cursor_factory"] = psycopg.ClientCursor
            if driver.get("options"):
                options["options"] = driver["options"]
            conn = psycopg.connect(database_url(), **options)
        else:
            import sqlite3

            name = statement["database"]
            conn = sqlite3.connect(
                name, uri=name.startswith("file:"), check_same_thread=False, isolation_level=None
            )
        connections[key] = conn
    return conn


def close_all():
    for conn in getattr(_local, "connections", {}).values():
        conn.close()
    _local.connections = {}


def driver_sql(statement):
    """The statement's text and parameters as its driver takes them."""
    sql, params = statement["sql"], statement["params"]
    if params is None:
        return sql, None
    params = decode_value(params)
    if statement["vendor"] == "sqlite":
        sql = FORMAT_QMARK.sub("?", sql).replace("%%", "%")
    return sql, params


def execute(statement, *, streamed=False, hold=True):
    """A cursor over the statement's rows: server-side on PostgreSQL when ``streamed`` (as
    Django's export reads), so a large result is never held whole; declared WITH HOLD
    (``hold``) unless it is read inside a transaction."""
    conn = connect(statement)
    sql, params = driver_sql(statement)
    query = sql.lstrip().upper().startswith(("SELECT", "WITH"))
    if streamed and query and statement["vendor"] == "postgresql":
        cursor = conn.cursor(name=f"raw_{threading.get_ident()}", withhold=hold)
    else:
        cursor = conn.cursor()
    if statement["many"]:
        cursor.executemany(sql, params)
    elif params is None:
        cursor.execute(sql)
    else:
        cursor.execute(sql, params)
    return cursor


def json_value(value):
    if isinstance(value, datetime.date | datetime.datetime):
        return value.isoformat()
    if isinstance(value, decimal.Decimal):
        return float(value)
    if isinstance(value, uuid.UUID):
        return str(value)
    if isinstance(value, bytes | memoryview):
        return bytes(value).hex()
    raise TypeError(f"{type(value).__name__} in a row")


def rows_of(statement):
    """Every row of the statement as a dict, keyed by its column names."""
    cursor = execute(statement)
    try:
        if cursor.description is None:
            return []
        names = [column[0] for column in cursor.description]
        return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]
    finally:
        cursor.close()


# -- the WSGI app ---------------------------------------------------------------------------


def json_body(statements):
    """Each statement's rows, compact UTF-8 JSON as DRF renders it."""
    body = {"results": [rows_of(statement) for statement in statements]}
    return json.dumps(body, ensure_ascii=False, separators=(",", ":"), default=json_value).encode()


def csv_stream(statements):
    """Each statement's rows through a plain csv.writer, a chunk per batch of rows; from
    the API's SET TRANSACTION on (its export's snapshot), in one transaction, as it read."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    snapshot = None
    try:
        for statement in statements:
            if statement["sql"].startswith("SET TRANSACTION"):
                snapshot = connect(statement)
                snapshot.execute("BEGIN")
            cursor = execute(statement, streamed=True, hold=snapshot is None)
            try:
                if cursor.description is None:
                    continue
                writer.writerow([column[0] for column in cursor.description])
                while rows := cursor.fetchmany(CHUNK_ROWS):
                    writer.writerows(rows)
                    yield buffer.getvalue().encode()
                    buffer.seek(0)
                    buffer.truncate()
            finally:
                cursor.close()
    finally:
        if snapshot is not None:
            snapshot.execute("COMMIT")
    yield buffer.getvalue().encode()


CAPTURED = load(os.environ["BENCH_CAPTURED_SQL"]) if "BENCH_CAPTURED_SQL" in os.environ else {}


def application(environ, start_response):
    path = environ["PATH_INFO"]
    if path == "/raw/":  # what bench_api.py polls until the server is up
        body = json.dumps(sorted(CAPTURED)).encode()
        start_response("200 OK", [("Content-Type", "application/json")])
        return [body]
    case = CAPTURED.get(path.removeprefix("/raw/"))
    if case is None:
        start_response("404 Not Found", [("Content-Type", "application/json")])
        return [b'{"detail":"Not found."}']
    if case["format"] == "csv":
        start_response("200 OK", [("Content-Type", "text/csv; charset=utf-8")])
        return csv_stream(case["statements"])
    body = json_body(case["statements"])
    headers = [("Content-Type", "application/json"), ("Content-Length", str(len(body)))]
    start_response("200 OK", headers)
    return [body]
