"""leads services: intake from every channel, de-duplication into cases, routing, handling.

One intake path (``intake_rows``) serves the ``leads`` feed (files and API, through
``store_leads`` registered in ``anxin.lake.services.STORES``) and the public complaint
form (``submit_complaint``). Every handling step (``accept_case`` … ``close_case``) runs
in a transaction, takes the acting official and a note, writes a ``CaseEvent`` row and an
audit entry, and raises a ``LeadError`` (with a Chinese message) when it may not happen.

Personal data: the complainant's name and phone are encrypted before they reach the
database and never written to logs, events, audit details or exports.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import logging
import secrets
from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, cast

from django.conf import settings
from django.db import transaction
from django.db.models import Count, F, Q, QuerySet, Sum
from django.db.models.functions import TruncMonth

from anxin.core import crypto
from anxin.core.audit import record
from anxin.core.calendar import UnknownCalendarYear, WorkingCalendar, default_calendar
from anxin.core.choices import AuditAction, Role
from anxin.core.jurisdiction import jurisdiction_of
from anxin.core.masking import mask_name, mask_phone
from anxin.core.models import Division, User
from anxin.leads import clocks
from anxin.leads.choices import (
    CaseStatus,
    Channel,
    EventKind,
    HandlingLevel,
    Outcome,
    RoutedBy,
    SupervisionLevel,
)
from anxin.leads.models import Case, CaseEvent, Lead, ProjectQr
from anxin.leads.names import normalise_name, periods_overlap, target_key
from anxin.leads.routing import Gazetteer, Routing, route
from anxin.registry.models import Enterprise, Project

if TYPE_CHECKING:
    import pyarrow as pa

    from anxin.lake.feeds import Feed
    from anxin.lake.services import Ingestor

#: The contract columns of the ``leads`` feed (FEEDS.md), in order.
CONTRACT_COLUMNS = (
    "lead_id", "channel", "received_at", "target_name", "target_uscc", "project_code", "region_code",
    "address", "complainant_name", "complainant_phone", "anonymous", "workers_involved", "amount_claimed",
    "period_from", "period_to", "description",
)  # fmt: skip

#: ``anxin export leads`` (FEEDS.md): one row per case, never the complainant's identity.
EXPORT_HEADER = [
    "case_no", "lead_ids", "channel", "received_at", "subject_id", "region_code", "routed_by", "status",
    "supervised", "accepted_on", "closed_on", "outcome", "recovered_fen", "workers_paid",
]  # fmt: skip

log = logging.getLogger(__name__)

NAME_AD = b"lead.complainant_name"
PHONE_AD = b"lead.complainant_phone"


class LeadError(Exception):
    """A use case of the leads app cannot proceed; the message is for the official (Chinese)."""


class NotAllowed(LeadError):
    """The acting user may not do this to this case."""


class InvalidStep(LeadError):
    """The case is not in a state that allows this step, or the input is incomplete."""


# --- intake -------------------------------------------------------------------------------


@dataclass
class IntakeCounts:
    accepted: int = 0
    updated: int = 0
    duplicates: int = 0
    leads: list[Lead] = field(default_factory=list)

    def as_tuple(self) -> tuple[int, int, int]:
        return self.accepted, self.updated, self.duplicates


def store_leads(ingestor: Ingestor, feed: Feed, accepted: pa.Table) -> tuple[int, int, int]:
    """``anxin.lake.services.STORES["leads"]``: store accepted feed rows; (accepted, updated, duplicates)."""
    counts = intake_rows(accepted.to_pylist(), batch=ingestor.batch)
    return counts.as_tuple()


def _hash_row(row: dict[str, Any]) -> str:
    canonical = {k: row.get(k) for k in CONTRACT_COLUMNS}
    digest = crypto.pseudonym(json.dumps(canonical, sort_keys=True, default=str, ensure_ascii=False))
    assert digest is not None
    return digest


def _text(value: Any) -> str:
    return "" if value is None else str(value).strip()


class _Registry:
    """What intake needs from the registry, read once per intake call."""

    def __init__(self, rows: list[dict[str, Any]]) -> None:
        codes = {r["project_code"] for r in rows if r.get("project_code")}
        self.project_region = dict(
            Project.objects.current().filter(project_code__in=codes).values_list("project_code", "region_code")
        )
        self._names: dict[str, set[str]] | None = None
        self._regions: dict[str, str] | None = None

    def _load_enterprises(self) -> None:
        names: dict[str, set[str]] = defaultdict(set)
        regions: dict[str, str] = {}
        for uscc, name, region in Enterprise.objects.current().values_list("uscc", "name", "region_code"):
            names[normalise_name(name)].add(uscc)
            regions[uscc] = region
        self._names, self._regions = names, regions

    def uscc_for_name(self, name: str) -> str:
        """The registry enterprise whose normalised name is this one's, if exactly one."""
        if self._names is None:
            self._load_enterprises()
        assert self._names is not None
        found = self._names.get(normalise_name(name), set())
        return next(iter(found)) if len(found) == 1 else ""

    def enterprise_region(self, uscc: str) -> str:
        if not uscc:
            return ""
        if self._regions is None:
            self._load_enterprises()
        assert self._regions is not None
        return self._regions.get(uscc, "")


