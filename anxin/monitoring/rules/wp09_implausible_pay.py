"""WP09 implausible pay — an early-warning signal (fake payroll, money moved through wages).

One person paid more than ``month_limit_fen`` in a calendar month, or more than
``year_limit_fen`` in the 12 months ending with D's month, across all projects
(``person_months``). The finding is raised on every project that paid them in the
months concerned: the ledger rows of that person with a payment whose dates
(``first_paid_on``..``last_paid_on``) overlap the flagged month(s), or the 12 months when
the yearly limit is passed. The person is named only by the masked ID of the ledger.
``workers`` counts such people on the project, ``amount_fen`` is what the project paid
them in those rows; severity medium.
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
    kept,
    lit_date,
    month_first_day,
    month_last_day,
    month_of,
    months_ending,
    register,
)


@kept("WP09.people")
def flagged_people(ctx: Context) -> ir.Table:
    """People over a limit, with the span of dates their pay is looked for on the projects
    (a handful in a province: kept, so the ledger is cut to them first)."""
    months = months_ending(month_of(ctx.as_of), 12)
    pm = ctx["person_months"]
    pm = pm.filter(pm.month.isin(months))
    month_limit, year_limit = ctx.params["month_limit_fen"], ctx.params["year_limit_fen"]
    if year_limit > 0:
        # Only people with a month over a limit can be over one: more than the yearly limit in
        # (at most) 12 months means some month over a twelfth of it. A filter on the amounts cuts
        # 12 months of a province's person-months (11 M rows) to a few people before grouping.
        high = pm.filter((pm.paid_fen > month_limit) | (pm.paid_fen * 12 > year_limit))
        pm = pm.semi_join(high.select("person_id").distinct(), "person_id")
    over_month = pm.paid_fen > month_limit
    people = pm.group_by("person_id").aggregate(
        total_fen=pm.paid_fen.sum(),
        max_month_fen=pm.paid_fen.max(),
        months_over=over_month.cast("int64").sum(),
        first_month_over=pm.month.min(where=over_month),
        last_month_over=pm.month.max(where=over_month),
    )
    people = people.mutate(over_year=people.total_fen > year_limit)
    people = people.filter(people.over_year | (people.months_over > 0))
    # The months' dates for the people found only (a few rows, not every person-month).
    flagged_start = ibis.cases(*[(people.first_month_over == m, lit_date(month_first_day(m))) for m in months])
    flagged_end = ibis.least(
        ibis.cases(*[(people.last_month_over == m, lit_date(month_last_day(m))) for m in months]), ctx.day
    )
    return people.select(
        "person_id",
        "total_fen",
        "max_month_fen",
        "months_over",
        "over_year",
        span_start=ibis.ifelse(people.over_year, lit_date(month_first_day(months[0])), flagged_start),
        span_end=ibis.ifelse(people.over_year, ctx.day, flagged_end),
    )


@kept("WP09.rows")
def paying_rows(ctx: Context) -> ir.Table:
    """The ledger rows in which a project paid a flagged person within the span."""
    people = flagged_people(ctx)
    ledger = ctx["ledger"]
    # Their rows first (a semi-join probes the ledger by key alone), then the spans.
    ledger = ledger.filter(ledger.paid_fen > 0).semi_join(people.select("person_id").view(), "person_id")
    joined = ledger.join(
        people,
        [
            ledger.person_id == people.person_id,
            ledger.first_paid_on <= people.span_end,
            ledger.last_paid_on >= people.span_start,
        ],
    )
    return joined.select(
        ledger.project_code,
        ledger.person_id,
        ledger.id_masked,
        ledger.period,
        ledger.paid_fen,
        people.total_fen,
        people.max_month_fen,
        people.over_year,
        people.months_over,
    )


@register
class ImplausiblePay(Rule):
    code = "WP09"
    title = "个人工资收入异常偏高"
    article = "预警信号（虚构工资、借工资转移资金）"
    family = "pay_on_behalf"
    defaults = {"month_limit_fen": 5_000_000, "year_limit_fen": 30_000_000}

    def as_of_key(self, as_of: dt.date) -> Hashable:
        return month_of(as_of)  # the month is all it takes from the date

    def find(self, ctx: Context) -> ir.Table:
        rows = paying_rows(ctx)
        per_project = rows.group_by("project_code").aggregate(
            workers=rows.person_id.nunique(),
            amount_fen=rows.paid_fen.sum(),
            people_over_year_limit=rows.person_id.nunique(where=rows.over_year),
            people_over_month_limit=rows.person_id.nunique(where=rows.months_over > 0),
            max_month_fen=rows.max_month_fen.max(),
            max_12_months_fen=rows.total_fen.max(),
            first_period=rows.period.min(),
            last_period=rows.period.max(),
        )
        return finding(
            per_project,
            subject_id=per_project.project_code,
            severity="medium",
            workers=per_project.workers,
            amount_fen=per_project.amount_fen,
            people_over_month_limit=per_project.people_over_month_limit.cast("int64"),
            people_over_year_limit=per_project.people_over_year_limit.cast("int64"),
            max_month_fen=per_project.max_month_fen.cast("int64"),
            max_12_months_fen=per_project.max_12_months_fen.cast("int64"),
            first_period=per_project.first_period,
            last_period=per_project.last_period,
        )

    def details(self, ctx: Context) -> ir.Table:
        rows = paying_rows(ctx)
        per_person = rows.group_by(["project_code", "person_id"]).aggregate(
            worker=rows.id_masked.max(),
            amount_fen=rows.paid_fen.sum(),
            periods=rows.period.nunique(),
            max_month_fen=rows.max_month_fen.max(),
            total_12_months_fen=rows.total_fen.max(),
        )
        return per_person.select(
            subject_id=per_person.project_code,
            worker=per_person.worker,
            periods=per_person.periods.cast("int64"),
            max_month_fen=per_person.max_month_fen.cast("int64"),
            total_12_months_fen=per_person.total_12_months_fen.cast("int64"),
            amount_fen=per_person.amount_fen.cast("int64"),
        )
