"""Every rule of the catalog, each with a case that fires it and a near miss that does not.

The cases sit on real dates: due dates moved by the National Day holiday (2025-10-01..08,
make-up workdays Sunday 09-28 and Saturday 10-11) and by the Spring Festival (2026-02-15..
23, make-up Saturday 02-14), so a wrong calendar fails them. Each case builds its own tiny
in-memory DuckDB (``harness.make_context``); the rules run with their defaults.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from anxin.core.calendar import WorkingCalendar
from anxin.monitoring.rules import RULES
from anxin.monitoring.rules.base import Context
from tests.monitoring.harness import make_context, run_details, run_find

#: Rules on hand-built tables: no operational database (the PostgreSQL pass of CI leaves them out).
pytestmark = pytest.mark.engine_only

D = dt.date
TODAY = "2025-10-15"  # a Wednesday: last complete month 2025-09


def project(code: str = "P1", **values: Any) -> dict[str, Any]:
    """An active project in Gulou (tier 1) in good standing unless told otherwise."""
    row: dict[str, Any] = {
        "project_code": code,
        "name": f"项目{code}",
        "region_code": "350102",
        "builder_uscc": "B1",
        "contractor_uscc": "C1",
        "contract_amount_fen": 10_000_000_000,
        "labor_payment_cycle_days": 30,
        "start_date": "2025-01-01",
        "status": "active",
        "wage_account_no": "6222000011112222",
        "wage_account_opened_on": "2025-01-05",
        "deposit_form": "cash",
        "deposit_amount_fen": 150_000_000,
        "notice_board": True,
        "labor_manager": "王劳资",
    }
    row.update(values)
    return row


def line(person: int = 1, period: str = "2025-09", **values: Any) -> dict[str, Any]:
    """A ledger row of a daily-paid worker (``person``: their ``person_id``) on P1."""
    row: dict[str, Any] = {
        "project_code": "P1",
        "person_id": person,
        "period": period,
        "id_masked": f"350102********{person % 10}01X",
        "employer_uscc": "C1",
        "wage_type": "daily",
        "wage_rate_fen": 30_000,
        "pay_day": 5,
        "days_attended": 10,
        "paid_fen": 0,
        "paid_other_fen": 0,
    }
    row.update(values)
    return row


def employment(person: int, project_code: str = "P1", **values: Any) -> dict[str, Any]:
    row: dict[str, Any] = {
        "project_code": project_code,
        "person_id": person,
        "id_masked": f"350102********{person % 100:02d}1X",
        "employer_uscc": "C1",
        "trade": "钢筋工",
        "contract_signed": True,
        "start_date": "2025-03-01",
        "wage_type": "daily",
        "wage_rate_fen": 30_000,
        "pay_day": 5,
    }
    row.update(values)
    return row


def days(start: str, end: str, headcount: int, project_code: str = "P1") -> list[dict[str, Any]]:
    first, last = D.fromisoformat(start), D.fromisoformat(end)
    return [
        {"project_code": project_code, "day": first + dt.timedelta(days=n), "headcount": headcount}
        for n in range((last - first).days + 1)
    ]


def months(first: str, last: str, **values: Any) -> list[dict[str, Any]]:
    out, month = [], first
    while month <= last:
        out.append({"uscc": "E1", "month": month, **values})
        y, m = int(month[:4]), int(month[5:7])
        month = f"{y + (m == 12):04d}-{m % 12 + 1:02d}"
    return out


@dataclass
class Case:
    rule: str
    name: str
    as_of: str
    tables: dict[str, list[dict[str, Any]]]
    #: subject_id → expected columns; empty for a near miss.
    expect: dict[str, dict[str, Any]] = field(default_factory=dict)
    params: dict[str, Any] = field(default_factory=dict)

    @property
    def fires(self) -> bool:
        return bool(self.expect)


# --- the cases -------------------------------------------------------------------------------

WP01_NATIONAL_DAY = {"projects": [project()], "ledger": [line(pay_day=3, payroll_net_fen=600_000)]}
WP01_SPRING = {"projects": [project()], "ledger": [line(period="2026-01", pay_day=20, payroll_net_fen=450_000)]}

WP02_LATE = {
    "projects": [project()],
    "ledger": [
        line(1, "2025-07", payroll_net_fen=500_000, paid_fen=500_000, paid_full_on="2025-08-06"),
        line(1, "2025-08", payroll_net_fen=500_000, paid_fen=500_000, paid_full_on="2025-09-05"),
        # pay day 5 of October is in the holiday: due 09-30, so paying on 10-05 is 5 days late
        line(2, "2025-09", payroll_net_fen=400_000, paid_fen=400_000, paid_full_on="2025-10-05"),
    ],
}
WP02_ONCE = {
    "projects": [project()],
    "ledger": [
        line(1, "2025-06", payroll_net_fen=500_000, paid_fen=0),  # late, but before the window
        line(1, "2025-07", payroll_net_fen=500_000, paid_fen=500_000, paid_full_on="2025-08-06"),
        line(1, "2025-08", payroll_net_fen=500_000, paid_fen=500_000, paid_full_on="2025-09-05"),
        line(2, "2025-09", payroll_net_fen=400_000, paid_fen=400_000, paid_full_on="2025-09-30"),
    ],
}

MIN_WAGES = [{"region_code": "350102", "monthly_fen": 203_000, "confirmed": False}]


def every_month_of_the_year_to_today(person_id: int, paid_fen: int) -> list[dict[str, Any]]:
    """``paid_fen`` in each of the 12 months ending with TODAY's (2024-11 .. 2025-10)."""
    months = ["2024-11", "2024-12"] + [f"2025-{k:02d}" for k in range(1, 11)]
    return [{"person_id": person_id, "month": m, "paid_fen": paid_fen} for m in months]


