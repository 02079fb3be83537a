"""warnings services: the daily step (risk → warnings → escalation → notices), officials' steps, reading.

``assess_day(D)`` is registered as a day step of the daily run (``monitoring.services.DAY_STEPS``):
it reads the findings open on D, grades every subject (``risk.assess``), stores the day's
``RiskDay`` rows, raises, raises the level of, or closes warnings, escalates the ones whose
deadline was missed, and fills the offices' inboxes (``notify_pending``). It is idempotent:
running D again gives the same rows. ``rewind(D)`` undoes what it derived from D on, for a
backfill, and refuses when officials have acted on a warning from D on.

Officials' steps (``start_verification`` … ``close_warning``, ``add_note``) run in a
transaction, take the acting official and a note, write a ``WarningEvent`` and an audit
entry, and raise a ``WarningError`` (Chinese message) when they may not happen.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections import defaultdict
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.db.models import Case as CaseWhen
from django.db.models import IntegerField, Q, QuerySet, Value, When

from anxin.core.audit import record
from anxin.core.bulk import insert_objects, update_objects
from anxin.core.calendar import WorkingCalendar
from anxin.core.choices import AuditAction, Role
from anxin.core.jurisdiction import jurisdiction_of
from anxin.core.models import Division, User
from anxin.monitoring.models import DailyRun, Finding
from anxin.monitoring.rules import RULES
from anxin.monitoring.services import DailyRunError
from anxin.registry.models import Enterprise, Project
from anxin.warnings import clocks
from anxin.warnings.choices import (
    ENDED,
    LEVEL_RANK,
    OFFICIAL_KINDS,
    EventKind,
    OfficeLevel,
    RiskLevel,
    WarningStatus,
)
from anxin.warnings.models import Notification, Quieting, RiskDay, Warning, WarningEvent
from anxin.warnings.risk import OpenFinding, Policy, Quiet, Risk, assess, audible

log = logging.getLogger(__name__)

PROVINCE_CODE = "350000"
SYSTEM_ACTOR = "系统（每日监测）"
MEDIUM = LEVEL_RANK[RiskLevel.MEDIUM]
HIGH = LEVEL_RANK[RiskLevel.HIGH]
URGENT = LEVEL_RANK[RiskLevel.URGENT]

#: ``anxin export warnings`` (FEEDS.md), one row per warning.
EXPORT_HEADER = [
    "warning_id", "subject_type", "subject_id", "region_code", "level", "raised_on", "high_on", "urgent_on",
    "closed_on", "rules", "score", "status",
]  # fmt: skip


class WarningError(Exception):
    """A step on a warning cannot proceed; the message is for the official (Chinese)."""


class NotAllowed(WarningError):
    """The acting user may not do this to this warning."""


class InvalidStep(WarningError):
    """The warning is not in a state that allows this step, or the input is incomplete."""


# --- the platform's today -------------------------------------------------------------------


def business_day() -> dt.date:
    """The day officials act on: today, but never more than a day past the latest daily run
    (a replayed or demo province lives in its own time; clocks count from its data)."""
    today = dt.date.today()
    last = DailyRun.objects.order_by("-as_of").values_list("as_of", flat=True).first()
    return today if last is None else min(today, last + dt.timedelta(days=1))


# --- where a warning goes --------------------------------------------------------------------


class _Divisions:
    """The divisions' names, cities and counties, read once for a day step (raising a few hundred
    warnings asked the database for them a thousand times)."""

    def __init__(self) -> None:
        rows = list(Division.objects.values_list("code", "name", "city_code", "level"))
        self.names = {code: name for code, name, _, _ in rows}
        self.cities = {code: city for code, _, city, _ in rows}
        self.counties = {code for code, _, _, level in rows if level == "county"}


#: Set while a day step runs (``_divisions_read_once``); otherwise every call asks the database.
_DIVISIONS: _Divisions | None = None


@contextmanager
def _divisions_read_once() -> Iterator[None]:
    global _DIVISIONS
    outer = _DIVISIONS
    _DIVISIONS = _Divisions()
    try:
        yield
    finally:
        _DIVISIONS = outer


def _counties() -> set[str]:
    if _DIVISIONS is not None:
        return _DIVISIONS.counties
    return set(Division.objects.filter(level="county").values_list("code", flat=True))


def city_of(county: str) -> str:
    if _DIVISIONS is not None:
        return _DIVISIONS.cities.get(county) or ""
    return Division.objects.filter(code=county).values_list("city_code", flat=True).first() or ""


def dispatch_regions(keys: Iterable[tuple[str, str]], day: dt.date) -> dict[tuple[str, str], str]:
    """The county whose office must act on each subject: a project's county; an enterprise's
    registered county, or, for one registered outside the province, the county of most of its
    active projects; "" (the province's queue) when there is none. A few queries for all of them
    (a day raises hundreds of warnings)."""
    keys = list(keys)
    counties = _counties()
    project_ids = sorted({sid for kind, sid in keys if kind == "project"})
    enterprise_ids = sorted({sid for kind, sid in keys if kind != "project"})
    project_region: dict[str, str] = {}
    for i in range(0, len(project_ids), 900):
        rows = Project.objects.as_of(day).filter(project_code__in=project_ids[i : i + 900])
        for code, region in rows.values_list("project_code", "region_code"):
            project_region.setdefault(code, region)  # the first version in the model's order
    enterprise_region: dict[str, str] = {}
    for i in range(0, len(enterprise_ids), 900):
        rows = Enterprise.objects.as_of(day).filter(uscc__in=enterprise_ids[i : i + 900])
        for uscc, region in rows.values_list("uscc", "region_code"):
            enterprise_region.setdefault(uscc, region)
    # Registered outside the province: the county of most of its active projects (ties: the lower code).
    outside = [uscc for uscc in enterprise_ids if enterprise_region.get(uscc) not in counties]
    busiest: dict[str, str] = {}
    for i in range(0, len(outside), 400):
        chunk = outside[i : i + 400]
        tally: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
        rows = Project.objects.as_of(day).filter(
            Q(contractor_uscc__in=chunk) | Q(builder_uscc__in=chunk), region_code__in=counties
        )
        wanted = set(chunk)
        for contractor, builder, region in rows.values_list("contractor_uscc", "builder_uscc", "region_code"):
            for uscc in {contractor, builder} & wanted:
                tally[uscc][region] += 1
        for uscc, by_region in tally.items():
            busiest[uscc] = min(by_region, key=lambda region: (-by_region[region], region))
    out: dict[tuple[str, str], str] = {}
    for kind, sid in keys:
        if kind == "project":
            region = project_region.get(sid)
            out[(kind, sid)] = region if region in counties else ""
        else:
            region = enterprise_region.get(sid)
            out[(kind, sid)] = str(region) if region in counties else busiest.get(sid, "")
    return out


def subject_names(keys: Iterable[tuple[str, str]]) -> dict[tuple[str, str], str]:
    keys = list(keys)
    projects = [sid for kind, sid in keys if kind == "project"]
    enterprises = [sid for kind, sid in keys if kind == "enterprise"]
    names: dict[tuple[str, str], str] = {}
    for code, name in Project.objects.current().filter(project_code__in=projects).values_list("project_code", "name"):
        names[("project", code)] = name
    for uscc, name in Enterprise.objects.current().filter(uscc__in=enterprises).values_list("uscc", "name"):
        names[("enterprise", uscc)] = name
    return names


def office_name(code: str) -> str:
    if not code:
        return ""
    if _DIVISIONS is not None:
        name = _DIVISIONS.names.get(code) or code
    else:
        name = Division.objects.filter(code=code).values_list("name", flat=True).first() or code
    return f"{name}人社部门" if code != PROVINCE_CODE else "省人力资源和社会保障厅"


# --- the daily step ----------------------------------------------------------------------------


def _quiets_on(day: dt.date) -> dict[tuple[str, str], list[Quiet]]:
    growth = settings.ANXIN_WARNING_EVIDENCE_GROWTH_PCT
    out: dict[tuple[str, str], list[Quiet]] = defaultdict(list)
    for q in Quieting.objects.filter(from_on__lte=day, until_on__gte=day):
        out[(q.subject_type, q.subject_id)].append(
            Quiet(
                rules=frozenset(q.rules),
                until_on=q.until_on,
                baseline={rule: (int(v[0] or 0), int(v[1] or 0)) for rule, v in q.baseline.items()},
                growth_pct=growth,
                finding_ids=None if q.finding_ids is None else frozenset(q.finding_ids),
            )
        )
    return out


def risks_on(
    day: dt.date, policy: Policy | None = None
) -> tuple[dict[tuple[str, str], Risk], dict[tuple[str, str], str]]:
    """Every subject's risk on ``day`` from the findings open then (quieted ones left out),
    and each subject's county as the findings record it."""
    policy = policy or Policy.from_settings()
    by_subject: dict[tuple[str, str], list[OpenFinding]] = defaultdict(list)
    regions: dict[tuple[str, str], str] = {}
    for pk, rule, kind, sid, region, severity, workers, amount, opened in Finding.objects.open_on(day).values_list(
        "pk", "rule", "subject_type", "subject_id", "region_code", "severity", "workers", "amount_fen", "opened_on"
    ):
        by_subject[(kind, sid)].append(OpenFinding(rule, severity, workers, amount, opened, pk))
        regions[(kind, sid)] = regions.get((kind, sid)) or region
    quiets = _quiets_on(day)
    risks = {}
    for key, found in by_subject.items():
        risk = assess(audible(found, quiets.get(key, []), day), day, policy)
        if risk.level:
            risks[key] = risk
    return risks, regions


def assess_day(day: dt.date) -> dict[str, int]:
    """The day step: grade every subject, move the warnings on, escalate, notify. Idempotent."""
    with _divisions_read_once():
        return _assess_day(day)


def _assess_day(day: dt.date) -> dict[str, int]:
    cal = clocks.deadline_calendar(day)
    risks, regions = risks_on(day)
    counts = {"raised": 0, "escalated": 0, "closed": 0}
    with transaction.atomic():
        RiskDay.objects.filter(as_of=day).delete()
        insert_objects(
            [
                RiskDay(
                    as_of=day,
                    subject_type=kind,
                    subject_id=sid,
                    region_code=regions.get((kind, sid), ""),
                    level=risk.level,
                    score=risk.score,
                    rules=list(risk.rules),
                    reasons=list(risk.reasons),
                )
                for (kind, sid), risk in sorted(risks.items())
            ]
        )
        open_now = {(w.subject_type, w.subject_id): w for w in Warning.objects.open().filter(raised_on__lte=day)}
        to_raise = [key for key, risk in risks.items() if LEVEL_RANK[risk.level] >= MEDIUM and key not in open_now]
        counts["raised"] = _raise_all(sorted(to_raise), risks, day, cal)
        quiet_days: list[Warning] = []  # warnings whose day changed only their current fields
        links: dict[int, set[int]] = {}
        for key, warning in open_now.items():
            risk = risks.get(key)
            if risk is not None and LEVEL_RANK[risk.level] >= MEDIUM:
                if not _carry(warning, risk, day, cal):
                    quiet_days.append(warning)
                links[warning.pk] = set(risk.finding_ids)
            elif _cool(warning, risk, day):
                counts["closed"] += 1
            else:
                quiet_days.append(warning)
        update_objects(quiet_days, DAILY_FIELDS)
        _link_findings(links)
        counts["escalated"] = _escalate(day, cal)
    notify_pending()
    return counts


def _event(warning: Warning, kind: EventKind, on: dt.date, **fields: Any) -> WarningEvent:
    """Record the event at once (``_new_event``'s keywords: ``actor``, ``note``, ``detail``)."""
    event = _new_event(warning, kind, on, **fields)
    event.save()
    return event


def _new_event(
    warning: Warning,
    kind: EventKind,
    on: dt.date,
    *,
    actor: User | None = None,
    note: str = "",
    detail: dict[str, Any] | None = None,
) -> WarningEvent:
    """The event as ``_event`` records it, not saved yet (the day step saves its events in bulk)."""
    return WarningEvent(
        warning=warning,
        kind=kind,
        on=on,
        actor=actor,
        actor_name=(actor.display_name or actor.get_username()) if actor else SYSTEM_ACTOR,
        level=warning.current_level or warning.level,
        status=warning.status,
        note=note,
        detail=detail or {},
    )


def _verify_due(on: dt.date, level: str, cal: WorkingCalendar) -> dt.date:
    return clocks.verify_due(on, level, cal, settings.ANXIN_WARNING_VERIFY_DAYS)


def _raise_all(
    keys: list[tuple[str, str]], risks: dict[tuple[str, str], Risk], day: dt.date, cal: WorkingCalendar
) -> int:
    """Raise a warning on each subject (in ``keys``' order), dispatched to its office, with its
    findings and its RAISED and DISPATCHED events: a few statements for the lot (a day of a
    backfill raises hundreds; one by one took ten queries each)."""
    if not keys:
        return 0
    names = subject_names(keys)
    regions = dispatch_regions(keys, day)
    warnings = []
    for key in keys:
        kind, sid = key
        risk, region = risks[key], regions[key]
        rank = LEVEL_RANK[risk.level]
        warnings.append(
            Warning(
                subject_type=kind,
                subject_id=sid,
                subject_name=names.get(key, ""),
                region_code=region,
                office_level=OfficeLevel.COUNTY if region else OfficeLevel.PROVINCE,
                office_code=region or PROVINCE_CODE,
                level=risk.level,
                current_level=risk.level,
                score=risk.score,
                current_score=risk.score,
                raised_on=day,
                high_on=day if rank >= HIGH else None,
                urgent_on=day if rank >= URGENT else None,
                last_assessed_on=day,
                rules=list(risk.rules),
                current_rules=list(risk.rules),
                reasons=list(risk.reasons),
                verify_due_on=_verify_due(day, risk.level, cal),
            )
        )
    # The primary keys come back from the INSERT (RETURNING, on SQLite ≥ 3.35 and PostgreSQL).
    Warning.objects.bulk_create(warnings, batch_size=500)
    for warning in warnings:
        warning.warning_no = f"YJ{day.year}-{warning.pk:06d}"
    update_objects(warnings, ["warning_no"])
    through = Warning.findings.through
    through.objects.bulk_create(
        [
            through(warning_id=warning.pk, finding_id=f)
            for warning, key in zip(warnings, keys, strict=True)
            for f in sorted(set(risks[key].finding_ids))
        ],
        batch_size=1000,
    )
    events = []
    for warning, key in zip(warnings, keys, strict=True):
        risk = risks[key]
        events.append(
            _new_event(
                warning,
                EventKind.RAISED,
                day,
                detail={
                    "level": risk.level,
                    "score": risk.score,
                    "rules": list(risk.rules),
                    "reasons": list(risk.reasons),
                },
            )
        )
        events.append(
            _new_event(
                warning,
                EventKind.DISPATCHED,
                day,
                detail={
                    "office_code": warning.office_code,
                    "office": office_name(warning.office_code),
                    "verify_due_on": warning.verify_due_on.isoformat() if warning.verify_due_on else None,
                },
            )
        )
    WarningEvent.objects.bulk_create(events, batch_size=500)
    return len(warnings)


#: What an ordinary day changes on an open warning (written for all of them in one statement).
DAILY_FIELDS = [
    "current_level",
    "current_score",
    "current_rules",
    "reasons",
    "score",
    "rules",
    "cleared_since",
    "last_assessed_on",
]


def _carry(warning: Warning, risk: Risk, day: dt.date, cal: WorkingCalendar) -> bool:
    """A day at medium or above on an open warning: keep its identity, record a rise in level.

    Returns True when the warning was saved here (its level rose); otherwise only
    ``DAILY_FIELDS`` changed and the caller writes them with the other warnings'."""
    rank, before = LEVEL_RANK[risk.level], LEVEL_RANK[warning.level]
    warning.current_level, warning.current_score = risk.level, risk.score
    warning.current_rules, warning.reasons = list(risk.rules), list(risk.reasons)
    warning.score = max(warning.score, risk.score)
    warning.rules = sorted(set(warning.rules) | set(risk.rules))
    warning.cleared_since = None
    warning.last_assessed_on = day
    if rank <= before:
        return False
    previous = warning.level
    warning.level = risk.level
    if rank >= HIGH and warning.high_on is None:
        warning.high_on = day
    if rank >= URGENT and warning.urgent_on is None:
        warning.urgent_on = day
    if warning.status in (WarningStatus.PENDING, WarningStatus.VERIFYING):
        nearer = _verify_due(day, risk.level, cal)
        warning.verify_due_on = min(warning.verify_due_on or nearer, nearer)
    warning.save()
    _event(
        warning,
        EventKind.LEVEL_UP,
        day,
        detail={
            "from": previous,
            "level": risk.level,
            "score": risk.score,
            "rules": list(risk.rules),
            "reasons": list(risk.reasons),
            "verify_due_on": warning.verify_due_on.isoformat() if warning.verify_due_on else None,
        },
    )
    return True


def _link_findings(links: dict[int, set[int]]) -> None:
    """Add the findings behind each warning's day to its list (the ones not linked yet), in bulk:
    ``warning.findings.add`` asks the database twice per warning."""
    through = Warning.findings.through
    pks = list(links)
    have: set[tuple[int, int]] = set()
    for i in range(0, len(pks), 900):
        have.update(through.objects.filter(warning_id__in=pks[i : i + 900]).values_list("warning_id", "finding_id"))
    through.objects.bulk_create(
        [
            through(warning_id=w, finding_id=f)
            for w, findings in sorted(links.items())
            for f in sorted(findings)
            if (w, f) not in have
        ],
        batch_size=1000,
    )


def _cool(warning: Warning, risk: Risk | None, day: dt.date) -> bool:
    """A day below medium on an open warning; closes it (and saves it) once that has lasted the
    clear period, else only ``DAILY_FIELDS`` changed."""
    warning.current_level = risk.level if risk else ""
    warning.current_score = risk.score if risk else 0
    warning.current_rules = list(risk.rules) if risk else []
    warning.reasons = list(risk.reasons) if risk else []
    warning.last_assessed_on = day
    if warning.cleared_since is None:
        warning.cleared_since = day
    closing = (day - warning.cleared_since).days >= settings.ANXIN_WARNING_CLEAR_DAYS
    if closing:
        warning.status = WarningStatus.CLOSED
        warning.closed_on = day
        warning.save()
        _event(
            warning,
            EventKind.CLEARED,
            day,
            detail={"cleared_since": warning.cleared_since.isoformat(), "days": settings.ANXIN_WARNING_CLEAR_DAYS},
        )
    return closing


def _escalate(day: dt.date, cal: WorkingCalendar) -> int:
    """Walk overdue warnings up the ladder: the city's attention, then the province's 挂牌督办."""
    ladder = settings.ANXIN_WARNING_ESCALATION
    overdue = Warning.objects.open().filter(
        Q(status__in=[WarningStatus.PENDING, WarningStatus.VERIFYING], verify_due_on__lt=day)
        | Q(status__in=[WarningStatus.CONFIRMED, WarningStatus.HANDLING], handle_due_on__lt=day),
        raised_on__lte=day,
    )
    moved: list[Warning] = []
    events: list[WarningEvent] = []
    for warning in overdue:
        what, due = warning.running_deadline()
        assert due is not None
        late = clocks.working_days_late(due, day, cal)
        target = clocks.rung(late, ladder)
        detail = {"deadline": what, "due_on": due.isoformat(), "working_days_late": late}
        changed = False
        if target in ("city", "province") and warning.office_level == OfficeLevel.COUNTY:
            city = city_of(warning.region_code)
            if city and city != warning.region_code:  # 平潭 is its own city: no city rung
                warning.office_level, warning.office_code, warning.escalated_on = OfficeLevel.CITY, city, day
                events.append(_new_event(warning, EventKind.ESCALATED, day, detail={**detail, "office_code": city}))
                changed = True
        if target == "province" and not warning.supervised:
            warning.office_level, warning.office_code, warning.supervised = (
                OfficeLevel.PROVINCE,
                PROVINCE_CODE,
                True,
            )
            warning.escalated_on = warning.escalated_on or day
            events.append(
                _new_event(warning, EventKind.SUPERVISED, day, detail={**detail, "office_code": PROVINCE_CODE})
            )
            changed = True
        if changed:
            moved.append(warning)
    # In bulk: in a backfill nobody acts, so every warning climbs the ladder in time.
    update_objects(moved, ["office_level", "office_code", "escalated_on", "supervised"])
    WarningEvent.objects.bulk_create(events, batch_size=500)
    return len(events)


# --- undoing days for a backfill ------------------------------------------------------------------


def rewind(day: dt.date) -> None:
    """Forget what the step derived from ``day`` on; refuse if officials acted from ``day`` on."""
    acted = WarningEvent.objects.filter(on__gte=day, kind__in=OFFICIAL_KINDS)
    if acted.exists():
        first = acted.order_by("on").first()
        assert first is not None
        raise DailyRunError(
            f"{first.on} 起已有官员办理预警的记录（{acted.count()} 条），回放会抹去它们：请从 {first.on + dt.timedelta(days=1)} 之后开始回放"
        )
    RiskDay.objects.filter(as_of__gte=day).delete()
    Warning.objects.filter(raised_on__gte=day).delete()
    touched = list(Warning.objects.filter(last_assessed_on__gte=day))
    WarningEvent.objects.filter(on__gte=day).delete()
    Quieting.objects.filter(from_on__gte=day).delete()
    for warning in touched:
        _replay(warning, day)


def _replay(warning: Warning, day: dt.date) -> None:
    """Rebuild a warning's system fields from its events and risk days before ``day``."""
    events = list(warning.events.filter(on__lt=day).order_by("at", "id"))
    levels = [(e.on, e.detail.get("level", "")) for e in events if e.kind in (EventKind.RAISED, EventKind.LEVEL_UP)]
    warning.level = max((lvl for _on, lvl in levels), key=lambda lvl: LEVEL_RANK.get(lvl, 0))
    warning.high_on = next((on for on, lvl in levels if LEVEL_RANK.get(lvl, 0) >= HIGH), None)
    warning.urgent_on = next((on for on, lvl in levels if LEVEL_RANK.get(lvl, 0) >= URGENT), None)
    warning.verify_due_on = next(
        (
            dt.date.fromisoformat(e.detail["verify_due_on"])
            for e in reversed(events)
            if e.kind in (EventKind.DISPATCHED, EventKind.LEVEL_UP) and e.detail.get("verify_due_on")
        ),
        warning.verify_due_on,
    )
    last = events[-1]
    warning.status = last.status
    ends = {EventKind.CLEARED, EventKind.UNFOUNDED, EventKind.CLOSED}
    warning.closed_on = last.on if last.kind in ends else None
    warning.office_level = OfficeLevel.COUNTY if warning.region_code else OfficeLevel.PROVINCE
    warning.office_code = warning.region_code or PROVINCE_CODE
    warning.supervised, warning.escalated_on = False, None
    for e in events:
        if e.kind == EventKind.ESCALATED:
            warning.office_level, warning.office_code = OfficeLevel.CITY, e.detail["office_code"]
            warning.escalated_on = warning.escalated_on or e.on
        elif e.kind == EventKind.SUPERVISED:
            warning.office_level, warning.office_code, warning.supervised = OfficeLevel.PROVINCE, PROVINCE_CODE, True
            warning.escalated_on = warning.escalated_on or e.on
    days = list(
        RiskDay.objects.filter(
            subject_type=warning.subject_type,
            subject_id=warning.subject_id,
            as_of__gte=warning.raised_on,
            as_of__lt=day,
        ).order_by("as_of")
    )
    rising = [d for d in days if LEVEL_RANK[d.level] >= MEDIUM]
    warning.score = max((d.score for d in rising), default=warning.score)
    warning.rules = sorted({r for d in rising for r in d.rules})
    latest = days[-1] if days and days[-1].as_of == day - dt.timedelta(days=1) else None
    warning.current_level = latest.level if latest else ""
    warning.current_score = latest.score if latest else 0
    warning.current_rules = list(latest.rules) if latest else []
    warning.reasons = list(latest.reasons) if latest else []
    last_rising = rising[-1].as_of if rising else warning.raised_on
    warning.cleared_since = None if last_rising >= day - dt.timedelta(days=1) else last_rising + dt.timedelta(days=1)
    warning.last_assessed_on = day - dt.timedelta(days=1)
    warning.save()


# --- notices ---------------------------------------------------------------------------------------

NOTIFY_KINDS = (EventKind.RAISED, EventKind.LEVEL_UP, EventKind.ESCALATED, EventKind.SUPERVISED, EventKind.CLEARED)


def recipients(warning: Warning, event: WarningEvent) -> list[str]:
    """The offices (division codes) told of an event: the office in charge; the city too when
    urgent or escalated; the province, the city and the county when it is listed (挂牌督办)."""
    county = warning.region_code
    city = city_of(county) if county else ""
    offices = [event.detail.get("office_code") or warning.office_code]
    if event.kind in (EventKind.RAISED, EventKind.LEVEL_UP, EventKind.CLEARED):
        offices = [county or PROVINCE_CODE]
        if event.detail.get("level") == RiskLevel.URGENT and city:
            offices.append(city)
    elif event.kind == EventKind.ESCALATED:
        offices = [city, county]
    elif event.kind == EventKind.SUPERVISED:
        offices = [PROVINCE_CODE, city, county]
    seen: list[str] = []
    for code in offices:
        if code and code not in seen:
            seen.append(code)
    return seen


def _notice_text(warning: Warning, event: WarningEvent) -> tuple[str, str]:
    level = RiskLevel(event.level).label if event.level else ""
    subject = f"{warning.subject_name or warning.subject_id}（{warning.subject_id}）"
    title = f"【{level}风险】{event.get_kind_display()}：{subject}"
    lines = [
        f"预警编号：{warning.warning_no}",
        f"对象：{subject}",
        f"风险等级：{level}，分值 {warning.current_score or warning.score}",
        f"涉及规则：{'、'.join(f'{c} {RULES[c].title}' if c in RULES else c for c in warning.current_rules or warning.rules)}",
    ]
    if warning.reasons:
        lines.append(f"定级理由：{'；'.join(warning.reasons)}")
    what, due = warning.running_deadline()
    if due is not None:
        lines.append(f"{'核实' if what == 'verify' else '处置'}期限：{due.isoformat()}")
    lines.append(f"承办机构：{office_name(warning.office_code)}")
    lines.append(f"请登录安薪平台办理：{settings.ANXIN_PUBLIC_BASE_URL}/warnings/{warning.warning_no}/")
    return title[:200], "\n".join(lines)


def _office_emails(code: str) -> list[str]:
    officers = (Role.PROVINCE_OFFICER, Role.CITY_OFFICER, Role.COUNTY_OFFICER)
    return sorted(
        set(
            User.objects.filter(organisation__division_id=code, role__in=officers, is_active=True)
            .exclude(email="")
            .values_list("email", flat=True)
        )
    )


def notify_pending() -> int:
    """Put every un-noticed event into its offices' inboxes and e-mail each notice once.

    Idempotent: one ``Notification`` per (event, office), and ``emailed_at`` marks a notice
    done (with the addresses it went to; none when the office has no officer with an e-mail).
    """
    with _divisions_read_once():
        return _notify_pending()


def _notify_pending() -> int:
    created = 0
    pending = (
        WarningEvent.objects.filter(kind__in=NOTIFY_KINDS, notifications__isnull=True)
        .select_related("warning")
        .order_by("id")
    )
    notices: list[Notification] = []
    for event in pending:
        title, body = _notice_text(event.warning, event)
        notices.extend(
            Notification(office_code=code, warning=event.warning, event=event, title=title, body=body)
            for code in recipients(event.warning, event)
        )
    Notification.objects.bulk_create(notices, ignore_conflicts=True, batch_size=500)
    created += len(notices)
    emails: dict[str, list[str]] = {}
    nobody: list[int] = []  # notices of offices with no officer to e-mail: marked done together
    for pk, office_code, title, body in (
        Notification.objects.filter(emailed_at__isnull=True)
        .order_by("id")
        .values_list("pk", "office_code", "title", "body")
    ):
        if office_code not in emails:
            emails[office_code] = _office_emails(office_code)
        to = emails[office_code]
        if not to:
            nobody.append(pk)
            continue
        send_mail(title, body, settings.ANXIN_WARNING_MAIL_FROM, to)
        # Marked as soon as it is sent: a failure later on sends none of these again.
        Notification.objects.filter(pk=pk, emailed_at__isnull=True).update(emailed_at=dt.datetime.now(), email_to=to)
    for i in range(0, len(nobody), 900):
        Notification.objects.filter(pk__in=nobody[i : i + 900], emailed_at__isnull=True).update(
            emailed_at=dt.datetime.now(), email_to=[]
        )
    return created


def inbox_for(user: Any) -> QuerySet[Notification]:
    """The notices addressed to the user's own office (an officer's organisation)."""
    org = getattr(user, "organisation", None)
    role = getattr(user, "role", "")
    if org is None or role not in (Role.PROVINCE_OFFICER, Role.CITY_OFFICER, Role.COUNTY_OFFICER):
        return Notification.objects.none()
    return Notification.objects.filter(office_code=org.division_id).select_related("warning")


def mark_read(user: User, ids: Iterable[int]) -> int:
    return (
        inbox_for(user).filter(pk__in=list(ids), read_at__isnull=True).update(read_at=dt.datetime.now(), read_by=user)
    )


# --- officials' steps -----------------------------------------------------------------------------

OFFICER_ROLES = (Role.PROVINCE_OFFICER, Role.CITY_OFFICER, Role.COUNTY_OFFICER)


def can_act(user: Any, warning: Warning) -> bool:
    """Officers whose jurisdiction covers the warning's county (the province for its own queue)."""
    if getattr(user, "role", "") not in OFFICER_ROLES:
        return False
    where = jurisdiction_of(user)
    return where.everything or where.covers_county(warning.region_code)


def _note(note: str, what: str = "办理说明") -> str:
    note = (note or "").strip()
    if len(note) < 2:
        raise InvalidStep(f"请填写{what}")
    return note


def _step(
    warning: Warning,
    user: User,
    note: str,
    *,
    kind: EventKind,
    allowed_from: tuple[str, ...],
    to: str | None,
    on: dt.date | None,
    wrong_state: str,
) -> Warning:
    note = _note(note)
    day = on or business_day()
    with transaction.atomic():
        warning = Warning.objects.select_for_update().get(pk=warning.pk)
        if not can_act(user, warning):
            raise NotAllowed("您无权办理该预警（仅辖区内的劳动保障监察人员可以办理）")
        if warning.status not in allowed_from:
            raise InvalidStep(wrong_state)
        if day < warning.raised_on:
            raise InvalidStep("办理日期不能早于预警生成日期")
        detail: dict[str, Any] = {"from": warning.status}
        if to is not None:
            warning.status = to
        if kind == EventKind.CONFIRMED:
            warning.confirmed_on = day
            warning.handle_due_on = clocks.handle_due(
                day, clocks.deadline_calendar(day), settings.ANXIN_WARNING_HANDLE_DAYS
            )
            detail["handle_due_on"] = warning.handle_due_on.isoformat()
        if kind in (EventKind.UNFOUNDED, EventKind.CLOSED):
            warning.closed_on = day
            detail["quiet_until"] = _quiet(warning, day, kind).until_on.isoformat()
        warning.save()
        _event(warning, kind, day, actor=user, note=note, detail=detail)
        record(
            user,
            AuditAction.UPDATE,
            object_type="warnings.Warning",
            object_id=warning.warning_no or str(warning.pk),
            reason=note,
            detail={"step": str(kind), **detail},
        )
    return warning


def _quiet(warning: Warning, day: dt.date, kind: EventKind) -> Quieting:
    """不属实: the warning's rules on the subject stop counting for the suppression period;
    已办结: the findings it was closed on stop counting for a short quiet period. In both, a
    rule counts again as soon as its evidence grows (ANXIN_WARNING_EVIDENCE_GROWTH_PCT)."""
    open_findings = list(
        Finding.objects.open_on(day).filter(subject_type=warning.subject_type, subject_id=warning.subject_id)
    )
    baseline: dict[str, list[int]] = {}
    for f in open_findings:
        workers, amount = baseline.get(f.rule, [0, 0])
        baseline[f.rule] = [max(workers, f.workers or 0), max(amount, f.amount_fen or 0)]
    if kind == EventKind.UNFOUNDED:
        days, ids = settings.ANXIN_WARNING_UNFOUNDED_SUPPRESS_DAYS, None
        rules = sorted(set(warning.current_rules or warning.rules))
    else:
        days, ids = settings.ANXIN_WARNING_CLOSED_QUIET_DAYS, sorted(f.pk for f in open_findings)
        rules = sorted({f.rule for f in open_findings})
    return Quieting.objects.create(
        subject_type=warning.subject_type,
        subject_id=warning.subject_id,
        rules=rules,
        from_on=day,
        until_on=day + dt.timedelta(days=days),
        baseline=baseline,
        finding_ids=ids,
        warning=warning,
        reason=kind,
    )


@dataclass(frozen=True)
class Transition:
    """One step officials take: the event it writes, the states it may start from, the state it leads to."""

    kind: EventKind
    allowed_from: tuple[str, ...]
    to: str | None
    wrong_state: str


#: The handling states: 待核实 → 核实中 → 属实 / 不属实 → 处置中 → 已办结; a note at any time.
TRANSITIONS: dict[str, Transition] = {
    "verify": Transition(
        EventKind.VERIFYING, (WarningStatus.PENDING,), WarningStatus.VERIFYING, "只有待核实的预警才能开始核实"
    ),
    # 核实属实: the handling clock starts.
    "confirm": Transition(
        EventKind.CONFIRMED, (WarningStatus.VERIFYING,), WarningStatus.CONFIRMED, "请先开始核实，再确认核实结果"
    ),
    # 核实不属实: the warning ends and its rules stop counting on the subject for a while.
    "unfounded": Transition(
        EventKind.UNFOUNDED, (WarningStatus.VERIFYING,), WarningStatus.UNFOUNDED, "请先开始核实，再确认核实结果"
    ),
    "handle": Transition(
        EventKind.HANDLING, (WarningStatus.CONFIRMED,), WarningStatus.HANDLING, "只有核实属实的预警才能转入处置"
    ),
    "close": Transition(EventKind.CLOSED, (WarningStatus.HANDLING,), WarningStatus.CLOSED, "只有处置中的预警才能办结"),
    "note": Transition(EventKind.NOTE, tuple(WarningStatus.values), None, ""),
}


def take_step(name: str, warning: Warning, user: User, note: str, *, on: dt.date | None = None) -> Warning:
    """Take the officials' step ``name`` (a key of ``TRANSITIONS``) on a warning."""
    t = TRANSITIONS[name]
    return _step(
        warning, user, note, kind=t.kind, allowed_from=t.allowed_from, to=t.to, on=on, wrong_state=t.wrong_state
    )


def start_verification(warning: Warning, user: User, note: str, *, on: dt.date | None = None) -> Warning:
    return take_step("verify", warning, user, note, on=on)


def confirm_warning(warning: Warning, user: User, note: str, *, on: dt.date | None = None) -> Warning:
    return take_step("confirm", warning, user, note, on=on)


def mark_unfounded(warning: Warning, user: User, note: str, *, on: dt.date | None = None) -> Warning:
    return take_step("unfounded", warning, user, note, on=on)


def start_handling(warning: Warning, user: User, note: str, *, on: dt.date | None = None) -> Warning:
    return take_step("handle", warning, user, note, on=on)


def close_warning(warning: Warning, user: User, note: str, *, on: dt.date | None = None) -> Warning:
    return take_step("close", warning, user, note, on=on)


def add_note(warning: Warning, user: User, note: str, *, on: dt.date | None = None) -> Warning:
    return take_step("note", warning, user, note, on=on)


# --- reading -----------------------------------------------------------------------------------


def _counties_of_division(code: str) -> list[str]:
    division = Division.objects.filter(code=code).first()
    if division is None:
        return []
    if division.level == "county":
        return [code]
    if division.level == "city":
        return list(Division.objects.filter(level="county", city_code=code).values_list("code", flat=True))
    return list(Division.objects.filter(level="county").values_list("code", flat=True))


def search_warnings(
    qs: QuerySet[Warning],
    *,
    level: str = "",
    status: str = "",
    rule: str = "",
    division: str = "",
    overdue: str = "",
    supervised: str = "",
    q: str = "",
    today: dt.date | None = None,
) -> QuerySet[Warning]:
    """The queue's filters and order (overdue first, then level, score, age): one place for the
    list, its downloads and the API. ``status`` "" means open, "all" every warning."""
    today = today or business_day()
    if status == "all":
        pass
    elif status:
        qs = qs.filter(status=status)
    else:
        qs = qs.exclude(status__in=ENDED)
    if level:
        qs = qs.filter(level=level)
    if rule:
        qs = qs.filter(rules__icontains=f'"{rule.upper()}"')
    if division:
        qs = qs.filter(region_code__in=_counties_of_division(division))
    if supervised == "1":
        qs = qs.filter(supervised=True)
    if q:
        qs = qs.filter(Q(subject_id__icontains=q) | Q(subject_name__icontains=q) | Q(warning_no__icontains=q))
    overdue_q = Q(status__in=[WarningStatus.PENDING, WarningStatus.VERIFYING], verify_due_on__lt=today) | Q(
        status__in=[WarningStatus.CONFIRMED, WarningStatus.HANDLING], handle_due_on__lt=today
    )
    if overdue == "1":
        qs = qs.filter(overdue_q)
    return qs.annotate(
        overdue_rank=CaseWhen(When(overdue_q, then=Value(1)), default=Value(0), output_field=IntegerField()),
        level_rank=CaseWhen(
            *[When(level=lvl, then=Value(rank)) for lvl, rank in LEVEL_RANK.items() if lvl],
            default=Value(0),
            output_field=IntegerField(),
        ),
    ).order_by("-overdue_rank", "-level_rank", "-score", "raised_on", "id")


def _date(value: dt.date | None) -> str:
    return value.isoformat() if value else ""


def export_rows(warnings: Iterable[Warning]) -> Iterator[list[Any]]:
    for w in warnings:
        yield [
            w.warning_no,
            w.subject_type,
            w.subject_id,
            w.region_code,
            w.level,
            _date(w.raised_on),
            _date(w.high_on),
            _date(w.urgent_on),
            _date(w.closed_on),
            ";".join(sorted(w.rules)),
            w.score,
            w.status,
        ]


def write_export(path: Path, as_of: dt.date | None = None) -> int:
    """``anxin export warnings --out F.csv``: every warning, open or closed (FEEDS.md)."""
    from anxin.core.registries import write_contract_csv

    return write_contract_csv(path, EXPORT_HEADER, export_rows(Warning.objects.order_by("raised_on", "id").iterator()))


@dataclass(frozen=True)
class Clock:
    label: str
    due: dt.date
    done_on: dt.date | None
    left: int | None  # working days left (negative: late); None once done

    @property
    def provisional(self) -> bool:
        """Counted on a calendar year not yet announced (see ``clocks.deadline_calendar``)."""
        return clocks.is_provisional(self.due)

    @property
    def late(self) -> int:
        return max(-(self.left or 0), 0)

    @property
    def state(self) -> str:
        if self.done_on is not None:
            return "按期" if self.done_on <= self.due else "超期"
        return "超期" if self.left is not None and self.left < 0 else "进行中"


def clock_view(warning: Warning, today: dt.date | None = None) -> list[Clock]:
    """The warning's deadlines for display: verify, then handle, with working days left."""
    today = today or business_day()
    cal = clocks.deadline_calendar(today)
    out = []
    verified_on = next(
        (e.on for e in warning.events.all() if e.kind in (EventKind.CONFIRMED, EventKind.UNFOUNDED)), None
    )
    if warning.verify_due_on:
        ended = verified_on or (warning.closed_on if warning.status in ENDED else None)
        out.append(
            Clock(
                f"核实期限（{RiskLevel(warning.level).label}风险 {settings.ANXIN_WARNING_VERIFY_DAYS[warning.level.upper()]} 个工作日）",
                warning.verify_due_on,
                ended,
                None if ended else clocks.working_days_left(warning.verify_due_on, today, cal),
            )
        )
    if warning.handle_due_on:
        done = warning.closed_on if warning.status in ENDED else None
        out.append(
            Clock(
                f"处置期限（{settings.ANXIN_WARNING_HANDLE_DAYS} 个工作日）",
                warning.handle_due_on,
                done,
                None if done else clocks.working_days_left(warning.handle_due_on, today, cal),
            )
        )
    return out
