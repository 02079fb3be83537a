"""What a rule is, and the helpers rules share.

A rule is a small object: its code, title and the article of law it rests on, the
subject it judges (a project or an enterprise), its default thresholds, and two Ibis
expressions over the tables of ``anxin.monitoring.schema``:

- ``find(ctx)``: one row per subject found, with ``subject_id``, ``severity``
  (``low``/``medium``/``high``), ``workers`` and ``amount_fen`` (null where they do not
  apply) and any number of ``ev_*`` scalar columns that become the evidence;
- ``details(ctx)`` (optional): rows that list *which* workers, periods, dates and sums,
  keyed by ``subject_id``; the run keeps the first rows by ``amount_fen`` (then the
  other columns) for the evidence.

Ibis keeps each rule engine-neutral: the same expression runs on DuckDB (default) and
on PySpark, and a test proves both give the same findings. Ordering-sensitive steps
order by a unique key so both engines agree.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, ClassVar

import ibis
import ibis.expr.types as ir

#: Days in a month of normal working time for monthly pay (劳社部发〔2008〕3号: 21.75), in hundredths.
MONTH_WORKING_DAYS_X100 = 2175


@dataclass(frozen=True)
class Context:
    """What a rule sees: the date, the tables as of that date, and its thresholds."""

    as_of: dt.date
    tables: Mapping[str, ir.Table]
    params: Mapping[str, Any] = field(default_factory=dict)

    def __getitem__(self, name: str) -> ir.Table:
        return self.tables[name]

    @property
    def day(self) -> ir.DateScalar:
        return ibis.date(self.as_of.isoformat())


class Rule:
    code: ClassVar[str]
    title: ClassVar[str]
    article: ClassVar[str]
    subject_type: ClassVar[str] = "project"
    #: Which contract-performance sub-score a finding deducts from (RULES.md), if any.
    family: ClassVar[str] = ""
    defaults: ClassVar[dict[str, Any]] = {}

    def find(self, ctx: Context) -> ir.Table:
        raise NotImplementedError

    def details(self, ctx: Context) -> ir.Table | None:
        return None


RULES: dict[str, Rule] = {}


def register(cls: type[Rule]) -> type[Rule]:
    """Add a rule to the catalog (one module per rule, imported by ``rules/__init__``)."""
    if cls.code in RULES:
        raise ValueError(f"rule {cls.code} registered twice")
    RULES[cls.code] = cls()
    return cls


def lit_date(day: dt.date) -> ir.DateScalar:
    return ibis.date(day.isoformat())


def amount_due(ledger: ir.Table) -> ir.IntegerColumn:
    """The wage due for a ledger row (RULES.md): the payroll's net amount; with no payroll
    line, days × rate for daily pay, rate × days ÷ 21.75 (at most the rate) for monthly
    pay, rounded to the fen; unknown (null) for piece work."""
    daily = ledger.days_attended * ledger.wage_rate_fen
    monthly_raw = (ledger.wage_rate_fen * ledger.days_attended * 100 + MONTH_WORKING_DAYS_X100 // 2) // MONTH_WORKING_DAYS_X100
    monthly = ibis.least(monthly_raw, ledger.wage_rate_fen)
    estimated = (
        ibis.cases(
            (ledger.wage_type == "daily", daily),
            (ledger.wage_type == "monthly", monthly),
            else_=ibis.null("int64"),
        )
    )
    return ibis.coalesce(ledger.payroll_net_fen, estimated).cast("int64")


def with_due(ctx: Context, default_pay_day: int) -> ir.Table:
    """The ledger with ``due_fen``, ``due_on`` and ``arrears_on`` for each worker-period."""
    ledger = ctx["ledger"]
    dues = ctx["due_dates"]
    ledger = ledger.mutate(
        due_fen=amount_due(ledger),
        effective_pay_day=ibis.coalesce(ledger.pay_day, ibis.literal(default_pay_day, "int64")),
    )
    joined = ledger.join(
        dues, [ledger.period == dues.period, ledger.effective_pay_day == dues.pay_day], how="left"
    )
    return joined.select(*[c for c in ledger.columns], due_on=dues.due_on, arrears_on=dues.arrears_on)


def active_projects(ctx: Context) -> ir.Table:
    """Projects that are under construction on the day (status active, started, not completed)."""
    p = ctx["projects"]
    return p.filter(
        (p.status == "active")
        & (p.start_date <= ctx.day)
        & (p.actual_end_date.isnull() | (p.actual_end_date > ctx.day))
    )