def _lead_fields(row: dict[str, Any], reg: _Registry, gaz: Gazetteer) -> tuple[dict[str, Any], Routing]:
    anonymous = bool(row.get("anonymous"))
    # An anonymous complainant's name is not kept, even if a sender filled it in (条例 第九条).
    name = "" if anonymous else _text(row.get("complainant_name"))
    phone = _text(row.get("complainant_phone"))
    target_name = _text(row.get("target_name"))
    sent_uscc = _text(row.get("target_uscc")).upper()
    resolved_uscc = sent_uscc or reg.uscc_for_name(target_name)
    project_code = _text(row.get("project_code"))
    routing = route(
        gaz,
        project_region=reg.project_region.get(project_code),
        region_code=_text(row.get("region_code")),
        address=_text(row.get("address")),
        enterprise_region=reg.enterprise_region(resolved_uscc),
    )
    amount = row.get("amount_claimed")
    fields = {
        "received_at": row["received_at"],
        "target_name": target_name[:200],
        "target_uscc": resolved_uscc,
        "target_key": target_key(resolved_uscc, target_name),
        "project_code": project_code,
        "region_code": _text(row.get("region_code")),
        "address": _text(row.get("address"))[:300],
        "complainant_name_enc": crypto.encrypt(name, associated=NAME_AD) or "",
        "complainant_name_masked": mask_name(name),
        "complainant_phone_enc": crypto.encrypt(phone, associated=PHONE_AD) or "",
        "complainant_phone_masked": mask_phone(phone),
        "anonymous": anonymous,
        "workers_involved": row.get("workers_involved"),
        "amount_claimed_fen": None if amount is None else int(amount),
        "period_from": _text(row.get("period_from")),
        "period_to": _text(row.get("period_to")),
        "description": _text(row.get("description")),
        "routed_region_code": routing.region_code,
        "routed_by": routing.routed_by,
    }
    return fields, routing


def _event(
    case: Case,
    kind: EventKind,
    *,
    on: dt.date,
    actor: User | None = None,
    note: str = "",
    detail: dict[str, Any] | None = None,
) -> CaseEvent:
    return CaseEvent.objects.create(
        case=case,
        kind=kind,
        on=on,
        actor=actor if actor is not None and actor.pk else None,
        actor_name=str(actor) if actor is not None else "系统",
        note=note,
        detail=detail or {},
    )


def _find_case(fields: dict[str, Any]) -> Case | None:
    """The open case this lead belongs to under the de-duplication rule (docs/leads.md)."""
    window = dt.timedelta(days=settings.ANXIN_LEADS_DEDUPE_DAYS)
    received = fields["received_at"]
    candidates = (
        Case.objects.open()
        .filter(
            target_key=fields["target_key"],
            received_at__lte=received + window,
            last_received_at__gte=received - window,
        )
        .order_by("received_at", "id")
    )
    for case in candidates:
        if fields["project_code"] and case.project_code and fields["project_code"] != case.project_code:
            continue  # the same employer on another site is another matter
        if periods_overlap(case.period_from, case.period_to, fields["period_from"], fields["period_to"]):
            return case
    return None


def _min_period(a: str, b: str) -> str:
    return min(p for p in (a, b) if p) if (a or b) else ""


def _max_period(a: str, b: str) -> str:
    return max(p for p in (a, b) if p) if (a or b) else ""


def _new_case(fields: dict[str, Any], routing: Routing, channel: str, cal: WorkingCalendar) -> Case:
    received: dt.datetime = fields["received_at"]
    case = Case.objects.create(
        channel=channel,
        received_at=received,
        last_received_at=received,
        target_name=fields["target_name"],
        target_key=fields["target_key"],
        target_uscc=fields["target_uscc"],
        project_code=fields["project_code"],
        period_from=fields["period_from"],
        period_to=fields["period_to"],
        workers_involved=fields["workers_involved"],
        amount_claimed_fen=fields["amount_claimed_fen"],
        region_code=routing.region_code,
        routed_by=routing.routed_by,
        accept_due_on=_accept_due_or_none(received.date(), cal),
    )
    # A number from the database's own counter (the auto key): safe under concurrent intake.
    case.case_no = f"AX{received.year}-{case.pk:06d}"
    Case.objects.filter(pk=case.pk).update(case_no=case.case_no)
    return case


def _accept_due_or_none(received_on: dt.date, cal: WorkingCalendar) -> dt.date | None:
    """The acceptance deadline, or None while its year's holidays are not entered yet.

    A lead is never refused for that: it is stored, and ``fill_missing_deadlines`` sets the
    deadline once an administrator has entered the year (the calendar never guesses).
    """
    try:
        return clocks.accept_due(received_on, cal)
    except UnknownCalendarYear as exc:
        log.warning("acceptance deadline left open: calendar year %s is unknown", exc.year)
        return None


def fill_missing_deadlines() -> int:
    """Set the acceptance deadlines left open for an unknown calendar year; returns how many."""
    cal = default_calendar()
    filled = 0
    for case in Case.objects.filter(accept_due_on__isnull=True):
        due = _accept_due_or_none(case.received_at.date(), cal)
        if due is not None:
            Case.objects.filter(pk=case.pk).update(accept_due_on=due)
            filled += 1
    return filled


def _calendar_step(fn: Any, *args: Any, **kwargs: Any) -> dt.date:
    """A due date for a handling step; an unknown calendar year stops the step with its message."""
    try:
        return cast(dt.date, fn(*args, **kwargs))
    except UnknownCalendarYear as exc:
        raise InvalidStep(str(exc)) from exc


