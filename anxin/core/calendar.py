"""The working-day calendar: official public holidays and 调休 make-up workdays.

The base is the ``chinesecalendar`` package (the State Council's yearly notices); an
override table in the database (``core.CalendarDay``) corrects single days, and a
``core.CalendarYear`` row declares a year the package does not know yet (weekends rest,
weekdays work, the overrides add its holidays and make-up days). A date in a year nobody
declared raises ``UnknownCalendarYear`` instead of guessing: a wrong due date would put a
wrong warning in front of an official.

``WorkingCalendar`` is a pure object (tests build it with their own overrides); the
module-level functions use the process-wide calendar loaded from the database.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

import chinese_calendar

#: Lunar New Year's Day (春节) by year: astronomical facts, used for the festival season.
SPRING_FESTIVAL: Mapping[int, dt.date] = {
    2015: dt.date(2015, 2, 19),
    2016: dt.date(2016, 2, 8),
    2017: dt.date(2017, 1, 28),
    2018: dt.date(2018, 2, 16),
    2019: dt.date(2019, 2, 5),
    2020: dt.date(2020, 1, 25),
    2021: dt.date(2021, 2, 12),
    2022: dt.date(2022, 2, 1),
    2023: dt.date(2023, 1, 22),
    2024: dt.date(2024, 2, 10),
    2025: dt.date(2025, 1, 29),
    2026: dt.date(2026, 2, 17),
    2027: dt.date(2027, 2, 6),
    2028: dt.date(2028, 1, 26),
    2029: dt.date(2029, 2, 13),
    2030: dt.date(2030, 2, 3),
}

_PACKAGE_YEARS = range(min(chinese_calendar.constants.holidays).year, max(chinese_calendar.constants.holidays).year + 1)


class UnknownCalendarYear(LookupError):
    """The official holiday schedule of this year is not known to anxin."""

    def __init__(self, year: int) -> None:
        super().__init__(
            f"{year}年的法定节假日和调休安排尚未录入，无法计算工作日；"
            f"请管理员在“工作日历”中登记{year}年的安排（calendar year {year} is unknown）"
        )
        self.year = year


@dataclass(frozen=True)
class WorkingCalendar:
    """Working days = the package's official calendar, corrected by ``overrides``.

    ``overrides`` maps a date to True (a working day) or False (a rest day);
    ``declared_years`` are years known from the overrides alone.
    """

    overrides: Mapping[dt.date, bool] = field(default_factory=dict)
    declared_years: frozenset[int] = frozenset()
    #: Days already looked up (the calendar never changes once built): the package validates
    #: every date against its whole table (a min and a max over it), which made counting the
    #: working days late of 2,000 open warnings take most of a second.
    _known: dict[dt.date, bool] = field(default_factory=dict, init=False, repr=False, compare=False)

    def knows_year(self, year: int) -> bool:
        return year in _PACKAGE_YEARS or year in self.declared_years

    def is_working_day(self, day: dt.date) -> bool:
        known = self._known.get(day)
        if known is None:
            known = self._known[day] = self._look_up(day)
        return known

    def _look_up(self, day: dt.date) -> bool:
        if day in self.overrides:
            return self.overrides[day]
        if day.year in _PACKAGE_YEARS:
            return bool(chinese_calendar.is_workday(day))
        if day.year in self.declared_years:
            return day.weekday() < 5
        raise UnknownCalendarYear(day.year)

    def previous_working_day(self, day: dt.date) -> dt.date:
        """The last working day strictly before ``day``."""
        day -= dt.timedelta(days=1)
        while not self.is_working_day(day):
            day -= dt.timedelta(days=1)
        return day

    def on_or_before(self, day: dt.date) -> dt.date:
        """``day`` if it is a working day, else the previous working day (条例 第十四条)."""
        return day if self.is_working_day(day) else self.previous_working_day(day)

    def add_working_days(self, day: dt.date, n: int) -> dt.date:
        """The ``n``-th working day after ``day`` (``n`` may be negative; 0 returns ``day``)."""
        step = dt.timedelta(days=1 if n >= 0 else -1)
        remaining = abs(n)
        while remaining:
            day += step
            if self.is_working_day(day):
                remaining -= 1
        return day

    def working_days_between(self, start: dt.date, end: dt.date) -> int:
        """How many working days fall in (start, end]."""
        count = 0
        day = start
        while day < end:
            day += dt.timedelta(days=1)
            count += self.is_working_day(day)
        return count

    def days(self, start: dt.date, end: dt.date) -> Iterable[tuple[dt.date, bool]]:
        """Every date in [start, end] with whether it is a working day."""
        day = start
        while day <= end:
            yield day, self.is_working_day(day)
            day += dt.timedelta(days=1)


def spring_festival(year: int) -> dt.date:
    try:
        return SPRING_FESTIVAL[year]
    except KeyError:
        raise UnknownCalendarYear(year) from None


def in_spring_festival_season(day: dt.date, before_days: int, after_days: int) -> bool:
    """True when ``day`` lies from ``before_days`` before to ``after_days`` after a Spring Festival."""
    for year in (day.year, day.year + 1):
        festival = SPRING_FESTIVAL.get(year)
        if festival and festival - dt.timedelta(days=before_days) <= day <= festival + dt.timedelta(days=after_days):
            return True
    return False


def pay_due_date(period: str, pay_day: int, cal: WorkingCalendar) -> dt.date:
    """When the wages of ``period`` ('YYYY-MM') fall due (RULES.md, 条例 第十四条).

    On ``pay_day`` of the following month (a day past the month's end means its last
    day), moved to the previous working day when that is a rest day or holiday.
    """
    year, month = int(period[:4]), int(period[5:7])
    year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    next_month = dt.date(year + 1, 1, 1) if month == 12 else dt.date(year, month + 1, 1)
    last_day = (next_month - dt.timedelta(days=1)).day
    return cal.on_or_before(dt.date(year, month, min(max(pay_day, 1), last_day)))


def first_arrears_date(due: dt.date, grace_working_days: int, cal: WorkingCalendar) -> dt.date:
    """The first day on which an unpaid wage due on ``due`` counts as arrears.

    Arrears on D means D is more than ``grace_working_days`` working days after the due
    date: the day after the grace's last working day.
    """
    return cal.add_working_days(due, grace_working_days) + dt.timedelta(days=1)


_default: WorkingCalendar | None = None
_loaded_at = 0.0
#: Seconds a process keeps the overrides before reading them again (other processes' edits).
CACHE_SECONDS = 60.0


def default_calendar() -> WorkingCalendar:
    """The process-wide calendar with the database's overrides.

    Cached; reset at once in the process that edits an override, and re-read by every
    other process within ``CACHE_SECONDS``.
    """
    import time

    global _default, _loaded_at
    if _default is None or time.monotonic() - _loaded_at > CACHE_SECONDS:
        _loaded_at = time.monotonic()
        from anxin.core.models import CalendarDay, CalendarYear

        _default = WorkingCalendar(
            overrides=dict(CalendarDay.objects.values_list("day", "is_working_day")),
            declared_years=frozenset(CalendarYear.objects.values_list("year", flat=True)),
        )
    return _default


def reset_default_calendar() -> None:
    global _default
    _default = None


def is_working_day(day: dt.date) -> bool:
    return default_calendar().is_working_day(day)


def previous_working_day(day: dt.date) -> dt.date:
    return default_calendar().previous_working_day(day)


def add_working_days(day: dt.date, n: int) -> dt.date:
    return default_calendar().add_working_days(day, n)
