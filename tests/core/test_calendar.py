"""The working-day calendar against the State Council's notices for 2024, 2025 and 2026.

The expected days are copied from the notices themselves (国务院办公厅关于…部分节假日安排的通知):
国办发明电〔2023〕7号 (2024), 〔2024〕12号 (2025) and 〔2025〕7号 (2026), not from the package.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

import chinese_calendar
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from anxin.core.calendar import (
    UnknownCalendarYear,
    WorkingCalendar,
    add_working_days,
    first_arrears_date,
    in_spring_festival_season,
    is_working_day,
    pay_due_date,
    previous_working_day,
    reset_default_calendar,
    spring_festival,
)
from anxin.core.models import CalendarDay, CalendarYear

D = dt.date.fromisoformat
CAL = WorkingCalendar()

#: Rest periods (放假) by year, first and last day inclusive, as the notices list them.
REST = {
    2024: {
        "元旦": ("2024-01-01", "2024-01-01"),
        "春节": ("2024-02-10", "2024-02-17"),
        "清明节": ("2024-04-04", "2024-04-06"),
        "劳动节": ("2024-05-01", "2024-05-05"),
        "端午节": ("2024-06-10", "2024-06-10"),
        "中秋节": ("2024-09-15", "2024-09-17"),
        "国庆节": ("2024-10-01", "2024-10-07"),
    },
    2025: {
        "元旦": ("2025-01-01", "2025-01-01"),
        "春节": ("2025-01-28", "2025-02-04"),
        "清明节": ("2025-04-04", "2025-04-06"),
        "劳动节": ("2025-05-01", "2025-05-05"),
        "端午节": ("2025-05-31", "2025-06-02"),
        "国庆节、中秋节": ("2025-10-01", "2025-10-08"),
    },
    2026: {
        "元旦": ("2026-01-01", "2026-01-03"),
        "春节": ("2026-02-15", "2026-02-23"),
        "清明节": ("2026-04-04", "2026-04-06"),
        "劳动节": ("2026-05-01", "2026-05-05"),
        "端午节": ("2026-06-19", "2026-06-21"),
        "中秋节": ("2026-09-25", "2026-09-27"),
        "国庆节": ("2026-10-01", "2026-10-07"),
    },
}
#: Make-up workdays (调休上班), each a Saturday or Sunday.
MAKE_UP = {
    2024: [
        "2024-02-04",
        "2024-02-18",
        "2024-04-07",
        "2024-04-28",
        "2024-05-11",
        "2024-09-14",
        "2024-09-29",
        "2024-10-12",
    ],
    2025: ["2025-01-26", "2025-02-08", "2025-04-27", "2025-09-28", "2025-10-11"],
    2026: ["2026-01-04", "2026-02-14", "2026-02-28", "2026-05-09", "2026-09-20", "2026-10-10"],
}


def each_day(first: dt.date, last: dt.date) -> Iterator[dt.date]:
    day = first
    while day <= last:
        yield day
        day += dt.timedelta(days=1)


def official_working_day(day: dt.date) -> bool:
    """The notice's answer: weekdays work, except rest periods; listed weekend days work."""
    if day.isoformat() in MAKE_UP[day.year]:
        return True
    for first, last in REST[day.year].values():
        if D(first) <= day <= D(last):
            return False
    return day.weekday() < 5


# --- the official calendar ------------------------------------------------------------


@pytest.mark.parametrize("year", [2024, 2025, 2026])
def test_every_day_of_the_year_follows_the_state_councils_notice(year: int) -> None:
    wrong = [
        day.isoformat()
        for day in each_day(dt.date(year, 1, 1), dt.date(year, 12, 31))
        if CAL.is_working_day(day) != official_working_day(day)
    ]
    assert wrong == []


@pytest.mark.parametrize("year", [2024, 2025, 2026])
def test_every_make_up_workday_is_a_weekend_day_that_works(year: int) -> None:
    for iso in MAKE_UP[year]:
        assert D(iso).weekday() >= 5, iso
        assert CAL.is_working_day(D(iso)), iso


@pytest.mark.parametrize(
    ("year", "working_days"),
    # 2024: 262 weekdays, 11 statutory holidays → 251. From 2025 (国务院令第795号) there are
    # 13 statutory holidays: 261 weekdays − 13 → 248 in 2025 and in 2026.
    [(2024, 251), (2025, 248), (2026, 248)],
)
def test_a_year_has_the_published_number_of_working_days(year: int, working_days: int) -> None:
    assert CAL.working_days_between(dt.date(year - 1, 12, 31), dt.date(year, 12, 31)) == working_days


