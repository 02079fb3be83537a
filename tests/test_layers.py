"""Apps import only apps to their left (DESIGN.md, "Layers"); core imports no other app."""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent / "anxin"
CHAIN = ["core", "registry", "lake", "leads", "monitoring", "warnings", "evaluation", "reports"]
BESIDE_LEADS = ["mediation", "policies", "disclosure", "enforcement"]


def allowed(app: str) -> set[str]:
    if app in CHAIN:
        return set(CHAIN[: CHAIN.index(app) + 1])
    if app in BESIDE_LEADS:
        return {"core", "registry", "lake", app}
    if app == "synth":
        return {"core", "synth"}
    raise AssertionError(f"app {app} is not placed in the layers of DESIGN.md")


def imports_of(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names = [node.module]
        else:
            continue
        for name in names:
            parts = name.split(".")
            if parts[0] == "anxin" and len(parts) > 1 and (ROOT / parts[1]).is_dir():
                found.add(parts[1])
    return found


def test_every_app_imports_only_apps_to_its_left() -> None:
    apps = [p.name for p in ROOT.iterdir() if (p / "apps.py").exists()]
    assert {"core", "registry", "lake"} <= set(apps)
    wrong = []
    for app in apps:
        for path in (ROOT / app).rglob("*.py"):
            for imported in imports_of(path) - allowed(app):
                wrong.append(f"{path.relative_to(ROOT)} imports anxin.{imported}")
    assert wrong == []


def test_core_imports_no_other_app() -> None:
    offenders = [str(p) for p in (ROOT / "core").rglob("*.py") if imports_of(p) - {"core"}]
    assert offenders == []


def test_the_checker_catches_a_forbidden_import(tmp_path: Path) -> None:
    bad = tmp_path / "x.py"
    bad.write_text("from anxin.registry.models import Project\nimport anxin.lake.services\n")
    assert imports_of(bad) == {"registry", "lake"}
    assert not imports_of(bad) <= allowed("core")
