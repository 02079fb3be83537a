"""Storing a day's findings: opened, refreshed (only what changed is rewritten), closed; and the
detail rows each finding keeps, cut in the engine."""

from __future__ import annotations

import datetime as dt

import pyarrow as pa
import pytest

from anxin.monitoring.engine import DuckDBEngine
from anxin.monitoring.models import Finding
from anxin.monitoring.services import DETAIL_ROWS, FoundRow, first_details, store_findings

D1, D2, D3 = dt.date(2026, 3, 2), dt.date(2026, 3, 3), dt.date(2026, 3, 4)


def row(subject: str, amount: int, **evidence: object) -> FoundRow:
    return FoundRow("WP01", "project", subject, "high", 3, amount, {"title": "欠薪", **evidence})


@pytest.mark.django_db
def test_a_day_opens_refreshes_rewrites_only_what_changed_and_closes_what_stopped() -> None:
    assert store_findings(D1, [row("P1", 100, periods=1), row("P2", 200, periods=1)]) == (2, 0)
    p1, p2 = Finding.objects.get(subject_id="P1"), Finding.objects.get(subject_id="P2")

    # P1 unchanged, P2 grew (amount and evidence, with text and dates), P3 new.
    opened, closed = store_findings(
        D2, [row("P1", 100, periods=1), row("P2", 350, periods=2, first_on="2026-02-01", note="工资未发"), row("P3", 5)]
    )
    assert (opened, closed) == (1, 0)
    p1.refresh_from_db()
    p2.refresh_from_db()
    assert (p1.opened_on, p1.last_seen_on, p1.amount_fen, p1.evidence["periods"]) == (D1, D2, 100, 1)
    assert (p2.opened_on, p2.last_seen_on, p2.amount_fen) == (D1, D2, 350)
    assert p2.evidence == {"title": "欠薪", "periods": 2, "first_on": "2026-02-01", "note": "工资未发"}
    assert Finding.objects.get(subject_id="P3").opened_on == D2

    # Nothing holds on D3: every open finding closes that day, and is no longer open on it.
    assert store_findings(D3, []) == (0, 3)
    assert set(Finding.objects.values_list("closed_on", flat=True)) == {D3}
    assert not Finding.objects.open_on(D3).exists()
    assert Finding.objects.open_on(D2).count() == 3


def test_detail_rows_are_cut_to_the_largest_of_each_subject_with_the_count_of_all() -> None:
    engine = DuckDBEngine.shared()
    amounts = list(range(1, 31))  # subject A: 30 rows, one without an amount; B: 2
    data = pa.table(
        {
            "subject_id": ["A"] * 31 + ["B", "B"],
            "worker": [f"w{i:02d}" for i in range(31)] + ["x", "y"],
            "amount_fen": [*amounts, None, 7, 7],
        }
    )
    out = engine.execute(first_details(engine.table(data, "test_details"))).to_pylist()
    a = [r for r in out if r["subject_id"] == "A"]
    b = [r for r in out if r["subject_id"] == "B"]
    assert len(a) == DETAIL_ROWS and {r["_count"] for r in a} == {31}
    assert [r["amount_fen"] for r in a] == sorted(amounts, reverse=True)[:DETAIL_ROWS]
    # Equal amounts are ordered by the other columns, so every engine keeps the same rows.
    assert [r["worker"] for r in b] == ["x", "y"] and {r["_count"] for r in b} == {2}
