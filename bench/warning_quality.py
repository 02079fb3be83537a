"""Benchmark: how well the warnings anticipate what the synthetic province's truth says happened.

    .venv/bin/python bench/warning_quality.py [--seed 2026] [--replay-only] [--json OUT]

1. generates the demo province (300 projects, ~30,000 workers, 180 days over a Spring Festival)
   for the seed as CSV under bench/data/quality-<seed>/ (reused), ingests it into its own
   database and lake (bench/data/quality-<seed>-var/) and backfills every day (reused: the
   findings do not depend on the warning settings);
2. replays the warnings step (risk → warnings) over every day with the current settings
   (``--replay-only`` skips step 1's checks; this is how settings are tuned quickly);
3. scores the warnings against ``truth.csv`` and prints:
   - **recall**: arrears episodes (a ``first_arrears_date``) warned at high or above before the
     first complaint lead (before ``first_arrears_date + 30`` days where nobody complained);
   - **lead time** = first lead date − the day the warning first reached high (median, 25th
     percentile), over episodes with a lead whose subject reached high at all (negative when
     the warning came after the lead);
   - **precision**: the share of warned subjects (any warning) that carry a planted problem: the
     subject of a planted episode, or an enterprise that is a party of a project with one (its
     builder, general contractor or an employer of its workers — complaints and wage lawsuits
     name it); the strict share (only the episode's own subject) is printed too;
   - high-or-above warnings on clean look-alikes; warnings per warned planted subject;
   - per-kind recall (a warning of any level open while the episode ran; and, for arrears,
     high before the lead).
   Goals: recall ≥ 0.9, median lead ≥ 21 days, precision ≥ 0.85, 0 high-or-above on clean
   look-alikes, ≤ 1.2 warnings per planted problem. Prints figures; never fails on them.

Each seed keeps its own database, so a fresh seed is measured with the settings frozen on another.
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import json
import os
import shutil
import statistics
import sys
import time
from collections import defaultdict
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "bench" / "data"
sys.path.insert(0, str(ROOT))

CLEAN = {"clean_late_once", "clean_failed_repaid", "clean_completion", "clean_seasonal_dip"}
#: Kinds whose rules are all management rules (low by design: they raise no warning).
LOW_BY_DESIGN = {
    "no_deposit", "low_deposit", "unregistered_workers", "no_contracts", "attendance_gap", "no_labor_manager",
    "no_notice_board",
}  # fmt: skip


def setup(seed: int) -> Path:
    var = DATA / f"quality-{seed}-var"
    os.environ["ANXIN_VAR"] = str(var)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "anxin.settings")
    os.environ.setdefault("ANXIN_LOG_LEVEL", "ERROR")
    return var


def prepare(seed: int, var: Path) -> tuple[Path, dt.date, dt.date]:
    """Generate, ingest and backfill the province of ``seed`` once; return (truth dir, first, last day)."""
    from django.core.management import call_command

    from anxin.lake.services import ingest_paths
    from anxin.monitoring.services import backfill
    from anxin.synth import generate

    batch = DATA / f"quality-{seed}" / "demo"
    marker = var / "backfilled.json"
    if marker.exists():
        info = json.loads(marker.read_text())
        return Path(info["truth"]), dt.date.fromisoformat(info["first"]), dt.date.fromisoformat(info["last"])
    from django.db import connection

    connection.close()
    shutil.rmtree(var, ignore_errors=True)
    var.mkdir(parents=True)
    call_command("migrate", interactive=False, verbosity=0)
    t0 = time.perf_counter()
    summary = generate(scale="demo", seed=seed, out=str(batch))
    print(f"  generated in {time.perf_counter() - t0:.0f} s")
    t0 = time.perf_counter()
    ingest_paths([batch])
    print(f"  ingested in {time.perf_counter() - t0:.0f} s")
    first = dt.date.fromisoformat(str(summary.start))
    last = first + dt.timedelta(days=summary.days - 1)
    t0 = time.perf_counter()
    from rich.progress import Progress

    with Progress() as progress:
        task = progress.add_task("backfill", total=summary.days)
        backfill(first, last, progress=lambda _r: progress.advance(task))
    print(f"  backfilled {summary.days} days in {time.perf_counter() - t0:.0f} s")
    marker.write_text(json.dumps({"truth": str(summary.truth_dir), "first": str(first), "last": str(last)}))
    return Path(summary.truth_dir), first, last


def replay(first: dt.date, last: dt.date) -> float:
    """Run the warnings step over every day again with the current settings (findings unchanged)."""
    from anxin.warnings.models import Quieting, RiskDay, Warning
    from anxin.warnings.services import assess_day

    Warning.objects.all().delete()
    RiskDay.objects.all().delete()
    Quieting.objects.all().delete()
    t0 = time.perf_counter()
    day = first
    while day <= last:
        assess_day(day)
        day += dt.timedelta(days=1)
    return time.perf_counter() - t0


def _date(text: str) -> dt.date | None:
    return dt.date.fromisoformat(text) if text else None


def score(truth_dir: Path, last: dt.date) -> dict[str, Any]:
    from anxin.warnings.models import Warning

    with open(truth_dir / "truth.csv", encoding="utf-8") as fh:
        truth = list(csv.DictReader(fh))
    planted = [t for t in truth if t["kind"] not in CLEAN]
    clean = [t for t in truth if t["kind"] in CLEAN]
    by_subject: dict[tuple[str, str], list[dict[str, Any]]] = defaultdict(list)
    for w in Warning.objects.values("subject_type", "subject_id", "raised_on", "high_on", "closed_on", "level"):
        by_subject[(w["subject_type"], w["subject_id"])].append(w)
    warnings = dict(by_subject)  # a plain dict: looking up an unwarned subject must not add it

    def open_during(w: dict[str, Any], start: dt.date, end: dt.date) -> bool:
        return w["raised_on"] <= end and (w["closed_on"] is None or w["closed_on"] >= start)

    def high_from(t: dict[str, str]) -> dt.date | None:
        """The first day a warning on the episode's subject was at high or above while the episode ran."""
        start = _date(t["start_date"]) or dt.date.min
        days = [
            max(w["high_on"], start)
            for w in warnings.get((t["subject_type"], t["subject_id"]), [])
            if w["high_on"] is not None and (w["closed_on"] is None or w["closed_on"] > start)
        ]
        return min(days) if days else None

    arrears = [t for t in planted if t["first_arrears_date"]]
    caught, leads, per_kind_high = 0, [], defaultdict(lambda: [0, 0])
    for t in arrears:
        arrears_on = _date(t["first_arrears_date"])
        assert arrears_on is not None
        lead_on = _date(t["first_lead_date"])
        deadline = lead_on or arrears_on + dt.timedelta(days=30)
        high = high_from(t)
        hit = high is not None and high < deadline
        caught += hit
        per_kind_high[t["kind"]][0] += hit
        per_kind_high[t["kind"]][1] += 1
        if lead_on is not None and high is not None:
            leads.append((lead_on - high).days)
    per_kind: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    for t in planted:
        start = _date(t["start_date"]) or dt.date.min
        hit = any(open_during(w, start, last) for w in warnings.get((t["subject_type"], t["subject_id"]), []))
        per_kind[t["kind"]][0] += hit
        per_kind[t["kind"]][1] += 1
    planted_subjects = {(t["subject_type"], t["subject_id"]) for t in planted}
    clean_subjects = {(t["subject_type"], t["subject_id"]) for t in clean} - planted_subjects
    warned = set(warnings)
    warned_planted = warned & planted_subjects
    # An enterprise that is a party of a planted project (its builder, general contractor or the
    # employer of its workers) carries that problem too: complaints and lawsuits name it.
    parties = {("enterprise", uscc) for uscc in _parties({sid for kind, sid in planted_subjects if kind == "project"})}
    explained = planted_subjects | parties
    unexplained = sorted(warned - explained)
    clean_high = sum(1 for s in clean_subjects for w in warnings.get(s, []) if w["high_on"] is not None)
    leads.sort()
    queue_ap = _queue_average_precision(planted, parties)
    return {
        "queue_ap": queue_ap,
        "arrears_episodes": len(arrears),
        "recall": caught / len(arrears) if arrears else 0.0,
        "lead_episodes": len(leads),
        "lead_median_days": statistics.median(leads) if leads else None,
        "lead_p25_days": leads[max(0, int(0.25 * (len(leads) - 1)))] if leads else None,
        "lead_before": sum(1 for d in leads if d > 0),
        "warned_subjects": len(warned),
        "precision": len(warned & explained) / len(warned) if warned else 0.0,
        "precision_strict": len(warned_planted) / len(warned) if warned else 0.0,
        "unexplained": unexplained,
        "clean_subjects": len(clean_subjects),
        "clean_high_warnings": clean_high,
        "warnings": sum(len(v) for v in warnings.values()),
        "warnings_per_warned_planted_subject": (
            sum(len(warnings[s]) for s in warned_planted) / len(warned_planted) if warned_planted else 0.0
        ),
        "per_kind": {k: v for k, v in sorted(per_kind.items())},
        "per_kind_high_before_lead": {k: v for k, v in sorted(per_kind_high.items())},
        "levels": dict(sorted(_count(w["level"] for ws in warnings.values() for w in ws).items())),
    }


