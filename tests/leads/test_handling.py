"""Handling under the statutory clocks: accept, investigate, extend, close, supervise, hand up."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from anxin.core.calendar import WorkingCalendar
from anxin.core.models import AuditEntry
from anxin.leads import clocks
from anxin.leads.choices import CaseStatus, EventKind, HandlingLevel, SupervisionLevel
from anxin.leads.models import Case
from anxin.leads.services import (
    InvalidStep,
    NotAllowed,
    accept_case,
    assign_case,
    can_handle,
    close_case,
    extend_case,
    hand_up_case,
    intake_rows,
    start_investigation,
    supervise_case,
)
from tests.leads.conftest import lead_row

CAL = WorkingCalendar()


def test_a_lead_received_just_before_national_day_2025_is_due_after_the_holiday() -> None:
    # 2025-10-01..08 are holidays; Saturday 2025-10-11 is a make-up working day (调休).
    assert clocks.accept_due(dt.date(2025, 9, 30), CAL) == dt.date(2025, 10, 14)
    assert clocks.finish_due(dt.date(2025, 10, 9), CAL) == dt.date(2025, 12, 31)
    assert clocks.finish_due(dt.date(2025, 10, 9), CAL, extended=True) == dt.date(2026, 2, 12)


def test_working_days_left_counts_only_working_days() -> None:
    assert clocks.working_days_left(dt.date(2025, 10, 14), dt.date(2025, 9, 30), CAL) == 5
    assert clocks.working_days_left(dt.date(2025, 9, 30), dt.date(2025, 10, 9), CAL) == -1


@pytest.fixture
def case(registry: None) -> Case:
    intake_rows([lead_row("A")])  # 2025-09-30 10:00, 鼓楼区
    return Case.objects.get()


def test_a_new_case_carries_its_acceptance_deadline_and_is_overdue_after_it(case: Case) -> None:
    assert case.accept_due_on == dt.date(2025, 10, 14)
    assert not case.is_overdue(dt.date(2025, 10, 14))
    assert case.is_overdue(dt.date(2025, 10, 15))
    assert list(Case.objects.overdue(dt.date(2025, 10, 15))) == [case]


def test_the_county_accepts_investigates_extends_and_closes_with_every_step_stored_and_audited(
    case: Case, gulou: Any
) -> None:
    case = accept_case(case, gulou, "材料齐全，予以受理", on=dt.date(2025, 10, 9))
    assert (case.status, case.accepted_on, case.finish_due_on) == (
        CaseStatus.ACCEPTED,
        dt.date(2025, 10, 9),
        dt.date(2025, 12, 31),
    )
    case = start_investigation(case, gulou, "约谈项目负责人", on=dt.date(2025, 10, 10))
    case = extend_case(case, gulou, "涉及分包多层，经负责人批准延期", on=dt.date(2025, 12, 1))
    assert case.finish_due_on == dt.date(2026, 2, 12)
    with pytest.raises(InvalidStep, match="只能延长一次"):
        extend_case(case, gulou, "再延一次")
    case = close_case(case, gulou, "已督促发放", outcome="recovered", recovered_fen=3_000_000, workers_paid=3,
                      on=dt.date(2025, 12, 20))  # fmt: skip
    assert (case.status, case.outcome, case.recovered_fen, case.workers_paid) == (
        CaseStatus.CLOSED,
        "recovered",
        3_000_000,
        3,
    )
    kinds = list(case.events.values_list("kind", flat=True))
    assert kinds == [
        EventKind.RECEIVED,
        EventKind.ACCEPTED,
        EventKind.INVESTIGATING,
        EventKind.EXTENDED,
        EventKind.CLOSED,
    ]
    assert all(e.actor_id == gulou.pk for e in case.events.exclude(kind=EventKind.RECEIVED))
    steps = [e.detail["step"] for e in AuditEntry.objects.filter(object_type="leads.Case").order_by("at", "id")]
    assert steps == ["accept", "investigate", "extend", "close"]
    assert case.events.get(kind=EventKind.CLOSED).detail["on_time"] is True


def test_steps_need_a_note_and_the_right_order(case: Case, gulou: Any) -> None:
    with pytest.raises(InvalidStep, match="办理说明"):
        accept_case(case, gulou, " ")
    with pytest.raises(InvalidStep, match="先受理"):
        close_case(case, gulou, "结案", outcome="other")
    with pytest.raises(InvalidStep, match="只有已受理"):
        start_investigation(case, gulou, "调查")
    accept_case(case, gulou, "受理", on=dt.date(2025, 10, 9))
    with pytest.raises(InvalidStep, match="追回金额"):
        close_case(case, gulou, "结案", outcome="recovered", recovered_fen=0)
    with pytest.raises(InvalidStep, match="不能受理"):
        accept_case(case, gulou, "再受理")
    assert Case.objects.get().status == CaseStatus.ACCEPTED


def test_only_officers_of_the_county_or_above_may_act(
    case: Case, siming: Any, mediator: Any, auditor: Any, fuzhou: Any
) -> None:
    for user in (siming, mediator, auditor):
        with pytest.raises(NotAllowed):
            accept_case(case, user, "受理", on=dt.date(2025, 10, 9))
    accept_case(case, fuzhou, "市局代为受理", on=dt.date(2025, 10, 9))


def test_a_city_or_the_province_lists_a_case_for_supervision_with_its_own_deadline(
    case: Case, fuzhou: Any, xiamen: Any, gulou: Any, province: Any
) -> None:
    with pytest.raises(NotAllowed):
        supervise_case(case, gulou, "督办")
    with pytest.raises(NotAllowed):
        supervise_case(case, xiamen, "督办")  # not Xiamen's case
    case = supervise_case(case, fuzhou, "限期办结", on=dt.date(2025, 10, 9))
    assert (case.supervised, case.supervision_level) == (True, SupervisionLevel.CITY)
    assert case.supervision_due_on == clocks.supervision_due(dt.date(2025, 10, 9), CAL) == dt.date(2025, 11, 5)
    with pytest.raises(InvalidStep, match="已由"):
        supervise_case(case, fuzhou, "再督办", on=dt.date(2025, 10, 10))
    case = supervise_case(case, province, "省级挂牌", due_on=dt.date(2025, 10, 31), on=dt.date(2025, 10, 10))
    assert (case.supervision_level, case.supervision_due_on) == (SupervisionLevel.PROVINCE, dt.date(2025, 10, 31))
    case = accept_case(case, gulou, "受理", on=dt.date(2025, 10, 10))
    assert not case.is_overdue(dt.date(2025, 10, 31))
    assert case.is_overdue(dt.date(2025, 11, 3))  # past the supervision deadline, well within the 60 days
    assert Case.objects.filter(supervised=True).count() == 1


def test_a_county_hands_a_hard_case_up_to_its_city_which_then_handles_it(case: Case, gulou: Any, fuzhou: Any) -> None:
    case = hand_up_case(case, gulou, "涉及多个区县，请市局统筹", on=dt.date(2025, 10, 9))
    assert case.handling_level == HandlingLevel.CITY
    assert not can_handle(gulou, case)
    with pytest.raises(NotAllowed):
        accept_case(case, gulou, "受理")
    accept_case(case, fuzhou, "市局受理", on=dt.date(2025, 10, 10))
    assert case.events.filter(kind=EventKind.HANDED_UP).get().detail == {"city_code": "350100"}


def test_the_province_routes_its_manual_queue_by_hand(registry: None, province: Any, gulou: Any) -> None:
    intake_rows([lead_row("M", region_code=None, address="工地", target_name="查无此单位")])
    case = Case.objects.get()
    assert case.region_code == ""
    assert not can_handle(gulou, case)
    with pytest.raises(NotAllowed):
        assign_case(case, gulou, "分派", "350102")
    case = assign_case(case, province, "据来电核实在鼓楼", "350102")
    assert (case.region_code, case.routed_by) == ("350102", "manual")
    assert can_handle(gulou, case)


def test_a_deadline_in_an_unknown_calendar_year_is_left_open_until_the_year_is_entered(
    registry: None, gulou: Any
) -> None:
    from anxin.core.calendar import reset_default_calendar
    from anxin.core.models import CalendarDay, CalendarYear
    from anxin.leads.services import fill_missing_deadlines

    intake_rows([lead_row("Y", received_at=dt.datetime(2026, 12, 28, 9, 0))])  # 5 working days reach 2027
    case = Case.objects.get()
    assert case.accept_due_on is None  # stored, never refused, never guessed
    with pytest.raises(InvalidStep, match="2027年的法定节假日"):
        accept_case(case, gulou, "受理", on=dt.date(2026, 12, 29))
    CalendarYear.objects.create(year=2027, source="国务院办公厅通知（测试）")
    CalendarDay.objects.create(day=dt.date(2027, 1, 1), is_working_day=False, reason="元旦")
    reset_default_calendar()
    assert fill_missing_deadlines() == 1
    assert Case.objects.get().accept_due_on == dt.date(2027, 1, 5)
