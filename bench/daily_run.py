"""Benchmark: the daily run at province scale, a backfill, and Spark against DuckDB.

    .venv/bin/python bench/daily_run.py [--days 31] [--skip-spark]

1. generates the province (8,427 projects, ~920,000 workers) for ``--days`` days as Parquet
   under bench/data/province (reused across runs);
2. ingests it into bench/data/province-var (reused);
3. backfills every day (the first run folds in the history before it), printing seconds per
   day and the disk the lake state adds per day, and the extrapolation to a year;
4. re-runs the last day alone in a fresh process: seconds and peak RSS;
5. runs the same day on Spark local: seconds and the ratio to DuckDB.

Prints figures and ratios; never fails on time.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "bench" / "data"
START = dt.date(2025, 6, 1)


def sh(args: list[str], env: dict[str, str]) -> float:
    t0 = time.perf_counter()
    subprocess.run([sys.executable, "-m", "anxin.cli", *args], env=env, cwd=ROOT, check=True)
    return time.perf_counter() - t0


def du(path: Path) -> int:
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file())


def timed_run(day: dt.date, env: dict[str, str], engine: str) -> tuple[float, float]:
    """Seconds and peak RSS (GiB) of one `anxin run-daily` in its own process."""
    code = (
        "import os, resource, time, datetime as dt, django;"
        "os.environ.setdefault('DJANGO_SETTINGS_MODULE','anxin.settings'); django.setup();"
        "from anxin.monitoring.services import run_daily;"
        f"t=time.perf_counter(); r=run_daily(dt.date.fromisoformat('{day}'), engine_name='{engine}');"
        "print('RESULT', time.perf_counter()-t, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss, r.findings)"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], env=env, cwd=ROOT, check=True, capture_output=True, text=True
    ).stdout
    line = next(row for row in out.splitlines() if row.startswith("RESULT"))
    _, seconds, rss_kb, findings = line.split()
    print(f"  {engine}: {float(seconds):.2f} s, peak RSS {int(rss_kb) / 2**20:.2f} GiB, {findings} findings")
    return float(seconds), int(rss_kb) / 2**20


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--days", type=int, default=31)
    parser.add_argument("--skip-spark", action="store_true")
    args = parser.parse_args()
    batch = DATA / "province"
    var = DATA / "province-var"
    env = dict(os.environ, ANXIN_VAR=str(var), DJANGO_SETTINGS_MODULE="anxin.settings", ANXIN_STATE_KEEP_DAYS="3")
    if not (batch / "projects.parquet").exists():
        print(f"generating the province, {args.days} days …")
        print(
            f"  {sh(['synth', '--scale', 'province', '--days', str(args.days), '--start', START.isoformat(), '--seed', '1', '--out', str(batch), '--format', 'parquet'], env):.0f} s"
        )
    if not (var / "ingested").exists():
        shutil.rmtree(var, ignore_errors=True)
        sh(["migrate", "-v0"], env)
        print("ingesting …")
        print(f"  {sh(['ingest', str(batch)], env):.0f} s")
        (var / "ingested").write_text("ok")
    lake = var / "lake"
    last = START + dt.timedelta(days=args.days - 1)
    state = lake / "_state"
    print(f"backfill {START} .. {last} …")
    t0 = time.perf_counter()
    sh(["backfill", "--from", START.isoformat(), "--to", START.isoformat()], env)
    first = time.perf_counter() - t0
    disk0 = du(lake)
    t0 = time.perf_counter()
    sh(["backfill", "--from", (START + dt.timedelta(days=1)).isoformat(), "--to", last.isoformat()], env)
    rest = time.perf_counter() - t0
    per_day = rest / (args.days - 1)
    state_bytes = du(state) / max(len(list(state.iterdir())), 1)
    print(f"  first day (folds in history): {first:.1f} s; then {per_day:.2f} s per day over {args.days - 1} days")
    print(
        f"  state snapshot {state_bytes / 2**20:.0f} MiB each, kept {len(list(state.iterdir()))}; lake grew {(du(lake) - disk0) / 2**20 / (args.days - 1):.1f} MiB/day during the backfill"
    )
    print(f"  extrapolated: {per_day * 365 / 60:.0f} min per province-year (goal <= 30 min)")
    print(f"one daily run as of {last} in a fresh process:")
    duck, rss = timed_run(last, env, "duckdb")
    print(f"  goal <= 5 s and <= 6 GiB: {duck:.2f} s, {rss:.2f} GiB")
    if not args.skip_spark:
        spark, _ = timed_run(last, env, "spark")
        print(f"  Spark local / DuckDB = {spark / duck:.1f}x")


if __name__ == "__main__":
    main()
