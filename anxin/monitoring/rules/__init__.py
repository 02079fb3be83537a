"""The rule catalog (shared/RULES.md): one module per rule, each registering itself."""

from __future__ import annotations

import importlib
import pkgutil

from anxin.monitoring.rules.base import RULES, Context, Rule

for _module in sorted(m.name for m in pkgutil.iter_modules(__path__)):
    if _module != "base":
        importlib.import_module(f"{__name__}.{_module}")

__all__ = ["RULES", "Context", "Rule"]
