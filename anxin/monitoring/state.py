"""The daily state: small aggregates that one day's events move forward.

``advance(engine, previous, events, registry, as_of)`` takes the state as of D−1 (Arrow
tables), the events dated D (plus late rows), the registry as of D, and returns the state
as of D. Every step is an Ibis expression, so DuckDB and Spark compute the same state.
Each step is written as "what the day adds" unioned with "what was there", then grouped
by the table's key: sums add, first/last dates take least/greatest, and values that a
later row replaces take the newest non-null one (``_newest``). The ledger, the largest,
joins instead of grouping: the previous rows and the day's have one row per key each, so a
full outer join by key combines them column by column, far cheaper than an ``argmax`` per
column over their union.

Retention keeps the state bounded: the ledger keeps 14 months of periods plus anything
still owed; the windows (project days, mismatches, lawsuits…) keep what their rules read.
"""

from __future__ import annotations

import datetime as dt
import os
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import ibis
import ibis.expr.types as ir
import pyarrow as pa
import pyarrow.parquet as pq

from anxin.core.crypto import person_ids
from anxin.monitoring.engine import AS_OF, Engine
from anxin.monitoring.rules.base import amount_due, ledger_periods
from anxin.monitoring.schema import SCHEMAS

#: State tables kept between runs (the rules read them under the same names).
STATE_SCHEMAS: dict[str, pa.Schema] = {
    name: SCHEMAS[name]
    for name in (
        "ledger",
        "ledger_periods",
        "project_days",
        "accounts",
        "inflow_months",
        "failed_payments",
        "card_mismatches",
        "employer_months",
        "lawsuits",
        "unregistered",
        "person_months",
    )
}

#: Tables stored one file per part (``ledger.2025-06.parquet``): a day's events touch one or two
#: periods (months), so only those parts are re-aggregated and rewritten; the others are kept as
#: they are (hard-linked from the previous snapshot).
PARTITIONED = {"ledger": "period", "ledger_periods": "period", "person_months": "month"}

#: Tables a snapshot written by an earlier version held under another name, with more rows per
#: key (``person_project_months``: by project too). Read in their place and merged whole once,
#: which regroups them by the new key; the new snapshot has the new name.
LEGACY = {"person_months": "person_project_months"}

LEDGER_KEEP_MONTHS = 14
PROJECT_DAYS_KEEP = 35
MISMATCH_KEEP_DAYS = 120
LAWSUIT_KEEP_DAYS = 120
FAILED_KEEP_DAYS = 60
UNREGISTERED_KEEP_DAYS = 30
PERSON_MONTHS_KEEP = 13
EMPLOYER_MONTHS_KEEP = 15


def month_of(day: ir.DateValue) -> ir.StringValue:
    """'YYYY-MM' of a date, spelled the same on every engine."""
    return day.year().cast("string") + "-" + day.month().cast("string").lpad(2, "0")


def months_before(day: dt.date, n: int) -> str:
    year, month = day.year, day.month - n
    while month <= 0:
        year, month = year - 1, month + 12
    return f"{year:04d}-{month:02d}"


def _newest(column: ir.Value, rank: ir.IntegerColumn) -> ir.Value:
    """The value from the newest row (highest rank) where it is not null."""
    return column.argmax(ibis.cases((column.notnull(), rank), else_=ibis.null("int64")))


def _signed(rows: ir.Table, retracted: ir.Table | None, keep: Any) -> ir.Table:
    """``rows`` with ``_sign`` 1, and the ``retracted`` versions they replace (those ``keep``
    selects) with their ``amount`` negated and ``_sign`` −1: summed together, what changed."""
    plus = rows.mutate(_sign=ibis.literal(1, "int64"))
    if retracted is None:
        return plus
    if keep is not None:
        retracted = retracted.filter(keep(retracted))
    minus = retracted.mutate(amount=-retracted.amount, _sign=ibis.literal(-1, "int64")).select(*plus.columns)
    return ibis.union(plus, minus, distinct=False)


def _full_join(left: ir.Table, right: ir.Table, keys: list[str]) -> ir.Table:
    """``left`` ⟗ ``right`` on equal ``keys`` (each side unique by them); select with ``_keys``."""
    return left.outer_join(right, [left[k] == right[k] for k in keys])


