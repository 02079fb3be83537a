"""lake pages: the home overview, ingested batches, and the quarantine of one's jurisdiction."""

from __future__ import annotations

import json

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from anxin.core.audit import record
from anxin.core.choices import AuditAction
from anxin.core.exports import table_response
from anxin.core.jurisdiction import jurisdiction_of
from anxin.core.views import acting_user, paginate, query_without_page
from anxin.lake.feeds import FEEDS
from anxin.lake.models import Batch, QuarantinedRow
from anxin.registry.models import Employment, Enterprise, Project


@login_required
def home(request: HttpRequest) -> HttpResponse:
    projects = Project.objects.current().visible_to(request.user)
    where = jurisdiction_of(request.user)
    batches = (
        Batch.objects.all()[:10] if where.everything else Batch.objects.filter(submitted_by=acting_user(request))[:10]
    )
    return render(
        request,
        "core/home.html",
        {
            "projects": projects.count(),
            "active_projects": projects.filter(status="active").count(),
            "enterprises": Enterprise.objects.current().visible_to(request.user).count(),
            "employments": Employment.objects.current().visible_to(request.user).count(),
            "quarantined": QuarantinedRow.objects.visible_to(request.user).count(),
            "batches": batches,
        },
    )


@login_required
def batch_list(request: HttpRequest) -> HttpResponse:
    where = jurisdiction_of(request.user)
    qs = Batch.objects.all() if where.everything else Batch.objects.filter(submitted_by=acting_user(request))
    page = paginate(request, qs)
    for b in page.object_list:
        b.summary_rows = b.summary
    return render(request, "lake/batch_list.html", {"page": page, "query": query_without_page(request)})


@login_required
def quarantine_list(request: HttpRequest) -> HttpResponse:
    qs = QuarantinedRow.objects.visible_to(request.user).select_related("batch")
    feed = request.GET.get("feed", "")
    if feed:
        qs = qs.filter(feed=feed)
    batch = request.GET.get("batch", "")
    if batch.isdigit():
        qs = qs.filter(batch_id=int(batch))
    q = request.GET.get("q", "").strip()
    if q:
        qs = qs.filter(reason__icontains=q)
    fmt = request.GET.get("export")
    if fmt in ("csv", "xlsx"):
        record(
            acting_user(request),
            AuditAction.DOWNLOAD,
            object_type="lake.QuarantinedRow",
            detail={"filters": dict(request.GET), "format": fmt},
        )
        header = ["批次", "数据项", "文件", "行号", "列", "原因", "原始数据（已脱敏）"]
        rows = (
            [r.batch_id, r.feed, r.file_name, r.line, r.column, r.reason, json.dumps(r.raw_masked, ensure_ascii=False)]
            for r in qs.iterator()
        )
        return table_response(fmt, "quarantine", header, rows)
    page = paginate(request, qs)
    return render(
        request,
        "lake/quarantine_list.html",
        {"page": page, "query": query_without_page(request), "feeds": [(f.name, f.label) for f in FEEDS.values()]},
    )
