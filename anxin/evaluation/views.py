"""evaluation pages: the day's scores of the contractors in one's jurisdiction, and one contractor's
score with its deductions and history."""

from __future__ import annotations

import datetime as dt

from django.contrib.auth.decorators import login_required
from django.db.models import Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render

from anxin.core.audit import record
from anxin.core.charts import line_chart
from anxin.core.choices import AuditAction
from anxin.core.exports import table_response
from anxin.core.views import acting_user, paginate, query_without_page
from anxin.evaluation import services
from anxin.evaluation.choices import Grade, SubScore
from anxin.evaluation.models import Evaluation


def _day(text: str | None, default: dt.date | None) -> dt.date | None:
    try:
        return dt.date.fromisoformat(text) if text else default
    except ValueError:
        return default


@login_required
def evaluation_list(request: HttpRequest) -> HttpResponse:
    g = request.GET
    visible = Evaluation.objects.visible_to(request.user)
    latest = services.latest_day(visible)
    day = _day(g.get("as_of"), latest)
    qs = visible.filter(as_of=day) if day else visible.none()
    if g.get("grade"):
        qs = qs.filter(grade=g["grade"])
    if g.get("q"):
        q = g["q"].strip()
        qs = qs.filter(Q(uscc__icontains=q) | Q(name__icontains=q))
    if g.get("capped") == "1":
        qs = qs.filter(capped=True)
    qs = qs.order_by("score", "uscc")
    fmt = g.get("export")
    if fmt in ("csv", "xlsx"):
        record(
            acting_user(request), AuditAction.EXPORT, object_type="evaluation.Evaluation", detail={"filters": dict(g)}
        )
        return table_response(fmt, "evaluations", services.EXPORT_HEADER, services.export_rows(qs))
    page = paginate(request, qs)
    counts = [
        (grade, label, visible.filter(as_of=day, grade=grade).count() if day else 0) for grade, label in Grade.choices
    ]
    return render(
        request,
        "evaluation/evaluation_list.html",
        {"page": page, "query": query_without_page(request), "day": day, "latest": latest, "grades": Grade.choices,
         "counts": counts},
    )  # fmt: skip


@login_required
def evaluation_detail(request: HttpRequest, uscc: str) -> HttpResponse:
    visible = Evaluation.objects.visible_to(request.user).filter(uscc=uscc)
    latest = services.latest_day(visible)
    day = _day(request.GET.get("as_of"), latest)
    evaluation = visible.filter(as_of=day).first() if day else None
    if evaluation is None:
        raise Http404("该单位在该日没有履约评价")
    history = list(visible.order_by("-as_of").values_list("as_of", "score", "grade")[:365])
    history.reverse()
    return render(
        request,
        "evaluation/evaluation_detail.html",
        {
            "e": evaluation,
            "sub_scores": [(label, getattr(evaluation, name)) for name, label in SubScore.choices],
            "deductions": services.deduction_rows(evaluation),
            "chart": line_chart(
                [(d, s) for d, s, _g in history],
                title=f"{evaluation.name or evaluation.uscc} 履约评价得分",
                bands=[(90, "A"), (75, "B"), (60, "C")],
            ),
            "history": list(reversed(history))[:60],
        },
    )
