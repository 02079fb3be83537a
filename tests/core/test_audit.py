"""The audit log is append-only, and unmasking personal data needs a reason and is logged."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.db import DatabaseError, connection, transaction
from django.test import Client

from anxin.core.audit import record
from anxin.core.choices import AuditAction
from anxin.core.models import AuditEntry
from anxin.lake.services import ingest_paths
from anxin.registry.models import Person
from anxin.registry.services import UnmaskRefused, unmask_person_field
from tests.conftest import ensure_audit_triggers
from tests.factories import WORKER_1, registry_batch

pytestmark = pytest.mark.django_db


def test_an_audit_entry_cannot_be_changed_or_deleted_through_the_orm(gulou) -> None:  # type: ignore[no-untyped-def]
    entry = record(gulou, AuditAction.EXPORT, object_type="x", object_id="1")
    entry.reason = "rewritten"
    with pytest.raises(PermissionError):
        entry.save()
    with pytest.raises(PermissionError):
        entry.delete()
    with pytest.raises(PermissionError):
        AuditEntry.objects.filter(pk=entry.pk).update(reason="x")
    with pytest.raises(PermissionError):
        AuditEntry.objects.all().delete()


def test_an_audit_entry_cannot_be_changed_or_deleted_in_sql_either(gulou) -> None:  # type: ignore[no-untyped-def]
    ensure_audit_triggers()
    entry = record(gulou, AuditAction.EXPORT)
    for sql in ("UPDATE core_auditentry SET reason = 'x' WHERE id = %s", "DELETE FROM core_auditentry WHERE id = %s"):
        with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(sql, [entry.pk])
    assert AuditEntry.objects.filter(pk=entry.pk, reason="").exists()


@pytest.fixture
def person(tmp_path: Path) -> Person:
    ingest_paths([registry_batch(tmp_path / "b")])
    return Person.objects.current().get(id_number_masked=WORKER_1[:6] + "********" + WORKER_1[-4:])


def test_unmasking_needs_a_reason(person: Person, gulou) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(UnmaskRefused, match="事由"):
        unmask_person_field(gulou, person, "id_number", "  ")
    assert not AuditEntry.objects.filter(action=AuditAction.UNMASK).exists()


def test_unmasking_is_logged_with_who_when_and_why(person: Person, gulou) -> None:  # type: ignore[no-untyped-def]
    assert unmask_person_field(gulou, person, "id_number", "核实欠薪投诉人身份") == WORKER_1
    entry = AuditEntry.objects.get(action=AuditAction.UNMASK)
    assert (entry.actor, entry.reason, entry.object_id, entry.detail) == (
        gulou,
        "核实欠薪投诉人身份",
        person.person_key,
        {"field": "id_number"},
    )
    assert WORKER_1 not in str(entry.detail) and WORKER_1 not in entry.reason


def test_an_enterprise_user_may_not_unmask(person: Person, enterprise_user) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(PermissionError):
        unmask_person_field(enterprise_user, person, "phone", "想看看手机号")


def test_the_unmask_page_shows_the_value_only_in_the_jurisdiction(person: Person, gulou, siming) -> None:  # type: ignore[no-untyped-def]
    client = Client()
    client.force_login(gulou)
    page = client.post(
        f"/registry/people/{person.person_key}/unmask/", {"field": "phone", "reason": "电话联系核实工资发放"}
    )
    assert page.status_code == 200 and "13812345678" in page.content.decode()
    client.force_login(siming)
    assert (
        client.post(
            f"/registry/people/{person.person_key}/unmask/", {"field": "phone", "reason": "电话联系核实"}
        ).status_code
        == 404
    )


def test_the_worker_list_on_a_project_page_is_masked(person: Person, gulou) -> None:  # type: ignore[no-untyped-def]
    client = Client()
    client.force_login(gulou)
    page = client.get("/registry/projects/FJ-GL-001/").content.decode()
    assert WORKER_1 not in page and "13812345678" not in page
    assert WORKER_1[:6] + "********" + WORKER_1[-4:] in page and "138****5678" in page
