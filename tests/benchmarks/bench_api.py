"""Benchmark of the REST API's read path against a raw baseline (issue 3, item 8).

    .venv/bin/python tests/benchmarks/bench_api.py              # 100k events
    .venv/bin/python tests/benchmarks/bench_api.py --full       # 100k, then 1M events
    .venv/bin/python tests/benchmarks/bench_api.py --events 1000000

For each dataset size it loads synthetic events (``generate_synthetic``; the database is kept
and reused while its event count matches), serves the API with ``gunicorn.conf.py`` on a free
loopback port, and serves ``api_baseline.py`` (the same SQL, ``json.dumps`` / ``csv.writer``)
with the same gunicorn settings. After checking both give the same bodies it measures:

- a filtered list page of 100 events with participants and citations: requests/s with 2 and
  8 concurrent clients (separate processes, keep-alive, fixed duration);
- the CSV export of all events: rows/s, time to first byte, and the serving worker's peak
  RSS growth (VmHWM from /proc);
- that an export lasting longer than the worker timeout completes (gthread), next to the
  same export on a sync worker, which is cut short.

Database: ``BENCH_DATABASE_URL`` (default: an SQLite file per size under /tmp). Anonymous
throttling is switched off for the run (its per-client history would throttle a benchmark).
"""

import argparse
import contextlib
import hashlib
import http.client
import multiprocessing
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PYTHON = sys.executable
GUNICORN = str(Path(PYTHON).with_name("gunicorn"))
HOST = "127.0.0.1"
LIST_PATHS = {
    "filtered": "/api/v1/events/?country=SY&date_after=2016-03-15&page_size=100&page={page}",
    # The same page shape where the SQL is cheap (index-ordered, no filter), so the
    # serialisation path rather than the database dominates.
    "unfiltered": "/api/v1/events/?page_size=100&page={page}",
}
# The target is for the filtered page; the unfiltered one is shown for diagnosis.
TARGETED_LISTS = {"filtered"}
LIST_PAGES = 20  # clients cycle through these pages
EXPORT_PATH = "/api/v1/events/?format=csv"
TARGETS = {"list": 0.35, "export": 0.50, "rss_mb": 32, "ttfb_ms": 100}


# -- database ---------------------------------------------------------------------------


def schema_fingerprint():
    """A short hash of the migrations, so a reused bench database always has today's schema."""
    digest = hashlib.sha256()
    for path in sorted(ROOT.glob("*/migrations/0*.py")):
        digest.update(path.read_bytes())
    return digest.hexdigest()[:10]


def database_url(events):
    default = f"sqlite:////tmp/mena-bench-api-{events}-{schema_fingerprint()}.sqlite3"
    return os.environ.get("BENCH_DATABASE_URL") or default


def manage(url, *args, capture=False):
    env = {**os.environ, "DATABASE_URL": url, "DJANGO_SETTINGS_MODULE": "config.settings"}
    return subprocess.run(
        [PYTHON, "manage.py", *args],
        cwd=ROOT,
        env=env,
        check=True,
        text=True,
        stdout=subprocess.PIPE if capture else None,
    )


def create_postgres_database(url):
    """PostgreSQL needs the database to exist before migrate; create it if missing."""
    import psycopg
    from psycopg import sql

    base, _, name = url.rpartition("/")
    with psycopg.connect(f"{base}/postgres", autocommit=True) as conn:
        if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone():
            conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))


def prepare_database(events):
    url = database_url(events)
    if url.startswith(("postgres://", "postgresql://")):
        create_postgres_database(url)
    manage(url, "migrate", "--no-input", "-v", "0")
    count = int(
        manage(
            url,
            "shell",
            "-c",
            "from events.models import Event; print(Event.objects.count())",
            capture=True,
        ).stdout.split()[-1]
    )
    if count != events:
        print(f"Loading {events} synthetic events into {url} ...", flush=True)
        manage(url, "flush", "--no-input")
        manage(url, "generate_synthetic", "--events", str(events), "--seed", "1")
    return url


# -- servers ----------------------------------------------------------------------------


def free_port():
    with socket.socket() as sock:
        sock.bind((HOST, 0))
        return sock.getsockname()[1]


