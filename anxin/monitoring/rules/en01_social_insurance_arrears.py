"""EN01 social-insurance arrears — 《社会保险法》第六十三条 (enterprise).

Per enterprise, its two latest months in ``employer_months`` that are complete on D (a
month is complete on its last day) and not older than ``max_lag_months`` months before
the last complete month (the feed arrives late; a stale enterprise is not judged). They
must be consecutive months, each with contributions due, and in each the contributions
paid are below ``min_paid_pct`` percent of those due. ``amount_fen`` is the unpaid
contributions of the two months; ``workers`` the insured headcount of the later one;
severity medium.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Hashable

import ibis
import ibis.expr.types as ir

from anxin.monitoring.rules.base import (
    Context,
    Rule,
    finding,
    last_complete_month,
    month_index,
    register,
    shift_month,
)


@register
class SocialInsuranceArrears(Rule):
    code = "EN01"
    title = "社会保险费欠缴"
    article = "《中华人民共和国社会保险法》第六十三条"
    subject_type = "enterprise"
    family = ""
    defaults = {"min_paid_pct": 90, "consecutive_months": 2, "max_lag_months": 2}

    def as_of_key(self, as_of: dt.date) -> Hashable:
        return last_complete_month(as_of)  # the last complete month is all it takes from the date

    def find(self, ctx: Context) -> ir.Table:
        last = last_complete_month(ctx.as_of)
        n = ctx.params["consecutive_months"]
        em = ctx["employer_months"]
        em = em.filter((em.month <= last) & (em.month >= shift_month(last, -ctx.params["max_lag_months"] - n + 1)))
        em = em.mutate(month_no=month_index(em.month))
        latest = em.group_by("uscc").aggregate(latest_no=em.month_no.max())
        rows = em.join(latest, "uscc")
        rows = rows.filter(rows.month_no > rows.latest_no - n)
        rows = rows.filter(
            rows.latest_no >= month_index(ibis.literal(shift_month(last, -ctx.params["max_lag_months"])))
        )
        due = ibis.coalesce(rows.contributions_due_fen, 0)
        paid = ibis.coalesce(rows.contributions_paid_fen, 0)
        rows = rows.mutate(is_short=(due > 0) & (paid * 100 < ctx.params["min_paid_pct"] * due), unpaid_fen=due - paid)
        per_uscc = rows.group_by("uscc").aggregate(
            months=rows.count(),
            short_months=rows.is_short.cast("int64").sum(),
            unpaid_fen=rows.unpaid_fen.sum(),
            due_fen=rows.contributions_due_fen.sum(),
            paid_fen=rows.contributions_paid_fen.sum(),
            first_month=rows.month.min(),
            last_month=rows.month.max(),
            headcount=rows.insured_headcount.max(where=rows.month_no == rows.latest_no),
        )
        found = per_uscc.filter((per_uscc.months == n) & (per_uscc.short_months == n))
        return finding(
            found,
            subject_id=found.uscc,
            severity="medium",
            workers=found.headcount,
            amount_fen=found.unpaid_fen,
            first_month=found.first_month,
            last_month=found.last_month,
            contributions_due_fen=found.due_fen.cast("int64"),
            contributions_paid_fen=found.paid_fen.cast("int64"),
            paid_pct=(ibis.coalesce(found.paid_fen, 0) * 100 // found.due_fen).cast("int64"),
        )
