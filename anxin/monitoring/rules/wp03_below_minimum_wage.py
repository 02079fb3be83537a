"""WP03 paid below the minimum wage — 《最低工资规定》第十二条; 福建最低工资标准.

Compared with the monthly minimum wage of the project's county (``min_wages``, the tier
in force on D). For normal working time, the monthly tier including the worker's own
social-insurance contributions, so it is compared with the *gross* pay:

- a full month (``days_attended`` ≥ 21.75) whose gross pay (the payroll's gross amount,
  else the amount due estimated from the rate) is below the tier; or
- a daily rate below the tier ÷ 21.75 (``wage_rate_fen`` × 2175 < ``monthly_fen`` × 100).

The feeds do not split overtime pay or special allowances out of the gross: a gross that
includes them and is still below the tier is certainly below it, so the rule may miss a
violation but does not invent one. The periods judged are the last
``lookback_months`` complete months (a period is judged once it is over). The shortfall
(``amount_fen``) is the tier minus the gross for a full month, or the rate's shortfall ×
days for daily pay, whichever is larger. ``ev_tier_confirmed`` says whether the county's
tier and its amount are confirmed (see reference/SOURCES); severity medium.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Hashable

import ibis
import ibis.expr.types as ir

from anxin.monitoring.rules.base import (
    MONTH_WORKING_DAYS_X100,
    Context,
    Rule,
    amount_due,
    finding,
    kept,
    last_complete_month,
    months_ending,
    register,
)


@kept("WP03.below")
def below_minimum(ctx: Context) -> ir.Table:
    """Worker-periods paid below the county's minimum wage, with the shortfall."""
    ledger = ctx["ledger"]
    months = months_ending(last_complete_month(ctx.as_of), ctx.params["lookback_months"])
    ledger = ledger.filter(ledger.period.isin(months))
    projects = ctx["projects"].select("project_code", "region_code")
    wages = ctx["min_wages"]
    joined = ledger.join(projects, "project_code").join(wages, "region_code")
    days = ibis.coalesce(joined.days_attended, 0)
    gross = ibis.coalesce(joined.payroll_gross_fen, amount_due(joined))
    is_full_month = days * 100 >= MONTH_WORKING_DAYS_X100
    month_short = ibis.cases((is_full_month & (gross < joined.monthly_fen), joined.monthly_fen - gross), else_=0)
    daily_short_x2175 = joined.monthly_fen * 100 - joined.wage_rate_fen * MONTH_WORKING_DAYS_X100
    daily_short = ibis.cases(
        ((joined.wage_type == "daily") & (daily_short_x2175 > 0), daily_short_x2175 * days // MONTH_WORKING_DAYS_X100),
        else_=0,
    )
    flagged = joined.mutate(
        gross_fen=gross,
        is_full_month=is_full_month,
        is_daily_below=(joined.wage_type == "daily") & (daily_short_x2175 > 0),
        shortfall_fen=ibis.greatest(month_short, daily_short).cast("int64"),
    )
    return flagged.filter((flagged.is_full_month & (flagged.gross_fen < flagged.monthly_fen)) | flagged.is_daily_below)


@register
class BelowMinimumWage(Rule):
    code = "WP03"
    title = "工资低于最低工资标准"
    article = "《最低工资规定》第十二条；福建省最低工资标准"
    family = "pay_on_behalf"
    defaults = {"lookback_months": 3}

    def as_of_key(self, as_of: dt.date) -> Hashable:
        return last_complete_month(as_of)  # the last complete month is all it takes from the date

    def find(self, ctx: Context) -> ir.Table:
        low = below_minimum(ctx)
        per_project = low.group_by("project_code").aggregate(
            workers=low.person_id.nunique(),
            amount_fen=low.shortfall_fen.sum(),
            region_code=low.region_code.max(),
            monthly_min_fen=low.monthly_fen.max(),
            tier_confirmed=low.confirmed.all(),
            full_months_below=(low.is_full_month & (low.gross_fen < low.monthly_fen)).cast("int64").sum(),
            daily_rates_below=low.is_daily_below.cast("int64").sum(),
            first_period=low.period.min(),
            last_period=low.period.max(),
        )
        return finding(
            per_project,
            subject_id=per_project.project_code,
            severity="medium",
            workers=per_project.workers,
            amount_fen=per_project.amount_fen,
            region_code=per_project.region_code,
            monthly_min_fen=per_project.monthly_min_fen.cast("int64"),
            tier_confirmed=per_project.tier_confirmed,
            full_months_below=per_project.full_months_below.cast("int64"),
            daily_rates_below=per_project.daily_rates_below.cast("int64"),
            first_period=per_project.first_period,
            last_period=per_project.last_period,
        )

    def details(self, ctx: Context) -> ir.Table:
        low = below_minimum(ctx)
        return low.select(
            subject_id=low.project_code,
            worker=low.id_masked,
            period=low.period,
            wage_type=low.wage_type,
            wage_rate_fen=low.wage_rate_fen,
            days_attended=low.days_attended,
            gross_fen=low.gross_fen.cast("int64"),
            monthly_min_fen=low.monthly_fen,
            amount_fen=low.shortfall_fen,
        )
