"""registry services: store versions of registry rows; read the registry as of a date."""

from __future__ import annotations

import datetime as dt
import json
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any, cast

from django.db import models, transaction

from anxin.core import crypto
from anxin.core.identifiers import id_birth_date, id_sex
from anxin.core.masking import mask_card, mask_id_number, mask_phone
from anxin.registry.models import BEGINNING, Employment, Enterprise, Person, Project, Version


@dataclass
class Counts:
    accepted: int = 0
    updated: int = 0
    duplicates: int = 0


def _money(row: dict[str, Any], name: str) -> int | None:
    value = row.get(name)
    return None if value is None else int(value)


def _text(row: dict[str, Any], name: str) -> str:
    value = row.get(name)
    return "" if value is None else str(value)


def _enterprise_fields(row: dict[str, Any]) -> dict[str, Any]:
    return {
        "uscc": row["uscc"],
        "name": row["name"],
        "kind": _text(row, "kind"),
        "region_code": row["region_code"],
        "industry_code": _text(row, "industry_code"),
        "legal_rep": _text(row, "legal_rep"),
        "established_on": row.get("established_on"),
        "updated_at": row.get("updated_at"),
    }


def _project_fields(row: dict[str, Any]) -> dict[str, Any]:
    return {
        "project_code": row["project_code"],
        "name": row["name"],
        "region_code": row["region_code"],
        "address": _text(row, "address"),
        "builder_uscc": row["builder_uscc"],
        "contractor_uscc": row["contractor_uscc"],
        "funding": _text(row, "funding"),
        "contract_amount_fen": _money(row, "contract_amount"),
        "labor_cost_amount_fen": _money(row, "labor_cost_amount"),
        "labor_payment_cycle_days": row.get("labor_payment_cycle_days"),
        "start_date": row["start_date"],
        "planned_end_date": row.get("planned_end_date"),
        "actual_end_date": row.get("actual_end_date"),
        "status": _text(row, "status"),
        "wage_account_no": _text(row, "wage_account_no"),
        "wage_account_bank": _text(row, "wage_account_bank"),
        "wage_account_opened_on": row.get("wage_account_opened_on"),
        "deposit_form": _text(row, "deposit_form"),
        "deposit_amount_fen": _money(row, "deposit_amount"),
        "notice_board": row.get("notice_board"),
        "labor_manager": _text(row, "labor_manager"),
        "updated_at": row.get("updated_at"),
    }


def _person_fields(row: dict[str, Any]) -> dict[str, Any]:
    id_number = row["id_number"]
    phone = row.get("phone") or ""
    card = row.get("bank_card_no") or ""
    birth = id_birth_date(id_number)
    assert birth is not None  # validation refused impossible birth dates
    return {
        "person_key": crypto.pseudonym(id_number),
        "name": row["name"],
        "id_number_enc": crypto.encrypt(id_number, associated=b"person.id_number"),
        "id_number_masked": mask_id_number(id_number),
        "birth_date": birth,
        "sex": id_sex(id_number),
        "phone_enc": crypto.encrypt(phone, associated=b"person.phone") or "",
        "phone_masked": mask_phone(phone),
        "bank_card_enc": crypto.encrypt(card, associated=b"person.bank_card_no") or "",
        "bank_card_key": crypto.pseudonym(card) or "",
        "bank_card_masked": mask_card(card),
        "bank_name": _text(row, "bank_name"),
        "hometown_region_code": _text(row, "hometown_region_code"),
        "key_version": crypto.keyring().current_version,
    }


def _employment_fields(row: dict[str, Any]) -> dict[str, Any]:
    return {
        "project_code": row["project_code"],
        "person_key": crypto.pseudonym(row["id_number"]),
        "id_number_masked": mask_id_number(row["id_number"]),
        "employer_uscc": row["employer_uscc"],
        "team": _text(row, "team"),
        "trade": _text(row, "trade"),
        "contract_signed": row.get("contract_signed"),
        "start_date": row["start_date"],
        "end_date": row.get("end_date"),
        "wage_type": _text(row, "wage_type"),
        "wage_rate_fen": _money(row, "wage_rate"),
        "pay_day": row.get("pay_day"),
    }


@dataclass(frozen=True)
class Adapter:
    model: type[Version]
    key_fields: tuple[str, ...]
    #: The contract row's key, in the same order (before pseudonymisation).
    row_key: Callable[[dict[str, Any]], tuple[Any, ...]]
    to_fields: Callable[[dict[str, Any]], dict[str, Any]]


ADAPTERS: dict[str, Adapter] = {
    "enterprises": Adapter(Enterprise, ("uscc",), lambda r: (r["uscc"],), _enterprise_fields),
    "projects": Adapter(Project, ("project_code",), lambda r: (r["project_code"],), _project_fields),
    "people": Adapter(Person, ("person_key",), lambda r: (crypto.pseudonym(r["id_number"]),), _person_fields),
    "employments": Adapter(
        Employment,
        ("project_code", "person_key", "employer_uscc", "start_date"),
        lambda r: (r["project_code"], crypto.pseudonym(r["id_number"]), r["employer_uscc"], r["start_date"]),
        _employment_fields,
    ),
}


def row_hash(row: dict[str, Any]) -> str:
    """Keyed hash of a contract row's values, ``updated_at`` aside: equal hash = identical row."""
    canonical = {k: v for k, v in row.items() if k != "updated_at" and not k.startswith("_")}
    text = json.dumps(canonical, sort_keys=True, default=str, ensure_ascii=False)
    digest = crypto.pseudonym(text)
    assert digest is not None
    return digest


