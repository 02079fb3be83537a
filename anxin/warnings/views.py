"""warnings pages: the queue of one's jurisdiction, a warning with its evidence and handling,
the day's risk list, and an office's inbox."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import F
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from anxin.core.audit import record
from anxin.core.charts import line_chart
from anxin.core.choices import AuditAction
from anxin.core.exports import table_response
from anxin.core.models import Division
from anxin.core.views import acting_user, paginate, query_without_page
from anxin.monitoring.models import DailyRun
from anxin.monitoring.rules import RULES
from anxin.warnings import services
from anxin.warnings.choices import ENDED, RiskLevel, WarningStatus
from anxin.warnings.models import RiskDay, Warning

#: What each step (services.TRANSITIONS) is called on the page, and what its note should say.
STEP_BUTTONS = [
    ("verify", "开始核实", "核实安排（必填）"),
    ("confirm", "核实属实", "核实情况（必填）"),
    ("unfounded", "核实不属实", "不属实的理由（必填）"),
    ("handle", "开始处置", "处置措施（必填）"),
    ("close", "办结", "办结情况（必填）"),
]


def _division_names() -> dict[str, str]:
    return dict(Division.objects.values_list("code", "name"))


def _rule_label(code: str) -> str:
    return f"{code} {RULES[code].title}" if code in RULES else code


@login_required
def warning_list(request: HttpRequest) -> HttpResponse:
    """The warning queue: overdue first, then by level and score; filters, search, downloads."""
    g = request.GET
    today = services.business_day()
    qs = services.search_warnings(
        Warning.objects.visible_to(request.user),
        level=g.get("level", ""),
        status=g.get("status", ""),
        rule=g.get("rule", ""),
        division=g.get("division", ""),
        overdue=g.get("overdue", ""),
        supervised=g.get("supervised", ""),
        q=g.get("q", "").strip(),
        today=today,
    )
    fmt = g.get("export")
    if fmt in ("csv", "xlsx"):
        record(
            acting_user(request),
            AuditAction.EXPORT,
            object_type="warnings.Warning",
            detail={"filters": dict(g), "format": fmt},
        )
        return table_response(fmt, "warnings", services.EXPORT_HEADER, services.export_rows(qs))
    page = paginate(request, qs)
    names = _division_names()
    for w in page.object_list:
        w.region_name = names.get(w.region_code, "省级待分派")
        what, due = w.running_deadline()
        w.deadline_label = {"verify": "核实", "handle": "处置"}.get(what, "")
        w.due = due
        w.overdue = w.is_overdue(today)
    return render(
        request,
        "warnings/warning_list.html",
        {
            "page": page,
            "query": query_without_page(request),
            "levels": RiskLevel.choices,
            "statuses": WarningStatus.choices,
            "rules": [(code, rule.title) for code, rule in sorted(RULES.items())],
            "divisions": Division.objects.filter(level__in=["city", "county"]).order_by("code"),
            "today": today,
        },
    )


def _visible(request: HttpRequest, warning_no: str) -> Warning:
    return get_object_or_404(Warning.objects.visible_to(request.user), warning_no=warning_no)


def _finding_rows(warning: Warning, today: dt.date) -> list[dict[str, Any]]:
    rows = []
    for f in warning.findings.order_by("rule", "opened_on"):
        evidence = dict(f.evidence)
        details = evidence.pop("details", [])
        rule = RULES.get(f.rule)
        rows.append(
            {
                "finding": f,
                "title": rule.title if rule else f.rule,
                "article": rule.article if rule else "",
                "open": f.closed_on is None or f.closed_on > today,
                "facts": sorted((k, v) for k, v in evidence.items() if k not in ("title", "article")),
                "details": details[:10],
                "detail_columns": list(details[0].keys()) if details else [],
                "more": max(int(evidence.get("count_details") or len(details)) - 10, 0),
            }
        )
    return rows


@login_required
def warning_detail(request: HttpRequest, warning_no: str) -> HttpResponse:
    warning = _visible(request, warning_no)
    today = services.business_day()
    history = list(
        RiskDay.objects.filter(subject_type=warning.subject_type, subject_id=warning.subject_id).order_by("-as_of")[
            :120
        ]
    )
    history.reverse()
    names = _division_names()
    can_act = services.can_act(request.user, warning)
    buttons = [
        {"step": step, "label": label, "placeholder": placeholder}
        for step, label, placeholder in STEP_BUTTONS
        if warning.status in services.TRANSITIONS[step].allowed_from
    ]
    return render(
        request,
        "warnings/warning_detail.html",
        {
            "warning": warning,
            "region_name": names.get(warning.region_code, "省级待分派"),
            "office": services.office_name(warning.office_code),
            "rules": [_rule_label(c) for c in warning.rules],
            "current_rules": [_rule_label(c) for c in warning.current_rules],
            "findings": _finding_rows(warning, today),
            "clocks": services.clock_view(warning, today),
            "events": warning.events.order_by("at", "id"),
            "can_act": can_act,
            "buttons": buttons if can_act else [],
            "is_open": warning.status not in ENDED,
            "others": Warning.objects.visible_to(request.user)
            .filter(subject_type=warning.subject_type, subject_id=warning.subject_id)
            .exclude(pk=warning.pk)
            .order_by("-raised_on"),
            "history": history[-30:],
            "chart": line_chart(
                [(d.as_of, d.score) for d in history],
                title=f"{warning.subject_id} 风险分值",
                bands=[],
            ),
            "today": today,
        },
    )


def _date(value: str | None) -> dt.date | None:
    if not value:
        return None
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise services.InvalidStep("日期格式应为 YYYY-MM-DD") from None


@login_required
@require_POST
def warning_action(request: HttpRequest, warning_no: str, step: str) -> HttpResponse:
    warning = _visible(request, warning_no)
    if step not in services.TRANSITIONS:
        raise Http404("没有这个办理事项")
    try:
        services.take_step(
            step, warning, acting_user(request), request.POST.get("note", ""), on=_date(request.POST.get("on"))
        )
    except services.WarningError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, "已办理")
    return redirect("warnings:detail", warning_no=warning.warning_no)


@login_required
def risk_list(request: HttpRequest) -> HttpResponse:
    """Every subject's risk level on a day (including low, which raises no warning)."""
    latest = DailyRun.objects.order_by("-as_of").first()
    g = request.GET
    try:
        day = dt.date.fromisoformat(g["as_of"]) if g.get("as_of") else (latest.as_of if latest else dt.date.today())
    except ValueError:
        day = latest.as_of if latest else dt.date.today()
    qs = RiskDay.objects.visible_to(request.user).filter(as_of=day)
    if g.get("level"):
        qs = qs.filter(level=g["level"])
    if g.get("q"):
        qs = qs.filter(subject_id__icontains=g["q"].strip())
    qs = qs.order_by("-score", "subject_id")
    fmt = g.get("export")
    header = ["as_of", "subject_type", "subject_id", "region_code", "level", "score", "rules", "reasons"]
    if fmt in ("csv", "xlsx"):
        record(acting_user(request), AuditAction.EXPORT, object_type="warnings.RiskDay", detail={"filters": dict(g)})
        rows = (
            [r.as_of.isoformat(), r.subject_type, r.subject_id, r.region_code, r.level, r.score,
             ";".join(r.rules), "；".join(r.reasons)]
            for r in qs.iterator()
        )  # fmt: skip
        return table_response(fmt, "risk", header, rows)
    page = paginate(request, qs)
    names = _division_names()
    for r in page.object_list:
        r.region_name = names.get(r.region_code, "")
    counts = {lvl: RiskDay.objects.visible_to(request.user).filter(as_of=day, level=lvl).count() for lvl in RiskLevel}
    return render(
        request,
        "warnings/risk_list.html",
        {
            "page": page,
            "query": query_without_page(request),
            "day": day,
            "latest": latest,
            "levels": RiskLevel.choices,
            "counts": [(RiskLevel(lvl).label, lvl, n) for lvl, n in counts.items()],
        },
    )


