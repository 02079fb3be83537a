"""Fixtures of the leads tests: the tiny registry (two projects: 鼓楼, 思明), lead rows, a clean cache."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.core.cache import cache

from anxin.lake.services import ingest_paths
from tests.factories import registry_batch


@pytest.fixture(autouse=True)
def _clean_cache() -> Iterator[None]:
    """Rate-limit counters and the process-wide calendar must not leak between tests."""
    from anxin.core.calendar import reset_default_calendar

    cache.clear()
    reset_default_calendar()
    yield
    cache.clear()
    reset_default_calendar()


@pytest.fixture
def registry(db: Any, tmp_path: Path) -> None:
    ingest_paths([registry_batch(tmp_path / "registry")])


def lead_row(lead_id: str = "L1", **kw: Any) -> dict[str, Any]:
    """A typed ``leads`` row as the lake hands it to the store (money in fen)."""
    row: dict[str, Any] = {
        "lead_id": lead_id,
        "channel": "hotline",
        "received_at": dt.datetime(2025, 9, 30, 10, 0),
        "target_name": "福州劳务分包有限公司",
        "target_uscc": None,
        "project_code": None,
        "region_code": "350102",
        "address": None,
        "complainant_name": "王小明",
        "complainant_phone": "13900001111",
        "anonymous": False,
        "workers_involved": 3,
        "amount_claimed": 1_200_000,
        "period_from": "2025-07",
        "period_to": "2025-08",
        "description": "三个月工资未发",
    }
    row.update(kw)
    return row
