"""anxin demo: set up the embedded platform with a synthetic province and serve it."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError, CommandParser


class Command(BaseCommand):
    help = "一键演示：建库、生成合成省份数据（anxin synth）、导入、创建演示账号，并在 http://127.0.0.1:8000 提供服务。"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--scale", default="demo", choices=["tiny", "demo"], help="synthetic province scale (default demo)"
        )
        parser.add_argument("--seed", type=int, default=2026, help="random seed of the synthetic province")
        parser.add_argument("--addr", default="127.0.0.1:8000", help="address to serve on")
        parser.add_argument("--no-serve", action="store_true", help="set up and load only; do not start the web server")
        parser.add_argument(
            "--reload", action="store_true", help="regenerate and re-ingest the demo data even if loaded"
        )
        parser.add_argument(
            "--replay-days",
            type=int,
            default=21,
            help="how many of the last days to replay day by day (the first folds in everything before it)",
        )

    def _replay(self, console: Any, folder: Path, days: int) -> None:
        """Run the daily monitoring over the last days of the demo window."""
        last = _last_event_day(folder)
        first = last - dt.timedelta(days=max(days, 1) - 1)
        console.print(f"[bold]5/5[/bold] 每日监测 {first} 至 {last}（首日一并计入此前的全部数据）…")
        call_command("backfill", start=first, end=last)

    def handle(self, *args: Any, **options: Any) -> None:
        from rich.console import Console
        from rich.table import Table

        from anxin.core.services import DEMO_PASSWORD, ensure_demo_accounts
        from anxin.lake.services import ingest_paths

        console = Console()
        console.print("[bold]1/5[/bold] 建立数据库 …")
        call_command("migrate", interactive=False, verbosity=0)
        console.print("[bold]2/5[/bold] 创建演示账号 …")
        accounts = ensure_demo_accounts()
        folder = Path(settings.VAR_DIR) / "demo" / f"{options['scale']}-{options['seed']}"
        marker = folder.parent / f"{folder.name}.loaded"
        if options["reload"] or not marker.exists():
            if not (folder / "projects.csv").exists() or options["reload"]:
                console.print(f"[bold]3/5[/bold] 生成合成省份数据（{options['scale']}）到 {folder} …")
                call_command("synth", scale=options["scale"], seed=options["seed"], out=str(folder))
            console.print("[bold]4/5[/bold] 导入数据 …")
            summaries = ingest_paths([folder], progress=lambda feed, i, n: console.print(f"  [{i + 1}/{n}] {feed}"))
            table = Table(title="导入结果")
            for header in ("数据项", "行数", "新增", "更新", "重复", "隔离"):
                table.add_column(header, justify="right")
            for s in summaries:
                table.add_row(
                    s.feed, str(s.rows), str(s.accepted), str(s.updated), str(s.duplicates), str(s.quarantined)
                )
            console.print(table)
            self._replay(console, folder, options["replay_days"])
            marker.write_text(dt.datetime.now().isoformat())
        else:
            console.print("[bold]3/5[/bold] 演示数据已导入并完成监测（--reload 可重新生成）")
        logins = Table(title=f"演示账号（密码均为 {DEMO_PASSWORD}）")
        for header in ("用户名", "角色", "辖区/机构"):
            logins.add_column(header)
        for account in accounts:
            logins.add_row(account.username, account.display_name, account.office or "全省")
        console.print(logins)
        host = options["addr"]
        console.print(
            f"\n[bold green]请用浏览器打开 http://{host}/login/ 登录[/bold green]（接口文档 http://{host}/api/docs，系统管理 http://{host}/admin/）"
        )
        console.print(
            f"风险预警 http://{host}/warnings/ · 履约评价 http://{host}/evaluation/ · "
            f"预警通知邮件写在 {settings.EMAIL_FILE_PATH}"
        )
        if not options["no_serve"]:
            call_command("runserver", host, use_reloader=False)


def _last_event_day(folder: Path) -> dt.date:
    """The last day with attendance in the lake (the end of the synthetic window)."""
    from anxin.lake.storage import feed_dir

    days = sorted(p.name.removeprefix("day=") for p in feed_dir("attendance").glob("day=*"))
    if not days:
        raise CommandError(f"{folder} 中没有考勤数据，无法运行每日监测")
    return dt.date.fromisoformat(days[-1])
