"""leads pages: the worker's public complaint (no login) and the officials' case work."""

from __future__ import annotations

import datetime as dt
from typing import Any, cast

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from anxin.core.audit import record
from anxin.core.choices import AuditAction, Role
from anxin.core.exports import table_response
from anxin.core.models import Division
from anxin.core.money import fen_to_yuan_text
from anxin.core.views import acting_user, paginate, query_without_page
from anxin.leads import ratelimit, services
from anxin.leads.choices import CaseStatus, Channel, EventKind, Outcome
from anxin.leads.forms import CloseForm, ComplaintForm, LookupForm
from anxin.leads.models import Case
from anxin.leads.poster import poster_facts, render_poster
from anxin.registry.models import Enterprise, Project

# --- public pages (no login) --------------------------------------------------------------


def _public(request: HttpRequest, template: str, context: dict[str, Any], status: int = 200) -> HttpResponse:
    return render(request, template, context, status=status)


def _refuse(request: HttpRequest, message: str, status: int) -> HttpResponse:
    return _public(request, "leads/public_message.html", {"title": "暂时无法提交", "message": message}, status)


def _complaint(request: HttpRequest, project: Project | None) -> HttpResponse:
    with_project = project is not None
    if request.method == "POST":
        try:
            size = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            size = 0
        if size > settings.ANXIN_LEADS_MAX_FORM_BYTES:
            return _refuse(request, "提交的内容太多了，请精简情况说明后重新提交。", 413)
        form = ComplaintForm(request.POST, with_project=with_project)
        if form.is_bot:
            return _refuse(request, "提交失败，请刷新页面后重新填写。", 400)
        if form.is_valid():
            ip = ratelimit.client_ip(request)
            if not ratelimit.hit("submit-ip", ip, settings.ANXIN_LEADS_SUBMITS_PER_IP_HOUR):
                return _refuse(request, "您提交得太频繁了，请一小时后再试；情况紧急请拨打 12345。", 429)
            if project is not None and not ratelimit.hit(
                "submit-project", project.project_code, settings.ANXIN_LEADS_SUBMITS_PER_PROJECT_HOUR
            ):
                return _refuse(request, "该工地的投诉过于集中，请稍后再试，或拨打 12345 反映。", 429)
            _lead, code = services.submit_complaint(
                form.contract_fields(), project_code=project.project_code if project else ""
            )
            return redirect("leads:done", code=code)
    else:
        form = ComplaintForm(with_project=with_project)
    contractor = None
    if project is not None:
        contractor = Enterprise.objects.current().filter(uscc=project.contractor_uscc).first()
    return _public(
        request,
        "leads/complaint.html",
        {"form": form, "project": project, "contractor": contractor,
         "max_chars": settings.ANXIN_LEADS_MAX_DESCRIPTION_CHARS},
    )  # fmt: skip


def complaint(request: HttpRequest) -> HttpResponse:
    """/complaint/: the general page; the worker names the employer and the place."""
    return _complaint(request, None)


def complaint_qr(request: HttpRequest, token: str) -> HttpResponse:
    """/c/<token>: reached from a project's QR code; the project is filled in."""
    project = services.project_for_token(token)
    if project is None:
        return _public(
            request,
            "leads/public_message.html",
            {"title": "二维码无效", "message": "该二维码对应的项目不存在或已失效。您仍可以在线投诉：",
             "link": reverse("leads:complaint")},
            404,
        )  # fmt: skip
    return _complaint(request, project)


def _progress(lead: Any) -> dict[str, Any]:
    case = lead.case
    office = Division.objects.filter(code=case.region_code).values_list("name", flat=True).first()
    steps = [
        {"on": e.on, "label": EventKind(e.kind).label}
        for e in case.events.exclude(kind__in=[EventKind.UPDATED]).order_by("at", "id")
    ]
    recovered = fen_to_yuan_text(case.recovered_fen) if case.recovered_fen else ""
    return {"lead": lead, "case": case, "office": office, "steps": steps, "recovered_yuan": recovered}


