"""A real browser (Chromium via Playwright): a county officer logs in, finds an overdue urgent
warning at the top of the queue, reads its evidence and verifies it; the city sees it escalated."""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path
from typing import Any

import pytest

from anxin.lake.services import ingest_paths
from anxin.warnings.models import Warning
from tests.conftest import load_reference_data
from tests.factories import registry_batch
from tests.leads.test_browser import ARGS, CHROMIUM
from tests.warnings.conftest import open_finding, run_days

os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"  # Playwright's sync API runs an event loop in this thread


@pytest.fixture
def desk(live_server: Any) -> Any:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS, headless=True)
        context = browser.new_context(viewport={"width": 1366, "height": 900}, locale="zh-CN")
        page = context.new_page()
        page.set_default_timeout(15_000)
        yield page
        context.close()
        browser.close()


def login(page: Any, url: str, username: str) -> None:
    page.goto(f"{url}/login/")
    page.locator("input[name=username]").fill(username)
    page.locator("input[name=password]").fill("pw-" + username)
    page.locator("button[type=submit], input[type=submit]").first.click()


def test_an_officer_verifies_an_overdue_urgent_warning_from_the_queue(
    committed_db: None, live_server: Any, desk: Any, tmp_path: Path, gulou: Any, fuzhou: Any
) -> None:
    from playwright.sync_api import expect

    load_reference_data()  # an earlier committed test may have emptied it
    ingest_paths([registry_batch(tmp_path / "registry")])
    first = dt.date(2025, 9, 1)
    open_finding("WA02", "FJ-SM-001", first)
    open_finding("WP01", "FJ-GL-001", first, severity="high", workers=35, amount_fen=8_000_000)
    run_days(first, dt.date(2025, 9, 3))  # the urgent one was due Tue 09-02: a working day late
    urgent = Warning.objects.get(subject_id="FJ-GL-001")
    assert urgent.office_level == "city"

    page = desk
    login(page, live_server.url, "gulou")
    page.goto(f"{live_server.url}/warnings/")
    first_row = page.locator("table.list tr").nth(1)
    expect(first_row).to_contain_text(urgent.warning_no)
    expect(first_row).to_contain_text("紧急")
    expect(first_row).to_contain_text("已超期")
    expect(page.get_by_text("FJ-SM-001")).to_have_count(0)  # 思明's warning is not 鼓楼's

    first_row.get_by_role("link", name=urgent.warning_no).click()
    expect(page.get_by_role("heading", level=1)).to_contain_text(urgent.warning_no)
    expect(page.get_by_text("工资逾期未足额支付（欠薪）").first).to_be_visible()
    expect(page.get_by_text("欠薪涉及 35 人").first).to_be_visible()
    page.get_by_placeholder("核实安排（必填）").fill("带队到项目部核对工资表和银行流水")
    page.get_by_role("button", name="开始核实").last.click()
    expect(page.get_by_text("已办理")).to_be_visible()
    expect(page.locator("h1 .badge").nth(1)).to_have_text("核实中")
    page.screenshot(path=str(tmp_path / "warning.png"), full_page=True)
    if os.environ.get("ANXIN_SCREENSHOTS"):
        page.screenshot(path=os.environ["ANXIN_SCREENSHOTS"] + "/warning.png", full_page=True)
    urgent.refresh_from_db()
    assert urgent.status == "verifying"
    assert urgent.events.filter(kind="verifying", actor__username="gulou").exists()

    # The city, to which the missed deadline passed the warning, sees it with its level of supervision.
    page.context.clear_cookies()
    login(page, live_server.url, "fuzhou")
    page.goto(f"{live_server.url}/warnings/?supervised=")
    expect(page.locator("table.list")).to_contain_text(urgent.warning_no)
    expect(page.locator("table.list")).to_contain_text("市级督办")
