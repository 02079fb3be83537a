"""anxin backfill --from D1 --to D2"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from anxin.monitoring.services import DailyRunError, backfill


class Command(BaseCommand):
    help = "逐日回放监测（重放官员在每一天会看到的结果），带进度条；从起始日起的旧结果会被替换。"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--from", dest="start", required=True, type=dt.date.fromisoformat, help="first day (YYYY-MM-DD)"
        )
        parser.add_argument("--to", dest="end", required=True, type=dt.date.fromisoformat, help="last day (YYYY-MM-DD)")
        parser.add_argument(
            "--engine", choices=["duckdb", "spark"], default=None, help="engine (default: ANXIN_ENGINE)"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

        start, end = options["start"], options["end"]
        total = (end - start).days + 1
        with Progress(
            TextColumn("回放 {task.description}"),
            BarColumn(),
            MofNCompleteColumn(),
            TimeRemainingColumn(),
            transient=False,
        ) as progress:
            task = progress.add_task(str(start), total=total)

            def step(result: Any) -> None:
                progress.update(task, advance=1, description=f"{result.as_of} 发现 {result.findings}")

            try:
                results = backfill(start, end, engine_name=options["engine"], progress=step)
            except DailyRunError as exc:
                raise CommandError(str(exc)) from exc
        seconds = sum(r.seconds for r in results)
        self.stdout.write(
            f"回放 {len(results)} 天，共 {seconds:.1f} 秒（每天 {seconds / max(len(results), 1):.2f} 秒）"
        )
