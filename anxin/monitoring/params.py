"""Rule thresholds: each rule's defaults (docs/rules.md), overridden by ``ANXIN_RULE_OVERRIDES``."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

from anxin.monitoring.rules import RULES


def overrides(text: str | None = None) -> dict[str, dict[str, Any]]:
    text = settings.ANXIN_RULE_OVERRIDES if text is None else text
    out: dict[str, dict[str, Any]] = {}
    for part in (p.strip() for p in text.split(",")):
        if not part:
            continue
        name, _, value = part.partition("=")
        code, _, param = name.strip().partition(".")
        rule = RULES.get(code)
        if rule is None or param not in rule.defaults:
            raise ImproperlyConfigured(f"ANXIN_RULE_OVERRIDES: unknown rule threshold {name!r}")
        kind = type(rule.defaults[param])
        out.setdefault(code, {})[param] = kind(float(value)) if kind is int else kind(value)
    return out


def params_for(code: str) -> dict[str, Any]:
    rule = RULES[code]
    return {**rule.defaults, **overrides().get(code, {})}
