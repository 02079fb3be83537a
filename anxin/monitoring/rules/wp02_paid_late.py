"""WP02 paid late, repeatedly — 条例 第十二条.

A worker-period is *late* when its wages were paid in full after the due date
(``paid_full_on`` > ``due_on``), or are still not paid in full now that the due date has
passed. No grace applies: a slip shorter than WP01's grace is not arrears, but it counts
here. A project-period is late when any of its worker-periods is.

The window is each project's last ``window_periods`` wage periods whose due date has
passed (periods with a known amount due on the project, not calendar months: a project
with no work in a month is judged on the periods it had). Found when at least
``min_late_periods`` of them are late; severity medium.
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


def _judged(ctx: Context, ledger: ir.Table) -> ir.Table:
    """Worker-periods past due with something due (``ledger``: ``with_due``), with whether and
    how late they were paid."""
    ledger = ledger.filter(ledger.due_on.notnull() & (ledger.due_on < ctx.day) & (ledger.due_fen > 0))
    return ledger.mutate(
        is_late=ibis.cases(
            (ledger.paid_full_on.notnull(), ledger.paid_full_on > ledger.due_on),
            else_=ibis.coalesce(ledger.paid_fen, 0) < ledger.due_fen,
        ),
        days_late=ibis.coalesce(ledger.paid_full_on, ctx.day).delta(ledger.due_on, unit="day"),
    )


@kept("WP02.periods")
def late_periods(ctx: Context) -> ir.Table:
    """The late periods of the window of each project late often enough (a few rows, worked
    out from the ledger's sums by project and period; the worker-periods are fetched for them
    alone). A project-period is late when a worker-period of it is: one still not paid in
    full, or the last one paid in full paid after the due date (one due date per pay day)."""
    p = periods_due(ctx, ctx.params["default_pay_day"])
    p = p.filter(p.due_on.notnull() & (p.due_on < ctx.day) & (p.rows_due_positive > 0))
    p = p.mutate(is_late=(p.rows_unpaid > 0) | ibis.coalesce(p.last_paid_full_on > p.due_on, False))
    periods = p.group_by(["project_code", "period"]).aggregate(is_late=p.is_late.any())
    window = latest_periods(periods, ctx.params["window_periods"])
    late = window.filter(window.is_late).select("project_code", "period")
    per_project = late.group_by("project_code").aggregate(late_periods=late.period.count())
    repeated = per_project.filter(per_project.late_periods >= ctx.params["min_late_periods"])
    return late.semi_join(repeated, "project_code")


@kept("WP02.late")
def late_worker_periods(ctx: Context) -> ir.Table:
    """Worker-periods of the window's late periods, with how many days late they were paid."""
    keys = ["project_code", "period"]
    ledger = _judged(ctx, with_due_of(ctx, late_periods(ctx), keys, ctx.params["default_pay_day"]))
    return ledger.filter(ledger.is_late)


@register
class PaidLateRepeatedly(Rule):
    code = "WP02"
    title = "多次延期支付工资"
    article = "《保障农民工工资支付条例》第十二条"
    family = "pay_on_behalf"
    defaults = {"min_late_periods": 2, "window_periods": 3, "default_pay_day": 31}

    def find(self, ctx: Context) -> ir.Table:
        late = late_worker_periods(ctx)
        per_project = late.group_by("project_code").aggregate(
            workers=late.person_id.nunique(),
            amount_fen=late.due_fen.sum(),
            late_periods=late.period.nunique(),
            first_late_period=late.period.min(),
            last_late_period=late.period.max(),
            max_days_late=late.days_late.max(),
            still_unpaid=late.paid_full_on.isnull().cast("int64").sum(),
        )
        return finding(
            per_project,
            subject_id=per_project.project_code,
            severity="medium",
            workers=per_project.workers,
            amount_fen=per_project.amount_fen,
            late_periods=per_project.late_periods.cast("int64"),
            window_periods=ibis.literal(ctx.params["window_periods"], "int64"),
            first_late_period=per_project.first_late_period,
            last_late_period=per_project.last_late_period,
            max_days_late=per_project.max_days_late.cast("int64"),
            worker_periods_still_unpaid=per_project.still_unpaid.cast("int64"),
        )

    def details(self, ctx: Context) -> ir.Table:
        late = late_worker_periods(ctx)
        return late.select(
            subject_id=late.project_code,
            worker=late.id_masked,
            period=late.period,
            due_on=late.due_on,
            paid_full_on=late.paid_full_on,
            days_late=late.days_late.cast("int64"),
            amount_fen=late.due_fen,
            paid_fen=late.paid_fen,
        )
