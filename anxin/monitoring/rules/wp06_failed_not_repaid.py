"""WP06 failed or returned transfer not re-paid — 条例 第三十一条.

A failed or returned transfer (``failed_payments``) is open while no successful payment
for the same worker-period has followed (``repaid_on`` null) and more than
``repay_working_days`` working days have passed since it failed: on D, the transfer
failed before the ``repay_working_days``-th working day before D (from the run's
``calendar`` table: the official calendar with 调休 and the database's overrides). A re-payment that came late closes it: the
rule reports what is open, not history. Several failed attempts for the same
worker-period count once, with their largest amount (``amount_fen``); severity medium.
"""

from __future__ import annotations

import ibis.expr.types as ir

from anxin.monitoring.rules.base import Context, Rule, finding, kept, register, working_days_before


def open_failures(ctx: Context) -> ir.Table:
    """Failed transfers past the re-payment window and still not re-paid."""
    cutoff = working_days_before(ctx, ctx.params["repay_working_days"])
    failed = ctx["failed_payments"]
    return failed.filter(failed.repaid_on.isnull() & (failed.failed_on < cutoff))


@kept("WP06.open")
def open_worker_periods(ctx: Context) -> ir.Table:
    failed = open_failures(ctx)
    return failed.group_by(["project_code", "person_id", "period"]).aggregate(
        worker=failed.id_masked.max(),
        amount_fen=failed.amount_fen.max(),
        transfers=failed.count(),
        first_failed_on=failed.failed_on.min(),
        last_failed_on=failed.failed_on.max(),
        status=failed.status.max(),
    )


@register
class FailedNotRepaid(Rule):
    code = "WP06"
    title = "工资发放失败或退回未及时重发"
    article = "《保障农民工工资支付条例》第三十一条"
    family = "pay_on_behalf"
    defaults = {"repay_working_days": 5}

    def find(self, ctx: Context) -> ir.Table:
        wp = open_worker_periods(ctx)
        per_project = wp.group_by("project_code").aggregate(
            workers=wp.person_id.nunique(),
            amount_fen=wp.amount_fen.sum(),
            transfers=wp.transfers.sum(),
            worker_periods=wp.count(),
            first_failed_on=wp.first_failed_on.min(),
            last_failed_on=wp.last_failed_on.max(),
        )
        return finding(
            per_project,
            subject_id=per_project.project_code,
            severity="medium",
            workers=per_project.workers,
            amount_fen=per_project.amount_fen,
            transfers=per_project.transfers.cast("int64"),
            worker_periods=per_project.worker_periods.cast("int64"),
            first_failed_on=per_project.first_failed_on,
            last_failed_on=per_project.last_failed_on,
        )

    def details(self, ctx: Context) -> ir.Table:
        wp = open_worker_periods(ctx)
        return wp.select(
            subject_id=wp.project_code,
            worker=wp.worker,
            period=wp.period,
            status=wp.status,
            first_failed_on=wp.first_failed_on,
            last_failed_on=wp.last_failed_on,
            transfers=wp.transfers.cast("int64"),
            amount_fen=wp.amount_fen.cast("int64"),
        )
