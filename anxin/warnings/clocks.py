"""A warning's deadlines in working days, and the escalation ladder: pure functions over a calendar.

- Verify (核实) within ``ANXIN_WARNING_VERIFY_DAYS`` working days of the day the warning
  reached its level (defaults: urgent 1, high 3, medium 5); a rise in level can only bring
  the deadline nearer.
- Handle (处置) within ``ANXIN_WARNING_HANDLE_DAYS`` (15) working days of the verification.
- A deadline missed by ``CITY`` working days passes the warning to the city office's
  attention; missed by ``PROVINCE`` working days, the province lists it (挂牌督办).
A day counts from the day after the event: the n-th working day after it is the deadline.

Deadlines must never stop the daily run: a warning raised in late December falls due in a
year whose State Council holiday notice may not be loaded yet. ``deadline_calendar`` counts
such a year provisionally (weekends and the statutory fixed holidays rest: 元旦, 春节 eve to
the third day, 5月1–2日, 10月1–3日; no 调休) and the pages mark those deadlines 暂计. Wage
due dates do not use it: an unknown year there is left unjudged (``core.calendar``).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Mapping

from anxin.core.calendar import SPRING_FESTIVAL, WorkingCalendar, default_calendar

#: Years ahead of today that a deadline may reach; far beyond any ladder's reach.
_PROVISIONAL_YEARS = 3


def provisional_rest_days(year: int) -> list[dt.date]:
    """The statutory holidays with fixed dates (全国年节及纪念日放假办法, 2024), for a year not yet announced."""
    days = [dt.date(year, 1, 1), dt.date(year, 5, 1), dt.date(year, 5, 2)]
    days += [dt.date(year, 10, d) for d in (1, 2, 3)]
    festival = SPRING_FESTIVAL.get(year)
    if festival is not None:
        days += [festival + dt.timedelta(days=n) for n in (-1, 0, 1, 2)]
    return days


def with_provisional_years(cal: WorkingCalendar, today: dt.date) -> WorkingCalendar:
    """``cal`` with every unknown year from ``today``'s on counted provisionally."""
    unknown = [y for y in range(today.year, today.year + _PROVISIONAL_YEARS + 1) if not cal.knows_year(y)]
    if not unknown:
        return cal
    overrides = dict(cal.overrides)
    for year in unknown:
        for day in provisional_rest_days(year):
            overrides.setdefault(day, False)
    return dataclasses.replace(cal, overrides=overrides, declared_years=cal.declared_years | frozenset(unknown))


def deadline_calendar(today: dt.date) -> WorkingCalendar:
    return with_provisional_years(default_calendar(), today)


def is_provisional(day: dt.date) -> bool:
    """True when ``day`` lies in a year whose official holidays are not loaded (the deadline is 暂计)."""
    return not default_calendar().knows_year(day.year)


def verify_due(on: dt.date, level: str, cal: WorkingCalendar, days_by_level: Mapping[str, int]) -> dt.date:
    return cal.add_working_days(on, days_by_level[level.upper()])


def handle_due(on: dt.date, cal: WorkingCalendar, days: int) -> dt.date:
    return cal.add_working_days(on, days)


def working_days_late(due: dt.date, today: dt.date, cal: WorkingCalendar) -> int:
    """Working days in (due, today]: 0 while the deadline holds (or only rest days have passed)."""
    return cal.working_days_between(due, today) if today > due else 0


def working_days_left(due: dt.date, today: dt.date, cal: WorkingCalendar) -> int:
    """Working days from ``today`` to ``due``; negative (working days late) once it has passed."""
    if due >= today:
        return cal.working_days_between(today, due)
    return -cal.working_days_between(due, today)


def rung(late: int, ladder: Mapping[str, int]) -> str:
    """Where a warning late by ``late`` working days stands on the ladder: "", "city" or "province"."""
    if late >= ladder["PROVINCE"]:
        return "province"
    if late >= ladder["CITY"]:
        return "city"
    return ""
