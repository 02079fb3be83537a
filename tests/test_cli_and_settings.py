"""The anxin command lists its commands with help; every setting is documented."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_anxin_help_lists_every_command_of_anxin_with_its_help() -> None:
    out = subprocess.run(
        [sys.executable, "-m", "anxin.cli", "--help"], capture_output=True, text=True, check=True, cwd=ROOT
    ).stdout
    commands = sorted(
        p.stem.replace("_", "-") for p in ROOT.glob("anxin/*/management/commands/*.py") if not p.stem.startswith("_")
    )
    assert "ingest" in commands
    for name in commands:
        line = next((line for line in out.splitlines() if line.strip().startswith(name + " ")), None)
        assert line is not None, f"anxin --help does not list {name}"
        assert len(line.split(None, 1)[1].strip()) > 4, f"{name} has no help text"


def test_every_setting_is_documented_with_its_default() -> None:
    from django.conf import settings

    doc = (ROOT / "docs" / "settings.md").read_text(encoding="utf-8")
    documented = set(re.findall(r"^\| `([A-Z_]+)` \|", doc, flags=re.M))
    assert set(settings.SETTINGS_DOC) == documented
    for name, (default, _help) in settings.SETTINGS_DOC.items():
        row = next(line for line in doc.splitlines() if line.startswith(f"| `{name}` |"))
        assert f"`{default}`" in row or (default == "" and "（空）" in row), f"{name}: default {default!r} not in docs"
