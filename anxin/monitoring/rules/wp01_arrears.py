"""WP01 wages overdue (欠薪) — 条例 第十二条、第十四条.

A worker-period is in arrears on D when its successful payments are less than the amount
due and D is on or after ``arrears_on`` (the due date, moved to the previous working day,
plus the grace in working days). Found on the project, with the workers, the money owed
and the earliest arrears date; severity high.
"""

from __future__ import annotations

import ibis
import ibis.expr.types as ir

from anxin.monitoring.rules.base import Context, Rule, kept, periods_due, register, with_due_of


def _owed(ctx: Context, ledger: ir.Table) -> ir.Table:
    """Worker-periods of ``ledger`` (``with_due``) in arrears on the day, with what is owed."""
    owed = ledger.filter(ledger.due_fen.notnull() & (ledger.paid_fen < ledger.due_fen) & (ledger.arrears_on <= ctx.day))
    return owed.mutate(owed_fen=owed.due_fen - owed.paid_fen)


@kept("WP01.periods")
def periods_in_arrears(ctx: Context) -> ir.Table:
    """The project-periods with arrears (from the ledger's sums by project and period)."""
    p = periods_due(ctx, ctx.params["default_pay_day"])
    owed = p.filter((p.rows_owed > 0) & (p.arrears_on <= ctx.day))
    return owed.select("project_code", "period").distinct()


@kept("WP01.arrears")
def arrears(ctx: Context) -> ir.Table:
    """Worker-periods in arrears on the day, with what is owed: the rows of those periods alone."""
    keys = ["project_code", "period"]
    return _owed(ctx, with_due_of(ctx, periods_in_arrears(ctx), keys, ctx.params["default_pay_day"]))


@register
class WagesOverdue(Rule):
    code = "WP01"
    title = "工资逾期未足额支付（欠薪）"
    article = "《保障农民工工资支付条例》第十二条、第十四条"
    #: Arrears deducts nothing from a sub-score: it caps the contractor's total instead (RULES.md).
    family = ""
    defaults = {"grace_working_days": 3, "default_pay_day": 31}

    def find(self, ctx: Context) -> ir.Table:
        owed = arrears(ctx)
        per_project = owed.group_by("project_code").aggregate(
            workers=owed.person_id.nunique(),
            amount_fen=owed.owed_fen.sum(),
            ev_periods=owed.period.nunique(),
            ev_first_period=owed.period.min(),
            ev_last_period=owed.period.max(),
            ev_first_arrears_on=owed.arrears_on.min(),
            ev_employers=owed.employer_uscc.nunique(),
            ev_due_fen=owed.due_fen.sum(),
            ev_paid_fen=owed.paid_fen.sum(),
        )
        return per_project.select(
            subject_id=per_project.project_code,
            severity=ibis.literal("high"),
            workers=per_project.workers.cast("int64"),
            amount_fen=per_project.amount_fen.cast("int64"),
            ev_periods=per_project.ev_periods.cast("int64"),
            ev_first_period=per_project.ev_first_period,
            ev_last_period=per_project.ev_last_period,
            ev_first_arrears_on=per_project.ev_first_arrears_on,
            ev_employers=per_project.ev_employers.cast("int64"),
            ev_due_fen=per_project.ev_due_fen.cast("int64"),
            ev_paid_fen=per_project.ev_paid_fen.cast("int64"),
        )

    def details(self, ctx: Context) -> ir.Table:
        owed = arrears(ctx)
        return owed.select(
            subject_id=owed.project_code,
            worker=owed.id_masked,
            employer_uscc=owed.employer_uscc,
            period=owed.period,
            due_on=owed.due_on,
            due_fen=owed.due_fen,
            paid_fen=owed.paid_fen,
            amount_fen=owed.owed_fen,
        )
