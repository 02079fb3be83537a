"""De-duplication keys: the ways workers write an employer's name, and arrears periods."""

from __future__ import annotations

import pytest

from anxin.leads.names import normalise_name, periods_overlap, target_key

BASE = "福建汇丰建设工程有限公司"


@pytest.mark.parametrize(
    "variant",
    [
        "福建汇丰建设工程有限公司",
        "福建汇丰建设工程有限责任公司",
        "福建汇丰建设工程",
        "福建汇丰建设工程福州分公司",
        "福建汇丰建设工程有限公司第三分公司",
        "福建汇丰建设工程有限公司项目部",
        "福建汇丰建设工程有限公司第一工程处",
        "福建省汇丰建设工程有限公司",
        "福建汇丰 建设工程有限公司",
        "（福建汇丰建设工程有限公司）",
        "(福建汇丰建设工程有限责任公司)",
        "福建汇丰建设工程有限公司厦门市分公司",
    ],
)
def test_every_way_of_writing_an_employer_folds_to_one_key(variant: str) -> None:
    assert normalise_name(variant) == normalise_name(BASE) == "福建汇丰建设工程"


def test_different_employers_keep_different_keys() -> None:
    assert normalise_name("福建汇丰建设工程有限公司") != normalise_name("福建汇丰建筑劳务有限公司")
    assert normalise_name("厦门建工集团有限公司") != normalise_name("厦门建工有限公司")


def test_the_key_is_the_uscc_when_known_else_the_name() -> None:
    assert target_key("91350102ma2y000011", "whatever") == "uscc:91350102MA2Y000011"
    assert target_key(None, "福建汇丰建设工程福州分公司") == "name:福建汇丰建设工程"


@pytest.mark.parametrize(
    ("a", "b", "overlap"),
    [
        (("2025-01", "2025-03"), ("2025-03", "2025-05"), True),
        (("2025-01", "2025-02"), ("2025-03", "2025-05"), False),
        (("", ""), ("2025-03", "2025-05"), True),  # a missing period overlaps anything
        (("2025-04", ""), ("2025-03", "2025-05"), True),
        (("2025-06", ""), ("2025-03", "2025-05"), False),
    ],
)
def test_periods_overlap(a: tuple[str, str], b: tuple[str, str], overlap: bool) -> None:
    assert periods_overlap(*a, *b) is overlap
    assert periods_overlap(*b, *a) is overlap
