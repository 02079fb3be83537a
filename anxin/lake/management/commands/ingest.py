"""anxin ingest PATH… [--json]"""

from __future__ import annotations

import json
from pathlib import Path
from typing import IO, Any, cast

from django.core.management.base import BaseCommand, CommandError, CommandParser

from anxin.lake.services import IngestError, ingest_paths


class Command(BaseCommand):
    help = "导入数据文件或文件夹（CSV/XLSX/Parquet/gzip，UTF-8 或 GB18030），按数据项依赖顺序入库，坏行隔离并说明原因。"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "paths", nargs="+", type=Path, help="files or folders of feed files (projects.csv, attendance-0001.csv …)"
        )
        parser.add_argument(
            "--json",
            action="store_true",
            help="print one JSON summary object per feed per line (the contract's format)",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        from rich.console import Console

        err = Console(stderr=True)
        as_json = options["json"]

        def progress(feed: str, i: int, n: int) -> None:
            if not as_json:
                err.print(f"[{i + 1}/{n}] 导入 {feed} …")

        try:
            summaries = ingest_paths(options["paths"], progress=progress)
        except IngestError as exc:
            raise CommandError(str(exc)) from exc
        for summary in summaries:
            for warning in summary.warnings:
                err.print(f"[yellow]提示[/yellow] {warning}")
        if as_json:
            for summary in summaries:
                self.stdout.write(json.dumps(summary.contract(), ensure_ascii=False))
            return
        from rich.table import Table

        table = Table(title="导入结果")
        for header in ("数据项", "文件", "行数", "新增", "更新", "重复", "隔离"):
            table.add_column(header, justify="right")
        for s in summaries:
            table.add_row(
                s.feed,
                str(s.files),
                str(s.rows),
                str(s.accepted),
                str(s.updated),
                str(s.duplicates),
                str(s.quarantined),
            )
        Console(file=cast(IO[str], self.stdout)).print(table)
        if any(s.quarantined for s in summaries):
            Console(file=cast(IO[str], self.stdout)).print(
                "隔离的行可在网页“数据接入 › 隔离数据”中查看和下载，修正后重新报送即可。"
            )
