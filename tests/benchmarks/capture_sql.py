"""Capture the SQL the API runs for each benchmarked request, for api_baseline.py.

    python tests/benchmarks/capture_sql.py CASES.json OUT.json

CASES.json maps a case name to ``{"path": ..., "format": "json" | "csv"}``. Run with the
environment the bench's computing gunicorn gets (DATABASE_URL, release directories,
throttling and the response cache off),
each request is served in-process by django.test.Client through the whole middleware stack:
once to open connections and fill per-process caches (a release's snapshot, the URL
resolver), then once more while every statement on any connection (the live database, a
release's snapshot) is recorded with its parameters, in order. Those are the statements a
warm gunicorn worker runs for the request; api_baseline.py replays them.
"""

import json
import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def driver_options(db):
    """How Django connects on PostgreSQL (parameters bound by the server or in the text,
    when statements are prepared, the session's settings), for the replay to connect alike."""
    if db.vendor != "postgresql":
        return None
    options = db.settings_dict["OPTIONS"]
    return {
        "server_side_binding": options.get("server_side_binding") is True,
        "prepare_threshold": options.get("prepare_threshold"),
        "options": options.get("options"),
    }


def capture(cases):
    import django

    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    django.setup()

    from django.db.backends.utils import CursorWrapper
    from django.test import Client

    from tests.benchmarks.api_baseline import encode_value

    recorded = []
    original = CursorWrapper._execute_with_wrappers

    # Below every connection's execute_wrappers, so a connection opened during the request
    # (a release's snapshot is registered per request) is recorded too.
    def recording(self, sql, params, many, executor):
        db = self.db
        recorded.append(
            {
                "vendor": db.vendor,
                # PostgreSQL: the bench database (BENCH_DATABASE_URL); SQLite: its file.
                "database": db.settings_dict["NAME"] if db.vendor == "sqlite" else None,
                "sql": sql,
                "params": None if params is None else encode_value(params),
                "many": many,
                "driver": driver_options(db),
            }
        )
        return original(self, sql, params, many, executor)

    CursorWrapper._execute_with_wrappers = recording
    client = Client()
    captured = {}
    for name, case in cases.items():
        for _ in range(2):
            recorded.clear()
            response = client.get(case["path"])
            body = b"".join(response.streaming_content) if response.streaming else response.content
        if response.status_code != 200:
            raise SystemExit(f"{name}: {case['path']} answered {response.status_code}: {body!r}")
        captured[name] = {**case, "statements": list(recorded), "bytes": len(body)}
    return captured


def main():
    cases_file, out_file = sys.argv[1:3]
    cases = json.loads(Path(cases_file).read_text(encoding="utf-8"))
    captured = capture(cases)
    Path(out_file).write_text(json.dumps(captured, indent=1), encoding="utf-8")


if __name__ == "__main__":
    main()
