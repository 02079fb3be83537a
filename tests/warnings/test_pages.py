"""The warning queue, a warning's page, the risk list and the downloads: each cut to the
official's jurisdiction; the contract export exactly as FEEDS.md says."""

from __future__ import annotations

import csv
import datetime as dt
import io
from pathlib import Path

import pytest
from openpyxl import load_workbook

from anxin.core.models import AuditEntry
from anxin.warnings.models import Warning
from tests.warnings.conftest import logged_in, open_finding, run_days

pytestmark = pytest.mark.django_db

D = dt.date(2025, 9, 1)


@pytest.fixture
def two_warnings(registry: None) -> tuple[Warning, Warning]:
    open_finding("WP01", "FJ-GL-001", D, severity="high", workers=4, amount_fen=1_200_000)
    open_finding("WA02", "FJ-SM-001", D)
    run_days(D, dt.date(2025, 9, 3))
    return Warning.objects.get(subject_id="FJ-GL-001"), Warning.objects.get(subject_id="FJ-SM-001")


def test_the_queue_shows_only_the_jurisdictions_warnings(
    two_warnings, gulou, siming, fuzhou, province, outsider
) -> None:  # type: ignore[no-untyped-def]
    gl, sm = two_warnings
    seen = {
        user.username: logged_in(user).get("/warnings/").content.decode()
        for user in (gulou, siming, fuzhou, province, outsider)
    }
    assert gl.warning_no in seen["gulou"] and sm.warning_no not in seen["gulou"]
    assert sm.warning_no in seen["siming"] and gl.warning_no not in seen["siming"]
    assert gl.warning_no in seen["fuzhou"] and sm.warning_no not in seen["fuzhou"]
    assert gl.warning_no in seen["province"] and sm.warning_no in seen["province"]
    assert gl.warning_no not in seen["outsider"] and sm.warning_no not in seen["outsider"]


def test_a_warnings_page_is_not_found_outside_the_jurisdiction(two_warnings, gulou, siming) -> None:  # type: ignore[no-untyped-def]
    gl, _sm = two_warnings
    assert logged_in(siming).get(f"/warnings/{gl.warning_no}/").status_code == 404
    assert logged_in(siming).post(f"/warnings/{gl.warning_no}/verify/", {"note": "越权"}).status_code == 404
    page = logged_in(gulou).get(f"/warnings/{gl.warning_no}/").content.decode()
    for text in ("WP01", "工资逾期未足额支付", "第十二条", "生成预警", "分派核实", "核实期限", "开始核实", "<svg"):
        assert text in page, text


def test_an_official_verifies_from_the_page_and_a_missing_note_is_refused(two_warnings, gulou) -> None:  # type: ignore[no-untyped-def]
    gl, _sm = two_warnings
    client = logged_in(gulou)
    refused = client.post(f"/warnings/{gl.warning_no}/verify/", {"note": ""}, follow=True).content.decode()
    assert "请填写办理说明" in refused
    client.post(f"/warnings/{gl.warning_no}/verify/", {"note": "到现场核实工资表"})
    gl.refresh_from_db()
    assert gl.status == "verifying"


def test_the_queue_filters_by_level_rule_division_and_puts_overdue_first(two_warnings, province) -> None:  # type: ignore[no-untyped-def]
    gl, sm = two_warnings
    client = logged_in(province)
    assert sm.warning_no not in client.get("/warnings/?level=high").content.decode()
    assert gl.warning_no not in client.get("/warnings/?rule=WA02").content.decode()
    assert gl.warning_no not in client.get("/warnings/?division=350200").content.decode()
    assert sm.warning_no in client.get("/warnings/?division=350200").content.decode()
    run_days(dt.date(2025, 9, 4), dt.date(2025, 9, 9))
    # 鼓楼's high warning was due 09-04 (3 working days), 思明's medium one 09-08: both overdue
    # on 09-09; the SM one is verified, so only GL stays overdue and comes first.
    from anxin.warnings import services

    services.start_verification(sm, province, "核实", on=dt.date(2025, 9, 9))
    services.confirm_warning(sm, province, "属实", on=dt.date(2025, 9, 9))
    page = client.get("/warnings/").content.decode()
    assert page.index(gl.warning_no) < page.index(sm.warning_no)
    only_overdue = client.get("/warnings/?overdue=1").content.decode()
    assert gl.warning_no in only_overdue and sm.warning_no not in only_overdue