def test_the_spring_festival_2024_rests_eight_days_between_two_working_sundays() -> None:
    assert [CAL.is_working_day(d) for d in each_day(D("2024-02-10"), D("2024-02-17"))] == [False] * 8
    assert CAL.is_working_day(D("2024-02-04"))  # Sunday
    assert CAL.is_working_day(D("2024-02-18"))  # Sunday
    # 2024's 除夕 (02-09, Friday) was not a holiday: employers were only encouraged to let people off.
    assert CAL.is_working_day(D("2024-02-09"))


def test_the_2025_spring_festival_starts_on_new_years_eve() -> None:
    # From 2025 除夕 is itself a statutory holiday.
    assert not CAL.is_working_day(D("2025-01-28"))
    assert CAL.is_working_day(D("2025-01-26"))  # Sunday make-up
    assert CAL.is_working_day(D("2025-02-08"))  # Saturday make-up
    assert CAL.is_working_day(D("2025-02-05"))


def test_national_day_2025_runs_eight_days_with_mid_autumn() -> None:
    assert [CAL.is_working_day(d) for d in each_day(D("2025-10-01"), D("2025-10-08"))] == [False] * 8
    assert CAL.is_working_day(D("2025-09-28"))  # Sunday make-up
    assert CAL.is_working_day(D("2025-10-11"))  # Saturday make-up
    assert CAL.is_working_day(D("2025-10-09"))


def test_the_spring_festival_2026_rests_nine_days_between_two_working_saturdays() -> None:
    assert [CAL.is_working_day(d) for d in each_day(D("2026-02-15"), D("2026-02-23"))] == [False] * 9
    assert CAL.is_working_day(D("2026-02-14"))
    assert CAL.is_working_day(D("2026-02-28"))


def test_an_ordinary_weekend_rests_and_an_ordinary_weekday_works() -> None:
    assert not CAL.is_working_day(D("2025-03-15"))  # Saturday
    assert not CAL.is_working_day(D("2025-03-16"))  # Sunday
    assert CAL.is_working_day(D("2025-03-17"))  # Monday


# --- unknown and declared years -------------------------------------------------------


def test_the_package_knows_2004_to_2026() -> None:
    assert CAL.knows_year(2004)
    assert CAL.knows_year(2026)
    assert not CAL.knows_year(2003)
    assert not CAL.knows_year(2027)


@pytest.mark.parametrize("year", [2003, 2027, 2031])
def test_a_day_in_an_unknown_year_raises_with_a_chinese_message_naming_the_year(year: int) -> None:
    with pytest.raises(UnknownCalendarYear) as raised:
        CAL.is_working_day(dt.date(year, 3, 2))
    assert raised.value.year == year
    assert f"{year}年的法定节假日和调休安排尚未录入" in str(raised.value)
    assert isinstance(raised.value, LookupError)


def test_counting_into_an_unknown_year_raises_rather_than_guessing() -> None:
    with pytest.raises(UnknownCalendarYear):
        CAL.add_working_days(D("2026-12-28"), 10)
    with pytest.raises(UnknownCalendarYear):
        pay_due_date("2026-12", 15, CAL)


def test_a_declared_year_works_on_weekdays_and_follows_its_overrides() -> None:
    cal = WorkingCalendar(
        declared_years=frozenset({2031}),
        overrides={D("2031-01-01"): False, D("2031-01-04"): True},  # Wednesday off, Saturday works
    )
    assert cal.knows_year(2031)
    assert cal.is_working_day(D("2031-01-02"))  # Thursday
    assert not cal.is_working_day(D("2031-01-05"))  # Sunday
    assert not cal.is_working_day(D("2031-01-01"))
    assert cal.is_working_day(D("2031-01-04"))
    assert cal.previous_working_day(D("2031-01-06")) == D("2031-01-04")
    assert cal.add_working_days(D("2031-01-02"), 3) == D("2031-01-06")  # Fri 03, Sat 04, Mon 06


def test_an_override_alone_does_not_declare_its_year() -> None:
    cal = WorkingCalendar(overrides={D("2031-01-01"): False})
    assert not cal.is_working_day(D("2031-01-01"))
    with pytest.raises(UnknownCalendarYear):
        cal.is_working_day(D("2031-01-02"))


def test_an_override_wins_over_the_package() -> None:
    cal = WorkingCalendar(overrides={D("2025-10-01"): True, D("2025-10-09"): False})
    assert cal.is_working_day(D("2025-10-01"))
    assert not cal.is_working_day(D("2025-10-09"))
    assert CAL.is_working_day(D("2025-10-09"))  # the plain calendar is untouched