def _merge_into(case: Case, fields: dict[str, Any], routing: Routing) -> None:
    case.received_at = min(case.received_at, fields["received_at"])
    case.last_received_at = max(case.last_received_at, fields["received_at"])
    if case.period_from or case.period_to:
        if fields["period_from"] or fields["period_to"]:
            case.period_from = _min_period(case.period_from, fields["period_from"])
            case.period_to = _max_period(case.period_to, fields["period_to"])
    else:
        case.period_from, case.period_to = fields["period_from"], fields["period_to"]
    for name in ("workers_involved", "amount_claimed_fen"):
        values = [v for v in (getattr(case, name), fields[name]) if v is not None]
        setattr(case, name, max(values) if values else None)
    if not case.project_code and fields["project_code"]:
        case.project_code = fields["project_code"]
    if not case.target_uscc and fields["target_uscc"]:
        case.target_uscc = fields["target_uscc"]
    if case.routed_by == RoutedBy.MANUAL and not case.region_code and routing.automatic:
        case.region_code, case.routed_by = routing.region_code, routing.routed_by
    case.save()


def intake_rows(
    rows: Iterable[dict[str, Any]],
    *,
    batch: Any = None,
    lookup_hash: str | None = None,
    calendar: WorkingCalendar | None = None,
) -> IntakeCounts:
    """Store typed ``leads`` rows (key channel + lead_id): new -> accepted and merged into a
    case or a new case; identical re-send -> duplicate (no-op); changed -> updated.

    Within a batch the later file and line win for a key; leads are merged into cases in
    the order they were received.
    """
    rows = list(rows)
    counts = IntakeCounts()
    if not rows:
        return counts
    cal = calendar or default_calendar()
    gaz = Gazetteer.from_db()
    reg = _Registry(rows)
    by_key: dict[tuple[str, str], list[dict[str, Any]]] = defaultdict(list)
    for row in sorted(rows, key=lambda r: (r.get("_file") or "", r.get("_line") or 0)):
        by_key[(row["channel"], _text(row["lead_id"]))].append(row)
    ordered = sorted(by_key.items(), key=lambda kv: (min(r["received_at"] for r in kv[1]), kv[0]))
    with transaction.atomic():
        stored: dict[tuple[str, str], Lead] = {}
        ids = sorted({k[1] for k in by_key})
        for i in range(0, len(ids), 500):
            for known in Lead.objects.filter(lead_id__in=ids[i : i + 500]):
                stored[(known.channel, known.lead_id)] = known
        for (channel, lead_id), versions in ordered:
            for row in versions:
                digest = _hash_row(row)
                lead = stored.get((channel, lead_id))
                if lead is not None and lead.row_hash == digest:
                    counts.duplicates += 1
                    continue
                fields, routing = _lead_fields(row, reg, gaz)
                if lead is not None:
                    _update_lead(lead, fields, routing, digest, batch)
                    counts.updated += 1
                    continue
                case = _find_case(fields)
                if case is None:
                    case = _new_case(fields, routing, channel, cal)
                    kind, note = EventKind.RECEIVED, f"收到{Channel(channel).label}线索 {lead_id}"
                else:
                    _merge_into(case, fields, routing)
                    kind, note = EventKind.MERGED, f"合并{Channel(channel).label}线索 {lead_id}"
                created = Lead.objects.create(
                    channel=channel,
                    lead_id=lead_id,
                    case=case,
                    row_hash=digest,
                    batch=batch,
                    lookup_hash=lookup_hash,
                    **fields,
                )
                _event(
                    case,
                    kind,
                    on=fields["received_at"].date(),
                    note=note,
                    detail={
                        "lead": f"{channel}:{lead_id}",
                        "routed_by": str(routing.routed_by),
                        "region_code": routing.region_code,
                    },
                )
                stored[(channel, lead_id)] = created
                counts.accepted += 1
                counts.leads.append(created)
    log.debug(
        "leads intake: %d accepted, %d updated, %d duplicates", counts.accepted, counts.updated, counts.duplicates
    )
    return counts


def _update_lead(lead: Lead, fields: dict[str, Any], routing: Routing, digest: str, batch: Any) -> None:
    for name, value in fields.items():
        setattr(lead, name, value)
    lead.row_hash = digest
    lead.batch = batch or lead.batch
    lead.save()
    case = lead.case
    if case.status == CaseStatus.RECEIVED and case.leads.count() == 1:
        # A lone lead not yet acted on: the case follows its corrected facts.
        case.target_name, case.target_key, case.target_uscc = (
            fields["target_name"],
            fields["target_key"],
            fields["target_uscc"],
        )
        case.project_code = fields["project_code"]
        case.period_from, case.period_to = fields["period_from"], fields["period_to"]
        case.workers_involved, case.amount_claimed_fen = fields["workers_involved"], fields["amount_claimed_fen"]
        if case.routed_by != RoutedBy.MANUAL or routing.automatic:
            case.region_code, case.routed_by = routing.region_code, routing.routed_by
        case.save()
    _event(case, EventKind.UPDATED, on=dt.date.today(), note=f"线索 {lead.lead_id} 重新报送，内容有变化")


# --- the public form ----------------------------------------------------------------------

LOOKUP_ALPHABET = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ"
LOOKUP_LENGTH = 12


def new_lookup_code() -> str:
    """A random code of 12 characters (60 bits) the worker keeps to follow the complaint."""
    return "".join(secrets.choice(LOOKUP_ALPHABET) for _ in range(LOOKUP_LENGTH))


