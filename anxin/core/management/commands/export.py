"""anxin export warnings|evaluations|findings|leads --out FILE.csv [--as-of D]"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from anxin.core.registries import EXPORTERS


class Command(BaseCommand):
    help = "按数据接口规范导出 CSV（UTF-8 带 BOM）：warnings 预警、evaluations 某日履约评价（--as-of）、findings 某日开放的规则发现（--as-of）、leads 欠薪线索案件。"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "what", help="what to export: " + ", ".join(sorted(EXPORTERS)) if EXPORTERS else "what to export"
        )
        parser.add_argument("--out", required=True, type=Path, help="the CSV file to write")
        parser.add_argument(
            "--as-of", type=dt.date.fromisoformat, default=None, help="the date (YYYY-MM-DD) for exports as of a day"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        exporter = EXPORTERS.get(options["what"])
        if exporter is None:
            raise CommandError(f"无法导出“{options['what']}”：可导出的有 {', '.join(sorted(EXPORTERS)) or '（无）'}")
        if exporter.needs_as_of and options["as_of"] is None:
            raise CommandError(f"导出 {exporter.name} 需要 --as-of YYYY-MM-DD")
        count = exporter.write(options["out"], as_of=options["as_of"])
        self.stderr.write(f"已导出 {count} 行到 {options['out']}")
