"""Benchmark of the REST API's read path at scale, on SQLite and PostgreSQL (issue 12).

    .venv/bin/python tests/benchmarks/bench_api.py                       # both databases, 100k
    .venv/bin/python tests/benchmarks/bench_api.py --database postgresql --events 1000000
    .venv/bin/python tests/benchmarks/bench_api.py --full --load         # 100k and 1M, load test
    .venv/bin/python tests/benchmarks/bench_api.py --events 20000 --duration 2 --cases filtered,q

For each database and size it prepares synthetic events (``generate_synthetic --seed 1``; a
prepared database is reused while its event count and schema fingerprint match), serves the
API with ``gunicorn -c gunicorn.conf.py`` (anonymous throttling off), and measures each case
(listed under --help) with 2 and 8 keep-alive clients (separate processes, fixed duration):
requests/s and p50/p95 latency. In the same run, alternating rounds, it measures

- the raw baseline (api_baseline.py): the SQL the API ran for that very request, captured
  in-process (capture_sql.py) and replayed with the DB-API driver and ``json.dumps``
  (``csv.writer`` for the export), no Django;
- Datasette serving the same SQLite file (SQLite runs; `datasette serve --immutable` with
  default_page_size 100, sql_time_limit_ms 15000, no suggested facets, no access log),
  with the equivalent table URL where one exists; where none does, the output says so;
- the API as deployed, with its response cache (``cached``): every request of a case asks
  for the same URL, so after the first this measures an answer kept per data version. The
  ``api`` server runs with RESPONSE_CACHE_SECONDS=0 and computes every answer; all the
  other figures (ratios to raw, growth, PostgreSQL against SQLite, the load test) are its.

The CSV export is measured in rows/s (one client), with its time to first byte, the serving
workers' peak growth of their own memory (RssAnon), and, once per run, an export outlasting
the worker timeout (gthread completes it; a sync worker, shown for contrast, cuts it short).
``--load`` adds 16 clients for 60 s over a mix of the common queries at the largest size. At
the end: ``EXPLAIN`` of each case's main statement (the slowest one captured), markdown
tables for the README, and the issue's goals with the figures; the exit status is 1 when any
goal is missed.

Databases: SQLite files under /tmp; PostgreSQL databases ``bench_api_<events>`` on the
server of BENCH_DATABASE_URL, else DATABASE_URL when it is a PostgreSQL URL, else
postgres://postgres@127.0.0.1:5432/ (only the server part of the URL is used; the name is
always bench_api_<events>).
"""

import argparse
import base64
import contextlib
import hashlib
import http.client
import json
import multiprocessing
import os
import shutil
import signal
import socket
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from tests.benchmarks import api_baseline  # noqa: E402

PYTHON = sys.executable
BIN = Path(PYTHON).parent
GUNICORN = str(BIN / "gunicorn")
HOST = "127.0.0.1"
WORK = Path(tempfile.gettempdir()) / "mena-bench"
DEFAULT_POSTGRES = "postgres://postgres@127.0.0.1:5432/"

FILTER = "country=SY&date_after=2016-03-15"
# Synthetic titles are "<event type> near <place>"; summaries and location names repeat the
# place. Aleppo is one Syrian place of nine (about 6% of events); Beirut is the only
# Lebanese one, and Lebanon gets 1% of events.
Q_WORD, RARE_WORD = "Aleppo", "Beirut"
RELEASE_VERSION = "0.1.0"  # the synthetic data published as a release, for ?release=
CASES = {
    "filtered": f"the README's filtered list: ?{FILTER}&page_size=100",
    "first": "an unfiltered first page: ?page_size=100",
    "deep": "an unfiltered page deep in the list: ?page_size=100&page=500 (or the middle page)",
    "cursor": "the page after a cursor page from the middle of the table (its next link)",
    "q": f"a search matching about 6% of events: ?q={Q_WORD}&page_size=100",
    "q_rare": f"a search matching about 1% of events: ?q={RARE_WORD}&page_size=100",
    "q_dated": f"a search from a date: ?q={Q_WORD}&date_after=2016-03-15&page_size=100",
    "q_country": f"a search with no match in its country: ?q={RARE_WORD}&country=SY&page_size=100",
    "detail": "one event: /api/v1/events/<id>/",
    "export": "the CSV export of all events: ?format=csv (rows/s)",
    "alignment": "/api/v1/alignment/?actors=russia,iran",
    "release": f"the filtered list from a published release: ?{FILTER}&page_size=100&release=",
}
LIST_CASES = [
    "filtered",
    "first",
    "deep",
    "cursor",
    "q",
    "q_rare",
    "q_dated",
    "q_country",
    "release",
]
CACHED_CASES = [*LIST_CASES, "alignment"]  # JSON answers the response cache keeps
# The API server that computes every answer: the response cache would otherwise answer
# every repeated request of a case from memory (the ``cached`` server measures that).
COMPUTED = {"RESPONSE_CACHE_SECONDS": "0"}
GROWTH_CASES = ["filtered", "q", "q_rare", "q_dated", "q_country"]  # at 1M within 1.5x of 100k
LOAD_MIX = ["filtered", "deep", "q", "detail", "cursor", "first"]
GOAL = {
    "growth": 1 / 1.5,  # req/s at 1M over req/s at 100k
    "datasette": 3.0,  # the API's req/s over Datasette's, on the same SQLite file
    "postgresql": 0.70,  # PostgreSQL's req/s over SQLite's
    "export_growth": 0.90,  # export rows/s at 1M over 100k
    # Kept from issue 3: what the export must keep doing.
    "export_raw": 0.50,
    # Issue 11: wide=true rows/s over the plain export's; a release= list's cost over live.
    "wide_export": 0.50,
    "release": 1.5,
    "ttfb_ms": 100,
    "rss_mb": 32,
}
REQUEST_TIMEOUT = 60  # s; well past the statement timeout, so a stuck request shows as an error


