"""core.bulk: one prepared UPDATE (``update_rows``) or INSERT (``insert_objects``) run for
every row, values prepared by the model's fields."""

from __future__ import annotations

import datetime as dt

import pytest

from anxin.core.bulk import insert_objects, update_objects, update_rows
from anxin.monitoring.models import Finding

pytestmark = pytest.mark.django_db


def make(subject: str) -> Finding:
    return Finding.objects.create(
        rule="WP01",
        subject_type="project",
        subject_id=subject,
        opened_on=dt.date(2026, 1, 5),
        last_seen_on=dt.date(2026, 1, 5),
        severity="high",
        workers=2,
        amount_fen=100,
        evidence={"a": 1},
    )


def test_rows_are_updated_by_key_with_dates_nulls_and_json_as_save_writes_them() -> None:
    one, two, other = make("P1"), make("P2"), make("P3")
    sent = update_rows(
        Finding,
        ["last_seen_on", "workers", "evidence"],
        [
            (one.pk, (dt.date(2026, 1, 6), None, {"说明": "工资未发", "periods": [1, 2]})),
            (two.pk, (dt.date(2026, 1, 7), 9, {})),
        ],
    )
    assert sent == 2
    one.refresh_from_db()
    two.refresh_from_db()
    other.refresh_from_db()
    assert (one.last_seen_on, one.workers, one.evidence) == (
        dt.date(2026, 1, 6),
        None,
        {"说明": "工资未发", "periods": [1, 2]},
    )
    assert (two.last_seen_on, two.workers, two.evidence) == (dt.date(2026, 1, 7), 9, {})
    assert (other.last_seen_on, other.workers, other.evidence) == (dt.date(2026, 1, 5), 2, {"a": 1})
    # Only the fields named change.
    assert (one.severity, one.amount_fen) == ("high", 100)


def test_objects_changed_in_memory_are_written_and_an_empty_list_sends_nothing() -> None:
    f = make("P1")
    f.severity, f.amount_fen = "medium", 5
    assert update_objects([f], ["severity", "amount_fen"]) == 1
    f.refresh_from_db()
    assert (f.severity, f.amount_fen) == ("medium", 5)
    assert update_objects([], ["severity"]) == 0


def test_new_objects_are_inserted_with_dates_nulls_json_and_defaults_as_save_writes_them() -> None:
    kept = make("P0")
    new = [
        Finding(
            rule="WP02",
            subject_type="project",
            subject_id=f"P{n}",
            opened_on=dt.date(2026, 1, 6),
            last_seen_on=dt.date(2026, 1, 7),
            severity="medium",
            workers=None if n == 1 else n,
            amount_fen=n * 100,
            evidence={"说明": "多次延期", "periods": [n]},
        )
        for n in (1, 2)
    ]
    assert insert_objects(new) == 2
    assert insert_objects([]) == 0
    saved = {f.subject_id: f for f in Finding.objects.filter(rule="WP02")}
    assert sorted(saved) == ["P1", "P2"]
    assert (saved["P1"].workers, saved["P1"].evidence, saved["P1"].opened_on) == (
        None,
        {"说明": "多次延期", "periods": [1]},
        dt.date(2026, 1, 6),
    )
    assert saved["P2"].closed_on is None and saved["P2"].workers == 2
    # The database gave the keys: after the row that was there.
    assert min(f.pk for f in saved.values()) > kept.pk
