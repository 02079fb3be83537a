"""Event feeds in the Parquet lake: by key, idempotent, pseudonymised, and safe against a crash."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import duckdb
import pytest

from anxin.lake.services import ingest_paths
from anxin.lake.storage import feed_dir, read_feed_sql
from tests.factories import PEOPLE, WORKER_1, WORKER_2, registry_batch, write_csv

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parents[2]


def attendance_rows(
    days: range, worker: str = WORKER_1, project: str = "FJ-GL-001", month: str = "2025-04"
) -> list[dict]:
    return [
        {
            "project_code": project,
            "id_number": worker,
            "work_date": f"{month}-{d:02d}",
            "clock_in": f"{month}-{d:02d} 07:30:00",
            "clock_out": f"{month}-{d:02d} 17:30:00",
            "method": "face",
            "device_id": "GATE-1",
        }
        for d in days
    ]


def payment(
    txn: str, amount: str, status: str = "success", worker: str = WORKER_1, card: str = "6222021234567890123"
) -> dict:
    return {
        "txn_id": txn,
        "project_code": "FJ-GL-001",
        "account_no": "35001000000000001",
        "id_number": worker,
        "card_no": card,
        "amount": amount,
        "paid_on": "2025-05-15",
        "period": "2025-04",
        "channel": "special_account",
        "status": status,
    }


def summary(summaries: list, feed: str) -> tuple[int, int, int, int]:
    s = next(s for s in summaries if s.feed == feed)
    return s.accepted, s.updated, s.duplicates, s.quarantined


def lake_rows(feed: str) -> list[tuple]:
    return duckdb.sql(f"SELECT * EXCLUDE (_batch) FROM {read_feed_sql(feed)} ORDER BY ALL").fetchall()


def test_attendance_lands_in_one_partition_per_day(tmp_path: Path) -> None:
    registry_batch(tmp_path / "b")
    write_csv(tmp_path / "b" / "attendance.csv", attendance_rows(range(1, 4)))
    assert summary(ingest_paths([tmp_path / "b"]), "attendance") == (3, 0, 0, 0)
    days = sorted(p.name for p in feed_dir("attendance").iterdir())
    assert days == ["day=2025-04-01", "day=2025-04-02", "day=2025-04-03"]


def test_ingesting_twice_changes_nothing_in_the_lake(tmp_path: Path) -> None:
    registry_batch(tmp_path / "b")
    write_csv(tmp_path / "b" / "attendance.csv", attendance_rows(range(1, 11)))
    write_csv(
        tmp_path / "b" / "wage_payments.csv", [payment("ICBC-1", "3500.00"), payment("ICBC-2", "10.00", "failed")]
    )
    ingest_paths([tmp_path / "b"])
    before = {feed: lake_rows(feed) for feed in ("attendance", "wage_payments")}
    mtimes = {p: p.stat().st_mtime_ns for p in feed_dir("attendance").rglob("*.parquet")}
    again = ingest_paths([tmp_path / "b"])
    assert summary(again, "attendance") == (0, 0, 10, 0)
    assert {feed: lake_rows(feed) for feed in before} == before
    assert {p: p.stat().st_mtime_ns for p in feed_dir("attendance").rglob("*.parquet")} == mtimes  # not even rewritten


def test_a_changed_row_with_the_same_key_replaces_the_old_one(tmp_path: Path) -> None:
    registry_batch(tmp_path / "b")
    write_csv(tmp_path / "b" / "wage_payments.csv", [payment("ICBC-1", "3500.00")])
    ingest_paths([tmp_path / "b"])
    write_csv(tmp_path / "c" / "wage_payments.csv", [payment("ICBC-1", "3600.00", "returned")])
    assert summary(ingest_paths([tmp_path / "c"]), "wage_payments") == (0, 1, 0, 0)
    rows = duckdb.sql(f"SELECT txn_id, amount, status FROM {read_feed_sql('wage_payments')}").fetchall()
    assert rows == [("ICBC-1", 360000, "returned")]


def test_a_row_re_sent_for_another_day_moves_there_and_the_old_day_keeps_it_as_replaced(tmp_path: Path) -> None:
    """A payment's key (txn_id) does not fix its day: re-sent with a corrected date it must not
    stay on the old day as well; the old day keeps the old version beside it (for a run that
    had counted it) and the batch lists both days."""
    from anxin.lake.models import Batch
    from anxin.lake.storage import REPLACED_PREFIX

    registry_batch(tmp_path / "b")
    write_csv(tmp_path / "b" / "wage_payments.csv", [payment("ICBC-1", "3500.00"), payment("ICBC-2", "800.00")])
    ingest_paths([tmp_path / "b"])
    moved = dict(payment("ICBC-1", "3600.00"), paid_on="2025-05-16")
    write_csv(tmp_path / "c" / "wage_payments.csv", [moved])
    assert summary(ingest_paths([tmp_path / "c"]), "wage_payments") == (0, 1, 0, 0)
    rows = duckdb.sql(
        f"SELECT txn_id, amount, paid_on::VARCHAR FROM {read_feed_sql('wage_payments')} ORDER BY txn_id"
    ).fetchall()
    assert rows == [("ICBC-1", 360000, "2025-05-16"), ("ICBC-2", 80000, "2025-05-15")]
    old_day = feed_dir("wage_payments") / "day=2025-05-15"
    side = list(old_day.glob(f"{REPLACED_PREFIX}*.parquet"))
    assert len(side) == 1
    assert duckdb.sql(f"SELECT txn_id, amount FROM read_parquet('{side[0]}')").fetchall() == [("ICBC-1", 350000)]
    batch = Batch.objects.filter(status="done").order_by("-pk").first()
    assert batch is not None
    assert {"wage_payments/day=2025-05-15", "wage_payments/day=2025-05-16"} <= set(batch.partitions)
    # Sent again, nothing changes.
    assert summary(ingest_paths([tmp_path / "c"]), "wage_payments") == (0, 0, 1, 0)
    assert duckdb.sql(f"SELECT count(*) FROM {read_feed_sql('wage_payments')}").fetchone() == (2,)


def test_a_crash_between_the_new_day_and_the_old_one_is_completed_by_running_the_batch_again(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The day a key moves to is written first; a crash before its old day is rewritten leaves
    the key on both, and the batch run again leaves it once, listing both days."""
    from anxin.lake import storage
    from anxin.lake.feeds import FEEDS
    from anxin.lake.models import Batch

    registry_batch(tmp_path / "b")
    write_csv(tmp_path / "b" / "wage_payments.csv", [payment("ICBC-1", "3500.00")])
    ingest_paths([tmp_path / "b"])
    write_csv(tmp_path / "c" / "wage_payments.csv", [dict(payment("ICBC-1", "3600.00"), paid_on="2025-05-16")])
    old_day = storage.partition_path(FEEDS["wage_payments"], "2025-05-15")
    real_replace = os.replace

    def crash_on_the_old_day(src: object, dst: object) -> None:
        if Path(str(dst)) == old_day:
            raise KeyboardInterrupt("killed between the two days")
        real_replace(src, dst)  # type: ignore[arg-type]

    monkeypatch.setattr(storage.os, "replace", crash_on_the_old_day)
    with pytest.raises(KeyboardInterrupt):
        ingest_paths([tmp_path / "c"])
    both = f"SELECT paid_on::VARCHAR, amount FROM {read_feed_sql('wage_payments')} ORDER BY 1"
    assert duckdb.sql(both).fetchall() == [("2025-05-15", 350000), ("2025-05-16", 360000)]
    monkeypatch.setattr(storage.os, "replace", real_replace)
    ingest_paths([tmp_path / "c"])
    assert duckdb.sql(both).fetchall() == [("2025-05-16", 360000)]
    batch = Batch.objects.filter(status="done").order_by("-pk").first()
    assert batch is not None
    assert {"wage_payments/day=2025-05-15", "wage_payments/day=2025-05-16"} <= set(batch.partitions)