# -- databases ------------------------------------------------------------------------------


def schema_fingerprint():
    """A short hash of the migrations, so a reused bench database always has today's schema."""
    digest = hashlib.sha256()
    for path in sorted(ROOT.glob("*/migrations/0*.py")):
        digest.update(path.read_bytes())
    return digest.hexdigest()[:10]


@dataclass
class Database:
    vendor: str  # "sqlite" or "postgresql"
    events: int
    url: str
    sqlite_path: str | None = None
    has_release: bool = False

    @property
    def label(self):
        return f"{'PostgreSQL' if self.vendor == 'postgresql' else 'SQLite'} {self.events:,}"

    @property
    def work(self):
        """Where this database's releases, snapshots and cache live (kept with it)."""
        name = Path(self.sqlite_path).stem if self.sqlite_path else urlsplit(self.url).path[1:]
        return WORK / name

    def env(self, **overrides):
        return {
            **os.environ,
            "DATABASE_URL": self.url,
            "BENCH_DATABASE_URL": self.url,
            "DJANGO_SETTINGS_MODULE": "config.settings",
            "DEBUG": "0",
            # Its per-client history would throttle a benchmark after 1000 requests.
            "ANON_THROTTLE_RATE": "off",
            "GUNICORN_LOGLEVEL": "warning",
            "RELEASES_DIR": str(self.work / "releases"),
            "RELEASE_SNAPSHOTS_DIR": str(self.work / "snapshots"),
            "CACHE_DIR": str(self.work / "cache"),
            **overrides,
        }


def postgres_server():
    for name in ("BENCH_DATABASE_URL", "DATABASE_URL"):
        url = os.environ.get(name, "")
        if url.startswith(("postgres://", "postgresql://")):
            return url
    return DEFAULT_POSTGRES


def postgres_url(events):
    parts = urlsplit(postgres_server())
    return urlunsplit(parts._replace(path=f"/bench_api_{events}"))


def manage(db, *args, capture=False):
    return subprocess.run(
        [PYTHON, "manage.py", *args],
        cwd=ROOT,
        env=db.env(),
        check=True,
        text=True,
        stdout=subprocess.PIPE if capture else None,
    )


def django_value(db, code):
    return manage(db, "shell", "-c", code, capture=True).stdout.split()[-1]


def stamp(events):
    return f"mena-bench events={events} schema={schema_fingerprint()}"


def prepare(vendor, events, *, release=False):
    """The bench database of that size, generated unless a prepared one matches."""
    if vendor == "sqlite":
        path = (
            Path(tempfile.gettempdir()) / f"mena-bench-api-{events}-{schema_fingerprint()}.sqlite3"
        )
        db = Database("sqlite", events, f"sqlite:///{path}", sqlite_path=str(path))
        # Generated under another name and renamed once complete, so an interrupted
        # generation is never taken for a prepared database.
        if not path.exists():
            partial = path.with_suffix(".partial")
            partial.unlink(missing_ok=True)
            shutil.rmtree(db.work, ignore_errors=True)
            generate(Database("sqlite", events, f"sqlite:///{partial}", str(partial)), events)
            partial.rename(path)
    else:
        db = Database("postgresql", events, postgres_url(events))
        import psycopg
        from psycopg import sql

        name = urlsplit(db.url).path[1:]
        admin = urlunsplit(urlsplit(db.url)._replace(path="/postgres"))
        with psycopg.connect(admin, autocommit=True) as conn:
            # The stamp (a comment on the database) is written once generation succeeded.
            row = conn.execute(
                "SELECT shobj_description(oid, 'pg_database') FROM pg_database WHERE datname = %s",
                [name],
            ).fetchone()
            if row is None or row[0] != stamp(events):
                if row is not None:
                    print(f"{name}: schema or size changed; generating it again.", flush=True)
                    conn.execute(
                        sql.SQL("DROP DATABASE {} WITH (FORCE)").format(sql.Identifier(name))
                    )
                conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
                shutil.rmtree(db.work, ignore_errors=True)
                generate(db, events)
                # Statistics as a long-lived database has them (autovacuum's), rather than
                # whatever it had sampled mid-generation: plans then do not depend on timing.
                with psycopg.connect(db.url, autocommit=True) as bench:
                    bench.execute("VACUUM ANALYZE")
                conn.execute(
                    sql.SQL("COMMENT ON DATABASE {} IS {}").format(
                        sql.Identifier(name), sql.Literal(stamp(events))
                    )
                )
    manage(db, "migrate", "--no-input", "-v", "0")  # a no-op on a prepared database
    if release:
        db.has_release = publish_release(db)
    return db


def generate(db, events):
    print(f"Generating {events:,} synthetic events into {db.url} ...", flush=True)
    started = time.monotonic()
    manage(db, "migrate", "--no-input", "-v", "0")
    manage(db, "generate_synthetic", "--events", str(events), "--seed", "1")
    print(f"  done in {time.monotonic() - started:.0f} s", flush=True)


def publish_release(db):
    """Publish the synthetic data as release RELEASE_VERSION, once per database."""
    published = django_value(
        db,
        "from datapackage.models import Release; "
        f"print(Release.objects.filter(version={RELEASE_VERSION!r}).exists())",
    )
    if published == "True":
        if (db.work / "releases" / f"{RELEASE_VERSION}.zip").exists():
            return True
        print(
            f"{db.label}: release {RELEASE_VERSION} is recorded but its files under "
            f"{db.work} are gone; the release case is skipped (drop the database to "
            "publish it again).",
            flush=True,
        )
        return False
    print(f"{db.label}: publishing the synthetic data as release {RELEASE_VERSION} ...", flush=True)
    started = time.monotonic()
    manage(db, "publish_release", RELEASE_VERSION, "--notes", "Synthetic data, for bench_api.py.")
    print(f"  published in {time.monotonic() - started:.0f} s", flush=True)
    return True


