"""WP07 payroll not confirmed by the workers — 条例 第三十一条.

Window: each project's latest ``window_periods`` wage period(s) that have payroll lines
and whose due date has passed (by then every worker has had the payroll in front of them;
a payroll still before its due date may yet be confirmed). Found when the share of those
payroll lines (``payroll_net_fen`` not null) with ``payroll_confirmed`` not true exceeds
``max_unconfirmed_pct`` percent (integer arithmetic: unconfirmed × 100 > pct × lines).
``amount_fen`` is the net pay on the unconfirmed lines; severity medium.
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


def _lines(ctx: Context, ledger: ir.Table) -> ir.Table:
    """Payroll lines past due (``ledger``: ``with_due``), with whether each is unconfirmed."""
    lines = ledger.filter(
        ledger.due_on.notnull()
        & (ledger.due_on < ctx.day)
        & ledger.due_fen.notnull()
        & ledger.payroll_net_fen.notnull()
    )
    return lines.mutate(is_unconfirmed=~ibis.coalesce(lines.payroll_confirmed, False))


@kept("WP07.periods")
def found_periods(ctx: Context) -> ir.Table:
    """The window's periods of each project found, with their lines counted (from the ledger's
    sums by project and period; the lines themselves are fetched for these periods alone)."""
    p = periods_due(ctx, ctx.params["default_pay_day"])
    p = p.filter(p.due_on.notnull() & (p.due_on < ctx.day) & (p.payroll_lines > 0))
    periods = p.group_by(["project_code", "period"]).aggregate(
        lines=p.payroll_lines.sum(),
        unconfirmed=p.payroll_unconfirmed.sum(),
        amount_fen=p.payroll_unconfirmed_fen.sum(),
    )
    window = latest_periods(periods, ctx.params["window_periods"])
    totals = window.group_by("project_code").aggregate(
        all_lines=window.lines.sum(), all_unconfirmed=window.unconfirmed.sum()
    )
    found = totals.filter(totals.all_unconfirmed * 100 > ctx.params["max_unconfirmed_pct"] * totals.all_lines)
    return window.semi_join(found, "project_code")


@kept("WP07.lines")
def unconfirmed_lines(ctx: Context) -> ir.Table:
    """The unconfirmed payroll lines of the periods found."""
    ledger = with_due_of(ctx, found_periods(ctx), ["project_code", "period"], ctx.params["default_pay_day"])
    lines = _lines(ctx, ledger)
    return lines.filter(lines.is_unconfirmed)


@register
class PayrollNotConfirmed(Rule):
    code = "WP07"
    title = "工资单未经农民工本人确认"
    article = "《保障农民工工资支付条例》第三十一条"
    family = "pay_on_behalf"
    defaults = {"max_unconfirmed_pct": 10, "window_periods": 1, "default_pay_day": 31}

    def find(self, ctx: Context) -> ir.Table:
        periods = found_periods(ctx)
        per_project = periods.group_by("project_code").aggregate(
            lines=periods.lines.sum(),
            unconfirmed=periods.unconfirmed.sum(),
            amount_fen=periods.amount_fen.sum(),
            first_period=periods.period.min(),
            last_period=periods.period.max(),
        )
        lines = unconfirmed_lines(ctx)
        workers = lines.group_by("project_code").aggregate(workers=lines.person_id.nunique())
        found = per_project.left_join(workers, per_project.project_code == workers.project_code)
        return finding(
            found,
            subject_id=per_project.project_code,
            severity="medium",
            workers=ibis.coalesce(workers.workers, 0),
            amount_fen=found.amount_fen,
            payroll_lines=found.lines.cast("int64"),
            unconfirmed_lines=found.unconfirmed.cast("int64"),
            unconfirmed_pct=(found.unconfirmed * 100 // found.lines).cast("int64"),
            first_period=found.first_period,
            last_period=found.last_period,
        )

    def details(self, ctx: Context) -> ir.Table:
        lines = unconfirmed_lines(ctx)
        return lines.select(
            subject_id=lines.project_code,
            worker=lines.id_masked,
            employer_uscc=lines.employer_uscc,
            period=lines.period,
            payroll_submitted_on=lines.payroll_submitted_on,
            amount_fen=lines.payroll_net_fen,
        )
