"""The arithmetic of the contract-performance score (RULES.md, 履约评价): pure."""

from __future__ import annotations

from fractions import Fraction

import pytest

from anxin.evaluation.scoring import ProjectFinding, RatedProject, grade_of, score_contractor

POINTS = {"WA01": 10, "WA02": 10, "PD01": 10, "DP01": 10}


def points(rule: str) -> int:
    return POINTS.get(rule, 5)


def finding(rule: str, family: str) -> ProjectFinding:
    return ProjectFinding(rule, family)


def test_a_contractor_without_findings_scores_100_and_grade_a() -> None:
    result = score_contractor([RatedProject("P1", 10)], points)
    assert (result.score, result.grade, result.capped, result.deductions) == (100, "A", False, [])
    assert result.sub_scores == dict.fromkeys(("real_name", "special_account", "pay_on_behalf", "deposit"), 25)


def test_each_finding_deducts_its_rules_points_from_its_sub_score() -> None:
    found = [
        finding("RN02", "real_name"),
        finding("NB01", "real_name"),
        finding("WA01", "special_account"),
        finding("PD01", "pay_on_behalf"),
        finding("WP07", "pay_on_behalf"),
        finding("DP02", "deposit"),
    ]
    result = score_contractor([RatedProject("P1", 3, found)], points)
    assert result.sub_scores == {"real_name": 15, "special_account": 15, "pay_on_behalf": 10, "deposit": 20}
    assert result.score == 60 and result.grade == "C"
    assert [(d.rule, d.points, d.applied) for d in result.deductions] == [
        ("DP02", 5, 5), ("NB01", 5, 5), ("PD01", 10, 10), ("RN02", 5, 5), ("WA01", 10, 10), ("WP07", 5, 5),
    ]  # fmt: skip


def test_a_sub_score_never_goes_below_zero_and_the_deduction_says_what_it_took() -> None:
    found = [finding(rule, "special_account") for rule in ("WA01", "WA02", "WA03", "WA04")]
    result = score_contractor([RatedProject("P1", 1, found)], points)
    assert result.sub_scores["special_account"] == 0
    assert [(d.rule, d.applied) for d in result.deductions] == [("WA01", 10), ("WA02", 10), ("WA03", 5), ("WA04", 0)]
    assert result.score == 75


def test_rules_outside_the_four_families_deduct_nothing() -> None:
    result = score_contractor([RatedProject("P1", 1, [finding("PS01", ""), finding("LD01", "")])], points)
    assert result.score == 100 and result.deductions == []


def test_sub_scores_are_averaged_over_active_projects_weighted_by_workers() -> None:
    projects = [
        RatedProject("BIG", 300, [finding("WA01", "special_account")]),  # special 15
        RatedProject("SMALL", 100, []),  # special 25
    ]
    result = score_contractor(projects, points)
    assert result.sub_scores["special_account"] == Fraction(15 * 300 + 25 * 100, 400)  # 17.5
    assert result.score == 93  # 25 + 17.5 + 25 + 25 = 92.5, rounded half up


def test_a_project_with_nobody_registered_weighs_as_one_worker() -> None:
    projects = [RatedProject("EMPTY", 0, [finding("DP01", "deposit")]), RatedProject("ONE", 1, [])]
    assert score_contractor(projects, points).sub_scores["deposit"] == Fraction(15 + 25, 2)


def test_arrears_on_any_project_caps_the_total_at_59() -> None:
    assert score_contractor([RatedProject("P1", 5)], points, arrears_on_any_project=True).score == 59
    capped = score_contractor([RatedProject("P1", 5)], points, arrears_on_any_project=True)
    assert capped.capped and capped.grade == "D"
    low = score_contractor(
        [RatedProject("P1", 1, [finding(r, "pay_on_behalf") for r in ("PD01", "WP02", "WP03", "WP04")])],
        points,
        arrears_on_any_project=True,
        arrears_cap=80,
    )
    assert low.score == 75 and not low.capped  # below the cap: nothing to cap


@pytest.mark.parametrize(
    ("score", "grade"), [(100, "A"), (90, "A"), (89, "B"), (75, "B"), (74, "C"), (60, "C"), (59, "D"), (0, "D")]
)
def test_grades_come_from_the_integer_score(score: int, grade: str) -> None:
    assert grade_of(score) == grade


def test_the_total_rounds_half_up_from_exact_fractions() -> None:
    # Three equal projects: special (15 + 25 + 25) / 3 = 21.666…, real (20 + 25 + 25) / 3 = 23.333…: total 94.999… → 95.
    projects = [
        RatedProject("A", 1, [finding("WA01", "special_account"), finding("RN02", "real_name")]),
        RatedProject("B", 1),
        RatedProject("C", 1),
    ]
    assert score_contractor(projects, points).score == 95


def test_a_contractor_needs_an_active_project_to_be_rated() -> None:
    with pytest.raises(ValueError):
        score_contractor([], points)