WP09_LEDGER = [
    line(1, "2025-08", project_code="P1", paid_fen=3_000_000, first_paid_on="2025-09-10", last_paid_on="2025-09-10"),
    line(1, "2025-08", project_code="P2", paid_fen=2_000_001, first_paid_on="2025-09-20", last_paid_on="2025-09-20"),
    line(1, "2025-04", project_code="P3", paid_fen=100_000, first_paid_on="2025-05-10", last_paid_on="2025-05-10"),
]

PS01_DAYS = days("2025-09-11", "2025-10-08", 10) + days("2025-10-09", "2025-10-15", 2)
PS01_ACCOUNT = [{"project_code": "P1", "inflow_fen": 10_000_000, "last_inflow_on": "2025-10-01"}]
#: The account funded in the months after the period (WA03 quiet), for the PS01 cases.
PS01_INFLOW_MONTHS = [{"project_code": "P1", "month": "2025-10", "inflow_fen": 10_000_000}]


def lead(case_no: str, subject_type: str, subject_id: str, received_on: str, workers: int) -> dict[str, Any]:
    return {
        "case_no": case_no,
        "subject_type": subject_type,
        "subject_id": subject_id,
        "received_on": received_on,
        "workers": workers,
    }


CASES: list[Case] = [
    # WP01: period 2025-09, pay day 3 → 10-03 is in the holiday → due 09-30; 3 working days of
    # grace are 10-09, 10-10 and Saturday 10-11 (a make-up workday) → arrears from 10-12.
    Case(
        "WP01",
        "arrears_after_national_day_grace",
        "2025-10-12",
        WP01_NATIONAL_DAY,
        {"P1": {"severity": "high", "workers": 1, "amount_fen": 600_000, "ev_first_arrears_on": D(2025, 10, 12)}},
    ),
    Case("WP01", "on_the_make_up_saturday_still_in_grace", "2025-10-11", WP01_NATIONAL_DAY),
    # period 2026-01, pay day 20 → 02-20 is in the Spring Festival holiday → due Saturday 02-14
    # (make-up workday); grace 02-24, 02-25, 02-26 → arrears from 02-27.
    Case(
        "WP01",
        "arrears_after_spring_festival",
        "2026-02-27",
        WP01_SPRING,
        {"P1": {"severity": "high", "amount_fen": 450_000, "ev_first_arrears_on": D(2026, 2, 27)}},
    ),
    Case("WP01", "last_day_of_spring_festival_grace", "2026-02-26", WP01_SPRING),
    Case(
        "WP02",
        "two_of_three_periods_late",
        "2025-10-20",
        WP02_LATE,
        {
            "P1": {
                "severity": "medium",
                "workers": 2,
                "amount_fen": 900_000,
                "ev_late_periods": 2,
                "ev_first_late_period": "2025-07",
                "ev_last_late_period": "2025-09",
                "ev_max_days_late": 5,
                "ev_worker_periods_still_unpaid": 0,
            }
        },
    ),
    Case("WP02", "one_late_in_window_older_one_outside", "2025-10-20", WP02_ONCE),
    Case(
        "WP03",
        "full_month_gross_and_daily_rate_below_tier",
        TODAY,
        {
            "projects": [project()],
            "min_wages": MIN_WAGES,
            "ledger": [
                line(1, wage_type="monthly", wage_rate_fen=200_000, days_attended=22, payroll_gross_fen=200_000),
                # 9,000 fen a day < 203,000 / 21.75 = 9,333.3
                line(2, wage_rate_fen=9_000, days_attended=10),
            ],
        },
        {
            "P1": {
                "severity": "medium",
                "workers": 2,
                "amount_fen": 3_000 + 3_333,
                "ev_tier_confirmed": False,
                "ev_monthly_min_fen": 203_000,
                "ev_full_months_below": 1,
                "ev_daily_rates_below": 1,
            }
        },
    ),
    Case(
        "WP03",
        "at_the_tier_or_not_a_full_month",
        TODAY,
        {
            "projects": [project()],
            "min_wages": MIN_WAGES,
            "ledger": [
                line(1, wage_type="monthly", wage_rate_fen=203_000, days_attended=22, payroll_gross_fen=203_000),
                line(2, wage_rate_fen=9_334, days_attended=10),
                line(3, wage_type="monthly", days_attended=20, payroll_gross_fen=150_000),  # 20 < 21.75 days
                line(4, "2025-06", wage_rate_fen=5_000),  # before the 3 months looked at
            ],
        },
    ),
    Case(
        "WP04",
        "attended_and_no_payroll_after_due_date",
        "2025-10-09",
        {
            "projects": [project()],
            "ledger": [line(1), line(2, wage_type="piece", wage_rate_fen=None, days_attended=5)],
        },
        {
            "P1": {
                "workers": 2,
                "amount_fen": 300_000,
                "ev_worker_periods_amount_unknown": 1,
                "ev_first_due_on": D(2025, 9, 30),
            }
        },
    ),
    Case(
        "WP04",
        "on_the_due_date_itself",
        "2025-09-30",
        {"projects": [project()], "ledger": [line(1), line(2, wage_type="piece", days_attended=5)]},
    ),
    Case(
        "WP05",
        "paid_with_no_attendance",
        TODAY,
        {"ledger": [line(1, days_attended=0, paid_fen=300_000), line(2, days_attended=None, paid_fen=100_000)]},
        {"P1": {"severity": "medium", "workers": 2, "amount_fen": 400_000}},
    ),
    Case(
        "WP05",
        "attended_one_day_or_not_paid",
        TODAY,
        {"ledger": [line(1, days_attended=1, paid_fen=300_000), line(2, days_attended=0, paid_fen=0)]},
    ),
    # On Friday 2025-10-10 the 5th working day back is 09-26 (10-09, 09-30, 09-29, Sunday 09-28
    # a make-up workday, 09-26): a transfer failed on 09-25 is overdue, one failed on 09-26 is not.
    Case(
        "WP06",
        "failed_before_five_working_days_across_the_holiday",
        "2025-10-10",
        {
            "failed_payments": [
                {
                    "txn_id": "T1",
                    "project_code": "P1",
                    "person_id": 1,
                    "id_masked": "m1",
                    "period": "2025-08",
                    "amount_fen": 300_000,
                    "failed_on": "2025-09-24",
                    "status": "failed",
                },
                {
                    "txn_id": "T2",
                    "project_code": "P1",
                    "person_id": 1,
                    "id_masked": "m1",
                    "period": "2025-08",
                    "amount_fen": 300_000,
                    "failed_on": "2025-09-25",
                    "status": "returned",
                },
            ]
        },
        {"P1": {"workers": 1, "amount_fen": 300_000, "ev_transfers": 2, "ev_first_failed_on": D(2025, 9, 24)}},
    ),
    Case(
        "WP06",
        "still_within_five_working_days_or_repaid",
        "2025-10-10",
        {
            "failed_payments": [
                {
                    "txn_id": "T1",
                    "project_code": "P1",
                    "person_id": 1,
                    "period": "2025-08",
                    "amount_fen": 300_000,
                    "failed_on": "2025-09-26",
                    "status": "failed",
                },
                {
                    "txn_id": "T2",
                    "project_code": "P1",
                    "person_id": 2,
                    "period": "2025-08",
                    "amount_fen": 300_000,
                    "failed_on": "2025-09-01",
                    "status": "failed",
                    "repaid_on": "2025-09-20",
                },
            ]
        },
    ),
    # 2025-08 (pay day 15) fell due on 09-15 and is judged; 2025-09 falls due on 10-15, after D.
    Case(
        "WP07",
        "two_of_ten_lines_unconfirmed",
        "2025-10-10",
        {
            "ledger": [
                line(i, "2025-08", pay_day=15, payroll_net_fen=100_000 + i, payroll_confirmed=i > 1) for i in range(10)
            ]
            + [line(1, "2025-09", pay_day=15, payroll_net_fen=100_000, payroll_confirmed=False)]
        },
        {"P1": {"workers": 2, "amount_fen": 200_001, "ev_payroll_lines": 10, "ev_unconfirmed_pct": 20}},
    ),
    Case(
        "WP07",
        "one_of_ten_unconfirmed_and_a_payroll_not_yet_due",
        "2025-10-10",
        {
            "ledger": [
                line(i, "2025-08", pay_day=15, payroll_net_fen=100_000, payroll_confirmed=i > 0) for i in range(10)
            ]
            + [line(i, "2025-09", pay_day=15, payroll_net_fen=100_000, payroll_confirmed=False) for i in range(5)]
        },
    ),
    Case(
        "WP08",
        "two_workers_paid_to_one_foreman_card",
        TODAY,
        {
            "card_mismatches": [
                {
                    "txn_id": "T1",
                    "project_code": "P1",
                    "person_id": 1,
                    "id_masked": "m1",
                    "period": "2025-09",
                    "amount_fen": 300_000,
                    "paid_on": "2025-10-01",
                    "card_last4": "1234",
                },
                {
                    "txn_id": "T2",
                    "project_code": "P1",
                    "person_id": 2,
                    "id_masked": "m2",
                    "period": "2025-08",
                    "amount_fen": 200_000,
                    "paid_on": "2025-09-01",
                    "card_last4": "1234",
                },
            ]
        },
        {"P1": {"workers": 2, "amount_fen": 500_000, "ev_cards": 1, "ev_payments": 2}},
    ),
    Case(
        "WP08",
        "paid_exactly_sixty_days_ago",
        TODAY,
        {
            "card_mismatches": [
                {
                    "txn_id": "T1",
                    "project_code": "P1",
                    "person_id": 1,
                    "period": "2025-07",
                    "amount_fen": 300_000,
                    "paid_on": "2025-08-16",
                    "card_last4": "1234",
                },
            ]
        },
    ),
    Case(
        "WP09",
        "over_fifty_thousand_yuan_in_a_month_on_two_projects",
        TODAY,
        {"person_months": [{"person_id": 1, "month": "2025-09", "paid_fen": 5_000_001}], "ledger": WP09_LEDGER},
        {
            "P1": {
                "workers": 1,
                "amount_fen": 3_000_000,
                "ev_people_over_month_limit": 1,
                "ev_max_month_fen": 5_000_001,
            },
            "P2": {"workers": 1, "amount_fen": 2_000_001, "ev_people_over_year_limit": 0},
        },
    ),
    Case(
        "WP09",
        "over_three_hundred_thousand_in_twelve_months",
        TODAY,
        {
            "person_months": [{"person_id": 1, "month": f"2025-{m:02d}", "paid_fen": 3_000_000} for m in range(1, 11)]
            + [{"person_id": 1, "month": "2024-12", "paid_fen": 1}],
            "ledger": WP09_LEDGER[2:],
        },
        {
            "P3": {
                "workers": 1,
                "amount_fen": 100_000,
                "ev_people_over_year_limit": 1,
                "ev_max_12_months_fen": 30_000_001,
            }
        },
    ),
    Case(
        "WP09",
        # No month is over the monthly limit; each is just over a twelfth of the yearly one.
        "a_little_over_a_twelfth_of_the_yearly_limit_every_month",
        TODAY,
        {
            "person_months": every_month_of_the_year_to_today(1, 2_500_001)
            + [{"person_id": 2, "month": "2025-09", "paid_fen": 800_000}],
            "ledger": WP09_LEDGER[2:],
        },
        {"P3": {"workers": 1, "ev_people_over_year_limit": 1, "ev_max_12_months_fen": 30_000_012}},
    ),
    Case(
        "WP09",
        "exactly_a_twelfth_of_the_yearly_limit_every_month",
        TODAY,
        {
            "person_months": every_month_of_the_year_to_today(1, 2_500_000),
            "ledger": WP09_LEDGER[2:],
        },
    ),
    Case(
        "WP09",
        "exactly_at_the_monthly_limit",
        TODAY,
        {"person_months": [{"person_id": 1, "month": "2025-09", "paid_fen": 5_000_000}], "ledger": WP09_LEDGER},
    ),
    Case(
        "PD01",
        "ten_percent_paid_in_cash",
        TODAY,
        {
            "ledger": [
                line(1, paid_fen=100_000),
                line(2, paid_fen=100_000, paid_special_fen=80_000, paid_other_fen=20_000),
            ]
        },
        {"P1": {"workers": 1, "amount_fen": 20_000, "ev_period": "2025-09", "ev_period_other_pct": 10}},
    ),
    Case(
        "PD01",
        "five_percent_and_an_older_period",
        TODAY,
        {
            "ledger": [
                line(1, paid_fen=100_000),
                line(2, paid_fen=100_000, paid_other_fen=10_000),
                line(2, "2025-08", paid_fen=100_000, paid_other_fen=50_000),
            ]
        },
    ),
    Case(
        "WA01",
        "active_thirty_one_days_without_account",
        TODAY,
        {"projects": [project(start_date="2025-09-14", wage_account_no=" ")]},
        {"P1": {"severity": "medium", "ev_days_active": 31}},
    ),
    Case(
        "WA01",
        "active_thirty_days_or_completed",
        TODAY,
        {
            "projects": [
                project(start_date="2025-09-15", wage_account_no=None),
                project("P2", wage_account_no=None, status="completed", actual_end_date="2025-09-01"),
            ]
        },
    ),
    Case(
        "WA02",
        "no_inflow_for_thirty_one_days",
        TODAY,
        {
            "projects": [project(labor_payment_cycle_days=None)],
            "accounts": [{"project_code": "P1", "inflow_fen": 1, "last_inflow_on": "2025-09-14"}],
            "inflow_months": [{"project_code": "P1", "month": f"2025-{m:02d}", "inflow_fen": 1} for m in range(2, 10)],
        },
        {
            "P1": {
                "severity": "medium",
                "ev_days_without_inflow": 31,
                "ev_cycle_days": 30,
                "ev_months_without_inflow": 0,
            }
        },
    ),
    Case(
        "WA02",
        "two_months_in_a_row_missed_is_stronger",
        TODAY,
        {
            "projects": [project(labor_payment_cycle_days=60)],  # capped at 30
            "accounts": [{"project_code": "P1", "inflow_fen": 1, "last_inflow_on": "2025-09-14"}],
            "inflow_months": [
                {"project_code": "P1", "month": f"2025-{m:02d}", "inflow_fen": 1} for m in (2, 3, 4, 5, 8, 9)
            ],
        },
        {
            "P1": {
                "severity": "high",
                "ev_cycle_days": 30,
                "ev_months_without_inflow": 2,
                "ev_missed_months_in_a_row": True,
            }
        },
    ),
    Case(
        "WA02",
        "thirty_days_or_a_new_project",
        TODAY,
        {
            "projects": [project(), project("P2", start_date="2025-09-20", wage_account_opened_on=None)],
            "accounts": [{"project_code": "P1", "inflow_fen": 1, "last_inflow_on": "2025-09-15"}],
        },
    ),
    Case(
        "WA03",
        "inflows_below_eighty_percent_of_due",
        TODAY,
        {
            "projects": [project()],
            "ledger": [line(1, payroll_net_fen=1_000_000), line(1, "2025-10", payroll_net_fen=5_000_000)],
            "accounts": [{"project_code": "P1", "inflow_fen": 799_999}],
            "inflow_months": [{"project_code": "P1", "month": "2025-10", "inflow_fen": 799_999}],
        },
        {"P1": {"amount_fen": 200_001, "ev_due_fen": 1_000_000, "ev_cover_pct": 79, "ev_recent_cover_pct": 79}},
    ),
    Case(
        "WA03",
        "inflows_at_eighty_percent",
        TODAY,
        {
            "projects": [project()],
            "ledger": [line(1, payroll_net_fen=1_000_000), line(1, "2025-10", payroll_net_fen=5_000_000)],
            "accounts": [{"project_code": "P1", "inflow_fen": 800_000}],
            "inflow_months": [{"project_code": "P1", "month": "2025-10", "inflow_fen": 800_000}],
        },
    ),
    Case(
        "WA03",
        "a_builder_paying_half_while_an_old_balance_still_covers_the_wages",
        TODAY,
        {
            "projects": [project()],
            "ledger": [line(1, p, payroll_net_fen=1_000_000) for p in ("2025-07", "2025-08", "2025-09")],
            "accounts": [{"project_code": "P1", "inflow_fen": 3_000_000, "paid_from_account_fen": 2_000_000}],
            "inflow_months": [
                {"project_code": "P1", "month": "2025-06", "inflow_fen": 1_500_000},
                {"project_code": "P1", "month": "2025-08", "inflow_fen": 500_000},
                {"project_code": "P1", "month": "2025-09", "inflow_fen": 500_000},
                {"project_code": "P1", "month": "2025-10", "inflow_fen": 500_000},
            ],
        },
        {
            "P1": {
                "amount_fen": 1_500_000,
                "ev_cover_pct": 100,
                "ev_recent_cover_pct": 50,
                "ev_recent_first_period": "2025-07",
            }
        },
    ),
    Case(
        "WA03",
        "a_builder_paying_half_with_a_buffer_for_more_than_three_months",
        TODAY,
        {
            "projects": [project()],
            "ledger": [line(1, p, payroll_net_fen=1_000_000) for p in ("2025-07", "2025-08", "2025-09")],
            # Balance 2,000,000: at a shortfall of 500,000 a period it lasts four months.
            "accounts": [{"project_code": "P1", "inflow_fen": 4_000_000, "paid_from_account_fen": 2_000_000}],
            "inflow_months": [
                {"project_code": "P1", "month": "2025-06", "inflow_fen": 2_500_000},
                {"project_code": "P1", "month": "2025-08", "inflow_fen": 500_000},
                {"project_code": "P1", "month": "2025-09", "inflow_fen": 500_000},
                {"project_code": "P1", "month": "2025-10", "inflow_fen": 500_000},
            ],
        },
    ),
    Case(
        "WA03",
        "one_period_short_is_not_yet_a_pace",
        TODAY,
        {
            "projects": [project()],
            "ledger": [line(1, payroll_net_fen=1_000_000)],
            "accounts": [{"project_code": "P1", "inflow_fen": 2_500_000, "paid_from_account_fen": 1_000_000}],
            "inflow_months": [
                {"project_code": "P1", "month": "2025-08", "inflow_fen": 2_000_000},
                {"project_code": "P1", "month": "2025-09", "inflow_fen": 500_000},
            ],
        },
    ),
    Case(
        "WA03",
        "a_period_funded_in_its_own_month",
        TODAY,
        {
            "projects": [project()],
            "ledger": [line(1, payroll_net_fen=1_000_000)],
            "accounts": [{"project_code": "P1", "inflow_fen": 1_000_000, "paid_from_account_fen": 1_000_000}],
            "inflow_months": [{"project_code": "P1", "month": "2025-09", "inflow_fen": 1_000_000}],
        },
    ),
    Case(
        "WA03",
        "an_overdrawn_account_is_judged_only_cumulatively",
        TODAY,
        {
            "projects": [project()],
            "ledger": [line(1, payroll_net_fen=1_000_000)],
            "accounts": [{"project_code": "P1", "inflow_fen": 100_000, "paid_from_account_fen": 900_000}],
            "inflow_months": [{"project_code": "P1", "month": "2025-09", "inflow_fen": 100_000}],
        },
    ),
    Case(
        "WA03",
        "payments_from_the_account_show_more_came_in_than_was_reported",
        TODAY,
        {
            "projects": [project()],
            # Five periods due; only the last three months' inflows were reported (an older account).
            "ledger": [
                line(1, p, payroll_net_fen=1_000_000) for p in ("2025-05", "2025-06", "2025-07", "2025-08", "2025-09")
            ],
            "accounts": [{"project_code": "P1", "inflow_fen": 2_700_000, "paid_from_account_fen": 4_500_000}],
            "inflow_months": [
                {"project_code": "P1", "month": "2025-08", "inflow_fen": 800_000},
                {"project_code": "P1", "month": "2025-09", "inflow_fen": 900_000},
                {"project_code": "P1", "month": "2025-10", "inflow_fen": 1_000_000},
            ],
        },
    ),
    Case(
        "WA04",
        "balance_below_last_months_payroll",
        TODAY,
        {
            "projects": [project()],
            "ledger": [line(1, payroll_net_fen=300_000), line(2, payroll_net_fen=300_000)],
            "accounts": [{"project_code": "P1", "inflow_fen": 1_000_000, "paid_from_account_fen": 500_000}],
        },
        {"P1": {"workers": 2, "amount_fen": 100_000, "ev_balance_fen": 500_000, "ev_next_payroll_fen": 600_000}},
    ),
    Case(
        "WA04",
        "an_overdrawn_account_means_unknown_inflows_not_judged",
        TODAY,
        {
            "projects": [project()],
            "ledger": [line(1, payroll_net_fen=300_000), line(2, payroll_net_fen=300_000)],
            "accounts": [{"project_code": "P1", "inflow_fen": 100_000, "paid_from_account_fen": 500_000}],
        },
    ),
    Case(
        "WA04",
        "balance_covers_it",
        TODAY,
        {
            "projects": [project()],
            "ledger": [line(1, payroll_net_fen=300_000), line(2, payroll_net_fen=300_000)],
            "accounts": [{"project_code": "P1", "inflow_fen": 1_100_000, "paid_from_account_fen": 500_000}],
        },
    ),
    Case(
        "DP01", "declared_no_deposit", TODAY, {"projects": [project(deposit_form="none")]}, {"P1": {"severity": "low"}}
    ),
    Case(
        "DP01",
        "completed_or_not_reported",
        TODAY,
        {
            "projects": [
                project(deposit_form="none", status="completed", actual_end_date="2025-09-01"),
                project("P2", deposit_form=None),
            ]
        },
    ),
    Case(
        "DP02",
        "one_fen_below_one_and_a_half_percent",
        TODAY,
        {"projects": [project(deposit_amount_fen=149_999_999)]},
        {"P1": {"severity": "low", "amount_fen": 1, "ev_required_fen": 150_000_000}},
    ),
    Case(
        "DP02",
        "at_the_ratio_at_the_cap_or_exempt",
        TODAY,
        {
            "projects": [
                project(deposit_amount_fen=150_000_000),
                project("P2", contract_amount_fen=100_000_000_000, deposit_amount_fen=500_000_000),  # cap 5M yuan
                project("P3", deposit_form="exempt", deposit_amount_fen=0),
            ]
        },
    ),
    Case(
        "RN01",
        "seen_unregistered_within_seven_days",
        TODAY,
        {
            "unregistered": [
                {
                    "project_code": "P1",
                    "person_id": 101,
                    "id_masked": "u1",
                    "first_seen_on": "2025-10-01",
                    "last_seen_on": "2025-10-09",
                    "days": 4,
                }
            ]
        },
        {"P1": {"severity": "low", "workers": 1, "ev_days_on_site": 4}},
    ),
    Case(
        "RN01",
        "last_seen_eight_days_ago",
        TODAY,
        {
            "unregistered": [
                {
                    "project_code": "P1",
                    "person_id": 101,
                    "first_seen_on": "2025-10-01",
                    "last_seen_on": "2025-10-08",
                    "days": 4,
                }
            ]
        },
    ),
    Case(
        "RN02",
        "two_of_twenty_without_contract",
        TODAY,
        {
            "projects": [project()],
            "employments": [employment(i, contract_signed=i >= 2) for i in range(20)],
        },
        {"P1": {"severity": "low", "workers": 2, "ev_unsigned_pct": 10}},
    ),
    Case(
        "RN02",
        "one_of_twenty_and_an_ended_one",
        TODAY,
        {
            "projects": [project()],
            "employments": [employment(i, contract_signed=i >= 1) for i in range(20)]
            + [employment(99, contract_signed=False, end_date="2025-10-14")],
        },
    ),
    Case(
        "RN03",
        "no_attendance_for_seven_days",
        TODAY,
        {
            "projects": [project()],
            "employments": [employment(1)],
            "project_days": days("2025-10-01", "2025-10-08", 5),
        },
        {"P1": {"severity": "low", "workers": 1, "ev_last_attended_on": D(2025, 10, 8)}},
    ),
    Case(
        "RN03",
        "attendance_six_days_ago",
        TODAY,
        {
            "projects": [project()],
            "employments": [employment(1)],
            "project_days": days("2025-10-01", "2025-10-09", 5),
        },
    ),
    # Spring Festival 2026-02-17: the season runs to 03-09 (20 days after).
    Case(
        "RN03",
        "on_the_last_day_of_the_festival_season",
        "2026-03-09",
        {"projects": [project()], "employments": [employment(1)]},
    ),
    Case(
        "RN03",
        "the_day_after_the_festival_season",
        "2026-03-10",
        {"projects": [project()], "employments": [employment(1)]},
        {"P1": {"workers": 1, "ev_last_attended_on": None}},
    ),
    Case("RN04", "no_labour_manager", TODAY, {"projects": [project(labor_manager="")]}, {"P1": {"severity": "low"}}),
    Case(
        "RN04",
        "manager_named_or_completed",
        TODAY,
        {"projects": [project(), project("P2", labor_manager=None, status="completed", actual_end_date="2025-10-01")]},
    ),
    Case(
        "NB01",
        "no_notice_board",
        TODAY,
        {"projects": [project(notice_board=False)]},
        {"P1": {"severity": "low", "ev_reported": True}},
    ),
    Case("NB01", "board_present_or_not_reported", TODAY, {"projects": [project(), project("P2", notice_board=None)]}),
    Case(
        "NB01",
        "not_reported_counts_when_set",
        TODAY,
        {"projects": [project(notice_board=None)]},
        {"P1": {"ev_reported": False}},
        params={"count_unreported": 1},
    ),
    Case(
        "PS01",
        "site_emptying_with_arrears",
        TODAY,
        {
            "projects": [project()],
            "project_days": PS01_DAYS,
            "accounts": PS01_ACCOUNT,
            "inflow_months": PS01_INFLOW_MONTHS,
            "ledger": [line(1, "2025-08", pay_day=15, payroll_net_fen=100_000, payroll_confirmed=True)],
        },
        {
            "P1": {
                "severity": "medium",
                "workers": 10,
                "ev_recent_headcount_sum": 14,
                "ev_prior_headcount_sum": 280,
                "ev_recent_pct_of_prior": 20,
                "ev_money_rules": "WP01",
            }
        },
    ),
    Case(
        "PS01",
        "site_emptying_with_wages_paid",
        TODAY,
        {
            "projects": [project()],
            "project_days": PS01_DAYS,
            "accounts": PS01_ACCOUNT,
            "inflow_months": PS01_INFLOW_MONTHS,
            "ledger": [
                line(
                    1,
                    "2025-08",
                    pay_day=15,
                    payroll_net_fen=100_000,
                    payroll_confirmed=True,
                    paid_fen=100_000,
                    paid_full_on="2025-09-12",
                )
            ],
        },
    ),
    Case(
        "EN01",
        "two_months_below_ninety_percent",
        TODAY,
        {
            "employer_months": [
                {
                    "uscc": "E1",
                    "month": "2025-08",
                    "insured_headcount": 40,
                    "contributions_due_fen": 100_000,
                    "contributions_paid_fen": 89_999,
                },
                {
                    "uscc": "E1",
                    "month": "2025-09",
                    "insured_headcount": 38,
                    "contributions_due_fen": 100_000,
                    "contributions_paid_fen": 50_000,
                },
            ]
        },
        {"E1": {"severity": "medium", "workers": 38, "amount_fen": 60_001, "ev_first_month": "2025-08"}},
    ),
    Case(
        "EN01",
        "one_month_at_ninety_percent_or_months_not_consecutive",
        TODAY,
        {
            "employer_months": [
                {"uscc": "E1", "month": "2025-08", "contributions_due_fen": 100_000, "contributions_paid_fen": 90_000},
                {"uscc": "E1", "month": "2025-09", "contributions_due_fen": 100_000, "contributions_paid_fen": 0},
                {"uscc": "E2", "month": "2025-07", "contributions_due_fen": 100_000, "contributions_paid_fen": 0},
                {"uscc": "E2", "month": "2025-09", "contributions_due_fen": 100_000, "contributions_paid_fen": 0},
                # October is not complete on 10-15
                {"uscc": "E2", "month": "2025-10", "contributions_due_fen": 100_000, "contributions_paid_fen": 0},
            ]
        },
    ),
    Case(
        "EN02",
        "insured_down_twenty_percent",
        TODAY,
        {
            "employer_months": months("2025-06", "2025-08", insured_headcount=100)
            + months("2025-09", "2025-09", insured_headcount=80)
        },
        {"E1": {"workers": 20, "ev_from_month": "2025-06", "ev_to_month": "2025-09", "ev_drop_pct": 20}},
    ),
    Case(
        "EN02",
        "insured_down_nineteen_percent",
        TODAY,
        {
            "employer_months": months("2025-06", "2025-08", insured_headcount=100)
            + months("2025-09", "2025-09", insured_headcount=81)
        },
    ),
    Case(
        "EN03",
        "two_months_at_half_the_average",
        TODAY,
        {
            "employer_months": months("2024-08", "2025-07", electricity_kwh=1000.0)
            + [
                {"uscc": "E1", "month": "2025-08", "electricity_kwh": 500.0},
                {"uscc": "E1", "month": "2025-09", "electricity_kwh": 400.0},
            ]
        },
        {"E1": {"severity": "medium", "ev_first_month": "2025-08", "ev_baseline_average_kwh": 1000.0}},
    ),
    Case(
        "EN03",
        "one_month_above_half_or_short_history",
        TODAY,
        {
            "employer_months": months("2024-08", "2025-07", electricity_kwh=1000.0)
            + [
                {"uscc": "E1", "month": "2025-08", "electricity_kwh": 501.0},
                {"uscc": "E1", "month": "2025-09", "electricity_kwh": 400.0},
            ]
            + [dict(r, uscc="E2") for r in months("2024-09", "2025-07", electricity_kwh=1000.0)]
            + [
                {"uscc": "E2", "month": "2025-08", "electricity_kwh": 1.0},
                {"uscc": "E2", "month": "2025-09", "electricity_kwh": 1.0},
            ]
        },
    ),
    Case(
        "EN04",
        "wage_lawsuit_in_ninety_days",
        TODAY,
        {
            "lawsuits": [
                {
                    "case_no": "(2025)闽0102民初1号",
                    "uscc": "E1",
                    "filed_on": "2025-07-18",
                    "cause": "追索劳动报酬纠纷",
                    "plaintiffs": 12,
                    "amount_fen": 500_000,
                }
            ]
        },
        {"E1": {"workers": 12, "amount_fen": 500_000, "ev_cases": 1}},
    ),
    Case(
        "EN04",
        "ninety_one_days_ago_or_another_cause",
        TODAY,
        {
            "lawsuits": [
                {"case_no": "A", "uscc": "E1", "filed_on": "2025-07-17", "cause": "追索劳动报酬纠纷", "plaintiffs": 3},
                {"case_no": "B", "uscc": "E1", "filed_on": "2025-10-01", "cause": "劳动合同纠纷", "plaintiffs": 3},
            ]
        },
    ),
    Case(
        "LD01",
        "three_leads_on_a_project_one_on_an_enterprise",
        TODAY,
        {
            "lead_cases": [lead(f"L{i}", "project", "P1", f"2025-10-0{i + 1}", 1) for i in range(3)]
            + [lead("L9", "enterprise", "E1", "2025-09-16", 2)]
        },
        {
            "P1": {"subject_type": "project", "severity": "high", "workers": 3, "ev_cases": 3},
            "E1": {"subject_type": "enterprise", "severity": "medium", "workers": 2, "ev_cases": 1},
        },
    ),
    Case(
        "LD01",
        "ten_workers_is_stronger",
        TODAY,
        {"lead_cases": [lead("L1", "enterprise", "E1", TODAY, 10)]},
        {"E1": {"severity": "high", "workers": 10}},
    ),
    Case("LD01", "lead_thirty_days_ago", TODAY, {"lead_cases": [lead("L1", "project", "P1", "2025-09-15", 20)]}),
]


