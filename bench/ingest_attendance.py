"""Benchmark: ingest 1,000,000 attendance rows from CSV, validated and pseudonymised.

Compares anxin's in-process path (read → type and check every column → pseudonymise the
ID in DuckDB → merge by key into the day partition) with DuckDB's bare floor,
``COPY (SELECT * FROM read_csv(...)) TO '...parquet'`` of the same file. Goal: ≤ 5× the floor.

    .venv/bin/python bench/ingest_attendance.py [--rows 1000000]

The data is generated once as Parquet under bench/data/ and reused; prints figures, never fails.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
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


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rows", type=int, default=1_000_000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        os.environ["ANXIN_VAR"] = tmp
        os.environ.setdefault("ANXIN_PII_KEYS", "1:" + "a" * 43 + "=")
        import base64

        os.environ["ANXIN_PII_KEYS"] = "1:" + base64.b64encode(b"b" * 32).decode()
        os.environ["ANXIN_PSEUDONYM_KEY"] = base64.b64encode(b"c" * 32).decode()
        import django

        django.setup()
        import duckdb
        import pyarrow as pa

        from anxin.lake.feeds import FEEDS
        from anxin.lake.readers import read_csv
        from anxin.lake.storage import store_events
        from anxin.lake.validate import Context, validate

        csv_path = make_data(args.rows, ROOT / "bench" / "data")
        size_mb = csv_path.stat().st_size / 1e6

        floor_out = Path(tmp) / "floor.parquet"
        con = duckdb.connect()
        t0 = time.perf_counter()
        con.execute(f"COPY (SELECT * FROM read_csv('{csv_path}')) TO '{floor_out}' (FORMAT parquet)")
        floor = time.perf_counter() - t0

        feed = FEEDS["attendance"]
        ctx = Context(counties=frozenset({"350102"}), successors={}, today=dt.date(2026, 11, 27))
        con = duckdb.connect()
        con.register(
            "kp", pa.table({"project_code": [f"BENCH-{p:05d}" for p in range(8427)], "region_code": ["350102"] * 8427})
        )
        con.execute("CREATE TABLE known_projects AS SELECT * FROM kp")
        t0 = time.perf_counter()
        raw = read_csv(csv_path, feed)
        t_read = time.perf_counter() - t0
        checked = validate(con, raw.table, feed, ctx, raw.missing_columns)
        t_valid = time.perf_counter() - t0 - t_read
        accepted = checked.accepted.append_column("_file", pa.array([csv_path.name] * checked.accepted.num_rows))
        counts = store_events(con, feed, accepted, batch_id=1)
        total = time.perf_counter() - t0
        print(
            f"rows: {args.rows:,}  csv: {size_mb:.0f} MB  accepted/updated/duplicates: {counts}  quarantined: {checked.quarantined.num_rows}"
        )
        print(f"DuckDB floor COPY read_csv -> parquet: {floor:.2f} s")
        print(
            f"anxin ingest (read {t_read:.2f} s + validate {t_valid:.2f} s + pseudonymise/merge/write {total - t_read - t_valid:.2f} s): {total:.2f} s"
        )
        print(f"ratio to floor: {total / floor:.1f}x  (goal <= 5x)  {args.rows / total:,.0f} rows/s")


if __name__ == "__main__":
    main()