def _lookup_allowed(request: HttpRequest) -> bool:
    return ratelimit.hit("lookup-ip", ratelimit.client_ip(request), settings.ANXIN_LEADS_LOOKUPS_PER_IP_HOUR)


def complaint_done(request: HttpRequest, code: str) -> HttpResponse:
    """/complaint/done/<code>: the confirmation with the lookup code."""
    if not _lookup_allowed(request):
        return _refuse(request, "查询过于频繁，请一小时后再试。", 429)
    lead = services.lead_for_code(code)
    if lead is None:
        raise Http404("查询码不正确")
    return _public(request, "leads/done.html", {"code": services.format_lookup_code(code), **_progress(lead)})


def complaint_lookup(request: HttpRequest) -> HttpResponse:
    """/complaint/lookup/: progress and outcome by lookup code, without an account."""
    context: dict[str, Any] = {}
    status = 200
    if request.method == "POST":
        form = LookupForm(request.POST)
        if form.is_valid():
            if not _lookup_allowed(request):
                return _refuse(request, "查询过于频繁，请一小时后再试。", 429)
            lead = services.lead_for_code(form.cleaned_data["code"])
            if lead is None:
                form.add_error("code", "查询码不正确，请核对后重新输入（查询码共12位，不区分大小写）")
                status = 404
            else:
                context.update(_progress(lead))
    else:
        form = LookupForm()
    context["form"] = form
    return _public(request, "leads/lookup.html", context, status)


# --- officials ----------------------------------------------------------------------------


def _division_names() -> dict[str, str]:
    return dict(Division.objects.values_list("code", "name"))


def _divisions() -> Any:
    return Division.objects.filter(level__in=["city", "county"]).order_by("code")


@login_required
def case_list(request: HttpRequest) -> HttpResponse:
    """The case queue of one's jurisdiction: filters, search, overdue first."""
    g = request.GET
    services.fill_missing_deadlines()
    qs = services.search_cases(
        Case.objects.visible_to(request.user),
        q=g.get("q", "").strip(),
        status=g.get("status", ""),
        channel=g.get("channel", ""),
        division=g.get("division", ""),
        supervised=g.get("supervised", ""),
    )
    fmt = g.get("export")
    if fmt in ("csv", "xlsx"):
        record(
            acting_user(request),
            AuditAction.EXPORT,
            object_type="leads.Case",
            detail={"filters": dict(g), "format": fmt},
        )
        return table_response(fmt, "leads", services.EXPORT_HEADER, services.export_rows(qs))
    page = paginate(request, qs)
    names = _division_names()
    today = dt.date.today()
    for c in page.object_list:
        c.region_name = names.get(c.region_code, "待人工分派")
        c.overdue = c.is_overdue(today)
    return render(
        request,
        "leads/case_list.html",
        {
            "page": page,
            "query": query_without_page(request),
            "statuses": CaseStatus.choices,
            "channels": Channel.choices,
            "divisions": _divisions(),
        },
    )


def _visible_case(request: HttpRequest, case_no: str) -> Case:
    return get_object_or_404(Case.objects.visible_to(request.user), case_no=case_no)


@login_required
def case_detail(request: HttpRequest, case_no: str) -> HttpResponse:
    case = _visible_case(request, case_no)
    user = request.user
    project = cast(Project | None, Project.objects.current().filter(project_code=case.project_code).first())
    enterprise = cast(Enterprise | None, Enterprise.objects.current().filter(uscc=case.target_uscc).first())
    names = _division_names()
    return render(
        request,
        "leads/case_detail.html",
        {
            "case": case,
            "leads": case.leads.order_by("received_at", "id"),
            "events": case.events.select_related("actor").order_by("at", "id"),
            "clocks": services.clock_view(case),
            "region_name": names.get(case.region_code, "待人工分派"),
            "project": project,
            "project_region": names.get(project.region_code, "") if project else "",
            "enterprise": enterprise,
            "enterprise_region": names.get(enterprise.region_code, "") if enterprise else "",
            "can_handle": services.can_handle(user, case),
            "can_supervise": services.can_supervise(user, case),
            "can_hand_up": services.can_hand_up(user, case),
            "can_reveal": services.can_reveal(user, case),
            "can_assign": getattr(user, "role", "") == Role.PROVINCE_OFFICER and case.status != CaseStatus.CLOSED,
            "counties": Division.objects.filter(level="county").order_by("code"),
            "outcomes": Outcome.choices,
            "close_form": CloseForm(),
        },
    )


