"""A warning's life: raised, raised in level, cleared, raised again, quieted after 不属实; its deadlines,
escalation and dispatch; and the day step run twice or rewound for a backfill."""

from __future__ import annotations

import datetime as dt

import pytest

from anxin.core.models import AuditEntry
from anxin.monitoring.services import DailyRunError
from anxin.warnings import services
from anxin.warnings.models import Notification, RiskDay, Warning, WarningEvent
from tests.warnings.conftest import OUTSIDER_CONTRACTOR, open_finding, run_days

pytestmark = pytest.mark.django_db

D = dt.date(2025, 9, 1)  # a Monday, far from holidays


def day(n: int) -> dt.date:
    return D + dt.timedelta(days=n)


def only_warning() -> Warning:
    warnings = list(Warning.objects.all())
    assert len(warnings) == 1, warnings
    return warnings[0]


def test_a_warning_is_raised_the_day_a_subject_first_reaches_medium(registry: None) -> None:
    open_finding("WA02", "FJ-GL-001", D)
    run_days(D, day(2))
    w = only_warning()
    assert (w.raised_on, w.level, w.status, w.region_code, w.office_code) == (
        D,
        "medium",
        "pending",
        "350102",
        "350102",
    )
    assert w.warning_no == f"YJ2025-{w.pk:06d}"
    assert w.rules == ["WA02"] and w.subject_name == "鼓楼区安置房一期"
    assert w.high_on is None and w.urgent_on is None
    assert list(w.events.values_list("kind", flat=True)) == ["raised", "dispatched"]
    # Medium: verify within 5 working days of 2025-09-01 (Mon) → Mon 2025-09-08.
    assert w.verify_due_on == dt.date(2025, 9, 8)
    assert RiskDay.objects.filter(subject_id="FJ-GL-001").count() == 3


def test_management_findings_alone_are_low_and_raise_no_warning(registry: None) -> None:
    open_finding("DP01", "FJ-GL-001", D)
    open_finding("RN01", "FJ-GL-001", D)
    run_days(D, day(1))
    assert not Warning.objects.exists()
    assert RiskDay.objects.get(subject_id="FJ-GL-001", as_of=D).level == "low"


def test_the_warning_keeps_its_identity_while_its_level_rises_and_records_each_day(registry: None) -> None:
    open_finding("WA02", "FJ-GL-001", D)
    open_finding("WA04", "FJ-GL-001", day(2))
    open_finding("WP01", "FJ-GL-001", day(4), severity="high", workers=40, amount_fen=12_000_000)
    run_days(D, day(6))
    w = only_warning()
    assert (w.level, w.raised_on, w.high_on, w.urgent_on) == ("urgent", D, day(2), day(4))
    assert w.rules == ["WA02", "WA04", "WP01"]
    assert list(w.events.filter(kind="level_up").values_list("detail__level", flat=True)) == ["high", "urgent"]
    # The rise to urgent (Fri 2025-09-05) brings verification forward to one working day: Mon 09-08.
    assert w.verify_due_on == dt.date(2025, 9, 8)
    assert w.findings.count() == 3


def test_a_warning_closes_after_its_findings_have_cleared_for_thirty_days_and_a_new_one_may_follow(
    registry: None,
) -> None:
    open_finding("WA02", "FJ-GL-001", D, closed_on=day(10))
    run_days(D, day(39))
    first = only_warning()
    assert first.status == "pending" and first.cleared_since == day(10)
    run_days(day(40), day(40))
    first.refresh_from_db()
    assert (first.status, first.closed_on) == ("closed", day(40))
    assert first.events.filter(kind="cleared").count() == 1
    open_finding("PD01", "FJ-GL-001", day(45))
    run_days(day(41), day(46))
    second = Warning.objects.exclude(pk=first.pk).get()
    assert second.raised_on == day(45) and second.warning_no != first.warning_no


def test_no_second_warning_is_raised_while_one_is_open(registry: None) -> None:
    open_finding("WA02", "FJ-GL-001", D, closed_on=day(5))
    open_finding("WA03", "FJ-GL-001", day(20))
    run_days(D, day(25))
    w = only_warning()
    assert w.rules == ["WA02", "WA03"] and w.cleared_since is None and w.status == "pending"


def test_a_warning_verified_unfounded_quiets_its_rules_until_the_evidence_grows(registry: None, gulou) -> None:  # type: ignore[no-untyped-def]
    arrears = open_finding("WP01", "FJ-GL-001", D, severity="high", workers=5, amount_fen=2_000_000)
    run_days(D, D)
    w = only_warning()
    services.start_verification(w, gulou, "电话核实项目部", on=D)
    services.mark_unfounded(w, gulou, "工资已于月初发放，银行流水延迟", on=day(1))
    w.refresh_from_db()
    assert (w.status, w.closed_on) == ("unfounded", day(1))
    run_days(day(1), day(10))
    assert Warning.objects.count() == 1
    assert not RiskDay.objects.filter(as_of=day(10)).exists()
    # The same arrears now concerns twice the workers: the evidence has grown, a new warning follows.
    arrears.workers = 10
    arrears.save()
    run_days(day(11), day(11))
    assert Warning.objects.count() == 2
    assert Warning.objects.exclude(pk=w.pk).get().raised_on == day(11)


