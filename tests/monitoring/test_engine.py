"""The engine's caches: compiled SQL on disk keyed by the expression's structure."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import ibis
import pyarrow as pa
import pytest

from anxin.monitoring.engine import AS_OF, DuckDBEngine, fingerprint
from anxin.monitoring.params import params_for
from anxin.monitoring.rules import RULES, Context
from anxin.monitoring.schema import SCHEMAS


def rule_expr(code: str, **params: Any) -> ibis.Table:
    tables = {n: ibis.table(ibis.schema(s), name=f"ctx_{n}") for n, s in SCHEMAS.items()}
    ctx = Context(as_of=dt.date(2026, 1, 20), tables=tables, params={**params_for(code), **params})
    return RULES[code].find(ctx)


def test_the_fingerprint_is_the_structure_of_the_expression() -> None:
    assert fingerprint(rule_expr("WP01").op()) == fingerprint(rule_expr("WP01").op())
    assert fingerprint(rule_expr("WP01").op()) != fingerprint(rule_expr("WP01", default_pay_day=30).op())
    assert fingerprint(rule_expr("WP01").op()) != fingerprint(rule_expr("WP02").op())


def test_a_new_engine_reuses_sql_compiled_by_an_earlier_one(settings: Any, tmp_path: Path) -> None:
    settings.VAR_DIR = tmp_path
    t = ibis.table({"d": "date", "n": "int64"}, name="cache_t")
    expr = t.filter(t.d <= AS_OF).aggregate(total=t.n.sum())
    data = pa.table({"d": [dt.date(2026, 1, 1), dt.date(2026, 1, 3)], "n": [1, 2]})
    first = DuckDBEngine()
    first.table(data, "cache_t")
    assert first.execute(expr, dt.date(2026, 1, 2))["total"].to_pylist() == [1]
    assert len(list((tmp_path / "cache" / "daily-sql").glob("*.sql"))) == 1
    second = DuckDBEngine()
    second.table(data, "cache_t")

    def no_compile(*args: Any, **kwargs: Any) -> None:
        raise AssertionError("compiled again")

    second.backend.compile = no_compile  # type: ignore[method-assign]
    assert second.execute(expr, dt.date(2026, 1, 3))["total"].to_pylist() == [3]
    with pytest.raises(AssertionError):
        second.execute(t.aggregate(total=t.n.max()))


def test_a_name_can_go_from_files_to_arrow_and_back(tmp_path: Path) -> None:
    import pyarrow.parquet as pq

    engine = DuckDBEngine()
    schema = pa.schema([("n", pa.int64())])
    pq.write_table(pa.table({"n": [1, 2]}, schema=schema), tmp_path / "a.parquet")
    for _ in range(2):
        files = engine.read_parquet([tmp_path / "a.parquet"], schema, "swap_t")
        assert engine.execute(files.aggregate(s=files.n.sum()))["s"].to_pylist() == [3]
        empty = engine.read_parquet([], schema, "swap_t")
        assert engine.execute(empty.count().as_table())[0].to_pylist() == [0]
