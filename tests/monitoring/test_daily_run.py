"""The daily run: no look-ahead, incremental, idempotent, crash-safe; findings open and close; the export."""

from __future__ import annotations

import csv
import datetime as dt
import json
from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc
import pytest

from anxin.lake.services import ingest_paths
from anxin.monitoring.models import DailyRun, Finding
from anxin.monitoring.services import DailyRunError, backfill, export_findings, run_daily, state_dir

pytestmark = pytest.mark.django_db

START = dt.date(2026, 1, 1)


@pytest.fixture
def province(tiny_batch: Path) -> Path:
    ingest_paths([tiny_batch])
    return tiny_batch


def findings_on(day: dt.date) -> list[tuple]:
    return sorted(
        (
            f.rule,
            f.subject_type,
            f.subject_id,
            f.severity,
            f.workers,
            f.amount_fen,
            json.dumps(f.evidence, sort_keys=True),
        )
        for f in Finding.objects.open_on(day)
    )


def test_a_run_reads_no_event_partition_dated_before_its_day(province: Path) -> None:
    backfill(START, START + dt.timedelta(days=3))
    day = START + dt.timedelta(days=4)
    result = run_daily(day)
    event_reads = [r for r in result.reads if "/_state/" not in r and "/_registry/" not in r]
    assert event_reads, "the run read the day's partitions"
    for path in event_reads:
        partition = Path(path).parent.name  # day=YYYY-MM-DD or month=YYYY-MM
        kind, _, value = partition.partition("=")
        assert (kind == "day" and value == day.isoformat()) or (kind == "month" and value == day.strftime("%Y-%m")), (
            path
        )
    state_reads = {Path(r).parent.name for r in result.reads if "/_state/" in r}
    assert state_reads == {f"as_of={(day - dt.timedelta(days=1)).isoformat()}"}


@pytest.mark.slow
def test_running_a_day_twice_gives_the_same_findings_and_the_export_has_the_contract_columns(
    province: Path, tmp_path: Path
) -> None:
    """Two checks on one 46-day backfill of the tiny province (a backfill is most of either test)."""
    backfill(START, START + dt.timedelta(days=45))
    day = START + dt.timedelta(days=46)
    run_daily(day)
    first = findings_on(day)
    assert first, "the tiny province has problems by mid-February"
    run_daily(day)
    assert findings_on(day) == first
    assert DailyRun.objects.filter(as_of=day).count() == 1

    out = tmp_path / "findings.csv"
    count = export_findings(out, as_of=day)
    raw = out.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    rows = list(csv.DictReader(raw.decode("utf-8-sig").splitlines()))
    assert len(rows) == count == Finding.objects.open_on(day).count() > 0
    assert list(rows[0]) == [
        "subject_type",
        "subject_id",
        "rule",
        "opened_on",
        "severity",
        "workers",
        "amount_fen",
        "evidence",
    ]
    for row in rows:
        assert row["subject_type"] in ("project", "enterprise")
        assert row["severity"] in ("low", "medium", "high")
        assert row["amount_fen"] == "" or row["amount_fen"].isdigit()
        dt.date.fromisoformat(row["opened_on"])
        assert json.loads(row["evidence"])["article"]


def test_a_crash_before_the_state_is_recorded_leaves_the_day_before_intact(province: Path) -> None:
    backfill(START, START + dt.timedelta(days=2))
    day = START + dt.timedelta(days=3)
    before = sorted(p.name for p in state_dir(day - dt.timedelta(days=1)).iterdir())
    # A half-written snapshot from a killed run: a temporary folder that was never renamed into place.
    half = state_dir(day).parent / f".tmp-{day.isoformat()}-crashed"
    half.mkdir()
    (half / "ledger.parquet").write_bytes(b"partial")
    assert not DailyRun.objects.filter(as_of=day).exists()
    assert sorted(p.name for p in state_dir(day - dt.timedelta(days=1)).iterdir()) == before
    run_daily(day)  # the re-run completes the day
    assert DailyRun.objects.filter(as_of=day).exists() and not half.exists()


def test_a_day_cannot_run_with_a_gap_before_it(province: Path) -> None:
    backfill(START, START)
    with pytest.raises(DailyRunError, match="backfill"):
        run_daily(START + dt.timedelta(days=3))


