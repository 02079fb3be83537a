"""PD01 wages not paid through the special account — 条例 第三十一条.

Per project and wage period: the share of the period's successful payments made from
another account or in cash (``paid_other_fen`` / ``paid_fen``). The periods judged are
each project's latest ``window_periods`` period(s) with payments whose due date has
passed (a complete period: its payments are in). Found when a judged period's share
exceeds ``max_other_pct`` percent (integer arithmetic); the evidence names the period
with the largest share. ``amount_fen`` is the money paid outside the special account in
the offending period(s); severity medium.
"""

from __future__ import annotations

import ibis
import ibis.expr.types as ir

from anxin.monitoring.rules.base import (
    Context,
    Rule,
    finding,
    kept,
    latest_periods,
    periods_due,
    register,
    with_due_of,
)


def _paid(ctx: Context, ledger: ir.Table) -> ir.Table:
    """Worker-periods paid whose due date has passed (``ledger``: ``with_due``)."""
    return ledger.filter((ledger.paid_fen > 0) & (ledger.due_on < ctx.day))


@kept("PD01.periods")
def offending_periods(ctx: Context) -> ir.Table:
    """Project-periods of the window whose share paid outside the special account is too high
    (from the ledger's sums by project and period; the workers paid outside are fetched for
    them alone)."""
    p = periods_due(ctx, ctx.params["default_pay_day"])
    p = p.filter((p.rows_paid > 0) & (p.due_on < ctx.day))
    periods = p.group_by(["project_code", "period"]).aggregate(
        paid_fen=p.paid_fen.sum(), paid_other_fen=p.paid_other_fen.sum()
    )
    window = latest_periods(periods, ctx.params["window_periods"])
    found = window.filter(window.paid_other_fen * 100 > ctx.params["max_other_pct"] * window.paid_fen)
    return found.mutate(other_pct=(found.paid_other_fen * 100 // found.paid_fen).cast("int64"))


@kept("PD01.rows")
def paid_outside(ctx: Context) -> ir.Table:
    """The worker-periods of the offending periods paid (partly) outside the special account."""
    keys = ["project_code", "period"]
    ledger = _paid(ctx, with_due_of(ctx, offending_periods(ctx), keys, ctx.params["default_pay_day"]))
    return ledger.filter(ibis.coalesce(ledger.paid_other_fen, 0) > 0)


@register
class OutsideSpecialAccount(Rule):
    code = "PD01"
    title = "未通过农民工工资专用账户代发工资"
    article = "《保障农民工工资支付条例》第三十一条"
    family = "pay_on_behalf"
    defaults = {"max_other_pct": 5, "window_periods": 1, "default_pay_day": 31}

    def find(self, ctx: Context) -> ir.Table:
        periods = offending_periods(ctx)
        rows = paid_outside(ctx)
        workers = rows.group_by(["project_code", "period"]).aggregate(workers=rows.person_id.nunique())
        found = periods.left_join(
            workers, (periods.project_code == workers.project_code) & (periods.period == workers.period)
        ).select(periods, workers=ibis.coalesce(workers.workers, 0))
        worst = found.mutate(
            rank=ibis.row_number().over(group_by="project_code", order_by=[ibis.desc("other_pct"), ibis.desc("period")])
        )
        worst = worst.filter(worst["rank"] == 0)
        totals = found.group_by("project_code").aggregate(
            periods=found.count(),
            amount_fen=found.paid_other_fen.sum(),
            workers=found.workers.max(),
        )
        joined = totals.join(worst, "project_code")
        return finding(
            joined,
            subject_id=joined.project_code,
            severity="medium",
            workers=joined.workers,
            amount_fen=joined.amount_fen,
            periods=joined.periods.cast("int64"),
            period=joined.period,
            period_paid_fen=joined.paid_fen.cast("int64"),
            period_paid_other_fen=joined.paid_other_fen.cast("int64"),
            period_other_pct=joined.other_pct,
        )

    def details(self, ctx: Context) -> ir.Table:
        rows = paid_outside(ctx)
        return rows.select(
            subject_id=rows.project_code,
            worker=rows.id_masked,
            employer_uscc=rows.employer_uscc,
            period=rows.period,
            paid_fen=rows.paid_fen,
            amount_fen=rows.paid_other_fen,
        )
