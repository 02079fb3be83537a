"""WA03 labour cost under-funded — 条例 第二十四条、第二十九条.

The builder must transfer the labour cost into the special account in full, by a cycle of at
most a month. An active project is under-funded when the inflows fall below ``min_cover_pct``
percent of the wages that fell due, judged two ways (either is enough):

- **recently, and running dry**: over the project's last ``recent_periods`` wage periods whose
  due date has passed, the inflows received from the first month of them up to D (the labour
  cost of a period is transferred by cycle during it, at the latest before its wages fall due)
  are below ``min_cover_pct`` percent of their amount due, *and* at that pace the account's
  balance runs out within ``horizon_months``: balance < horizon × (due − inflows) ÷ periods.
  This shows a builder paying half of each month while an old balance still covers the wages,
  before the balance is gone; a builder that keeps a buffer and tops it up unevenly is not
  flagged for a month's dip. Judged only over the full ``recent_periods`` (a pace read from a
  single month is noise), and not on an overdrawn account (recorded inflows below its
  payments): its inflows, and so its balance, are incompletely known;
- **cumulatively**: all inflows against the amount due of every worker-period whose due date
  has passed. What came in counts at least as much as the account paid out: recorded inflows
  below the payments from the special account mean they are incompletely known, and the
  payments are the better lower bound.

Unknown amounts (piece work without payroll) are left out. ``amount_fen`` is the larger of
the two gaps; severity medium.
"""

from __future__ import annotations

import ibis
import ibis.expr.types as ir

from anxin.monitoring.rules.base import (
    Context,
    Rule,
    active_projects,
    finding,
    latest_periods,
    periods_due,
    register,
)


@register
class UnderFunded(Rule):
    code = "WA03"
    title = "人工费用拨付不足"
    article = "《保障农民工工资支付条例》第二十四条、第二十九条"
    family = "special_account"
    defaults = {"min_cover_pct": 80, "recent_periods": 3, "horizon_months": 3, "default_pay_day": 31}

    def find(self, ctx: Context) -> ir.Table:
        pct = ctx.params["min_cover_pct"]
        p = periods_due(ctx, ctx.params["default_pay_day"])
        p = p.filter(p.due_on.notnull() & (p.due_on < ctx.day) & (p.rows_due > 0))
        # The amount due per project-period past due (kept: a few rows per project), then the totals.
        periods = ctx.kept(
            "WA03.periods", lambda: p.group_by(["project_code", "period"]).aggregate(due_fen=p.due_fen.sum())
        )
        due = periods.group_by("project_code").aggregate(
            due_fen=periods.due_fen.sum(), first_period=periods.period.min(), last_period=periods.period.max()
        )

        # Recently: the last n periods past due, and what came in from the first month of them on.
        recent = latest_periods(periods, ctx.params["recent_periods"])
        recent = recent.group_by("project_code").aggregate(
            recent_due_fen=recent.due_fen.sum(),
            recent_first_period=recent.period.min(),
            recent_count=recent.period.count().cast("int64"),
        )
        months = ctx["inflow_months"]
        window = recent.left_join(
            months, (recent.project_code == months.project_code) & (months.month >= recent.recent_first_period)
        )
        recent_in = window.group_by(recent.project_code).aggregate(
            recent_due_fen=window.recent_due_fen.max(),
            recent_first_period=window.recent_first_period.min(),
            recent_count=window.recent_count.max(),
            recent_inflow_fen=ibis.coalesce(window.inflow_fen.sum(), 0),
        )

        projects = active_projects(ctx).select("project_code")
        accounts = ctx["accounts"]
        joined = (
            projects.join(due, "project_code")
            .join(recent_in, "project_code")
            .join(accounts, "project_code", how="left")
        )
        recorded = ibis.coalesce(joined.inflow_fen, 0)
        paid_out = ibis.coalesce(joined.paid_from_account_fen, 0)
        joined = joined.mutate(
            inflow_fen=ibis.greatest(recorded, paid_out), balance_fen=recorded - paid_out, overdrawn=recorded < paid_out
        )
        short_total = (joined.due_fen > 0) & (joined.inflow_fen * 100 < pct * joined.due_fen)
        # balance < horizon × shortfall ÷ periods, in integers: balance × periods < horizon × shortfall.
        shortfall = joined.recent_due_fen - joined.recent_inflow_fen
        short_recent = (
            ~joined.overdrawn
            & (joined.recent_count >= ctx.params["recent_periods"])
            & (joined.recent_due_fen > 0)
            & (joined.recent_inflow_fen * 100 < pct * joined.recent_due_fen)
            & (joined.balance_fen * joined.recent_count < ctx.params["horizon_months"] * shortfall)
        )
        found = joined.filter(short_total | short_recent)
        return finding(
            found,
            subject_id=found.project_code,
            severity="medium",
            amount_fen=ibis.greatest(found.due_fen - found.inflow_fen, found.recent_due_fen - found.recent_inflow_fen),
            inflow_fen=found.inflow_fen.cast("int64"),
            due_fen=found.due_fen.cast("int64"),
            cover_pct=(found.inflow_fen * 100 // found.due_fen).cast("int64"),
            recent_inflow_fen=found.recent_inflow_fen.cast("int64"),
            recent_due_fen=found.recent_due_fen.cast("int64"),
            recent_cover_pct=(found.recent_inflow_fen * 100 // found.recent_due_fen).cast("int64"),
            recent_first_period=found.recent_first_period,
            balance_fen=found.balance_fen.cast("int64"),
            first_period=found.first_period,
            last_period=found.last_period,
            last_inflow_on=found.last_inflow_on,
        )
