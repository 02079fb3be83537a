"""Tiny feed fixtures built in code: valid identifiers and files in every format."""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from anxin.core.identifiers import id_check_char, uscc_check_char


def uscc(body17: str) -> str:
    return body17 + uscc_check_char(body17)


def id_number(body17: str) -> str:
    return body17 + id_check_char(body17)


def bad_check(value: str) -> str:
    """The same identifier with a wrong check character."""
    alphabet = "0123456789X" if value[:17].isdigit() else "0123456789ABCDEFGHJKLMNPQRTUWXY"
    wrong = next(c for c in alphabet if c != value[17])
    return value[:17] + wrong


BUILDER = uscc("91350102MA2Y00001")  # 福州 builder
CONTRACTOR = uscc("91350203MA2Y00002")  # 厦门 contractor
SUBCONTRACTOR = uscc("91350102MA2Y00003")
WORKER_1 = id_number("35010219900101123")  # 福州鼓楼, 1990-01-01
WORKER_2 = id_number("51010219850505432")  # 成都, 1985-05-05
WORKER_3 = id_number("52010219920815567")

ENTERPRISES = [
    {
        "uscc": BUILDER,
        "name": "福州城建开发有限公司",
        "kind": "builder",
        "region_code": "350102",
        "updated_at": "2025-01-01 08:00:00",
    },
    {
        "uscc": CONTRACTOR,
        "name": "厦门建工集团有限公司",
        "kind": "general_contractor",
        "region_code": "350203",
        "updated_at": "2025-01-01 08:00:00",
    },
    {
        "uscc": SUBCONTRACTOR,
        "name": "福州劳务分包有限公司",
        "kind": "subcontractor",
        "region_code": "350102",
        "updated_at": "2025-01-01 08:00:00",
    },
]

PROJECTS = [
    {
        "project_code": "FJ-GL-001",
        "name": "鼓楼区安置房一期",
        "region_code": "350102",
        "address": "福州市鼓楼区五四路88号",
        "builder_uscc": BUILDER,
        "contractor_uscc": CONTRACTOR,
        "funding": "government",
        "contract_amount": "12000000.00",
        "labor_cost_amount": "3000000.00",
        "labor_payment_cycle_days": "30",
        "start_date": "2025-03-01",
        "status": "active",
        "wage_account_no": "35001000000000001",
        "wage_account_bank": "中国建设银行福州分行",
        "deposit_form": "cash",
        "deposit_amount": "180000.00",
        "notice_board": "true",
        "labor_manager": "陈劳资",
        "updated_at": "2025-03-01 09:00:00",
    },
    {
        "project_code": "FJ-SM-001",
        "name": "思明区商务中心",
        "region_code": "350203",
        "address": "厦门市思明区湖滨南路1号",
        "builder_uscc": BUILDER,
        "contractor_uscc": CONTRACTOR,
        "funding": "private",
        "contract_amount": "50000000.00",
        "start_date": "2025-04-01",
        "status": "active",
        "deposit_form": "none",
        "notice_board": "false",
        "updated_at": "2025-04-01 09:00:00",
    },
]

PEOPLE = [
    {
        "id_number": WORKER_1,
        "name": "张三",
        "phone": "13812345678",
        "bank_card_no": "6222021234567890123",
        "bank_name": "工商银行",
        "hometown_region_code": "350102",
    },
    {
        "id_number": WORKER_2,
        "name": "李四",
        "phone": "13987654321",
        "bank_card_no": "6217001234567890",
        "bank_name": "建设银行",
        "hometown_region_code": "510102",
    },
]

EMPLOYMENTS = [
    {
        "project_code": "FJ-GL-001",
        "id_number": WORKER_1,
        "employer_uscc": SUBCONTRACTOR,
        "team": "钢筋班",
        "trade": "钢筋工",
        "contract_signed": "true",
        "start_date": "2025-03-05",
        "wage_type": "daily",
        "wage_rate": "350.00",
        "pay_day": "15",
    },
    {
        "project_code": "FJ-SM-001",
        "id_number": WORKER_2,
        "employer_uscc": CONTRACTOR,
        "team": "木工班",
        "trade": "木工",
        "contract_signed": "true",
        "start_date": "2025-04-05",
        "wage_type": "daily",
        "wage_rate": "380.00",
        "pay_day": "10",
    },
]


def write_csv(
    path: Path,
    rows: Sequence[dict[str, Any]],
    *,
    encoding: str = "utf-8",
    header: Sequence[str] | None = None,
    line_end: str = "\n",
) -> Path:
    """Write rows as CSV; ``header`` may rename the columns (e.g. to Chinese labels)."""
    names: list[str] = []
    for row in rows:
        names += [k for k in row if k not in names]
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator=line_end)
    writer.writerow(header or names)
    for row in rows:
        writer.writerow([row.get(n, "") for n in names])
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(buffer.getvalue().encode(encoding))
    return path


def registry_batch(folder: Path) -> Path:
    """A small, valid registry batch (two projects: one in 鼓楼, one in 思明)."""
    write_csv(folder / "enterprises.csv", ENTERPRISES)
    write_csv(folder / "projects.csv", PROJECTS)
    write_csv(folder / "people.csv", PEOPLE)
    write_csv(folder / "employments.csv", EMPLOYMENTS)
    return folder