def normalise_lookup_code(code: str) -> str:
    return "".join(ch for ch in (code or "").upper() if ch.isalnum())


def lookup_hash(code: str) -> str:
    return hashlib.sha256(normalise_lookup_code(code).encode()).hexdigest()


def format_lookup_code(code: str) -> str:
    code = normalise_lookup_code(code)
    return "-".join(code[i : i + 4] for i in range(0, len(code), 4))


def submit_complaint(data: dict[str, Any], *, project_code: str = "") -> tuple[Lead, str]:
    """File a worker's complaint from the public form; returns the lead and its lookup code.

    ``data`` holds the form's cleaned contract fields (``target_name``, ``address``,
    ``region_code``, ``complainant_name``, ``complainant_phone``, ``anonymous``,
    ``workers_involved``, ``amount_claimed`` (fen), ``period_from``, ``period_to``,
    ``description``). A QR complaint (``project_code``) is channel ``qr_code``, else ``web``.
    """
    channel = Channel.QR_CODE if project_code else Channel.WEB
    now = dt.datetime.now().replace(microsecond=0)
    lead_id = f"AX{'QR' if project_code else 'WEB'}{now:%Y%m%d%H%M%S}{secrets.token_hex(3).upper()}"
    code = new_lookup_code()
    row = {name: data.get(name) for name in CONTRACT_COLUMNS}
    row.update(lead_id=lead_id, channel=channel, received_at=now, project_code=project_code or None)
    counts = intake_rows([row], lookup_hash=lookup_hash(code))
    lead = counts.leads[0]
    log.info("public complaint %s:%s filed as case %s", channel, lead_id, lead.case.case_no)
    record(
        None,
        AuditAction.CREATE,
        object_type="leads.Lead",
        object_id=f"{channel}:{lead_id}",
        actor_name="公众投诉",
        detail={"case_no": lead.case.case_no, "project_code": project_code},
    )
    return lead, code


def lead_for_code(code: str) -> Lead | None:
    if len(normalise_lookup_code(code)) < 10:
        return None
    return Lead.objects.select_related("case").filter(lookup_hash=lookup_hash(code)).first()


def qr_token_for(project_code: str) -> str:
    """The project's QR token, made on first use (random, 128 bits)."""
    qr = ProjectQr.objects.filter(project_code=project_code).first()
    if qr is None:
        qr, _ = ProjectQr.objects.get_or_create(
            project_code=project_code, defaults={"token": secrets.token_urlsafe(16)}
        )
    return qr.token


def complaint_url(project_code: str) -> str:
    return f"{settings.ANXIN_PUBLIC_BASE_URL}/c/{qr_token_for(project_code)}"


def project_for_token(token: str) -> Project | None:
    qr = ProjectQr.objects.filter(token=token).first()
    if qr is None:
        return None
    return cast(Project | None, Project.objects.current().filter(project_code=qr.project_code).first())


# --- handling -----------------------------------------------------------------------------

HANDLER_ROLES = {Role.COUNTY_OFFICER, Role.CITY_OFFICER, Role.PROVINCE_OFFICER}


def _role(user: Any) -> str:
    return getattr(user, "role", "") or ""


def city_of(region_code: str) -> str:
    return Division.objects.filter(code=region_code).values_list("city_code", flat=True).first() or ""


def can_handle(user: Any, case: Case) -> bool:
    """Officers whose jurisdiction covers the case; a handed-up case is the city's."""
    if _role(user) not in HANDLER_ROLES:
        return False
    where = jurisdiction_of(user)
    if not case.region_code:
        return where.everything
    if not where.covers_county(case.region_code):
        return False
    return not (case.handling_level == HandlingLevel.CITY and _role(user) == Role.COUNTY_OFFICER)


def can_supervise(user: Any, case: Case) -> bool:
    role = _role(user)
    if role == Role.PROVINCE_OFFICER:
        return jurisdiction_of(user).everything
    return (
        role == Role.CITY_OFFICER and bool(case.region_code) and jurisdiction_of(user).covers_county(case.region_code)
    )


def can_hand_up(user: Any, case: Case) -> bool:
    return (
        _role(user) == Role.COUNTY_OFFICER
        and case.handling_level == HandlingLevel.COUNTY
        and jurisdiction_of(user).covers_county(case.region_code)
    )


def can_reveal(user: Any, case: Case) -> bool:
    """Only the handling office's officers may see who complained (《劳动保障监察条例》第九条)."""
    org = getattr(user, "organisation", None)
    if org is None or not case.region_code:
        return False
    if case.handling_level == HandlingLevel.CITY:
        return _role(user) == Role.CITY_OFFICER and org.division_id == city_of(case.region_code)
    return _role(user) == Role.COUNTY_OFFICER and org.division_id == case.region_code


def _note(note: str, what: str = "办理说明") -> str:
    note = (note or "").strip()
    if len(note) < 2:
        raise InvalidStep(f"请填写{what}（至少2个字）")
    return note


def _locked(case: Case) -> Case:
    return Case.objects.select_for_update().get(pk=case.pk)


def _audit(user: User, case: Case, step: str, note: str, detail: dict[str, Any] | None = None) -> None:
    record(
        user,
        AuditAction.UPDATE,
        object_type="leads.Case",
        object_id=case.case_no or str(case.pk),
        reason=note,
        detail={"step": step, **(detail or {})},
    )


def _today(on: dt.date | None) -> dt.date:
    return on or dt.date.today()


