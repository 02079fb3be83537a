"""Identifier checks: USCC (GB 32100-2015), resident ID (GB 11643-1999), region codes.

Pure functions, no Django. Check-digit arithmetic is also offered as SQL text
(``*_check_sql``) so that the lake can validate millions of rows in DuckDB without a
Python loop; a test pins the SQL to these functions.
"""

from __future__ import annotations

import datetime as dt
import re

USCC_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
#: GB 32100-2015: weight of position i (1-based) is 3^(i-1) mod 31.
USCC_WEIGHTS = tuple(pow(3, i, 31) for i in range(17))
#: GB 11643-1999: weight of position i (1-based, from the left) is 2^(18-i) mod 11.
ID_WEIGHTS = tuple(pow(2, 17 - i, 11) for i in range(17))
ID_CHECK_CHARS = "10X98765432"

# [0-9] and \Z, not \d and $: \d also matches full-width and other Unicode digits, and $
# matches before a trailing newline; the lake's regexp_full_match patterns are ASCII and whole.
_USCC_RE = re.compile(r"^[0-9A-HJ-NPQRTUWXY]{18}\Z")
_ID_RE = re.compile(r"^[0-9]{17}[0-9X]\Z")
_REGION_RE = re.compile(r"^[0-9]{6}\Z")


def uscc_check_char(first17: str) -> str:
    """The check character for the first 17 characters of a USCC."""
    total = sum(USCC_ALPHABET.index(c) * w for c, w in zip(first17, USCC_WEIGHTS, strict=True))
    return USCC_ALPHABET[(31 - total % 31) % 31]


def is_valid_uscc(value: str | None) -> bool:
    """True for an 18-character USCC whose check character is right (lowercase forgiven, as at ingest)."""
    return uscc_error(value) is None


def normalise_id_number(value: str) -> str:
    """Strip spaces and upper-case the check character (a lowercase x is the same as X)."""
    return value.strip().upper()


def id_check_char(first17: str) -> str:
    """The check character for the first 17 digits of a resident ID."""
    total = sum(int(c) * w for c, w in zip(first17, ID_WEIGHTS, strict=True))
    return ID_CHECK_CHARS[total % 11]


def id_birth_date(value: str) -> dt.date | None:
    """The birth date encoded in a resident ID, or None if it is not a real date."""
    try:
        return dt.date(int(value[6:10]), int(value[10:12]), int(value[12:14]))
    except ValueError:
        return None


def id_sex(value: str) -> str:
    """'M' or 'F' from the 17th digit (odd = male)."""
    return "M" if int(value[16]) % 2 else "F"


def id_number_error(value: str | None, *, today: dt.date | None = None) -> str | None:
    """Why a resident ID is invalid (Chinese, for a clerk), or None if it is valid."""
    if not value:
        return "身份证号为空"
    value = normalise_id_number(value)
    if len(value) != 18:
        return f"身份证号应为18位，实际为{len(value)}位"
    if not _ID_RE.match(value):
        return "身份证号只能由17位数字加1位数字或X组成"
    birth = id_birth_date(value)
    if birth is None:
        return f"身份证号中的出生日期{value[6:14]}不存在"
    if birth.year < 1900 or birth > (today or dt.date.today()):
        return f"身份证号中的出生日期{birth.isoformat()}不合理"
    if id_check_char(value[:17]) != value[17]:
        return "身份证号校验位错误，请核对号码"
    return None


def is_valid_id_number(value: str | None) -> bool:
    return id_number_error(value) is None


def uscc_error(value: str | None) -> str | None:
    """Why a USCC is invalid (Chinese), or None if it is valid."""
    if not value:
        return "统一社会信用代码为空"
    value = value.upper()
    if len(value) != 18:
        return f"统一社会信用代码应为18位，实际为{len(value)}位"
    if not _USCC_RE.match(value):
        return "统一社会信用代码含有不允许的字符（不使用I、O、Z、S、V）"
    if uscc_check_char(value[:17]) != value[17]:
        return "统一社会信用代码校验位错误，请核对代码"
    return None


def is_region_code(value: str | None) -> bool:
    return bool(value) and bool(_REGION_RE.match(value or ""))


def _weighted_sum_sql(col: str, weights: tuple[int, ...], value_of: str) -> str:
    """A SQL sum over the first 17 characters of ``col`` with the given weights.

    ``value_of`` is a template turning the SQL character expression ``{c}`` into its value.
    """
    terms = [f"({value_of.format(c=f'substr({col}, {i + 1}, 1)')}) * {w}" for i, w in enumerate(weights)]
    return " + ".join(terms)


def uscc_check_sql(col: str) -> str:
    """DuckDB SQL that is true when ``col`` (already matched against the USCC pattern) has the right check character."""
    total = _weighted_sum_sql(col, USCC_WEIGHTS, f"strpos('{USCC_ALPHABET}', {{c}}) - 1")
    return f"substr('{USCC_ALPHABET}', ((31 - (({total}) % 31)) % 31) + 1, 1) = substr({col}, 18, 1)"


def id_body_sql(col: str) -> str:
    """DuckDB SQL for the first 17 digits of ``col`` as one BIGINT (NULL if they are not digits)."""
    return f"TRY_CAST(substr({col}, 1, 17) AS BIGINT)"


def id_check_sql(col: str, body: str | None = None) -> str:
    """DuckDB SQL that is true when ``col`` (already matched against the ID pattern) has the right check character.

    ``body`` may name a column already holding ``id_body_sql(col)``, computed once.
    """
    # The 17 digits as one integer, each digit taken out by arithmetic: several times
    # faster in DuckDB than 17 substrings cast one by one (TRY_CAST: never an error, even
    # where a filter evaluates this before the pattern check; a NULL is not "valid").
    body = body or id_body_sql(col)
    total = " + ".join(f"(({body} // {10 ** (16 - i)}) % 10) * {w}" for i, w in enumerate(ID_WEIGHTS))
    return f"substr('{ID_CHECK_CHARS}', (({total}) % 11) + 1, 1) = substr({col}, 18, 1)"
