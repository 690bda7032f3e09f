"""Benchmark of the pages' latency against a plain baseline (issue 10, item 6).

    .venv/bin/python tests/benchmarks/bench_pages.py              # 100k events
    .venv/bin/python tests/benchmarks/bench_pages.py --events 1000000

With the synthetic database of bench_api.py (``generate_synthetic``, kept and reused), one
gunicorn server (``gunicorn.conf.py``) serves the site and ``pages_baseline.py``: for each
benchmarked page a plain view that runs the same queries with ``values()`` and renders the
same template. After checking that page and baseline give the same bodies, one client asks
for each in turn, request by request, and the page's median latency is reported as a ratio to
the baseline's. Goal: at most 2x.
"""

import argparse
import http.client
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from tests.benchmarks.bench_api import HOST, get, prepare_database, server  # noqa: E402

PAGES = {
    # name: (page, baseline)
    "/events/ filtered, page 1": (
        "/events/?country=SY&date_after=2016-03-15",
        "/baseline/events/?country=SY&date_after=2016-03-15",
    ),
    "/events/ filtered, page 20": (
        "/events/?country=SY&date_after=2016-03-15&page=20",
        "/baseline/events/?country=SY&date_after=2016-03-15&page=20",
    ),
    "/alignment/ russia, iran": (
        "/alignment/?actors=russia,iran",
        "/baseline/alignment/?actors=russia,iran",
    ),
}
TARGET = 2.0


def latency(port, path, *, tries=3):
    """One request on a fresh connection: its time in ms. A connection the server resets
    before answering (gthread workers now and then do, under load) is tried again."""
    for attempt in range(tries):
        conn = http.client.HTTPConnection(HOST, port, timeout=120)
        try:
            started = time.perf_counter()
            conn.request("GET", path)
            response = conn.getresponse()
            response.read()
            elapsed = (time.perf_counter() - started) * 1000
        except ConnectionResetError:
            if attempt == tries - 1:
                raise
            continue
        finally:
            conn.close()
        if response.status != 200:
            raise RuntimeError(f"{path} answered {response.status}")
        return elapsed


def paired_latencies(port, page, baseline, pairs):
    """Page and baseline asked in turn, request by request (the order swapped each pair),
    so a burst of load from elsewhere on the machine falls on both alike."""
    page_times, base_times = [], []
    for n in range(pairs):
        if n % 2:
            base_times.append(latency(port, baseline))
            page_times.append(latency(port, page))
        else:
            page_times.append(latency(port, page))
            base_times.append(latency(port, baseline))
    return page_times, base_times


def check_same_bodies(port):
    for page, baseline in PAGES.values():
        page_status, page_body = get(port, page)
        base_status, base_body = get(port, baseline)
        if (page_status, base_status) != (200, 200):
            raise RuntimeError(f"{page} {page_status}, {baseline} {base_status}")
        if page_body != base_body:
            raise RuntimeError(f"baseline and page differ on {page}")


def run(events, pairs):
    url = prepare_database(events)
    rows = []
    with server(url, "tests.benchmarks.pages_baseline:application") as (port, _):
        check_same_bodies(port)
        print(f"[{events}] pages and baselines give identical bodies.", flush=True)
        for name, (page, baseline) in PAGES.items():
            paired_latencies(port, page, baseline, 3)  # warm the workers and caches
            page_times, base_times = paired_latencies(port, page, baseline, pairs)
            page_ms, base_ms = statistics.median(page_times), statistics.median(base_times)
            ratio = page_ms / base_ms
            rows.append((name, page_ms, base_ms, ratio, ratio <= TARGET))
            print(f"[{events}] {name}: page {page_ms:.1f} ms, baseline {base_ms:.1f} ms")
    return rows


def print_table(events, rows):
    print(f"\n== pages, {events:,} events (median latency, one client) ==")
    print(f"{'page':32} {'page ms':>9} {'base ms':>9} {'ratio':>7}  target  result")
    for name, page, base, ratio, passed in rows:
        result = "PASS" if passed else "FAIL"
        print(f"{name:32} {page:9.1f} {base:9.1f} {ratio:6.2f}x  <= {TARGET:.0f}x   {result}")


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--events", type=int, default=100_000)
    parser.add_argument("--pairs", type=int, default=40, help="page/baseline pairs per page")
    args = parser.parse_args()
    rows = run(args.events, args.pairs)
    print_table(args.events, rows)
    sys.exit(0 if all(passed for *_, passed in rows) else 1)


if __name__ == "__main__":
    main()
