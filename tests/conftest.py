"""Shared test setup: an isolated lake per test, and the cast of users (settings: tests/settings.py)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest


@pytest.fixture(autouse=True)
def _isolated_lake(tmp_path: Path, settings: pytest.FixtureRequest) -> Iterator[None]:
    settings.ANXIN_LAKE = tmp_path / "lake"  # type: ignore[attr-defined]
    yield


from tests.cast import *  # noqa: E402,F401,F403


@pytest.fixture
def committed_db(transactional_db: None) -> Iterator[None]:
    """A database whose writes are committed (so a test can read the raw files or a dump).

    On SQLite, Django empties tables with DELETE after such a test, which the audit log's
    append-only triggers refuse; they are dropped for that clean-up and restored by the
    next test that needs them (``ensure_audit_triggers``). PostgreSQL empties with
    TRUNCATE, which row triggers do not see.
    """
    from django.db import connection

    ensure_audit_triggers()
    yield
    if connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            cursor.execute("DROP TRIGGER IF EXISTS audit_no_update")
            cursor.execute("DROP TRIGGER IF EXISTS audit_no_delete")


def ensure_audit_triggers() -> None:
    from django.db import connection

    if connection.vendor == "sqlite":
        import importlib

        migration = importlib.import_module("anxin.core.migrations.0003_audit_append_only")
        with connection.cursor() as cursor:
            for sql in migration.SQLITE:
                cursor.execute(sql)


def load_reference_data() -> None:
    """The reference data of core's migrations (divisions, minimum wages), loaded again."""
    from django.apps import apps

    from anxin.core.calendar import reset_default_calendar
    from anxin.core.reference import load_reference

    load_reference(apps)
    reset_default_calendar()


#: The long tests run first (longest kind first): with ``--dist worksteal`` (./dev test) the
#: first worker starts on them while the other takes the short ones and steals from its queue,
#: so the run ends soon after the longest test instead of one worker finishing them alone.
LONG_FIRST = ("demo_scale", "spark", "slow")


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    def rank(item: pytest.Item) -> int:
        marks = {mark.name for mark in item.iter_markers()}
        return next((i for i, name in enumerate(LONG_FIRST) if name in marks), len(LONG_FIRST))

    items.sort(key=rank)  # stable: a module's tests stay in their order within a rank


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_teardown(item: pytest.Item, nextitem: pytest.Item | None) -> Iterator[None]:
    """A committed test ends with Django emptying every table, the migrations' reference data
    too; put it back (and the audit triggers) for the tests that run after it on this worker."""
    yield
    if nextitem is None:
        return  # the last test: the test database has just been torn down
    if "committed_db" in getattr(item, "fixturenames", ()) or "live_server" in getattr(item, "fixturenames", ()):
        from pytest_django.plugin import blocking_manager_key

        with item.config.stash[blocking_manager_key].unblock():
            load_reference_data()
            ensure_audit_triggers()
