"""The same rules give exactly the same findings on PySpark as on DuckDB (tiny province, three days)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from anxin.lake.services import ingest_paths
from anxin.monitoring.engine import DuckDBEngine, SparkEngine
from anxin.monitoring.rules import RULES
from anxin.monitoring.services import backfill, day_events, evaluate_rules, read_state, rule_context

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
