"""RN02 no labour contract — 条例 第二十八条.

Of the employments open on D on an active project, the share with ``contract_signed``
false exceeds ``max_unsigned_pct`` percent (integer arithmetic). Unreported (null) counts
in the whole but not as unsigned. ``workers`` counts the people without a contract;
severity low.
"""

from __future__ import annotations

import ibis
import ibis.expr.types as ir

from anxin.monitoring.rules.base import Context, Rule, active_projects, current_employments, finding, kept, register


def open_employments(ctx: Context) -> ir.Table:
    e = current_employments(ctx).semi_join(active_projects(ctx), "project_code")
    return e.mutate(is_unsigned=ibis.coalesce(~e.contract_signed, False))


@kept("RN02.projects")
def projects_without_contracts(ctx: Context) -> ir.Table:
    """The projects over the share (a few hundred rows: kept, so ``details`` does not count again)."""
    e = open_employments(ctx)
    per_project = e.group_by("project_code").aggregate(
        employments=e.count(),
        unsigned=e.is_unsigned.cast("int64").sum(),
        workers=e.person_id.nunique(where=e.is_unsigned),
        employers=e.employer_uscc.nunique(where=e.is_unsigned),
    )
    return per_project.filter(per_project.unsigned * 100 > ctx.params["max_unsigned_pct"] * per_project.employments)


@register
class NoLabourContract(Rule):
    code = "RN02"
    title = "未签订劳动合同"
    article = "《保障农民工工资支付条例》第二十八条"
    family = "real_name"
    defaults = {"max_unsigned_pct": 5}

    def find(self, ctx: Context) -> ir.Table:
        found = projects_without_contracts(ctx)
        return finding(
            found,
            subject_id=found.project_code,
            severity="low",
            workers=found.workers,
            employments=found.employments.cast("int64"),
            unsigned=found.unsigned.cast("int64"),
            unsigned_pct=(found.unsigned * 100 // found.employments).cast("int64"),
            employers=found.employers.cast("int64"),
        )

    def details(self, ctx: Context) -> ir.Table:
        e = open_employments(ctx)
        e = e.filter(e.is_unsigned).semi_join(projects_without_contracts(ctx), "project_code")
        return e.select(
            subject_id=e.project_code,
            amount_fen=ibis.null("int64"),
            worker=e.id_masked,
            employer_uscc=e.employer_uscc,
            trade=e.trade,
            start_date=e.start_date,
        )
