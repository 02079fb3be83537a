"""WA01 no special account — 条例 第二十六条.

An active project more than ``grace_days`` days after its start date (D − start_date >
``grace_days``) with no ``wage_account_no`` (null or blank). Severity medium.
"""

from __future__ import annotations

import ibis.expr.types as ir

from anxin.monitoring.rules.base import Context, Rule, active_projects, days_before, finding, is_blank, register


@register
class NoSpecialAccount(Rule):
    code = "WA01"
    title = "未开设农民工工资专用账户"
    article = "《保障农民工工资支付条例》第二十六条"
    family = "special_account"
    defaults = {"grace_days": 30}

    def find(self, ctx: Context) -> ir.Table:
        p = active_projects(ctx)
        found = p.filter((p.start_date < days_before(ctx, ctx.params["grace_days"])) & is_blank(p.wage_account_no))
        return finding(
            found,
            subject_id=found.project_code,
            severity="medium",
            start_date=found.start_date,
            days_active=ctx.day.delta(found.start_date, unit="day").cast("int64"),
            contractor_uscc=found.contractor_uscc,
        )
