"""Officials' pages: the queue of one's jurisdiction, the case page and its actions, statistics."""

from __future__ import annotations

import datetime as dt
import io
from typing import Any

import openpyxl
import pytest
from django.test import Client

from anxin.leads.choices import CaseStatus
from anxin.leads.models import Case
from anxin.leads.services import accept_case, close_case, intake_rows, statistics
from tests.leads.conftest import lead_row


@pytest.fixture
def cases(registry: None) -> dict[str, Case]:
    intake_rows([
        lead_row("GL-1"),  # 鼓楼, received 2025-09-30: overdue for acceptance by now
        lead_row("SM-1", channel="national_platform", target_name="思明某公司", region_code="350203",
                 received_at=dt.datetime(2025, 10, 9, 9)),
        lead_row("MAN-1", target_name="查无此单位", region_code=None, address="某工地"),
    ])  # fmt: skip
    return {c.leads.get().lead_id: c for c in Case.objects.all()}


def _rows(response: Any) -> list[str]:
    return [line for line in response.content.decode("utf-8-sig").splitlines()[1:] if line]


def test_the_queue_is_cut_to_the_jurisdiction(
    cases: dict[str, Case], client: Client, gulou: Any, xiamen: Any, province: Any, outsider: Any
) -> None:
    for user, expected in (
        (gulou, {"GL-1"}),
        (xiamen, {"SM-1"}),
        (province, {"GL-1", "SM-1", "MAN-1"}),
        (outsider, set()),
    ):
        client.force_login(user)
        text = client.get("/leads/").content.decode()
        shown = {lead for lead, case in cases.items() if case.case_no in text}
        assert shown == expected, user
        assert len(_rows(client.get("/leads/?export=csv"))) == len(expected)
    client.force_login(gulou)
    assert client.get(f"/leads/cases/{cases['SM-1'].case_no}/").status_code == 404


def test_the_queue_filters_and_puts_overdue_cases_first(cases: dict[str, Case], client: Client, province: Any) -> None:
    client.force_login(province)
    assert len(_rows(client.get("/leads/?export=csv&channel=national_platform"))) == 1
    assert len(_rows(client.get("/leads/?export=csv&division=350100"))) == 1  # a city: its counties
    assert len(_rows(client.get("/leads/?export=csv&division=manual"))) == 1
    assert len(_rows(client.get("/leads/?export=csv&status=accepted"))) == 0
    assert len(_rows(client.get("/leads/?export=csv&q=思明某"))) == 1
    assert len(_rows(client.get("/leads/?export=csv&q=GL-1"))) == 1
    assert len(_rows(client.get("/leads/?export=csv&supervised=1"))) == 0
    text = client.get("/leads/").content.decode()
    assert "超期" in text
    book = openpyxl.load_workbook(io.BytesIO(client.get("/leads/?export=xlsx").content))
    assert book.active.max_row == 4


def test_the_case_page_shows_sources_timeline_clocks_and_registry_facts(
    registry: None, client: Client, gulou: Any
) -> None:
    intake_rows([lead_row("P-1", project_code="FJ-GL-001", target_name="福州劳务分包有限公司")])
    case = Case.objects.get()
    client.force_login(gulou)
    text = client.get(f"/leads/cases/{case.case_no}/").content.decode()
    for part in ("P-1", "王**", "139****1111", "收到线索", "受理期限", "2025-10-14", "/registry/projects/FJ-GL-001/",
                 "鼓楼区安置房一期", "查看投诉人完整信息", "受理"):  # fmt: skip
        assert part in text, part
    assert "王小明" not in text


def test_actions_from_the_case_page_move_the_case_or_explain_why_not(
    cases: dict[str, Case], client: Client, gulou: Any, fuzhou: Any
) -> None:
    case = cases["GL-1"]
    url = f"/leads/cases/{case.case_no}"
    client.force_login(gulou)
    page = client.post(f"{url}/accept/", {"note": ""}, follow=True).content.decode()
    assert "请填写办理说明" in page
    client.post(f"{url}/accept/", {"note": "受理", "on": "2025-10-09"})
    client.post(f"{url}/investigate/", {"note": "调查", "on": "2025-10-10"})
    client.post(f"{url}/extend/", {"note": "情况复杂，经批准延期"})
    page = client.post(f"{url}/close/", {"outcome": "recovered", "recovered_yuan": "12000.5", "workers_paid": "3",
                                         "note": "已发放", "on": "2025-10-20"}, follow=True).content.decode()  # fmt: skip
    case.refresh_from_db()
    assert (case.status, case.recovered_fen, case.workers_paid, case.extended) == (
        CaseStatus.CLOSED,
        1_200_050,
        3,
        True,
    )
    assert "已办结" in page
    client.force_login(fuzhou)
    page = client.post(f"{url}/supervise/", {"note": "督办"}, follow=True).content.decode()
    assert "已办结，无需督办" in page


def test_a_county_hands_up_and_the_province_assigns_from_the_page(
    cases: dict[str, Case], client: Client, gulou: Any, province: Any
) -> None:
    client.force_login(gulou)
    client.post(f"/leads/cases/{cases['GL-1'].case_no}/hand_up/", {"note": "跨区县，请市局统筹"})
    assert Case.objects.get(pk=cases["GL-1"].pk).handling_level == "city"
    client.force_login(province)
    client.post(f"/leads/cases/{cases['MAN-1'].case_no}/assign/", {"note": "核实在鼓楼", "region_code": "350102"})
    assert Case.objects.get(pk=cases["MAN-1"].pk).region_code == "350102"


def test_statistics_give_the_year_end_figures_cut_to_the_jurisdiction(
    cases: dict[str, Case], client: Client, gulou: Any, province: Any
) -> None:
    accept_case(cases["GL-1"], gulou, "受理", on=dt.date(2025, 10, 9))
    close_case(
        cases["GL-1"],
        gulou,
        "已发放",
        outcome="recovered",
        recovered_fen=500_000,
        workers_paid=3,
        on=dt.date(2025, 11, 1),
    )
    s = statistics(Case.objects.all(), year=2025)
    assert (s.total.leads, s.total.received, s.total.closed, s.total.recovered_fen, s.total.workers_paid) == (
        3,
        3,
        1,
        500_000,
        3,
    )
    assert (s.total.accepted_on_time, s.total.accepted, s.total.closed_on_time) == (1, 1, 1)
    assert {r.key: r.received for r in s.by_channel} == {"hotline": 2, "national_platform": 1}
    assert {r.label: r.received for r in s.by_city} == {"福州市": 1, "厦门市": 1, "待人工分派": 1}
    assert {r.label: r.received for r in s.by_month} == {"2025-09": 2, "2025-10": 1}
    assert (s.routing.automatic, s.routing.total) == (2, 3)
    client.force_login(gulou)
    text = client.get("/leads/stats/").content.decode()
    assert "自动分派率" in text and "鼓楼区" in text and "思明区" not in text
    book = openpyxl.load_workbook(io.BytesIO(client.get("/leads/stats/?export=xlsx").content))
    values = [list(r) for r in book.active.iter_rows(values_only=True)]
    assert values[0][:4] == ["维度", "项目", "线索数", "案件数"]
    assert ["合计", "合计", 1, 1, 1, "100.0%", "100.0%", "5000.00", 3] in values
