"""RN04 no labour-wage manager (劳资专管员) — 条例 第二十八条.

An active project whose ``labor_manager`` is null or blank. Severity low.
"""

from __future__ import annotations

import ibis.expr.types as ir

from anxin.monitoring.rules.base import Context, Rule, active_projects, finding, is_blank, register


@register
class NoLabourManager(Rule):
    code = "RN04"
    title = "未配备劳资专管员"
    article = "《保障农民工工资支付条例》第二十八条"
    family = "real_name"

    def find(self, ctx: Context) -> ir.Table:
        p = active_projects(ctx)
        found = p.filter(is_blank(p.labor_manager))
        return finding(
            found,
            subject_id=found.project_code,
            severity="low",
            contractor_uscc=found.contractor_uscc,
            start_date=found.start_date,
        )
