"""The synthetic province: valid identifiers, an exact ledger, truth that agrees with the feeds."""

from __future__ import annotations

import csv
import datetime as dt
import filecmp
import io
from collections import defaultdict
from pathlib import Path

import duckdb
import numpy as np
import pytest

from anxin.core.calendar import WorkingCalendar, first_arrears_date, pay_due_date
from anxin.core.identifiers import id_check_char, id_number_error, is_valid_uscc, uscc_check_char
from anxin.synth import generate
from anxin.synth.ids import id_numbers, luhn_cards, luhn_ok, uscc
from anxin.synth.output import LABELS, SCHEMAS

KEYS = {
    "enterprises": ("uscc",),
    "projects": ("project_code",),
    "people": ("id_number",),
    "employments": ("project_code", "id_number", "employer_uscc", "start_date"),
    "attendance": ("project_code", "id_number", "work_date"),
    "payrolls": ("project_code", "employer_uscc", "id_number", "period"),
    "wage_payments": ("txn_id",),
    "account_inflows": ("txn_id",),
    "social_insurance": ("uscc", "month"),
    "utilities": ("uscc", "month"),
    "lawsuits": ("case_no",),
    "leads": ("channel", "lead_id"),
}
ORDER = (
    "enterprises",
    "projects",
    "people",
    "employments",
    "attendance",
    "payrolls",
    "wage_payments",
    "account_inflows",
    "social_insurance",
    "utilities",
    "lawsuits",
    "leads",
)
ID_COLS = {"id_number", "uscc", "builder_uscc", "contractor_uscc", "employer_uscc", "payer_uscc", "target_uscc"}
DATE_COLS = {
    "established_on",
    "start_date",
    "planned_end_date",
    "actual_end_date",
    "wage_account_opened_on",
    "end_date",
    "work_date",
    "submitted_on",
    "paid_on",
    "received_on",
    "filed_on",
}
TS_COLS = {"updated_at", "clock_in", "clock_out", "received_at"}


