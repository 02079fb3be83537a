"""DP01 no wage deposit — 条例 第三十二条; 保证金规定.

An active project whose declared ``deposit_form`` is ``none``. A form not reported
(null) is not found here: the rule judges what the contractor declared. Severity low.
"""

from __future__ import annotations

import ibis.expr.types as ir

from anxin.monitoring.rules.base import Context, Rule, active_projects, finding, register


@register
class NoDeposit(Rule):
    code = "DP01"
    title = "未存储农民工工资保证金"
    article = "《保障农民工工资支付条例》第三十二条；《工程建设领域农民工工资保证金规定》"
    family = "deposit"

    def find(self, ctx: Context) -> ir.Table:
        p = active_projects(ctx)
        found = p.filter(p.deposit_form == "none")
        return finding(
            found,
            subject_id=found.project_code,
            severity="low",
            contract_amount_fen=found.contract_amount_fen,
            contractor_uscc=found.contractor_uscc,
            start_date=found.start_date,
        )
