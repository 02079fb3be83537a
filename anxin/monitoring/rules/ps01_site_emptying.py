"""PS01 site emptying with money owed — 条例 第二十九条.

A project not completed (active on D) whose attendance over the last ``recent_days``
days is below ``max_recent_pct`` percent of its daily average over the ``prior_days``
days before (compared as daily averages: recent sum × prior_days × 100 < pct × prior
sum × recent_days; a day with no ``project_days`` row counts as 0; a project with no
attendance in the prior window is not judged), outside the Spring Festival season, and
with any wage finding open: one of the catalog's WA and WP rules (every registered
rule whose code starts with one of ``money_rule_prefixes``) finds the project on D.
Those rules are evaluated here with their own settings (``ctx.for_rule``), so PS01
agrees with the findings the run records. ``ev_money_rules`` lists them;
``workers`` is the prior daily average headcount (who was on site); severity medium.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Hashable

import ibis
import ibis.expr.types as ir

from anxin.monitoring.rules.base import (
    RULES,
    Context,
    Rule,
    active_projects,
    days_before,
    finding,
    last_complete_month,
    month_of,
    register,
    split_list,
    spring_festival_season,
)


def money_findings(ctx: Context, prefixes: list[str]) -> tuple[ir.Table, list[str]]:
    """(project_code, code) for every open WA/WP finding on a project, and the codes asked.

    The daily run evaluates PS01 after the other rules and hands it their findings of the
    day (``run_findings``: rule, subject_id); without them (a rule tested on its own) the
    WA/WP rules are evaluated here with their own settings.
    """
    codes = sorted(code for code, rule in RULES.items() if code.startswith(tuple(prefixes)))
    if "run_findings" in ctx.tables:
        found = ctx["run_findings"]
        found = found.filter(found.rule.isin(codes))
        return found.select(project_code=found.subject_id, code=found.rule).distinct(), codes
    parts = []
    for code in codes:
        rule = RULES[code]
        found = rule.find(ctx.for_rule(rule))
        parts.append(found.select(project_code=found.subject_id, code=ibis.literal(code)))
    return ibis.union(*parts, distinct=True), codes


@register
class SiteEmptying(Rule):
    code = "PS01"
    title = "工地人员骤减且存在欠薪风险"
    article = "《保障农民工工资支付条例》第二十九条"
    family = ""
    defaults = {
        "recent_days": 7,
        "prior_days": 28,
        "max_recent_pct": 30,
        "festival_before_days": 15,
        "festival_after_days": 20,
        "money_rule_prefixes": "WA,WP",
    }

    def as_of_key(self, as_of: dt.date) -> Hashable:
        # The rules it reuses take at most the month, or the last complete month, from the date.
        return month_of(as_of), last_complete_month(as_of)

    def find(self, ctx: Context) -> ir.Table:
        recent_days, prior_days = ctx.params["recent_days"], ctx.params["prior_days"]
        recent_start = days_before(ctx, recent_days)
        prior_start = days_before(ctx, recent_days + prior_days)
        days = ctx["project_days"]
        days = days.filter((days.day > prior_start) & (days.day <= ctx.day))
        is_recent = days.day > recent_start
        headcount = ibis.coalesce(days.headcount, 0)
        sums = days.group_by("project_code").aggregate(
            recent_sum=ibis.cases((is_recent, headcount), else_=0).sum(),
            prior_sum=ibis.cases((~is_recent, headcount), else_=0).sum(),
        )
        emptying = sums.filter(
            (sums.prior_sum > 0)
            & (sums.recent_sum * prior_days * 100 < ctx.params["max_recent_pct"] * sums.prior_sum * recent_days)
        )
        emptying = emptying.semi_join(active_projects(ctx), "project_code")

        money, codes = money_findings(ctx, split_list(ctx.params["money_rule_prefixes"]))
        flags = money.group_by("project_code").aggregate(
            **{f"has_{code}": (money.code == code).any() for code in codes}
        )
        listed = ibis.literal("")
        for code in codes:
            listed = listed + ibis.ifelse(flags[f"has_{code}"], f" {code}", "")
        flags = flags.select("project_code", money_rules=listed.strip())

        joined = emptying.join(flags, "project_code")
        found = finding(
            joined,
            subject_id=joined.project_code,
            severity="medium",
            workers=joined.prior_sum // prior_days,
            recent_headcount_sum=joined.recent_sum.cast("int64"),
            prior_headcount_sum=joined.prior_sum.cast("int64"),
            recent_pct_of_prior=(joined.recent_sum * prior_days * 100 // (joined.prior_sum * recent_days)).cast(
                "int64"
            ),
            money_rules=joined.money_rules,
        )
        season = spring_festival_season(ctx, ctx.params["festival_before_days"], ctx.params["festival_after_days"])
        return found.filter(~season)
