"""The level function and the score (RULES.md, "From findings to risk levels"): pure, frozen dates."""

from __future__ import annotations

import datetime as dt

import pytest

from anxin.warnings.risk import OpenFinding, Policy, Quiet, assess, audible, days_before_festival, level_of, score_of

POLICY = Policy(
    weights={"WP01": 40, "PS01": 30, "WA04": 20, "WA02": 18, "LD01": 15, "EN01": 15, "EN04": 15, "DP01": 4},
    high_combos=(frozenset({"WA02", "WA04"}), frozenset({"EN01", "EN04"})),
)
ORDINARY_DAY = dt.date(2025, 9, 10)  # five months before Spring Festival 2026 (02-17)
FESTIVAL_2026 = dt.date(2026, 2, 17)


def f(rule: str, severity: str = "medium", workers: int | None = None, amount_fen: int | None = None) -> OpenFinding:
    return OpenFinding(rule, severity, workers, amount_fen, ORDINARY_DAY - dt.timedelta(days=20))


def level(*findings: OpenFinding, day: dt.date = ORDINARY_DAY) -> str:
    return level_of(findings, day, POLICY)[0]


def test_a_subject_without_findings_has_no_level() -> None:
    assert level() == ""
    assert assess([], ORDINARY_DAY, POLICY).score == 0


def test_arrears_of_thirty_workers_is_urgent_and_twenty_nine_is_high() -> None:
    assert level(f("WP01", "high", workers=30, amount_fen=1_000_00)) == "urgent"
    assert level(f("WP01", "high", workers=29, amount_fen=1_000_00)) == "high"


def test_arrears_of_half_a_million_yuan_is_urgent_and_a_fen_less_is_high() -> None:
    assert level(f("WP01", "high", workers=3, amount_fen=50_000_000)) == "urgent"
    assert level(f("WP01", "high", workers=3, amount_fen=49_999_999)) == "high"


def test_a_site_emptying_with_arrears_is_urgent_but_without_arrears_medium() -> None:
    assert level(f("WP01", "high", workers=2, amount_fen=100), f("PS01")) == "urgent"
    assert level(f("PS01"), f("WA02")) == "medium"


def test_any_arrears_in_the_thirty_days_before_spring_festival_is_urgent() -> None:
    small = f("WP01", "high", workers=1, amount_fen=100)
    assert level(small, day=FESTIVAL_2026 - dt.timedelta(days=30)) == "urgent"
    assert level(small, day=FESTIVAL_2026) == "urgent"
    assert level(small, day=FESTIVAL_2026 - dt.timedelta(days=31)) == "high"
    assert level(small, day=FESTIVAL_2026 + dt.timedelta(days=1)) == "high"


def test_days_before_festival_count_to_the_next_one() -> None:
    assert days_before_festival(dt.date(2026, 2, 16)) == 1
    assert days_before_festival(dt.date(2026, 2, 18)) == (dt.date(2027, 2, 6) - dt.date(2026, 2, 18)).days
    assert days_before_festival(dt.date(2025, 12, 31)) == 48


def test_funding_stopped_and_an_account_that_cannot_cover_payroll_together_are_high() -> None:
    assert level(f("WA02"), f("WA04")) == "high"
    assert level(f("WA02")) == "medium"
    assert level(f("WA04")) == "low"  # a snapshot the next scheduled transfer usually mends


def test_social_insurance_arrears_with_wage_lawsuits_is_high() -> None:
    assert level(f("EN01"), f("EN04")) == "high"
    assert level(f("EN01")) == "medium"


def test_strong_complaint_leads_are_high_and_an_ordinary_lead_alone_is_low() -> None:
    assert level(f("LD01", "high")) == "high"
    assert level(f("LD01", "medium")) == "low"  # the complaint is already a case with its own clocks
    assert level(f("LD01", "medium"), f("WP07")) == "medium"


def test_management_rules_alone_are_low_and_with_a_money_rule_medium() -> None:
    assert level(f("DP01"), f("RN01"), f("NB01")) == "low"
    assert level(f("DP01"), f("PD01")) == "medium"