# --- the tests -------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def contexts() -> dict[str, Context]:
    """One context per case, built once."""
    return {f"{c.rule}-{c.name}": make_context(c.as_of, c.params, **c.tables) for c in CASES}


def test_every_rule_has_a_firing_case_and_a_near_miss() -> None:
    for code in RULES:
        kinds = {c.fires for c in CASES if c.rule == code}
        assert kinds == {True, False}, f"{code} needs a case that fires and a near miss"


@pytest.mark.parametrize("case", CASES, ids=lambda c: f"{c.rule}-{c.name}")
def test_the_rule_finds_what_the_case_expects(case: Case, contexts: dict[str, Context]) -> None:
    rows = run_find(RULES[case.rule], contexts[f"{case.rule}-{case.name}"])
    found = {row["subject_id"]: row for row in rows}
    assert sorted(found) == sorted(case.expect), rows
    for subject, expected in case.expect.items():
        actual = {key: found[subject][key] for key in expected}
        assert actual == expected


@pytest.mark.parametrize(
    "case", [c for c in CASES if c.fires and RULES[c.rule].details is not None], ids=lambda c: f"{c.rule}-{c.name}"
)
def test_details_name_workers_by_masked_id_under_found_subjects(case: Case, contexts: dict[str, Context]) -> None:
    rule = RULES[case.rule]
    ctx = contexts[f"{case.rule}-{case.name}"]
    expr = rule.details(Context(ctx.as_of, ctx.tables, {**rule.defaults, **case.params}))
    if expr is None:
        return
    schema = expr.schema()
    assert schema.names[0] == "subject_id"
    assert str(schema["amount_fen"]) == "int64"
    assert "person_id" not in schema.names and "person_key" not in schema.names
    rows = run_details(rule, ctx)
    assert rows, "a finding with details lists at least one row"
    assert {r["subject_id"] for r in rows} <= set(case.expect)