@pytest.fixture(scope="module")
def batch(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("synth") / "batch"
    generate("tiny", seed=11, out=out)
    return out


def read_feed(path: Path) -> tuple[list[str], list[tuple[int, dict[str, str]]]]:
    """Rows with the physical line where each starts (header = line 1)."""
    raw = path.read_bytes()
    text = raw.decode("gb18030") if path.name.startswith("enterprises") else raw.decode("utf-8")
    feed = path.name.split(".")[0].split("-")[0]
    reader = csv.reader(io.StringIO(text, newline=""))
    header = next(reader)
    if feed in LABELS and header == list(LABELS[feed]):
        header = [c for c, _ in SCHEMAS[feed]]
    rows = []
    line = reader.line_num + 1
    for rec in reader:
        rows.append((line, dict(zip(header, rec, strict=True))))
        line = reader.line_num + 1
    return header, rows


def valid_date(text: str) -> bool:
    try:
        dt.date.fromisoformat(text[:10])
        return True
    except ValueError:
        return False


def honest_validator(batch: Path) -> set[tuple[str, int, str]]:
    """What an honest ingest would quarantine, or count as duplicate or update, file by file."""
    found = set()
    files = sorted(batch.iterdir(), key=lambda p: (ORDER.index(p.name.split(".")[0].split("-")[0]), p.name))
    projects: set[str] = set()
    seen: dict[str, dict[tuple, dict]] = defaultdict(dict)
    for path in files:
        feed = path.name.split(".")[0].split("-")[0]
        _, rows = read_feed(path)
        for line, row in rows:
            reason = None
            for col, value in row.items():
                if not value:
                    continue
                if (
                    col == "id_number"
                    and id_number_error(value, today=dt.date(2030, 1, 1))
                    or col in ID_COLS - {"id_number"}
                    and not is_valid_uscc(value)
                ):
                    reason = "bad_check_digit"
                elif col in DATE_COLS | TS_COLS and not valid_date(value):
                    reason = "impossible_date"
                elif SCHEMAS[feed] and dict(SCHEMAS[feed]).get(col) == "money" and value.startswith("-"):
                    reason = "negative_money"
                elif col == "project_code" and feed != "projects" and value not in projects:
                    reason = "unknown_project"
            if reason is None:
                key = tuple(row[k] for k in KEYS[feed])
                if key in seen[feed]:
                    reason = "duplicate" if seen[feed][key] == row else "updated"
                seen[feed][key] = row
                if feed == "projects":
                    projects.add(row["project_code"])
            if reason:
                found.add((path.name, line, reason))
    return found


def ledger(batch: Path) -> set[tuple[str, int, str]]:
    with open(batch.parent / f"{batch.name}_truth" / "bad_rows.csv", encoding="utf-8") as f:
        return {(r["file"], int(r["line"]), r["reason"]) for r in csv.DictReader(f)}


def truth(batch: Path) -> list[dict[str, str]]:
    with open(batch.parent / f"{batch.name}_truth" / "truth.csv", encoding="utf-8") as f:
        return list(csv.DictReader(f))


def test_the_vectorised_identifiers_agree_with_the_core_check_digits() -> None:
    rng = np.random.default_rng(0)
    region = np.array([511321, 350102, 520502])
    birth = np.array(["1980-02-29", "1999-12-31", "1970-01-01"], dtype="datetime64[D]")
    for value in id_numbers(region, birth, np.array([1, 22, 999])).to_pylist():
        assert value[17] == id_check_char(value[:17]) and id_number_error(value) is None
    assert all(luhn_ok(c) for c in luhn_cards(np.array([622202, 621700]), rng).to_pylist())
    code = uscc("91", "350102", "12345678")
    assert code[17] == uscc_check_char(code[:17]) and is_valid_uscc(code)


def test_the_truth_is_written_beside_the_batch_not_inside_it(batch: Path) -> None:
    names = {p.name.split(".")[0].split("-")[0] for p in batch.iterdir()}
    assert names == set(ORDER)
    assert sorted(p.name for p in (batch.parent / "batch_truth").iterdir()) == [
        "bad_rows.csv",
        "leads_truth.csv",
        "truth.csv",
    ]


def test_the_excel_feed_is_gb18030_with_chinese_headers_and_crlf(batch: Path) -> None:
    raw = (batch / "enterprises.csv").read_bytes()
    assert not raw.startswith(b"\xef\xbb\xbf")
    text = raw.decode("gb18030")
    assert text.startswith("统一社会信用代码,单位名称") and "\r\n" in text and text.count("\n") == text.count("\r\n")


def test_every_generated_identifier_is_valid_except_the_ledgers_planted_rows(batch: Path) -> None:
    planted = {(f, line) for f, line, reason in ledger(batch) if reason == "bad_check_digit"}
    for path in sorted(batch.iterdir()):
        _, rows = read_feed(path)
        for line, row in rows:
            for col in ID_COLS & row.keys():
                value = row[col]
                if not value:
                    continue
                ok = id_number_error(value) is None if col == "id_number" else is_valid_uscc(value)
                assert ok or (path.name, line) in planted, (path.name, line, col, value)
            for col in ("bank_card_no", "card_no"):
                if row.get(col):
                    assert luhn_ok(row[col]), (path.name, line)


def test_the_ledger_lists_exactly_what_an_honest_validator_finds(batch: Path) -> None:
    expected = ledger(batch)
    assert honest_validator(batch) == expected
    reasons = {r for _, _, r in expected}
    assert reasons == {
        "bad_check_digit",
        "impossible_date",
        "negative_money",
        "unknown_project",
        "duplicate",
        "updated",
    }
    total = sum(len(read_feed(p)[1]) for p in batch.iterdir())
    assert 0.005 < len([r for r in expected if r[2] != "updated"]) / total < 0.03


def _arrears_by_project(batch: Path) -> dict[str, dt.date]:
    """First arrears date per project, computed from the feeds alone (RULES.md's definition)."""
    con = duckdb.connect()
    for feed in ("employments", "payrolls", "attendance", "wage_payments", "projects"):
        con.execute(f"CREATE VIEW {feed}_raw AS SELECT * FROM read_csv('{batch}/{feed}*.csv', all_varchar=true)")
    ok_date = "try_cast({} AS DATE) IS NOT NULL"
    con.execute(
        "CREATE TABLE known AS SELECT DISTINCT project_code FROM projects_raw WHERE "
        + ok_date.format("start_date")
        + " AND NOT starts_with(contract_amount, '-')"
    )
    # Honest staging: drop invalid rows (planted bad rows), then de-duplicate by key.
    valid_id = "length(id_number) = 18 AND try_strptime(substr(id_number, 7, 8), '%Y%m%d') IS NOT NULL"
    from anxin.core.identifiers import id_check_sql

    con.execute(f"""CREATE TABLE emp AS SELECT DISTINCT project_code, id_number, employer_uscc, wage_type,
        CAST(wage_rate AS DECIMAL(18,2)) AS rate, CAST(pay_day AS INT) AS pay_day FROM employments_raw
        WHERE {valid_id} AND {id_check_sql("id_number")} AND {ok_date.format("start_date")}
          AND NOT starts_with(wage_rate, '-') AND project_code IN (SELECT project_code FROM known)""")
    con.execute(f"""CREATE TABLE pay AS SELECT DISTINCT project_code, employer_uscc, id_number, period,
        CAST(net_amount AS DECIMAL(18,2)) AS net FROM payrolls_raw
        WHERE {valid_id} AND {id_check_sql("id_number")} AND NOT starts_with(net_amount, '-')
          AND project_code IN (SELECT project_code FROM known)""")
    con.execute(f"""CREATE TABLE att AS SELECT project_code, id_number, strftime(CAST(work_date AS DATE), '%Y-%m') AS period,
        count(DISTINCT work_date) AS days FROM attendance_raw
        WHERE {valid_id} AND {id_check_sql("id_number")} AND try_cast(work_date AS DATE) IS NOT NULL
          AND project_code IN (SELECT project_code FROM known) GROUP BY ALL""")
    con.execute(f"""CREATE TABLE paid AS SELECT DISTINCT txn_id, project_code, id_number, period,
        CAST(amount AS DECIMAL(18,2)) AS amount, CAST(paid_on AS DATE) AS paid_on FROM wage_payments_raw
        WHERE status = 'success' AND {valid_id} AND {id_check_sql("id_number")}
          AND try_cast(paid_on AS DATE) IS NOT NULL AND NOT starts_with(amount, '-')
          AND project_code IN (SELECT project_code FROM known)""")
    # Amount due: the payroll's net, else attendance x rate (daily) or the monthly share.
    lines = con.execute("""
        SELECT e.project_code, e.id_number, a.period, e.pay_day,
               coalesce(p.net, CASE e.wage_type WHEN 'daily' THEN a.days * e.rate
                                 WHEN 'monthly' THEN least(e.rate, round(e.rate * a.days / 21.75)) END) AS due
        FROM att a JOIN emp e USING (project_code, id_number)
        LEFT JOIN pay p ON p.project_code = e.project_code AND p.id_number = e.id_number
             AND p.employer_uscc = e.employer_uscc AND p.period = a.period
        UNION ALL
        SELECT p.project_code, p.id_number, p.period, e.pay_day, p.net FROM pay p
        JOIN emp e ON p.project_code = e.project_code AND p.id_number = e.id_number
             AND p.employer_uscc = e.employer_uscc
        WHERE NOT EXISTS (SELECT 1 FROM att a WHERE a.project_code = p.project_code
                          AND a.id_number = p.id_number AND a.period = p.period)""").fetchall()
    payments: dict[tuple, list] = defaultdict(list)
    for project, person, period, amount, paid_on in con.execute(
        "SELECT project_code, id_number, period, amount, paid_on FROM paid"
    ).fetchall():
        payments[(project, person, period)].append((paid_on, amount))
    end = con.execute(
        "SELECT max(CAST(work_date AS DATE)) FROM attendance_raw WHERE try_cast(work_date AS DATE) IS NOT NULL"
    ).fetchone()[0]
    cal = WorkingCalendar()
    first: dict[str, dt.date] = {}
    for project, person, period, pay_day, due in lines:
        if due is None or due <= 0:
            continue
        arrears = first_arrears_date(pay_due_date(period, pay_day, cal), 3, cal)
        if arrears > end:
            continue
        got = sum(a for d, a in payments[(project, person, period)] if d <= arrears)
        if got < due:
            first[project] = min(first.get(project, arrears), arrears)
    return first


def test_the_truth_agrees_with_the_feeds(batch: Path) -> None:
    found = _arrears_by_project(batch)
    episodes = truth(batch)
    expected = {
        e["subject_id"]: dt.date.fromisoformat(e["first_arrears_date"])
        for e in episodes
        if e["subject_type"] == "project" and e["first_arrears_date"]
    }
    assert expected, "the tiny batch plants arrears"
    # Every arrears episode shows in the feeds on its date, and no project is in arrears unplanned.
    assert found == expected
    for e in episodes:
        if e["kind"].startswith("clean_") and e["subject_type"] == "project":
            assert e["subject_id"] not in found, e


def test_every_rule_has_a_planted_case(batch: Path) -> None:
    kinds = {e["kind"] for e in truth(batch)}
    for kind in (
        "builder_stops_funding",
        "subcontractor_stops_paying",
        "late_systematic",
        "failed_not_repaid",
        "off_payroll",
        "site_emptying",
        "underfunded",
        "funding_late",
        "no_special_account",
        "below_min_wage",
        "ghost_payroll",
        "unconfirmed_payroll",
        "card_held",
        "implausible_pay",
        "outside_account",
        "no_deposit",
        "low_deposit",
        "unregistered_workers",
        "no_contracts",
        "attendance_gap",
        "no_labor_manager",
        "no_notice_board",
        "employer_decline",
        "clean_late_once",
        "clean_failed_repaid",
        "clean_completion",
        "clean_seasonal_dip",
    ):
        assert kind in kinds, kind


def test_leads_truth_names_real_leads_and_counties(batch: Path) -> None:
    _, rows = read_feed(batch / "leads.csv")
    ids = {(r["channel"], r["lead_id"]) for _, r in rows}
    with open(batch.parent / "batch_truth" / "leads_truth.csv", encoding="utf-8") as f:
        lt = list(csv.DictReader(f))
    assert lt and all((r["channel"], r["lead_id"]) in ids for r in lt)
    assert all(r["county_code"].startswith("35") and len(r["county_code"]) == 6 for r in lt)
    episodes = {e["episode_id"]: e for e in truth(batch)}
    for r in lt:
        if r["episode_id"]:
            assert episodes[r["episode_id"]]["first_arrears_date"]


def _con(batch: Path) -> duckdb.DuckDBPyConnection:
    con = duckdb.connect()
    con.execute(
        f"CREATE VIEW att AS SELECT * FROM read_csv('{batch}/attendance*.csv', all_varchar=true) "
        "WHERE try_cast(work_date AS DATE) IS NOT NULL"
    )
    con.execute(f"CREATE VIEW emp AS SELECT * FROM read_csv('{batch}/employments.csv', all_varchar=true)")
    return con


def test_daily_wages_by_trade_are_as_documented(batch: Path) -> None:
    rows = (
        _con(batch)
        .execute("""SELECT trade, avg(CAST(wage_rate AS DOUBLE)), min(CAST(wage_rate AS DOUBLE)),
        max(CAST(wage_rate AS DOUBLE)) FROM emp WHERE wage_type = 'daily' AND NOT starts_with(wage_rate, '-')
        GROUP BY trade HAVING count(*) > 15""")
        .fetchall()
    )
    means = {t: m for t, m, _, _ in rows}
    assert 220 <= means["普工"] <= 280
    for trade in ("钢筋工", "木工", "泥瓦工", "架子工"):
        assert 340 <= means[trade] <= 440, trade
    assert all(lo >= 60 and hi <= 520 for _, _, lo, hi in rows)


def test_workers_attend_most_days_outside_the_festival_and_rest_on_sundays(batch: Path) -> None:
    con = _con(batch)
    days = con.execute("""SELECT avg(n) FROM (SELECT id_number, count(DISTINCT work_date) n FROM att
        WHERE work_date BETWEEN '2026-01-05' AND '2026-01-18' GROUP BY id_number)""").fetchone()[0]
    assert 10 <= days <= 13.5  # of 14 days
    by_dow = dict(
        con.execute("""SELECT dayofweek(CAST(work_date AS DATE)) d, count(*) / count(DISTINCT work_date)
        FROM att WHERE work_date BETWEEN '2026-01-05' AND '2026-01-25' GROUP BY d""").fetchall()
    )
    assert by_dow[0] < 0.75 * by_dow[3]  # Sunday vs Wednesday


def test_attendance_falls_sharply_around_the_spring_festival(batch: Path) -> None:
    con = _con(batch)
    per_day = dict(con.execute("SELECT CAST(work_date AS DATE), count(*) FROM att GROUP BY 1").fetchall())
    normal = np.mean([per_day[dt.date(2026, 1, d)] for d in range(5, 24) if dt.date(2026, 1, d).weekday() < 5])
    festival = np.mean([per_day.get(dt.date(2026, 2, 17) + dt.timedelta(days=k), 0) for k in range(-5, 8)])
    assert festival < 0.15 * normal
    low = [d for d, n in per_day.items() if n < 0.5 * normal]
    assert 18 <= len(low) <= 35  # three to five weeks


def test_the_same_arguments_give_byte_identical_files(tmp_path: Path) -> None:
    a, b = tmp_path / "a", tmp_path / "b"
    generate("tiny", seed=5, out=a, days=35)
    generate("tiny", seed=5, out=b, days=35)
    for x in (a, Path(f"{a}_truth")):
        y = b if x == a else Path(f"{b}_truth")
        names = sorted(p.name for p in x.iterdir())
        assert names == sorted(p.name for p in y.iterdir())
        match, mismatch, errors = filecmp.cmpfiles(x, y, names, shallow=False)
        assert not mismatch and not errors


def test_parquet_batches_hold_the_same_rows(tmp_path: Path) -> None:
    out = tmp_path / "pq"
    s = generate("tiny", seed=5, out=out, days=35, fmt="parquet")
    c = generate("tiny", seed=5, out=tmp_path / "csv", days=35, fmt="csv")
    assert s.rows == c.rows
    n = duckdb.connect().execute(f"SELECT count(*) FROM read_parquet('{out}/attendance-*.parquet')").fetchone()[0]
    assert n == c.rows["attendance"]