def test_a_warning_closed_by_an_official_is_not_raised_again_by_the_same_findings_for_the_quiet_period(
    registry: None, gulou, settings
) -> None:  # type: ignore[no-untyped-def]
    settings.ANXIN_WARNING_CLOSED_QUIET_DAYS = 10
    open_finding("WA02", "FJ-GL-001", D)
    run_days(D, D)
    w = only_warning()
    for step in (services.start_verification, services.confirm_warning, services.start_handling):
        step(w, gulou, "办理中", on=D)
    services.close_warning(w, gulou, "已督促建设单位拨付", on=day(1))
    run_days(day(1), day(11))
    assert Warning.objects.count() == 1
    run_days(day(12), day(12))
    assert Warning.objects.count() == 2


def test_officials_steps_follow_the_states_need_a_note_and_are_audited(registry: None, gulou) -> None:  # type: ignore[no-untyped-def]
    open_finding("WA02", "FJ-GL-001", D)
    run_days(D, D)
    w = only_warning()
    with pytest.raises(services.InvalidStep):
        services.confirm_warning(w, gulou, "未核实就确认", on=D)
    with pytest.raises(services.InvalidStep):
        services.start_verification(w, gulou, " ", on=D)
    services.start_verification(w, gulou, "到项目部核实", on=day(1))
    w = services.confirm_warning(w, gulou, "属实：两个月未拨付人工费", on=day(2))
    # Handling: 15 working days from Wed 2025-09-03 → Wed 2025-09-24.
    assert w.handle_due_on == dt.date(2025, 9, 24)
    services.start_handling(w, gulou, "约谈建设单位", on=day(3))
    w = services.close_warning(w, gulou, "已足额拨付", on=day(8))
    assert (w.status, w.closed_on) == ("closed", day(8))
    steps = list(w.events.exclude(actor=None).values_list("kind", "actor_name", "note"))
    assert [s[0] for s in steps] == ["verifying", "confirmed", "handling", "closed"]
    assert all(s[1] == "gulou" and s[2] for s in steps)
    audited = AuditEntry.objects.filter(object_type="warnings.Warning", object_id=w.warning_no)
    assert audited.count() == 4 and set(audited.values_list("actor__username", flat=True)) == {"gulou"}


def test_only_officers_of_the_warnings_jurisdiction_may_act(
    registry: None, siming, fuzhou, mediator, auditor, province
) -> None:  # type: ignore[no-untyped-def]
    open_finding("WA02", "FJ-GL-001", D)
    run_days(D, D)
    w = only_warning()
    for outsider in (siming, mediator, auditor):
        with pytest.raises(services.NotAllowed):
            services.start_verification(w, outsider, "核实", on=D)
    services.add_note(w, fuzhou, "市局已知悉", on=D)
    services.add_note(w, province, "省厅关注", on=D)
    assert w.events.filter(kind="note").count() == 2


def test_verification_deadlines_count_working_days_over_national_day_and_its_make_up_saturday(registry: None) -> None:
    # 2025: 10-01..10-08 off; Sunday 09-28 and Saturday 10-11 are make-up working days.
    raised = dt.date(2025, 9, 30)
    open_finding("WA02", "FJ-GL-001", raised)
    open_finding("WP01", "FJ-SM-001", raised, severity="high", workers=3, amount_fen=500_000)
    open_finding("WP01", "FJ-SM-002", raised, severity="high", workers=50, amount_fen=500_000)
    run_days(raised, raised)
    due = dict(Warning.objects.values_list("subject_id", "verify_due_on"))
    assert due["FJ-GL-001"] == dt.date(2025, 10, 14)  # medium: 10-09, 10-10, 10-11 (Sat), 10-13, 10-14
    assert due["FJ-SM-001"] == dt.date(2025, 10, 11)  # high: 10-09, 10-10, 10-11 (Sat, a working day)
    assert due["FJ-SM-002"] == dt.date(2025, 10, 9)  # urgent: the first working day after the holiday


def test_a_deadline_in_a_year_not_yet_announced_is_counted_provisionally_and_the_run_goes_on(registry: None) -> None:
    # chinesecalendar knows no 2027: a medium warning raised on Monday 2026-12-28 still gets its five working days,
    # with 元旦 (Friday 2027-01-01) and the weekend resting: 12-29, 12-30, 12-31, 01-04, 01-05.
    raised = dt.date(2026, 12, 28)
    open_finding("WA02", "FJ-GL-001", raised)
    run_days(raised, raised)
    w = only_warning()
    assert w.verify_due_on == dt.date(2027, 1, 5)
    (clock,) = services.clock_view(w, today=raised)
    assert clock.provisional and clock.left == 5
    run_days(dt.date(2027, 1, 6), dt.date(2027, 1, 6))  # one provisional working day late: to the city
    w.refresh_from_db()
    assert w.office_level == "city"