@pytest.fixture(scope="module")
def empty_context() -> Context:
    return make_context(TODAY)


@pytest.mark.parametrize("code", sorted(RULES))
def test_find_returns_the_finding_columns_then_evidence(code: str, empty_context: Context) -> None:
    rule = RULES[code]
    ctx = empty_context
    schema = rule.find(Context(ctx.as_of, ctx.tables, dict(rule.defaults))).schema()
    assert list(schema.names[:4]) == ["subject_id", "severity", "workers", "amount_fen"]
    assert [str(schema[n]) for n in schema.names[:4]] == ["string", "string", "int64", "int64"]
    rest = [n for n in schema.names[4:] if n != "subject_type"]
    assert all(n.startswith("ev_") for n in rest), rest


@pytest.mark.parametrize("code", sorted(RULES))
def test_each_rule_is_declared_in_full(code: str) -> None:
    rule = RULES[code]
    module = Path(type(rule).__module__.replace(".", "/")).name
    assert module.startswith(code.lower() + "_")
    assert re.search(r"[\u4e00-\u9fff]", rule.title), "titles are Chinese"
    assert rule.article
    assert rule.subject_type in {"project", "enterprise"}
    expected_family = {
        "RN": "real_name",
        "NB": "real_name",
        "WA": "special_account",
        "PD": "pay_on_behalf",
        "DP": "deposit",
    }.get(code[:2], "")
    if code[:2] == "WP":
        expected_family = "" if code == "WP01" else "pay_on_behalf"
    if code != "WP01":
        assert rule.family == expected_family
    # settings are scalars: ANXIN_RULE_OVERRIDES sets them from text
    assert all(isinstance(v, int | str) for v in rule.defaults.values()), rule.defaults