# --- moving through working days ------------------------------------------------------


def test_the_previous_working_day_jumps_back_over_a_holiday() -> None:
    assert CAL.previous_working_day(D("2024-02-18")) == D("2024-02-09")
    assert CAL.previous_working_day(D("2024-02-19")) == D("2024-02-18")  # a working Sunday
    assert CAL.previous_working_day(D("2025-10-09")) == D("2025-09-30")
    assert CAL.previous_working_day(D("2025-03-17")) == D("2025-03-14")  # Monday → Friday


def test_the_previous_working_day_is_strictly_before_even_on_a_working_day() -> None:
    assert CAL.previous_working_day(D("2025-03-19")) == D("2025-03-18")


def test_on_or_before_keeps_a_working_day_and_moves_a_rest_day_back() -> None:
    assert CAL.on_or_before(D("2025-03-19")) == D("2025-03-19")
    assert CAL.on_or_before(D("2025-10-05")) == D("2025-09-30")
    assert CAL.on_or_before(D("2025-09-28")) == D("2025-09-28")  # a working Sunday stays


def test_adding_working_days_forward_crosses_a_holiday_and_lands_on_a_make_up_day() -> None:
    assert CAL.add_working_days(D("2026-02-13"), 1) == D("2026-02-14")  # Saturday make-up
    assert CAL.add_working_days(D("2026-02-13"), 2) == D("2026-02-24")
    assert CAL.add_working_days(D("2025-09-30"), 1) == D("2025-10-09")
    assert CAL.add_working_days(D("2025-09-26"), 1) == D("2025-09-28")  # Sunday make-up


def test_adding_zero_working_days_returns_the_day_itself_even_on_a_holiday() -> None:
    assert CAL.add_working_days(D("2026-02-17"), 0) == D("2026-02-17")
    assert CAL.add_working_days(D("2025-03-19"), 0) == D("2025-03-19")


def test_adding_negative_working_days_counts_backwards_over_a_holiday() -> None:
    assert CAL.add_working_days(D("2026-02-24"), -1) == D("2026-02-14")
    assert CAL.add_working_days(D("2026-02-24"), -2) == D("2026-02-13")
    assert CAL.add_working_days(D("2025-10-09"), -1) == D("2025-09-30")


def test_working_days_between_counts_the_half_open_interval() -> None:
    assert CAL.working_days_between(D("2025-09-30"), D("2025-10-11")) == 3  # 10-09, 10-10, 10-11
    assert CAL.working_days_between(D("2025-09-30"), D("2025-10-08")) == 0
    assert CAL.working_days_between(D("2025-03-19"), D("2025-03-19")) == 0
    assert CAL.working_days_between(D("2025-03-20"), D("2025-03-19")) == 0


def test_days_lists_each_day_with_its_verdict() -> None:
    assert list(CAL.days(D("2026-02-13"), D("2026-02-16"))) == [
        (D("2026-02-13"), True),
        (D("2026-02-14"), True),
        (D("2026-02-15"), False),
        (D("2026-02-16"), False),
    ]


known_days = st.dates(min_value=dt.date(2024, 1, 1), max_value=dt.date(2026, 9, 30))


@settings(max_examples=60, deadline=None)
@given(day=known_days, n=st.integers(min_value=0, max_value=40))
def test_adding_n_working_days_spans_exactly_n_working_days(day: dt.date, n: int) -> None:
    later = CAL.add_working_days(day, n)
    assert CAL.working_days_between(day, later) == n
    if n > 0:
        assert CAL.is_working_day(later)
        assert official_working_day(later)


@settings(max_examples=60, deadline=None)
@given(day=known_days, n=st.integers(min_value=0, max_value=40))
def test_counting_back_undoes_counting_forward_from_a_working_day(day: dt.date, n: int) -> None:
    start = CAL.on_or_before(day)
    assert CAL.add_working_days(CAL.add_working_days(start, n), -n) == start


# --- due dates (条例 第十四条) ------------------------------------------------------------