def test_a_finding_that_stops_holding_is_closed(province: Path) -> None:
    backfill(START, START + dt.timedelta(days=5))
    finding = Finding.objects.filter(closed_on__isnull=True).first()
    assert finding is not None
    # Pretend the finding was found for a subject that no rule finds today.
    finding.subject_id = "NO-SUCH-PROJECT"
    finding.save()
    run_daily(START + dt.timedelta(days=6))
    finding.refresh_from_db()
    assert finding.closed_on == START + dt.timedelta(days=6)


def test_no_look_ahead_later_registry_versions_and_events_are_not_used(province: Path) -> None:
    backfill(START, START + dt.timedelta(days=1))
    # The ledger is stored one file per wage period (ledger.YYYY-MM.parquet).
    ledger_parts = sum(1 for _ in state_dir(START + dt.timedelta(days=1)).glob("ledger.*.parquet"))
    assert ledger_parts >= 1
    import duckdb

    latest = duckdb.sql(
        f"SELECT max(last_attended_on) FROM read_parquet('{state_dir(START + dt.timedelta(days=1)) / 'ledger.*.parquet'}')"
    ).fetchall()[0][0]
    assert latest <= START + dt.timedelta(days=1)


@pytest.mark.slow
@pytest.mark.engine_only  # the state files a run writes; its database work is the other tests'
def test_a_snapshot_links_the_parts_a_day_did_not_touch_and_snapshots_of_earlier_layouts_give_the_same(
    province: Path,
) -> None:
    import pyarrow.parquet as pq

    day = dt.date(2026, 3, 1)
    backfill(START, day)
    folder, before = state_dir(day), state_dir(day - dt.timedelta(days=1))
    linked = [
        p.name
        for p in folder.glob("*.*.parquet")
        if (before / p.name).exists() and (before / p.name).stat().st_ino == p.stat().st_ino
    ]
    # Nobody is paid in February on 1 March: that month's pay per person is kept as it was.
    assert "person_months.2026-02.parquet" in linked
    assert not (folder / "ledger.parquet").exists()
    split = findings_on(day)
    # A snapshot written before the ledger was split by period: one file per table.
    for name in ("ledger", "person_months"):
        parts = sorted(before.glob(f"{name}.*.parquet"))
        table = pa.concat_tables(pq.read_table(p) for p in parts)
        for p in parts:
            p.unlink()
        pq.write_table(table, before / f"{name}.parquet")
    run_daily(day)
    assert findings_on(day) == split
    assert not (state_dir(day) / "ledger.parquet").exists()
    person_months = _state(day)["person_months"]
    assert person_months

    # A snapshot of the version that kept pay per person, month *and project*
    # (``person_project_months``): each person-month split here over two projects, so only a
    # regrouping by person and month gives the months' totals back.
    whole = pq.read_table(before / "person_months.parquet")
    (before / "person_months.parquet").unlink()
    half = pc.divide(whole["paid_fen"], 2)
    legacy = pa.concat_tables(
        [
            whole.set_column(2, "paid_fen", half).append_column("project_code", pa.repeat("P-A", len(whole))),
            whole.set_column(2, "paid_fen", pc.subtract(whole["paid_fen"], half)).append_column(
                "project_code", pa.repeat("P-B", len(whole))
            ),
        ]
    )
    for month in pc.unique(legacy["month"]).to_pylist():
        pq.write_table(
            legacy.filter(pc.equal(legacy["month"], month)), before / f"person_project_months.{month}.parquet"
        )
    run_daily(day)
    assert findings_on(day) == split
    assert sorted(state_dir(day).glob("person_months.*.parquet"))
    assert not list(state_dir(day).glob("person_project_months*"))
    assert _state(day)["person_months"] == person_months

    # A snapshot written before people were ``person_id``: the hex pseudonym in its place, whose
    # first 16 digits are the id (the rest here a filler). Opened, it is upgraded file by file.
    # And before the ledger's sums were kept: they are summed from the ledger parts carried.
    state = _state(day)
    assert state["ledger_periods"] == _ledger_sums(day)
    for path in before.glob("ledger_periods.*.parquet"):
        path.unlink()
    upgraded, tmp_file = 0, before / "rewritten.tmp"
    for path in sorted(before.glob("*.parquet")):
        table = pq.read_table(path)
        if "person_id" not in table.column_names:
            continue
        at = table.column_names.index("person_id")
        keys = [None if v is None else f"{v & (2**64 - 1):016x}" + "ab" * 24 for v in table["person_id"].to_pylist()]
        # Into a new file (the old may be hard-linked from the snapshots around it).
        pq.write_table(table.remove_column(at).add_column(at, "person_key", pa.array(keys, pa.string())), tmp_file)
        tmp_file.replace(path)
        upgraded += 1
    assert upgraded >= 4  # the ledger and person_months parts, unregistered, failed payments…
    run_daily(day)
    assert findings_on(day) == split
    assert _state(day) == state
    assert not any("person_key" in pq.read_schema(p).names for p in before.glob("*.parquet"))