def _queue_average_precision(planted: list[dict[str, str]], parties: set[tuple[str, str]]) -> float:
    """How well the day's risk list (level, then score) puts the subjects with a money problem
    first: average precision, averaged over every 7th day. A subject counts as relevant on a day
    when a planted episode of a kind that is not low by design has started on it (or it is a
    party of such a project)."""
    from anxin.warnings.choices import LEVEL_RANK
    from anxin.warnings.models import RiskDay

    starts: dict[tuple[str, str], dt.date] = {}
    for t in planted:
        if t["kind"] in LOW_BY_DESIGN:
            continue
        key = (t["subject_type"], t["subject_id"])
        start = _date(t["start_date"]) or dt.date.min
        starts[key] = min(starts.get(key, start), start)
    days = sorted(set(RiskDay.objects.values_list("as_of", flat=True)))[::7]
    scores = []
    for day in days:
        rows = sorted(
            RiskDay.objects.filter(as_of=day).values_list("subject_type", "subject_id", "level", "score"),
            key=lambda r: (-LEVEL_RANK[r[2]], -r[3], r[1]),
        )
        hits, total = 0, 0.0
        for k, (kind, sid, _level, _score) in enumerate(rows, start=1):
            started = starts.get((kind, sid))
            if (started is not None and started <= day) or (kind, sid) in parties:
                hits += 1
                total += hits / k
        if hits:
            scores.append(total / hits)
    return statistics.mean(scores) if scores else 0.0


