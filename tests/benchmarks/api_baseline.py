"""The raw baseline for bench_api.py: a plain WSGI app, no Django, no DRF.

It answers the benchmarked requests with the SQL the API runs (copied from the ORM's
output: count, page, participants, citations; and the export's single SELECT), building the
same JSON with ``json.dumps`` and the same CSV with a plain ``csv.writer``. bench_api.py checks
that its bodies equal the API's before measuring anything.

Serve it with the API's gunicorn settings:
    BENCH_DATABASE_URL=... gunicorn -c gunicorn.conf.py tests.benchmarks.api_baseline:application
"""

import csv
import datetime
import io
import json
import os
import threading
from urllib.parse import parse_qs, urlencode

DATABASE_URL = os.environ.get("BENCH_DATABASE_URL", "sqlite:////tmp/mena-bench.sqlite3")
VENDOR = "postgresql" if DATABASE_URL.startswith(("postgres://", "postgresql://")) else "sqlite"
MARK = "%s" if VENDOR == "postgresql" else "?"

# date_after compares the whole period of a month- or year-precision date (common.api).
_ENDS_AFTER = (
    '("events_event"."date_precision" = {m} AND ("events_event"."date_end" >= {m} '
    'OR ("events_event"."date_end" IS NULL AND "events_event"."date_start" >= {m})))'
)
EVENT_WHERE = (
    'WHERE ("events_event"."country" IN ({countries}) AND (' + " OR ".join([_ENDS_AFTER] * 3) + "))"
)
COUNT_SQL = 'SELECT COUNT(*) AS "__count" FROM "events_event" {where}'
EVENT_COLUMNS = [
    "id", "title", "summary", "event_type", "country", "date_start", "date_end",
    "date_precision", "location_name", "location_country", "latitude", "longitude",
    "geo_precision", "fatalities", "created", "updated",
]  # fmt: skip
PAGE_SQL = (
    "SELECT "
    + ", ".join(f'"events_event"."{c}" AS "{c}"' for c in EVENT_COLUMNS)
    + ', "events_event"."id" AS "pk" FROM "events_event" {where} '
    "ORDER BY 6 ASC, 1 ASC LIMIT {limit} OFFSET {offset}"
)
PARTICIPANTS_SQL = (
    'SELECT "events_eventactor"."event_id" AS "event_id", "actors_actor"."slug" AS '
    '"actor__slug", "actors_actor"."name" AS "actor__name", "events_eventactor"."role" AS '
    '"role" FROM "events_eventactor" INNER JOIN "actors_actor" ON '
    '("events_eventactor"."actor_id" = "actors_actor"."id") WHERE '
    '"events_eventactor"."event_id" IN ({ids}) ORDER BY 1 ASC, 2 ASC, 4 ASC'
)
CITATIONS_SQL = (
    'SELECT "events_eventsource"."event_id" AS "event_id", "events_eventsource"."source_id" '
    'AS "source_id", "events_source"."title" AS "source__title", "events_eventsource"."quote" '
    'AS "quote" FROM "events_eventsource" INNER JOIN "events_source" ON '
    '("events_eventsource"."source_id" = "events_source"."id") WHERE '
    '"events_eventsource"."event_id" IN ({ids}) ORDER BY 1 ASC, 2 ASC'
)
CSV_COLUMNS = EVENT_COLUMNS[:-2]
EXPORT_SQL = (
    "SELECT "
    + ", ".join(f'"events_event"."{c}" AS "{c}"' for c in CSV_COLUMNS)
    + ' FROM "events_event" ORDER BY 1 ASC'
)

_local = threading.local()


def connection():
    conn = getattr(_local, "conn", None)
    if conn is None:
        if VENDOR == "postgresql":
            import psycopg

            conn = psycopg.connect(DATABASE_URL, autocommit=True)
        else:
            import sqlite3

            conn = sqlite3.connect(DATABASE_URL.removeprefix("sqlite://"), check_same_thread=False)
        _local.conn = conn
    return conn


def to_date(value):
    # sqlite3 gives ISO text already; psycopg gives date objects.
    return value if value is None or isinstance(value, str) else value.isoformat()


def to_datetime(value):
    """The text DRF's DateTimeField gives for a UTC timestamp."""
    if value is None:
        return None
    if isinstance(value, str):
        text = value.replace(" ", "T")
    else:
        text = value.astimezone(datetime.UTC).replace(tzinfo=None).isoformat()
    return text + "Z"


def page_link(base, query, page):
    """DRF's replace_query_param / remove_query_param: sorted query, page replaced."""
    query = {key: values for key, values in query.items() if key != "page"}
    if page is not None and page != 1:
        query["page"] = [str(page)]
    encoded = urlencode(sorted(query.items()), doseq=True)
    return f"{base}?{encoded}" if encoded else base