def prepare_database(events):
    """The SQLite (or BENCH_DATABASE_URL's PostgreSQL) bench database's URL: for
    bench_pages.py, which shares the synthetic databases."""
    vendor = (
        "postgresql"
        if os.environ.get("BENCH_DATABASE_URL", "").startswith("postgres")
        else "sqlite"
    )
    return prepare(vendor, events).url


# -- servers --------------------------------------------------------------------------------


def free_port():
    with socket.socket() as sock:
        sock.bind((HOST, 0))
        return sock.getsockname()[1]


def get(port, path, *, timeout=300):
    conn = http.client.HTTPConnection(HOST, port, timeout=timeout)
    try:
        conn.request("GET", path)
        response = conn.getresponse()
        return response.status, response.read()
    finally:
        conn.close()


@contextlib.contextmanager
def running(command, env, port, ready_path, name):
    process = subprocess.Popen(command, cwd=ROOT, env=env)
    try:
        deadline = time.monotonic() + 120
        while True:
            try:
                if get(port, ready_path, timeout=30)[0] == 200:
                    break
            except OSError:
                pass
            if time.monotonic() > deadline or process.poll() is not None:
                raise RuntimeError(f"{name} did not start")
            time.sleep(0.2)
        yield port, process.pid
    finally:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def server(url_or_db, app=None, **env_overrides):
    """gunicorn with gunicorn.conf.py, serving the API (or ``app``): (port, master pid)."""
    db = url_or_db if isinstance(url_or_db, Database) else database_of(url_or_db)
    port = free_port()
    command = [GUNICORN, "-c", "gunicorn.conf.py", "--bind", f"{HOST}:{port}"]
    ready = "/api/v1/events/?page_size=1"
    if app:
        command.append(app)
        if app.endswith("api_baseline:application"):
            ready = "/raw/"
    return running(command, db.env(**env_overrides), port, ready, app or "the API")


def database_of(url):
    vendor = "postgresql" if url.startswith("postgres") else "sqlite"
    path = url.removeprefix("sqlite://") if vendor == "sqlite" else None
    return Database(vendor, 0, url, sqlite_path=path)


# `datasette serve` with its settings, but without uvicorn's access log: the API's gunicorn
# writes none either, and a log line per request would cost Datasette its share of the CPU.
# Suggested facets are off (a page then runs only its own queries, as the API's does), which
# can only make Datasette faster.
DATASETTE_SERVE = """
import asyncio, sys, uvicorn
from datasette.app import Datasette
path, host, port = sys.argv[1], sys.argv[2], int(sys.argv[3])
settings = {"default_page_size": 100, "sql_time_limit_ms": 15000, "max_csv_mb": 0,
            "suggest_facets": False}
ds = Datasette(immutables=[path], settings=settings)
asyncio.run(ds.invoke_startup())
uvicorn.run(ds.app(), host=host, port=port, access_log=False, log_level="warning")
"""


def datasette(db):
    port = free_port()
    command = [PYTHON, "-c", DATASETTE_SERVE, db.sqlite_path, HOST, str(port)]
    return running(command, dict(os.environ), port, "/-/versions.json", "Datasette")


# -- the cases ------------------------------------------------------------------------------


def path_of(url):
    parts = urlsplit(url)
    return f"{parts.path}?{parts.query}" if parts.query else parts.path


def get_json(port, path):
    status, body = get(port, path)
    if status != 200:
        raise RuntimeError(f"{path} answered {status}: {body[:300]!r}")
    return json.loads(body)


