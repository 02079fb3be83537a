"""WA03 labour cost under-funded — 条例 第二十九条.

An active project whose cumulative inflows into the special account (``accounts``) are
below ``min_cover_pct`` percent of its cumulative payroll due: the amount due of every
worker-period whose due date has passed (unknown amounts, piece work without payroll,
are left out). What came in is at least what the account paid out: where recorded inflows
are below the payments from the special account, the inflows are incompletely known (an
account opened before the province's data began, a bank that does not report them), and the
payments are the better lower bound. ``amount_fen`` is the gap between what was due and what
came in; severity medium.
"""

from __future__ import annotations

import ibis
import ibis.expr.types as ir

from anxin.monitoring.rules.base import Context, Rule, active_projects, due_passed, finding, register


@register
class UnderFunded(Rule):
    code = "WA03"
    title = "人工费用拨付不足"
    article = "《保障农民工工资支付条例》第二十九条"
    family = "special_account"
    defaults = {"min_cover_pct": 80, "default_pay_day": 31}

    def find(self, ctx: Context) -> ir.Table:
        ledger = due_passed(ctx, ctx.params["default_pay_day"])
        due = ledger.group_by("project_code").aggregate(
            due_fen=ledger.due_fen.sum(), first_period=ledger.period.min(), last_period=ledger.period.max()
        )
        projects = active_projects(ctx).select("project_code")
        accounts = ctx["accounts"]
        joined = projects.join(due, "project_code").join(accounts, "project_code", how="left")
        inflow = ibis.greatest(ibis.coalesce(joined.inflow_fen, 0), ibis.coalesce(joined.paid_from_account_fen, 0))
        joined = joined.mutate(inflow_fen=inflow)
        found = joined.filter(
            (joined.due_fen > 0) & (joined.inflow_fen * 100 < ctx.params["min_cover_pct"] * joined.due_fen)
        )
        return finding(
            found,
            subject_id=found.project_code,
            severity="medium",
            amount_fen=found.due_fen - found.inflow_fen,
            inflow_fen=found.inflow_fen.cast("int64"),
            due_fen=found.due_fen.cast("int64"),
            cover_pct=(found.inflow_fen * 100 // found.due_fen).cast("int64"),
            first_period=found.first_period,
            last_period=found.last_period,
            last_inflow_on=found.last_inflow_on,
        )
