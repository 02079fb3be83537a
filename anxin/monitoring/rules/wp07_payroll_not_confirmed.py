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

from anxin.monitoring.rules.base import Context, Rule, due_passed, finding, latest_periods, register


def window_lines(ctx: Context) -> ir.Table:
    """Payroll lines of each project's window, with whether each is unconfirmed."""
    ledger = due_passed(ctx, ctx.params["default_pay_day"])
    lines = ledger.filter(ledger.payroll_net_fen.notnull())
    lines = lines.mutate(is_unconfirmed=~ibis.coalesce(lines.payroll_confirmed, False))
    periods = latest_periods(lines.select("project_code", "period").distinct(), ctx.params["window_periods"])
    return lines.semi_join(periods, ["project_code", "period"])


def unconfirmed_projects(ctx: Context) -> ir.Table:
    lines = window_lines(ctx)
    per_project = lines.group_by("project_code").aggregate(
        lines=lines.count(),
        unconfirmed=lines.is_unconfirmed.cast("int64").sum(),
        workers=lines.person_key.nunique(where=lines.is_unconfirmed),
        amount_fen=lines.payroll_net_fen.sum(where=lines.is_unconfirmed),
        first_period=lines.period.min(),
        last_period=lines.period.max(),
    )
    return per_project.filter(per_project.unconfirmed * 100 > ctx.params["max_unconfirmed_pct"] * per_project.lines)


@register
class PayrollNotConfirmed(Rule):
    code = "WP07"
    title = "工资单未经农民工本人确认"
    article = "《保障农民工工资支付条例》第三十一条"
    family = "pay_on_behalf"
    defaults = {"max_unconfirmed_pct": 10, "window_periods": 1, "default_pay_day": 31}

    def find(self, ctx: Context) -> ir.Table:
        found = unconfirmed_projects(ctx)
        return finding(
            found,
            subject_id=found.project_code,
            severity="medium",
            workers=found.workers,
            amount_fen=found.amount_fen,
            payroll_lines=found.lines.cast("int64"),
            unconfirmed_lines=found.unconfirmed.cast("int64"),
            unconfirmed_pct=(found.unconfirmed * 100 // found.lines).cast("int64"),
            first_period=found.first_period,
            last_period=found.last_period,
        )

    def details(self, ctx: Context) -> ir.Table:
        lines = window_lines(ctx)
        lines = lines.filter(lines.is_unconfirmed).semi_join(unconfirmed_projects(ctx), "project_code")
        return lines.select(
            subject_id=lines.project_code,
            worker=lines.id_masked,
            employer_uscc=lines.employer_uscc,
            period=lines.period,
            payroll_submitted_on=lines.payroll_submitted_on,
            amount_fen=lines.payroll_net_fen,
        )