def _keys(left: ir.Table, right: ir.Table, keys: list[str]) -> list[ir.Value]:
    """The key columns of a full join: from whichever side has the row."""
    return [ibis.coalesce(left[k], right[k]).name(k) for k in keys]


def _cast(table: ir.Table, schema: pa.Schema) -> ir.Table:
    """Select a table's columns in the schema's order and types (so every engine writes the same)."""
    types = {
        pa.string(): "string",
        pa.int64(): "int64",
        pa.date32(): "date",
        pa.bool_(): "boolean",
        pa.float64(): "float64",
    }
    return table.select(*[table[f.name].cast(types[f.type]).name(f.name) for f in schema])


def upgrade_person_keys(folder: Path) -> int:
    """Rewrite the files of a snapshot written before people were ``person_id`` (they hold the
    hex ``person_key``) with the id in its place; returns how many. Each file is replaced
    atomically, so a crash half-way leaves a snapshot of old and new files, each readable, and
    the next read upgrades the rest. (Files hard-linked from older snapshots stay as they are
    there: the link is replaced here only.)"""
    upgraded = 0
    for path in sorted(folder.glob("*.parquet")):
        names = pq.read_schema(path).names
        if "person_key" not in names or "person_id" in names:
            continue
        table = pq.read_table(path)
        at = names.index("person_key")
        table = table.remove_column(at).add_column(at, "person_id", person_ids(table["person_key"]))
        tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
        pq.write_table(table, tmp, compression="zstd")
        os.replace(tmp, path)
        upgraded += 1
    return upgraded


@dataclass
class Snapshot:
    """A state snapshot on disk: ``NAME.parquet`` per table, ``NAME.PART.parquet`` per part of
    the ``PARTITIONED`` tables (a snapshot written before they were split has ``NAME.parquet``).
    One written before people were ``person_id`` is upgraded when opened."""

    folder: Path | None

    def __post_init__(self) -> None:
        if self.folder is not None and self.folder.exists():
            upgrade_person_keys(self.folder)

    def files(self, name: str) -> list[Path]:
        if self.folder is None:
            return []
        whole = self.folder / f"{name}.parquet"
        if whole.exists():
            return [whole]
        found = sorted(self.folder.glob(f"{name}.*.parquet")) if name in PARTITIONED else []
        if not found and name in LEGACY:
            legacy = LEGACY[name]
            whole = self.folder / f"{legacy}.parquet"
            return [whole] if whole.exists() else sorted(self.folder.glob(f"{legacy}.*.parquet"))
        return found

    def parts(self, name: str) -> dict[str, Path] | None:
        """Part → file of a partitioned table; None when the snapshot has it in one file (or
        under its ``LEGACY`` name): then it is merged whole."""
        if self.folder is None:
            return {}
        if (self.folder / f"{name}.parquet").exists():
            return None
        if name in LEGACY and not any(self.folder.glob(f"{name}.*.parquet")) and self.files(name):
            return None
        return {path.name[len(name) + 1 : -len(".parquet")]: path for path in self.files(name)}


@dataclass
class NewState:
    """The state as of D, being put together in ``folder`` (renamed into place by the caller):
    files the engine wrote there (stem → path), files still to write (stem → rows) and files kept
    from D−1 (stem → path)."""

    folder: Path
    written: dict[str, Path] = field(default_factory=dict)
    tables: dict[str, pa.Table] = field(default_factory=dict)
    carried: dict[str, Path] = field(default_factory=dict)

    def stems(self) -> list[str]:
        return sorted({*self.written, *self.tables, *self.carried})

    def rows(self, stem: str) -> pa.Table:
        """A file's rows, wherever they are (for checks and tests)."""
        if stem in self.tables:
            return self.tables[stem]
        return pq.read_table(self.written.get(stem) or self.carried[stem])


def read_tables(engine: Engine, snapshot: Snapshot, prefix: str, log: bool = True) -> dict[str, ir.Table]:
    """Every state table of a snapshot as an engine table read in place (a view over its files)."""
    return {
        name: engine.read_parquet(snapshot.files(name), schema, f"{prefix}_{name}", log=log)
        for name, schema in STATE_SCHEMAS.items()
    }


