"""End to end on the tiny synthetic province: `anxin run-daily` goes on from findings to risk,
warnings and contract-performance scores, and a backfill replays them identically."""

from __future__ import annotations

import datetime as dt
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command

from anxin.evaluation.models import Evaluation
from anxin.lake.services import ingest_paths
from anxin.monitoring.models import Finding
from anxin.monitoring.services import backfill
from anxin.warnings.models import RiskDay, Warning
from tests.monitoring.conftest import tiny_batch  # noqa: F401

pytestmark = pytest.mark.django_db

#: The replay starts here; its first day folds in the month before (the way a new province starts).
START = dt.date(2026, 2, 1)


def snapshot() -> tuple:
    return (
        sorted(Warning.objects.values_list("subject_id", "level", "raised_on", "high_on", "urgent_on", "status")),
        sorted(RiskDay.objects.values_list("as_of", "subject_id", "level", "score")),
        sorted(Evaluation.objects.values_list("as_of", "uscc", "score", "grade")),
    )


@pytest.mark.slow
def test_the_daily_run_grades_warns_and_scores_and_a_backfill_replays_it(tiny_batch: Path) -> None:  # noqa: F811
    ingest_paths([tiny_batch])
    last = dt.date(2026, 2, 15)  # arrears begin on 02-11 in this province, two days before Spring Festival's eve
    backfill(START, last - dt.timedelta(days=1))
    out = StringIO()
    call_command("run_daily", as_of=last, stdout=out)
    assert "预警：新生成" in out.getvalue() and "履约评价：" in out.getvalue()

    warned = Warning.objects.all()
    assert warned.exists()
    # Every warning rests on findings that were open when it was raised, and its level is medium or above.
    for w in warned:
        assert w.level in ("medium", "high", "urgent")
        assert w.findings.filter(opened_on__lte=w.raised_on).exists()
    # Arrears in the 30 days before Spring Festival (2026-02-17) are urgent, on every day and subject.
    arrears = set(Finding.objects.open_on(last).filter(rule="WP01").values_list("subject_id", flat=True))
    levels = dict(RiskDay.objects.filter(as_of=last).values_list("subject_id", "level"))
    assert arrears and all(levels[s] == "urgent" for s in arrears)
    assert all(Warning.objects.get(subject_id=s, closed_on=None).urgent_on for s in arrears)
    rated = Evaluation.objects.filter(as_of=last)
    assert rated.exists() and all(0 <= e.score <= 100 for e in rated)

    before = snapshot()
    backfill(START, last)  # rewinds everything and replays: the same warnings, risks and scores
    assert snapshot() == before
