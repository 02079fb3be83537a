"""The registry's versions, mirrored to Parquet for the engines (DuckDB, Spark).

After each ingest that changed the registry, every version of projects, enterprises,
employments and people is written to ``ANXIN_LAKE/_registry/<table>.parquet`` with its
``valid_from``/``valid_to``, so the daily run reads the registry as of any date without
touching the operational database. Personal data stays out: people appear by pseudonym
and card pseudonym only, and by the pseudonym's 64-bit ``person_id`` (``core.crypto``), which
the daily run joins on (written here once, not derived from the pseudonyms every day).
"""

from __future__ import annotations

import logging
import os
import uuid
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
from django.conf import settings

from anxin.core.crypto import duplicate_person_ids, person_ids
from anxin.lake.storage import ROW_GROUP_ROWS
from anxin.registry.models import Employment, Enterprise, Person, Project

log = logging.getLogger(__name__)
S, I, D, B = pa.string(), pa.int64(), pa.date32(), pa.bool_()  # noqa: E741

COLUMNS: dict[str, tuple[type, list[tuple[str, str, pa.DataType]]]] = {
    "projects": (
        Project,
        [
            ("project_code", "project_code", S),
            ("name", "name", S),
            ("region_code", "region_code", S),
            ("builder_uscc", "builder_uscc", S),
            ("contractor_uscc", "contractor_uscc", S),
            ("contract_amount_fen", "contract_amount_fen", I),
            ("labor_cost_amount_fen", "labor_cost_amount_fen", I),
            ("labor_payment_cycle_days", "labor_payment_cycle_days", I),
            ("start_date", "start_date", D),
            ("planned_end_date", "planned_end_date", D),
            ("actual_end_date", "actual_end_date", D),
            ("status", "status", S),
            ("wage_account_no", "wage_account_no", S),
            ("wage_account_opened_on", "wage_account_opened_on", D),
            ("deposit_form", "deposit_form", S),
            ("deposit_amount_fen", "deposit_amount_fen", I),
            ("notice_board", "notice_board", B),
            ("labor_manager", "labor_manager", S),
        ],
    ),
    "enterprises": (
        Enterprise,
        [
            ("uscc", "uscc", S),
            ("name", "name", S),
            ("kind", "kind", S),
            ("region_code", "region_code", S),
            ("industry_code", "industry_code", S),
        ],
    ),
    "employments": (
        Employment,
        [
            ("project_code", "project_code", S),
            ("person_key", "person_key", S),
            ("id_masked", "id_number_masked", S),
            ("employer_uscc", "employer_uscc", S),
            ("trade", "trade", S),
            ("contract_signed", "contract_signed", B),
            ("start_date", "start_date", D),
            ("end_date", "end_date", D),
            ("wage_type", "wage_type", S),
            ("wage_rate_fen", "wage_rate_fen", I),
            ("pay_day", "pay_day", I),
        ],
    ),
    "people": (Person, [("person_key", "person_key", S), ("bank_card_key", "bank_card_key", S)]),
}


def registry_dir() -> Path:
    return Path(settings.ANXIN_LAKE) / "_registry"


def _empty_to_null(value: object) -> object:
    return None if value == "" else value


def export_registry() -> None:
    """Write every version of every registry table (atomically, one file per table)."""
    target_dir = registry_dir()
    target_dir.mkdir(parents=True, exist_ok=True)
    for name, (model, columns) in COLUMNS.items():
        fields = [f for _, f, _ in columns] + ["valid_from", "valid_to"]
        rows = list(model.objects.order_by("pk").values_list(*fields))  # type: ignore[attr-defined]
        arrays = []
        for i, (_, _, type_) in enumerate(columns):
            arrays.append(pa.array([_empty_to_null(r[i]) for r in rows], type_))
        arrays.append(pa.array([r[-2] for r in rows], D))
        arrays.append(pa.array([r[-1] for r in rows], D))
        table = pa.Table.from_arrays(arrays, names=[c for c, _, _ in columns] + ["valid_from", "valid_to"])
        if "person_key" in table.column_names:
            table = table.append_column("person_id", person_ids(table["person_key"]))
        if name == "people" and (shared := duplicate_person_ids(table["person_key"])):
            # The daily run joins people on the pseudonym's first 64 bits: two people sharing
            # them would be counted as one (odds ~n²/2⁶⁵). Not expected in a province's lifetime.
            log.error("两名人员的假名前 64 位相同，监测将把他们合并计算：%s", ", ".join(shared))
        tmp = target_dir / f".{name}-{uuid.uuid4().hex}.parquet.tmp"
        # In row groups, so that a reader decodes them on every core (one group of a million
        # people took a single thread 0.3-0.6 s to read every day).
        pq.write_table(table, tmp, compression="zstd", row_group_size=ROW_GROUP_ROWS)
        os.replace(tmp, target_dir / f"{name}.parquet")
