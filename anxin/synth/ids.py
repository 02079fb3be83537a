"""Vectorised builders of valid identifiers: resident IDs, USCCs, bank cards, phones.

The check characters follow ``anxin.core.identifiers`` (GB 11643-1999, GB 32100-2015);
a test pins the vectorised arithmetic to those functions.
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from anxin.core.identifiers import ID_CHECK_CHARS, ID_WEIGHTS, uscc_check_char

_ID_CHECK = np.array(list(ID_CHECK_CHARS))


def _digits(values: np.ndarray, width: int) -> np.ndarray:
    """(n, width) decimal digits of non-negative int64 ``values``, most significant first."""
    out = np.empty((values.shape[0], width), dtype=np.int64)
    v = values.astype(np.int64).copy()
    for i in range(width - 1, -1, -1):
        out[:, i] = v % 10
        v //= 10
    return out


def id_numbers(region: np.ndarray, birth: np.ndarray, seq: np.ndarray) -> pa.Array:
    """Resident IDs from int region codes, birth dates (numpy datetime64[D]) and 3-digit sequence numbers."""
    # Vectorised YYYYMMDD: years, months and days from datetime64 arithmetic.
    y = birth.astype("datetime64[Y]").astype(np.int64) + 1970
    m = birth.astype("datetime64[M]").astype(np.int64) % 12 + 1
    d = (birth.astype("datetime64[D]") - birth.astype("datetime64[M]")).astype(np.int64) + 1
    body = region.astype(np.int64) * 10**11 + (y * 10000 + m * 100 + d) * 1000 + seq.astype(np.int64)
    digits = _digits(body, 17)
    check = _ID_CHECK[(digits * np.array(ID_WEIGHTS)).sum(axis=1) % 11]
    return pc.binary_join_element_wise(pc.cast(pa.array(body), pa.string()), pa.array(check), "")


def wrong_check(value: str, alphabet: str) -> str:
    """``value`` with its last character replaced by a different character of ``alphabet``."""
    last = value[-1]
    i = alphabet.index(last) if last in alphabet else 0
    return value[:-1] + alphabet[(i + 1 + (sum(map(ord, value)) % (len(alphabet) - 1))) % len(alphabet)]


_ORG_WEIGHTS = (3, 7, 9, 10, 5, 8, 4, 2)


def org_code(body8: str) -> str:
    """An organisation code (GB 11714) of 8 digits and its check character."""
    total = sum(int(c) * w for c, w in zip(body8, _ORG_WEIGHTS, strict=True))
    c = 11 - total % 11
    return body8 + ("X" if c == 10 else "0" if c == 11 else str(c))


def uscc(authority_kind: str, region_code: str, body8: str) -> str:
    """A USCC: registration authority and kind (``91`` company, ``11`` organ, ``12`` institution), region, org code, check."""
    first17 = authority_kind + region_code + org_code(body8)
    return first17 + uscc_check_char(first17)


def luhn_cards(bins: np.ndarray, rng: np.random.Generator) -> pa.Array:
    """19-digit bank card numbers: the 6-digit BIN, 12 random digits and the Luhn check digit."""
    n = bins.shape[0]
    body = bins.astype(np.int64) * 10**12 + rng.integers(0, 10**12, size=n, dtype=np.int64)
    digits = _digits(body, 18)
    # Luhn: from the right of the full number the check digit is position 1, so the
    # body's rightmost digit is doubled.
    doubled = digits.copy()
    idx = np.arange(17, -1, -2)
    dd = doubled[:, idx] * 2
    doubled[:, idx] = np.where(dd > 9, dd - 9, dd)
    check = (10 - doubled.sum(axis=1) % 10) % 10
    return pc.cast(pa.array(body * 10 + check), pa.string())


def luhn_ok(card: str) -> bool:
    total = 0
    for i, c in enumerate(reversed(card)):
        v = int(c)
        if i % 2 == 1:
            v = v * 2 - 9 if v * 2 > 9 else v * 2
        total += v
    return total % 10 == 0


_PHONE_PREFIXES = np.array(
    [
        130,
        131,
        132,
        133,
        134,
        135,
        136,
        137,
        138,
        139,
        150,
        151,
        152,
        153,
        155,
        156,
        157,
        158,
        159,
        166,
        173,
        175,
        176,
        177,
        180,
        181,
        182,
        183,
        185,
        186,
        187,
        188,
        189,
        191,
        195,
        198,
        199,
    ]
)


def phones(n: int, rng: np.random.Generator) -> pa.Array:
    pre = _PHONE_PREFIXES[rng.integers(0, len(_PHONE_PREFIXES), size=n)].astype(np.int64)
    return pc.cast(pa.array(pre * 10**8 + rng.integers(0, 10**8, size=n)), pa.string())


def ymd(day: dt.date) -> str:
    return day.strftime("%Y%m%d")