def employment_on_work_date(attendance: ir.Table, employments: ir.Table) -> ir.Table:
    """Attendance with the employment active on its work date (one per worker and day).

    One left join on project and person with the date range as a residual condition (engines
    hash-join on the equalities and filter the range, where an OR in the condition would fall
    back to a nested loop); where several employments are active that day, the one with an
    employer, then the latest started, is kept. Only workers with more than one employment on
    the project go through that choice (a window over their rows): ranking all 0.7 M rows of a
    province day cost more than the join.
    """
    pair = ["project_code", "person_id"]
    counts = employments.group_by(pair).aggregate(_k=employments.count())
    several = counts.filter(counts._k > 1).select(*pair)

    def joined(a: ir.Table, e: ir.Table) -> ir.Table:
        return a.left_join(
            e,
            [
                a.project_code == e.project_code,
                a.person_id == e.person_id,
                e.start_date <= a.work_date,
                ibis.coalesce(e.end_date, ibis.date("9999-12-31")) >= a.work_date,
            ],
        ).select(
            project_code=a.project_code,
            person_id=a.person_id,
            id_masked=a.id_masked,
            work_date=a.work_date,
            employer_uscc=e.employer_uscc,
            wage_type=e.wage_type,
            wage_rate_fen=e.wage_rate_fen,
            pay_day=e.pay_day,
            start_date=e.start_date,
            registered=e.person_id.notnull(),
        )

    # A worker with one employment on the project matches it or nothing: no choice to make.
    one = joined(attendance.anti_join(several, pair), employments.anti_join(several, pair)).drop("start_date")
    # Those with several (a re-hire, a second employer) get the preferred one active that day.
    many = joined(attendance.semi_join(several, pair), employments.semi_join(several, pair))
    pick = ibis.window(
        group_by=[many.project_code, many.person_id, many.work_date],
        order_by=[many.employer_uscc.desc(nulls_first=False), many.start_date.desc()],
    )
    ranked = many.mutate(_n=ibis.row_number().over(pick))
    chosen = ranked.filter(ranked._n == 0).drop("_n", "start_date")
    return ibis.union(one, chosen, distinct=False)


