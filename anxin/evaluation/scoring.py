"""The contract-performance score of one general contractor on one day: pure arithmetic (RULES.md).

Four sub-scores of 25 points each: **real_name** (RN rules, NB01), **special_account** (WA
rules), **pay_on_behalf** (PD, WP02–WP09), **deposit** (DP rules); a rule's sub-score is its
``family`` in the catalog. On each active project of the contractor, every open finding
deducts its rule's points from its sub-score (``points_of``; defaults 5, and 10 for WA01,
WA02, PD01, DP01), never below 0. The contractor's sub-scores are the averages over its active
projects weighted by their workers (a project with nobody registered on the day weighs as one
worker, so it still counts). The total is their sum rounded half up to an integer; any open
WP01 on a project of the contractor caps it at ``arrears_cap`` (59). Grades from the integer:
A ≥ 90, B 75–89, C 60–74, D < 60. Exact: fractions until the final rounding.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction

SUB_SCORES = ("real_name", "special_account", "pay_on_behalf", "deposit")
FULL = 25


@dataclass(frozen=True)
class ProjectFinding:
    rule: str
    family: str  # one of SUB_SCORES, or "" for rules that deduct nothing
    finding_id: int | None = None
    opened_on: dt.date | None = None


@dataclass(frozen=True)
class RatedProject:
    project_code: str
    workers: int
    findings: Sequence[ProjectFinding] = ()


@dataclass(frozen=True)
class Deduction:
    project_code: str
    sub_score: str
    rule: str
    points: int  # the rule's points
    applied: int  # what it took off (less when the sub-score had less left: never below 0)
    finding_id: int | None
    opened_on: dt.date | None


@dataclass(frozen=True)
class Result:
    score: int
    grade: str
    sub_scores: dict[str, Fraction]
    projects: int
    capped: bool
    deductions: list[Deduction] = field(default_factory=list)
    per_project: list[dict[str, object]] = field(default_factory=list)


def grade_of(score: int) -> str:
    if score >= 90:
        return "A"
    if score >= 75:
        return "B"
    if score >= 60:
        return "C"
    return "D"


def round_half_up(value: Fraction, places: int = 0) -> Decimal:
    exact = Decimal(value.numerator) / Decimal(value.denominator)
    return exact.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)


def score_contractor(
    projects: Sequence[RatedProject],
    points_of: Callable[[str], int],
    *,
    arrears_on_any_project: bool = False,
    arrears_cap: int = 59,
) -> Result:
    """Score one contractor from its active projects (at least one)."""
    if not projects:
        raise ValueError("a contractor is rated only with at least one active project")
    deductions: list[Deduction] = []
    # Integer sums (points × workers): every sub-score shares the denominator ``total_weight``,
    # so the exact averages are four fractions built at the end, not one added per project.
    weighted = dict.fromkeys(SUB_SCORES, 0)
    total_weight = 0
    per_project = []
    for project in projects:
        left = dict.fromkeys(SUB_SCORES, FULL)
        for f in sorted(project.findings, key=lambda f: (f.rule, f.finding_id or 0)):
            if f.family not in left:
                continue
            points = points_of(f.rule)
            taken = min(points, left[f.family])
            left[f.family] -= taken
            deductions.append(
                Deduction(project.project_code, f.family, f.rule, points, taken, f.finding_id, f.opened_on)
            )
        weight = max(project.workers, 1)
        total_weight += weight
        for name in SUB_SCORES:
            weighted[name] += left[name] * weight
        per_project.append({"project_code": project.project_code, "workers": project.workers, **left})
    sub_scores = {name: Fraction(weighted[name], total_weight) for name in SUB_SCORES}
    score = int(round_half_up(Fraction(sum(weighted.values()), total_weight)))
    capped = arrears_on_any_project and score > arrears_cap
    if capped:
        score = arrears_cap
    return Result(
        score=score,
        grade=grade_of(score),
        sub_scores=sub_scores,
        projects=len(projects),
        capped=capped,
        deductions=deductions,
        per_project=per_project,
    )