def _parties(project_codes: set[str]) -> set[str]:
    from anxin.registry.models import Employment, Project

    out: set[str] = set()
    for builder, contractor in Project.objects.filter(project_code__in=project_codes).values_list(
        "builder_uscc", "contractor_uscc"
    ):
        out |= {builder, contractor}
    out |= set(Employment.objects.filter(project_code__in=project_codes).values_list("employer_uscc", flat=True))
    return out


def _count(items: Any) -> dict[str, int]:
    out: dict[str, int] = defaultdict(int)
    for item in items:
        out[item] += 1
    return out


def report(seed: int, result: dict[str, Any]) -> None:
    from rich.console import Console
    from rich.table import Table

    console = Console()
    table = Table(title=f"warning quality, demo province seed {seed}")
    for header in ("measure", "value", "goal"):
        table.add_column(header)
    table.add_row(
        "recall (high before first lead / arrears+30)",
        f"{result['recall']:.3f} of {result['arrears_episodes']}",
        ">= 0.9",
    )
    table.add_row(
        "lead time median / p25 (days)",
        f"{result['lead_median_days']} / {result['lead_p25_days']} over {result['lead_episodes']}"
        f" ({result['lead_before']} before the lead)",
        ">= 21 median",
    )
    table.add_row(
        "precision (warned subjects with a planted problem, parties included)",
        f"{result['precision']:.3f} of {result['warned_subjects']}",
        ">= 0.85",
    )
    table.add_row(
        "precision, strict (only the episode's own subject)",
        f"{result['precision_strict']:.3f}",
        "",
    )
    table.add_row(
        "high-or-above warnings on clean look-alikes",
        f"{result['clean_high_warnings']} ({result['clean_subjects']} subjects)",
        "0",
    )
    table.add_row(
        "warnings per warned planted subject",
        f"{result['warnings_per_warned_planted_subject']:.2f} ({result['warnings']} warnings)",
        "<= 1.2",
    )
    table.add_row("warnings by highest level", json.dumps(result["levels"]), "")
    table.add_row("risk list order (average precision, level then score)", f"{result['queue_ap']:.3f}", "")
    console.print(table)
    kinds = Table(title="per-kind recall")
    for header in ("kind", "warned while it ran", "high before lead (arrears)"):
        kinds.add_column(header)
    high = result["per_kind_high_before_lead"]
    for kind, (hit, total) in result["per_kind"].items():
        note = " (low by design: no warning)" if kind in LOW_BY_DESIGN else ""
        h = high.get(kind)
        kinds.add_row(kind, f"{hit}/{total}{note}", f"{h[0]}/{h[1]}" if h else "—")
    console.print(kinds)
    if result["unexplained"]:
        console.print(f"warned subjects without a planted problem: {result['unexplained'][:20]}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--replay-only", action="store_true", help="reuse the backfilled findings; replay warnings")
    parser.add_argument("--json", type=Path, default=None, help="also write the figures as JSON")
    args = parser.parse_args()
    var = setup(args.seed)
    import django

    django.setup()
    print(f"demo province, seed {args.seed} ({var})")
    truth_dir, first, last = prepare(args.seed, var)
    seconds = replay(first, last)
    print(f"  warnings replayed over {(last - first).days + 1} days in {seconds:.1f} s")
    result = score(truth_dir, last)
    report(args.seed, result)
    if args.json:
        args.json.write_text(json.dumps(result, indent=2, default=str, ensure_ascii=False))


if __name__ == "__main__":
    main()