def advance(
    engine: Engine,
    previous: Snapshot,
    events: Mapping[str, pa.Table],
    registry: Mapping[str, ir.Table],
    as_of: dt.date,
    folder: Path,
    timings: dict[str, float] | None = None,
) -> NewState:
    """The state as of ``as_of`` from the snapshot of the day before and the day's events, its
    files written into ``folder`` (``timings``, if given, gets the seconds each step took).

    The previous state is read in place. The partitioned tables re-aggregate only the parts
    (periods, months) that the day's rows touch; their other parts are carried over as they
    are, which gives the same rows as merging everything: a key with no new row keeps its one
    row unchanged (each aggregate of one row is that row's value)."""
    day = AS_OF
    prev = {
        name: engine.read_parquet(previous.files(name), schema, f"prev_{name}")
        for name, schema in STATE_SCHEMAS.items()
        if name not in PARTITIONED
    }
    new = NewState(folder)

    def touched_parts(name: str, rows: ir.Table) -> ir.Table:
        """The previous rows of the parts that ``rows`` (the day's) touch; the others are carried."""
        parts = previous.parts(name)
        if parts is None:  # one file: merge all of it (once; the new snapshot is split)
            return engine.read_parquet(previous.files(name), STATE_SCHEMAS[name], f"prev_{name}")
        column = PARTITIONED[name]
        values = engine.execute(rows.select(column).distinct(), as_of)[column]
        touched = {v for v in values.to_pylist() if v is not None}
        for part, path in parts.items():
            if part not in touched:
                new.carried[f"{name}.{part}"] = path
        files = [parts[p] for p in sorted(touched) if p in parts]
        return engine.read_parquet(files, STATE_SCHEMAS[name], f"prev_{name}")

    ev = {name: engine.table(table, f"events_{name}") for name, table in events.items()}
    employments, projects, people = registry["employments"], registry["projects"], registry["people"]
    out: dict[str, ir.Table] = {}

    # Late corrections: a re-sent row that replaced a version this state already counted.
    # Attendance is keyed by its day, so a corrected row changes no count: it is left out.
    # Payments and inflows add up: the old version is subtracted (``_signed``) as the new is added.
    att_events = ev["attendance"]
    retracted_att = ev.get("retracted_attendance")
    if retracted_att is not None:
        att_events = att_events.anti_join(retracted_att, ["project_code", "person_id", "work_date"])

    # Worked out once and shared by the ledger, the headcounts and the unregistered list.
    started = time.perf_counter()
    attendance = engine.materialise(
        employment_on_work_date(att_events, employments), as_of, "state_attendance_employed"
    )
    span = engine.execute(
        attendance.aggregate(first=attendance.work_date.min(), last=attendance.work_date.max()), as_of
    ).to_pylist()[0]
    one_work_date = span["first"] == span["last"]  # the daily flow, when no late rows came
    if timings is not None:
        timings["advance attendance × employments"] = time.perf_counter() - started
    payments = ev["wage_payments"]
    success = payments.filter(payments.status == "success")
    # What the day adds to the sums of money paid: its successful payments, less the earlier
    # versions of those it corrects (their amounts negated, ``_sign`` −1 for the counts).
    signed = _signed(success, ev.get("retracted_wage_payments"), lambda t: t.status == "success")

    # --- ledger: worker × project × period --------------------------------------------------
    # The day's attendance has one row per worker, project and work date: the lake keeps one row
    # per key (project, ID, work date) in each day's partition, late rows come from the partitions
    # of other days, and a corrected row is left out above. So days and heads are counted with
    # ``count`` rather than a distinct count (a hash set per group, several times the cost).
    if one_work_date:
        # All of one day, so each worker-project-period has one row: its own group (as grouping
        # would give, for a fraction of the cost of arg_max over 0.7 M groups of one row).
        att_part = attendance.select(
            "project_code",
            "person_id",
            month_of(attendance.work_date).name("period"),
            "id_masked",
            "employer_uscc",
            "wage_type",
            "wage_rate_fen",
            "pay_day",
            days_attended=ibis.literal(1, "int64"),
            first_attended_on=attendance.work_date,
            last_attended_on=attendance.work_date,
        )
    else:
        att_part = attendance.group_by(
            ["project_code", "person_id", month_of(attendance.work_date).name("period")]
        ).aggregate(
            id_masked=attendance.id_masked.max(),
            employer_uscc=attendance.employer_uscc.argmax(attendance.work_date),
            wage_type=attendance.wage_type.argmax(attendance.work_date),
            wage_rate_fen=attendance.wage_rate_fen.argmax(attendance.work_date),
            pay_day=attendance.pay_day.argmax(attendance.work_date),
            days_attended=attendance.count(),  # one row per worker, project and day (below)
            first_attended_on=attendance.work_date.min(),
            last_attended_on=attendance.work_date.max(),
        )
    payrolls = ev["payrolls"]
    pay_part = payrolls.group_by(["project_code", "person_id", "period"]).aggregate(
        id_masked=payrolls.id_masked.max(),
        payroll_employer=payrolls.employer_uscc.min(),
        payroll_net_fen=payrolls.net_amount.sum(),
        payroll_gross_fen=payrolls.gross_amount.sum(),
        payroll_days=payrolls.days_worked.max(),
        payroll_confirmed=(payrolls.confirmed.fill_null(False).cast("int64").min() == 1),
        payroll_submitted_on=payrolls.submitted_on.max(),
    )
    paid_part = signed.group_by(["project_code", "person_id", "period"]).aggregate(
        id_masked=signed.id_masked.max(),
        paid_fen=signed.amount.sum(),
        paid_special_fen=ibis.cases((signed.channel == "special_account", signed.amount), else_=0).sum(),
        paid_other_fen=ibis.cases((signed.channel != "special_account", signed.amount), else_=0).sum(),
        count_payments=signed._sign.sum().cast("int64"),
        first_paid_on=signed.paid_on.min(),
        last_paid_on=signed.paid_on.max(),
    )
    null_i, null_d = ibis.null("int64"), ibis.null("date")
    keys = ["project_code", "person_id", "period"]

    # The day's rows, one per key: attendance, payroll and payments each have at most one row
    # per key, so outer joins combine them (a payroll's employer and ID take precedence).
    ap = _full_join(att_part, pay_part, keys)
    day_rows_expr = ap.select(
        *_keys(att_part, pay_part, keys),
        id_masked=ibis.coalesce(pay_part.id_masked, att_part.id_masked),
        employer_uscc=ibis.coalesce(pay_part.payroll_employer, att_part.employer_uscc),
        wage_type=att_part.wage_type,
        wage_rate_fen=att_part.wage_rate_fen,
        pay_day=att_part.pay_day,
        days_attended=att_part.days_attended,
        first_attended_on=att_part.first_attended_on,
        last_attended_on=att_part.last_attended_on,
        payroll_net_fen=pay_part.payroll_net_fen,
        payroll_gross_fen=pay_part.payroll_gross_fen,
        payroll_days=pay_part.payroll_days,
        payroll_confirmed=pay_part.payroll_confirmed,
        payroll_submitted_on=pay_part.payroll_submitted_on,
    )
    started = time.perf_counter()
    ap_rows = engine.materialise(day_rows_expr, as_of, "state_ledger_day_ap")
    dp = _full_join(ap_rows, paid_part, keys)
    day_expr = dp.select(
        *_keys(ap_rows, paid_part, keys),
        **{
            c: (ibis.coalesce(ap_rows.id_masked, paid_part.id_masked) if c == "id_masked" else ap_rows[c])
            for c in ap_rows.columns
            if c not in keys
        },
        paid_fen=paid_part.paid_fen,
        paid_special_fen=paid_part.paid_special_fen,
        paid_other_fen=paid_part.paid_other_fen,
        count_payments=paid_part.count_payments,
        first_paid_on=paid_part.first_paid_on,
        last_paid_on=paid_part.last_paid_on,
    )
    # The day's rows first (small), so that only the periods they touch are merged.
    day_t = engine.materialise(day_expr, as_of, "state_ledger_day")
    old = touched_parts("ledger", day_t)
    if timings is not None:
        timings["advance ledger (the day's rows)"] = time.perf_counter() - started

    # Then the previous rows of those periods: a full outer join by key (each side has one row
    # per key), sums added, first/last dates the least/greatest, the day's values replacing
    # the old ones where the day has them. Far cheaper than grouping the union of both sides.
    j = _full_join(old, day_t, keys)

    def added(c: str) -> ir.Value:
        return ibis.coalesce(old[c], 0) + ibis.coalesce(day_t[c], 0)

    def newer(c: str) -> ir.Value:
        return ibis.coalesce(day_t[c], old[c])

    merged = j.select(
        *_keys(old, day_t, keys),
        id_masked=newer("id_masked"),
        employer_uscc=newer("employer_uscc"),
        wage_type=newer("wage_type"),
        wage_rate_fen=newer("wage_rate_fen"),
        pay_day=newer("pay_day"),
        days_attended=added("days_attended"),
        first_attended_on=ibis.least(old.first_attended_on, day_t.first_attended_on),
        last_attended_on=ibis.greatest(old.last_attended_on, day_t.last_attended_on),
        payroll_net_fen=newer("payroll_net_fen"),
        payroll_gross_fen=newer("payroll_gross_fen"),
        payroll_days=newer("payroll_days"),
        payroll_confirmed=newer("payroll_confirmed"),
        payroll_submitted_on=ibis.greatest(old.payroll_submitted_on, day_t.payroll_submitted_on),
        paid_fen=added("paid_fen"),
        paid_special_fen=added("paid_special_fen"),
        paid_other_fen=added("paid_other_fen"),
        count_payments=added("count_payments"),
        first_paid_on=ibis.least(old.first_paid_on, day_t.first_paid_on),
        last_paid_on=ibis.greatest(old.last_paid_on, day_t.last_paid_on),
        paid_full_on=old.paid_full_on,
    )
    merged = merged.mutate(
        days_attended=merged.days_attended.fill_null(0),
        paid_fen=merged.paid_fen.fill_null(0),
        paid_special_fen=merged.paid_special_fen.fill_null(0),
        paid_other_fen=merged.paid_other_fen.fill_null(0),
        count_payments=merged.count_payments.fill_null(0),
    )
    due = amount_due(merged)
    merged = merged.mutate(
        paid_full_on=ibis.coalesce(
            merged.paid_full_on,
            # The date of the payment that completed it: the day itself in the daily flow, and the
            # right date too when a first run folds in history or late rows arrive.
            ibis.cases(
                ((merged.paid_fen > 0) & due.notnull() & (merged.paid_fen >= due), merged.last_paid_on), else_=null_d
            ),
        )
    )
    keep_from = months_before(as_of, LEDGER_KEEP_MONTHS)
    still_owed = amount_due(merged).fill_null(0) > merged.paid_fen
    out["ledger"] = merged.filter((merged.period >= keep_from) | still_owed)

    # --- headcount per project and day --------------------------------------------------------
    heads = attendance.group_by(["project_code", attendance.work_date.name("day")]).aggregate(
        headcount=attendance.count()
    )
    pd_union = ibis.union(prev["project_days"], heads.select("project_code", "day", "headcount"), distinct=False)
    pd_all = pd_union.group_by(["project_code", "day"]).aggregate(headcount=pd_union.headcount.sum())
    out["project_days"] = pd_all.filter(pd_all.day > day - ibis.interval(days=PROJECT_DAYS_KEEP))

    # --- special account ----------------------------------------------------------------------
    inflows = _signed(ev["account_inflows"], ev.get("retracted_account_inflows"), None)
    inflow_part = inflows.group_by("project_code").aggregate(
        inflow_fen=inflows.amount.sum(),
        count_inflows=inflows._sign.sum().cast("int64"),
        first_inflow_on=inflows.received_on.min(),
        last_inflow_on=inflows.received_on.max(),
    )
    from_account = signed.join(projects, signed.project_code == projects.project_code).filter(
        signed.account_no == projects.wage_account_no
    )
    from_account_part = from_account.group_by(from_account.project_code).aggregate(
        paid_from_account_fen=from_account.amount.sum()
    )
    acc_union = ibis.union(
        prev["accounts"],
        inflow_part.mutate(paid_from_account_fen=null_i).select(*SCHEMAS["accounts"].names),
        from_account_part.select(
            project_code=from_account_part.project_code,
            inflow_fen=null_i,
            count_inflows=null_i,
            first_inflow_on=null_d,
            last_inflow_on=null_d,
            paid_from_account_fen=from_account_part.paid_from_account_fen,
        ),
        distinct=False,
    )
    accounts = acc_union.group_by("project_code").aggregate(
        inflow_fen=acc_union.inflow_fen.sum(),
        count_inflows=acc_union.count_inflows.sum(),
        first_inflow_on=acc_union.first_inflow_on.min(),
        last_inflow_on=acc_union.last_inflow_on.max(),
        paid_from_account_fen=acc_union.paid_from_account_fen.sum(),
    )
    out["accounts"] = accounts.mutate(
        inflow_fen=accounts.inflow_fen.fill_null(0),
        count_inflows=accounts.count_inflows.fill_null(0),
        paid_from_account_fen=accounts.paid_from_account_fen.fill_null(0),
    )
    im_new = inflows.group_by(["project_code", month_of(inflows.received_on).name("month")]).aggregate(
        inflow_fen=inflows.amount.sum()
    )
    im_union = ibis.union(prev["inflow_months"], im_new.select("project_code", "month", "inflow_fen"), distinct=False)
    out["inflow_months"] = im_union.group_by(["project_code", "month"]).aggregate(inflow_fen=im_union.inflow_fen.sum())

    # --- failed transfers and their re-payment -------------------------------------------------
    failed_new = payments.filter(payments.status != "success").select(
        txn_id=payments.txn_id,
        project_code=payments.project_code,
        person_id=payments.person_id,
        id_masked=payments.id_masked,
        period=payments.period,
        amount_fen=payments.amount,
        failed_on=payments.paid_on,
        status=payments.status,
        repaid_on=null_d,
    )
    fp = ibis.union(prev["failed_payments"], failed_new, distinct=False)
    fp = fp.group_by("txn_id").aggregate(
        **{c: fp[c].argmax(fp.failed_on) for c in SCHEMAS["failed_payments"].names if c not in ("txn_id", "repaid_on")},
        repaid_on=fp.repaid_on.min(),
    )
    repay = success.group_by(["project_code", "person_id", "period"]).aggregate(repay_on=success.paid_on.min())
    fp_j = fp.left_join(
        repay,
        (fp.project_code == repay.project_code) & (fp.person_id == repay.person_id) & (fp.period == repay.period),
    )
    fp2 = fp_j.select(
        *[fp[c] for c in SCHEMAS["failed_payments"].names if c != "repaid_on"],
        repaid_on=ibis.coalesce(
            fp.repaid_on, ibis.cases((repay.repay_on >= fp.failed_on, repay.repay_on), else_=null_d)
        ),
    )
    out["failed_payments"] = fp2.filter(
        fp2.repaid_on.isnull() | (fp2.repaid_on > day - ibis.interval(days=FAILED_KEEP_DAYS))
    )

    # --- payments to a card that is not the worker's ------------------------------------------
    mism = success.join(people, success.person_id == people.person_id).filter(
        people.bank_card_key.notnull()
        & (people.bank_card_key != "")
        & success.card_key.notnull()
        & (success.card_key != people.bank_card_key)
    )
    mism_new = mism.select(
        txn_id=success.txn_id,
        project_code=success.project_code,
        person_id=success.person_id,
        id_masked=success.id_masked,
        period=success.period,
        amount_fen=success.amount,
        paid_on=success.paid_on,
        card_last4=success.card_last4,
    )
    cm = ibis.union(prev["card_mismatches"], mism_new, distinct=False)
    cm = cm.group_by("txn_id").aggregate(**{c: cm[c].max() for c in SCHEMAS["card_mismatches"].names if c != "txn_id"})
    out["card_mismatches"] = cm.filter(cm.paid_on > day - ibis.interval(days=MISMATCH_KEEP_DAYS))

    # --- pay per person and month, across projects (WP09) ----------------------------------------
    # Summed across projects here, not by the rule: the rule then reads one row per person-month
    # instead of regrouping 9 M person-project-months every day.
    pm_new = signed.group_by(["person_id", month_of(signed.paid_on).name("month")]).aggregate(
        paid_fen=signed.amount.sum()
    )
    pm_day = engine.materialise(pm_new.select("person_id", "month", "paid_fen"), as_of, "state_pm_day")
    pm = ibis.union(touched_parts("person_months", pm_day), pm_day, distinct=False)
    pm = pm.group_by(["person_id", "month"]).aggregate(paid_fen=pm.paid_fen.sum())
    out["person_months"] = pm.filter(pm.month >= months_before(as_of, PERSON_MONTHS_KEEP))

    # --- monthly feeds per employer -------------------------------------------------------------
    si, util = ev["social_insurance"], ev["utilities"]
    em_new = ibis.union(
        si.select(
            uscc=si.uscc,
            month=si.month,
            insured_headcount=si.insured_headcount,
            contributions_due_fen=si.contributions_due,
            contributions_paid_fen=si.contributions_paid,
            electricity_kwh=ibis.null("float64"),
            _rank=ibis.literal(1, "int64"),
        ),
        util.select(
            uscc=util.uscc,
            month=util.month,
            insured_headcount=null_i,
            contributions_due_fen=null_i,
            contributions_paid_fen=null_i,
            electricity_kwh=util.electricity_kwh.cast("float64"),
            _rank=ibis.literal(1, "int64"),
        ),
        prev["employer_months"].mutate(_rank=ibis.literal(0, "int64")),
        distinct=False,
    )
    em = em_new.group_by(["uscc", "month"]).aggregate(
        **{c: _newest(em_new[c], em_new._rank) for c in SCHEMAS["employer_months"].names if c not in ("uscc", "month")}
    )
    out["employer_months"] = em.filter(em.month >= months_before(as_of, EMPLOYER_MONTHS_KEEP))

    # --- lawsuits --------------------------------------------------------------------------------
    law = ev["lawsuits"]
    law_new = law.select(
        case_no=law.case_no,
        uscc=law.uscc,
        filed_on=law.filed_on,
        cause=law.cause,
        plaintiffs=law.plaintiffs,
        amount_fen=law.amount,
    )
    lw = ibis.union(prev["lawsuits"], law_new, distinct=False)
    lw = lw.group_by("case_no").aggregate(**{c: lw[c].max() for c in SCHEMAS["lawsuits"].names if c != "case_no"})
    out["lawsuits"] = lw.filter(lw.filed_on > day - ibis.interval(days=LAWSUIT_KEEP_DAYS))

    # --- on site without registration ------------------------------------------------------------
    unreg = attendance.filter(~attendance.registered)
    unreg_new = unreg.group_by(["project_code", "person_id"]).aggregate(
        id_masked=unreg.id_masked.max(),
        first_seen_on=unreg.work_date.min(),
        last_seen_on=unreg.work_date.max(),
        days=unreg.work_date.nunique().cast("int64"),
    )
    ur = ibis.union(prev["unregistered"], unreg_new.select(*SCHEMAS["unregistered"].names), distinct=False)
    ur = ur.group_by(["project_code", "person_id"]).aggregate(
        id_masked=ur.id_masked.max(),
        first_seen_on=ur.first_seen_on.min(),
        last_seen_on=ur.last_seen_on.max(),
        days=ur.days.sum(),
    )
    out["unregistered"] = ur.filter(ur.last_seen_on > day - ibis.interval(days=UNREGISTERED_KEEP_DAYS))

    for name, expr in out.items():
        started = time.perf_counter()
        new.written.update(
            engine.write_parts(_cast(expr, STATE_SCHEMAS[name]), as_of, folder, name, PARTITIONED.get(name))
        )
        if timings is not None:
            timings[f"advance {name}"] = time.perf_counter() - started

    # Retention of the carried parts: periods past the ledger's window keep only what is still
    # owed (filtered once, when the period leaves the window), months past 13 are dropped.
    started = time.perf_counter()
    pm_from = months_before(as_of, PERSON_MONTHS_KEEP)
    for stem, path in list(new.carried.items()):
        name, _, part = stem.partition(".")
        if name == "person_months" and part < pm_from:
            del new.carried[stem]
        elif name == "ledger" and part < keep_from:
            rows = engine.read_parquet([path], STATE_SCHEMAS["ledger"], "prev_ledger_part")
            kept = engine.execute(rows.filter(amount_due(rows).fill_null(0) > rows.paid_fen), as_of)
            if kept.num_rows < pq.read_metadata(path).num_rows:
                del new.carried[stem]
                if kept.num_rows:
                    new.tables[stem] = kept
    if timings is not None:
        timings["advance retention of kept parts"] = time.perf_counter() - started

    # The ledger's sums by project and period, part for part: summed anew for the parts written
    # today, carried with the ledger parts carried (summed from them if the snapshot had none).
    started = time.perf_counter()
    sums_before = previous.parts("ledger_periods") or {}
    written = [path for stem, path in new.written.items() if stem.startswith("ledger.")]
    kept_rows = [table for stem, table in new.tables.items() if stem.startswith("ledger.")]
    unsummed = []
    for stem, path in list(new.carried.items()):
        if stem.startswith("ledger."):
            part = stem.partition(".")[2]
            if part in sums_before:
                new.carried[f"ledger_periods.{part}"] = sums_before[part]
            else:
                unsummed.append(path)
    sources = []
    if written:
        sources.append(engine.read_parquet(written, STATE_SCHEMAS["ledger"], "state_ledger_written", log=False))
    if kept_rows:
        sources.append(engine.table(pa.concat_tables(kept_rows), "state_ledger_kept"))
    if unsummed:
        sources.append(engine.read_parquet(unsummed, STATE_SCHEMAS["ledger"], "prev_ledger_unsummed"))
    if sources:
        ledger_rows = sources[0] if len(sources) == 1 else ibis.union(*sources, distinct=False)
        sums = _cast(ledger_periods(ledger_rows), STATE_SCHEMAS["ledger_periods"])
        new.written.update(engine.write_parts(sums, as_of, folder, "ledger_periods", "period"))
    if timings is not None:
        timings["advance ledger_periods"] = time.perf_counter() - started
    return new
