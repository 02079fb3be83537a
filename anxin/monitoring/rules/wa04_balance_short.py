"""WA04 special account cannot cover the next payroll — 条例 第二十七条.

An active project with a special account whose balance (inflows − successful payments from
the special account, ``accounts``) is below the next payroll: what is still to be paid of the
last complete wage period (the month before D, or D's month on its last day), from
``days_before_due`` days before that period's wages fall due (its earliest due date on the
project). Judging earlier would flag every builder that funds the account just in time,
which the law allows (the labour cost is transferred by cycle, 第二十四条, before the wages
fall due); once the period is paid there is nothing left to cover until the next one completes.

Not judged: projects with no known amount due that period; a project with no account at all
(WA01's); a computed balance below zero — an account cannot have paid out more than came in,
so its inflows are incompletely known (an account opened before the province's data began, a
bank that does not report them) and its balance is unknown. ``amount_fen`` is the shortfall;
severity medium.
"""

from __future__ import annotations

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
    with_due,
)


@register
class BalanceShort(Rule):
    code = "WA04"
    title = "专用账户余额不足以支付下期工资"
    article = "《保障农民工工资支付条例》第二十七条"
    family = "special_account"
    defaults = {"days_before_due": 7, "default_pay_day": 31}

    def find(self, ctx: Context) -> ir.Table:
        period = last_complete_month(ctx.as_of)
        ledger = with_due(ctx, ctx.params["default_pay_day"])
        ledger = ledger.filter((ledger.period == period) & ledger.due_fen.notnull())
        ledger = ledger.mutate(to_pay_fen=ibis.greatest(ledger.due_fen - ledger.paid_fen, 0))
        owed = ledger.filter(ledger.to_pay_fen > 0)
        estimate = owed.group_by("project_code").aggregate(
            next_payroll_fen=owed.to_pay_fen.sum(),
            workers=owed.person_key.nunique(),
            due_on=owed.due_on.min(),
        )
        # From ``days_before_due`` days before the wages fall due: due_on − n ≤ D.
        estimate = estimate.filter(estimate.due_on <= ctx.day + ibis.interval(days=ctx.params["days_before_due"]))
        projects = active_projects(ctx)
        projects = projects.filter(~is_blank(projects.wage_account_no)).select("project_code")
        accounts = ctx["accounts"]
        joined = projects.join(estimate, "project_code").join(accounts, "project_code", how="left")
        joined = joined.mutate(
            balance_fen=ibis.coalesce(joined.inflow_fen, 0) - ibis.coalesce(joined.paid_from_account_fen, 0)
        )
        found = joined.filter((joined.balance_fen >= 0) & (joined.balance_fen < joined.next_payroll_fen))
        return finding(
            found,
            subject_id=found.project_code,
            severity="medium",
            workers=found.workers,
            amount_fen=found.next_payroll_fen - found.balance_fen,
            balance_fen=found.balance_fen.cast("int64"),
            next_payroll_fen=found.next_payroll_fen.cast("int64"),
            estimated_from_period=ibis.literal(period),
            due_on=found.due_on,
            last_inflow_on=found.last_inflow_on,
        )
