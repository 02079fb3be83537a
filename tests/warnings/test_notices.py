"""Each office's inbox and e-mail: filled by an idempotent job, addressed by the ladder."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core import mail

from anxin.warnings import services
from anxin.warnings.models import Notification
from tests.warnings.conftest import logged_in, open_finding, run_days

pytestmark = pytest.mark.django_db

D = dt.date(2025, 9, 1)


@pytest.fixture
def officers(gulou, fuzhou, province, siming):  # type: ignore[no-untyped-def]
    for user in (gulou, fuzhou, province, siming):
        user.email = f"{user.username}@rsj.example.org"
        user.save()
    return gulou, fuzhou, province, siming


def test_a_new_warning_reaches_its_county_office_by_inbox_and_one_e_mail(registry: None, officers) -> None:  # type: ignore[no-untyped-def]
    open_finding("WA02", "FJ-GL-001", D)
    run_days(D, D)
    notices = list(Notification.objects.all())
    assert [n.office_code for n in notices] == ["350102"]
    assert "鼓楼区安置房一期" in notices[0].title and "WA02" in notices[0].body
    assert [m.to for m in mail.outbox] == [["gulou@rsj.example.org"]]
    assert services.notify_pending() == 0
    run_days(D, D)
    assert len(mail.outbox) == 1 and Notification.objects.count() == 1


def test_an_urgent_warning_is_told_to_the_city_as_well(registry: None, officers) -> None:  # type: ignore[no-untyped-def]
    open_finding("WP01", "FJ-GL-001", D, severity="high", workers=60, amount_fen=9_000_000)
    run_days(D, D)
    assert sorted(Notification.objects.values_list("office_code", flat=True)) == ["350100", "350102"]
    assert sorted(to for m in mail.outbox for to in m.to) == ["fuzhou@rsj.example.org", "gulou@rsj.example.org"]


def test_escalation_and_supervision_reach_the_city_and_the_province(registry: None, officers) -> None:  # type: ignore[no-untyped-def]
    open_finding("WA02", "FJ-GL-001", D)
    run_days(D, dt.date(2025, 9, 15))
    by_kind = {(n.event.kind, n.office_code) for n in Notification.objects.select_related("event")}
    assert {("escalated", "350100"), ("escalated", "350102")} <= by_kind
    assert {("supervised", "350000"), ("supervised", "350100"), ("supervised", "350102")} <= by_kind
    assert not any(code == "350203" for _kind, code in by_kind)


def test_an_office_without_officers_with_e_mail_keeps_its_inbox_and_sends_nothing(registry: None) -> None:
    open_finding("WA02", "FJ-SM-001", D)
    run_days(D, D)
    notice = Notification.objects.get()
    assert notice.office_code == "350203" and notice.emailed_at is not None and notice.email_to == []
    assert mail.outbox == []


def test_the_inbox_shows_ones_own_office_and_marks_read(registry: None, officers) -> None:  # type: ignore[no-untyped-def]
    gulou, _fuzhou, _province, siming = officers
    open_finding("WA02", "FJ-GL-001", D)
    run_days(D, D)
    notice = Notification.objects.get()
    page = logged_in(gulou).get("/warnings/inbox/").content.decode()
    assert notice.title in page and "未读 1 条" in page
    assert notice.title not in logged_in(siming).get("/warnings/inbox/").content.decode()
    logged_in(siming).post("/warnings/inbox/", {"id": [notice.pk]})
    notice.refresh_from_db()
    assert notice.read_at is None  # not siming's to mark
    logged_in(gulou).post("/warnings/inbox/", {"id": [notice.pk]})
    notice.refresh_from_db()
    assert notice.read_at is not None and notice.read_by == gulou


def test_anxin_notify_is_idempotent(registry: None, officers) -> None:  # type: ignore[no-untyped-def]
    from django.core.management import call_command

    open_finding("WA02", "FJ-GL-001", D)
    run_days(D, D)
    sent = len(mail.outbox)
    call_command("notify")
    call_command("notify")
    assert len(mail.outbox) == sent == 1