def test_web_downloads_are_cut_to_the_jurisdiction_and_audited(two_warnings, gulou) -> None:  # type: ignore[no-untyped-def]
    gl, sm = two_warnings
    client = logged_in(gulou)
    text = client.get("/warnings/?export=csv").content.decode("utf-8-sig")
    rows = list(csv.DictReader(io.StringIO(text)))
    assert [r["warning_id"] for r in rows] == [gl.warning_no]
    book = load_workbook(io.BytesIO(client.get("/warnings/?export=xlsx").content))
    values = [c for row in book.active.iter_rows(values_only=True) for c in row]
    assert gl.warning_no in values and sm.warning_no not in values
    assert AuditEntry.objects.filter(action="export", object_type="warnings.Warning").count() == 2


def test_the_risk_list_is_cut_to_the_jurisdiction(two_warnings, gulou) -> None:  # type: ignore[no-untyped-def]
    page = logged_in(gulou).get("/warnings/risk/?as_of=2025-09-03").content.decode()
    assert "FJ-GL-001" in page and "FJ-SM-001" not in page


def test_anxin_export_warnings_writes_the_contracts_columns(two_warnings, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    from django.core.management import call_command

    out = tmp_path / "warnings.csv"
    call_command("export", "warnings", out=out)
    raw = out.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(raw.decode("utf-8-sig"))))
    assert rows[0] == [
        "warning_id", "subject_type", "subject_id", "region_code", "level", "raised_on", "high_on", "urgent_on",
        "closed_on", "rules", "score", "status",
    ]  # fmt: skip
    gl = dict(zip(rows[0], next(r for r in rows[1:] if r[2] == "FJ-GL-001"), strict=True))
    assert gl["subject_type"] == "project" and gl["region_code"] == "350102"
    assert gl["level"] == "high" and gl["raised_on"] == "2025-09-01" and gl["high_on"] == "2025-09-01"
    assert gl["urgent_on"] == "" and gl["closed_on"] == "" and gl["rules"] == "WP01" and gl["status"] == "pending"
    assert 0 < int(gl["score"]) <= 100


def test_the_home_page_summary_counts_the_jurisdictions_open_and_overdue_warnings(two_warnings, gulou) -> None:  # type: ignore[no-untyped-def]
    run_days(dt.date(2025, 9, 4), dt.date(2025, 9, 5))  # 鼓楼's high warning was due 09-04
    fragment = logged_in(gulou).get("/warnings/summary/").content.decode()
    assert "高风险</span><b>1</b>" in fragment and "中风险</span><b>0</b>" in fragment
    assert "已超期</span><b>1</b>" in fragment
    assert 'data-src="/warnings/summary/"' in logged_in(gulou).get("/").content.decode()


def test_the_api_lists_the_jurisdictions_warnings_with_a_token(two_warnings, gulou, province) -> None:  # type: ignore[no-untyped-def]
    from django.test import Client

    from anxin.core.tokens import issue_token

    gl, sm = two_warnings
    gulou_api = Client(headers={"Authorization": f"Bearer {issue_token(gulou, 'city platform')}"})
    body = gulou_api.get("/api/warnings").json()
    assert body["count"] == 1 and [w["warning_id"] for w in body["results"]] == [gl.warning_no]
    assert body["results"][0]["rules"] == ["WP01"] and body["results"][0]["urgent_on"] is None
    province_api = Client(headers={"Authorization": f"Bearer {issue_token(province, 'x')}"})
    assert province_api.get("/api/warnings?rule=WA02").json()["results"][0]["warning_id"] == sm.warning_no
    assert Client().get("/api/warnings").status_code == 401