def test_within_a_batch_the_later_file_wins_and_each_row_is_counted_once(tmp_path: Path) -> None:
    registry_batch(tmp_path / "b")
    first = attendance_rows(range(1, 3))
    write_csv(tmp_path / "b" / "attendance-0001.csv", [*first, first[0]])
    write_csv(tmp_path / "b" / "attendance-0002.csv", [dict(first[1], method="manual")])
    assert summary(ingest_paths([tmp_path / "b"]), "attendance") == (2, 1, 1, 0)
    assert duckdb.sql(f"SELECT method FROM {read_feed_sql('attendance')} ORDER BY work_date").fetchall() == [
        ("face",),
        ("manual",),
    ]
    assert summary(ingest_paths([tmp_path / "b"]), "attendance") == (0, 0, 4, 0)


def test_people_are_joined_by_pseudonym_and_no_raw_id_or_card_reaches_a_lake_file(tmp_path: Path) -> None:
    from anxin.registry.models import Person

    registry_batch(tmp_path / "b")
    write_csv(
        tmp_path / "b" / "attendance.csv", attendance_rows(range(1, 3)) + attendance_rows(range(1, 3), worker=WORKER_2)
    )
    write_csv(
        tmp_path / "b" / "wage_payments.csv",
        [payment("ICBC-1", "3500.00"), payment("ICBC-2", "99.00", worker=WORKER_2, card="6217001234567890")],
    )
    ingest_paths([tmp_path / "b"])
    keys = {p.person_key for p in Person.objects.current()}
    lake_keys = {
        row[0] for row in duckdb.sql(f"SELECT DISTINCT person_key FROM {read_feed_sql('attendance')}").fetchall()
    }
    assert lake_keys == keys
    card_keys = {row[0] for row in duckdb.sql(f"SELECT card_key FROM {read_feed_sql('wage_payments')}").fetchall()}
    assert card_keys == {p.bank_card_key for p in Person.objects.current()}
    secrets = [WORKER_1, WORKER_2, WORKER_1.lower(), *(p["bank_card_no"] for p in PEOPLE)]
    files = list(Path(feed_dir("attendance")).parent.rglob("*"))
    assert any(f.suffix == ".parquet" for f in files)
    for file in (f for f in files if f.is_file()):
        data = file.read_bytes()
        for secret in secrets:
            assert secret.encode() not in data, f"{secret} in {file}"


