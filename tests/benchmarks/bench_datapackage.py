#!/usr/bin/env python
"""Benchmark of the data package: build and validate N synthetic events.

Run by ``make bench`` (100k events), or::

    python tests/benchmarks/bench_datapackage.py --full          # 100k and 1M events
    python tests/benchmarks/bench_datapackage.py --events 200000 # any sizes

Each size gets its own database (BENCH_DATABASE_URL, default an SQLite file in /tmp;
a PostgreSQL URL is flushed and refilled), filled by ``generate_synthetic --events N
--seed 1``. Every measurement runs in a fresh process, so its peak memory (ru_maxrss) is
its own. Steps, on the same rows and files:

- build: ``build_package`` (deterministic CSVs + datapackage.json, one snapshot);
- csv.writer: the same SQL written with a plain ``csv.writer`` (the floor for a build);
- frictionless: ``frictionless`` validating the built package alone (foreign keys incl.);
- validate: our full validation (frictionless + canonical values + the model's rules).

Targets, checked at the largest size: build + validate within 1.5x frictionless alone,
peak memory under 1 GB, and build memory flat (largest size within 1.25x of the smallest
+ 32 MB). Prints a table with PASS/FAIL; exit status 1 on a FAIL.
"""

import argparse
import json
import os
import resource
import shutil
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
MEMORY_LIMIT_MB = 1024
TIME_RATIO = 1.5


def peak_mb():
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux


def setup_django():
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()


# ---------------------------------------------------------------------------------------
# Measurements (each in its own process)


def measure_build(outdir):
    from datapackage.build import build_package

    started = time.perf_counter()
    _descriptor, counts = build_package(outdir, version="1.0.0", created="2021-07-03")
    return time.perf_counter() - started, sum(counts.values())


def measure_csv_writer(outdir):
    import csv

    from django.db import connection, transaction

    from datapackage.schema import RESOURCES

    started = time.perf_counter()
    rows = 0
    Path(outdir, "data").mkdir(parents=True, exist_ok=True)
    with transaction.atomic():
        for table in RESOURCES:
            queryset = table.model.objects.order_by(*table.order_by(connection.vendor))
            values = queryset.values_list(*[column.path for column in table.columns])
            with open(Path(outdir, "data", f"{table.name}.csv"), "w", newline="") as handle:
                writer = csv.writer(handle, lineterminator="\n")
                writer.writerow(table.header)
                for row in values.iterator(chunk_size=2000):
                    writer.writerow(row)
                    rows += 1
    return time.perf_counter() - started, rows


def measure_frictionless(outdir):
    import frictionless

    started = time.perf_counter()
    report = frictionless.Package(str(Path(outdir, "datapackage.json"))).validate()
    elapsed = time.perf_counter() - started
    if not report.valid:
        raise SystemExit(f"frictionless found the package invalid: {report.flatten()[:5]}")
    return elapsed, sum(task.stats.get("rows") or 0 for task in report.tasks)


def measure_validate(outdir):
    from datapackage.validate import validate_folder

    started = time.perf_counter()
    report = validate_folder(outdir)
    elapsed = time.perf_counter() - started
    if not report.valid:
        raise SystemExit(f"the package is invalid:\n{report.format(limit=10)}")
    return elapsed, sum(report.row_counts.values())


STEPS = {
    "build": measure_build,
    "csv.writer": measure_csv_writer,
    "frictionless": measure_frictionless,
    "validate": measure_validate,
}


def cpu_seconds():
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def child(step, outdir):
    setup_django()
    cpu = cpu_seconds()
    seconds, rows = STEPS[step](outdir)
    cpu = cpu_seconds() - cpu
    print(json.dumps({"seconds": seconds, "cpu": cpu, "rows": rows, "peak_mb": peak_mb()}))


# ---------------------------------------------------------------------------------------
# Driver


def run(args, env, **options):
    return subprocess.run(args, env=env, cwd=ROOT, check=True, **options)


def manage(env, *args):
    run([sys.executable, "manage.py", *args], env)


def database_env(events):
    url = os.environ.get("BENCH_DATABASE_URL") or f"sqlite:////tmp/mena-bench-{events}.sqlite3"
    return url, {**os.environ, "DATABASE_URL": url, "DJANGO_SETTINGS_MODULE": "config.settings"}


