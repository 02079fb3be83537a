"""monitoring pages: the findings of one's jurisdiction, and one finding with its evidence."""

from __future__ import annotations

import datetime as dt
import json

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render

from anxin.core.audit import record
from anxin.core.choices import AuditAction
from anxin.core.exports import table_response
from anxin.core.views import acting_user, paginate, query_without_page
from anxin.monitoring.models import DailyRun, Finding
from anxin.monitoring.rules import RULES

SEVERITY_LABELS = {"high": "高", "medium": "中", "low": "低"}


@login_required
def finding_list(request: HttpRequest) -> HttpResponse:
    latest = DailyRun.objects.order_by("-as_of").first()
    day_text = request.GET.get("as_of") or (latest.as_of.isoformat() if latest else "")
    try:
        day = dt.date.fromisoformat(day_text) if day_text else dt.date.today()
    except ValueError:
        day = latest.as_of if latest else dt.date.today()
    qs = Finding.objects.open_on(day).visible_to(request.user)
    rule = request.GET.get("rule", "")
    if rule:
        qs = qs.filter(rule=rule)
    severity = request.GET.get("severity", "")
    if severity:
        qs = qs.filter(severity=severity)
    q = request.GET.get("q", "").strip()
    if q:
        qs = qs.filter(subject_id__icontains=q)
    qs = qs.order_by("-severity", "-amount_fen", "subject_id", "rule")
    fmt = request.GET.get("export")
    if fmt in ("csv", "xlsx"):
        record(
            acting_user(request),
            AuditAction.EXPORT,
            object_type="monitoring.Finding",
            detail={"filters": dict(request.GET), "format": fmt},
        )
        header = [
            "规则",
            "规则名称",
            "对象类型",
            "对象",
            "区县",
            "发现日期",
            "严重程度",
            "涉及人数",
            "涉及金额(分)",
            "证据",
        ]
        rows = (
            [
                f.rule,
                RULES[f.rule].title if f.rule in RULES else "",
                f.subject_type,
                f.subject_id,
                f.region_code,
                f.opened_on.isoformat(),
                SEVERITY_LABELS.get(f.severity, f.severity),
                f.workers,
                f.amount_fen,
                json.dumps(f.evidence, ensure_ascii=False),
            ]
            for f in qs.iterator()
        )
        return table_response(fmt, "findings", header, rows)
    page = paginate(request, qs)
    for f in page.object_list:
        f.title = RULES[f.rule].title if f.rule in RULES else f.rule
        f.severity_label = SEVERITY_LABELS.get(f.severity, f.severity)
    return render(
        request,
        "monitoring/finding_list.html",
        {
            "page": page,
            "query": query_without_page(request),
            "day": day,
            "latest": latest,
            "rules": [(code, rule.title) for code, rule in sorted(RULES.items())],
        },
    )


@login_required
def finding_detail(request: HttpRequest, pk: int) -> HttpResponse:
    finding = get_object_or_404(Finding.objects.visible_to(request.user), pk=pk)
    rule = RULES.get(finding.rule)
    evidence = dict(finding.evidence)
    details = evidence.pop("details", [])
    return render(
        request,
        "monitoring/finding_detail.html",
        {
            "finding": finding,
            "rule": rule,
            "severity_label": SEVERITY_LABELS.get(finding.severity, finding.severity),
            "evidence": sorted((k, v) for k, v in evidence.items() if k not in ("title", "article")),
            "details": details,
            "detail_columns": list(details[0].keys()) if details else [],
            "history": Finding.objects.visible_to(request.user)
            .filter(subject_type=finding.subject_type, subject_id=finding.subject_id)
            .order_by("-opened_on")[:50],
        },
    )