def test_a_missed_deadline_goes_to_the_city_then_to_the_province_by_the_ladder(registry: None) -> None:
    open_finding("WA02", "FJ-GL-001", D)
    run_days(D, dt.date(2025, 9, 8))
    w = only_warning()
    assert (w.office_level, w.verify_due_on) == ("county", dt.date(2025, 9, 8))
    run_days(dt.date(2025, 9, 9), dt.date(2025, 9, 9))  # one working day late
    w.refresh_from_db()
    assert (w.office_level, w.office_code, w.supervised, w.escalated_on) == (
        "city",
        "350100",
        False,
        dt.date(2025, 9, 9),
    )
    run_days(dt.date(2025, 9, 10), dt.date(2025, 9, 12))  # four working days late
    w.refresh_from_db()
    assert not w.supervised
    run_days(dt.date(2025, 9, 13), dt.date(2025, 9, 15))  # Sat, Sun, then Mon: five working days late
    w.refresh_from_db()
    assert (w.office_level, w.office_code, w.supervised) == ("province", "350000", True)
    kinds = list(w.events.values_list("kind", "on"))
    assert ("escalated", dt.date(2025, 9, 9)) in kinds and ("supervised", dt.date(2025, 9, 15)) in kinds


def test_pingtan_has_no_city_rung_above_it(registry: None) -> None:
    open_finding("WA02", "FJ-PT-001", D)
    run_days(D, dt.date(2025, 9, 12))
    w = only_warning()
    assert (w.office_level, w.supervised) == ("county", False)
    run_days(dt.date(2025, 9, 13), dt.date(2025, 9, 15))
    w.refresh_from_db()
    assert (w.office_level, w.supervised) == ("province", True)
    assert not w.events.filter(kind="escalated").exists()


def test_each_warning_is_dispatched_to_the_office_of_its_jurisdiction(registry: None) -> None:
    from tests.factories import BUILDER, CONTRACTOR

    open_finding("WA02", "FJ-SM-001", D)
    open_finding("EN01", BUILDER, D, subject_type="enterprise", region_code="350102")
    open_finding("EN01", OUTSIDER_CONTRACTOR, D, subject_type="enterprise", region_code="")
    open_finding("EN01", CONTRACTOR, D, subject_type="enterprise", region_code="350203")
    open_finding("EN01", "91440300MA5F00000X", D, subject_type="enterprise", region_code="")
    run_days(D, D)
    regions = dict(Warning.objects.values_list("subject_id", "region_code"))
    assert regions["FJ-SM-001"] == "350203"
    assert regions[BUILDER] == "350102"  # registered in 鼓楼
    assert regions[CONTRACTOR] == "350203"
    assert regions[OUTSIDER_CONTRACTOR] == "350203"  # registered in 成都: the county where it builds
    assert regions["91440300MA5F00000X"] == ""  # unknown to the registry: the province's queue
    assert Warning.objects.get(subject_id="91440300MA5F00000X").office_level == "province"


def test_running_a_day_twice_changes_nothing(registry: None, gulou) -> None:  # type: ignore[no-untyped-def]
    gulou.email = "gulou@example.org"
    gulou.save()
    open_finding("WA02", "FJ-GL-001", D)
    open_finding("WP01", "FJ-GL-001", day(3), severity="high", workers=3, amount_fen=100_000)
    run_days(D, day(3))
    before = (
        list(Warning.objects.values()),
        WarningEvent.objects.count(),
        Notification.objects.count(),
        RiskDay.objects.count(),
    )
    services.assess_day(day(3))
    after = (
        list(Warning.objects.values()),
        WarningEvent.objects.count(),
        Notification.objects.count(),
        RiskDay.objects.count(),
    )
    assert before == after


def test_a_backfill_rewinds_to_the_state_of_the_day_before(registry: None) -> None:
    open_finding("WA02", "FJ-GL-001", D)
    open_finding("WA04", "FJ-GL-001", day(3))
    run_days(D, day(2))
    snapshot = Warning.objects.values().get()
    run_days(day(3), day(12))
    w = only_warning()
    assert w.level == "high" and w.office_level == "city"
    services.rewind(day(3))
    after = Warning.objects.values().get()
    assert after == snapshot
    run_days(day(3), day(12))
    assert only_warning().level == "high"


def test_a_backfill_may_not_erase_what_officials_did(registry: None, gulou) -> None:  # type: ignore[no-untyped-def]
    open_finding("WA02", "FJ-GL-001", D)
    run_days(D, day(2))
    services.start_verification(only_warning(), gulou, "核实中", on=day(2))
    with pytest.raises(DailyRunError, match="官员办理"):
        services.rewind(day(1))
    services.rewind(day(3))  # after the official's step: allowed
