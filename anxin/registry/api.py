"""Registry queries, cut to the caller's jurisdiction."""

from __future__ import annotations

from typing import Any, cast

from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from ninja import Router, Schema

from anxin.registry.models import Enterprise, Project
from anxin.registry.queries import enterprise_search, project_search

router = Router(tags=["实名登记"])


class ProjectOut(Schema):
    project_code: str
    name: str
    region_code: str
    builder_uscc: str
    contractor_uscc: str
    status: str
    start_date: str
    contract_amount_fen: int


class EnterpriseOut(Schema):
    uscc: str
    name: str
    kind: str
    region_code: str


class Page(Schema):
    count: int
    page: int
    pages: int
    results: list[Any]


def _page(qs: Any, page: int, size: int) -> tuple[int, int, list[Any]]:
    size = max(1, min(size, 500))
    count = qs.count()
    pages = max(1, (count + size - 1) // size)
    page = max(1, min(page, pages))
    return count, pages, list(qs[(page - 1) * size : page * size])


def _project(p: Project) -> dict[str, Any]:
    return {
        "project_code": p.project_code,
        "name": p.name,
        "region_code": p.region_code,
        "builder_uscc": p.builder_uscc,
        "contractor_uscc": p.contractor_uscc,
        "status": p.status,
        "start_date": p.start_date.isoformat(),
        "contract_amount_fen": p.contract_amount_fen,
    }


@router.get("/projects", response=Page, summary="项目列表（本辖区）")
def list_projects(
    request: HttpRequest, q: str = "", region: str = "", status: str = "", page: int = 1, size: int = 50
) -> Any:
    qs = project_search(Project.objects.current().visible_to(request.user), q=q, region=region, status=status)
    count, pages, items = _page(qs, page, size)
    return {"count": count, "page": page, "pages": pages, "results": [_project(p) for p in items]}


@router.get("/projects/{project_code}", response=ProjectOut, summary="项目详情")
def get_project(request: HttpRequest, project_code: str) -> Any:
    project = get_object_or_404(Project.objects.current().visible_to(request.user), project_code=project_code)
    return _project(cast(Project, project))


@router.get("/enterprises", response=Page, summary="用人单位列表（本辖区）")
def list_enterprises(request: HttpRequest, q: str = "", kind: str = "", page: int = 1, size: int = 50) -> Any:
    qs = enterprise_search(Enterprise.objects.current().visible_to(request.user), q=q, kind=kind)
    count, pages, items = _page(qs, page, size)
    return {
        "count": count,
        "page": page,
        "pages": pages,
        "results": [{"uscc": e.uscc, "name": e.name, "kind": e.kind, "region_code": e.region_code} for e in items],
    }
