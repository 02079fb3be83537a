"""Risk on one subject and day: a level (紧急/高/中/低) and a score 0–100 from its open findings.

Pure functions over plain values (RULES.md, "From findings to risk levels"); the daily step
in ``services`` feeds them the findings open on the day. Two separate questions:

- **Level**, by rules, the first that matches from urgent down (what officials must do):
  - urgent: arrears (WP01) affecting ≥ ``urgent_workers`` workers or ≥ ``urgent_amount_fen``;
    a site emptying while wages are owed (PS01 + WP01); any arrears in the
    ``festival_days`` before Spring Festival;
  - high: any other WP01; every combination of ``high_combos`` holding at once
    (WA02 + WA04: funding stopped and the account cannot cover the next payroll;
    EN01 + EN04; EN01 + EN02 + EN03); LD01 strong (≥ 3 cases or ≥ 10 workers in 30 days);
  - medium: any rule whose code starts with one of ``medium_prefixes`` (WA01–WA03, PD, WP, EN, PS);
  - low: any other open finding alone: DP, RN, NB rules; LD01 in its ordinary form (a complaint
    is already a case in the leads queue with its own statutory clocks, so on its own it does not
    send the same matter to the same office a second time); WA04 (a balance short of the coming
    payroll is a snapshot that the builder's scheduled transfer usually mends: it weighs with
    WA02, when funding has stopped, or with any other finding).
- **Score**, which orders subjects within a level: each open finding brings its rule's
  points × a severity factor × a size factor (workers and money at stake, on log scales,
  up to ×2) × a freshness factor (a finding opened in the last ``fresh_days`` weighs up
  to ``fresh_bonus`` more, so new trouble rises in the list); the sum, × ``festival_factor``
  in the festival window, maps to 0–100 as ``100 × (1 − e^(−points / score_scale))``.

Weights and thresholds are settings (docs/warnings.md says how they were chosen).
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from anxin.core.calendar import SPRING_FESTIVAL
from anxin.warnings.choices import RiskLevel

SEVERITY_FACTOR = {"high": 1.0, "medium": 0.7, "low": 0.4}
#: Size factor saturates at these: 100 workers, one million yuan.
SIZE_WORKERS = 100
SIZE_AMOUNT_FEN = 100_000_000


@dataclass(frozen=True)
class OpenFinding:
    """A finding open on the day, as the level function reads it."""

    rule: str
    severity: str
    workers: int | None = None
    amount_fen: int | None = None
    opened_on: dt.date | None = None
    finding_id: int | None = None


@dataclass(frozen=True)
class Policy:
    """The level rules' thresholds and the score's weights (``Policy.from_settings()``)."""

    weights: Mapping[str, int] = field(default_factory=dict)
    default_weight: int = 4
    score_scale: int = 60
    urgent_workers: int = 30
    urgent_amount_fen: int = 50_000_000
    festival_days: int = 30
    festival_factor: float = 1.5
    high_combos: tuple[frozenset[str], ...] = ()
    medium_prefixes: tuple[str, ...] = ("WA01", "WA02", "WA03", "PD", "WP", "EN", "PS")
    fresh_days: int = 14
    fresh_bonus: float = 0.25

    @classmethod
    def from_settings(cls) -> Policy:
        from django.conf import settings

        return cls(
            weights=dict(settings.ANXIN_RISK_WEIGHTS),
            default_weight=settings.ANXIN_RISK_DEFAULT_WEIGHT,
            score_scale=settings.ANXIN_RISK_SCORE_SCALE,
            urgent_workers=settings.ANXIN_RISK_URGENT_WORKERS,
            urgent_amount_fen=settings.ANXIN_RISK_URGENT_AMOUNT_YUAN * 100,
            festival_days=settings.ANXIN_RISK_FESTIVAL_DAYS,
            high_combos=tuple(frozenset(c.split("+")) for c in settings.ANXIN_RISK_HIGH_COMBOS),
            medium_prefixes=tuple(settings.ANXIN_RISK_MEDIUM_PREFIXES),
        )


@dataclass(frozen=True)
class Risk:
    """A subject's risk on a day: ``level`` is "" when it has no open finding."""

    level: str
    score: int
    reasons: tuple[str, ...]
    rules: tuple[str, ...]
    finding_ids: tuple[int, ...] = ()


def days_before_festival(day: dt.date) -> int | None:
    """Days from ``day`` to the next Spring Festival (0 on the day itself), if one is known."""
    for year in (day.year, day.year + 1):
        festival = SPRING_FESTIVAL.get(year)
        if festival is not None and festival >= day:
            return (festival - day).days
    return None


def in_festival_window(day: dt.date, policy: Policy) -> bool:
    before = days_before_festival(day)
    return before is not None and before <= policy.festival_days


def _yuan(fen: int) -> str:
    return f"{fen / 100:,.0f}元"


