"""The tables every rule reads, as of a date D: their names, columns and types.

Rules never read raw event partitions. They read:
- the registry as it was on D (``projects``, ``enterprises``, ``employments``, ``people``)
  and the reference data in force on D (``min_wages``: each county's monthly minimum wage);
- the daily *state* as of D, small aggregates that the daily run keeps up to date
  (``ledger`` and its sums by project and period ``ledger_periods``, ``project_days``,
  ``accounts``, ``inflow_months``, ``failed_payments``, ``card_mismatches``,
  ``person_months``, ``employer_months``, ``lawsuits``, ``unregistered``);
- ``attendance_today`` (the day's attendance, for RN01) and ``lead_cases`` (LD01);
- ``calendar`` (every day with ``is_working_day``) and ``due_dates`` (when each
  (period, pay_day) falls due and when unpaid wages of it become arrears).

The same schemas are used by the DuckDB and the Spark engines and by the tests'
fixtures. People are ``person_id``: the 64-bit id of their pseudonym (``core.crypto.person_id``),
which the daily run derives from the lake's and the registry mirror's ``person_key`` as it
reads them; findings name workers by their masked ID (``id_masked``), never by either. Money is integer fen (``*_fen``), dates are ``*_on``, counts ``count_*`` or
plain nouns.
"""

from __future__ import annotations

import pyarrow as pa

S, I, D, B, F = pa.string(), pa.int64(), pa.date32(), pa.bool_(), pa.float64()  # noqa: E741