def _stored_versions(adapter: Adapter, keys: set[tuple[Any, ...]]) -> dict[tuple[Any, ...], list[Version]]:
    """Every stored version of these keys, oldest first."""
    found: dict[tuple[Any, ...], list[Version]] = defaultdict(list)
    first = adapter.key_fields[0]
    firsts = sorted({k[0] for k in keys})
    for i in range(0, len(firsts), 500):
        chunk = firsts[i : i + 500]
        for version in cast(
            "list[Version]", adapter.model.objects.filter(**{f"{first}__in": chunk}).order_by("effective_at", "id")
        ):
            key = tuple(getattr(version, f) for f in adapter.key_fields)
            if key in keys:
                found[key].append(version)
    return found


def apply_rows(
    feed: str,
    rows: Iterable[dict[str, Any]],
    *,
    batch: Any,
    arrival: dt.datetime,
) -> Counts:
    """Store accepted registry rows as versions (FEEDS.md, "What happens to a row", "History").

    ``rows`` come in file-name then line order. Each key's rows are taken in the order
    they became true (``updated_at``, else the batch's arrival, then file order): a row
    identical to the version in force at its time is a duplicate; otherwise it is a
    new version, ``accepted`` for a new key and ``updated`` for a known one.
    """
    adapter = ADAPTERS[feed]
    counts = Counts()
    incoming: dict[tuple[Any, ...], list[tuple[dt.datetime, int, dict[str, Any]]]] = defaultdict(list)
    for seq, row in enumerate(rows):
        effective = row.get("updated_at") or arrival
        incoming[adapter.row_key(row)].append((effective, seq, row))
    if not incoming:
        return counts
    with transaction.atomic():
        stored = _stored_versions(adapter, set(incoming))
        to_create: list[Version] = []
        to_update: list[Version] = []
        for key, arrivals in incoming.items():
            versions = list(stored.get(key, []))
            is_new_key = not versions
            changed = False
            # Undated rows all take effect now: if the last of them is what is current,
            # the key was re-sent (perhaps with its own earlier history) and nothing changes.
            undated = versions and all(row.get("updated_at") is None for _e, _s, row in arrivals)
            if undated and row_hash(arrivals[-1][2]) == versions[-1].row_hash:
                counts.duplicates += len(arrivals)
                continue
            for effective, _seq, row in sorted(arrivals, key=lambda a: (a[0], a[1])):
                digest = row_hash(row)
                in_force = [v for v in versions if v.effective_at <= effective]
                reference = in_force[-1] if in_force else (versions[0] if versions else None)
                if reference is not None and reference.row_hash == digest:
                    counts.duplicates += 1
                    continue
                if is_new_key and not versions:
                    counts.accepted += 1
                else:
                    counts.updated += 1
                version = adapter.model(**adapter.to_fields(row), effective_at=effective, row_hash=digest, batch=batch)
                versions.append(version)
                versions.sort(key=lambda v: v.effective_at)
                changed = True
            if changed:
                _restamp(versions, to_create, to_update)
        if to_update:
            # Close old current versions before new ones are inserted (one current per key).
            adapter.model.objects.bulk_update(to_update, ["valid_from", "valid_to"], batch_size=1000)
        adapter.model.objects.bulk_create(to_create, batch_size=1000)
    return counts


def _restamp(versions: list[Version], to_create: list[Version], to_update: list[Version]) -> None:
    """Recompute each version's validity from the order in which they became true."""
    for i, version in enumerate(versions):
        valid_from = BEGINNING if i == 0 else versions[i].effective_at.date()
        valid_to = versions[i + 1].effective_at.date() if i + 1 < len(versions) else None
        if version.pk is None:
            version.valid_from, version.valid_to = valid_from, valid_to
            to_create.append(version)
        elif (version.valid_from, version.valid_to) != (valid_from, valid_to):
            version.valid_from, version.valid_to = valid_from, valid_to
            to_update.append(version)


def registry_as_of(model: type[models.Model], day: dt.date) -> models.QuerySet[Any]:
    """The versions of ``model`` valid on ``day``: the registry as it was then."""
    return model.objects.as_of(day)  # type: ignore[attr-defined]


def current_project_regions() -> list[tuple[str, str]]:
    """(project_code, region_code) of every project in the registry now."""
    return list(Project.objects.current().values_list("project_code", "region_code"))


class UnmaskRefused(ValueError):
    """Unmasking was refused (no reason given, unknown field)."""


UNMASKABLE = {
    "id_number": ("id_number_enc", b"person.id_number", "身份证号"),
    "phone": ("phone_enc", b"person.phone", "手机号"),
    "bank_card_no": ("bank_card_enc", b"person.bank_card_no", "工资卡号"),
}


def unmask_person_field(user: Any, person: Person, field: str, reason: str) -> str:
    """Decrypt one personal field for ``user``; requires a reason and is audited (who, when, why)."""
    from anxin.core.audit import record
    from anxin.core.choices import UNMASK_ROLES, AuditAction

    if field not in UNMASKABLE:
        raise UnmaskRefused("无法查看该字段")
    reason = reason.strip()
    if len(reason) < 4:
        raise UnmaskRefused("查看完整个人信息须填写事由（至少4个字），该操作将记入审计日志")
    if not (user.is_superuser or user.role in UNMASK_ROLES):
        raise PermissionError("您的角色无权查看完整个人信息")
    attr, associated, label = UNMASKABLE[field]
    value = crypto.decrypt(getattr(person, attr), associated=associated) or ""
    record(
        user,
        AuditAction.UNMASK,
        object_type="registry.Person",
        object_id=person.person_key,
        reason=reason,
        detail={"field": field},
    )
    return value