def api_paths(db, port, cases):
    events = db.events
    deep = max(2, min(500, events // 200))  # page 500, or the middle page of a small table
    start = base64.urlsafe_b64encode(f"id>{events // 2}".encode()).decode().rstrip("=")
    paths = {
        "filtered": f"/api/v1/events/?{FILTER}&page_size=100",
        "first": "/api/v1/events/?page_size=100",
        "deep": f"/api/v1/events/?page_size=100&page={deep}",
        "q": f"/api/v1/events/?q={Q_WORD}&page_size=100",
        "q_rare": f"/api/v1/events/?q={RARE_WORD}&page_size=100",
        "q_dated": f"/api/v1/events/?q={Q_WORD}&date_after=2016-03-15&page_size=100",
        "q_country": f"/api/v1/events/?q={RARE_WORD}&country=SY&page_size=100",
        "detail": f"/api/v1/events/{events // 2}/",
        "export": "/api/v1/events/?format=csv",
        "alignment": "/api/v1/alignment/?actors=russia,iran",
        "release": f"/api/v1/events/?{FILTER}&page_size=100&release={RELEASE_VERSION}",
    }
    if "cursor" in cases:
        page = get_json(port, f"/api/v1/events/?page_size=100&cursor={start}")
        paths["cursor"] = path_of(page["next"])
    return {name: paths[name] for name in cases}


def datasette_paths(db, port, cases):
    """{case: path or the reason Datasette has no equivalent}."""
    base = f"/{Path(db.sqlite_path).stem}/events_event"
    with sqlite3.connect(f"file:{db.sqlite_path}?mode=ro", uri=True) as conn:
        fts = conn.execute("SELECT 1 FROM sqlite_master WHERE name = 'events_event_fts'").fetchone()
    # With no full-text table, the nearest table filter: titles hold the place, so the rows
    # are the ones the API's q finds in title, summary or location name.
    search = "_search={}" if fts else "title__contains={}"
    paths = {
        "filtered": f"{base}.json?country=SY&date_start__gte=2016-03-15&_size=100&_sort=date_start",
        "first": f"{base}.json?_size=100&_sort=date_start",
        "deep": "none: Datasette's tables page by key (_next), not by offset; see cursor",
        "q": f"{base}.json?{search.format(Q_WORD)}&_size=100&_sort=date_start",
        "q_rare": f"{base}.json?{search.format(RARE_WORD)}&_size=100&_sort=date_start",
        # The nearest table filters: a start date (the API's date_after also keeps events
        # that began before it and ran past it) and a country.
        "q_dated": (
            f"{base}.json?{search.format(Q_WORD)}&date_start__gte=2016-03-15&_size=100"
            "&_sort=date_start"
        ),
        "q_country": (
            f"{base}.json?{search.format(RARE_WORD)}&country=SY&_size=100&_sort=date_start"
        ),
        "detail": f"{base}/{db.events // 2}.json",
        "export": f"{base}.csv?_stream=on&_size=max",
        "alignment": "none: a computed comparison of two actors, not a table query",
        "release": "none: Datasette serves one database file, with no published releases",
    }
    if "cursor" in cases:
        page = get_json(port, f"{base}.json?_size=100&_next={db.events // 2}")
        paths["cursor"] = path_of(page["next_url"])
    return {name: paths[name] for name in cases}


# -- measurements ---------------------------------------------------------------------------


@dataclass
class Run:
    """One server's requests over a fixed duration."""

    done: int = 0
    seconds: float = 1.0
    latencies: list = field(default_factory=list)
    errors: dict = field(default_factory=dict)  # status or exception name: count

    @property
    def rate(self):
        return self.done / self.seconds

    def merge(self, other):
        """The better run's rate, every run's latencies and errors."""
        best = self if self.rate >= other.rate else other
        errors = dict(self.errors)
        for key, count in other.errors.items():
            errors[key] = errors.get(key, 0) + count
        return Run(best.done, best.seconds, self.latencies + other.latencies, errors)

    def percentile(self, p):
        if len(self.latencies) < 2:
            return self.latencies[0] * 1000 if self.latencies else float("nan")
        return statistics.quantiles(self.latencies, n=100, method="inclusive")[p - 1] * 1000


def client_loop(port, paths, start_at, duration, offset, results):
    conn = None
    latencies, errors = [], {}
    index = offset
    while time.time() < start_at:
        time.sleep(0.001)
    end = start_at + duration
    while time.time() < end:
        path = paths[index % len(paths)]
        index += 1
        if conn is None:
            conn = http.client.HTTPConnection(HOST, port, timeout=REQUEST_TIMEOUT)
        started = time.perf_counter()
        try:
            conn.request("GET", path)
            response = conn.getresponse()
            response.read()
            status = response.status
            if response.will_close:
                conn.close()
                conn = None
        except (OSError, http.client.HTTPException) as error:
            status = type(error).__name__
            conn.close()
            conn = None
        if status == 200:
            latencies.append(time.perf_counter() - started)
        else:
            errors[str(status)] = errors.get(str(status), 0) + 1
    if conn is not None:
        conn.close()
    results.put((latencies, errors))


def measure(port, paths, clients, duration):
    """``clients`` processes asking for ``paths`` in turn, each on a keep-alive connection."""
    context = multiprocessing.get_context("fork")
    results = context.Queue()
    start_at = time.time() + 0.3
    processes = [
        context.Process(target=client_loop, args=(port, paths, start_at, duration, n, results))
        for n in range(clients)
    ]
    for process in processes:
        process.start()
    run = Run(seconds=duration)
    for _ in processes:
        latencies, errors = results.get(timeout=duration + REQUEST_TIMEOUT + 60)
        run = Run(run.done + len(latencies), duration, run.latencies + latencies, run.errors)
        for key, count in errors.items():
            run.errors[key] = run.errors.get(key, 0) + count
    for process in processes:
        process.join()
    return run


def export(port, path, *, slow_for=0.0):
    """One streamed export: (rows, seconds, first byte ms, complete)."""
    conn = http.client.HTTPConnection(HOST, port, timeout=600)
    started = time.perf_counter()
    first_byte = None
    lines = 0
    last = b""
    complete = True
    try:
        conn.request("GET", path)
        response = conn.getresponse()
        complete = response.status == 200
        while True:
            # Small reads when slow, so the server is held back however small the export.
            chunk = response.read1(8192 if slow_for else 65536)
            if not chunk:
                break
            if first_byte is None:
                first_byte = (time.perf_counter() - started) * 1000
            lines += chunk.count(b"\n")
            last = chunk[-1:]
            if slow_for and time.perf_counter() - started < slow_for:
                time.sleep(0.02)
    except (OSError, http.client.HTTPException):
        complete = False
    conn.close()
    seconds = time.perf_counter() - started
    return lines - 1, seconds, first_byte or 0.0, complete and last == b"\n"


def export_ttfb(port, path):
    conn = http.client.HTTPConnection(HOST, port, timeout=600)
    started = time.perf_counter()
    conn.request("GET", path)
    conn.getresponse().read1(1)
    ttfb = (time.perf_counter() - started) * 1000
    conn.close()  # abandon the rest
    return ttfb


def worker_pids(master):
    children = Path(f"/proc/{master}/task/{master}/children").read_text().split()
    return [int(pid) for pid in children]


def rss_anon_kb(pid):
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("RssAnon:"):
            return int(line.split()[1])
    return 0


class MemoryPeak:
    """The largest growth of any worker's own memory (``RssAnon``) while it runs, sampled
    every 10 ms. Not ``VmHWM``: that also counts the pages of the SQLite file's memory map,
    which are the operating system's page cache (shared, and dropped under pressure), so it
    grows with the database file however little the export keeps."""

    def __init__(self, pids):
        self.pids = pids
        self.kb = 0
        self._stop = threading.Event()

    def __enter__(self):
        self.before = {pid: rss_anon_kb(pid) for pid in self.pids}
        self._thread = threading.Thread(target=self._sample, daemon=True)
        self._thread.start()
        return self

    def _sample(self):
        while not self._stop.wait(0.01):
            for pid in self.pids:
                self.kb = max(self.kb, rss_anon_kb(pid) - self.before[pid])

    def __exit__(self, *exc):
        self._stop.set()
        self._thread.join()


@dataclass
class Export:
    rate: float = 0.0  # rows/s, best run
    rows: int = 0
    ttfb_ms: float = 0.0
    errors: int = 0

    def add(self, rows, seconds, ttfb, complete):
        if not complete:
            self.errors += 1
        elif rows / seconds > self.rate:
            self.rate, self.rows = rows / seconds, rows
        self.ttfb_ms = min(self.ttfb_ms or ttfb, ttfb)


# -- one database at one size -------------------------------------------------------------


@dataclass
class Result:
    db: Database
    paths: dict
    datasette_paths: dict = field(default_factory=dict)
    api: dict = field(default_factory=dict)  # (case, clients): Run, computed every time
    cached: dict = field(default_factory=dict)  # the same with the response cache on
    raw: dict = field(default_factory=dict)
    datasette: dict = field(default_factory=dict)
    exports: dict = field(default_factory=dict)  # "api" / "raw" / "datasette": Export
    wide: Export | None = None  # the API's ?format=csv&wide=true (issue 11)
    rss_mb: float | None = None
    plans: dict = field(default_factory=dict)  # case: (main SQL, plan text)
    notes: list = field(default_factory=list)


def capture(db, paths):
    """The statements the API runs for each case (capture_sql.py in the server's environment)."""
    db.work.mkdir(parents=True, exist_ok=True)
    cases_file, out_file = db.work / "cases.json", db.work / "captured.json"
    cases = {
        name: {"path": path, "format": "csv" if name == "export" else "json"}
        for name, path in paths.items()
    }
    cases_file.write_text(json.dumps(cases), encoding="utf-8")
    subprocess.run(
        [PYTHON, str(Path(__file__).with_name("capture_sql.py")), cases_file, out_file],
        cwd=ROOT,
        # As the server that computes every answer: the captured request must run its queries.
        env=db.env(**COMPUTED),
        check=True,
    )
    return out_file, json.loads(out_file.read_text(encoding="utf-8"))


def main_statements(db, captured):
    """Each case's main statement: the slowest of its captured statements, replayed whole."""
    os.environ["BENCH_DATABASE_URL"] = db.url
    main = {}
    for name, case in captured.items():
        timed = []
        for statement in case["statements"]:
            api_baseline.connect(statement)  # not timed: the first statement would pay it
            started = time.perf_counter()
            cursor = api_baseline.execute(statement, streamed=True)
            if cursor.description is not None:
                while cursor.fetchmany(5000):
                    pass
            cursor.close()
            timed.append((time.perf_counter() - started, statement))
        if timed:
            main[name] = max(timed, key=lambda item: item[0])[1]
    return main


def explain(statement):
    sql, params = api_baseline.driver_sql(statement)
    conn = api_baseline.connect(statement)
    if statement["vendor"] == "postgresql":
        cursor = conn.cursor()
        cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + sql, params)
        return "\n".join(row[0] for row in cursor.fetchall())
    rows = conn.execute("EXPLAIN QUERY PLAN " + sql, params or ()).fetchall()
    depth = {0: -1}
    lines = []
    for node, parent, _, detail in rows:
        depth[node] = depth.get(parent, -1) + 1
        lines.append("  " * depth[node] + detail)
    return "\n".join(lines)


def run(db, args, cases):
    result = None
    json_cases = [name for name in cases if name != "export"]
    with server(db, **COMPUTED) as (api_port, api_master):
        paths = api_paths(db, api_port, cases)
        result = Result(db, paths)
        captured_file, captured = capture(db, paths)
        count = sum(len(case["statements"]) for case in captured.values())
        print(f"[{db.label}] captured {count} statements for {len(captured)} cases.", flush=True)
        for name, statement in main_statements(db, captured).items():
            result.plans[name] = (statement, explain(statement))
        use_datasette = db.vendor == "sqlite" and not args.no_datasette
        with contextlib.ExitStack() as stack:
            raw_port, _ = stack.enter_context(
                server(
                    db,
                    "tests.benchmarks.api_baseline:application",
                    BENCH_CAPTURED_SQL=str(captured_file),
                )
            )
            ds_port = None
            if use_datasette:
                ds_port, _ = stack.enter_context(datasette(db))
                result.datasette_paths = datasette_paths(db, ds_port, cases)
            cached_port, _ = stack.enter_context(server(db))
            servers = {
                "api": (api_port, result.api),
                "cached": (cached_port, result.cached),
                "raw": (raw_port, result.raw),
            }
            if ds_port:
                servers["datasette"] = (ds_port, result.datasette)

            def path_for(kind, name):
                if kind == "api":
                    return paths[name]
                if kind == "cached":
                    return paths[name] if name in CACHED_CASES else None
                if kind == "raw":
                    return f"/raw/{name}"
                path = result.datasette_paths.get(name, "none")
                return None if path.startswith("none") else path

            for name in json_cases:
                for kind, (port, _) in servers.items():  # warm every thread's connection
                    if path_for(kind, name):
                        measure(port, [path_for(kind, name)], max(args.clients), 0.5)
                for clients in args.clients:
                    # Alternate the servers, each round, and keep each one's best rate, so a
                    # burst of load from elsewhere on the machine does not decide a ratio.
                    for _ in range(args.rounds):
                        for kind, (port, runs) in servers.items():
                            path = path_for(kind, name)
                            if path is None:
                                continue
                            got = measure(port, [path], clients, args.duration)
                            key = (name, clients)
                            runs[key] = runs[key].merge(got) if key in runs else got
                    line = [
                        f"{kind} {runs[(name, clients)].rate:.1f}"
                        for kind, (_, runs) in servers.items()
                        if (name, clients) in runs
                    ]
                    errors = result.api[(name, clients)].errors
                    print(
                        f"[{db.label}] {name}, {clients} clients (req/s): {', '.join(line)}"
                        + (f"; API errors {errors}" if errors else ""),
                        flush=True,
                    )
            if "export" in cases:
                measure_export(result, servers, path_for, api_master, args.rounds)
    return result


def measure_export(result, servers, path_for, api_master, rounds):
    exports = {kind: Export() for kind in servers if path_for(kind, "export")}
    with MemoryPeak(worker_pids(api_master)) as memory:
        for _ in range(max(2, rounds)):
            for kind in exports:
                port = servers[kind][0]
                exports[kind].add(*export(port, path_for(kind, "export")))
    # Datasette's first byte is not compared (and abandoning its stream floods its log).
    for kind in ("api", "raw"):
        port = servers[kind][0]
        for _ in range(3):
            ttfb = export_ttfb(port, path_for(kind, "export"))
            exports[kind].ttfb_ms = min(exports[kind].ttfb_ms, ttfb)
    result.rss_mb = memory.kb / 1024
    result.exports = exports
    line = ", ".join(f"{kind} {e.rate:,.0f} rows/s" for kind, e in exports.items())
    print(
        f"[{result.db.label}] export: {line}; "
        f"API workers' own memory grew at most {result.rss_mb:.1f} MB",
        flush=True,
    )
    # The wide CSV (names, participants and citations joined in) against the plain one,
    # alternating with it so both see the same machine.
    wide, plain = Export(), Export()
    port = servers["api"][0]
    for _ in range(max(2, rounds)):
        lines, seconds, ttfb, complete = export(port, "/api/v1/events/?format=csv&wide=true")
        rows, *rest = export(port, path_for("api", "export"))
        plain.add(rows, *rest)
        # One row per event, as in the plain export; the wide CSV's lines are more (a cell
        # with several citations spans lines), so they are not its rows.
        wide.add(rows, seconds, ttfb, complete and lines >= rows)
    result.wide = wide
    result.exports["api"].rate = max(result.exports["api"].rate, plain.rate)
    print(
        f"[{result.db.label}] wide export: {wide.rate:,.0f} rows/s, "
        f"{wide.rate / result.exports['api'].rate:.0%} of the plain export",
        flush=True,
    )


def timeout_check(db):
    """An export outlasting a 2 s worker timeout: complete on gthread; cut on sync."""
    rows = []
    with server(db, GUNICORN_TIMEOUT="2") as (port, _):
        got, seconds, _, complete = export(port, "/api/v1/events/?format=csv", slow_for=8)
    rows.append(("gthread worker, 2 s timeout", got, seconds, complete))
    print("Contrast run: the sync worker below is expected to be killed (WORKER TIMEOUT).")
    with server(
        db, GUNICORN_TIMEOUT="2", GUNICORN_THREADS="1", GUNICORN_CMD_ARGS="--worker-class sync"
    ) as (port, _):
        got, seconds, _, complete = export(port, "/api/v1/events/?format=csv", slow_for=8)
    rows.append(("sync worker, 2 s timeout (contrast)", got, seconds, complete))
    return rows


def load_test(db, seconds, clients=16):
    """``make serve``'s gunicorn (gunicorn.conf.py as is) under a mix of the common queries,
    each answer computed: with the response cache the mix's six URLs would be kept."""
    with server(db, **COMPUTED) as (port, _):
        paths = api_paths(db, port, LOAD_MIX)
        mix = [paths[name] for name in LOAD_MIX]
        measure(port, mix, 4, 1.0)  # warm up
        print(f"[{db.label}] load test: {clients} clients for {seconds:.0f} s ...", flush=True)
        return measure(port, mix, clients, seconds)


# -- report -------------------------------------------------------------------------------


def fmt_rate(value):
    return f"{value:,.0f}" if value >= 100 else f"{value:.1f}"


def fmt_ratio(value):
    return "-" if value is None else f"{value:.2f}x"


def ratio(a, b):
    return a / b if a and b else None


class Report:
    def __init__(self, results, args):
        self.results = results  # (vendor, events): Result
        self.args = args
        self.goals = []  # (goal, subject, value text, passed)

    def other(self, result, vendor=None, events=None):
        return self.results.get((vendor or result.db.vendor, events or result.db.events))

    def check(self, goal, subject, value, passed):
        self.goals.append((goal, subject, value, passed))

    def evaluate(self, timeouts, load):
        c = self.args.clients
        for (vendor, events), r in self.results.items():
            for name in LIST_CASES:
                for n in c:
                    api = r.api.get((name, n))
                    if api is None:
                        continue
                    ds = r.datasette.get((name, n))
                    runs = {
                        "computed on every request": api,
                        "asked again (response cache)": r.cached.get((name, n)),
                    }
                    for how, run in runs.items():
                        if ds is not None and run is not None:
                            x = run.rate / ds.rate
                            self.check(
                                f"list query >= 3x Datasette, {how}",
                                f"{r.db.label} {name} {n}c",
                                f"{x:.2f}x",
                                x >= GOAL["datasette"],
                            )
                    live = r.api.get(("filtered", n))
                    if name == "release" and live is not None:
                        x = live.rate / api.rate  # a release's cost in units of the live one
                        self.check(
                            "release= list within 1.5x of the same query live (issue 11)",
                            f"{r.db.label} {n}c",
                            f"{x:.2f}x",
                            x <= GOAL["release"],
                        )
                    lite = self.other(r, vendor="sqlite")
                    if vendor == "postgresql" and lite and (name, n) in lite.api:
                        x = api.rate / lite.api[(name, n)].rate
                        self.check(
                            "PostgreSQL >= 70% of SQLite",
                            f"{events:,} {name} {n}c",
                            f"{x:.0%}",
                            x >= GOAL["postgresql"],
                        )
            small = self.other(r, events=100_000)
            if events == 1_000_000 and small:
                for name in GROWTH_CASES:
                    for n in c:
                        if (name, n) in r.api and (name, n) in small.api:
                            x = r.api[(name, n)].rate / small.api[(name, n)].rate
                            self.check(
                                "cost at 1M within 1.5x of 100k (req/s 1M/100k >= 0.67)",
                                f"{r.db.label} {name} {n}c",
                                f"{x:.2f}",
                                x >= GOAL["growth"],
                            )
                if r.exports and small.exports:
                    x = r.exports["api"].rate / small.exports["api"].rate
                    self.check(
                        "export rows/s at 1M within 10% of 100k",
                        r.db.label,
                        f"{x:.0%}",
                        x >= GOAL["export_growth"],
                    )
            errors = sum(sum(run.errors.values()) for run in [*r.api.values(), *r.cached.values()])
            errors += r.exports["api"].errors if r.exports else 0
            kinds = {}
            for run in [*r.api.values(), *r.cached.values()]:
                for key, count in run.errors.items():
                    kinds[key] = kinds.get(key, 0) + count
            self.check(
                "no request over the statement timeout (API 5xx/timeouts/errors)",
                r.db.label,
                f"{errors} {kinds or ''}".strip(),
                errors == 0,
            )
            if r.exports:
                e, raw = r.exports["api"], r.exports.get("raw")
                if raw and raw.rate:
                    x = e.rate / raw.rate
                    self.check(
                        "export >= 50% of raw rows/s (issue 3)",
                        r.db.label,
                        f"{x:.0%}",
                        x >= GOAL["export_raw"],
                    )
                if r.wide is not None:
                    x = r.wide.rate / e.rate
                    self.check(
                        "wide export >= 50% of the plain export's rows/s (issue 11)",
                        r.db.label,
                        f"{x:.0%}",
                        x >= GOAL["wide_export"],
                    )
                self.check(
                    "export first byte < 100 ms (issue 3)",
                    r.db.label,
                    f"{e.ttfb_ms:.0f} ms",
                    e.ttfb_ms < GOAL["ttfb_ms"],
                )
                self.check(
                    "export worker memory growth < 32 MB (issue 3; RssAnon)",
                    r.db.label,
                    f"{r.rss_mb:.1f} MB",
                    r.rss_mb < GOAL["rss_mb"],
                )
        for name, got, seconds, complete in timeouts:
            if name.startswith("gthread"):
                self.check(
                    "export longer than the worker timeout completes",
                    name,
                    f"{got:,} rows in {seconds:.0f} s",
                    # Only an export that did outlast the 2 s timeout (twice) shows anything.
                    complete and seconds > 4,
                )
            else:
                print(
                    f"(contrast) {name}: {got:,} rows in {seconds:.0f} s, "
                    f"{'complete' if complete else 'cut short'}"
                )
        if load is not None:
            db, run = load
            errors = sum(run.errors.values())
            self.check(
                "load test: 0 errors", db.label, f"{errors} {run.errors or ''}".strip(), errors == 0
            )

    def table(self, r):
        lite = self.other(r, vendor="sqlite") if r.db.vendor == "postgresql" else None
        small = self.other(r, events=100_000) if r.db.events == 1_000_000 else None
        c = self.args.clients
        clients = " / ".join(str(n) for n in c)
        head = [
            "case",
            f"API req/s ({clients} clients)",
            f"p50 / p95 ms ({clients} clients)",
            "vs raw",
            "vs Datasette (the raw SQL's)",
            "asked again: req/s (vs Datasette)",
        ]
        if lite:
            head.append("PostgreSQL / SQLite")
        if small:
            head.append("1M / 100k")
        lines = [f"| {' | '.join(head)} |", "|" + "---|" * len(head)]
        for name in r.paths:
            if name == "export":
                row = self.export_row(r, lite, small)
            else:
                keys = [(name, n) for n in c]
                if not all(key in r.api for key in keys):
                    continue
                api = [r.api[key] for key in keys]
                row = [
                    name,
                    " / ".join(fmt_rate(run.rate) for run in api),
                    " ; ".join(
                        f"{run.percentile(50):.0f} / {run.percentile(95):.0f}" for run in api
                    ),
                    " / ".join(
                        fmt_ratio(ratio(r.api[k].rate, r.raw[k].rate if k in r.raw else 0))
                        for k in keys
                    ),
                    self.datasette_cell(r, name, keys),
                    self.cached_cell(r, keys),
                ]
                for other in (lite, small):
                    if other:
                        row.append(
                            " / ".join(
                                fmt_ratio(
                                    ratio(r.api[k].rate, other.api[k].rate if k in other.api else 0)
                                )
                                for k in keys
                            )
                        )
            lines.append(f"| {' | '.join(row)} |")
        return "\n".join(lines)

    def datasette_cell(self, r, name, keys):
        if r.db.vendor != "sqlite" or not r.datasette_paths:
            return "-"
        if r.datasette_paths.get(name, "none").startswith("none"):
            return "no equivalent"
        api = " / ".join(fmt_ratio(ratio(r.api[k].rate, r.datasette[k].rate)) for k in keys)
        # The bare SQL's own ratio: how far any server built on these queries could go.
        raw = " / ".join(
            fmt_ratio(ratio(r.raw[k].rate if k in r.raw else 0, r.datasette[k].rate)) for k in keys
        )
        return f"{api} (raw SQL {raw})"

    def cached_cell(self, r, keys):
        """The response cache's rate for a URL asked again, against Datasette's."""
        if not all(k in r.cached for k in keys):
            return "-"
        rates = " / ".join(fmt_rate(r.cached[k].rate) for k in keys)
        if not all(k in r.datasette for k in keys):
            return rates
        x = " / ".join(fmt_ratio(ratio(r.cached[k].rate, r.datasette[k].rate)) for k in keys)
        return f"{rates} ({x})"

    def export_row(self, r, lite, small):
        e = r.exports["api"]
        raw, ds = r.exports.get("raw"), r.exports.get("datasette")
        row = [
            "export (rows/s)",
            f"{e.rate:,.0f} rows/s",
            f"first byte {e.ttfb_ms:.0f} ms, memory +{r.rss_mb:.1f} MB",
            fmt_ratio(ratio(e.rate, raw.rate if raw else 0)),
            fmt_ratio(ratio(e.rate, ds.rate)) if ds else "-",
            "-",
        ]
        if lite:
            row.append(fmt_ratio(ratio(e.rate, lite.exports["api"].rate if lite.exports else 0)))
        if small:
            row.append(fmt_ratio(ratio(e.rate, small.exports["api"].rate if small.exports else 0)))
        return row

    def print(self, load):
        print("\n== EXPLAIN of each case's main statement (the slowest one captured) ==")
        for r in self.results.values():
            for name, (statement, plan) in r.plans.items():
                print(f"\n-- {r.db.label}, {name}: {r.paths[name]}")
                sql, params = api_baseline.driver_sql(statement)
                print(f"{sql}\n   params: {params}")
                print(plan)
        print("\n== Cases ==")
        for name in next(iter(self.results.values())).paths:
            print(f"- {name}: {CASES[name]}")
        for r in self.results.values():
            print(f"\n== {r.db.label} events: API paths ==")
            for name, path in r.paths.items():
                extra = ""
                if r.datasette_paths:
                    extra = f"\n    Datasette: {r.datasette_paths[name]}"
                print(f"- {name}: {path}{extra}")
        print(
            "\n== Markdown for the README ==\n"
            f"(gunicorn.conf.py: 2 workers x 4 threads; {self.args.duration:g} s runs, best of "
            f"{self.args.rounds} alternating rounds; ratios > 1 mean the API is faster; p50/p95 "
            "over every round; raw = the API's captured SQL replayed with the driver and "
            "json.dumps.)"
        )
        for r in self.results.values():
            print(f"\n**{r.db.label} events**\n")
            print(self.table(r))
        if load is not None:
            db, run = load
            print(
                f"\n**Load test, {db.label} events: {self.args.load_clients} clients, "
                f"{run.seconds:.0f} s, mix of {', '.join(LOAD_MIX)}**\n"
            )
            print("| req/s | p50 ms | p95 ms | p99 ms | errors |\n|---|---|---|---|---|")
            print(
                f"| {run.rate:.1f} | {run.percentile(50):.0f} | {run.percentile(95):.0f} | "
                f"{run.percentile(99):.0f} | {sum(run.errors.values())} |"
            )
        print("\n== Goals (issue 12, and the export's from issue 3) ==")
        for goal, subject, value, passed in self.goals:
            print(f"{'PASS' if passed else 'FAIL'}  {goal}: {subject}: {value}")
        if not self.goals:
            print("(none measurable with these options)")
        skipped = []
        if not any(r.db.vendor == "postgresql" for r in self.results.values()) or not any(
            r.db.vendor == "sqlite" for r in self.results.values()
        ):
            skipped.append("PostgreSQL vs SQLite (needs --database both)")
        if not any(r.db.events == 1_000_000 for r in self.results.values()):
            skipped.append("growth from 100k to 1M (needs --full)")
        if skipped:
            print("Not measured in this run: " + "; ".join(skipped) + ".")


# -- main -----------------------------------------------------------------------------------


def parse_args():
    parser = argparse.ArgumentParser(
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
        epilog="cases (--cases):\n"
        + "\n".join(f"  {name:10} {text}" for name, text in CASES.items()),
    )
    parser.add_argument(
        "--database",
        choices=["sqlite", "postgresql", "both"],
        default="both",
        help="which database(s) the API runs on (default: both)",
    )
    parser.add_argument("--events", type=int, default=100_000, help="events (default 100000)")
    parser.add_argument("--full", action="store_true", help="100k events, then 1M (growth)")
    parser.add_argument(
        "--cases", default=",".join(CASES), help="comma-separated cases (default: all)"
    )
    parser.add_argument("--duration", type=float, default=3.0, help="seconds per run (3)")
    parser.add_argument("--rounds", type=int, default=2, help="alternating rounds (2)")
    parser.add_argument("--clients", default="2,8", help="client counts (default 2,8)")
    parser.add_argument("--no-datasette", action="store_true", help="skip Datasette")
    parser.add_argument(
        "--no-timeout-check", action="store_true", help="skip the export-over-timeout check"
    )
    parser.add_argument(
        "--load",
        action="store_true",
        help="also the load test, at the largest size, on PostgreSQL when it ran",
    )
    parser.add_argument("--load-seconds", type=float, default=60.0, help="load test length (60)")
    parser.add_argument("--load-clients", type=int, default=16, help="load test clients (16)")
    args = parser.parse_args()
    args.clients = [int(n) for n in args.clients.split(",")]
    args.cases = [name.strip() for name in args.cases.split(",") if name.strip()]
    unknown = set(args.cases) - set(CASES)
    if unknown:
        parser.error(f"unknown case(s): {', '.join(sorted(unknown))}; cases: {', '.join(CASES)}")
    return args


def main():
    args = parse_args()
    sizes = [100_000, 1_000_000] if args.full else [args.events]
    vendors = ["sqlite", "postgresql"] if args.database == "both" else [args.database]
    results = {}
    timeouts = []
    for events in sizes:
        for vendor in vendors:
            db = prepare(vendor, events, release="release" in args.cases)
            cases = [name for name in args.cases if name != "release" or db.has_release]
            results[(vendor, events)] = run(db, args, cases)
    if not args.no_timeout_check and "export" in args.cases:
        timeouts = timeout_check(prepare(vendors[0], sizes[-1]))
    load = None
    if args.load:
        vendor = "postgresql" if "postgresql" in vendors else vendors[0]
        db = prepare(vendor, sizes[-1])
        load = (db, load_test(db, args.load_seconds, args.load_clients))
    api_baseline.close_all()
    report = Report(results, args)
    report.evaluate(timeouts, load)
    report.print(load)
    sys.exit(1 if any(not passed for *_, passed in report.goals) else 0)


if __name__ == "__main__":
    main()
