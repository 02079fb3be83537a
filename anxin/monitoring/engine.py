"""Engines: where the daily run's Ibis expressions execute (DuckDB by default, or Spark).

An ``Engine`` wraps an Ibis backend and knows how to read the lake: a day's partition
of an event feed (and nothing older: every read is logged in ``reads`` so a test can
prove the run is incremental), the registry mirror, and state snapshots. Results are
pulled back as Arrow and written as Parquet by the caller, identically for both engines.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import ibis
import ibis.expr.types as ir
import pyarrow as pa
import pyarrow.parquet as pq
from django.conf import settings

from anxin.lake.feeds import FEEDS
from anxin.lake.storage import LAYOUTS, lake_schema, partition_path


class Engine:
    name = "duckdb"

    def __init__(self, backend: Any) -> None:
        self.backend = backend
        self.reads: list[str] = []
        self._counter = 0

    # --- reading --------------------------------------------------------------------
    def table(self, data: pa.Table, name: str | None = None) -> ir.Table:
        """An Arrow table as an engine table (materialised once, not re-read per query)."""
        self._counter += 1
        return self.backend.create_table(name or f"t_{self._counter}", data, temp=True, overwrite=True)

    def read_arrow_file(self, path: Path) -> pa.Table:
        self.reads.append(str(path))
        return pq.read_table(path)

    def partition(self, feed_name: str, value: str) -> pa.Table:
        """One partition of an event feed (``value`` = 'YYYY-MM-DD' or 'YYYY-MM'); empty if none."""
        feed = FEEDS[feed_name]
        path = partition_path(feed, value)
        schema = lake_schema(feed).append(pa.field("_batch", pa.int64()))
        if not path.exists():
            return schema.empty_table()
        table = self.read_arrow_file(path)
        return table.select(schema.names).cast(schema)

    def day_events(self, feed_name: str, day: dt.date) -> pa.Table:
        layout = LAYOUTS[feed_name]
        if layout.part == "day":
            return self.partition(feed_name, day.isoformat())
        return self.partition(feed_name, day.strftime("%Y-%m"))

    def execute(self, expr: ir.Table) -> pa.Table:
        result = expr.to_pyarrow()
        return result if isinstance(result, pa.Table) else pa.Table.from_batches([result])

    def close(self) -> None:
        disconnect = getattr(self.backend, "disconnect", None)
        if disconnect:
            disconnect()


class DuckDBEngine(Engine):
    name = "duckdb"

    def __init__(self) -> None:
        options = {"threads": settings.ANXIN_ENGINE_THREADS} if settings.ANXIN_ENGINE_THREADS else {}
        backend = ibis.duckdb.connect(**options)
        super().__init__(backend)


class SparkEngine(Engine):
    """PySpark in local mode by default (``ANXIN_SPARK_MASTER``), session time zone Asia/Shanghai."""

    name = "spark"
    _session: Any = None

    def __init__(self) -> None:
        super().__init__(ibis.pyspark.connect(self.session()))

    @classmethod
    def session(cls) -> Any:
        if cls._session is None:
            from pyspark.sql import SparkSession

            cls._session = (
                SparkSession.builder.master(settings.ANXIN_SPARK_MASTER)
                .appName("anxin-daily")
                .config("spark.sql.session.timeZone", "Asia/Shanghai")
                .config("spark.ui.enabled", "false")
                .config("spark.sql.shuffle.partitions", "4")
                .config("spark.driver.memory", "2g")
                .getOrCreate()
            )
            cls._session.sparkContext.setLogLevel("ERROR")
        return cls._session

    def table(self, data: pa.Table, name: str | None = None) -> ir.Table:
        self._counter += 1
        return self.backend.create_table(name or f"t_{self._counter}", data.to_pandas(), overwrite=True, temp=True)

    def close(self) -> None:  # the session is shared by the process
        pass


def make_engine(name: str | None = None) -> Engine:
    name = name or settings.ANXIN_ENGINE
    if name == "duckdb":
        return DuckDBEngine()
    if name == "spark":
        return SparkEngine()
    raise ValueError(f"unknown engine {name!r} (duckdb or spark)")
