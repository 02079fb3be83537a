"""The registry answers as of a date with the version valid then."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from anxin.lake.services import ingest_paths
from anxin.registry.models import Project
from anxin.registry.services import registry_as_of
from tests.factories import ENTERPRISES, PROJECTS, write_csv

pytestmark = pytest.mark.django_db


def test_the_registry_as_of_a_date_gives_the_version_valid_then(tmp_path: Path) -> None:
    write_csv(tmp_path / "a" / "enterprises.csv", ENTERPRISES)
    write_csv(tmp_path / "a" / "projects.csv", [PROJECTS[0]])
    ingest_paths([tmp_path / "a"])
    write_csv(
        tmp_path / "b" / "projects.csv", [dict(PROJECTS[0], wage_account_no="", updated_at="2025-07-01 10:00:00")]
    )
    ingest_paths([tmp_path / "b"])
    write_csv(
        tmp_path / "c" / "projects.csv", [dict(PROJECTS[0], status="completed", updated_at="2025-09-15 18:00:00")]
    )
    ingest_paths([tmp_path / "c"])

    def as_of(day: str) -> Project:
        return registry_as_of(Project, dt.date.fromisoformat(day)).get(project_code="FJ-GL-001")

    # The first version counts from the beginning, whatever its updated_at.
    assert as_of("2020-01-01").wage_account_no == "35001000000000001"
    assert as_of("2025-06-30").wage_account_no == "35001000000000001"
    assert as_of("2025-07-01").wage_account_no == ""
    assert as_of("2025-09-14").status == "active"
    assert as_of("2025-09-15").status == "completed"
    assert Project.objects.current().get().status == "completed"
    assert Project.objects.filter(project_code="FJ-GL-001").count() == 3


def test_a_late_arriving_older_version_is_slotted_into_history_without_changing_the_present(tmp_path: Path) -> None:
    write_csv(tmp_path / "a" / "enterprises.csv", ENTERPRISES)
    write_csv(
        tmp_path / "a" / "projects.csv", [dict(PROJECTS[0], status="completed", updated_at="2025-09-15 18:00:00")]
    )
    ingest_paths([tmp_path / "a"])
    write_csv(
        tmp_path / "b" / "projects.csv", [dict(PROJECTS[0], status="suspended", updated_at="2025-10-01 00:00:00")]
    )
    ingest_paths([tmp_path / "b"])
    write_csv(tmp_path / "c" / "projects.csv", [dict(PROJECTS[0], status="active", updated_at="2025-09-20 00:00:00")])
    summary = ingest_paths([tmp_path / "c"])[0]
    assert summary.updated == 1
    assert Project.objects.current().get().status == "suspended"
    assert registry_as_of(Project, dt.date(2025, 9, 25)).get().status == "active"
