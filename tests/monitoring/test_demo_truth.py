"""On the synthetic demo province, every planted problem kind fires its rule(s) and no clean look-alike fires WP01.

The demo province (300 projects, 30,000 workers, 180 days over a Spring Festival) is
generated, ingested and replayed day by day, then the findings are compared with the
generator's truth (``truth.csv``).
"""

from __future__ import annotations

import csv
import datetime as dt
from collections import defaultdict
from pathlib import Path

import pytest

from anxin.lake.services import ingest_paths
from anxin.monitoring import services
from anxin.monitoring.models import Finding
from anxin.monitoring.services import backfill
from anxin.synth import generate

pytestmark = [pytest.mark.django_db, pytest.mark.demo_scale]

#: The rules each planted kind should fire (docs/synth.md, "Planted problems").
EXPECTED: dict[str, set[str]] = {
    "builder_stops_funding": {"WA02", "WA03", "WA04", "WP01"},
    "subcontractor_stops_paying": {"WP01"},
    "late_systematic": {"WP02"},
    "failed_not_repaid": {"WP06"},
    "off_payroll": {"WP04"},
    "site_emptying": {"PS01"},
    "underfunded": {"WA03", "WA04", "PD01"},
    "funding_late": {"WA02"},
    "no_special_account": {"WA01"},
    "below_min_wage": {"WP03"},
    "ghost_payroll": {"WP05"},
    "unconfirmed_payroll": {"WP07"},
    "card_held": {"WP08"},
    "implausible_pay": {"WP09"},
    "outside_account": {"PD01"},
    "no_deposit": {"DP01"},
    "low_deposit": {"DP02"},
    "unregistered_workers": {"RN01"},
    "no_contracts": {"RN02"},
    "attendance_gap": {"RN03"},
    "no_labor_manager": {"RN04"},
    "no_notice_board": {"NB01"},
    "employer_decline": {"EN01", "EN02", "EN03", "EN04"},
}
CLEAN = {"clean_late_once", "clean_failed_repaid", "clean_completion", "clean_seasonal_dip"}


def test_every_planted_kind_fires_its_rules_and_no_clean_look_alike_fires_wp01(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The findings are what is compared here: the day steps after them (risk, warnings, scores)
    # are replayed end to end by tests/warnings/test_daily_run.py, and would double this test's time.
    monkeypatch.setattr(services, "DAY_STEPS", [])
    batch = tmp_path / "demo"
    summary = generate(scale="demo", seed=2026, out=str(batch))
    ingest_paths([batch])
    start = dt.date.fromisoformat(str(summary.start))
    backfill(start, start + dt.timedelta(days=summary.days - 1))

    with open(Path(f"{batch}_truth") / "truth.csv", encoding="utf-8") as fh:
        truth = list(csv.DictReader(fh))
    fired: dict[str, set[str]] = defaultdict(set)
    first_wp01: dict[str, dt.date] = {}
    for f in Finding.objects.all():
        fired[f.subject_id].add(f.rule)
        if f.rule == "WP01":
            first_wp01[f.subject_id] = min(first_wp01.get(f.subject_id, f.opened_on), f.opened_on)

    kinds = {t["kind"] for t in truth}
    assert set(EXPECTED) <= kinds, "the generator plants every kind"
    for kind, rules in EXPECTED.items():
        episodes = [t for t in truth if t["kind"] == kind]
        hits = [t["episode_id"] for t in episodes if fired[t["subject_id"]] & rules]
        # Every episode of the kind is caught by one of its rules.
        assert len(hits) == len(episodes), f"{kind}: {len(hits)} of {len(episodes)} fire {sorted(rules)}"

    # Arrears: every project episode with a first arrears date fires WP01, never before that date.
    arrears = [t for t in truth if t["first_arrears_date"] and t["subject_type"] == "project"]
    assert arrears
    for t in arrears:
        assert t["subject_id"] in first_wp01, f"{t['episode_id']} {t['kind']} never fired WP01"
        assert first_wp01[t["subject_id"]] >= dt.date.fromisoformat(t["first_arrears_date"]), t["episode_id"]

    # Clean look-alikes never fire WP01.
    clean = [t for t in truth if t["kind"] in CLEAN]
    assert clean
    assert [t["episode_id"] for t in clean if "WP01" in fired[t["subject_id"]]] == []
