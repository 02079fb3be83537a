"""RN01 on site without registration — 条例 第二十八条; 实名制办法.

Read from ``unregistered`` (people attending a project without an employment on it that
day), not from the day's attendance alone: a person seen in the last ``window_days``
days (``last_seen_on`` > D − ``window_days``) keeps the finding open, so it does not
flap on a day the person happens not to clock in, and clears once they are registered
or gone for the window. ``workers`` counts them; severity low.
"""

from __future__ import annotations

import ibis
import ibis.expr.types as ir

from anxin.monitoring.rules.base import Context, Rule, days_before, finding, register


def recent(ctx: Context) -> ir.Table:
    u = ctx["unregistered"]
    return u.filter((u.last_seen_on > days_before(ctx, ctx.params["window_days"])) & (u.last_seen_on <= ctx.day))


@register
class UnregisteredOnSite(Rule):
    code = "RN01"
    title = "未实名登记人员进场作业"
    article = "《保障农民工工资支付条例》第二十八条；《建筑工人实名制管理办法（试行）》"
    family = "real_name"
    defaults = {"window_days": 7}

    def find(self, ctx: Context) -> ir.Table:
        u = recent(ctx)
        per_project = u.group_by("project_code").aggregate(
            workers=u.person_id.nunique(),
            days=u.days.sum(),
            first_seen_on=u.first_seen_on.min(),
            last_seen_on=u.last_seen_on.max(),
        )
        return finding(
            per_project,
            subject_id=per_project.project_code,
            severity="low",
            workers=per_project.workers,
            days_on_site=per_project.days.cast("int64"),
            first_seen_on=per_project.first_seen_on,
            last_seen_on=per_project.last_seen_on,
        )

    def details(self, ctx: Context) -> ir.Table:
        u = recent(ctx)
        return u.select(
            subject_id=u.project_code,
            amount_fen=ibis.null("int64"),
            worker=u.id_masked,
            first_seen_on=u.first_seen_on,
            last_seen_on=u.last_seen_on,
            days=u.days,
        )
