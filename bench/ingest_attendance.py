"""Benchmark: ingest 1,000,000 attendance rows from CSV, validated and pseudonymised.

Compares anxin's in-process path (read → type and check every column → pseudonymise the
ID in DuckDB → merge by key into the day partition) with DuckDB's bare floor,
``COPY (SELECT * FROM read_csv(...)) TO '...parquet'`` of the same file. Goal: ≤ 5× the floor.

    .venv/bin/python bench/ingest_attendance.py [--rows 1000000] [--runs 3] [--resend]

The data is generated once as Parquet under bench/data/ and reused. Each side runs
``--runs`` times, interleaved (the machine is shared); medians are quoted, with the
time per stage: read, validate, and store (pseudonymise + merge + write, fused in one
DuckDB pass for new days), plus the HMAC pseudonym alone for scale. Prints figures,
never fails on time.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "anxin.settings")


def make_data(rows: int, folder: Path) -> Path:
    import numpy as np
    import pyarrow as pa
    import pyarrow.csv as pacsv
    import pyarrow.parquet as pq

    from anxin.core.identifiers import id_check_char

    parquet = folder / f"attendance-{rows}.parquet"
    csv_path = folder / f"attendance-{rows}.csv"
    if parquet.exists() and csv_path.exists():
        return csv_path
    folder.mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng(7)
    bodies = [
        f"350102{1960 + int(y):04d}{int(m):02d}{int(d):02d}{i % 1000:03d}"
        for i, (y, m, d) in enumerate(
            zip(rng.integers(0, 40, rows), rng.integers(1, 13, rows), rng.integers(1, 29, rows), strict=True)
        )
    ]
    ids = [b + id_check_char(b) for b in bodies]
    projects = rng.integers(0, 8427, rows)
    table = pa.table(
        {
            "project_code": [f"BENCH-{p:05d}" for p in projects],
            "id_number": ids,
            "work_date": ["2025-06-10"] * rows,
            "clock_in": ["2025-06-10 07:30:00"] * rows,
            "clock_out": ["2025-06-10 17:30:00"] * rows,
            "method": rng.choice(["face", "card", "fingerprint", "manual"], rows).tolist(),
            "device_id": [f"GATE-{p % 50}" for p in projects],
        }
    )
    pq.write_table(table, parquet)
    pacsv.write_csv(table, csv_path)
    return csv_path


def _anxin_once(csv_path: Path, lake: Path) -> dict[str, float | tuple[int, int, int] | int]:
    """One ingest of the file into an empty lake, timed per stage (seconds)."""
    import duckdb
    import pyarrow as pa
    from django.conf import settings

    from anxin.core.crypto import pseudonym_sql
    from anxin.lake.feeds import FEEDS
    from anxin.lake.readers import read_csv
    from anxin.lake.storage import store_events
    from anxin.lake.validate import Context, validate

    settings.ANXIN_LAKE = str(lake)
    feed = FEEDS["attendance"]
    ctx = Context(counties=frozenset({"350102"}), successors={}, today=dt.date(2026, 11, 27))
    con = duckdb.connect()
    con.register(
        "kp", pa.table({"project_code": [f"BENCH-{p:05d}" for p in range(8427)], "region_code": ["350102"] * 8427})
    )
    con.execute("CREATE TABLE known_projects AS SELECT * FROM kp")
    t0 = time.perf_counter()
    raw = read_csv(csv_path, feed)
    t1 = time.perf_counter()
    checked = validate(con, raw.table, feed, ctx, raw.missing_columns)
    t2 = time.perf_counter()
    accepted = checked.accepted.append_column(
        "_file", pa.repeat(pa.scalar(csv_path.name, pa.string()), checked.accepted.num_rows)
    )
    counts = store_events(con, feed, accepted, batch_id=1)
    t3 = time.perf_counter()
    # Not part of the total: the pseudonym alone over the same rows, to show its share of the store.
    con.register("ids", accepted.select(["id_number"]))
    t4 = time.perf_counter()
    con.execute(f"SELECT count({pseudonym_sql('id_number')}) FROM ids").fetchall()
    pseudo = time.perf_counter() - t4
    con.close()
    return {
        "read": t1 - t0,
        "validate": t2 - t1,
        "store": t3 - t2,
        "total": t3 - t0,
        "pseudonymise": pseudo,
        "counts": counts,
        "quarantined": checked.quarantined.num_rows,
    }


def _resend_once(csv_path: Path, lake: Path) -> tuple[float, tuple[int, int, int]]:
    """The same file again into the lake it already filled: every row a duplicate, nothing rewritten."""
    import duckdb
    import pyarrow as pa
    from django.conf import settings

    from anxin.lake.feeds import FEEDS
    from anxin.lake.readers import read_csv
    from anxin.lake.storage import store_events
    from anxin.lake.validate import Context, validate

    settings.ANXIN_LAKE = str(lake)
    feed = FEEDS["attendance"]
    ctx = Context(counties=frozenset({"350102"}), successors={}, today=dt.date(2026, 11, 27))
    con = duckdb.connect()
    con.register("kp", pa.table({"project_code": [f"BENCH-{p:05d}" for p in range(8427)]}))
    con.execute("CREATE TABLE known_projects AS SELECT * FROM kp")
    t0 = time.perf_counter()
    raw = read_csv(csv_path, feed)
    checked = validate(con, raw.table, feed, ctx, raw.missing_columns)
    accepted = checked.accepted.append_column(
        "_file", pa.repeat(pa.scalar(csv_path.name, pa.string()), checked.accepted.num_rows)
    )
    counts = store_events(con, feed, accepted, batch_id=2)
    con.close()
    return time.perf_counter() - t0, counts


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--runs", type=int, default=3, help="runs of each side; medians are quoted")
    parser.add_argument("--resend", action="store_true", help="also time re-sending the file (all duplicates)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        import base64

        os.environ["ANXIN_VAR"] = tmp
        os.environ["ANXIN_PII_KEYS"] = "1:" + base64.b64encode(b"b" * 32).decode()
        os.environ["ANXIN_PSEUDONYM_KEY"] = base64.b64encode(b"c" * 32).decode()
        import django

        django.setup()
        import duckdb

        csv_path = make_data(args.rows, ROOT / "bench" / "data")
        size_mb = csv_path.stat().st_size / 1e6

        floors: list[float] = []
        runs: list[dict] = []
        for i in range(args.runs):  # interleaved, so both sides see the same machine
            floor_out = Path(tmp) / f"floor-{i}.parquet"
            con = duckdb.connect()
            t0 = time.perf_counter()
            con.execute(f"COPY (SELECT * FROM read_csv('{csv_path}')) TO '{floor_out}' (FORMAT parquet)")
            floors.append(time.perf_counter() - t0)
            con.close()
            floor_out.unlink()
            runs.append(_anxin_once(csv_path, Path(tmp) / f"lake-{i}"))
            print(
                f"run {i + 1}: floor {floors[-1]:.2f} s, anxin {runs[-1]['total']:.2f} s "
                f"= {float(runs[-1]['total']) / floors[-1]:.1f}x "
                f"(read {runs[-1]['read']:.2f} + validate {runs[-1]['validate']:.2f} + store {runs[-1]['store']:.2f})",
                flush=True,
            )
        med = {
            k: statistics.median(float(r[k]) for r in runs)
            for k in ("read", "validate", "store", "total", "pseudonymise")
        }
        floor = statistics.median(floors)
        print(
            f"rows: {args.rows:,}  csv: {size_mb:.0f} MB  accepted/updated/duplicates: {runs[-1]['counts']}  "
            f"quarantined: {runs[-1]['quarantined']}"
        )
        print(f"medians of {args.runs} runs")
        print(f"  DuckDB floor COPY read_csv -> parquet: {floor:.2f} s")
        print(f"  anxin ingest: {med['total']:.2f} s  ({args.rows / med['total']:,.0f} rows/s)")
        print(f"    read CSV (pyarrow, text columns)          {med['read']:6.2f} s")
        print(f"    validate (DuckDB, one pass)               {med['validate']:6.2f} s")
        print(f"    pseudonymise + merge + write (DuckDB)     {med['store']:6.2f} s")
        print(f"      of which the HMAC pseudonym alone ~     {med['pseudonymise']:6.2f} s  (timed separately)")
        paired = statistics.median(float(r["total"]) / f for r, f in zip(runs, floors, strict=True))
        print(
            f"  ratio to floor: {med['total'] / floor:.1f}x (medians), {paired:.1f}x (median of paired runs)  (goal <= 5x)"
        )
        if args.resend:
            seconds, counts = _resend_once(csv_path, Path(tmp) / "lake-0")
            print(f"  re-send of the same file into that lake: {seconds:.2f} s, accepted/updated/duplicates {counts}")


if __name__ == "__main__":
    main()