@pytest.mark.parametrize(
    ("period", "pay_day", "due"),
    [
        ("2025-03", 15, "2025-04-15"),  # a Tuesday: due that day
        ("2025-11", 15, "2025-12-15"),  # December of the same year
        ("2025-11", 31, "2025-12-31"),  # December has 31 days
        ("2025-12", 10, "2026-01-09"),  # 01-10 is a Saturday → Friday; into the next year
        ("2025-12", 31, "2026-01-30"),  # 01-31 is a Saturday → Friday
        ("2025-01", 31, "2025-02-28"),  # past the end of February → its last day
        ("2024-01", 30, "2024-02-29"),  # leap year
        ("2025-09", 3, "2025-09-30"),  # 10-03 is in the National Day holiday
        ("2025-09", 11, "2025-10-11"),  # a make-up Saturday is a working day: due that day
        ("2026-01", 20, "2026-02-14"),  # Spring Festival holiday → the make-up Saturday before it
        ("2024-01", 12, "2024-02-09"),  # 2024-02-12 is in the Spring Festival holiday
        ("2025-04", 1, "2025-04-30"),  # Labour Day
    ],
)
def test_wages_fall_due_on_pay_day_or_the_working_day_before_it(period: str, pay_day: int, due: str) -> None:
    assert pay_due_date(period, pay_day, CAL) == D(due)


def test_a_due_date_follows_the_overrides() -> None:
    typhoon = WorkingCalendar(overrides={D("2025-04-15"): False})
    assert pay_due_date("2025-03", 15, typhoon) == D("2025-04-14")


@pytest.mark.parametrize(
    ("due", "first_arrears"),
    [
        ("2025-04-15", "2025-04-19"),  # Wed, Thu, Fri → Saturday the 19th
        ("2025-09-30", "2025-10-12"),  # 10-09, 10-10 and the make-up 10-11 → Sunday the 12th
        ("2026-02-14", "2026-02-27"),  # 02-24, 02-25, 02-26
        ("2025-12-31", "2026-01-07"),  # the make-up Sunday 01-04, 01-05, 01-06
    ],
)
def test_arrears_begin_the_day_after_the_third_working_day_after_the_due_date(due: str, first_arrears: str) -> None:
    assert first_arrears_date(D(due), 3, CAL) == D(first_arrears)


def test_with_no_grace_arrears_begin_the_day_after_the_due_date() -> None:
    assert first_arrears_date(D("2025-09-30"), 0, CAL) == D("2025-10-01")


# --- the Spring Festival --------------------------------------------------------------


def test_spring_festival_gives_lunar_new_years_day() -> None:
    assert spring_festival(2024) == D("2024-02-10")
    assert spring_festival(2025) == D("2025-01-29")
    assert spring_festival(2026) == D("2026-02-17")


@pytest.mark.parametrize("year", range(2015, 2027))
def test_each_lunar_new_years_day_is_a_spring_festival_holiday_in_the_package(year: int) -> None:
    assert chinese_calendar.get_holiday_detail(spring_festival(year)) == (
        True,
        chinese_calendar.Holiday.spring_festival.value,
    )


def test_spring_festival_of_an_unknown_year_raises() -> None:
    with pytest.raises(UnknownCalendarYear) as raised:
        spring_festival(2031)
    assert "2031年" in str(raised.value)


@pytest.mark.parametrize(
    ("day", "inside"),
    [
        ("2026-01-17", False),  # 31 days before 02-17
        ("2026-01-18", True),  # 30 days before
        ("2026-02-17", True),
        ("2026-03-04", True),  # 15 days after
        ("2026-03-05", False),
        ("2024-12-31", True),  # 29 days before 2025-01-29: the next year's festival counts
        ("2025-07-01", False),
    ],
)
def test_the_spring_festival_season_runs_from_before_days_to_after_days(day: str, inside: bool) -> None:
    assert in_spring_festival_season(D(day), 30, 15) is inside


# --- the process-wide calendar from the database -------------------------------------


@pytest.fixture
def fresh_default_calendar() -> Iterator[None]:
    reset_default_calendar()
    yield
    reset_default_calendar()


@pytest.mark.django_db
def test_saving_a_calendar_day_changes_the_process_wide_calendar(fresh_default_calendar: None) -> None:
    day = D("2025-10-09")
    assert is_working_day(day)
    CalendarDay.objects.create(day=day, is_working_day=False, reason="台风停工停课")
    assert not is_working_day(day)
    assert add_working_days(D("2025-09-30"), 1) == D("2025-10-10")
    assert previous_working_day(D("2025-10-10")) == D("2025-09-30")


@pytest.mark.django_db
def test_a_year_declared_in_the_database_is_known_with_its_days(fresh_default_calendar: None) -> None:
    CalendarYear.objects.create(year=2031, source="国务院办公厅关于2031年部分节假日安排的通知")
    CalendarDay.objects.create(day=D("2031-01-01"), is_working_day=False, reason="元旦")
    assert not is_working_day(D("2031-01-01"))
    assert is_working_day(D("2031-01-02"))
    assert not is_working_day(D("2031-01-05"))
    with pytest.raises(UnknownCalendarYear):
        is_working_day(D("2032-01-05"))
