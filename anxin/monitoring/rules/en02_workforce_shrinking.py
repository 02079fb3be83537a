"""EN02 workforce shrinking — an early-warning signal (enterprise).

The insured headcount of the enterprise's latest complete month in ``employer_months``
(not older than ``max_lag_months`` before the last complete month) is down by at least
``min_drop_pct`` percent from ``over_months`` months before (integer arithmetic; the
earlier month must be present with a headcount > 0). ``workers`` is the number of
people fewer; severity medium.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Hashable

import ibis
import ibis.expr.types as ir

from anxin.monitoring.rules.base import Context, Rule, finding, last_complete_month, month_index, register, shift_month


@register
class WorkforceShrinking(Rule):
    code = "EN02"
    title = "参保人数大幅减少"
    article = "预警信号"
    subject_type = "enterprise"
    family = ""
    defaults = {"min_drop_pct": 20, "over_months": 3, "max_lag_months": 2}

    def as_of_key(self, as_of: dt.date) -> Hashable:
        return last_complete_month(as_of)  # the last complete month is all it takes from the date

    def find(self, ctx: Context) -> ir.Table:
        last = last_complete_month(ctx.as_of)
        em = ctx["employer_months"]
        em = em.filter((em.month <= last) & em.insured_headcount.notnull())
        em = em.mutate(month_no=month_index(em.month))
        latest_no = em.group_by("uscc").aggregate(month_no=em.month_no.max())
        latest_no = latest_no.filter(
            latest_no.month_no >= month_index(ibis.literal(shift_month(last, -ctx.params["max_lag_months"])))
        )
        now = em.semi_join(latest_no, ["uscc", "month_no"])
        before = em.select("uscc", before_month="month", before_headcount="insured_headcount", before_no="month_no")
        joined = now.join(
            before, [now.uscc == before.uscc, before.before_no == now.month_no - ctx.params["over_months"]]
        )
        drop = joined.before_headcount - joined.insured_headcount
        found = joined.filter(
            (joined.before_headcount > 0) & (drop * 100 >= ctx.params["min_drop_pct"] * joined.before_headcount)
        )
        drop = found.before_headcount - found.insured_headcount
        return finding(
            found,
            subject_id=found.uscc,
            severity="medium",
            workers=drop,
            from_month=found.before_month,
            to_month=found.month,
            headcount_before=found.before_headcount,
            headcount_after=found.insured_headcount,
            drop_pct=(drop * 100 // found.before_headcount).cast("int64"),
        )