def _state(day: dt.date) -> dict[str, list[dict]]:
    """The sums a day's state holds, every table sorted (to compare two ways of reaching it)."""
    import pyarrow.parquet as pq

    out: dict[str, list[dict]] = {}
    for name in (
        "ledger",
        "ledger_periods",
        "accounts",
        "inflow_months",
        "person_months",
        "project_days",
        "unregistered",
    ):
        files = sorted(state_dir(day).glob(f"{name}.parquet")) or sorted(state_dir(day).glob(f"{name}.*.parquet"))
        rows = [r for f in files for r in pq.read_table(f).to_pylist()]
        out[name] = sorted(rows, key=lambda r: json.dumps(r, sort_keys=True, default=str))
    return out


def _ledger_sums(day: dt.date) -> list[dict]:
    """``ledger_periods`` summed afresh from the whole ledger of a day's snapshot (sorted like ``_state``)."""
    import ibis
    import pyarrow.parquet as pq

    from anxin.monitoring.rules.base import ledger_periods
    from anxin.monitoring.schema import SCHEMAS

    ledger = pa.concat_tables(pq.read_table(f) for f in sorted(state_dir(day).glob("ledger.*.parquet")))
    con = ibis.duckdb.connect()
    rows = ledger_periods(con.create_table("ledger", ledger)).to_pyarrow().cast(SCHEMAS["ledger_periods"]).to_pylist()
    return sorted(rows, key=lambda r: json.dumps(r, sort_keys=True, default=str))


@pytest.mark.slow
@pytest.mark.engine_only  # the state files a run writes; its database work is the other tests'
def test_a_late_correction_replaces_what_was_counted_instead_of_adding_to_it(province: Path, tmp_path: Path) -> None:
    """A payment, an inflow and an attendance row re-sent with changed values after their day
    was run: the next day's state equals a replay of every day from the corrected lake."""
    day = dt.date(2026, 2, 10)
    backfill(START, day)

    def first_row(pattern: str, date_column: str) -> tuple[list[str], list[str]]:
        for path in sorted(province.glob(pattern)):
            with open(path, encoding="utf-8") as fh:
                rows = list(csv.reader(fh))
            header = rows[0]
            for row in rows[1:]:
                record = dict(zip(header, row, strict=True))
                if record[date_column] <= day.isoformat() and record.get("status", "success") == "success":
                    return header, row
        raise AssertionError(f"no row of {pattern} on or before {day}")

    corrections = tmp_path / "corrections"
    corrections.mkdir()
    for pattern, date_column, column, change in (
        ("wage_payments*.csv", "paid_on", "amount", lambda v: f"{float(v) + 100:.2f}"),
        ("account_inflows*.csv", "received_on", "amount", lambda v: f"{float(v) + 1000:.2f}"),
        ("attendance*.csv", "work_date", "clock_out", lambda v: v[:11] + "18:59:59"),
    ):
        header, row = first_row(pattern, date_column)
        i = header.index(column)
        row[i] = change(row[i])
        with open(corrections / f"{pattern.split('*')[0]}.csv", "w", encoding="utf-8", newline="") as fh:
            csv.writer(fh).writerows([header, row])
    summaries = {s.feed: s for s in ingest_paths([corrections])}
    assert [summaries[f].updated for f in ("wage_payments", "account_inflows", "attendance")] == [1, 1, 1]

    after = day + dt.timedelta(days=1)
    run_daily(after)
    incremental = _state(after)
    backfill(START, after)  # every day again, from the lake as corrected
    assert incremental == _state(after)
