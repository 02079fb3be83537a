"""Intake through the lake's ingest path: duplicates, updates, merging into cases, the export."""

from __future__ import annotations

import csv
import datetime as dt
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from django.db import connection

from anxin.lake import services as lake_services
from anxin.lake.services import ingest_paths, ingest_rows
from anxin.leads.choices import CaseStatus, EventKind
from anxin.leads.models import Case, Lead
from anxin.leads.services import EXPORT_HEADER, cases_by_subject, intake_rows, store_leads
from tests.factories import CONTRACTOR, write_csv
from tests.leads.conftest import lead_row

CSV_LEAD = {
    "lead_id": "12345-0001",
    "channel": "hotline",
    "received_at": "2025-09-30 10:00:00",
    "target_name": "福州劳务分包有限公司",
    "region_code": "350102",
    "complainant_name": "王小明",
    "complainant_phone": "13900001111",
    "anonymous": "否",
    "workers_involved": "3",
    "amount_claimed": "12000.50",
    "period_from": "2025-07",
    "period_to": "2025-08",
    "description": "三个月工资未发",
}


def test_the_leads_store_and_exporter_are_registered_at_start_up() -> None:
    from anxin.core.registries import EXPORTERS

    assert lake_services.STORES["leads"] is store_leads
    assert "leads" in EXPORTERS


def test_a_leads_file_is_ingested_and_a_resend_is_a_no_op_and_a_change_an_update(
    registry: None, tmp_path: Path
) -> None:
    write_csv(tmp_path / "a" / "leads.csv", [CSV_LEAD, dict(CSV_LEAD, lead_id="12345-0002", amount_claimed="-5")])
    [summary] = ingest_paths([tmp_path / "a"])
    assert summary.contract() == {
        "feed": "leads",
        "files": 1,
        "rows": 2,
        "accepted": 1,
        "updated": 0,
        "duplicates": 0,
        "quarantined": 1,
    }
    lead = Lead.objects.get()
    assert lead.amount_claimed_fen == 1_200_050
    assert lead.received_at == dt.datetime(2025, 9, 30, 10, 0)
    [again] = ingest_paths([tmp_path / "a"])
    assert (again.accepted, again.updated, again.duplicates) == (0, 0, 1)
    write_csv(tmp_path / "b" / "leads.csv", [dict(CSV_LEAD, workers_involved="5")])
    [changed] = ingest_paths([tmp_path / "b"])
    assert (changed.accepted, changed.updated, changed.duplicates) == (0, 1, 0)
    assert Lead.objects.get().workers_involved == 5
    assert Case.objects.get().workers_involved == 5
    assert Case.objects.count() == 1


def test_the_api_posts_leads_through_the_same_path(registry: None) -> None:
    summary = ingest_rows("leads", [dict(CSV_LEAD, anonymous=False)], user=None)
    assert (summary.accepted, summary.quarantined) == (1, 0)
    assert Lead.objects.get().case.case_no.startswith("AX2025-")


def test_complainant_identity_is_encrypted_at_rest_with_masked_copies(registry: None) -> None:
    intake_rows([lead_row("A")])
    lead = Lead.objects.get()
    assert lead.complainant_name_masked == "王**"
    assert lead.complainant_phone_masked == "139****1111"
    assert lead.complainant_name_enc.startswith("v1:")
    with connection.cursor() as cursor:
        cursor.execute("SELECT * FROM leads_lead")
        raw = repr(cursor.fetchall())
    assert "王小明" not in raw and "13900001111" not in raw


def test_an_anonymous_complainant_s_name_is_not_kept(registry: None) -> None:
    intake_rows([lead_row("A", anonymous=True)])
    lead = Lead.objects.get()
    assert (lead.complainant_name_enc, lead.complainant_name_masked) == ("", "")


def test_case_numbers_come_from_the_database_key(registry: None) -> None:
    intake_rows([lead_row("A"), lead_row("B", target_name="另一家公司")])
    numbers = sorted(Case.objects.values_list("case_no", flat=True))
    pks = sorted(Case.objects.values_list("pk", flat=True))
    assert numbers == [f"AX2025-{pk:06d}" for pk in pks]


def test_the_same_complaint_from_two_channels_is_one_case_with_both_sources(registry: None) -> None:
    intake_rows([
        lead_row("12345-1", channel="hotline"),
        lead_row("QG-1", channel="national_platform", target_name="（福州劳务分包有限责任公司）",
                 received_at=dt.datetime(2025, 10, 9, 9, 0)),
    ])  # fmt: skip
    case = Case.objects.get()
    assert sorted(case.leads.values_list("lead_id", flat=True)) == ["12345-1", "QG-1"]
    assert case.channel == "hotline"
    assert [e.kind for e in case.events.all()] == [EventKind.RECEIVED, EventKind.MERGED]


