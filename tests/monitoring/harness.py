"""Tiny contexts for rule tests: an in-memory DuckDB with every table of ``schema.SCHEMAS``.

``make_context(as_of, params, ledger=[...], projects=[...])`` fills the tables given as
lists of dicts (missing columns are null, ISO date strings become dates), leaves the
others empty, and adds the ``calendar`` (2024–2026, with 调休) and ``due_dates`` (every
period 2024-01..2026-11 × pay day 1..31, arrears after the default grace of 3 working days)
unless given.
"""

from __future__ import annotations

import datetime as dt
from functools import cache
from typing import Any

import ibis
import pyarrow as pa

from anxin.core.calendar import UnknownCalendarYear, WorkingCalendar, first_arrears_date, pay_due_date
from anxin.monitoring.engine import AS_OF
from anxin.monitoring.rules.base import Context, Rule, ledger_periods
from anxin.monitoring.schema import SCHEMAS

GRACE_WORKING_DAYS = 3


@cache
def calendar_rows() -> tuple[dict[str, Any], ...]:
    cal = WorkingCalendar()
    return tuple(
        {"day": day, "is_working_day": working} for day, working in cal.days(dt.date(2024, 1, 1), dt.date(2026, 12, 31))
    )


@cache
def due_date_rows() -> tuple[dict[str, Any], ...]:
    cal = WorkingCalendar()
    rows = []
    for year in (2024, 2025, 2026):
        for month in range(1, 13):
            period = f"{year}-{month:02d}"
            for pay_day in range(1, 32):
                try:
                    due = pay_due_date(period, pay_day, cal)
                    arrears = first_arrears_date(due, GRACE_WORKING_DAYS, cal)
                except UnknownCalendarYear:
                    continue
                rows.append({"period": period, "pay_day": pay_day, "due_on": due, "arrears_on": arrears})
    return tuple(rows)


@cache
def _fixed_table(name: str) -> pa.Table:
    rows = calendar_rows() if name == "calendar" else due_date_rows()
    return pa.Table.from_pylist(list(rows), schema=SCHEMAS[name])


def _coerce(value: Any, type_: pa.DataType) -> Any:
    if isinstance(value, str) and pa.types.is_date(type_):
        return dt.date.fromisoformat(value)
    return value


def arrow_table(name: str, rows: list[dict[str, Any]]) -> pa.Table:
    schema = SCHEMAS[name]
    unknown = {key for row in rows for key in row} - set(schema.names)
    if unknown:
        raise KeyError(f"{name} has no column(s) {sorted(unknown)}")
    full = [{f.name: _coerce(row.get(f.name), f.type) for f in schema} for row in rows]
    return pa.Table.from_pylist(full, schema=schema)


def make_context(as_of: dt.date | str, params: dict[str, Any] | None = None, **tables: list[dict[str, Any]]) -> Context:
    """A rule context over an in-memory DuckDB holding ``tables`` (every other table empty)."""
    if isinstance(as_of, str):
        as_of = dt.date.fromisoformat(as_of)
    unknown = set(tables) - set(SCHEMAS)
    if unknown:
        raise KeyError(f"no such table(s): {sorted(unknown)}")
    con = ibis.duckdb.connect()
    exprs = {}
    for name, schema in SCHEMAS.items():
        if name == "ledger_periods" and name not in tables:
            continue  # the ledger's sums: derived from it below, as the daily state does
        if name in tables:
            data = arrow_table(name, tables[name])
        elif name in ("calendar", "due_dates"):
            data = _fixed_table(name)
        else:
            data = schema.empty_table()
        # a view over the Arrow table: much faster to set up than CREATE TABLE for tiny fixtures
        con.con.register(name, data)
        exprs[name] = con.table(name)
    if "ledger_periods" not in exprs:
        con.con.register("ledger_periods", ledger_periods(exprs["ledger"]).to_pyarrow().cast(SCHEMAS["ledger_periods"]))
        exprs["ledger_periods"] = con.table("ledger_periods")
    return Context(as_of=as_of, tables=exprs, params=dict(params or {}))


def run_find(rule: Rule, ctx: Context) -> list[dict[str, Any]]:
    """The rule's findings as dicts (rule defaults overlaid with the context's params), by subject."""
    ctx = Context(as_of=ctx.as_of, tables=ctx.tables, params={**rule.defaults, **ctx.params})
    rows = rule.find(ctx).to_pyarrow(params={AS_OF: ctx.as_of}).to_pylist()
    return sorted(rows, key=lambda r: (r.get("subject_type") or "", r["subject_id"]))


def run_details(rule: Rule, ctx: Context) -> list[dict[str, Any]]:
    ctx = Context(as_of=ctx.as_of, tables=ctx.tables, params={**rule.defaults, **ctx.params})
    expr = rule.details(ctx)
    assert expr is not None, f"{rule.code} has no details"
    rows = expr.to_pyarrow(params={AS_OF: ctx.as_of}).to_pylist()
    return sorted(rows, key=lambda r: [str(v) for v in r.values()])
