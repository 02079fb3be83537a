"""A small registry (projects in 鼓楼, 思明 and 平潭; an enterprise registered outside Fujian)
and helpers that open findings and run the warnings day step over a span of days."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from django.test import Client

from anxin.lake.services import ingest_paths
from anxin.monitoring.models import DailyRun, Finding
from anxin.warnings.services import assess_day
from tests.factories import ENTERPRISES, PROJECTS, registry_batch, uscc, write_csv

OUTSIDER_CONTRACTOR = uscc("91510100MA6C00009")  # registered in 成都, builds in 思明


@pytest.fixture
def registry(tmp_path: Path, db: Any) -> None:
    folder = registry_batch(tmp_path / "registry")
    write_csv(
        folder / "projects-0002.csv",
        [
            dict(PROJECTS[0], project_code="FJ-PT-001", name="平潭海峡大桥配套", region_code="350128"),
            dict(PROJECTS[1], project_code="FJ-SM-002", name="思明区学校", contractor_uscc=OUTSIDER_CONTRACTOR),
        ],
    )
    write_csv(
        folder / "enterprises-0002.csv",
        [dict(ENTERPRISES[1], uscc=OUTSIDER_CONTRACTOR, name="四川远方建设有限公司", region_code="510100")],
    )
    ingest_paths([folder])


REGIONS = {"FJ-GL-001": "350102", "FJ-SM-001": "350203", "FJ-SM-002": "350203", "FJ-PT-001": "350128"}


def open_finding(
    rule: str,
    subject_id: str,
    opened_on: dt.date,
    *,
    closed_on: dt.date | None = None,
    severity: str = "medium",
    workers: int | None = None,
    amount_fen: int | None = None,
    subject_type: str = "project",
    region_code: str | None = None,
) -> Finding:
    """A finding as the daily run stores it (the warnings step reads nothing else)."""
    return Finding.objects.create(
        rule=rule,
        subject_type=subject_type,
        subject_id=subject_id,
        region_code=REGIONS.get(subject_id, "") if region_code is None else region_code,
        opened_on=opened_on,
        last_seen_on=closed_on - dt.timedelta(days=1) if closed_on else opened_on,
        closed_on=closed_on,
        severity=severity,
        workers=workers,
        amount_fen=amount_fen,
        evidence={"title": rule, "article": "条例"},
    )


def run_days(first: dt.date, last: dt.date) -> None:
    """The warnings step of each day's run, recorded as that day's run (the platform's today follows it)."""
    day = first
    while day <= last:
        assess_day(day)
        DailyRun.objects.update_or_create(as_of=day, defaults={"engine": "duckdb", "watermark": 0})
        day += dt.timedelta(days=1)


@pytest.fixture
def days() -> Callable[[dt.date, dt.date], None]:
    return run_days


def logged_in(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client
