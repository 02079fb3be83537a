"""LD01 complaint leads — 条例 第四十条.

At least ``min_cases`` complaint leads received about the subject in the last
``window_days`` days (``received_on`` in (D − window, D]). Leads name a project or an
enterprise, so this rule returns a ``subject_type`` column (see ``rules.base``): one
finding per subject of either kind. Stronger (high) with ``strong_cases`` leads or more,
or ``strong_workers`` workers or more; else medium. ``workers`` is the workers the leads
speak for.
"""

from __future__ import annotations

import ibis
import ibis.expr.types as ir

from anxin.monitoring.rules.base import Context, Rule, days_before, register


def recent_leads(ctx: Context) -> ir.Table:
    leads = ctx["lead_cases"]
    return leads.filter(
        (leads.received_on > days_before(ctx, ctx.params["window_days"])) & (leads.received_on <= ctx.day)
    )


@register
class ComplaintLeads(Rule):
    code = "LD01"
    title = "欠薪投诉线索"
    article = "《保障农民工工资支付条例》第四十条"
    subject_type = "project"  # the default; rows carry their own subject_type
    family = ""
    defaults = {"min_cases": 1, "window_days": 30, "strong_cases": 3, "strong_workers": 10}

    def find(self, ctx: Context) -> ir.Table:
        leads = recent_leads(ctx)
        per_subject = leads.group_by(["subject_type", "subject_id"]).aggregate(
            cases=leads.case_no.nunique(),
            workers=leads.workers.sum(),
            first_received_on=leads.received_on.min(),
            last_received_on=leads.received_on.max(),
        )
        found = per_subject.filter(per_subject.cases >= ctx.params["min_cases"])
        workers = ibis.coalesce(found.workers, 0)
        strong = (found.cases >= ctx.params["strong_cases"]) | (workers >= ctx.params["strong_workers"])
        return found.select(
            subject_id=found.subject_id,
            severity=ibis.ifelse(strong, "high", "medium"),
            workers=found.workers.cast("int64"),
            amount_fen=ibis.null("int64"),
            subject_type=found.subject_type,
            ev_cases=found.cases.cast("int64"),
            ev_first_received_on=found.first_received_on,
            ev_last_received_on=found.last_received_on,
        )

    def details(self, ctx: Context) -> ir.Table:
        leads = recent_leads(ctx)
        return leads.select(
            subject_id=leads.subject_id,
            amount_fen=ibis.null("int64"),
            subject_type=leads.subject_type,
            case_no=leads.case_no,
            received_on=leads.received_on,
            workers=leads.workers,
        )
