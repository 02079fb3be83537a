"""Benchmark: the daily run at province scale from a state holding 11 months, a backfill, Spark.

    .venv/bin/python bench/daily_run.py [--scale province] [--runs 3] [--backfill-days 30] [--skip-spark]

What it builds (under bench/data/, git-ignored, reused across runs):

1. ``province/``: the synthetic province (8,427 projects, ~920,000 workers) for 61 days,
   2025-06-01 .. 2025-07-31, as Parquet (``anxin synth --format parquet``, seed 1);
2. ``province-var/``: that batch ingested into a lake and a SQLite database;
3. ``base/``: the state as of 2025-06-30 **holding 11 months**. Generating and ingesting
   eleven months of province events would take hours on 2 cores (synth alone ≈ 7 s a day,
   ingest and the first fold more), so the base is built in two steps:
   a. the real first-day fold: ``anxin backfill --from 2025-06-30 --to 2025-06-30`` folds
      every June event (and the monthly feeds, which synth writes from 12 months before the
      window, so ``employer_months`` holds 15 real months);
   b. 10 earlier months of closed history, 2024-08 .. 2025-05, added to the state as the
      fold of those months would have left it for a province whose workforce was June's
      and paid everyone in full, on time: for each June ledger row of a worker with days
      attended, one ledger row per earlier period (same worker, project, employer, wage
      terms and days; payroll = the amount due computed as the rules do, piece work at
      390 yuan a day; paid in full from the special account, or from another account
      when the project has none, on its due date: the pay day of the next month, moved to
      the working day before when it is a rest day, as the rules' calendar says); the matching
      ``person_months`` rows (pay by month paid), ``inflow_months`` (the builder
      transferred each period's wages during the period) and ``accounts`` totals (those
      inflows and payments, so balances are unchanged). The short windows (project days,
      failed transfers, card mismatches, lawsuits, unregistered) stay as folded.
   The script prints the rows of every state table of the base. Measured at ``--scale demo``
   (300 projects, ~30,000 workers): ledger 318,065, person_months (then by project too) 289,150,
   project_days 8,507, employer_months 7,215, inflow_months 3,240, accounts 296,
   unregistered 38, lawsuits 11, failed_payments and card_mismatches 0. The province is about
   30 times that (ledger 9.8 M rows; figures in docs/monitoring.md).

Then, from a fresh copy of the base each time:

4. backfills 2025-07-01 .. 2025-07-30 one day at a time (``--backfill-days``): seconds per
   day, the disk the lake state and database add per day (``ANXIN_STATE_KEEP_DAYS=3``
   bounds it), and the extrapolation to a year;
5. runs 2025-07-31 alone, ``--runs`` times, each in a fresh process: median seconds, peak
   RSS, and the breakdown by stage of the median run;
6. runs the same day on Spark local: seconds and the ratio to DuckDB.

Prints figures and ratios; never fails on time.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import duckdb

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "bench" / "data"
START = dt.date(2025, 6, 1)
DAYS = 61
BASE_DAY = dt.date(2025, 6, 30)
HISTORY_MONTHS = 10  # 2024-08 .. 2025-05, before June's real month: 11 months in all
PIECE_DAY_FEN = 39_000


def sh(args: list[str], env: dict[str, str]) -> float:
    t0 = time.perf_counter()
    subprocess.run([sys.executable, "-m", "anxin.cli", *args], env=env, cwd=ROOT, check=True)
    return time.perf_counter() - t0


def du(path: Path) -> int:
    """Bytes on disk under ``path``, each hard-linked file once."""
    seen: set[int] = set()
    total = 0
    for p in path.rglob("*"):
        if p.is_file():
            st = p.stat()
            if st.st_ino not in seen:
                seen.add(st.st_ino)
                total += st.st_size
    return total


def months_back(k: int) -> str:
    """The period ``k`` months before June 2025 ('YYYY-MM')."""
    index = 2025 * 12 + 5 - k
    return f"{index // 12:04d}-{index % 12 + 1:02d}"


def add_history(folder: Path, registry: Path) -> None:
    """Add ``HISTORY_MONTHS`` closed months before June to the state snapshot in ``folder``."""
    con = duckdb.connect()
    con.execute("SET threads = 2")
    for name in ("ledger", "person_months", "inflow_months", "accounts"):
        # One file per table, or per part (ledger.2025-06.parquet…) for the partitioned ones.
        files = sorted(folder.glob(f"{name}.parquet")) or sorted(folder.glob(f"{name}.*.parquet"))
        listed = ", ".join(f"'{f}'" for f in files)
        if files:
            con.execute(f"CREATE TABLE {name} AS SELECT * FROM read_parquet([{listed}], hive_partitioning = false)")
        elif name == "person_months":  # nobody paid yet: no part written
            con.execute(f"CREATE TABLE {name} (person_id BIGINT, month VARCHAR, paid_fen BIGINT)")
        else:
            raise FileNotFoundError(folder / f"{name}.parquet")
    con.execute(f"CREATE TABLE projects AS SELECT * FROM read_parquet('{registry / 'projects.parquet'}')")
    con.execute(
        """CREATE TABLE has_account AS SELECT project_code, bool_or(coalesce(trim(wage_account_no), '') <> '') AS yes
        FROM projects GROUP BY project_code"""
    )
    con.execute(
        f"""CREATE TABLE template AS
        SELECT l.*, coalesce(a.yes, false) AS to_account,
          coalesce(payroll_net_fen, CASE wage_type
            WHEN 'daily' THEN days_attended * wage_rate_fen
            WHEN 'monthly' THEN least((wage_rate_fen * days_attended * 100 + 1087) // 2175, wage_rate_fen)
            ELSE days_attended * {PIECE_DAY_FEN} END) AS due
        FROM ledger l LEFT JOIN has_account a USING (project_code)
        WHERE period = '2025-06' AND days_attended > 0"""
    )
    # Each earlier period is paid on its due date (the pay day, moved to the working day before
    # when it is a rest day or holiday), from the calendar the rules use: on time, never late.
    from anxin.core.calendar import WorkingCalendar, pay_due_date

    calendar = WorkingCalendar()
    periods = [months_back(k) for k in range(1, HISTORY_MONTHS + 1)]
    dues = [(period, day, pay_due_date(period, day, calendar)) for period in periods for day in range(1, 32)]
    con.execute("CREATE TABLE dues (period VARCHAR, due_pay_day BIGINT, due_on DATE)")
    con.executemany("INSERT INTO dues VALUES (?, ?, ?)", dues)
    parts = []
    for k in range(1, HISTORY_MONTHS + 1):
        paid = f"(SELECT d.due_on FROM dues d WHERE d.period = '{months_back(k)}' AND d.due_pay_day = coalesce(template.pay_day, 31))"
        parts.append(
            f"""SELECT project_code, person_id, strftime(DATE '2025-06-01' - INTERVAL {k} MONTH, '%Y-%m') AS period,
              id_masked, employer_uscc, wage_type, wage_rate_fen, pay_day, days_attended,
              (first_attended_on - INTERVAL {k} MONTH)::DATE AS first_attended_on,
              (last_attended_on - INTERVAL {k} MONTH)::DATE AS last_attended_on,
              due AS payroll_net_fen, due AS payroll_gross_fen, days_attended AS payroll_days, true AS payroll_confirmed,
              (date_trunc('month', DATE '2025-06-01' - INTERVAL {k - 1} MONTH)::DATE + 2) AS payroll_submitted_on,
              due AS paid_fen, CASE WHEN to_account THEN due ELSE 0 END AS paid_special_fen,
              CASE WHEN to_account THEN 0 ELSE due END AS paid_other_fen, 1::BIGINT AS count_payments,
              {paid} AS first_paid_on, {paid} AS last_paid_on, {paid} AS paid_full_on, to_account
            FROM template"""
        )
    con.execute("CREATE TABLE history AS " + " UNION ALL ".join(parts))
    # A real row of an injected period (June payments for May) stays as it is.
    con.execute(
        "DELETE FROM history h USING ledger l WHERE h.project_code = l.project_code AND h.person_id = l.person_id AND h.period = l.period"
    )
    columns = [r[0] for r in con.execute("DESCRIBE ledger").fetchall()]
    con.execute(f"INSERT INTO ledger SELECT {', '.join(columns)} FROM history")
    con.execute(
        """INSERT INTO person_months
        SELECT person_id, strftime(last_paid_on, '%Y-%m') AS month, sum(paid_fen)
        FROM history GROUP BY ALL"""
    )
    con.execute(
        """CREATE TABLE pm2 AS SELECT person_id, month, sum(paid_fen)::BIGINT AS paid_fen
        FROM person_months GROUP BY ALL"""
    )
    con.execute(
        """CREATE TABLE inflows AS SELECT project_code, period AS month, sum(paid_special_fen)::BIGINT AS inflow_fen,
          min(period) AS first_month FROM history WHERE to_account GROUP BY ALL"""
    )
    con.execute(
        """CREATE TABLE im2 AS SELECT project_code, month, sum(inflow_fen)::BIGINT AS inflow_fen FROM
        (SELECT * FROM inflow_months UNION ALL SELECT project_code, month, inflow_fen FROM inflows) GROUP BY ALL"""
    )
    con.execute(
        """CREATE TABLE acc2 AS
        SELECT a.project_code, a.inflow_fen + coalesce(h.fen, 0) AS inflow_fen, a.count_inflows + coalesce(h.n, 0) AS count_inflows,
          least(a.first_inflow_on, h.first_on) AS first_inflow_on, a.last_inflow_on,
          a.paid_from_account_fen + coalesce(h.fen, 0) AS paid_from_account_fen
        FROM accounts a LEFT JOIN (
          SELECT project_code, sum(inflow_fen)::BIGINT AS fen, count(*)::BIGINT AS n, (min(month) || '-01')::DATE AS first_on
          FROM inflows GROUP BY ALL) h USING (project_code)"""
    )
    for name, table in (
        ("ledger", "ledger"),
        ("person_months", "pm2"),
        ("inflow_months", "im2"),
        ("accounts", "acc2"),
    ):
        order = "project_code, person_id, period" if name == "ledger" else "ALL"
        split = {"ledger": "period", "person_months": "month"}.get(name)
        if split is None or (folder / f"{name}.parquet").exists():  # written as one file
            targets = [(folder / f"{name}.parquet", "true")]
        else:  # one file per part, as the daily run writes them
            for old in folder.glob(f"{name}.*.parquet"):
                old.unlink()
            parts = [r[0] for r in con.execute(f"SELECT DISTINCT {split} FROM {table} ORDER BY 1").fetchall()]
            targets = [(folder / f"{name}.{part}.parquet", f"{split} = '{part}'") for part in parts]
        for path, where in targets:
            con.execute(
                f"COPY (SELECT * FROM {table} WHERE {where} ORDER BY {order}) TO '{path}' (FORMAT parquet, COMPRESSION zstd)"
            )
    con.close()


def state_rows(folder: Path) -> dict[str, int]:
    """Rows per state table (the parts of a partitioned table summed)."""
    con = duckdb.connect()
    out: dict[str, int] = {}
    for p in sorted(folder.glob("*.parquet")):
        n = con.execute(f"SELECT count(*) FROM read_parquet('{p}', hive_partitioning = false)").fetchone()[0]  # type: ignore[index]
        out[p.name.split(".")[0]] = out.get(p.name.split(".")[0], 0) + n
    con.close()
    return out


def timed_run(day: dt.date, env: dict[str, str], engine: str) -> dict:
    """One `run_daily` in its own process: seconds, peak RSS (GiB), findings and the stages.

    Peak RSS is the process's high-water mark (``VmHWM``), not ``ru_maxrss``: on Linux a child
    inherits its parent's ``ru_maxrss`` across fork and exec, so it reported this script's own
    peak (9.8 GiB while building the base) instead of the run's."""
    code = (
        "import os, time, json, datetime as dt, django;"
        "peak_rss_gib = lambda: int(next(l for l in open('/proc/self/status') if l.startswith('VmHWM')).split()[1]) / 2**20;"
        "os.environ.setdefault('DJANGO_SETTINGS_MODULE','anxin.settings'); django.setup();"
        "from anxin.monitoring.services import run_daily;"
        f"t=time.perf_counter(); r=run_daily(dt.date.fromisoformat('{day}'), engine_name='{engine}');"
        "print('RESULT', json.dumps({'seconds': time.perf_counter()-t,"
        " 'rss': peak_rss_gib(), 'findings': r.findings,"
        " 'timings': getattr(r, 'timings', {})}))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], env=env, cwd=ROOT, check=True, capture_output=True, text=True
    ).stdout
    line = next(row for row in out.splitlines() if row.startswith("RESULT"))
    result = json.loads(line[len("RESULT ") :])
    print(f"  {engine}: {result['seconds']:.2f} s, peak RSS {result['rss']:.2f} GiB, {result['findings']} findings")
    return result


def print_stages(timings: dict[str, float]) -> None:
    total = sum(timings.values())
    print(f"  stages of that run ({total:.2f} s accounted):")
    for stage, seconds in sorted(timings.items(), key=lambda kv: -kv[1]):
        if seconds >= 0.01:
            print(f"    {seconds:7.3f} s  {stage}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--scale", default="province", help="province (the goal's scale) or demo (a quick look)")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--backfill-days", type=int, default=30)
    parser.add_argument("--skip-spark", action="store_true")
    args = parser.parse_args()
    batch = DATA / args.scale
    var = DATA / f"{args.scale}-var"
    base = DATA / f"{args.scale}-base"
    env = dict(os.environ, ANXIN_VAR=str(var), DJANGO_SETTINGS_MODULE="anxin.settings", ANXIN_STATE_KEEP_DAYS="3")
    lake = var / "lake"
    state = lake / "_state"
    db = var / "anxin.sqlite3"
    if not (batch / "projects.parquet").exists():
        print(f"generating the {args.scale}, {DAYS} days …")
        seconds = sh(
            ["synth", "--scale", args.scale, "--days", str(DAYS), "--start", START.isoformat(), "--seed", "1"]
            + ["--out", str(batch), "--format", "parquet"],
            env,
        )
        print(f"  {seconds:.0f} s")
    if not (var / "ingested").exists():
        shutil.rmtree(var, ignore_errors=True)
        sh(["migrate", "-v0"], env)
        print("ingesting …")
        print(f"  {sh(['ingest', str(batch)], env):.0f} s")
        (var / "ingested").write_text("ok")
    base_state = base / f"as_of={BASE_DAY.isoformat()}"
    if not (base / "done").exists():
        shutil.rmtree(base, ignore_errors=True)
        shutil.rmtree(state, ignore_errors=True)
        print(f"first-day fold as of {BASE_DAY} (every June event) …")
        print(f"  {sh(['backfill', '--from', BASE_DAY.isoformat(), '--to', BASE_DAY.isoformat()], env):.0f} s")
        print(f"adding {HISTORY_MONTHS} closed months of history …")
        t0 = time.perf_counter()
        add_history(state / f"as_of={BASE_DAY.isoformat()}", lake / "_registry")
        print(f"  {time.perf_counter() - t0:.0f} s")
        base.mkdir(parents=True)
        shutil.copytree(state / f"as_of={BASE_DAY.isoformat()}", base_state)
        shutil.copy2(db, base / "anxin.sqlite3")
        (base / "done").write_text("ok")
    rows = state_rows(base_state)
    print(f"the state as of {BASE_DAY} ({du(base_state) / 2**20:.0f} MiB), rows per table:")
    for name, n in rows.items():
        print(f"  {name:24s} {n:>12,}")

    # A fresh copy of the base: the database and the one snapshot.
    shutil.rmtree(state, ignore_errors=True)
    state.mkdir(parents=True)
    shutil.copytree(base_state, state / base_state.name)
    for suffix in ("", "-wal", "-shm"):
        Path(f"{db}{suffix}").unlink(missing_ok=True)
    shutil.copy2(base / "anxin.sqlite3", db)

    first = BASE_DAY + dt.timedelta(days=1)
    last = BASE_DAY + dt.timedelta(days=args.backfill_days)
    print(f"backfill {first} .. {last} ({args.backfill_days} days, one at a time) …")
    disk0 = du(state) + db.stat().st_size
    seconds = sh(["backfill", "--from", first.isoformat(), "--to", last.isoformat()], env)
    per_day = seconds / args.backfill_days
    kept = sorted(p.name for p in state.iterdir())
    grew = (du(state) + db.stat().st_size - disk0) / 2**20 / args.backfill_days
    print(f"  {per_day:.2f} s per day (process start included once: {seconds:.0f} s in all)")
    print(f"  state {du(state) / 2**20:.0f} MiB on disk for {len(kept)} snapshots kept ({', '.join(kept)})")
    print(f"  disk added: {grew:.2f} MiB per day (state retention and the database)")
    print(f"  extrapolated: {per_day * 365 / 60:.1f} min per province-year (goal <= 30 min)")

    day = last + dt.timedelta(days=1)
    print(f"one daily run as of {day} in a fresh process, {args.runs} times:")
    runs = [timed_run(day, env, "duckdb") for _ in range(args.runs)]
    runs.sort(key=lambda r: r["seconds"])
    median = runs[len(runs) // 2]
    duck = median["seconds"]
    rss = max(r["rss"] for r in runs)
    print(f"  median {duck:.2f} s (goal <= 5 s), peak RSS {rss:.2f} GiB (goal <= 6 GiB)")
    print_stages(median["timings"])
    if not args.skip_spark:
        spark = timed_run(day, env, "spark")
        print(f"  Spark local / DuckDB = {spark['seconds'] / duck:.1f}x")
        print_stages(spark["timings"])
    print(
        json.dumps(
            {
                "daily_s": duck,
                "daily_runs_s": [r["seconds"] for r in runs],
                "rss_gib": rss,
                "backfill_s_per_day": per_day,
                "mib_per_day": grew,
                "min_per_year": per_day * 365 / 60,
                "state_rows": rows,
            },
        )
    )


if __name__ == "__main__":
    main()