def events_list(environ):
    query = parse_qs(environ.get("QUERY_STRING", ""), keep_blank_values=True)
    countries = [c.strip().upper() for v in query.get("country", []) for c in v.split(",")]
    page_size = min(int(query.get("page_size", ["50"])[-1]), 500)
    page = int(query.get("page", ["1"])[-1])
    if countries:  # the benchmark's filter: country and date_after together
        after = datetime.date.fromisoformat(query["date_after"][-1])
        where = EVENT_WHERE.format(countries=", ".join([MARK] * len(countries)), m=MARK)
        params = list(countries)
        for precision, start in (
            ("day", after),
            ("month", after.replace(day=1)),
            ("year", after.replace(month=1, day=1)),
        ):
            params += [precision, start.isoformat(), start.isoformat()]
    else:
        where, params = "", []
    cursor = connection().cursor()
    cursor.execute(COUNT_SQL.format(where=where), params)
    count = cursor.fetchone()[0]
    cursor.execute(
        PAGE_SQL.format(where=where, limit=page_size, offset=(page - 1) * page_size), params
    )
    rows = cursor.fetchall()
    ids = [row[-1] for row in rows]
    participants, citations = {}, {}
    if ids:
        marks = ", ".join([MARK] * len(ids))
        cursor.execute(PARTICIPANTS_SQL.format(ids=marks), ids)
        for event_id, slug, name, role in cursor.fetchall():
            item = {"actor": slug, "actor_name": name, "role": role}
            participants.setdefault(event_id, []).append(item)
        cursor.execute(CITATIONS_SQL.format(ids=marks), ids)
        for event_id, source_id, title, quote in cursor.fetchall():
            item = {"source": source_id, "source_title": title, "quote": quote}
            citations.setdefault(event_id, []).append(item)
    host = environ.get("HTTP_HOST", "127.0.0.1")
    base = f"http://{host}{environ['PATH_INFO']}"
    results = []
    for row in rows:
        (pk, title, summary, event_type, country, date_start, date_end, precision, location,
         location_country, lat, lon, geo, fatalities, created, updated, _) = row  # fmt: skip
        results.append(
            {
                "id": pk,
                "url": f"http://{host}/api/v1/events/{pk}/",
                "title": title,
                "summary": summary,
                "event_type": event_type,
                "country": country,
                "date_start": to_date(date_start),
                "date_end": to_date(date_end),
                "date_precision": precision,
                "location_name": location,
                "location_country": location_country,
                "latitude": lat,
                "longitude": lon,
                "geo_precision": geo,
                "fatalities": fatalities,
                "participants": participants.get(pk, []),
                "citations": citations.get(pk, []),
                "created": to_datetime(created),
                "updated": to_datetime(updated),
            }
        )
    last_page = max(1, -(-count // page_size))
    body = {
        "count": count,
        "next": page_link(base, query, page + 1) if page < last_page else None,
        "previous": page_link(base, query, page - 1) if page > 1 else None,
        "results": results,
    }
    # DRF's JSONRenderer output: compact, UTF-8.
    return json.dumps(body, ensure_ascii=False, separators=(",", ":")).encode()


def csv_value(value):
    """What a plain csv.writer needs to match the data package's text for these columns."""
    if isinstance(value, float):
        text = repr(value)
        return text[:-2] if text.endswith(".0") else text
    return value


def events_csv():
    conn = connection()
    if VENDOR == "postgresql":
        cursor = conn.cursor(name="baseline_export", withhold=True)
        cursor.itersize = 2000
    else:
        cursor = conn.cursor()
    cursor.execute(EXPORT_SQL)
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=",", quotechar='"', lineterminator="\n")
    writer.writerow(CSV_COLUMNS)
    float_columns = [CSV_COLUMNS.index("latitude"), CSV_COLUMNS.index("longitude")]
    try:
        while True:
            rows = cursor.fetchmany(2000)
            if not rows:
                break
            for row in rows:
                row = list(row)
                for index in float_columns:
                    row[index] = csv_value(row[index])
                writer.writerow(row)
            yield buffer.getvalue().encode()
            buffer.seek(0)
            buffer.truncate()
        yield buffer.getvalue().encode()
    finally:
        cursor.close()


def application(environ, start_response):
    query = environ.get("QUERY_STRING", "")
    if environ["PATH_INFO"] != "/api/v1/events/":
        start_response("404 Not Found", [("Content-Type", "application/json")])
        return [b'{"detail":"Not found."}']
    if "format=csv" in query:
        start_response(
            "200 OK",
            [
                ("Content-Type", "text/csv; charset=utf-8"),
                ("Content-Disposition", 'attachment; filename="events.csv"'),
            ],
        )
        return events_csv()
    body = events_list(environ)
    start_response(
        "200 OK", [("Content-Type", "application/json"), ("Content-Length", str(len(body)))]
    )
    return [body]
