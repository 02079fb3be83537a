"""EN04 wage lawsuits — an early-warning signal (enterprise).

At least ``min_cases`` lawsuits with cause ``cause`` (追索劳动报酬纠纷) filed against the
enterprise in the last ``window_days`` days (``filed_on`` in (D − window, D]).
``workers`` is the plaintiffs, ``amount_fen`` the sums claimed; severity medium.
"""

from __future__ import annotations

import ibis.expr.types as ir

from anxin.monitoring.rules.base import Context, Rule, days_before, finding, register


def recent_suits(ctx: Context) -> ir.Table:
    s = ctx["lawsuits"]
    return s.filter(
        (s.cause == ctx.params["cause"])
        & (s.filed_on > days_before(ctx, ctx.params["window_days"]))
        & (s.filed_on <= ctx.day)
    )


@register
class WageLawsuits(Rule):
    code = "EN04"
    title = "涉劳动报酬诉讼"
    article = "预警信号"
    subject_type = "enterprise"
    family = ""
    defaults = {"min_cases": 1, "window_days": 90, "cause": "追索劳动报酬纠纷"}

    def find(self, ctx: Context) -> ir.Table:
        s = recent_suits(ctx)
        per_uscc = s.group_by("uscc").aggregate(
            cases=s.case_no.nunique(),
            workers=s.plaintiffs.sum(),
            amount_fen=s.amount_fen.sum(),
            first_filed_on=s.filed_on.min(),
            last_filed_on=s.filed_on.max(),
        )
        found = per_uscc.filter(per_uscc.cases >= ctx.params["min_cases"])
        return finding(
            found,
            subject_id=found.uscc,
            severity="medium",
            workers=found.workers,
            amount_fen=found.amount_fen,
            cases=found.cases.cast("int64"),
            first_filed_on=found.first_filed_on,
            last_filed_on=found.last_filed_on,
        )

    def details(self, ctx: Context) -> ir.Table:
        s = recent_suits(ctx).semi_join(self.find(ctx).select(uscc="subject_id"), "uscc")
        return s.select(
            subject_id=s.uscc,
            amount_fen=s.amount_fen,
            case_no=s.case_no,
            filed_on=s.filed_on,
            plaintiffs=s.plaintiffs,
            cause=s.cause,
        )
