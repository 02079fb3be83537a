"""registry pages: projects and enterprises of one's jurisdiction, a project's workers."""

from __future__ import annotations

import datetime as dt
from typing import Any, cast

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Count
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from anxin.core.audit import record
from anxin.core.choices import AuditAction
from anxin.core.exports import table_response
from anxin.core.models import Division
from anxin.core.money import fen_to_yuan_text
from anxin.core.views import acting_user, paginate, query_without_page
from anxin.registry.choices import EnterpriseKind, ProjectStatus
from anxin.registry.models import Employment, Enterprise, Person, Project
from anxin.registry.queries import enterprise_search, project_search
from anxin.registry.services import UnmaskRefused, unmask_person_field


def _divisions() -> Any:
    return Division.objects.filter(level__in=["city", "county"]).order_by("code")


@login_required
def project_list(request: HttpRequest) -> HttpResponse:
    qs = project_search(
        Project.objects.current().visible_to(request.user),
        q=request.GET.get("q", ""),
        region=request.GET.get("region", ""),
        status=request.GET.get("status", ""),
    )
    fmt = request.GET.get("export")
    if fmt in ("csv", "xlsx"):
        record(
            acting_user(request),
            AuditAction.EXPORT,
            object_type="registry.Project",
            detail={"filters": dict(request.GET), "format": fmt},
        )
        names = dict(Division.objects.values_list("code", "name"))
        header = [
            "项目编码",
            "项目名称",
            "所在地",
            "区划代码",
            "建设单位",
            "施工总承包单位",
            "状态",
            "开工日期",
            "合同额(元)",
        ]
        rows = (
            [
                p.project_code,
                p.name,
                names.get(p.region_code, ""),
                p.region_code,
                p.builder_uscc,
                p.contractor_uscc,
                p.get_status_display(),
                p.start_date.isoformat(),
                fen_to_yuan_text(p.contract_amount_fen),
            ]
            for p in qs.iterator()
        )
        return table_response(fmt, "projects", header, rows)
    page = paginate(request, qs)
    names = dict(Division.objects.values_list("code", "name"))
    for p in page.object_list:
        p.region_name = names.get(p.region_code, p.region_code)
    return render(
        request,
        "registry/project_list.html",
        {
            "page": page,
            "query": query_without_page(request),
            "divisions": _divisions(),
            "statuses": ProjectStatus.choices,
        },
    )


@login_required
def project_detail(request: HttpRequest, project_code: str) -> HttpResponse:
    project = cast(
        Project, get_object_or_404(Project.objects.current().visible_to(request.user), project_code=project_code)
    )
    employments = (
        Employment.objects.current().filter(project_code=project.project_code).order_by("employer_uscc", "person_key")
    )
    usccs = {project.builder_uscc, project.contractor_uscc, *employments.values_list("employer_uscc", flat=True)}
    enterprises = {e.uscc: e for e in cast(list[Enterprise], Enterprise.objects.current().filter(uscc__in=usccs))}
    by_employer = employments.values("employer_uscc").annotate(n=Count("id")).order_by("-n")
    today = dt.date.today()
    on_site = employments.filter(start_date__lte=today).exclude(end_date__lt=today).count()
    page = paginate(request, employments)
    people = {
        p.person_key: p
        for p in cast(
            list[Person], Person.objects.current().filter(person_key__in=[e.person_key for e in page.object_list])
        )
    }
    for e in page.object_list:
        e.person = people.get(e.person_key)
        e.employer = enterprises.get(e.employer_uscc)
    history = Project.objects.filter(project_code=project.project_code).order_by("valid_from", "effective_at")
    return render(
        request,
        "registry/project_detail.html",
        {
            "project": project,
            "region": Division.objects.filter(code=project.region_code).first(),
            "builder": enterprises.get(project.builder_uscc),
            "contractor": enterprises.get(project.contractor_uscc),
            "employers": [
                {"uscc": r["employer_uscc"], "n": r["n"], "enterprise": enterprises.get(r["employer_uscc"])}
                for r in by_employer
            ],
            "workers_total": employments.values("person_key").distinct().count(),
            "on_site": on_site,
            "page": page,
            "history": history,
        },
    )


@login_required
def enterprise_list(request: HttpRequest) -> HttpResponse:
    qs = enterprise_search(
        Enterprise.objects.current().visible_to(request.user),
        q=request.GET.get("q", ""),
        kind=request.GET.get("kind", ""),
    )
    fmt = request.GET.get("export")
    if fmt in ("csv", "xlsx"):
        record(
            acting_user(request),
            AuditAction.EXPORT,
            object_type="registry.Enterprise",
            detail={"filters": dict(request.GET), "format": fmt},
        )
        rows = ([e.uscc, e.name, e.get_kind_display(), e.region_code, e.industry_code] for e in qs.iterator())
        return table_response(
            fmt, "enterprises", ["统一社会信用代码", "单位名称", "单位类型", "注册地区划", "行业代码"], rows
        )
    page = paginate(request, qs)
    return render(
        request,
        "registry/enterprise_list.html",
        {"page": page, "query": query_without_page(request), "kinds": EnterpriseKind.choices},
    )


@login_required
def enterprise_detail(request: HttpRequest, uscc: str) -> HttpResponse:
    enterprise = cast(Enterprise, get_object_or_404(Enterprise.objects.current().visible_to(request.user), uscc=uscc))
    projects = Project.objects.current().visible_to(request.user)
    return render(
        request,
        "registry/enterprise_detail.html",
        {
            "enterprise": enterprise,
            "as_builder": projects.filter(builder_uscc=uscc).order_by("project_code")[:200],
            "as_contractor": projects.filter(contractor_uscc=uscc).order_by("project_code")[:200],
            "employing": Employment.objects.current().visible_to(request.user).filter(employer_uscc=uscc).count(),
            "history": Enterprise.objects.filter(uscc=uscc).order_by("valid_from", "effective_at"),
        },
    )


@login_required
@require_POST
def unmask(request: HttpRequest, person_key: str) -> HttpResponse:
    """Show one personal field in clear, with a reason, logged (and only in one's jurisdiction)."""
    person = Person.objects.current().visible_to(request.user).filter(person_key=person_key).first()
    if person is None:
        raise Http404
    field = request.POST.get("field", "")
    reason = request.POST.get("reason", "")
    try:
        value = unmask_person_field(acting_user(request), cast(Person, person), field, reason)
    except UnmaskRefused as exc:
        messages.error(request, str(exc))
        return redirect(request.POST.get("next") or "/")
    except PermissionError as exc:
        raise PermissionDenied(str(exc)) from exc
    return render(
        request,
        "registry/unmasked.html",
        {"person": person, "field": field, "value": value, "reason": reason, "next": request.POST.get("next", "/")},
    )
