"""The worker's complaint: no login, by QR code or the general page, a lookup code, abuse limits."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from anxin.leads.choices import Channel, RoutedBy
from anxin.leads.models import Case, Lead
from anxin.leads.services import accept_case, close_case, qr_token_for

FORM = {
    "target_name": "福州劳务分包有限公司",
    "workers_involved": "4",
    "amount_claimed": "23000.5",
    "period_from": "2025-07",
    "period_to": "2025-09",
    "description": "钢筋班四个人三个月工资没发",
    "complainant_name": "陈大勇",
    "complainant_phone": "13700002222",
}


def _code_of(response: Any) -> str:
    assert response.status_code == 302, response.content.decode()[:2000]
    return response["Location"].rsplit("/", 1)[1]


def test_a_worker_files_through_the_project_s_qr_code_and_follows_it_with_the_code(
    registry: None, client: Client
) -> None:
    token = qr_token_for("FJ-GL-001")
    page = client.get(f"/c/{token}")
    assert page.status_code == 200
    assert "鼓楼区安置房一期" in page.content.decode()
    code = _code_of(client.post(f"/c/{token}", FORM))
    assert len(code) >= 10
    lead = Lead.objects.get()
    assert (lead.channel, lead.project_code, lead.routed_by, lead.routed_region_code) == (
        Channel.QR_CODE,
        "FJ-GL-001",
        RoutedBy.PROJECT,
        "350102",
    )
    assert lead.amount_claimed_fen == 2_300_050
    assert lead.lookup_hash and code not in lead.lookup_hash
    done = client.get(f"/complaint/done/{code}").content.decode()
    assert "投诉已提交" in done and "待受理" in done and lead.case.case_no in done
    assert "陈大勇" not in done and "13700002222" not in done
    lookup = client.post("/complaint/lookup/", {"code": code.lower()})
    assert lookup.status_code == 200 and "待受理" in lookup.content.decode()


def test_the_lookup_shows_the_outcome_once_closed(registry: None, client: Client, gulou: Any) -> None:
    import datetime as dt

    from anxin.core.models import CalendarYear

    # Handling today may reach into a year the calendar package does not know yet.
    for year in (dt.date.today().year, dt.date.today().year + 1):
        CalendarYear.objects.get_or_create(year=year, defaults={"source": "test"})
    code = _code_of(client.post(f"/c/{qr_token_for('FJ-GL-001')}", FORM))
    case = Case.objects.get()
    today = dt.date.today()
    accept_case(case, gulou, "受理", on=today)
    close_case(case, gulou, "已全额发放", outcome="recovered", recovered_fen=2_300_050, workers_paid=4, on=today)
    text = client.post("/complaint/lookup/", {"code": code}).content.decode()
    assert "已办结" in text and "已追回" in text and "23000.50" in text and "4 人受惠" in text


def test_the_general_page_needs_the_place_and_routes_by_the_address(registry: None, client: Client) -> None:
    response = client.post("/complaint/", FORM)
    assert response.status_code == 200
    assert "请填写工地或单位的地址" in response.content.decode()
    code = _code_of(client.post("/complaint/", {**FORM, "address": "福清市音西街道某工地"}))
    lead = Lead.objects.get()
    assert (lead.channel, lead.routed_by, lead.routed_region_code) == (Channel.WEB, RoutedBy.ADDRESS, "350181")
    assert code


def test_an_anonymous_complaint_needs_no_name_or_phone(registry: None, client: Client) -> None:
    data = {**FORM, "anonymous": "on", "complainant_name": "", "complainant_phone": "", "address": "鼓楼区"}
    _code_of(client.post("/complaint/", data))
    assert Lead.objects.get().anonymous


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"target_name": ""}, "请填写欠薪的单位或老板名称"),
        ({"description": ""}, "请简单说明欠薪情况"),
        ({"complainant_phone": "12345"}, "联系电话请填写11位手机号"),
        ({"complainant_name": ""}, "不想留姓名请勾选“匿名投诉”"),
        ({"amount_claimed": "abc"}, "金额请填写数字"),
        ({"amount_claimed": "-1"}, "金额不能为负数"),
        ({"workers_involved": "0"}, "涉及人数至少为1人"),
        ({"period_from": "2025-13"}, "欠薪起始月请按“年-月”填写"),
        ({"period_from": "2025-09", "period_to": "2025-07"}, "欠薪截止月不能早于起始月"),
        ({"description": "长" * 2001}, "情况说明太长了"),
    ],
)
def test_every_input_error_is_explained_in_plain_chinese(
    registry: None, client: Client, change: dict[str, str], message: str
) -> None:
    response = client.post(f"/c/{qr_token_for('FJ-GL-001')}", {**FORM, **change})
    assert response.status_code == 200
    assert message in response.content.decode()
    assert Lead.objects.count() == 0


def test_a_bot_that_fills_the_honeypot_is_refused(registry: None, client: Client) -> None:
    response = client.post("/complaint/", {**FORM, "address": "鼓楼区", "website": "http://spam.example"})
    assert response.status_code == 400
    assert Lead.objects.count() == 0


def test_an_oversized_request_is_refused(registry: None, client: Client, settings: Any) -> None:
    settings.ANXIN_LEADS_MAX_FORM_BYTES = 4096
    response = client.post("/complaint/", {**FORM, "address": "鼓楼区", "description": "长" * 1900})
    assert response.status_code == 413
    assert "太多了" in response.content.decode()
    assert Lead.objects.count() == 0


def test_submissions_are_limited_per_address(registry: None, client: Client, settings: Any) -> None:
    settings.ANXIN_LEADS_SUBMITS_PER_IP_HOUR = 2
    data = {**FORM, "address": "鼓楼区"}
    for _ in range(2):
        _code_of(client.post("/complaint/", data, REMOTE_ADDR="10.0.0.1"))
    refused = client.post("/complaint/", data, REMOTE_ADDR="10.0.0.1")
    assert refused.status_code == 429 and "太频繁" in refused.content.decode()
    _code_of(client.post("/complaint/", data, REMOTE_ADDR="10.0.0.2"))  # another address is not affected
    assert Lead.objects.count() == 3


def test_submissions_are_limited_per_project(registry: None, client: Client, settings: Any) -> None:
    settings.ANXIN_LEADS_SUBMITS_PER_PROJECT_HOUR = 2
    url = f"/c/{qr_token_for('FJ-GL-001')}"
    for i in range(2):
        _code_of(client.post(url, FORM, REMOTE_ADDR=f"10.0.1.{i}"))
    refused = client.post(url, FORM, REMOTE_ADDR="10.0.1.9")
    assert refused.status_code == 429 and "该工地" in refused.content.decode()
    _code_of(client.post(f"/c/{qr_token_for('FJ-SM-001')}", FORM, REMOTE_ADDR="10.0.1.9"))


def test_lookups_are_limited_and_a_wrong_code_is_explained(registry: None, client: Client, settings: Any) -> None:
    settings.ANXIN_LEADS_LOOKUPS_PER_IP_HOUR = 3
    wrong = client.post("/complaint/lookup/", {"code": "ABCD-EFGH-JKLM"})
    assert wrong.status_code == 404 and "查询码不正确" in wrong.content.decode()
    client.post("/complaint/lookup/", {"code": "ABCD-EFGH-JKLN"})
    client.post("/complaint/lookup/", {"code": "ABCD-EFGH-JKLP"})
    limited = client.post("/complaint/lookup/", {"code": "ABCD-EFGH-JKLQ"})
    assert limited.status_code == 429


def test_an_unknown_qr_token_says_so_and_offers_the_general_page(db: Any, client: Client) -> None:
    response = client.get("/c/not-a-token")
    assert response.status_code == 404
    assert "二维码无效" in response.content.decode() and "/complaint/" in response.content.decode()


def test_the_public_pages_need_no_login_and_are_made_for_phones(db: Any, client: Client) -> None:
    for url in ("/complaint/", "/complaint/lookup/"):
        response = client.get(url)
        assert response.status_code == 200
        assert 'name="viewport"' in response.content.decode()
