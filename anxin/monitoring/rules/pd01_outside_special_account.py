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

from anxin.monitoring.rules.base import Context, Rule, finding, kept, latest_periods, register, with_due


@kept("PD01.periods")
def offending_periods(ctx: Context) -> ir.Table:
    """Project-periods of the window whose share paid outside the special account is too high."""
    ledger = with_due(ctx, ctx.params["default_pay_day"])
    ledger = ledger.filter((ledger.paid_fen > 0) & (ledger.due_on < ctx.day))
    other = ibis.coalesce(ledger.paid_other_fen, 0)
    periods = ledger.group_by(["project_code", "period"]).aggregate(
        paid_fen=ledger.paid_fen.sum(),
        paid_other_fen=other.sum(),
        workers=ledger.person_key.nunique(where=other > 0),
    )
    window = latest_periods(periods, ctx.params["window_periods"])
    found = window.filter(window.paid_other_fen * 100 > ctx.params["max_other_pct"] * window.paid_fen)
    return found.mutate(other_pct=(found.paid_other_fen * 100 // found.paid_fen).cast("int64"))


@register
class OutsideSpecialAccount(Rule):
    code = "PD01"
    title = "未通过农民工工资专用账户代发工资"
    article = "《保障农民工工资支付条例》第三十一条"
    family = "pay_on_behalf"
    defaults = {"max_other_pct": 5, "window_periods": 1, "default_pay_day": 31}

    def find(self, ctx: Context) -> ir.Table:
        found = offending_periods(ctx)
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
        ledger = with_due(ctx, ctx.params["default_pay_day"])
        ledger = ledger.filter(ibis.coalesce(ledger.paid_other_fen, 0) > 0)
        rows = ledger.semi_join(offending_periods(ctx), ["project_code", "period"])
        return rows.select(
            subject_id=rows.project_code,
            worker=rows.id_masked,
            employer_uscc=rows.employer_uscc,
            period=rows.period,
            paid_fen=rows.paid_fen,
            amount_fen=rows.paid_other_fen,
        )
