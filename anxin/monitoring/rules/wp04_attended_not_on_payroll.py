"""WP04 attended but not on the payroll — 条例 第三十一条.

A worker-period with attendance (``days_attended`` > 0) and no payroll line
(``payroll_net_fen`` null) once its due date has passed: the employer owes a payroll
for every worker who worked (代发 needs one). Piece work, whose amount due is unknown
without a payroll line, is found here only. ``amount_fen`` is the amount due estimated
from the rate (null when no estimate exists); severity medium.
"""

from __future__ import annotations

import ibis.expr.types as ir

from anxin.monitoring.rules.base import Context, Rule, finding, kept, register, with_due


@kept("WP04.missing")
def missing_payroll(ctx: Context) -> ir.Table:
    ledger = with_due(ctx, ctx.params["default_pay_day"])
    return ledger.filter(
        (ledger.days_attended > 0)
        & ledger.payroll_net_fen.isnull()
        & ledger.due_on.notnull()
        & (ledger.due_on < ctx.day)
    )


@register
class AttendedNotOnPayroll(Rule):
    code = "WP04"
    title = "有考勤无工资单"
    article = "《保障农民工工资支付条例》第三十一条"
    family = "pay_on_behalf"
    defaults = {"default_pay_day": 31}

    def find(self, ctx: Context) -> ir.Table:
        missing = missing_payroll(ctx)
        per_project = missing.group_by("project_code").aggregate(
            workers=missing.person_id.nunique(),
            amount_fen=missing.due_fen.sum(),
            worker_periods=missing.count(),
            days_attended=missing.days_attended.sum(),
            unknown_amount=missing.due_fen.isnull().cast("int64").sum(),
            first_period=missing.period.min(),
            last_period=missing.period.max(),
            first_due_on=missing.due_on.min(),
            employers=missing.employer_uscc.nunique(),
        )
        return finding(
            per_project,
            subject_id=per_project.project_code,
            severity="medium",
            workers=per_project.workers,
            amount_fen=per_project.amount_fen,
            worker_periods=per_project.worker_periods.cast("int64"),
            days_attended=per_project.days_attended.cast("int64"),
            worker_periods_amount_unknown=per_project.unknown_amount.cast("int64"),
            first_period=per_project.first_period,
            last_period=per_project.last_period,
            first_due_on=per_project.first_due_on,
            employers=per_project.employers.cast("int64"),
        )

    def details(self, ctx: Context) -> ir.Table:
        missing = missing_payroll(ctx)
        return missing.select(
            subject_id=missing.project_code,
            worker=missing.id_masked,
            employer_uscc=missing.employer_uscc,
            period=missing.period,
            days_attended=missing.days_attended,
            due_on=missing.due_on,
            amount_fen=missing.due_fen,
        )
