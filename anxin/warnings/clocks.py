"""A warning's deadlines in working days, and the escalation ladder: pure functions over a calendar.

- Verify (核实) within ``ANXIN_WARNING_VERIFY_DAYS`` working days of the day the warning
  reached its level (defaults: urgent 1, high 3, medium 5); a rise in level can only bring
  the deadline nearer.
- Handle (处置) within ``ANXIN_WARNING_HANDLE_DAYS`` (15) working days of the verification.
- A deadline missed by ``CITY`` working days passes the warning to the city office's
  attention; missed by ``PROVINCE`` working days, the province lists it (挂牌督办).
A day counts from the day after the event: the n-th working day after it is the deadline.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping

from anxin.core.calendar import WorkingCalendar


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
