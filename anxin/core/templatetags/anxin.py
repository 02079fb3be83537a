"""Template filters shared by every page."""

from __future__ import annotations

from django import template

from anxin.core.money import format_yuan

register = template.Library()


@register.filter
def yuan(fen: int | None) -> str:
    """Integer fen as yuan for officials: 12345678 -> '123,456.78 元' ('—' when unknown)."""
    return format_yuan(fen)
