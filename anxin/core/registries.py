"""Extension points that apps to the right of core fill in at start-up (``AppConfig.ready``).

core sits at the left of every layer and may import no other app, yet the ``export``
command it owns must reach exports that live in apps to its right. Those apps register
themselves here; core only looks them up.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any


@dataclass(frozen=True)
class Exporter:
    """``anxin export <name> --out FILE.csv [--as-of D]``: writes the contract's CSV, returns rows written."""

    name: str
    help: str
    write: Callable[..., int]
    needs_as_of: bool = False


EXPORTERS: dict[str, Exporter] = {}


def register_exporter(exporter: Exporter) -> None:
    EXPORTERS[exporter.name] = exporter


def write_contract_csv(path: Path, header: list[str], rows: Any) -> int:
    """The contract's CSV: UTF-8 with a BOM, header first, CRLF as Excel expects; returns rows written."""
    import csv

    path.parent.mkdir(parents=True, exist_ok=True)
    count = 0
    tmp = path.with_name(path.name + ".tmp")
    with open(tmp, "w", encoding="utf-8-sig", newline="") as fh:
        writer = csv.writer(fh, lineterminator="\r\n")
        writer.writerow(header)
        for row in rows:
            writer.writerow(["" if v is None else v for v in row])
            count += 1
    tmp.replace(path)
    return count
