"""``anxin synth``: write a synthetic province's batch folder and its ground truth beside it."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

from anxin.synth import SCALES, generate


class Command(BaseCommand):
    help = (
        "生成模拟福建省的数据批次（合成数据）：写出 FEEDS.md 的全部数据文件到 --out，"
        "真实答案（truth.csv、leads_truth.csv、bad_rows.csv）写到旁边的 <out>_truth/。"
        " Write a synthetic Fujian batch (every feed) to --out and its ground truth to <out>_truth/."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--scale",
            choices=sorted(SCALES),
            default="tiny",
            help="tiny (tests), demo (README demo), province (8,427 projects)",
        )
        parser.add_argument("--days", type=int, default=None, help="days in the window (default per scale)")
        parser.add_argument("--start", default=None, help="first day YYYY-MM-DD (default per scale)")
        parser.add_argument("--seed", type=int, default=0)
        parser.add_argument("--out", required=True, help="batch folder to write (replaced if it exists)")
        parser.add_argument("--format", dest="fmt", choices=["csv", "parquet"], default="csv")

    def handle(self, *args: Any, **opts: Any) -> None:
        try:
            start = dt.date.fromisoformat(opts["start"]) if opts["start"] else None
        except ValueError as exc:
            raise CommandError(f"--start must be YYYY-MM-DD, not {opts['start']!r}") from exc
        with Progress(
            TextColumn("[bold]合成 {task.description}"),
            BarColumn(),
            MofNCompleteColumn(),
            TimeRemainingColumn(),
            transient=True,
            disable=not self.stdout.isatty(),
        ) as bar:
            task = bar.add_task(opts["scale"], total=None)

            def progress(done: int, total: int) -> None:
                bar.update(task, completed=done, total=total)

            try:
                summary = generate(opts["scale"], opts["days"], start, opts["seed"], opts["out"], opts["fmt"], progress)
            except (ValueError, LookupError) as exc:
                raise CommandError(str(exc)) from exc
        rows = ", ".join(f"{k} {v:,}" for k, v in summary.rows.items())
        self.stdout.write(
            f"{summary.scale}: {summary.start} + {summary.days} days -> {summary.out} "
            f"({rows}); {summary.episodes} episodes, {summary.bad_rows} ledger rows, "
            f"truth in {summary.truth_dir}; {summary.seconds:.1f} s"
        )
