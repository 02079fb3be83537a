"""State steps on their own: which employment a day's attendance is counted under."""

from __future__ import annotations

import datetime as dt
from typing import Any

import ibis
import pyarrow as pa

from anxin.monitoring.schema import SCHEMAS
from anxin.monitoring.state import employment_on_work_date

D = dt.date


def employment(person: int, employer: str | None, start: D, end: D | None = None, **values: Any) -> dict[str, Any]:
    return {
        "project_code": "P1",
        "person_id": person,
        "id_masked": f"350102********{person:02d}1X",
        "employer_uscc": employer,
        "trade": "木工",
        "contract_signed": True,
        "start_date": start,
        "end_date": end,
        "wage_type": "daily",
        "wage_rate_fen": 30_000 + person,
        "pay_day": 10,
        **values,
    }


def test_each_attendance_row_gets_the_employment_active_that_day_the_preferred_of_several() -> None:
    employments = [
        employment(1, "C1", D(2025, 3, 1)),  # one employment, active
        employment(2, "C1", D(2025, 1, 1), D(2025, 5, 31)),  # one, ended before the day
        employment(3, "C1", D(2025, 1, 1), D(2025, 5, 31)),  # re-hired: the second one is active
        employment(3, "C2", D(2025, 6, 10), wage_rate_fen=40_000),
        employment(4, None, D(2025, 6, 1)),  # two active: the one with an employer wins
        employment(4, "C3", D(2025, 5, 1)),
        employment(5, "C1", D(2025, 2, 1)),  # two active with employers: the latest started wins
        employment(5, "C2", D(2025, 6, 2)),
        employment(7, "C1", D(2025, 1, 1), D(2025, 3, 31)),  # several, none active on the day
        employment(7, "C2", D(2025, 7, 1)),
    ]
    day = D(2025, 6, 15)
    people = [1, 2, 3, 4, 5, 6, 7]  # 6 has no employment at all
    attendance = [{"project_code": "P1", "person_id": p, "id_masked": f"m{p}", "work_date": day} for p in people] + [
        {"project_code": "P1", "person_id": 3, "id_masked": "m3", "work_date": D(2025, 6, 5)}
    ]  # between the two
    con = ibis.duckdb.connect()
    a = con.create_table(
        "a",
        pa.Table.from_pylist(
            attendance,
            schema=pa.schema(
                [
                    ("project_code", pa.string()),
                    ("person_id", pa.int64()),
                    ("id_masked", pa.string()),
                    ("work_date", pa.date32()),
                ]
            ),
        ),
    )
    e = con.create_table("e", pa.Table.from_pylist(employments, schema=SCHEMAS["employments"]))
    rows = employment_on_work_date(a, e).to_pyarrow().to_pylist()
    got = {(r["person_id"], r["work_date"]): (r["employer_uscc"], r["wage_rate_fen"], r["registered"]) for r in rows}
    assert len(rows) == len(attendance)  # one row per attendance row, whatever the employments
    assert got == {
        (1, day): ("C1", 30_001, True),
        (2, day): (None, None, False),
        (3, day): ("C2", 40_000, True),
        (3, D(2025, 6, 5)): (None, None, False),
        (4, day): ("C3", 30_004, True),
        (5, day): ("C2", 30_005, True),
        (6, day): (None, None, False),
        (7, day): (None, None, False),
    }
    assert {r["id_masked"] for r in rows if r["person_id"] == 1} == {"m1"}  # the attendance's own masked ID
