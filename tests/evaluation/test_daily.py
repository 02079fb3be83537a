"""The daily evaluation step over the registry mirror and the day's open findings; its pages, API
and export, each cut to the caller's jurisdiction."""

from __future__ import annotations

import csv
import datetime as dt
import io
from pathlib import Path

import pytest
from django.test import Client

from anxin.core.tokens import issue_token
from anxin.evaluation.models import Evaluation
from anxin.evaluation.services import evaluate_day
from tests.factories import CONTRACTOR
from tests.warnings.conftest import OUTSIDER_CONTRACTOR, logged_in, open_finding, registry  # noqa: F401

pytestmark = pytest.mark.django_db

D = dt.date(2025, 9, 1)


@pytest.fixture
def scored(registry: None) -> None:  # noqa: F811
    # CONTRACTOR builds FJ-GL-001 (1 worker), FJ-SM-001 (1 worker) and FJ-PT-001 (nobody): equal weights.
    for rule in ("RN02", "WA01", "DP01", "WA02"):
        open_finding(rule, "FJ-GL-001", D)
    for rule in ("PD01", "WP07", "WP08"):
        open_finding(rule, "FJ-PT-001", D)
    open_finding("RN04", "FJ-GL-001", D - dt.timedelta(days=10), closed_on=D)  # closed on the day: no deduction
    open_finding("WP01", "FJ-SM-002", D, severity="high", workers=3, amount_fen=900_000)
    evaluate_day(D)


def test_every_contractor_of_an_active_project_is_scored_with_its_deductions(scored: None) -> None:
    e = Evaluation.objects.get(uscc=CONTRACTOR, as_of=D)
    # real (20+25+25)/3, special (5+25+25)/3, pay (25+25+5)/3, deposit (15+25+25)/3: 81.67 → 82.
    assert (e.score, e.grade, e.projects, e.capped) == (82, "B", 3, False)
    assert [str(v) for v in (e.real_name, e.special_account, e.pay_on_behalf, e.deposit)] == [
        "23.33", "18.33", "18.33", "21.67",
    ]  # fmt: skip
    assert sorted((d["project_code"], d["rule"]) for d in e.deductions) == [
        ("FJ-GL-001", "DP01"), ("FJ-GL-001", "RN02"), ("FJ-GL-001", "WA01"), ("FJ-GL-001", "WA02"),
        ("FJ-PT-001", "PD01"), ("FJ-PT-001", "WP07"), ("FJ-PT-001", "WP08"),
    ]  # fmt: skip
    assert all(d["finding_id"] for d in e.deductions)
    assert e.name == "厦门建工集团有限公司"


def test_arrears_on_a_contractors_project_caps_its_score(scored: None) -> None:
    e = Evaluation.objects.get(uscc=OUTSIDER_CONTRACTOR, as_of=D)
    assert (e.score, e.grade, e.capped) == (59, "D", True)
    assert len(e.arrears_findings) == 1


def test_builders_and_subcontractors_are_not_rated_and_the_day_can_be_rerun(scored: None) -> None:
    from tests.factories import BUILDER, SUBCONTRACTOR

    assert not Evaluation.objects.filter(uscc__in=[BUILDER, SUBCONTRACTOR]).exists()
    before = list(Evaluation.objects.values("uscc", "score", "deductions"))
    assert evaluate_day(D) == 2
    assert list(Evaluation.objects.values("uscc", "score", "deductions")) == before


def test_the_api_answers_a_bidding_system_with_a_token_and_respects_jurisdiction(
    scored: None, province, siming, gulou
) -> None:  # type: ignore[no-untyped-def]
    api = Client(headers={"Authorization": f"Bearer {issue_token(province, 'bidding')}"})
    body = api.get(f"/api/evaluations/{CONTRACTOR}?as_of=2025-09-01").json()
    assert (body["score"], body["grade"], body["projects"], body["as_of"]) == (82, "B", 3, "2025-09-01")
    assert len(body["deductions"]) == 7 and body["deductions"][0]["title"]
    assert api.get(f"/api/evaluations/{CONTRACTOR}").json()["as_of"] == "2025-09-01"
    assert api.get(f"/api/evaluations/{CONTRACTOR}?as_of=2025-09-02").status_code == 404
    assert Client().get(f"/api/evaluations/{CONTRACTOR}").status_code == 401
    # 思明 sees the outsider that builds there; 鼓楼 does not.
    siming_api = Client(headers={"Authorization": f"Bearer {issue_token(siming, 'x')}"})
    gulou_api = Client(headers={"Authorization": f"Bearer {issue_token(gulou, 'x')}"})
    assert siming_api.get(f"/api/evaluations/{OUTSIDER_CONTRACTOR}").status_code == 200
    assert gulou_api.get(f"/api/evaluations/{OUTSIDER_CONTRACTOR}").status_code == 404


def test_pages_show_the_score_history_and_are_cut_to_the_jurisdiction(scored: None, gulou, siming) -> None:  # type: ignore[no-untyped-def]
    open_finding("WA03", "FJ-GL-001", D + dt.timedelta(days=1))
    evaluate_day(D + dt.timedelta(days=1))
    page = logged_in(gulou).get(f"/evaluation/{CONTRACTOR}/").content.decode()
    assert "<svg" in page and "<polyline" in page and "2025-09-02" in page and "扣分明细" in page
    assert logged_in(gulou).get(f"/evaluation/{OUTSIDER_CONTRACTOR}/").status_code == 404
    listing = logged_in(gulou).get("/evaluation/").content.decode()
    assert CONTRACTOR in listing and OUTSIDER_CONTRACTOR not in listing
    download = logged_in(gulou).get("/evaluation/?export=csv").content.decode("utf-8-sig")
    assert CONTRACTOR in download and OUTSIDER_CONTRACTOR not in download
    assert OUTSIDER_CONTRACTOR in logged_in(siming).get("/evaluation/?export=csv").content.decode("utf-8-sig")


def test_anxin_export_evaluations_writes_the_contracts_columns(scored: None, tmp_path: Path) -> None:
    from django.core.management import call_command

    out = tmp_path / "evaluations.csv"
    call_command("export", "evaluations", out=out, as_of=D)
    rows = list(csv.reader(io.StringIO(out.read_bytes().decode("utf-8-sig"))))
    assert rows[0] == [
        "uscc", "as_of", "score", "grade", "real_name", "special_account", "pay_on_behalf", "deposit", "projects",
    ]  # fmt: skip
    assert rows[1:] == [
        [CONTRACTOR, "2025-09-01", "82", "B", "23.33", "18.33", "18.33", "21.67", "3"],
        [OUTSIDER_CONTRACTOR, "2025-09-01", "59", "D", "25.00", "25.00", "25.00", "25.00", "1"],
    ]
