"""The site poster (维权信息告示牌, 条例 第三十四条): an A4 PDF whose Chinese text renders."""

from __future__ import annotations

import io
from typing import Any

import pypdf
from django.test import Client

from anxin.core.models import CountyWageTier
from anxin.leads.models import ProjectQr
from anxin.leads.poster import minimum_wage_of


def _text(pdf: bytes) -> str:
    reader = pypdf.PdfReader(io.BytesIO(pdf))
    assert len(reader.pages) == 1
    box = reader.pages[0].mediabox
    assert (round(float(box.width)), round(float(box.height))) == (595, 842)  # A4
    return "".join(page.extract_text() for page in reader.pages).replace(" ", "")


def test_the_poster_shows_the_board_s_facts_and_the_project_s_qr_code(
    registry: None, client: Client, gulou: Any
) -> None:
    client.force_login(gulou)
    response = client.get("/leads/poster/FJ-GL-001.pdf")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    text = _text(response.content)
    for fact in ("维权信息告示牌", "鼓楼区安置房一期", "福州城建开发有限公司", "厦门建工集团有限公司", "陈劳资",
                 "12345", "鼓楼区人力资源和社会保障局", "每月15日", "最低工资", "待核实", "扫码投诉"):  # fmt: skip
        assert fact in text, fact
    token = ProjectQr.objects.get(project_code="FJ-GL-001").token
    assert f"http://127.0.0.1:8000/c/{token}" in text


def test_the_poster_follows_the_public_base_url(registry: None, client: Client, gulou: Any, settings: Any) -> None:
    settings.ANXIN_PUBLIC_BASE_URL = "https://anxin.example.gov.cn"
    client.force_login(gulou)
    assert "https://anxin.example.gov.cn/c/" in _text(client.get("/leads/poster/FJ-GL-001.pdf").content)


def test_the_poster_is_cut_to_the_jurisdiction(registry: None, client: Client, siming: Any) -> None:
    client.force_login(siming)
    assert client.get("/leads/poster/FJ-GL-001.pdf").status_code == 404
    assert client.get("/leads/poster/FJ-SM-001.pdf").status_code == 200
    client.logout()
    assert client.get("/leads/poster/FJ-SM-001.pdf").status_code == 302  # to the login page


def test_the_minimum_wage_is_marked_unconfirmed_until_its_tier_is_confirmed(db: Any) -> None:
    import datetime as dt

    day = dt.date(2025, 10, 1)
    assert "待核实" in minimum_wage_of("350102", day).text
    CountyWageTier.objects.filter(division_id="350102").update(confirmed=True)
    from anxin.core.models import MinimumWage

    MinimumWage.objects.update(confirmed=True)
    wage = minimum_wage_of("350102", day)
    assert wage.confirmed and "待核实" not in wage.text and "元" in wage.text
