"""Money as integer fen, end to end. Yuan appear only at the edges (files, screens)."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal, InvalidOperation


class MoneyError(ValueError):
    pass


def yuan_to_fen(value: str | int | float | Decimal) -> int:
    """Parse an amount in yuan (up to 2 decimals) to integer fen, exactly.

    Floats (as Excel stores numbers) are rounded to the fen.
    """
    if isinstance(value, float):
        value = Decimal(repr(value))
    try:
        amount = Decimal(str(value).strip().replace(",", "").replace("¥", "").replace("￥", ""))
    except InvalidOperation as exc:
        raise MoneyError(f"金额“{value}”不是数字") from exc
    if not amount.is_finite():  # NaN (an empty Excel cell read as float) or Infinity
        raise MoneyError(f"金额“{value}”不是数字")
    return int((amount * 100).quantize(Decimal(1), rounding=ROUND_HALF_UP))


def fen_to_yuan_text(fen: int | None) -> str:
    """12345 -> '123.45' (for files and screens)."""
    if fen is None:
        return ""
    sign = "-" if fen < 0 else ""
    fen = abs(fen)
    return f"{sign}{fen // 100}.{fen % 100:02d}"


def format_yuan(fen: int | None) -> str:
    """12345678 -> '123,456.78 元' for screens."""
    if fen is None:
        return "—"
    sign = "-" if fen < 0 else ""
    fen = abs(fen)
    return f"{sign}{fen // 100:,}.{fen % 100:02d} 元"