SCHEMAS: dict[str, pa.Schema] = {
    # --- registry as of D -------------------------------------------------------------
    "projects": pa.schema(
        [
            ("project_code", S),
            ("name", S),
            ("region_code", S),
            ("builder_uscc", S),
            ("contractor_uscc", S),
            ("contract_amount_fen", I),
            ("labor_cost_amount_fen", I),
            ("labor_payment_cycle_days", I),
            ("start_date", D),
            ("planned_end_date", D),
            ("actual_end_date", D),
            ("status", S),
            ("wage_account_no", S),
            ("wage_account_opened_on", D),
            ("deposit_form", S),
            ("deposit_amount_fen", I),
            ("notice_board", B),
            ("labor_manager", S),
        ]
    ),
    "enterprises": pa.schema([("uscc", S), ("name", S), ("kind", S), ("region_code", S), ("industry_code", S)]),
    "employments": pa.schema(
        [
            ("project_code", S),
            ("person_id", I),
            ("id_masked", S),
            ("employer_uscc", S),
            ("trade", S),
            ("contract_signed", B),
            ("start_date", D),
            ("end_date", D),
            ("wage_type", S),
            ("wage_rate_fen", I),
            ("pay_day", I),
        ]
    ),
    "people": pa.schema([("person_id", I), ("bank_card_key", S)]),
    # The monthly minimum wage of each county on D (core CountyWageTier → MinimumWage in force that day);
    # ``confirmed`` only when both the county's tier and the tier's amount are confirmed.
    "min_wages": pa.schema([("region_code", S), ("monthly_fen", I), ("confirmed", B)]),
    # --- state as of D ------------------------------------------------------------------
    # One row per worker, project and wage period ('YYYY-MM'): what was earned, what is owed, what was paid.
    "ledger": pa.schema(
        [
            ("project_code", S),
            ("person_id", I),
            ("period", S),
            ("id_masked", S),
            ("employer_uscc", S),  # the payroll's employer, else the employment active on the last day attended
            ("wage_type", S),
            ("wage_rate_fen", I),
            ("pay_day", I),
            ("days_attended", I),
            ("first_attended_on", D),
            ("last_attended_on", D),
            ("payroll_net_fen", I),
            ("payroll_gross_fen", I),
            ("payroll_days", I),
            ("payroll_confirmed", B),
            ("payroll_submitted_on", D),
            ("paid_fen", I),  # successful payments, any channel
            ("paid_special_fen", I),
            ("paid_other_fen", I),  # special account vs other account or cash
            ("count_payments", I),
            ("first_paid_on", D),
            ("last_paid_on", D),
            ("paid_full_on", D),  # the day successful payments first reached the amount due
        ]
    ),
    # The ledger summed by project, period and pay day (``rules.base.ledger_periods``): counts and
    # sums of the worker-periods that the rules judging whole project-periods filter on.
    "ledger_periods": pa.schema(
        [
            ("project_code", S),
            ("period", S),
            ("pay_day", I),
            ("rows_due", I),  # worker-periods with a known amount due
            ("due_fen", I),
            ("rows_due_positive", I),  # … with more than nothing due
            ("last_paid_full_on", D),  # of those, the latest day one was paid in full
            ("rows_unpaid", I),  # … of those, not paid in full
            ("rows_owed", I),  # paid less than the amount due
            ("payroll_lines", I),
            ("payroll_unconfirmed", I),
            ("payroll_unconfirmed_fen", I),
            ("rows_paid", I),  # with a successful payment
            ("paid_fen", I),  # of those, paid in all
            ("paid_other_fen", I),  # … and paid outside the special account
        ]
    ),
    # Headcount on site per project and day, kept for the last 35 days.
    "project_days": pa.schema([("project_code", S), ("day", D), ("headcount", I)]),
    # The special account per project: inflows and payments from it, to date.
    "accounts": pa.schema(
        [
            ("project_code", S),
            ("inflow_fen", I),
            ("count_inflows", I),
            ("first_inflow_on", D),
            ("last_inflow_on", D),
            ("paid_from_account_fen", I),
        ]
    ),
    "inflow_months": pa.schema([("project_code", S), ("month", S), ("inflow_fen", I)]),
    # Failed or returned transfers, with whether and when a success for the same worker-period followed.
    "failed_payments": pa.schema(
        [
            ("txn_id", S),
            ("project_code", S),
            ("person_id", I),
            ("id_masked", S),
            ("period", S),
            ("amount_fen", I),
            ("failed_on", D),
            ("status", S),
            ("repaid_on", D),
        ]
    ),
    # Successful payments to a card that is not the worker's registered wage card (last 120 days).
    "card_mismatches": pa.schema(
        [
            ("txn_id", S),
            ("project_code", S),
            ("person_id", I),
            ("id_masked", S),
            ("period", S),
            ("amount_fen", I),
            ("paid_on", D),
            ("card_last4", S),
        ]
    ),
    # What each person was paid per calendar month, across projects (last 13 months).
    "person_months": pa.schema([("person_id", I), ("month", S), ("paid_fen", I)]),
    # Monthly feeds per employer (last 15 months): social insurance and electricity.
    "employer_months": pa.schema(
        [
            ("uscc", S),
            ("month", S),
            ("insured_headcount", I),
            ("contributions_due_fen", I),
            ("contributions_paid_fen", I),
            ("electricity_kwh", F),
        ]
    ),
    "lawsuits": pa.schema(
        [("case_no", S), ("uscc", S), ("filed_on", D), ("cause", S), ("plaintiffs", I), ("amount_fen", I)]
    ),
    # People attending without an employment on the project that day (kept 30 days after last seen).
    "unregistered": pa.schema(
        [
            ("project_code", S),
            ("person_id", I),
            ("id_masked", S),
            ("first_seen_on", D),
            ("last_seen_on", D),
            ("days", I),
        ]
    ),
    # --- the day and the rest -------------------------------------------------------------
    "attendance_today": pa.schema([("project_code", S), ("person_id", I), ("id_masked", S), ("work_date", D)]),
    "lead_cases": pa.schema(
        [("case_no", S), ("subject_type", S), ("subject_id", S), ("received_on", D), ("workers", I)]
    ),
    "calendar": pa.schema([("day", D), ("is_working_day", B)]),
    "due_dates": pa.schema([("period", S), ("pay_day", I), ("due_on", D), ("arrears_on", D)]),
}

#: What a rule returns: one row per subject, before evidence is attached.
FINDING_COLUMNS = ["subject_type", "subject_id", "severity", "workers", "amount_fen"]