def prepare(events, reuse):
    url, env = database_env(events)
    if url.startswith("sqlite:///"):
        path = Path(url.removeprefix("sqlite:///"))
        if path.exists() and not reuse:
            path.unlink()
        if path.exists():
            print(f"reusing {path}", file=sys.stderr)
            return env
    manage(env, "migrate", "--noinput", "-v0")
    if url.startswith("postgres"):
        manage(env, "flush", "--noinput", "-v0")
    started = time.perf_counter()
    manage(env, "generate_synthetic", "--events", str(events), "--seed", "1")
    print(f"generated {events:,} events in {time.perf_counter() - started:.0f}s", file=sys.stderr)
    return env


def measure(step, outdir, env):
    result = run(
        [sys.executable, __file__, "--child", step, "--outdir", str(outdir)],
        env,
        stdout=subprocess.PIPE,
        text=True,
    )
    return json.loads(result.stdout.strip().splitlines()[-1])


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--events", type=int, action="append", help="Sizes (repeatable).")
    parser.add_argument("--full", action="store_true", help="100k and 1M events.")
    parser.add_argument("--reuse", action="store_true", help="Reuse filled SQLite databases.")
    parser.add_argument("--workdir", default="/tmp/mena-bench-packages")
    parser.add_argument("--child", choices=STEPS, help=argparse.SUPPRESS)
    parser.add_argument("--outdir", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        return child(args.child, args.outdir)

    sizes = sorted(set(args.events or ([100_000, 1_000_000] if args.full else [100_000])))
    results = {}
    for events in sizes:
        env = prepare(events, args.reuse)
        outdir = Path(args.workdir) / str(events)
        shutil.rmtree(outdir, ignore_errors=True)
        baseline_dir = Path(args.workdir) / f"{events}-csv-writer"
        shutil.rmtree(baseline_dir, ignore_errors=True)
        results[events] = {
            "build": measure("build", outdir, env),
            "csv.writer": measure("csv.writer", baseline_dir, env),
            "frictionless": measure("frictionless", outdir, env),
            "validate": measure("validate", outdir, env),
        }
        shutil.rmtree(baseline_dir, ignore_errors=True)
        for step, result in results[events].items():
            print(
                f"{events:,} events, {step}: {result['seconds']:.1f}s, {result['peak_mb']:.0f} MB",
                file=sys.stderr,
            )

    print()
    # CPU seconds (the step's own, whatever else the machine runs) beside wall seconds.
    header = f"{'events':>10}  {'step':<13} {'rows':>10} {'seconds':>8} {'cpu s':>7}"
    print(f"{header} {'rows/s':>9} {'peak MB':>8}")
    for events, steps in results.items():
        for step, r in steps.items():
            rate = r["rows"] / r["seconds"] if r["seconds"] else 0
            print(
                f"{events:>10,}  {step:<13} {r['rows']:>10,} {r['seconds']:>8.1f} "
                f"{r['cpu']:>7.1f} {rate:>9,.0f} {r['peak_mb']:>8.0f}"
            )

    checks = []
    largest, smallest = results[sizes[-1]], results[sizes[0]]
    ours = largest["build"]["seconds"] + largest["validate"]["seconds"]
    alone = largest["frictionless"]["seconds"]
    checks.append(
        (
            f"build + validation of {sizes[-1]:,} events within {TIME_RATIO}x frictionless alone",
            f"{ours:.1f}s vs {alone:.1f}s = {ours / alone:.2f}x",
            ours <= TIME_RATIO * alone,
        )
    )
    peak = max(
        r["peak_mb"]
        for steps in results.values()
        for k, r in steps.items()
        if k in ("build", "validate")
    )
    checks.append(
        (
            f"peak memory of build and validation under {MEMORY_LIMIT_MB} MB",
            f"{peak:.0f} MB",
            peak < MEMORY_LIMIT_MB,
        )
    )
    if len(sizes) > 1:
        low, high = smallest["build"]["peak_mb"], largest["build"]["peak_mb"]
        checks.append(
            (
                f"build memory flat from {sizes[0]:,} to {sizes[-1]:,} events",
                f"{low:.0f} MB -> {high:.0f} MB",
                high <= low * 1.25 + 32,
            )
        )
    print()
    failed = False
    for name, value, ok in checks:
        failed |= not ok
        print(f"{'PASS' if ok else 'FAIL'}  {name}: {value}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