def _date(value: str | None) -> dt.date | None:
    if not value:
        return None
    try:
        return dt.date.fromisoformat(value)
    except ValueError as exc:
        raise services.InvalidStep("日期格式应为 YYYY-MM-DD") from exc


@login_required
@require_POST
def case_action(request: HttpRequest, case_no: str, action: str) -> HttpResponse:
    """One handling step from the case page; a refused step comes back as a message."""
    case = _visible_case(request, case_no)
    user: Any = request.user
    p = request.POST
    note = p.get("note", "")
    try:
        if action == "accept":
            services.accept_case(case, user, note, on=_date(p.get("on")))
        elif action == "investigate":
            services.start_investigation(case, user, note, on=_date(p.get("on")))
        elif action == "extend":
            services.extend_case(case, user, note, on=_date(p.get("on")))
        elif action == "close":
            form = CloseForm(p)
            if not form.is_valid():
                raise services.InvalidStep("；".join(str(e) for errs in form.errors.values() for e in errs))
            services.close_case(
                case, user, form.cleaned_data["note"], outcome=form.cleaned_data["outcome"],
                recovered_fen=form.recovered_fen(), workers_paid=form.cleaned_data.get("workers_paid"),
                on=form.cleaned_data.get("on"),
            )  # fmt: skip
        elif action == "supervise":
            services.supervise_case(case, user, note, due_on=_date(p.get("due_on")))
        elif action == "hand_up":
            services.hand_up_case(case, user, note)
        elif action == "assign":
            services.assign_case(case, user, note, p.get("region_code", ""))
        else:
            raise Http404
    except services.LeadError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, "已办理")
    return redirect("leads:case", case_no=case.case_no)


@login_required
@require_POST
def reveal(request: HttpRequest, case_no: str) -> HttpResponse:
    """The complainants' identity, for the handling office only, with a logged reason."""
    case = _visible_case(request, case_no)
    try:
        people = services.reveal_complainants(case, acting_user(request), request.POST.get("reason", ""))
    except services.LeadError as exc:
        messages.error(request, str(exc))
        return redirect("leads:case", case_no=case.case_no)
    response = render(
        request, "leads/reveal.html", {"case": case, "people": people, "reason": request.POST.get("reason", "")}
    )
    response["Cache-Control"] = "no-store"
    return response


@login_required
def stats(request: HttpRequest) -> HttpResponse:
    """Year-end figures of one's jurisdiction: by channel, division and month."""
    year_text = request.GET.get("year", "")
    year = int(year_text) if year_text.isdigit() else None
    figures = services.statistics(Case.objects.visible_to(request.user), year=year)
    if request.GET.get("export") in ("xlsx", "csv"):
        fmt = request.GET["export"]
        record(
            acting_user(request),
            AuditAction.EXPORT,
            object_type="leads.Statistics",
            detail={"year": year, "format": fmt},
        )
        header, rows = services.stat_table(figures)
        return table_response(fmt, "leads-statistics", header, rows)
    years = sorted({d.year for d in Case.objects.visible_to(request.user).dates("received_at", "year")}, reverse=True)
    return render(request, "leads/stats.html", {"s": figures, "year": year, "years": years})


@login_required
def poster(request: HttpRequest, project_code: str) -> HttpResponse:
    """/leads/poster/<project_code>.pdf: the project's 维权信息告示牌 (A4, printable)."""
    project = get_object_or_404(Project.objects.current().visible_to(request.user), project_code=project_code)
    pdf = render_poster(poster_facts(cast(Project, project)))
    record(
        acting_user(request),
        AuditAction.DOWNLOAD,
        object_type="registry.Project",
        object_id=project_code,
        detail={"what": "poster"},
    )
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="poster-{project_code}.pdf"'
    return response
