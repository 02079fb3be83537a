"""Identifier checks: USCC (GB 32100-2015) and resident ID (GB 11643-1999), in Python and in DuckDB SQL.

The oracles here are the standards' own tables and their "whole code" formulation, written
out independently of ``anxin.core.identifiers``:

* GB 32100-2015: the weighted sum of all 18 characters (the check character with weight 1)
  is divisible by 31.
* GB 11643-1999 (ISO 7064 MOD 11-2): the weighted sum of all 18 characters (X = 10, the
  check character with weight 1) leaves remainder 1 modulo 11.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

import duckdb
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from anxin.core.identifiers import (
    id_birth_date,
    id_check_char,
    id_check_sql,
    id_number_error,
    id_sex,
    is_region_code,
    is_valid_id_number,
    is_valid_uscc,
    normalise_id_number,
    uscc_check_char,
    uscc_check_sql,
    uscc_error,
)

# GB 32100-2015, table 2 and 3: the 31 code characters (no I, O, Z, S, V) and the weights.
GB32100_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
GB32100_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)
# GB 11643-1999, 7.3: weights of positions 1..17.
GB11643_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)

REAL_USCCS = [
    "914403001922038216",  # 华为技术有限公司
    "9144030071526726XG",  # 深圳市腾讯计算机系统有限公司
    "91330100799655058B",  # 阿里巴巴（中国）有限公司
    "91110000710935732K",  # 百度在线网络技术（北京）有限公司
]
FORBIDDEN_USCC_LETTERS = "IOZSV"

USCC_EXAMPLES = 40
ID_EXAMPLES = 40


def uscc_is_whole(code: str) -> bool:
    """GB 32100 read as a whole: all 18 characters weighted (check with weight 1) sum to 0 mod 31."""
    values = [GB32100_ALPHABET.index(c) for c in code]
    return (sum(v * w for v, w in zip(values, GB32100_WEIGHTS + (1,), strict=True))) % 31 == 0


def id_is_whole(number: str) -> bool:
    """ISO 7064 MOD 11-2: all 18 characters weighted 2^(18-i) (X = 10) sum to 1 mod 11."""
    values = [10 if c == "X" else int(c) for c in number]
    return sum(v * w for v, w in zip(values, GB11643_WEIGHTS + (1,), strict=True)) % 11 == 1


def completing_uscc_char(body: str) -> str:
    """The one character that makes ``body`` + it a whole USCC, found by trying all 31."""
    (char,) = [c for c in GB32100_ALPHABET if uscc_is_whole(body + c)]
    return char


def completing_id_char(body: str) -> str:
    (char,) = [c for c in "0123456789X" if id_is_whole(body + c)]
    return char


uscc_bodies = st.text(alphabet=GB32100_ALPHABET, min_size=17, max_size=17)
birth_dates = st.dates(min_value=dt.date(1930, 1, 1), max_value=dt.date(2010, 12, 31))


@st.composite
def id_bodies(draw: st.DrawFn) -> str:
    """First 17 digits of a resident ID: a region, a real birth date, a sequence number."""
    region = draw(st.from_regex(r"[1-6][0-9]{5}", fullmatch=True))
    birth = draw(birth_dates)
    sequence = draw(st.from_regex(r"[0-9]{3}", fullmatch=True))
    return f"{region}{birth:%Y%m%d}{sequence}"


@pytest.fixture(scope="module")
def duck() -> Iterator[duckdb.DuckDBPyConnection]:
    con = duckdb.connect()
    yield con
    con.close()


def sql_verdicts(con: duckdb.DuckDBPyConnection, expression: str, values: list[str]) -> list[bool]:
    rows = con.execute(
        f"SELECT {expression} FROM unnest(?::VARCHAR[]) WITH ORDINALITY AS t(x, n) ORDER BY n", [values]
    ).fetchall()
    return [row[0] for row in rows]


# --- the standards' tables ------------------------------------------------------------


def test_the_uscc_weights_are_the_powers_of_three_in_gb_32100() -> None:
    assert [uscc_check_char("0" * i + "1" + "0" * (16 - i)) for i in range(17)] == [
        completing_uscc_char("0" * i + "1" + "0" * (16 - i)) for i in range(17)
    ]


def test_the_id_weights_are_the_powers_of_two_in_gb_11643() -> None:
    assert [id_check_char("0" * i + "1" + "0" * (16 - i)) for i in range(17)] == [
        completing_id_char("0" * i + "1" + "0" * (16 - i)) for i in range(17)
    ]


# --- USCC on real-world codes ---------------------------------------------------------


@pytest.mark.parametrize("code", REAL_USCCS)
def test_it_accepts_the_uscc_of_a_real_company(code: str) -> None:
    assert uscc_is_whole(code)  # the oracle agrees these are real, valid codes
    assert is_valid_uscc(code)
    assert uscc_error(code) is None
    assert uscc_check_char(code[:17]) == code[17]


@pytest.mark.parametrize("code", REAL_USCCS)
def test_it_refuses_a_uscc_with_a_wrong_check_character(code: str) -> None:
    for wrong in (c for c in GB32100_ALPHABET if c != code[17]):
        assert not is_valid_uscc(code[:17] + wrong)
        assert uscc_error(code[:17] + wrong) == "统一社会信用代码校验位错误，请核对代码"


@pytest.mark.parametrize("code", REAL_USCCS)
def test_it_refuses_a_real_uscc_with_one_body_character_changed(code: str) -> None:
    for position in range(17):
        for replacement in (c for c in GB32100_ALPHABET if c != code[position]):
            changed = code[:position] + replacement + code[position + 1 :]
            assert not is_valid_uscc(changed), changed


def test_it_refuses_a_uscc_with_two_adjacent_characters_swapped() -> None:
    # 9144030071526726XG with its 5th and 6th characters (0 and 3) swapped.
    assert not is_valid_uscc("9144300071526726XG")


@pytest.mark.parametrize("code", ["91440300192203821", "9144030019220382166", ""])
def test_it_refuses_a_uscc_of_the_wrong_length(code: str) -> None:
    assert not is_valid_uscc(code)


def test_it_says_how_long_a_uscc_of_the_wrong_length_is() -> None:
    assert uscc_error("91440300192203821") == "统一社会信用代码应为18位，实际为17位"
    assert uscc_error("9144030019220382166") == "统一社会信用代码应为18位，实际为19位"


@pytest.mark.parametrize("letter", FORBIDDEN_USCC_LETTERS)
def test_it_refuses_a_uscc_with_a_letter_the_standard_leaves_out(letter: str) -> None:
    code = "9144030071526726" + letter + "G"
    assert not is_valid_uscc(code)
    assert uscc_error(code) == "统一社会信用代码含有不允许的字符（不使用I、O、Z、S、V）"


@pytest.mark.parametrize("letter", FORBIDDEN_USCC_LETTERS)
def test_it_refuses_a_forbidden_letter_as_the_uscc_check_character(letter: str) -> None:
    assert not is_valid_uscc("9144030071526726X" + letter)


def test_it_explains_an_empty_uscc() -> None:
    assert uscc_error("") == "统一社会信用代码为空"
    assert uscc_error(None) == "统一社会信用代码为空"
    assert not is_valid_uscc(None)


def test_it_forgives_a_uscc_typed_in_lowercase_but_not_stray_spaces_which_ingest_trims_first() -> None:
    assert uscc_error("9144030071526726xg") is None and is_valid_uscc("9144030071526726xg")
    assert uscc_error("  9144030071526726XG ") is not None


def test_it_refuses_a_uscc_with_a_trailing_newline() -> None:
    assert not is_valid_uscc("914403001922038216\n")


# --- resident ID on the standard's examples -------------------------------------------


def test_it_accepts_the_resident_id_example_of_gb_11643() -> None:
    assert id_is_whole("11010519491231002X")
    assert is_valid_id_number("11010519491231002X")
    assert id_number_error("11010519491231002X") is None


def test_it_accepts_a_lowercase_x_as_the_id_check_character() -> None:
    assert normalise_id_number(" 11010519491231002x ") == "11010519491231002X"
    assert is_valid_id_number("11010519491231002x")
    assert is_valid_id_number(" 11010519491231002X\n")


def test_the_standards_1880_example_has_a_right_check_digit_but_an_implausible_birth_year() -> None:
    # GB 11643-1999's second example (汕头市潮阳县, born 1880-01-01): the arithmetic holds,
    # but anxin refuses births before 1900 as no living worker's.
    assert id_is_whole("440524188001010014")
    assert id_check_char("44052418800101001") == "4"
    assert id_number_error("440524188001010014") == "身份证号中的出生日期1880-01-01不合理"


def test_it_reads_the_birth_date_and_sex_from_a_resident_id() -> None:
    assert id_birth_date("11010519491231002X") == dt.date(1949, 12, 31)
    assert id_sex("11010519491231002X") == "F"  # 17th digit 2: even
    assert id_birth_date("440524188001010014") == dt.date(1880, 1, 1)
    assert id_sex("440524188001010014") == "M"  # 17th digit 1: odd


def test_it_refuses_a_resident_id_with_a_wrong_check_character() -> None:
    for wrong in "0123456789":
        number = "11010519491231002" + wrong
        assert not is_valid_id_number(number)
        assert id_number_error(number) == "身份证号校验位错误，请核对号码"


def test_it_refuses_the_id_example_with_one_digit_changed() -> None:
    number = "11010519491231002X"
    for position in (0, 3, 5, 14, 15, 16):  # region and sequence digits keep the birth date real
        for digit in (d for d in "0123456789" if d != number[position]):
            changed = number[:position] + digit + number[position + 1 :]
            assert id_number_error(changed) == "身份证号校验位错误，请核对号码", changed


def test_it_refuses_a_birth_date_that_does_not_exist() -> None:
    body = "110105" + "19900230" + "123"
    number = body + completing_id_char(body)  # a right check character: only the date is wrong
    assert id_birth_date(number) is None
    assert id_number_error(number) == "身份证号中的出生日期19900230不存在"


def test_it_accepts_the_29th_of_february_in_a_leap_year_only() -> None:
    leap = "350102" + "20000229" + "123"
    common = "350102" + "19000229" + "123"  # 1900 was not a leap year
    assert is_valid_id_number(leap + completing_id_char(leap))
    assert id_number_error(common + completing_id_char(common)) == "身份证号中的出生日期19000229不存在"


def test_it_refuses_a_birth_date_after_today() -> None:
    body = "350102" + "20250601" + "123"
    number = body + completing_id_char(body)
    assert id_number_error(number, today=dt.date(2025, 5, 31)) == "身份证号中的出生日期2025-06-01不合理"
    assert id_number_error(number, today=dt.date(2025, 6, 1)) is None


def test_it_refuses_a_birth_date_far_in_the_future_against_the_real_clock() -> None:
    body = "350102" + "29990101" + "123"
    assert not is_valid_id_number(body + completing_id_char(body))


def test_it_says_how_long_an_old_fifteen_digit_id_is() -> None:
    assert id_number_error("110105491231002") == "身份证号应为18位，实际为15位"


@pytest.mark.parametrize("number", ["11010519491231002A", "1101051949123X002X", "11010519491231002Y"])
def test_it_refuses_a_resident_id_with_a_letter_other_than_a_final_x(number: str) -> None:
    assert id_number_error(number) == "身份证号只能由17位数字加1位数字或X组成"


def test_it_refuses_a_resident_id_written_with_a_full_width_digit() -> None:
    # '１' (U+FF11) is a Unicode digit; a clerk's IME can produce it, but it is not the same ID.
    assert id_number_error("\uff11" + "1010519491231002X") == "身份证号只能由17位数字加1位数字或X组成"


def test_it_explains_an_empty_resident_id() -> None:
    assert id_number_error("") == "身份证号为空"
    assert id_number_error(None) == "身份证号为空"
    assert not is_valid_id_number(None)


# --- region codes ---------------------------------------------------------------------


@pytest.mark.parametrize("code", ["350102", "350128", "350000"])
def test_it_accepts_a_six_digit_region_code(code: str) -> None:
    assert is_region_code(code)


@pytest.mark.parametrize("code", ["35010", "3501021", "35010X", "", None, "350102\n", "３５０１０２"])
def test_it_refuses_a_region_code_that_is_not_six_ascii_digits(code: str | None) -> None:
    assert not is_region_code(code)


# --- properties -----------------------------------------------------------------------


@settings(max_examples=USCC_EXAMPLES, deadline=None)
@given(body=uscc_bodies)
def test_any_uscc_body_with_its_check_character_is_valid(body: str) -> None:
    assert uscc_check_char(body) == completing_uscc_char(body)
    assert is_valid_uscc(body + uscc_check_char(body))


@settings(max_examples=USCC_EXAMPLES, deadline=None)
@given(body=uscc_bodies, data=st.data())
def test_any_other_uscc_check_character_is_invalid(body: str, data: st.DataObject) -> None:
    right = uscc_check_char(body)
    wrong = data.draw(st.sampled_from([c for c in GB32100_ALPHABET if c != right]))
    assert not is_valid_uscc(body + wrong)


@settings(max_examples=USCC_EXAMPLES, deadline=None)
@given(body=uscc_bodies, position=st.integers(0, 16), data=st.data())
def test_changing_one_uscc_body_character_makes_the_code_invalid(body: str, position: int, data: st.DataObject) -> None:
    code = body + uscc_check_char(body)
    replacement = data.draw(st.sampled_from([c for c in GB32100_ALPHABET if c != body[position]]))
    assert not is_valid_uscc(code[:position] + replacement + code[position + 1 :])


@settings(max_examples=ID_EXAMPLES, deadline=None)
@given(body=id_bodies())
def test_any_id_body_with_its_check_character_is_valid(body: str) -> None:
    assert id_check_char(body) == completing_id_char(body)
    assert is_valid_id_number(body + id_check_char(body))
    assert is_valid_id_number((body + id_check_char(body)).lower())


@settings(max_examples=ID_EXAMPLES, deadline=None)
@given(body=id_bodies(), data=st.data())
def test_any_other_id_check_character_is_invalid(body: str, data: st.DataObject) -> None:
    wrong = data.draw(st.sampled_from([c for c in "0123456789X" if c != id_check_char(body)]))
    assert id_number_error(body + wrong) == "身份证号校验位错误，请核对号码"


@settings(max_examples=ID_EXAMPLES, deadline=None)
@given(body=id_bodies(), position=st.integers(0, 16), data=st.data())
def test_changing_one_id_body_digit_changes_the_check_character(body: str, position: int, data: st.DataObject) -> None:
    # Every weight is non-zero mod 11 and a digit changes by 1..9, so no single change goes unseen.
    number = body + id_check_char(body)
    digit = data.draw(st.sampled_from([d for d in "0123456789" if d != body[position]]))
    changed = number[:position] + digit + number[position + 1 :]
    assert id_check_char(changed[:17]) != number[17]
    assert not is_valid_id_number(changed)


# --- the SQL twins --------------------------------------------------------------------


@settings(max_examples=15, deadline=None)
@given(
    bodies=st.lists(uscc_bodies, min_size=1, max_size=30),
    corrupt=st.lists(st.booleans(), min_size=30, max_size=30),
    data=st.data(),
)
def test_the_uscc_sql_check_agrees_with_python(
    duck: duckdb.DuckDBPyConnection, bodies: list[str], corrupt: list[bool], data: st.DataObject
) -> None:
    codes = []
    for body, wrong in zip(bodies, corrupt, strict=False):
        check = uscc_check_char(body)
        if wrong:
            check = data.draw(st.sampled_from([c for c in GB32100_ALPHABET if c != check]))
        codes.append(body + check)
    codes += REAL_USCCS
    assert sql_verdicts(duck, uscc_check_sql("x"), codes) == [is_valid_uscc(c) for c in codes]


@settings(max_examples=15, deadline=None)
@given(
    numbers=st.lists(st.from_regex(r"[0-9]{17}[0-9X]", fullmatch=True), min_size=1, max_size=30),
    bodies=st.lists(id_bodies(), max_size=10),
)
def test_the_id_sql_check_agrees_with_python(
    duck: duckdb.DuckDBPyConnection, numbers: list[str], bodies: list[str]
) -> None:
    numbers = numbers + [b + id_check_char(b) for b in bodies] + ["11010519491231002X", "440524188001010014"]
    assert sql_verdicts(duck, id_check_sql("x"), numbers) == [id_check_char(n[:17]) == n[17] for n in numbers]
    assert sql_verdicts(duck, id_check_sql("x"), numbers) == [id_is_whole(n) for n in numbers]


def test_the_sql_checks_accept_the_real_codes(duck: duckdb.DuckDBPyConnection) -> None:
    assert sql_verdicts(duck, uscc_check_sql("x"), REAL_USCCS) == [True] * len(REAL_USCCS)
    assert sql_verdicts(duck, id_check_sql("x"), ["11010519491231002X", "11010519491231002" + "1"]) == [True, False]
