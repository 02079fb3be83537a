"""Masking of personal data for display: what an official sees without a reason to unmask."""

from __future__ import annotations


def mask_id_number(value: str | None) -> str:
    """350102199001011234 -> 350102********1234."""
    if not value:
        return ""
    if len(value) < 10:
        return "*" * len(value)
    return value[:6] + "*" * (len(value) - 10) + value[-4:]


def mask_phone(value: str | None) -> str:
    """13812345678 -> 138****5678."""
    if not value:
        return ""
    if len(value) < 7:
        return "*" * len(value)
    return value[:3] + "*" * (len(value) - 7) + value[-4:]


def mask_card(value: str | None) -> str:
    """Only the last four digits of a bank card: ************1234."""
    if not value:
        return ""
    if len(value) <= 4:
        return "*" * len(value)
    return "*" * (len(value) - 4) + value[-4:]


def mask_name(value: str | None) -> str:
    """张三 -> 张*, 欧阳娜娜 -> 欧***."""
    if not value:
        return ""
    return value[0] + "*" * max(len(value) - 1, 1)
