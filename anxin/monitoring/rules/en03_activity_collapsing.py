"""EN03 activity collapsing — an early-warning signal (enterprise).

The enterprise's ``consecutive_months`` latest complete months in ``employer_months``
(the latest not older than ``max_lag_months`` before the last complete month) each used
at most ``max_pct_of_average`` percent of its average monthly electricity over the
``baseline_months`` months before the first of them. Not evaluated without the whole
baseline (every one of those months present with a reading) or with an average of 0.
``workers`` and ``amount_fen`` do not apply; severity medium.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Hashable

import ibis
import ibis.expr.types as ir

from anxin.monitoring.rules.base import Context, Rule, finding, last_complete_month, month_index, register, shift_month


@register
class ActivityCollapsing(Rule):
    code = "EN03"
    title = "企业用电量骤降"
    article = "预警信号"
    subject_type = "enterprise"
    family = ""
    defaults = {"max_pct_of_average": 50, "consecutive_months": 2, "baseline_months": 12, "max_lag_months": 2}

    def as_of_key(self, as_of: dt.date) -> Hashable:
        return last_complete_month(as_of)  # the last complete month is all it takes from the date

    def find(self, ctx: Context) -> ir.Table:
        last = last_complete_month(ctx.as_of)
        n, base_n = ctx.params["consecutive_months"], ctx.params["baseline_months"]
        em = ctx["employer_months"]
        em = em.filter((em.month <= last) & em.electricity_kwh.notnull())
        em = em.mutate(month_no=month_index(em.month))
        latest = em.group_by("uscc").aggregate(latest_no=em.month_no.max())
        latest = latest.filter(
            latest.latest_no >= month_index(ibis.literal(shift_month(last, -ctx.params["max_lag_months"])))
        )
        rows = em.join(latest, "uscc")
        is_low_window = rows.month_no > rows.latest_no - n
        is_baseline = (rows.month_no <= rows.latest_no - n) & (rows.month_no > rows.latest_no - n - base_n)
        per_uscc = rows.group_by("uscc").aggregate(
            low_window_months=is_low_window.cast("int64").sum(),
            baseline_count=is_baseline.cast("int64").sum(),
            baseline_kwh=rows.electricity_kwh.sum(where=is_baseline),
            max_recent_kwh=rows.electricity_kwh.max(where=is_low_window),
            min_recent_kwh=rows.electricity_kwh.min(where=is_low_window),
            first_month=rows.month.min(where=is_low_window),
            last_month=rows.month.max(where=is_low_window),
        )
        found = per_uscc.filter(
            (per_uscc.low_window_months == n)
            & (per_uscc.baseline_count == base_n)
            & (per_uscc.baseline_kwh > 0)
            & (per_uscc.max_recent_kwh * 100 * base_n <= ctx.params["max_pct_of_average"] * per_uscc.baseline_kwh)
        )
        return finding(
            found,
            subject_id=found.uscc,
            severity="medium",
            first_month=found.first_month,
            last_month=found.last_month,
            max_recent_kwh=found.max_recent_kwh.round(1),
            baseline_average_kwh=(found.baseline_kwh / base_n).round(1),
        )