@contextlib.contextmanager
def server(url, app=None, **env_overrides):
    port = free_port()
    env = {
        **os.environ,
        "DATABASE_URL": url,
        "BENCH_DATABASE_URL": url,
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "DEBUG": "0",
        "ANON_THROTTLE_RATE": "off",
        "GUNICORN_LOGLEVEL": "warning",
        **env_overrides,
    }
    command = [GUNICORN, "-c", "gunicorn.conf.py", "--bind", f"{HOST}:{port}"]
    if app:
        command.append(app)
    process = subprocess.Popen(command, cwd=ROOT, env=env)
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                status, _ = get(port, "/api/v1/events/?page_size=1")
                if status == 200:
                    break
            except OSError:
                pass
            if time.monotonic() > deadline or process.poll() is not None:
                raise RuntimeError(f"server {app or 'api'} did not start")
            time.sleep(0.2)
        yield port, process.pid
    finally:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def worker_pids(master):
    children = Path(f"/proc/{master}/task/{master}/children").read_text().split()
    return [int(pid) for pid in children]


def vm_hwm_kb(pid):
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1])
    return 0


def get(port, path, *, timeout=300):
    conn = http.client.HTTPConnection(HOST, port, timeout=timeout)
    try:
        conn.request("GET", path)
        response = conn.getresponse()
        return response.status, response.read()
    finally:
        conn.close()


# -- measurements -----------------------------------------------------------------------


def client_loop(port, path, start_at, duration, offset, results):
    conn = http.client.HTTPConnection(HOST, port, timeout=60)
    done = errors = 0
    page = offset
    while time.time() < start_at:
        time.sleep(0.001)
    end = start_at + duration
    while time.time() < end:
        conn.request("GET", path.format(page=page % LIST_PAGES + 1))
        response = conn.getresponse()
        response.read()
        if response.status == 200:
            done += 1
        else:
            errors += 1
        page += 1
    conn.close()
    results.put((done, errors))


def requests_per_second(port, path, clients, duration):
    context = multiprocessing.get_context("fork")
    results = context.Queue()
    start_at = time.time() + 0.5
    processes = [
        context.Process(target=client_loop, args=(port, path, start_at, duration, n * 7, results))
        for n in range(clients)
    ]
    for process in processes:
        process.start()
    totals = [results.get(timeout=duration + 120) for _ in processes]
    for process in processes:
        process.join()
    done = sum(t[0] for t in totals)
    errors = sum(t[1] for t in totals)
    if errors:
        raise RuntimeError(f"{errors} failed requests")
    return done / duration


def export(port, *, slow_for=0.0):
    """One CSV export: (rows, seconds, first byte ms, complete)."""
    conn = http.client.HTTPConnection(HOST, port, timeout=600)
    started = time.perf_counter()
    conn.request("GET", EXPORT_PATH)
    response = conn.getresponse()
    first_byte = None
    lines = 0
    last = b""
    complete = True
    try:
        while True:
            chunk = response.read1(65536)
            if not chunk:
                break
            if first_byte is None:
                first_byte = (time.perf_counter() - started) * 1000
            lines += chunk.count(b"\n")
            last = chunk[-1:]
            if slow_for and time.perf_counter() - started < slow_for:
                time.sleep(0.02)
    except (http.client.IncompleteRead, ConnectionError):
        complete = False
    conn.close()
    seconds = time.perf_counter() - started
    complete = complete and last == b"\n"
    return lines - 1, seconds, first_byte or 0.0, complete


def export_rate(port, runs=3):
    best = None
    for _ in range(runs):
        rows, seconds, ttfb, complete = export(port)
        if not complete:
            raise RuntimeError("export incomplete")
        if best is None or rows / seconds > best[0]:
            best = (rows / seconds, rows, ttfb)
    ttfbs = [export_ttfb(port) for _ in range(3)]
    return best[0], best[1], min(ttfbs)


def export_ttfb(port):
    conn = http.client.HTTPConnection(HOST, port, timeout=600)
    started = time.perf_counter()
    conn.request("GET", EXPORT_PATH)
    response = conn.getresponse()
    response.read1(1)
    ttfb = (time.perf_counter() - started) * 1000
    conn.close()  # abandon the rest
    return ttfb


def export_memory_growth(port, master):
    """Peak RSS growth of the worker that served an export, in MB."""
    pids = worker_pids(master)
    before = {pid: vm_hwm_kb(pid) for pid in pids}
    for _ in range(2):
        rows, _, _, complete = export(port)
        if not complete:
            raise RuntimeError("export incomplete")
    growth = max(vm_hwm_kb(pid) - before[pid] for pid in pids)
    return growth / 1024