def test_the_first_matching_rule_from_urgent_down_wins() -> None:
    found = [f("WP01", "high", workers=40), f("WA02"), f("WA04"), f("DP01")]
    lvl, reasons = level_of(found, ORDINARY_DAY, POLICY)
    assert lvl == "urgent"
    assert any("40 人" in r for r in reasons)


def test_the_score_grows_with_workers_money_and_more_findings_and_stays_within_0_100() -> None:
    small = score_of([f("WP01", "high", workers=2, amount_fen=200_000)], ORDINARY_DAY, POLICY)
    large = score_of([f("WP01", "high", workers=80, amount_fen=80_000_000)], ORDINARY_DAY, POLICY)
    more = score_of(
        [f("WP01", "high", workers=80, amount_fen=80_000_000), f("WA02"), f("WA04"), f("PS01")], ORDINARY_DAY, POLICY
    )
    assert 0 < small < large < more <= 100
    pile = [f("WP01", "high", workers=500, amount_fen=10**10)] * 50
    assert score_of(pile, ORDINARY_DAY, POLICY) == 100


def test_a_fresh_finding_scores_above_the_same_finding_held_for_weeks() -> None:
    old = OpenFinding("WA02", "medium", None, None, ORDINARY_DAY - dt.timedelta(days=40))
    new = OpenFinding("WA02", "medium", None, None, ORDINARY_DAY)
    assert score_of([new], ORDINARY_DAY, POLICY) > score_of([old], ORDINARY_DAY, POLICY)


def test_scores_weigh_more_before_spring_festival() -> None:
    finding = OpenFinding("WA02", "medium", None, None, dt.date(2025, 12, 1))
    assert score_of([finding], FESTIVAL_2026 - dt.timedelta(days=10), POLICY) > score_of(
        [finding], dt.date(2026, 1, 1), POLICY
    )


@pytest.mark.parametrize(
    ("workers", "amount", "silenced"),
    [(10, 1_000_000, True), (12, 1_200_000, True), (13, 1_000_000, False), (10, 1_200_001, False)],
)
def test_a_quieted_rule_counts_again_only_when_its_evidence_grows_beyond_the_margin(
    workers: int, amount: int, silenced: bool
) -> None:
    quiet = Quiet(rules=frozenset({"WP01"}), until_on=ORDINARY_DAY, baseline={"WP01": (10, 1_000_000)}, growth_pct=20)
    finding = f("WP01", "high", workers=workers, amount_fen=amount)
    assert quiet.silences(finding, ORDINARY_DAY) is silenced
    assert (audible([finding], [quiet], ORDINARY_DAY) == []) is silenced


def test_a_quiet_ends_after_its_last_day_and_covers_only_its_rules_and_findings() -> None:
    quiet = Quiet(frozenset({"WA02"}), ORDINARY_DAY, {"WA02": (0, 0)}, 20, finding_ids=frozenset({7}))
    mine = OpenFinding("WA02", "medium", None, None, ORDINARY_DAY, finding_id=7)
    later = OpenFinding("WA02", "medium", None, None, ORDINARY_DAY, finding_id=8)
    other = OpenFinding("WA04", "medium", None, None, ORDINARY_DAY, finding_id=7)
    assert quiet.silences(mine, ORDINARY_DAY)
    assert not quiet.silences(mine, ORDINARY_DAY + dt.timedelta(days=1))
    assert not quiet.silences(later, ORDINARY_DAY)
    assert not quiet.silences(other, ORDINARY_DAY)


def test_the_policy_from_settings_reads_every_threshold(settings) -> None:  # type: ignore[no-untyped-def]
    settings.ANXIN_RISK_URGENT_WORKERS = 5
    settings.ANXIN_RISK_HIGH_COMBOS = ["WA01+PD01"]
    policy = Policy.from_settings()
    assert policy.urgent_workers == 5
    assert level_of([f("WA01"), f("PD01")], ORDINARY_DAY, policy)[0] == "high"
    assert level_of([f("WP01", "high", workers=5)], ORDINARY_DAY, policy)[0] == "urgent"
