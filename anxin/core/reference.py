"""Loading the province's reference data (``anxin/core/data``) into the database.

The CSVs are copies of ``shared/reference`` with their sources (see ``data/SOURCES.md``).
Minimum-wage county tiers are unconfirmed: they load as editable rows marked
``confirmed=False``, never as constants.
"""

from __future__ import annotations

import csv
import datetime as dt
from decimal import Decimal
from pathlib import Path
from typing import Any

DATA = Path(__file__).resolve().parent / "data"
#: 平潭 is administered by 平潭综合实验区 directly under the province: a city-level jurisdiction of its own.
SELF_GOVERNED_COUNTIES = {"350128"}
LEVELS = {"province": "province", "prefecture_city": "city"}


def read_csv(name: str) -> list[dict[str, str]]:
    with open(DATA / name, encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


def short_name(name: str) -> str:
    """鼓楼区 -> 鼓楼, 福清市 -> 福清, 沙县区 -> 沙县; two-character names stay whole."""
    for suffix in ("自治县", "区", "县", "市", "省"):
        if name.endswith(suffix) and len(name) - len(suffix) >= 2:
            return name[: -len(suffix)]
    return name


def division_rows() -> list[dict[str, Any]]:
    rows = []
    for row in read_csv("fujian_divisions.csv"):
        level = LEVELS.get(row["level"], "county")
        code = row["code"]
        if level == "county":
            city = code if code in SELF_GOVERNED_COUNTIES else row["parent_code"]
        elif level == "city":
            city = code
        else:
            city = ""
        rows.append(
            {
                "code": code,
                "name": row["name"],
                "level": level,
                "gb_level": row["level"],
                "parent_code": row["parent_code"],
                "city_code": city,
                "short_name": short_name(row["name"]),
                "note": row["note"],
            }
        )
    return rows


def load_reference(apps: Any) -> None:
    """Load divisions, replaced codes and minimum wages (idempotent)."""
    Division = apps.get_model("core", "Division")
    DivisionChange = apps.get_model("core", "DivisionChange")
    MinimumWage = apps.get_model("core", "MinimumWage")
    CountyWageTier = apps.get_model("core", "CountyWageTier")
    for row in division_rows():
        Division.objects.update_or_create(code=row["code"], defaults=row)
    for row in read_csv("fujian_division_changes.csv"):
        DivisionChange.objects.update_or_create(
            old_code=row["old_code"],
            defaults={
                "old_name": row["old_name"],
                "new_code_id": row["new_code"],
                "year": int(row["year"]),
                "source": row["source"],
            },
        )
    for row in read_csv("fujian_min_wage.csv"):
        MinimumWage.objects.update_or_create(
            tier=int(row["tier"]),
            effective_from=dt.date.fromisoformat(row["effective_from"]),
            defaults={
                "monthly_fen": int(Decimal(row["monthly_yuan"]) * 100),
                "hourly_fen": int(Decimal(row["hourly_yuan"]) * 100),
                "confirmed": not row["source"].startswith("UNCONFIRMED") and "not confirmed" not in row["source"],
                "source": row["source"],
            },
        )
    for row in read_csv("fujian_min_wage_counties.csv"):
        if not row["tier"]:
            continue  # 金门县: no tier known
        CountyWageTier.objects.update_or_create(
            division_id=row["county_code"],
            effective_from=dt.date.fromisoformat(row["effective_from"]),
            defaults={
                "tier": int(row["tier"]),
                "confirmed": row["confirmed"].lower() == "true",
                "source": row["source"],
            },
        )