def check_same_bodies(api_port, raw_port):
    import json

    def parsed(port, path):
        status, body = get(port, path)
        if status != 200:
            raise RuntimeError(f"{path} answered {status} on port {port}")
        return json.loads(body.replace(f"{HOST}:{port}/".encode(), b"HOST/"))

    for template in LIST_PATHS.values():
        for page in (1, 2, LIST_PAGES):
            path = template.format(page=page)
            if parsed(api_port, path) != parsed(raw_port, path):
                raise RuntimeError(f"baseline and API differ on {path}")
    api, raw = get(api_port, EXPORT_PATH), get(raw_port, EXPORT_PATH)
    if api != raw:
        raise RuntimeError("baseline and API CSV exports differ")
    return api[1].count(b"\n") - 1


# -- report -----------------------------------------------------------------------------


def run(events, duration, rounds, clients_list, check_timeout):
    url = prepare_database(events)
    rows = []
    with (
        server(url) as (api_port, api_master),
        server(url, "tests.benchmarks.api_baseline:application") as (raw_port, _),
    ):
        exported = check_same_bodies(api_port, raw_port)
        print(f"[{events}] API and baseline bodies identical ({exported} CSV rows).", flush=True)
        for kind, path in LIST_PATHS.items():
            for clients in clients_list:
                # Alternate API and baseline runs and keep each one's best, so a burst of
                # load from elsewhere on the machine does not decide the ratio.
                api = raw = 0.0
                for _ in range(rounds):
                    api = max(api, requests_per_second(api_port, path, clients, duration))
                    raw = max(raw, requests_per_second(raw_port, path, clients, duration))
                name = f"{kind} list, {clients} clients (req/s)"
                if kind in TARGETED_LISTS:
                    passed, target = api / raw >= TARGETS["list"], f">= {TARGETS['list']:.0%}"
                else:
                    passed, target = None, "(info)"
                rows.append((name, api, raw, passed, target))
                print(f"[{events}] {name}: api {api:.1f} raw {raw:.1f}", flush=True)
        growth = export_memory_growth(api_port, api_master)
        api_rate, api_rows, api_ttfb = export_rate(api_port)
        raw_rate, _, raw_ttfb = export_rate(raw_port)
        rows.append(
            ("CSV export (rows/s)", api_rate, raw_rate, api_rate / raw_rate >= 0.5, ">= 50%")
        )
        rows.append(
            ("CSV first byte (ms)", api_ttfb, raw_ttfb, api_ttfb < TARGETS["ttfb_ms"], "< 100 ms")
        )
        rows.append(
            ("CSV peak RSS growth (MB)", growth, None, growth < TARGETS["rss_mb"], "< 32 MB")
        )
    if check_timeout:
        # Read slowly so the export outlasts a 2 s worker timeout several times over.
        with server(url, GUNICORN_TIMEOUT="2") as (port, _):
            got, seconds, _, complete = export(port, slow_for=8)
        ok = complete and got == api_rows
        rows.append((f"export over timeout, gthread ({seconds:.0f} s)", got, None, ok, "complete"))
        print("Contrast run: the sync worker below is expected to be killed (WORKER TIMEOUT).")
        with server(
            url, GUNICORN_TIMEOUT="2", GUNICORN_THREADS="1", GUNICORN_CMD_ARGS="--worker-class sync"
        ) as (port, _):
            got, seconds, _, complete = export(port, slow_for=8)
        rows.append((f"same on sync worker ({seconds:.0f} s, for contrast)", got, None, None,
                     "cut short" if not complete else "completed"))  # fmt: skip
    return rows


def print_table(events, rows):
    print(f"\n== {events:,} events ==")
    print(f"{'measure':45} {'API':>12} {'raw':>12} {'ratio':>7}  target      result")
    for name, api, raw, passed, target in rows:
        ratio = f"{api / raw:.0%}" if raw and ("req/s" in name or "rows/s" in name) else ""
        raw_text = f"{raw:12.1f}" if raw is not None else f"{'':12}"
        result = "" if passed is None else ("PASS" if passed else "FAIL")
        print(f"{name:45} {api:12.1f} {raw_text} {ratio:>7}  {target:11} {result}")


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--events", type=int, default=100_000)
    parser.add_argument("--full", action="store_true", help="100k events, then 1M events")
    parser.add_argument("--duration", type=float, default=5.0, help="seconds per list run")
    parser.add_argument("--rounds", type=int, default=3, help="alternating runs per measure")
    parser.add_argument("--clients", default="2,8", help="comma-separated client counts")
    parser.add_argument("--no-timeout-check", action="store_true")
    args = parser.parse_args()
    sizes = [100_000, 1_000_000] if args.full else [args.events]
    clients = [int(c) for c in args.clients.split(",")]
    failed = False
    for events in sizes:
        rows = run(events, args.duration, args.rounds, clients, not args.no_timeout_check)
        print_table(events, rows)
        failed |= any(passed is False for *_, passed, _ in rows)
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
