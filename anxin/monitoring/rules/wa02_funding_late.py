"""WA02 labour cost not funded on time — 条例 第二十四条、第二十九条.

An active project whose special account has had no inflow for longer than its funding
cycle: ``labor_payment_cycle_days`` (``default_cycle_days`` when not declared, at most
``max_cycle_days``, since 人工费用 is transferred at least monthly). Days are counted
from the last inflow, or, with none yet, from the account's opening or else the
project's start (a new project is not late before one cycle has passed).

Stronger (high) when, over the last ``history_months`` complete months after the
project's start month, the account had no inflow in ``missed_in_a_row`` consecutive
months or in ``missed_in_total`` months (``inflow_months``).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Hashable

import ibis
import ibis.expr.types as ir

from anxin.monitoring.rules.base import (
    Context,
    Rule,
    active_projects,
    finding,
    last_complete_month,
    month_number,
    months_ending,
    register,
)


def missed_months(ctx: Context, projects: ir.Table) -> ir.Table:
    """Per project: how many complete months since its start had no inflow, and the longest run."""
    months = months_ending(last_complete_month(ctx.as_of), ctx.params["history_months"])
    flows = ctx["inflow_months"]
    flows = flows.filter(flows.month.isin(months) & (flows.inflow_fen > 0))
    start_index = projects.start_date.year().cast("int64") * 12 + projects.start_date.month().cast("int64") - 1
    base = projects.select("project_code", start_index=start_index)
    joined = base.join(flows, "project_code", how="left")
    funded = joined.group_by(["project_code", "start_index"]).aggregate(
        **{f"funded_{i}": (joined.month == m).any() for i, m in enumerate(months)}
    )
    missed = [
        (funded.start_index < month_number(m)) & ~ibis.coalesce(funded[f"funded_{i}"], False)
        for i, m in enumerate(months)
    ]
    total = sum((flag.cast("int64") for flag in missed), ibis.literal(0, "int64"))
    run = ctx.params["missed_in_a_row"]
    in_a_row = ibis.literal(False)
    for i in range(len(missed) - run + 1):
        window = missed[i]
        for flag in missed[i + 1 : i + run]:
            window = window & flag
        in_a_row = in_a_row | window
    return funded.select("project_code", missed_total=total, missed_in_a_row=in_a_row)


def late_funding(ctx: Context) -> ir.Table:
    projects = active_projects(ctx)
    accounts = ctx["accounts"]
    joined = projects.join(accounts, "project_code", how="left")
    cycle = ibis.least(
        ibis.coalesce(joined.labor_payment_cycle_days, ctx.params["default_cycle_days"]), ctx.params["max_cycle_days"]
    )
    since = ibis.coalesce(joined.last_inflow_on, joined.wage_account_opened_on, joined.start_date)
    late = joined.select(
        "project_code",
        "last_inflow_on",
        cycle_days=cycle.cast("int64"),
        counted_from=since,
        days_without_inflow=ctx.day.delta(since, unit="day").cast("int64"),
    )
    late = late.filter(late.days_without_inflow > late.cycle_days)
    missed = missed_months(ctx, projects)
    return late.join(missed, "project_code", how="left").select(late, missed.missed_total, missed.missed_in_a_row)


@register
class FundingLate(Rule):
    code = "WA02"
    title = "人工费用未按时足额拨付"
    article = "《保障农民工工资支付条例》第二十四条、第二十九条"
    family = "special_account"
    defaults = {
        "default_cycle_days": 30,
        "max_cycle_days": 30,
        "history_months": 12,
        "missed_in_a_row": 2,
        "missed_in_total": 3,
    }

    def as_of_key(self, as_of: dt.date) -> Hashable:
        return last_complete_month(as_of)  # the last complete month is all it takes from the date

    def find(self, ctx: Context) -> ir.Table:
        late = late_funding(ctx)
        missed_total = ibis.coalesce(late.missed_total, 0)
        strong = ibis.coalesce(late.missed_in_a_row, False) | (missed_total >= ctx.params["missed_in_total"])
        return finding(
            late,
            subject_id=late.project_code,
            severity=ibis.ifelse(strong, "high", "medium"),
            last_inflow_on=late.last_inflow_on,
            counted_from=late.counted_from,
            days_without_inflow=late.days_without_inflow,
            cycle_days=late.cycle_days,
            months_without_inflow=missed_total.cast("int64"),
            missed_months_in_a_row=ibis.coalesce(late.missed_in_a_row, False),
        )
