"""The same rules give exactly the same findings on PySpark as on DuckDB (tiny province, three days)."""

from __future__ import annotations

import csv
import datetime as dt
from pathlib import Path

import pytest

from anxin.lake.services import ingest_paths
from anxin.monitoring.engine import DuckDBEngine, SparkEngine
from anxin.monitoring.models import DailyRun
from anxin.monitoring.rules import RULES
from anxin.monitoring.services import (
    backfill,
    day_events,
    evaluate_rules,
    read_state,
    registry_as_of,
    rule_context,
    state_dir,
)
from anxin.monitoring.state import Snapshot, advance

pytestmark = [pytest.mark.django_db, pytest.mark.spark]

DAYS = [dt.date(2026, 1, 20), dt.date(2026, 2, 16), dt.date(2026, 3, 1)]


def findings_on(engine, day: dt.date) -> list[tuple]:  # type: ignore[no-untyped-def]
    state = read_state(engine, day)
    events, _ = day_events(engine, day, watermark=10**12, previous_day_known=True)
    found = evaluate_rules(engine, rule_context(engine, day, state, events), day)
    return sorted(
        (f.rule, f.subject_type, f.subject_id, f.severity, f.workers, f.amount_fen, repr(sorted(f.evidence.items())))
        for f in found
    )


def test_spark_and_duckdb_agree_on_every_rule_on_three_days(tiny_batch: Path) -> None:
    ingest_paths([tiny_batch])
    fired: set[str] = set()
    previous = DAYS[0]
    backfill(dt.date(2026, 1, 1), DAYS[0])
    spark = SparkEngine()
    for day in DAYS:
        if day != previous:
            backfill(previous + dt.timedelta(days=1), day)
            previous = day
        on_duckdb = findings_on(DuckDBEngine.shared(), day)
        on_spark = findings_on(spark, day)
        assert on_spark == on_duckdb, f"engines disagree on {day}"
        fired |= {row[0] for row in on_duckdb}
    # Every rule of the catalog ran on both engines (evaluate_rules iterates RULES); enough of them fired
    # on the tiny province that the comparison is not vacuous.
    assert len(fired) >= 12, sorted(fired)
    assert fired <= set(RULES)


def rows_of(table) -> list[str]:  # type: ignore[no-untyped-def]
    return sorted(repr(sorted(r.items())) for r in table.to_pylist())


def test_spark_and_duckdb_move_the_state_forward_alike(tiny_batch: Path, tmp_path: Path) -> None:
    """The state step (the ledger's outer-join merge, windows, retention) on both engines."""
    ingest_paths([tiny_batch])
    day = DAYS[1]
    backfill(dt.date(2026, 1, 1), day - dt.timedelta(days=1))
    previous = DailyRun.objects.get(as_of=day - dt.timedelta(days=1))
    # A payment of an earlier day re-sent with another amount: its counted version is taken back.
    with open(sorted(tiny_batch.glob("wage_payments*.csv"))[0], encoding="utf-8") as fh:
        header, *rows = list(csv.reader(fh))
    row = next(
        r for r in rows if r[header.index("paid_on")] < day.isoformat() and r[header.index("status")] == "success"
    )
    row[header.index("amount")] = f"{float(row[header.index('amount')]) + 100:.2f}"
    corrections = tiny_batch.parent / "corrections"
    corrections.mkdir(exist_ok=True)
    with open(corrections / "wage_payments.csv", "w", encoding="utf-8", newline="") as fh:
        csv.writer(fh).writerows([header, row])
    ingest_paths([corrections])
    duck = DuckDBEngine.shared()
    events, _ = day_events(duck, day, previous.watermark, True)
    assert events["retracted_wage_payments"].num_rows == 1
    results = {}
    for engine in (duck, SparkEngine()):
        folder = tmp_path / f"state-{engine.name}"
        folder.mkdir()
        new = advance(engine, Snapshot(state_dir(previous.as_of)), events, registry_as_of(engine, day), day, folder)
        rewritten = [stem for stem in new.stems() if stem not in new.carried]
        results[engine.name] = ({stem: rows_of(new.rows(stem)) for stem in rewritten}, sorted(new.carried))
    assert results["spark"] == results["duckdb"]
    tables, _carried = results["duckdb"]
    assert any(stem.startswith("ledger.") and rows for stem, rows in tables.items())