def test_enterprise_rules_judge_enterprises() -> None:
    assert {c for c, r in RULES.items() if r.subject_type == "enterprise"} == {"EN01", "EN02", "EN03", "EN04"}


def test_wp02_details_list_the_late_periods(contexts: dict[str, Context]) -> None:
    rows = run_details(RULES["WP02"], contexts["WP02-two_of_three_periods_late"])
    assert [(r["period"], r["due_on"], r["days_late"]) for r in rows] == [
        ("2025-07", D(2025, 8, 5), 1),
        ("2025-09", D(2025, 9, 30), 5),
    ]


def test_wp09_names_the_person_only_by_masked_id(contexts: dict[str, Context]) -> None:
    rows = run_details(RULES["WP09"], contexts["WP09-over_fifty_thousand_yuan_in_a_month_on_two_projects"])
    assert {r["worker"] for r in rows} == {"350102********101X"}
    assert all("person_id" not in r and "person_key" not in r for r in rows)


def test_wp01_due_date_moves_before_the_spring_festival(contexts: dict[str, Context]) -> None:
    rows = run_details(RULES["WP01"], contexts["WP01-arrears_after_spring_festival"])
    assert [r["due_on"] for r in rows] == [D(2026, 2, 14)]
    assert WorkingCalendar().is_working_day(D(2026, 2, 14))  # a make-up Saturday


def test_wp06_cut_off_counts_make_up_workdays() -> None:
    assert WorkingCalendar().add_working_days(D(2025, 10, 10), -5) == D(2025, 9, 26)


def test_rn03_and_ps01_are_silent_in_the_festival_season() -> None:
    ctx = make_context(
        "2026-02-20",
        projects=[project()],
        employments=[employment(1)],
        project_days=days("2026-01-16", "2026-02-12", 10),
        ledger=[line(1, "2025-12", pay_day=15, payroll_net_fen=100_000)],
    )
    assert run_find(RULES["RN03"], ctx) == []
    assert run_find(RULES["PS01"], ctx) == []


@pytest.mark.parametrize("code", sorted(RULES))
def test_each_rule_and_setting_is_documented(code: str) -> None:
    docs = (Path(__file__).parents[2] / "docs" / "rules.md").read_text(encoding="utf-8")
    section = docs.split(f"\n## {code} ", 1)
    assert len(section) == 2, f"docs/rules.md has no section for {code}"
    body = section[1].split("\n## ", 1)[0]
    for name in RULES[code].defaults:
        assert f"`{name}`" in body, f"{code}.{name} is not documented"
