"""The site poster: the 维权信息告示牌 that 《保障农民工工资支付条例》第三十四条 requires.

A printable A4 PDF per project: builder, general contractor, project department,
labour-wage manager, the county's minimum wage (marked 待核实 while its tier or amount is
unconfirmed), the pay day, the complaint channels and the project's complaint QR code.
Chinese text uses ReportLab's built-in CID font STSong-Light (no font file needed).
"""

from __future__ import annotations

import datetime as dt
import io
from dataclasses import dataclass

import segno
from django.conf import settings
from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.pdfgen.canvas import Canvas

from anxin.core.models import CountyWageTier, Division, MinimumWage
from anxin.registry.models import Enterprise, Project

FONT = "STSong-Light"


@dataclass(frozen=True)
class MinimumWageText:
    text: str
    confirmed: bool


def minimum_wage_of(county_code: str, on: dt.date) -> MinimumWageText:
    """The county's monthly and hourly minimum wage on ``on``; 待核实 unless tier and amount are confirmed."""
    tier = (
        CountyWageTier.objects.filter(division_id=county_code, effective_from__lte=on)
        .order_by("-effective_from")
        .first()
    )
    if tier is None:
        return MinimumWageText("待核实（本县最低工资档次未录入）", False)
    wage = MinimumWage.objects.filter(tier=tier.tier, effective_from__lte=on).order_by("-effective_from").first()
    if wage is None:
        return MinimumWageText(f"第{tier.tier}档（金额待核实）", False)
    confirmed = tier.confirmed and wage.confirmed
    text = f"月最低工资 {wage.monthly_fen / 100:.0f} 元，小时最低工资 {wage.hourly_fen / 100:.1f} 元（第{tier.tier}档）"
    return MinimumWageText(text if confirmed else text + " 待核实", confirmed)


@dataclass(frozen=True)
class PosterFacts:
    project_name: str
    project_code: str
    address: str
    county_name: str
    builder: str
    contractor: str
    department: str
    labor_manager: str
    minimum_wage: MinimumWageText
    pay_day: str
    hotline: str
    office: str
    url: str


def poster_facts(project: Project, *, on: dt.date | None = None) -> PosterFacts:
    from anxin.leads.services import complaint_url, pay_day_range

    on = on or dt.date.today()
    names = dict(
        Enterprise.objects.current()
        .filter(uscc__in=[project.builder_uscc, project.contractor_uscc])
        .values_list("uscc", "name")
    )
    county = Division.objects.filter(code=project.region_code).first()
    county_name = county.name if county else project.region_code
    days = pay_day_range(project.project_code)
    if days is None:
        pay_day = "未登记（请向劳资专管员询问）"
    elif days[0] == days[1]:
        pay_day = f"每月{days[0]}日前支付上月工资"
    else:
        pay_day = f"每月{days[0]}日至{days[1]}日（各用工单位不同）支付上月工资"
    contractor = names.get(project.contractor_uscc, project.contractor_uscc)
    return PosterFacts(
        project_name=project.name,
        project_code=project.project_code,
        address=project.address,
        county_name=county_name,
        builder=names.get(project.builder_uscc, project.builder_uscc),
        contractor=contractor,
        department=f"{contractor}{project.name}项目部",
        labor_manager=project.labor_manager or "未配备",
        minimum_wage=minimum_wage_of(project.region_code, on),
        pay_day=pay_day,
        hotline=settings.ANXIN_LEADS_HOTLINE,
        office=f"{county_name}人力资源和社会保障局（劳动保障监察机构）",
        url=complaint_url(project.project_code),
    )


def _wrap(text: str, width: float, size: float) -> list[str]:
    lines, line = [], ""
    for ch in text:
        if pdfmetrics.stringWidth(line + ch, FONT, size) > width:
            lines.append(line)
            line = ch
        else:
            line += ch
    if line:
        lines.append(line)
    return lines or [""]


def render_poster(facts: PosterFacts) -> bytes:
    """The A4 PDF of the notice board."""
    if FONT not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(UnicodeCIDFont(FONT))
    out = io.BytesIO()
    width, height = A4
    pdf = Canvas(out, pagesize=A4)
    pdf.setTitle(f"维权信息告示牌 {facts.project_name}")
    margin = 18 * mm
    pdf.setLineWidth(3)
    pdf.setStrokeColorRGB(0.11, 0.31, 0.57)
    pdf.rect(10 * mm, 10 * mm, width - 20 * mm, height - 20 * mm)
    pdf.setFont(FONT, 30)
    pdf.drawCentredString(width / 2, height - 36 * mm, "维权信息告示牌")
    pdf.setFont(FONT, 11)
    pdf.drawCentredString(width / 2, height - 44 * mm, "依据《保障农民工工资支付条例》第三十四条设置")
    y = height - 58 * mm
    rows = [
        ("项目名称", f"{facts.project_name}（{facts.project_code}）"),
        ("项目地址", facts.address or facts.county_name),
        ("建设单位", facts.builder),
        ("施工总承包单位", facts.contractor),
        ("项目部", facts.department),
        ("劳资专管员", facts.labor_manager),
        (f"{facts.county_name}最低工资标准", facts.minimum_wage.text),
        ("工资支付日", facts.pay_day),
    ]
    label_w = 42 * mm
    text_w = width - 2 * margin - label_w
    for label, value in rows:
        pdf.setFont(FONT, 12)
        pdf.drawString(margin, y, label + "：")
        for i, line in enumerate(_wrap(value, text_w, 12)):
            pdf.drawString(margin + label_w, y - i * 16, line)
            last = i
        y -= 16 * (last + 1) + 8
    y -= 6
    pdf.setFont(FONT, 16)
    pdf.drawString(margin, y, "被拖欠工资怎么办？")
    y -= 22
    pdf.setFont(FONT, 12)
    for line in (
        f"1. 拨打 {facts.hotline} 政务服务便民热线；",
        f"2. 到 {facts.office} 投诉举报；",
        "3. 用手机扫描下方二维码在线投诉（可匿名，无需注册），",
        "   提交后凭查询码查看办理进度和结果。",
        "投诉人信息依法保密（《劳动保障监察条例》第九条）。",
    ):
        for part in _wrap(line, width - 2 * margin, 12):
            pdf.drawString(margin, y, part)
            y -= 17
    qr = segno.make(facts.url, error="m")
    matrix = [list(row) for row in qr.matrix]
    size = 60 * mm
    module = size / len(matrix)
    left = (width - size) / 2
    top = max(y - 8 * mm, size + 30 * mm)
    pdf.setFillColorRGB(0, 0, 0)
    for r, row in enumerate(matrix):
        for c, dark in enumerate(row):
            if dark:
                pdf.rect(left + c * module, top - (r + 1) * module, module, module, stroke=0, fill=1)
    pdf.setFont(FONT, 11)
    pdf.drawCentredString(width / 2, top - size - 8 * mm, "扫码投诉欠薪")
    pdf.setFont("Helvetica", 8)
    pdf.drawCentredString(width / 2, top - size - 13 * mm, facts.url)
    pdf.showPage()
    pdf.save()
    return out.getvalue()
