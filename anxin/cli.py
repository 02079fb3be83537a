"""The ``anxin`` console command: a thin wrapper around Django's management commands.

``anxin --help`` lists anxin's own commands, each with its help; any Django command
(``anxin migrate``, ``anxin createsuperuser`` …) passes through.
"""

from __future__ import annotations

import os
import sys


def _own_commands() -> list[tuple[str, str]]:
    from django.core.management import get_commands, load_command_class

    rows = []
    for name, app in sorted(get_commands().items()):
        if app.startswith("anxin.") or name in ("migrate", "createsuperuser", "runserver", "changepassword"):
            command = load_command_class(app, name)
            rows.append((name.replace("_", "-"), (command.help or "").strip().splitlines()[0] if command.help else ""))
    return rows


def main(argv: list[str] | None = None) -> None:
    argv = list(sys.argv[1:] if argv is None else argv)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "anxin.settings")
    import django

    django.setup()
    if not argv or argv[0] in ("-h", "--help", "help") and len(argv) == 1:
        print(
            "anxin（安薪）农民工工资支付监测预警平台\n\n用法: anxin <命令> [参数]，anxin <命令> --help 查看命令的参数\n\n命令:"
        )
        for name, help_text in _own_commands():
            print(f"  {name:<16} {help_text}")
        print("\n其余 Django 管理命令（如 shell、dbshell）同样可用。")
        return
    from django.core.management import execute_from_command_line, get_commands
    from django.db.utils import OperationalError, ProgrammingError

    # The contract spells commands with hyphens (run-daily); Django modules use underscores.
    if argv[0].replace("-", "_") in get_commands() and argv[0] not in get_commands():
        argv[0] = argv[0].replace("-", "_")

    try:
        execute_from_command_line(["anxin", *argv])
    except (OperationalError, ProgrammingError) as exc:
        if os.environ.get("ANXIN_TRACEBACK"):
            raise
        hint = (
            "；数据库尚未建立或未升级，请先运行 anxin migrate"
            if "no such table" in str(exc) or "does not exist" in str(exc)
            else ""
        )
        print(f"错误：数据库操作失败：{str(exc).splitlines()[0]}{hint}", file=sys.stderr)
        sys.exit(1)
    except Exception as exc:  # one line for the operator; ANXIN_TRACEBACK=1 shows the whole story
        if os.environ.get("ANXIN_TRACEBACK"):
            raise
        print(
            f"错误：{type(exc).__name__}: {str(exc).splitlines()[0] if str(exc) else ''}（设置 ANXIN_TRACEBACK=1 查看详情）",
            file=sys.stderr,
        )
        sys.exit(1)


if __name__ == "__main__":
    main()
