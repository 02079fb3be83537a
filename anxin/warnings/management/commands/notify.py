"""anxin notify"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from anxin.warnings.services import notify_pending


class Command(BaseCommand):
    help = (
        "把尚未通知的预警事项放入各机构的站内通知，并向其工作人员发送邮件（每条只发一次；每日监测结束时也会自动运行）。"
    )

    def handle(self, *args: Any, **options: Any) -> None:
        created = notify_pending()
        self.stdout.write(f"新增站内通知 {created} 条；待发邮件已全部处理")