def test_an_event_row_for_an_unregistered_project_is_quarantined_but_an_unregistered_person_is_accepted(
    tmp_path: Path,
) -> None:
    from tests.factories import id_number

    stranger = id_number("43012119950505123")
    registry_batch(tmp_path / "b")
    write_csv(
        tmp_path / "b" / "attendance.csv",
        attendance_rows(range(1, 2), worker=stranger) + attendance_rows(range(1, 2), project="NOPE"),
    )
    assert summary(ingest_paths([tmp_path / "b"]), "attendance") == (1, 0, 0, 1)


def _run(args: list[str], env: dict[str, str]) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-m", "anxin.cli", *args], env=env, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE
    )


def _lake_totals(lake: Path) -> dict[str, tuple[int, int]]:
    out = {}
    for feed, money in (("attendance", "0"), ("wage_payments", "amount")):
        out[feed] = duckdb.sql(
            f"SELECT count(*), coalesce(sum({money}), 0) FROM read_parquet('{lake}/{feed}/*/data.parquet')"
        ).fetchall()[0]
    return out


@pytest.mark.slow
def test_killing_the_ingest_part_way_and_running_it_again_gives_the_lake_of_one_clean_run(tmp_path: Path) -> None:
    from tests.factories import ENTERPRISES, PROJECTS, id_number

    batch = tmp_path / "batch"
    write_csv(batch / "enterprises.csv", ENTERPRISES)
    write_csv(batch / "projects.csv", PROJECTS)
    rows = []
    for month in ("2025-04", "2025-05", "2025-06"):
        for w in range(300):
            worker = id_number(f"350102199{w % 10}0101{w:03d}")
            rows += attendance_rows(range(1, 29), worker=worker, month=month)
    write_csv(batch / "attendance.csv", rows)  # ~25,000 rows over 84 day partitions
    write_csv(batch / "wage_payments.csv", [payment(f"B-{i}", f"{100 + i}.25") for i in range(500)])

    def env_for(name: str) -> dict[str, str]:
        var = tmp_path / name
        env = dict(
            os.environ,
            ANXIN_VAR=str(var),
            DATABASE_URL=f"sqlite:///{var}/db.sqlite3",
            DJANGO_SETTINGS_MODULE="anxin.settings",
        )
        subprocess.run([sys.executable, "-m", "anxin.cli", "migrate", "-v0"], env=env, cwd=ROOT, check=True)
        return env

    clean = env_for("clean")
    assert _run(["ingest", str(batch), "--json"], clean).wait(timeout=300) == 0

    crashed = env_for("crashed")
    proc = _run(["ingest", str(batch), "--json"], crashed)
    lake = tmp_path / "crashed" / "lake" / "attendance"
    deadline = time.time() + 120
    while time.time() < deadline and len(list(lake.glob("*/data.parquet"))) < 5:
        time.sleep(0.01)
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    written = len(list(lake.glob("*/data.parquet")))
    assert 0 < written < 84, "the kill should land part-way through the attendance partitions"
    assert _run(["ingest", str(batch), "--json"], crashed).wait(timeout=300) == 0
    assert _lake_totals(tmp_path / "crashed" / "lake") == _lake_totals(tmp_path / "clean" / "lake")
    assert _lake_totals(tmp_path / "clean" / "lake")["attendance"][0] == len(rows)
