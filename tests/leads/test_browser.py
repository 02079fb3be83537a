"""A real browser (Chromium via Playwright) on a phone-sized screen: a worker scans a project's
QR code, files a complaint, and later looks it up with the code."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest

from anxin.lake.services import ingest_paths
from anxin.leads.models import Lead
from anxin.leads.services import qr_token_for
from tests.conftest import load_reference_data
from tests.factories import registry_batch

os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"  # Playwright's sync API runs an event loop in this thread

CHROMIUM = "/usr/bin/chromium"
ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]

# Chromium comes from Debian's package (./dev test installs it); a missing browser fails the test, never skips it.


@pytest.fixture
def phone(live_server: Any) -> Any:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS, headless=True)
        context = browser.new_context(
            viewport={"width": 390, "height": 844},
            device_scale_factor=3,
            is_mobile=True,
            has_touch=True,
            locale="zh-CN",
        )
        page = context.new_page()
        page.set_default_timeout(15_000)
        yield page
        context.close()
        browser.close()


def test_a_worker_files_a_complaint_by_qr_code_on_a_phone_and_looks_it_up(
    committed_db: None, live_server: Any, phone: Any, tmp_path: Path
) -> None:
    from playwright.sync_api import expect

    load_reference_data()  # an earlier committed test may have emptied it
    ingest_paths([registry_batch(tmp_path / "registry")])
    token = qr_token_for("FJ-GL-001")
    page = phone

    page.goto(f"{live_server.url}/c/{token}")
    expect(page.get_by_text("鼓楼区安置房一期")).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= 390  # no sideways scrolling on a phone

    page.get_by_role("button", name="提交投诉").click()  # empty: every error explained in Chinese
    expect(page.get_by_text("请填写欠薪的单位或老板名称")).to_be_visible()
    expect(page.get_by_text("请简单说明欠薪情况")).to_be_visible()

    page.get_by_label("欠薪的单位或老板").fill("福州劳务分包有限公司")
    page.get_by_label("涉及人数").fill("4")
    page.get_by_label("被拖欠金额（元）").fill("23000")
    page.locator("#id_period_from").fill("2025-07")
    page.locator("#id_period_to").fill("2025-09")
    page.get_by_label("情况说明").fill("钢筋班四个人七月到九月的工资一直没发")
    page.get_by_label("您的姓名").fill("陈大勇")
    page.get_by_label("联系电话").fill("13700002222")
    page.get_by_role("button", name="提交投诉").click()

    expect(page.get_by_role("heading", name="投诉已提交")).to_be_visible()
    code = page.locator("#lookup-code").inner_text().strip()
    assert len(code.replace("-", "")) >= 10
    expect(page.locator("#case-status")).to_have_text("待受理")
    page.screenshot(path=str(tmp_path / "done.png"), full_page=True)

    lead = Lead.objects.get()
    assert (lead.channel, lead.project_code, lead.routed_region_code, lead.period_from) == (
        "qr_code",
        "FJ-GL-001",
        "350102",
        "2025-07",
    )

    page.goto(f"{live_server.url}/complaint/lookup/")
    page.get_by_label("查询码").fill(code.lower())
    page.get_by_role("button", name="查询").click()
    expect(page.locator("#case-status")).to_have_text("待受理")
    expect(page.get_by_text(lead.case.case_no)).to_be_visible()
    assert "陈大勇" not in page.content()