def accept_case(case: Case, user: User, note: str, *, on: dt.date | None = None) -> Case:
    """受理: starts the 60-working-day clock (条例 第十七条)."""
    note = _note(note)
    day = _today(on)
    with transaction.atomic():
        case = _locked(case)
        if not can_handle(user, case):
            raise NotAllowed("您无权办理该案件")
        if case.status != CaseStatus.RECEIVED:
            raise InvalidStep(f"案件当前状态为“{case.get_status_display()}”，不能受理")
        if day < case.received_at.date():
            raise InvalidStep("受理日期不能早于线索接收日期")
        case.status = CaseStatus.ACCEPTED
        case.accepted_on = day
        case.finish_due_on = _calendar_step(clocks.finish_due, day, default_calendar())
        case.save()
        detail = {
            "accepted_on": day.isoformat(),
            "finish_due_on": case.finish_due_on.isoformat(),
            "on_time": case.accept_due_on is None or day <= case.accept_due_on,
        }
        _event(case, EventKind.ACCEPTED, on=day, actor=user, note=note, detail=detail)
        _audit(user, case, "accept", note, detail)
    return case


def start_investigation(case: Case, user: User, note: str, *, on: dt.date | None = None) -> Case:
    note = _note(note)
    day = _today(on)
    with transaction.atomic():
        case = _locked(case)
        if not can_handle(user, case):
            raise NotAllowed("您无权办理该案件")
        if case.status != CaseStatus.ACCEPTED:
            raise InvalidStep("只有已受理的案件才能转入调查处理")
        case.status = CaseStatus.INVESTIGATING
        case.save()
        _event(case, EventKind.INVESTIGATING, on=day, actor=user, note=note)
        _audit(user, case, "investigate", note)
    return case


def extend_case(case: Case, user: User, reason: str, *, on: dt.date | None = None) -> Case:
    """延期: once, by 30 working days, with a reason (条例 第十七条)."""
    reason = _note(reason, "延期理由")
    day = _today(on)
    with transaction.atomic():
        case = _locked(case)
        if not can_handle(user, case):
            raise NotAllowed("您无权办理该案件")
        if case.status not in (CaseStatus.ACCEPTED, CaseStatus.INVESTIGATING) or case.accepted_on is None:
            raise InvalidStep("只有已受理、未办结的案件才能延期")
        if case.extended:
            raise InvalidStep("办理期限只能延长一次")
        case.extended = True
        case.extension_reason = reason
        case.finish_due_on = _calendar_step(clocks.finish_due, case.accepted_on, default_calendar(), extended=True)
        case.save()
        detail = {"finish_due_on": case.finish_due_on.isoformat()}
        _event(case, EventKind.EXTENDED, on=day, actor=user, note=reason, detail=detail)
        _audit(user, case, "extend", reason, detail)
    return case


def close_case(
    case: Case,
    user: User,
    note: str,
    *,
    outcome: str,
    recovered_fen: int | None = None,
    workers_paid: int | None = None,
    on: dt.date | None = None,
) -> Case:
    """办结 with an outcome, the money recovered (fen) and the workers paid."""
    note = _note(note)
    day = _today(on)
    if outcome not in Outcome.values:
        raise InvalidStep("请选择办理结果")
    if (recovered_fen or 0) < 0 or (workers_paid or 0) < 0:
        raise InvalidStep("追回金额和受惠人数不能为负数")
    if outcome == Outcome.RECOVERED and not recovered_fen:
        raise InvalidStep("办理结果为“已追回”时，请填写追回金额")
    with transaction.atomic():
        case = _locked(case)
        if not can_handle(user, case):
            raise NotAllowed("您无权办理该案件")
        if case.status not in (CaseStatus.ACCEPTED, CaseStatus.INVESTIGATING) or case.accepted_on is None:
            raise InvalidStep("案件须先受理才能办结")
        if day < case.accepted_on:
            raise InvalidStep("办结日期不能早于受理日期")
        case.status = CaseStatus.CLOSED
        case.closed_on = day
        case.outcome = outcome
        case.recovered_fen = recovered_fen or 0
        case.workers_paid = workers_paid or 0
        case.save()
        detail = {
            "outcome": outcome,
            "recovered_fen": case.recovered_fen,
            "workers_paid": case.workers_paid,
            "on_time": case.finish_due_on is not None and day <= case.finish_due_on,
        }
        _event(case, EventKind.CLOSED, on=day, actor=user, note=note, detail=detail)
        _audit(user, case, "close", note, detail)
    return case


def supervise_case(
    case: Case, user: User, note: str, *, due_on: dt.date | None = None, on: dt.date | None = None
) -> Case:
    """挂牌督办 by a city (its own cases) or the province, with its own deadline."""
    note = _note(note, "督办要求")
    day = _today(on)
    with transaction.atomic():
        case = _locked(case)
        if not can_supervise(user, case):
            raise NotAllowed("只有市级或省级工作人员可以对本辖区案件挂牌督办")
        if case.status == CaseStatus.CLOSED:
            raise InvalidStep("案件已办结，无需督办")
        level = SupervisionLevel.PROVINCE if _role(user) == Role.PROVINCE_OFFICER else SupervisionLevel.CITY
        if case.supervised and (case.supervision_level == SupervisionLevel.PROVINCE or case.supervision_level == level):
            raise InvalidStep(f"该案件已由{case.get_supervision_level_display()}")
        due = due_on or _calendar_step(clocks.supervision_due, day, default_calendar())
        if due <= day:
            raise InvalidStep("督办期限应晚于今天")
        case.supervised = True
        case.supervision_level = level
        case.supervision_due_on = due
        case.save()
        detail = {"level": str(level), "due_on": due.isoformat()}
        _event(case, EventKind.SUPERVISED, on=day, actor=user, note=note, detail=detail)
        _audit(user, case, "supervise", note, detail)
    return case


