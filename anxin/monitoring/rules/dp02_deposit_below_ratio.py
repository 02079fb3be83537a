"""DP02 wage deposit below the ratio — 条例 第三十二条; 保证金规定; 闽保证金.

An active project with a deposit of one of the ``forms`` (``cash``, ``guarantee``, ``insurance``) whose amount
(null taken as 0) is below ``ratio_basis_points`` of the contract amount (150 bp =
1.5 %), the requirement capped at ``cap_fen``. ``exempt`` is taken as declared: the
reductions of 闽保证金 (for a good record, or none required below a contract size) need
records the feeds do not carry. The figures come from a secondary copy of 闽人社发〔2024〕4号
and are settings to verify. Projects without a contract amount are not judged.
``amount_fen`` is the shortfall; severity low.
"""

from __future__ import annotations

import ibis
import ibis.expr.types as ir

from anxin.monitoring.rules.base import Context, Rule, active_projects, finding, register, split_list


@register
class DepositBelowRatio(Rule):
    code = "DP02"
    title = "工资保证金存储比例不足"
    article = "《保障农民工工资支付条例》第三十二条；《工程建设领域农民工工资保证金规定》；闽人社发〔2024〕4号"
    family = "deposit"
    defaults = {"ratio_basis_points": 150, "cap_fen": 500_000_000, "forms": "cash,guarantee,insurance"}

    def find(self, ctx: Context) -> ir.Table:
        p = active_projects(ctx)
        p = p.filter(p.deposit_form.isin(split_list(ctx.params["forms"])) & p.contract_amount_fen.notnull())
        required = ibis.least(p.contract_amount_fen * ctx.params["ratio_basis_points"] // 10_000, ctx.params["cap_fen"])
        p = p.mutate(required_fen=required.cast("int64"), deposit_fen=ibis.coalesce(p.deposit_amount_fen, 0))
        found = p.filter(p.deposit_fen < p.required_fen)
        return finding(
            found,
            subject_id=found.project_code,
            severity="low",
            amount_fen=found.required_fen - found.deposit_fen,
            deposit_form=found.deposit_form,
            deposit_fen=found.deposit_fen.cast("int64"),
            required_fen=found.required_fen,
            contract_amount_fen=found.contract_amount_fen,
        )
