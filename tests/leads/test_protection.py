"""The complainant is protected (《劳动保障监察条例》第九条): a canary name and phone appear only
in the handling officer's logged view — in no export, log line, API answer, event or page."""

from __future__ import annotations

import csv
import datetime as dt
import io
import logging
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from django.core.management import call_command
from django.test import Client, RequestFactory

from anxin.core.choices import AuditAction
from anxin.core.models import AuditEntry
from anxin.lake.models import QuarantinedRow
from anxin.lake.services import ingest_paths
from anxin.leads import api
from anxin.leads.models import Case, CaseEvent
from anxin.leads.services import accept_case, qr_token_for, supervise_case
from tests.factories import write_csv

CANARY_NAME = "钱多多"
CANARY_PHONE = "13912345678"
CANARIES = (CANARY_NAME, CANARY_PHONE)


def _clean(text: str, where: str) -> None:
    for canary in CANARIES:
        assert canary not in text, f"complainant identity in {where}"


@pytest.fixture
def canary_case(registry: None, tmp_path: Path, client: Client, caplog: pytest.LogCaptureFixture) -> Case:
    caplog.set_level(logging.DEBUG)
    row = {"lead_id": "12345-CANARY", "channel": "hotline", "received_at": "2025-09-30 10:00", "target_name": "福州劳务分包有限公司",
           "region_code": "350102", "complainant_name": CANARY_NAME, "complainant_phone": CANARY_PHONE, "period_from": "2025-07"}  # fmt: skip
    bad = dict(row, lead_id="12345-BAD", received_at="2025-02-30 10:00")  # quarantined, with the canary in it
    write_csv(tmp_path / "b" / "leads.csv", [row, bad])
    ingest_paths([tmp_path / "b"])
    form = {"target_name": "福州劳务分包有限公司", "description": "工资没发，请帮忙", "complainant_name": CANARY_NAME,
            "complainant_phone": CANARY_PHONE, "period_from": "2025-08"}  # fmt: skip
    response = client.post(f"/c/{qr_token_for('FJ-GL-001')}", form)
    assert response.status_code == 302
    done = client.get(response["Location"]).content.decode()
    _clean(done, "the confirmation page")
    return Case.objects.get(leads__lead_id="12345-CANARY")


def test_the_identity_appears_only_in_the_handling_officer_s_logged_view(
    canary_case: Case,
    client: Client,
    gulou: Any,
    fuzhou: Any,
    province: Any,
    mediator: Any,
    tmp_path: Path,
    caplog: pytest.LogCaptureFixture,
) -> None:
    case = canary_case
    assert Case.objects.count() == 2  # the hotline lead's case and the QR complaint's (filed today)
    accept_case(case, gulou, "受理", on=dt.date(2025, 10, 9))
    supervise_case(case, fuzhou, "督办", on=dt.date(2025, 10, 9))

    for user in (gulou, fuzhou, province, mediator):
        client.force_login(user)
        for url in ("/leads/", f"/leads/cases/{case.case_no}/", "/leads/stats/", "/leads/?export=csv"):
            response = client.get(url)
            assert response.status_code == 200, url
            _clean(response.content.decode("utf-8"), f"{url} for {user}")
        xlsx = client.get("/leads/?export=xlsx")
        book = openpyxl.load_workbook(io.BytesIO(xlsx.content))
        _clean(repr([list(r) for r in book.active.iter_rows(values_only=True)]), "the XLSX download")
        stats = openpyxl.load_workbook(io.BytesIO(client.get("/leads/stats/?export=xlsx").content))
        _clean(repr([list(r) for r in stats.active.iter_rows(values_only=True)]), "the statistics download")
        request = RequestFactory().get("/api/leads/cases")
        request.user = user
        _clean(repr(api.list_cases(request)), "the API")

    out = tmp_path / "leads.csv"
    call_command("export", "leads", "--out", str(out))
    _clean(out.read_text(encoding="utf-8-sig"), "anxin export leads")
    assert len(list(csv.reader(out.read_text(encoding="utf-8-sig").splitlines()))) == 3

    # Not the authorised office: refused, nothing shown.
    for user in (fuzhou, province, mediator):
        client.force_login(user)
        refused = client.post(f"/leads/cases/{case.case_no}/reveal/", {"reason": "核实投诉人身份"}, follow=True)
        _clean(refused.content.decode(), f"a refused reveal for {user}")
        assert "仅对承办机构" in refused.content.decode()

    # The handling county's officer, with a reason: shown, and logged with who and why.
    client.force_login(gulou)
    no_reason = client.post(f"/leads/cases/{case.case_no}/reveal/", {"reason": ""}, follow=True)
    _clean(no_reason.content.decode(), "a reveal without a reason")
    shown = client.post(f"/leads/cases/{case.case_no}/reveal/", {"reason": "电话联系投诉人核实欠薪金额"})
    text = shown.content.decode()
    assert CANARY_NAME in text and CANARY_PHONE in text
    entry = AuditEntry.objects.get(action=AuditAction.UNMASK, object_id=case.case_no)
    assert (entry.actor_id, entry.reason) == (gulou.pk, "电话联系投诉人核实欠薪金额")

    # Nowhere else: audit log, case events, quarantine, log lines.
    _clean(repr(list(AuditEntry.objects.values_list("reason", "detail", "object_id"))), "the audit log")
    _clean(repr(list(CaseEvent.objects.values_list("note", "detail"))), "the case timeline")
    quarantined = QuarantinedRow.objects.get(feed="leads")
    _clean(repr((quarantined.raw_masked, quarantined.reason, quarantined.raw_enc)), "the quarantine")
    logged = "\n".join(
        f"{r.name} {r.levelname} {r.getMessage()} {r.exc_text or ''}"
        for when in ("setup", "call")
        for r in caplog.get_records(when)  # type: ignore[arg-type]
    )
    assert "leads intake" in logged and "public complaint" in logged  # the log was captured
    _clean(logged, "the log")