def hand_up_case(case: Case, user: User, note: str, *, on: dt.date | None = None) -> Case:
    """上提: a county hands a hard case up to its city; the city handles it from then on."""
    note = _note(note, "上提理由")
    day = _today(on)
    with transaction.atomic():
        case = _locked(case)
        if not can_hand_up(user, case):
            raise NotAllowed("只有承办区县的工作人员可以将案件上提市级办理")
        if case.status == CaseStatus.CLOSED:
            raise InvalidStep("案件已办结，不能上提")
        case.handling_level = HandlingLevel.CITY
        case.save()
        detail = {"city_code": city_of(case.region_code)}
        _event(case, EventKind.HANDED_UP, on=day, actor=user, note=note, detail=detail)
        _audit(user, case, "hand_up", note, detail)
    return case


def assign_case(case: Case, user: User, note: str, region_code: str, *, on: dt.date | None = None) -> Case:
    """Manual routing from the province's queue (or re-routing a wrongly routed case)."""
    note = _note(note, "分派说明")
    day = _today(on)
    with transaction.atomic():
        case = _locked(case)
        if not (_role(user) == Role.PROVINCE_OFFICER and jurisdiction_of(user).everything):
            raise NotAllowed("只有省级工作人员可以人工分派案件")
        if not Division.objects.filter(code=region_code, level="county").exists():
            raise InvalidStep("请选择福建省的县级区划")
        if case.status == CaseStatus.CLOSED:
            raise InvalidStep("案件已办结，不能分派")
        case.region_code, case.routed_by = region_code, RoutedBy.MANUAL
        case.handling_level = HandlingLevel.COUNTY
        case.save()
        detail = {"region_code": region_code}
        _event(case, EventKind.ROUTED, on=day, actor=user, note=note, detail=detail)
        _audit(user, case, "assign", note, detail)
    return case


@dataclass(frozen=True)
class Complainant:
    lead_id: str
    channel: str
    name: str
    phone: str
    anonymous: bool


def reveal_complainants(case: Case, user: User, reason: str) -> list[Complainant]:
    """Decrypt who complained, for the handling office only, with a logged reason."""
    reason = (reason or "").strip()
    if len(reason) < 4:
        raise InvalidStep("查看投诉人信息须填写事由（至少4个字），该操作将记入审计日志")
    if not can_reveal(user, case):
        raise NotAllowed("投诉人信息仅对承办机构的办案人员开放（《劳动保障监察条例》第九条）")
    people = [
        Complainant(
            lead_id=lead.lead_id,
            channel=lead.get_channel_display(),
            name=crypto.decrypt(lead.complainant_name_enc, associated=NAME_AD) or "",
            phone=crypto.decrypt(lead.complainant_phone_enc, associated=PHONE_AD) or "",
            anonymous=lead.anonymous,
        )
        for lead in case.leads.order_by("received_at", "id")
    ]
    record(
        user,
        AuditAction.UNMASK,
        object_type="leads.Case",
        object_id=case.case_no or str(case.pk),
        reason=reason,
        detail={"fields": ["complainant_name", "complainant_phone"]},
    )
    return people


# --- reading ------------------------------------------------------------------------------


def clock_view(case: Case, today: dt.date | None = None) -> list[dict[str, Any]]:
    """The case's running clocks for display: label, due date, working days left, state."""
    today = today or dt.date.today()
    cal = default_calendar()
    out: list[dict[str, Any]] = []

    def add(label: str, due: dt.date | None, done_on: dt.date | None) -> None:
        if due is None:
            return
        if done_on is not None:
            state = "按期" if done_on <= due else "超期"
            out.append({"label": label, "due": due, "done_on": done_on, "state": state, "left": None, "late": 0})
        else:
            left = clocks.working_days_left(due, today, cal)
            out.append(
                {
                    "label": label,
                    "due": due,
                    "done_on": None,
                    "state": "超期" if left < 0 else "进行中",
                    "left": left,
                    "late": max(-left, 0),
                }
            )

    add("受理期限（5个工作日）", case.accept_due_on, case.accepted_on)
    add(
        "办结期限" + ("（已延长30个工作日）" if case.extended else "（60个工作日）"), case.finish_due_on, case.closed_on
    )
    if case.supervised:
        add(f"{case.get_supervision_level_display()}期限", case.supervision_due_on, case.closed_on)
    return out


@dataclass(frozen=True)
class SubjectCases:
    """Cases about one subject received in a window (for the monitoring rule LD01)."""

    subject_type: str  # "project" | "enterprise"
    subject_id: str
    cases: int
    workers: int
    case_nos: tuple[str, ...]


