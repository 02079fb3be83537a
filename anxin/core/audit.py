"""Writing to the append-only audit log."""

from __future__ import annotations

from typing import Any

from anxin.core.choices import AuditAction
from anxin.core.models import AuditEntry, User


def record(
    actor: User | None,
    action: AuditAction,
    *,
    object_type: str = "",
    object_id: str = "",
    reason: str = "",
    detail: dict[str, Any] | None = None,
    actor_name: str = "",
) -> AuditEntry:
    """Append one entry. ``detail`` must never hold personal data in clear."""
    name = actor_name or (actor.get_username() if actor is not None else "system")
    return AuditEntry.objects.create(
        actor=actor if actor is not None and actor.pk else None,
        actor_name=name,
        action=action,
        object_type=object_type,
        object_id=str(object_id),
        reason=reason,
        detail=detail or {},
    )