@login_required
def summary(request: HttpRequest) -> HttpResponse:
    """A fragment for the home page: open warnings of one's jurisdiction by level, overdue, unread notices."""
    today = services.business_day()
    open_qs = services.search_warnings(Warning.objects.visible_to(request.user), today=today)
    by_level = {lvl: open_qs.filter(level=lvl).count() for lvl in RiskLevel}
    return render(
        request,
        "warnings/summary.html",
        {
            "levels": [(RiskLevel(lvl).label, lvl, n) for lvl, n in by_level.items() if lvl != RiskLevel.LOW],
            "overdue": services.search_warnings(
                Warning.objects.visible_to(request.user), overdue="1", today=today
            ).count(),
            "supervised": open_qs.filter(supervised=True).count(),
            "unread": services.inbox_for(request.user).filter(read_at__isnull=True).count(),
        },
    )


@login_required
def inbox(request: HttpRequest) -> HttpResponse:
    """The notices addressed to one's office, unread first; marking them read."""
    user = acting_user(request)
    if request.method == "POST":
        ids = [int(i) for i in request.POST.getlist("id") if i.isdigit()]
        if request.POST.get("all") == "1":
            ids = list(services.inbox_for(user).filter(read_at__isnull=True).values_list("pk", flat=True))
        services.mark_read(user, ids)
        return redirect("warnings:inbox")
    qs = services.inbox_for(user)
    if request.GET.get("unread") == "1":
        qs = qs.filter(read_at__isnull=True)
    page = paginate(request, qs.order_by(F("read_at").asc(nulls_first=True), "-created_at", "-id"))
    return render(
        request,
        "warnings/inbox.html",
        {
            "page": page,
            "query": query_without_page(request),
            "unread": services.inbox_for(user).filter(read_at__isnull=True).count(),
        },
    )