def cases_by_subject(as_of: dt.date, days: int = 30) -> list[SubjectCases]:
    """Per subject, the cases with a lead received in the ``days`` days up to ``as_of``.

    LD01 counts cases, not raw leads: merged leads count once. A case counts for its
    project (``project_code``) and for its target enterprise (``uscc``) when known. Only
    data dated on or before ``as_of`` is read (no look-ahead).
    """
    start = dt.datetime.combine(as_of - dt.timedelta(days=days - 1), dt.time.min)
    end = dt.datetime.combine(as_of + dt.timedelta(days=1), dt.time.min)
    case_ids = (
        Lead.objects.filter(received_at__gte=start, received_at__lt=end).values_list("case_id", flat=True).distinct()
    )
    found: dict[tuple[str, str], list[tuple[str, int]]] = defaultdict(list)
    for case_no, project_code, uscc, workers in Case.objects.filter(pk__in=case_ids).values_list(
        "case_no", "project_code", "target_uscc", "workers_involved"
    ):
        if project_code:
            found[("project", project_code)].append((case_no or "", workers or 0))
        if uscc:
            found[("enterprise", uscc)].append((case_no or "", workers or 0))
    return [
        SubjectCases(kind, sid, len(items), sum(w for _c, w in items), tuple(sorted(c for c, _w in items)))
        for (kind, sid), items in sorted(found.items())
    ]


@dataclass(frozen=True)
class RoutingRate:
    total: int
    automatic: int
    by_method: dict[str, int]

    @property
    def rate(self) -> float:
        return self.automatic / self.total if self.total else 0.0


def routing_rate(leads: QuerySet[Lead] | None = None) -> RoutingRate:
    """Share of leads routed automatically (anything but ``manual``)."""
    qs = Lead.objects.all() if leads is None else leads
    by_method = dict(qs.order_by().values_list("routed_by").annotate(n=Count("id")).values_list("routed_by", "n"))
    total = sum(by_method.values())
    return RoutingRate(total=total, automatic=total - by_method.get(RoutedBy.MANUAL, 0), by_method=by_method)


def search_cases(
    qs: QuerySet[Case],
    *,
    q: str = "",
    status: str = "",
    channel: str = "",
    division: str = "",
    supervised: str = "",
    overdue_first: bool = True,
    today: dt.date | None = None,
) -> QuerySet[Case]:
    """The case queue's filters (one place for the list, its downloads and the API)."""
    from django.db.models import Case as When_
    from django.db.models import IntegerField, Value, When

    from anxin.leads.models import overdue_q

    today = today or dt.date.today()
    if q:
        qs = qs.filter(
            Q(case_no__icontains=q)
            | Q(target_name__icontains=q)
            | Q(project_code__icontains=q)
            | Q(target_uscc__iexact=q)
            | Q(leads__lead_id__iexact=q)
        ).distinct()
    if status in CaseStatus.values:
        qs = qs.filter(status=status)
    if channel in Channel.values:
        qs = qs.filter(channel=channel)
    if division == "manual":
        qs = qs.filter(region_code="")
    elif division:
        qs = qs.filter(
            Q(region_code=division) | Q(region_code__in=Division.objects.filter(city_code=division).values("code"))
        )
    if supervised in ("1", "true"):
        qs = qs.filter(supervised=True)
    elif supervised in ("0", "false"):
        qs = qs.filter(supervised=False)
    if overdue_first:
        qs = qs.annotate(
            overdue_rank=When_(When(overdue_q(today), then=Value(1)), default=Value(0), output_field=IntegerField())
        ).order_by("-overdue_rank", "accept_due_on", "-received_at", "-id")
    return qs


def export_rows(cases: QuerySet[Case]) -> Iterator[list[Any]]:
    """Rows of the contract's leads export (EXPORT_HEADER) — never the complainant."""
    lead_ids: dict[int, list[str]] = defaultdict(list)
    case_ids = list(cases.values_list("pk", flat=True))
    for i in range(0, len(case_ids), 5000):
        for case_id, lead_id in Lead.objects.filter(case_id__in=case_ids[i : i + 5000]).values_list(
            "case_id", "lead_id"
        ):
            lead_ids[case_id].append(lead_id)

    def day(value: dt.date | None) -> str:
        return value.isoformat() if value else ""

    for c in cases.order_by("case_no").iterator(chunk_size=2000):
        yield [
            c.case_no,
            ";".join(sorted(lead_ids.get(c.pk, []))),
            c.channel,
            c.received_at.strftime("%Y-%m-%d %H:%M:%S"),
            c.subject_id,
            c.region_code,
            c.routed_by,
            c.status,
            "true" if c.supervised else "false",
            day(c.accepted_on),
            day(c.closed_on),
            c.outcome,
            "" if c.recovered_fen is None else c.recovered_fen,
            "" if c.workers_paid is None else c.workers_paid,
        ]


def write_export(path: Any, as_of: dt.date | None = None) -> int:
    """``anxin export leads --out FILE.csv``: one row per case (FEEDS.md)."""
    from pathlib import Path

    from anxin.core.registries import write_contract_csv

    cases = Case.objects.all()
    if as_of is not None:
        cases = cases.filter(received_at__lt=dt.datetime.combine(as_of + dt.timedelta(days=1), dt.time.min))
    return write_contract_csv(Path(path), EXPORT_HEADER, export_rows(cases))


# --- statistics ---------------------------------------------------------------------------


@dataclass
class StatRow:
    key: str
    label: str
    leads: int = 0
    received: int = 0
    closed: int = 0
    accepted: int = 0
    accepted_on_time: int = 0
    closed_on_time: int = 0
    recovered_fen: int = 0
    workers_paid: int = 0

    @property
    def accept_on_time_rate(self) -> float | None:
        return self.accepted_on_time / self.accepted if self.accepted else None

    @property
    def close_on_time_rate(self) -> float | None:
        return self.closed_on_time / self.closed if self.closed else None


