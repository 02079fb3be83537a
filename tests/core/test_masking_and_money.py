"""Masking personal data for display, and money as integer fen."""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from anxin.core.masking import mask_card, mask_id_number, mask_name, mask_phone
from anxin.core.money import MoneyError, fen_to_yuan_text, format_yuan, yuan_to_fen

# --- masking --------------------------------------------------------------------------


def test_an_id_number_shows_its_region_and_last_four_only() -> None:
    assert mask_id_number("350102199001011234") == "350102********1234"
    assert mask_id_number("11010519491231002X") == "110105********002X"


def test_a_short_id_number_is_masked_entirely() -> None:
    assert mask_id_number("123456789") == "*********"


def test_a_phone_number_shows_its_first_three_and_last_four_digits() -> None:
    assert mask_phone("13812345678") == "138****5678"


def test_a_short_phone_number_is_masked_entirely() -> None:
    assert mask_phone("123456") == "******"


def test_a_bank_card_shows_its_last_four_digits_only() -> None:
    assert mask_card("6222021234567891234") == "***************1234"
    assert mask_card("6217001234561234") == "************1234"


def test_a_name_shows_its_surname_only() -> None:
    assert mask_name("张三") == "张*"
    assert mask_name("欧阳娜娜") == "欧***"


def test_a_one_character_name_still_gets_a_mask() -> None:
    assert mask_name("张") == "张*"


@pytest.mark.parametrize("mask", [mask_id_number, mask_phone, mask_card, mask_name])
def test_nothing_masks_to_an_empty_string(mask: Callable[[str | None], str]) -> None:
    assert mask(None) == ""
    assert mask("") == ""


@settings(max_examples=50, deadline=None)
@given(number=st.from_regex(r"[0-9]{17}[0-9X]", fullmatch=True))
def test_a_masked_id_number_hides_the_birth_date(number: str) -> None:
    masked = mask_id_number(number)
    assert len(masked) == 18
    assert masked[6:14] == "********"
    assert masked[:6] == number[:6]
    assert masked[14:] == number[14:]


@settings(max_examples=50, deadline=None)
@given(card=st.from_regex(r"[0-9]{16,19}", fullmatch=True))
def test_a_masked_card_keeps_its_length_and_nothing_but_the_last_four(card: str) -> None:
    masked = mask_card(card)
    assert len(masked) == len(card)
    assert masked[-4:] == card[-4:]
    assert set(masked[:-4]) == {"*"}


# --- money ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("yuan", "fen"),
    [
        ("1234.56", 123456),
        ("0.01", 1),
        ("100", 10000),
        ("1,234,567.89", 123456789),
        ("¥1,234.50", 123450),
        ("￥88", 8800),
        ("  12.3 ", 1230),
        ("-45.60", -4560),
        ("0", 0),
    ],
)
def test_it_reads_an_amount_in_yuan_as_fen(yuan: str, fen: int) -> None:
    assert yuan_to_fen(yuan) == fen


def test_it_reads_integers_and_decimals() -> None:
    assert yuan_to_fen(5000) == 500000
    assert yuan_to_fen(Decimal("5000.05")) == 500005


def test_it_rounds_an_excel_float_to_the_nearest_fen() -> None:
    assert 0.1 + 0.2 != 0.3
    assert yuan_to_fen(0.1 + 0.2) == 30
    assert yuan_to_fen(4567.89) == 456789
    assert yuan_to_fen(1.005) == 101  # the float prints as 1.005: half a fen rounds up


def test_it_rounds_half_a_fen_away_from_zero() -> None:
    assert yuan_to_fen("0.005") == 1
    assert yuan_to_fen("0.004") == 0
    assert yuan_to_fen("-0.005") == -1


@pytest.mark.parametrize("text", ["", "abc", "十二元", "12元", "1.2.3"])
def test_it_refuses_text_that_is_not_an_amount(text: str) -> None:
    with pytest.raises(MoneyError, match="不是数字"):
        yuan_to_fen(text)


@pytest.mark.parametrize("value", ["NaN", "Infinity", "-inf", float("nan"), float("inf")])
def test_it_refuses_nan_and_infinity_as_amounts(value: str | float) -> None:
    # An empty Excel cell often arrives as float('nan').
    with pytest.raises(MoneyError, match="不是数字"):
        yuan_to_fen(value)


def test_a_money_error_is_a_value_error() -> None:
    assert issubclass(MoneyError, ValueError)


@pytest.mark.parametrize(
    ("fen", "text"),
    [
        (123456, "1234.56"),
        (12345, "123.45"),
        (5, "0.05"),
        (100, "1.00"),
        (0, "0.00"),
        (-5, "-0.05"),
        (-123456, "-1234.56"),
    ],
)
def test_fen_print_as_yuan_with_two_decimals(fen: int, text: str) -> None:
    assert fen_to_yuan_text(fen) == text


def test_no_amount_prints_as_nothing() -> None:
    assert fen_to_yuan_text(None) == ""
    assert format_yuan(None) == "—"


@pytest.mark.parametrize(
    ("fen", "text"),
    [
        (12345678, "123,456.78 元"),
        (203000, "2,030.00 元"),
        (99, "0.99 元"),
        (-12345678, "-123,456.78 元"),
        (100000000000, "1,000,000,000.00 元"),
    ],
)
def test_format_yuan_groups_thousands_for_screens(fen: int, text: str) -> None:
    assert format_yuan(fen) == text


@settings(max_examples=200, deadline=None)
@given(fen=st.integers(min_value=-(10**15), max_value=10**15))
def test_printed_yuan_read_back_as_the_same_fen(fen: int) -> None:
    assert yuan_to_fen(fen_to_yuan_text(fen)) == fen
    assert yuan_to_fen(format_yuan(fen).removesuffix(" 元")) == fen


@settings(max_examples=200, deadline=None)
@given(fen=st.integers(min_value=-(10**11), max_value=10**11))
def test_an_excel_float_of_a_fen_amount_reads_back_exactly(fen: int) -> None:
    # Excel stores 1234.56 as the nearest double; up to a billion yuan it must still read as 123456 fen.
    assert yuan_to_fen(fen / 100) == fen
