"""RN03 attendance not recorded — 实名制办法.

An active project, started at least ``window_days`` days before D, with employments
open on D and no attendance on any of the last ``window_days`` days (no ``project_days``
row with ``headcount`` > 0 in (D − ``window_days``, D]). Not evaluated in the Spring
Festival season (``festival_before_days`` before to ``festival_after_days`` after the
festival), when sites stand empty by custom. ``workers`` counts the people with an open
employment; severity low.
"""

from __future__ import annotations

import ibis
import ibis.expr.types as ir

from anxin.monitoring.rules.base import (
    Context,
    Rule,
    active_projects,
    current_employments,
    days_before,
    finding,
    register,
    spring_festival_season,
)


@register
class AttendanceNotRecorded(Rule):
    code = "RN03"
    title = "未按规定记录考勤"
    article = "《建筑工人实名制管理办法（试行）》"
    family = "real_name"
    defaults = {"window_days": 7, "festival_before_days": 15, "festival_after_days": 20}

    def find(self, ctx: Context) -> ir.Table:
        window_start = days_before(ctx, ctx.params["window_days"])
        projects = active_projects(ctx)
        projects = projects.filter(projects.start_date <= window_start).select("project_code")
        employed = current_employments(ctx)
        employed = employed.group_by("project_code").aggregate(workers=employed.person_id.nunique())
        days = ctx["project_days"]
        days = days.filter((days.headcount > 0) & (days.day <= ctx.day))
        last_attended = days.group_by("project_code").aggregate(last_attended_on=days.day.max())
        joined = projects.join(employed, "project_code").join(last_attended, "project_code", how="left")
        silent = joined.filter(joined.last_attended_on.isnull() | (joined.last_attended_on <= window_start))
        found = finding(
            silent,
            subject_id=silent.project_code,
            severity="low",
            workers=silent.workers,
            last_attended_on=silent.last_attended_on,
            window_days=ibis.literal(ctx.params["window_days"], "int64"),
        )
        season = spring_festival_season(ctx, ctx.params["festival_before_days"], ctx.params["festival_after_days"])
        return found.filter(~season)
