"""Cases for other systems: GET /api/leads/cases, cut to the caller's jurisdiction.

The same columns as ``anxin export leads`` (FEEDS.md); never the complainant's identity.
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja import Router, Schema

from anxin.leads.models import Case
from anxin.leads.services import EXPORT_HEADER, export_rows, search_cases

router = Router(tags=["欠薪线索"])


class CaseOut(Schema):
    case_no: str
    lead_ids: str
    channel: str
    received_at: str
    subject_id: str
    region_code: str
    routed_by: str
    status: str
    supervised: bool
    accepted_on: str | None
    closed_on: str | None
    outcome: str
    recovered_fen: int | None
    workers_paid: int | None


class CasePage(Schema):
    count: int
    offset: int
    limit: int
    results: list[CaseOut]


def _item(row: list[Any]) -> dict[str, Any]:
    item = dict(zip(EXPORT_HEADER, row, strict=True))
    item["supervised"] = item["supervised"] == "true"
    for name in ("accepted_on", "closed_on"):
        item[name] = item[name] or None
    for name in ("recovered_fen", "workers_paid"):
        item[name] = None if item[name] == "" else int(item[name])
    return item


@router.get("/cases", response=CasePage, summary="欠薪案件列表（按辖区）")
def list_cases(
    request: HttpRequest,
    status: str = "",
    channel: str = "",
    division: str = "",
    supervised: str = "",
    q: str = "",
    offset: int = 0,
    limit: int = 100,
) -> dict[str, Any]:
    limit = max(1, min(limit, 1000))
    offset = max(0, offset)
    qs = search_cases(
        Case.objects.visible_to(request.user),
        q=q, status=status, channel=channel, division=division, supervised=supervised, overdue_first=False,
    ).order_by("case_no")  # fmt: skip
    count = qs.count()
    page = Case.objects.filter(pk__in=list(qs.values_list("pk", flat=True)[offset : offset + limit]))
    return {"count": count, "offset": offset, "limit": limit, "results": [_item(r) for r in export_rows(page)]}
