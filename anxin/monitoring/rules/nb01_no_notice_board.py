"""NB01 no rights-information notice board (维权信息告示牌) — 条例 第三十四条.

An active project whose ``notice_board`` is false. Not reported (null) is found only
when ``count_unreported`` is 1 (default 0: the catalog says ``notice_board =
false``, and a missing report is a data-quality matter, not evidence of a missing
board). Severity low.
"""

from __future__ import annotations

import ibis
import ibis.expr.types as ir

from anxin.monitoring.rules.base import Context, Rule, active_projects, finding, register


@register
class NoNoticeBoard(Rule):
    code = "NB01"
    title = "未设置维权信息告示牌"
    article = "《保障农民工工资支付条例》第三十四条"
    family = "real_name"
    defaults = {"count_unreported": 0}

    def find(self, ctx: Context) -> ir.Table:
        p = active_projects(ctx)
        missing = ~ibis.coalesce(p.notice_board, not ctx.params["count_unreported"])
        found = p.filter(missing)
        return finding(
            found,
            subject_id=found.project_code,
            severity="low",
            reported=found.notice_board.notnull(),
            contractor_uscc=found.contractor_uscc,
        )