def _aggregate(qs: QuerySet[Case], by: str) -> dict[Any, dict[str, Any]]:
    rows = (
        qs.order_by()
        .values(by)
        .annotate(
            received=Count("id", distinct=True),
            closed=Count("id", filter=Q(status=CaseStatus.CLOSED), distinct=True),
            accepted=Count("id", filter=Q(accepted_on__isnull=False), distinct=True),
            accepted_on_time=Count("id", filter=Q(accepted_on__lte=F("accept_due_on")), distinct=True),
            closed_on_time=Count(
                "id", filter=Q(status=CaseStatus.CLOSED, closed_on__lte=F("finish_due_on")), distinct=True
            ),
            recovered_fen=Sum("recovered_fen"),
            workers_paid=Sum("workers_paid"),
        )
    )
    return {r[by]: r for r in rows}


def _lead_counts(qs: QuerySet[Case], by: str) -> dict[Any, int]:
    leads: Any = Lead.objects.filter(case__in=qs.order_by().values("pk"))
    field_ = "case__" + by if by != "month" else "month"
    if by == "month":
        leads = leads.annotate(month=TruncMonth("case__received_at"))
    return dict(leads.order_by().values(field_).annotate(n=Count("id")).values_list(field_, "n"))


def _stat_rows(qs: QuerySet[Case], by: str, labels: dict[Any, str]) -> list[StatRow]:
    agg = _aggregate(qs, by)
    leads = _lead_counts(qs, by)
    out = []
    for key, r in sorted(agg.items(), key=lambda kv: str(kv[0])):
        out.append(
            StatRow(
                key=str(key),
                label=labels.get(key, str(key) or "待人工分派"),
                leads=leads.get(key, 0),
                received=r["received"],
                closed=r["closed"],
                accepted=r["accepted"],
                accepted_on_time=r["accepted_on_time"],
                closed_on_time=r["closed_on_time"],
                recovered_fen=r["recovered_fen"] or 0,
                workers_paid=r["workers_paid"] or 0,
            )
        )
    return out


@dataclass
class Statistics:
    total: StatRow
    by_channel: list[StatRow]
    by_city: list[StatRow]
    by_county: list[StatRow]
    by_month: list[StatRow]
    routing: RoutingRate


def statistics(cases: QuerySet[Case], *, year: int | None = None) -> Statistics:
    """The year-end figures over ``cases`` (already cut to the viewer's jurisdiction)."""
    if year is not None:
        cases = cases.filter(received_at__year=year)
    names = dict(Division.objects.values_list("code", "name"))
    city_of_county = dict(Division.objects.filter(level="county").values_list("code", "city_code"))
    by_channel = _stat_rows(cases, "channel", dict(Channel.choices))
    by_county = _stat_rows(cases, "region_code", {**names, "": "待人工分派"})
    month_qs = cases.annotate(month=TruncMonth("received_at"))
    by_month = _stat_rows(month_qs, "month", {})
    for row in by_month:
        row.label = row.key[:7]
    cities: dict[str, StatRow] = {}
    for row in by_county:
        city = city_of_county.get(row.key, "")
        target = cities.setdefault(
            city, StatRow(key=city, label=names.get(city, "待人工分派") if city else "待人工分派")
        )
        for attr in (
            "leads",
            "received",
            "closed",
            "accepted",
            "accepted_on_time",
            "closed_on_time",
            "recovered_fen",
            "workers_paid",
        ):
            setattr(target, attr, getattr(target, attr) + getattr(row, attr))
    total = StatRow(key="total", label="合计")
    for row in by_channel:
        for attr in (
            "leads",
            "received",
            "closed",
            "accepted",
            "accepted_on_time",
            "closed_on_time",
            "recovered_fen",
            "workers_paid",
        ):
            setattr(total, attr, getattr(total, attr) + getattr(row, attr))
    routing = routing_rate(Lead.objects.filter(case__in=cases.order_by().values("pk")))
    return Statistics(
        total=total,
        by_channel=by_channel,
        by_city=sorted(cities.values(), key=lambda r: r.key or "999999"),
        by_county=by_county,
        by_month=by_month,
        routing=routing,
    )


def stat_table(stats: Statistics) -> tuple[list[str], list[list[Any]]]:
    """The statistics as one flat table (for the XLSX download)."""
    header = ["维度", "项目", "线索数", "案件数", "办结数", "按期受理率", "按期办结率", "追回金额(元)", "受惠人数"]

    def pct(v: float | None) -> str:
        return "" if v is None else f"{v * 100:.1f}%"

    rows: list[list[Any]] = []
    for dim, items in (
        ("合计", [stats.total]),
        ("渠道", stats.by_channel),
        ("市", stats.by_city),
        ("县（市、区）", stats.by_county),
        ("月份", stats.by_month),
    ):
        for r in items:
            rows.append(
                [
                    dim,
                    r.label,
                    r.leads,
                    r.received,
                    r.closed,
                    pct(r.accept_on_time_rate),
                    pct(r.close_on_time_rate),
                    f"{r.recovered_fen / 100:.2f}",
                    r.workers_paid,
                ]
            )
    return header, rows


def pay_day_range(project_code: str) -> tuple[int, int] | None:
    """The range of pay days across a project's current employments."""
    from anxin.registry.models import Employment

    days = sorted(
        set(
            Employment.objects.current()
            .filter(project_code=project_code, pay_day__isnull=False)
            .values_list("pay_day", flat=True)
        )
    )
    return (days[0], days[-1]) if days else None
