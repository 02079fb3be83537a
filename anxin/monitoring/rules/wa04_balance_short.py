"""WA04 special account cannot cover the next payroll — 条例 第二十七条.

An active project with a special account whose balance (inflows − successful payments
from the special account, ``accounts``) is below the next payroll, estimated as the
amount due of the last complete wage period (the month before D, or D's month on its
last day) on the project. Projects with no known amount due that period are not judged;
a project with no account at all is WA01's. Nor is a computed balance below zero: an account
cannot pay out more than came in, so its inflows are incompletely known (an account opened
before the province's data began, a bank that does not report them) and its balance is
unknown. ``amount_fen`` is the shortfall; severity medium.

The balance is a snapshot: between a payroll and the builder's next scheduled transfer it is
often short of the next one, which the law allows (funding by cycle, 第二十四条). The risk
level therefore counts WA04 alone as low; with WA02 (funding stopped) it is high.
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
    is_blank,
    last_complete_month,
    register,
)


@register
class BalanceShort(Rule):
    code = "WA04"
    title = "专用账户余额不足以支付下期工资"
    article = "《保障农民工工资支付条例》第二十七条"
    family = "special_account"

    def as_of_key(self, as_of: dt.date) -> Hashable:
        return last_complete_month(as_of)  # the last complete month is all it takes from the date

    def find(self, ctx: Context) -> ir.Table:
        period = last_complete_month(ctx.as_of)
        sums = ctx["ledger_periods"]  # the ledger's sums: worker-periods with a known amount due counted
        sums = sums.filter(sums.period == period)
        estimate = sums.group_by("project_code").aggregate(
            next_payroll_fen=sums.due_fen.sum(), workers=sums.rows_due.sum()
        )
        projects = active_projects(ctx)
        projects = projects.filter(~is_blank(projects.wage_account_no)).select("project_code")
        accounts = ctx["accounts"]
        joined = projects.join(estimate, "project_code").join(accounts, "project_code", how="left")
        joined = joined.mutate(
            balance_fen=ibis.coalesce(joined.inflow_fen, 0) - ibis.coalesce(joined.paid_from_account_fen, 0)
        )
        found = joined.filter(
            joined.next_payroll_fen.notnull()
            & (joined.balance_fen >= 0)
            & (joined.balance_fen < joined.next_payroll_fen)
        )
        return finding(
            found,
            subject_id=found.project_code,
            severity="medium",
            workers=found.workers,
            amount_fen=found.next_payroll_fen - found.balance_fen,
            balance_fen=found.balance_fen.cast("int64"),
            next_payroll_fen=found.next_payroll_fen.cast("int64"),
            estimated_from_period=ibis.literal(period),
            last_inflow_on=found.last_inflow_on,
        )