def level_of(findings: Iterable[OpenFinding], day: dt.date, policy: Policy) -> tuple[str, tuple[str, ...]]:
    """The level (first matching rule from urgent down) and the reasons, in Chinese, that made it."""
    found = list(findings)
    rules = {f.rule for f in found}
    if not found:
        return "", ()
    arrears = [f for f in found if f.rule == "WP01"]
    if arrears:
        workers = max((f.workers or 0) for f in arrears)
        amount = max((f.amount_fen or 0) for f in arrears)
        urgent = []
        if workers >= policy.urgent_workers:
            urgent.append(f"欠薪涉及 {workers} 人（≥ {policy.urgent_workers} 人）")
        if amount >= policy.urgent_amount_fen:
            urgent.append(f"欠薪金额 {_yuan(amount)}（≥ {_yuan(policy.urgent_amount_fen)}）")
        if "PS01" in rules:
            urgent.append("工地人员骤减且存在欠薪（PS01 + WP01）")
        before = days_before_festival(day)
        if before is not None and before <= policy.festival_days:
            urgent.append(f"春节前 {before} 天内存在欠薪")
        if urgent:
            return RiskLevel.URGENT, tuple(urgent)
        return RiskLevel.HIGH, (f"存在欠薪（WP01）：{workers} 人、{_yuan(amount)}",)
    high = [" + ".join(sorted(combo)) for combo in policy.high_combos if combo <= rules]
    reasons = [f"同时存在 {combo}" for combo in high]
    if any(f.rule == "LD01" and f.severity == "high" for f in found):
        reasons.append("近期欠薪投诉线索集中（LD01 较强：≥ 3 件或 ≥ 10 人）")
    if reasons:
        return RiskLevel.HIGH, tuple(reasons)
    medium = sorted(r for r in rules if r.startswith(policy.medium_prefixes))
    if medium:
        return RiskLevel.MEDIUM, (f"存在工资支付风险：{'、'.join(medium)}",)
    return RiskLevel.LOW, (f"仅有管理性问题：{'、'.join(sorted(rules))}",)


def finding_points(f: OpenFinding, day: dt.date, policy: Policy) -> float:
    """One finding's contribution to the score (before the festival factor)."""
    weight = policy.weights.get(f.rule, policy.default_weight)
    severity = SEVERITY_FACTOR.get(f.severity, 1.0)
    workers = max(f.workers or 0, 0)
    amount = max(f.amount_fen or 0, 0)
    size = (
        1.0
        + 0.5 * min(1.0, math.log1p(workers) / math.log1p(SIZE_WORKERS))
        + 0.5 * min(1.0, math.log1p(amount / 100) / math.log1p(SIZE_AMOUNT_FEN / 100))
    )
    age = (day - f.opened_on).days if f.opened_on is not None else policy.fresh_days
    fresh = 1.0 + policy.fresh_bonus * max(0.0, 1.0 - age / policy.fresh_days)
    return weight * severity * size * fresh


def score_of(findings: Iterable[OpenFinding], day: dt.date, policy: Policy) -> int:
    points = sum(finding_points(f, day, policy) for f in findings)
    if in_festival_window(day, policy):
        points *= policy.festival_factor
    return int(round(100 * (1 - math.exp(-points / policy.score_scale))))


def assess(findings: Iterable[OpenFinding], day: dt.date, policy: Policy) -> Risk:
    found = list(findings)
    level, reasons = level_of(found, day, policy)
    return Risk(
        level=level,
        score=score_of(found, day, policy) if found else 0,
        reasons=reasons,
        rules=tuple(sorted({f.rule for f in found})),
        finding_ids=tuple(sorted(f.finding_id for f in found if f.finding_id is not None)),
    )


# --- suppression ------------------------------------------------------------------------


@dataclass(frozen=True)
class Quiet:
    """Rules on a subject that officials have dealt with: not counted until ``until_on``
    (inclusive) unless their evidence grows beyond ``baseline`` (workers, amount_fen) by
    more than ``growth_pct`` percent. ``finding_ids``, when given, limits it to those findings
    (a closed warning quiets the findings it was closed on, not later ones)."""

    rules: frozenset[str]
    until_on: dt.date
    baseline: Mapping[str, tuple[int, int]]
    growth_pct: int
    finding_ids: frozenset[int] | None = None

    def silences(self, f: OpenFinding, day: dt.date) -> bool:
        if day > self.until_on or f.rule not in self.rules:
            return False
        if self.finding_ids is not None and f.finding_id not in self.finding_ids:
            return False
        workers, amount = self.baseline.get(f.rule, (0, 0))
        factor = 1 + self.growth_pct / 100
        grew = (f.workers or 0) > workers * factor or (f.amount_fen or 0) > amount * factor
        return not grew


def audible(findings: Iterable[OpenFinding], quiets: Iterable[Quiet], day: dt.date) -> list[OpenFinding]:
    """The findings that count on ``day``: those no active ``Quiet`` silences."""
    active = [q for q in quiets if day <= q.until_on]
    return [f for f in findings if not any(q.silences(f, day) for q in active)]
