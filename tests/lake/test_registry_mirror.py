"""The registry mirror (``lake/_registry``) that the daily run reads the registry as of a date from."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pyarrow.parquet as pq
import pytest

from anxin.core.crypto import person_id, pseudonym
from anxin.lake.registry_export import registry_dir
from anxin.lake.services import ingest_paths
from anxin.monitoring import services
from anxin.monitoring.engine import make_engine
from tests.factories import PEOPLE, registry_batch

pytestmark = pytest.mark.django_db


def _registry_rows(day: dt.date) -> dict[str, list[dict]]:
    engine = make_engine("duckdb")
    services._REGISTRY_FILES.clear()
    tables = services.registry_as_of(engine, day)
    return {name: sorted(engine.execute(t).to_pylist(), key=repr) for name, t in tables.items()}


def test_people_are_mirrored_by_pseudonym_and_its_id_and_an_older_mirror_reads_the_same(tmp_path: Path) -> None:
    ingest_paths([registry_batch(tmp_path)])
    for name in ("people", "employments"):
        mirror = pq.read_table(registry_dir() / f"{name}.parquet")
        assert "id_number" not in mirror.column_names
        keys, ids = mirror["person_key"].to_pylist(), mirror["person_id"].to_pylist()
        assert keys and ids == [person_id(k) for k in keys]
    assert {pseudonym(p["id_number"]) for p in PEOPLE} <= set(
        pq.read_table(registry_dir() / "people.parquet")["person_key"].to_pylist()
    )

    day = dt.date(2025, 7, 1)
    rows = _registry_rows(day)
    assert rows["people"] and rows["employments"]
    # A mirror written before it carried the id: the daily run derives it from the pseudonym.
    for name in ("people", "employments"):
        path = registry_dir() / f"{name}.parquet"
        table = pq.read_table(path)
        pq.write_table(table.drop_columns(["person_id"]), path)
        assert "person_id" not in pq.read_schema(path).names
    assert _registry_rows(day) == rows
