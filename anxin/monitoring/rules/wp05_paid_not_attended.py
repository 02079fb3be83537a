"""WP05 paid but never attended — 条例 第三十一条 (代发 to the worker's own account).

A successful payment (``paid_fen`` > 0) for a worker-period in which the person has no
attendance on the project, registered or not (``days_attended`` 0 or null): wages paid
to people who did not work there point to a padded payroll or money moved through
wages. ``amount_fen`` is what was paid; severity medium.
"""

from __future__ import annotations

import ibis
import ibis.expr.types as ir

from anxin.monitoring.rules.base import Context, Rule, finding, kept, register


@kept("WP05.paid")
def paid_without_attendance(ctx: Context) -> ir.Table:
    ledger = ctx["ledger"]
    return ledger.filter((ledger.paid_fen > 0) & (ibis.coalesce(ledger.days_attended, 0) == 0))


@register
class PaidNotAttended(Rule):
    code = "WP05"
    title = "有发放无考勤"
    article = "《保障农民工工资支付条例》第三十一条"
    family = "pay_on_behalf"

    def find(self, ctx: Context) -> ir.Table:
        paid = paid_without_attendance(ctx)
        per_project = paid.group_by("project_code").aggregate(
            workers=paid.person_id.nunique(),
            amount_fen=paid.paid_fen.sum(),
            worker_periods=paid.count(),
            payments=paid.count_payments.sum(),
            first_period=paid.period.min(),
            last_period=paid.period.max(),
            last_paid_on=paid.last_paid_on.max(),
            on_payroll=paid.payroll_net_fen.notnull().cast("int64").sum(),
        )
        return finding(
            per_project,
            subject_id=per_project.project_code,
            severity="medium",
            workers=per_project.workers,
            amount_fen=per_project.amount_fen,
            worker_periods=per_project.worker_periods.cast("int64"),
            payments=per_project.payments.cast("int64"),
            first_period=per_project.first_period,
            last_period=per_project.last_period,
            last_paid_on=per_project.last_paid_on,
            worker_periods_on_payroll=per_project.on_payroll.cast("int64"),
        )

    def details(self, ctx: Context) -> ir.Table:
        paid = paid_without_attendance(ctx)
        return paid.select(
            subject_id=paid.project_code,
            worker=paid.id_masked,
            period=paid.period,
            payroll_net_fen=paid.payroll_net_fen,
            last_paid_on=paid.last_paid_on,
            amount_fen=paid.paid_fen,
        )
