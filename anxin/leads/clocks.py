"""The statutory clocks of a case, in working days: pure functions over a ``WorkingCalendar``.

- Accept (受理) within 5 working days of receipt: 《关于实施〈劳动保障监察条例〉若干规定》第十八条.
- Finish within 60 working days of acceptance (立案), extendable once by 30 working days
  for a complex case with the reason recorded: 《劳动保障监察条例》第十七条.
A day counts from the day after the event: the n-th working day after it is the deadline.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings

from anxin.core.calendar import WorkingCalendar


def accept_due(received_on: dt.date, cal: WorkingCalendar) -> dt.date:
    return cal.add_working_days(received_on, settings.ANXIN_LEADS_ACCEPT_WORKING_DAYS)


def finish_due(accepted_on: dt.date, cal: WorkingCalendar, *, extended: bool = False) -> dt.date:
    days = settings.ANXIN_LEADS_FINISH_WORKING_DAYS
    if extended:
        days += settings.ANXIN_LEADS_EXTENSION_WORKING_DAYS
    return cal.add_working_days(accepted_on, days)


def supervision_due(on: dt.date, cal: WorkingCalendar, working_days: int | None = None) -> dt.date:
    return cal.add_working_days(on, working_days or settings.ANXIN_LEADS_SUPERVISION_WORKING_DAYS)


def working_days_left(due: dt.date, today: dt.date, cal: WorkingCalendar) -> int:
    """Working days from ``today`` to ``due`` (negative when overdue)."""
    if due >= today:
        return cal.working_days_between(today, due)
    return -cal.working_days_between(due, today)
