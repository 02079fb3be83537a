"""Contract-performance scores for bidding systems: GET /api/evaluations/{uscc}?as_of=D.

Token authentication (``Authorization: Bearer <token>``), cut to the caller's jurisdiction:
a contractor the caller may not see answers 404, the same as one never rated.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.http import HttpRequest
from ninja import Router, Schema
from ninja.errors import HttpError

from anxin.evaluation.models import Evaluation
from anxin.evaluation.services import deduction_rows

router = Router(tags=["履约评价"])


class DeductionOut(Schema):
    project_code: str
    sub_score: str
    rule: str
    title: str
    points: int
    applied: int
    finding_id: int | None
    opened_on: str | None


class EvaluationOut(Schema):
    uscc: str
    name: str
    as_of: str
    score: int
    grade: str
    real_name: float
    special_account: float
    pay_on_behalf: float
    deposit: float
    projects: int
    capped_by_arrears: bool
    deductions: list[DeductionOut]


@router.get("/{uscc}", response=EvaluationOut, summary="施工总承包单位某日的履约评价（默认最近一次）")
def evaluation(request: HttpRequest, uscc: str, as_of: dt.date | None = None) -> dict[str, Any]:
    qs = Evaluation.objects.visible_to(request.user).filter(uscc=uscc.strip().upper())
    found = qs.filter(as_of=as_of).first() if as_of else qs.order_by("-as_of").first()
    if found is None:
        raise HttpError(404, "该单位在该日没有履约评价（不是在建项目的施工总承包单位，或不在您的辖区）")
    return {
        "uscc": found.uscc,
        "name": found.name,
        "as_of": found.as_of.isoformat(),
        "score": found.score,
        "grade": found.grade,
        "real_name": float(found.real_name),
        "special_account": float(found.special_account),
        "pay_on_behalf": float(found.pay_on_behalf),
        "deposit": float(found.deposit),
        "projects": found.projects,
        "capped_by_arrears": found.capped,
        "deductions": deduction_rows(found),
    }
