"""anxin run-daily --as-of D"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from anxin.monitoring.services import DailyRunError, run_daily


class Command(BaseCommand):
    help = "按规则目录检查截至某日的全部项目和单位（只用当日及以前的数据），增量更新状态并保存规则发现。"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--as-of", required=True, type=dt.date.fromisoformat, help="the day to check (YYYY-MM-DD)")
        parser.add_argument(
            "--engine", choices=["duckdb", "spark"], default=None, help="engine (default: ANXIN_ENGINE)"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            result = run_daily(options["as_of"], engine_name=options["engine"])
        except DailyRunError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(
            f"{result.as_of}: 开放发现 {result.findings} 条（新增 {result.opened}，消除 {result.closed}），"
            f"迟到数据 {result.late_rows} 行，用时 {result.seconds:.1f} 秒"
        )
        warnings = result.steps.get("warnings")
        if isinstance(warnings, dict):
            self.stdout.write(
                f"  预警：新生成 {warnings.get('raised', 0)}，逾期提级 {warnings.get('escalated', 0)}，"
                f"风险消除关闭 {warnings.get('closed', 0)}"
            )
        if "evaluation" in result.steps:
            self.stdout.write(f"  履约评价：{result.steps['evaluation']} 家施工总承包单位")
