"""Big vectorised batches: every row checked and either stored or quarantined, keys repeated in a batch, days re-used.

The lake writes most rows straight from Arrow (a key's only row, on a new day) and sends
the rest (keys repeated in the batch, days already stored) through the exact path; these
tests pin that both give what the contract says.
"""

from __future__ import annotations

import json
from pathlib import Path

import duckdb
import pytest

from anxin.core import crypto
from anxin.lake.models import QuarantinedRow
from anxin.lake.services import ingest_paths
from anxin.lake.storage import feed_dir, read_feed_sql
from tests.factories import bad_check, id_number, registry_batch, write_csv
from tests.lake.test_lake import attendance_rows, payment, summary

pytestmark = pytest.mark.django_db

#: Rows in a "big" batch: several Arrow chunks and DuckDB row groups, so scans run in parallel.
BIG = 60_000


def workers(n: int) -> list[str]:
    """``n`` distinct valid ID numbers (up to 336,000)."""
    return [id_number(f"3501021990{1 + i // 1000 % 12:02d}{1 + i // 12000:02d}{i % 1000:03d}") for i in range(n)]


def test_a_checksum_invalid_id_deep_in_a_big_batch_is_quarantined_with_its_line_and_reason(tmp_path: Path) -> None:
    registry_batch(tmp_path / "b")
    people = workers(BIG)
    rows = [attendance_rows(range(1, 2), worker=w)[0] for w in people]
    bad_at = [0, 12_345, 45_678, BIG - 1]  # first, middle (other Arrow chunks), last
    for i in bad_at:
        rows[i] = dict(rows[i], id_number=bad_check(people[i]))
    rows[50_000] = dict(rows[50_000], work_date="2025-02-30")
    write_csv(tmp_path / "b" / "attendance.csv", rows)
    assert summary(ingest_paths([tmp_path / "b"]), "attendance") == (BIG - 5, 0, 0, 5)
    quarantined = QuarantinedRow.objects.filter(feed="attendance")
    bad = {q.line: (q.column, q.reason) for q in quarantined}
    assert bad == {
        **{i + 2: ("id_number", "「身份证号」校验位错误，请核对号码") for i in bad_at},
        50_002: ("work_date", "「考勤日期」2025-02-30不是存在的日期（格式应为YYYY-MM-DD）"),
    }
    # Each reason sits with its own row's text (kept encrypted for the clerk).
    for q in quarantined:
        kept = json.loads(crypto.decrypt(q.raw_enc, associated=b"quarantine.raw") or "{}")
        assert kept["id_number"] == rows[q.line - 2]["id_number"]
        assert kept["work_date"] == rows[q.line - 2]["work_date"]
    stored = {row[0] for row in duckdb.sql(f"SELECT person_key FROM {read_feed_sql('attendance')}").fetchall()}
    expected = {crypto.pseudonym(w) for i, w in enumerate(people) if i not in (*bad_at, 50_000)}
    assert stored == expected  # the very HMAC the registry uses, for each good row and no other
    data = next(feed_dir("attendance").rglob("*.parquet")).read_bytes()
    assert people[1].encode() not in data and people[BIG - 2].encode() not in data


def test_a_key_sent_twice_in_a_big_batch_keeps_its_last_row_and_the_rest_go_straight_in(tmp_path: Path) -> None:
    registry_batch(tmp_path / "b")
    people = workers(BIG)
    rows = [attendance_rows(range(1, 2), worker=w)[0] for w in people]
    rows.append(dict(rows[10], method="manual"))  # updated by a later line, chunks away
    rows.append(dict(rows[20]))  # the same row again
    rows.insert(BIG // 2, dict(rows[30], method="card"))  # updated in the middle, then updated back at the end
    rows.append(dict(rows[30]))
    write_csv(tmp_path / "b" / "attendance.csv", rows)
    assert summary(ingest_paths([tmp_path / "b"]), "attendance") == (BIG, 3, 1, 0)
    lake = duckdb.sql(f"SELECT person_key, method FROM {read_feed_sql('attendance')}").fetchall()
    assert len(lake) == BIG and len({k for k, _ in lake}) == BIG
    assert dict(lake)[crypto.pseudonym(people[10])] == "manual"
    assert dict(lake)[crypto.pseudonym(people[30])] == "face"
    # A later batch on the same day: re-sent rows are duplicates, a changed one updates, a new one is new.
    write_csv(
        tmp_path / "c" / "attendance.csv",
        [rows[0], dict(rows[1], device_id="GATE-9"), attendance_rows(range(1, 2), worker=workers(BIG + 1)[-1])[0]],
    )
    assert summary(ingest_paths([tmp_path / "c"]), "attendance") == (1, 1, 1, 0)
    assert duckdb.sql(f"SELECT count(*) FROM {read_feed_sql('attendance')}").fetchone() == (BIG + 1,)


def test_a_payment_moved_to_a_later_day_within_the_batch_leaves_no_empty_day(tmp_path: Path) -> None:
    registry_batch(tmp_path / "b")
    write_csv(
        tmp_path / "b" / "wage_payments.csv",
        [payment("ICBC-1", "3500.00"), dict(payment("ICBC-1", "3500.00"), paid_on="2025-05-16")],
    )
    assert summary(ingest_paths([tmp_path / "b"]), "wage_payments") == (1, 1, 0, 0)
    assert sorted(p.name for p in feed_dir("wage_payments").iterdir()) == ["day=2025-05-16"]


def test_a_stored_payment_sent_again_on_another_day_counts_as_an_update(tmp_path: Path) -> None:
    registry_batch(tmp_path / "b")
    write_csv(tmp_path / "b" / "wage_payments.csv", [payment("ICBC-1", "3500.00")])
    ingest_paths([tmp_path / "b"])
    # The batch touches the stored day (ICBC-2), so ICBC-1's stored row is seen from the new day too.
    write_csv(
        tmp_path / "c" / "wage_payments.csv",
        [dict(payment("ICBC-1", "3500.00"), paid_on="2025-05-16"), payment("ICBC-2", "10.00")],
    )
    assert summary(ingest_paths([tmp_path / "c"]), "wage_payments") == (1, 1, 0, 0)
