"""Warnings for other systems: GET /api/warnings, cut to the caller's jurisdiction.

The same columns as ``anxin export warnings`` (FEEDS.md), in the queue's order (overdue first).
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja import Router, Schema

from anxin.warnings.models import Warning
from anxin.warnings.services import EXPORT_HEADER, export_rows, search_warnings

router = Router(tags=["风险预警"])


class WarningOut(Schema):
    warning_id: str
    subject_type: str
    subject_id: str
    region_code: str
    level: str
    raised_on: str
    high_on: str | None
    urgent_on: str | None
    closed_on: str | None
    rules: list[str]
    score: int
    status: str


class WarningPage(Schema):
    count: int
    offset: int
    limit: int
    results: list[WarningOut]


def _item(row: list[Any]) -> dict[str, Any]:
    item = dict(zip(EXPORT_HEADER, row, strict=True))
    for name in ("high_on", "urgent_on", "closed_on"):
        item[name] = item[name] or None
    item["rules"] = [r for r in item["rules"].split(";") if r]
    return item


@router.get("", response=WarningPage, summary="预警列表（按辖区；status 为空时只列未结束的，all 为全部）")
def list_warnings(
    request: HttpRequest,
    status: str = "",
    level: str = "",
    rule: str = "",
    division: str = "",
    overdue: str = "",
    q: str = "",
    offset: int = 0,
    limit: int = 100,
) -> dict[str, Any]:
    limit = max(1, min(limit, 1000))
    offset = max(0, offset)
    qs = search_warnings(
        Warning.objects.visible_to(request.user),
        status=status, level=level, rule=rule, division=division, overdue=overdue, q=q,
    )  # fmt: skip
    count = qs.count()
    return {
        "count": count,
        "offset": offset,
        "limit": limit,
        "results": [_item(r) for r in export_rows(qs[offset : offset + limit])],
    }
