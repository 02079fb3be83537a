"""WP08 paid to someone else's card — 条例 第十一条、第三十一条.

A successful payment in the last ``window_days`` days whose card is not the worker's
registered wage card (``card_mismatches``: a foreman's or the employer's card, the
worker's own card held back). ``ev_cards`` counts the distinct receiving cards (by last
four digits): one card receiving many workers' pay is the foreman pattern.
``amount_fen`` is what was paid to other cards; severity medium.
"""

from __future__ import annotations

import ibis.expr.types as ir

from anxin.monitoring.rules.base import Context, Rule, days_before, finding, register


def mismatches(ctx: Context) -> ir.Table:
    paid = ctx["card_mismatches"]
    return paid.filter((paid.paid_on > days_before(ctx, ctx.params["window_days"])) & (paid.paid_on <= ctx.day))


@register
class PaidToOtherCard(Rule):
    code = "WP08"
    title = "工资未发放至农民工本人银行卡"
    article = "《保障农民工工资支付条例》第十一条、第三十一条"
    family = "pay_on_behalf"
    defaults = {"window_days": 60}

    def find(self, ctx: Context) -> ir.Table:
        paid = mismatches(ctx)
        per_project = paid.group_by("project_code").aggregate(
            workers=paid.person_id.nunique(),
            amount_fen=paid.amount_fen.sum(),
            payments=paid.count(),
            cards=paid.card_last4.nunique(),
            first_paid_on=paid.paid_on.min(),
            last_paid_on=paid.paid_on.max(),
        )
        return finding(
            per_project,
            subject_id=per_project.project_code,
            severity="medium",
            workers=per_project.workers,
            amount_fen=per_project.amount_fen,
            payments=per_project.payments.cast("int64"),
            cards=per_project.cards.cast("int64"),
            first_paid_on=per_project.first_paid_on,
            last_paid_on=per_project.last_paid_on,
        )

    def details(self, ctx: Context) -> ir.Table:
        paid = mismatches(ctx)
        return paid.select(
            subject_id=paid.project_code,
            worker=paid.id_masked,
            period=paid.period,
            paid_on=paid.paid_on,
            card_last4=paid.card_last4,
            amount_fen=paid.amount_fen,
        )
