"""Shared test setup: an isolated lake per test, and the cast of users (settings: tests/settings.py)."""

from __future__ import annotations

import os
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


#: The long tests, by kind, with a rough weight (minutes each on this machine's 2 cores).
LONG_TESTS = {"demo_scale": 6, "spark": 2, "slow": 1}


@pytest.hookimpl(trylast=True)  # after -m/-k have deselected: the slices are of what runs
def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Order the tests so that the long ones start at once, spread over the workers.

    ``./dev test`` runs xdist with ``--dist worksteal``: worker k first gets the k-th of equal
    contiguous slices of this order and, when idle, steals from the end of another's queue. So
    each slice starts with a share of the long tests (dealt by weight, heaviest slice last
    served) and is filled up with short ones in collection order: the run ends soon after its
    longest test instead of one worker being left with every long test at the end."""

    def weight(item: pytest.Item) -> int:
        marks = {mark.name for mark in item.iter_markers()}
        return max((w for name, w in LONG_TESTS.items() if name in marks), default=0)

    workers = int(os.environ.get("PYTEST_XDIST_WORKER_COUNT", "1"))
    long = sorted((item for item in items if weight(item)), key=weight, reverse=True)  # stable
    short = [item for item in items if not weight(item)]
    if workers < 2:
        items[:] = long + short
        return
    sizes, left = [], len(items)
    for k in range(workers):  # the slices as worksteal sends them: what is left // workers left
        sizes.append(left // (workers - k))
        left -= sizes[-1]
    slices: list[list[pytest.Item]] = [[] for _ in range(workers)]
    loads = [0] * workers
    for item in long:
        k = loads.index(min(loads))
        slices[k].append(item)
        loads[k] += weight(item)
    rest = iter(short)
    for k in range(workers):
        slices[k].extend(next(rest) for _ in range(max(0, sizes[k] - len(slices[k]))))
    items[:] = [item for part in slices for item in part] + list(rest)


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
