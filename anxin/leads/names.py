"""Pure helpers of de-duplication: how complainants write an employer's name, and periods.

Workers write the same employer many ways: 有限公司 or 有限责任公司 or neither, a branch
or project department after it (福州分公司, 第三分公司, XX项目部), spaces, full- or
half-width brackets around it, 福建 or 福建省. ``normalise_name`` folds all of them to one
key; it is deliberately strict about everything else, so two different employers never
share a key because of it.
"""

from __future__ import annotations

import re
import unicodedata

#: Fujian's cities (short names): a branch is often named after one (福州分公司).
CITY_SHORT_NAMES = ("福州", "厦门", "莆田", "三明", "泉州", "漳州", "南平", "龙岩", "宁德", "平潭")

_PUNCT = re.compile(r"[\s()\[\]{}【】<>《》\"'“”‘’·.,，、。:：;；\-—_/]+")
_BRANCH = re.compile(r"(第[一二三四五六七八九十百零〇0-9]+)?(分公司|项目经理部|项目部|工程处|分部|办事处|分厂|经营部)$")
_FORM = re.compile(r"(股份有限公司|有限责任公司|有限公司|股份公司|公司)$")


def normalise_name(name: str, places: tuple[str, ...] = CITY_SHORT_NAMES) -> str:
    """The de-duplication key of an employer's name (see the module docstring).

    >>> normalise_name("（福建汇丰建设工程有限责任公司 福州分公司）")
    '福建汇丰建设工程'
    """
    text = unicodedata.normalize("NFKC", name or "")
    text = _PUNCT.sub("", text)
    if text.startswith("福建省"):
        text = "福建" + text[3:]
    while True:
        before = text
        text = _BRANCH.sub("", text)
        if text != before:
            for place in places:
                for form in (place + "市", place):
                    if text.endswith(form) and len(text) > len(form) + 1:
                        text = text[: -len(form)]
                        break
        text = _FORM.sub("", text) if len(_FORM.sub("", text)) >= 2 else text
        if text == before:
            return text


def target_key(uscc: str | None, name: str | None) -> str:
    """``uscc:<code>`` when the code is known, else ``name:<normalised name>``."""
    if uscc:
        return "uscc:" + uscc.upper()
    return "name:" + normalise_name(name or "")


def periods_overlap(a_from: str, a_to: str, b_from: str, b_to: str) -> bool:
    """Whether two arrears periods ('YYYY-MM', '' = open) overlap; a missing period overlaps anything."""
    if not (a_from or a_to) or not (b_from or b_to):
        return True
    a_lo, a_hi = a_from or a_to, a_to or a_from
    b_lo, b_hi = b_from or b_to, b_to or b_from
    if a_lo > a_hi:
        a_lo, a_hi = a_hi, a_lo
    if b_lo > b_hi:
        b_lo, b_hi = b_hi, b_lo
    return a_lo <= b_hi and b_lo <= a_hi
