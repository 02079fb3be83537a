"""Benchmark of the synthetic province: seconds per generated day and peak memory.

    .venv/bin/python bench/synth.py --scale province --days 3

Goal (issue 3): one province day (~1,000,000 attendance rows) in <= 10 s on 2 cores and
peak memory <= 4 GiB whatever --days is. Setup (building the registry) is reported apart.
"""

from __future__ import annotations

import argparse
import resource
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from anxin.synth import generate  # noqa: E402


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--scale", default="province")
    ap.add_argument("--days", type=int, default=3)
    ap.add_argument("--format", default="csv")
    ap.add_argument("--out", default=None)
    ap.add_argument("--start", default="2025-06-09", help="a Monday of an ordinary week")
    args = ap.parse_args()
    stamps: list[float] = []

    def progress(done: int, total: int) -> None:
        stamps.append(time.perf_counter())

    with tempfile.TemporaryDirectory() as tmp:
        out = Path(args.out) if args.out else Path(tmp) / "batch"
        t0 = time.perf_counter()
        s = generate(args.scale, days=args.days, start=args.start, out=out, fmt=args.format, progress=progress)
        total = time.perf_counter() - t0
        per_day = [b - a for a, b in zip(stamps, stamps[1:], strict=False)]
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024 / 1024
        att = s.rows.get("attendance", 0)
        print(f"scale={s.scale} days={s.days} format={args.format}")
        print(f"total {total:.1f} s; attendance rows {att:,} ({att / s.days:,.0f} per day)")
        if per_day:
            print(
                f"seconds per generated day (after the first): mean {sum(per_day) / len(per_day):.2f}, "
                f"max {max(per_day):.2f}"
            )
        print(f"setup + first day + closing feeds: {total - sum(per_day):.1f} s")
        print(f"peak memory (ru_maxrss): {peak:.2f} GiB")


if __name__ == "__main__":
    main()