def test_several_workers_on_the_same_employer_and_period_are_one_case(registry: None) -> None:
    intake_rows([
        lead_row("A", period_from="2025-07", period_to="2025-08", workers_involved=3),
        lead_row("B", period_from="2025-08", period_to="2025-09", workers_involved=8,
                 received_at=dt.datetime(2025, 10, 20, 9, 0), complainant_name="李四"),
        lead_row("C", period_from=None, period_to=None, received_at=dt.datetime(2025, 10, 25, 9, 0)),
    ])  # fmt: skip
    case = Case.objects.get()
    assert case.leads.count() == 3
    assert (case.period_from, case.period_to, case.workers_involved) == ("2025-07", "2025-09", 8)


def test_a_name_and_a_uscc_for_the_same_registry_enterprise_merge(registry: None) -> None:
    intake_rows([lead_row("A", target_uscc=CONTRACTOR, target_name="厦门建工"),
                 lead_row("B", target_name="厦门建工集团有限公司项目部")])  # fmt: skip
    assert Case.objects.count() == 1


@pytest.mark.parametrize(
    "other",
    [
        {"target_name": "福州另一家劳务有限公司"},  # another employer
        {"period_from": "2025-01", "period_to": "2025-02"},  # another period
        {"received_at": dt.datetime(2025, 11, 15, 9, 0)},  # more than 30 days later
    ],
)
def test_leads_that_differ_in_employer_period_or_time_are_separate_cases(registry: None, other: dict[str, Any]) -> None:
    intake_rows([lead_row("A"), lead_row("B", **other)])
    assert Case.objects.count() == 2
    assert Lead.objects.count() == 2


def test_a_lead_after_closure_opens_a_new_case(registry: None, gulou: Any) -> None:
    from anxin.leads.services import accept_case, close_case

    intake_rows([lead_row("A")])
    case = Case.objects.get()
    accept_case(case, gulou, "受理", on=dt.date(2025, 10, 9))
    close_case(case, gulou, "已发放", outcome="recovered", recovered_fen=100, workers_paid=1, on=dt.date(2025, 10, 10))
    intake_rows([lead_row("B", received_at=dt.datetime(2025, 10, 12, 9, 0))])
    assert Case.objects.count() == 2
    assert Case.objects.filter(status=CaseStatus.RECEIVED).count() == 1


def test_cases_by_subject_counts_cases_not_leads_in_the_window(registry: None) -> None:
    intake_rows([
        lead_row("A", project_code="FJ-GL-001"),
        lead_row("B", channel="national_platform", project_code="FJ-GL-001", received_at=dt.datetime(2025, 10, 1, 9)),
        lead_row("C", target_name="别的公司", project_code="FJ-GL-001", workers_involved=12,
                 received_at=dt.datetime(2025, 10, 2, 9)),
        lead_row("D", target_uscc=CONTRACTOR, target_name="厦门建工集团有限公司", received_at=dt.datetime(2025, 8, 1, 9)),
    ])  # fmt: skip
    found = {(s.subject_type, s.subject_id): s for s in cases_by_subject(dt.date(2025, 10, 5))}
    project = found[("project", "FJ-GL-001")]
    assert (project.cases, project.workers) == (2, 15)
    assert ("enterprise", CONTRACTOR) not in found  # D is older than 30 days
    assert ("enterprise", CONTRACTOR) in {
        (s.subject_type, s.subject_id) for s in cases_by_subject(dt.date(2025, 8, 10))
    }
    assert cases_by_subject(dt.date(2025, 9, 29)) == []  # no look-ahead


def test_the_export_is_one_row_per_case_as_the_contract_says(registry: None, tmp_path: Path, gulou: Any) -> None:
    from anxin.leads.services import accept_case

    intake_rows([
        lead_row("B-2", project_code="FJ-GL-001"),
        lead_row("A-1", channel="web", received_at=dt.datetime(2025, 10, 9, 9)),
        lead_row("X", target_name="别的公司", region_code=None, address="无法识别"),
    ])  # fmt: skip
    case = Case.objects.get(leads__lead_id="B-2")
    accept_case(case, gulou, "受理", on=dt.date(2025, 10, 9))
    out = tmp_path / "leads.csv"
    call_command("export", "leads", "--out", str(out))
    raw = out.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(raw.decode("utf-8-sig").splitlines()))
    assert rows[0] == EXPORT_HEADER
    by_no = {r[0]: dict(zip(EXPORT_HEADER, r, strict=True)) for r in rows[1:]}
    assert len(by_no) == 2
    merged = by_no[case.case_no]
    assert merged["lead_ids"] == "A-1;B-2"
    assert merged == {
        "case_no": case.case_no, "lead_ids": "A-1;B-2", "channel": "hotline", "received_at": "2025-09-30 10:00:00",
        "subject_id": "FJ-GL-001", "region_code": "350102", "routed_by": "project", "status": "accepted",
        "supervised": "false", "accepted_on": "2025-10-09", "closed_on": "", "outcome": "", "recovered_fen": "",
        "workers_paid": "",
    }  # fmt: skip
    manual = next(r for r in by_no.values() if r["lead_ids"] == "X")
    assert (manual["region_code"], manual["routed_by"]) == ("", "manual")
    assert "王小明" not in raw.decode("utf-8-sig") and "13900001111" not in raw.decode("utf-8-sig")
