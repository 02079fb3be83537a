"""Engines: where the daily run's Ibis expressions execute (DuckDB by default, or Spark).

An ``Engine`` wraps an Ibis backend and knows how to read the lake: a day's partition
of an event feed (and nothing older: every read is logged in ``reads`` so a test can
prove the run is incremental), the registry mirror, and state snapshots. Results are
pulled back as Arrow and written as Parquet by the caller, identically for both engines.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import os
import shutil
import uuid
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import ibis
import ibis.expr.operations as ops
import ibis.expr.types as ir
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq
from django.conf import settings
from ibis.backends.sql.datatypes import DuckDBType

from anxin.core.crypto import person_ids
from anxin.lake.feeds import FEEDS
from anxin.lake.storage import LAYOUTS, ROW_GROUP_ROWS, lake_schema, partition_path, replaced_paths

#: The as-of date of a run, as a query parameter: rules and state steps compare with it
#: instead of a literal, so the same expression compiles to the same SQL every day.
AS_OF = ibis.param("date").name("as_of")
_SENTINEL = dt.date(1111, 11, 11)


#: Lake columns no rule or state step reads (not read from the partitions: the clock times and
#: device text were a third of a province day's attendance).
UNREAD_COLUMNS = {"attendance": {"clock_in", "clock_out", "method", "device_id"}}


def event_schema(feed_name: str) -> pa.Schema:
    """A feed's rows as the daily run reads them: the lake's columns (less ``UNREAD_COLUMNS``), the
    pseudonym as its ``person_id`` (the state's and the rules' join key), and the ``_batch`` that
    stored them."""
    unread = UNREAD_COLUMNS.get(feed_name, set())
    fields = [
        pa.field("person_id", pa.int64()) if f.name == "person_key" else f
        for f in lake_schema(FEEDS[feed_name])
        if f.name not in unread
    ]
    return pa.schema([*fields, pa.field("_batch", pa.int64())])


def lake_columns(schema: pa.Schema) -> list[str]:
    """The columns of a lake file to read for ``schema`` (an ``event_schema``)."""
    return ["person_key" if name == "person_id" else name for name in schema.names]


def as_events(table: pa.Table, schema: pa.Schema) -> pa.Table:
    """Lake rows in ``event_schema`` (``person_key`` read as its ``person_id``)."""
    if "person_id" in schema.names:
        table = table.append_column("person_id", person_ids(table["person_key"]))
    return table.select(schema.names).cast(schema)


class UnstableKey(Exception):
    """An expression holds a value whose text differs from process to process."""


def _fingerprint_value(value: Any, memo: dict[Any, Any]) -> str:
    from ibis.common.graph import Node

    if isinstance(value, Node):
        return fingerprint(value, memo)
    if isinstance(value, tuple | list):
        return "(" + ",".join(_fingerprint_value(v, memo) for v in value) + ")"
    if isinstance(value, Mapping):
        return "{" + ",".join(f"{k!r}:{_fingerprint_value(v, memo)}" for k, v in value.items()) + "}"
    text = f"{type(value).__qualname__}:{value!r}"
    if " at 0x" in text:
        raise UnstableKey(text)
    return text


def fingerprint(node: Any, memo: dict[Any, Any] | None = None) -> str:
    """A digest of an expression's operation graph (node types and arguments), the same in every
    process: the key of the on-disk cache of compiled SQL. Shared sub-graphs are visited once."""
    memo = {} if memo is None else memo
    done = memo.get(id(node))
    if done is not None:
        return done
    digest = hashlib.sha1(type(node).__qualname__.encode())
    for name, arg in zip(node.__argnames__, node.__args__, strict=True):
        digest.update(name.encode())
        if name == "identifier" and isinstance(node, ops.SelfReference):
            # A self-reference (``.view()``) is numbered by a process-wide counter (a join numbers
            # its own references): numbered here by order of appearance, the same in every process.
            refs: dict[int, int] = memo.setdefault("self_references", {})
            digest.update(f"ref{refs.setdefault(arg, len(refs))}".encode())
            continue
        digest.update(_fingerprint_value(arg, memo).encode())
    memo[id(node)] = result = digest.hexdigest()
    return result


def _versions() -> str:
    import duckdb
    import sqlglot

    return f"ibis {ibis.__version__} sqlglot {sqlglot.__version__} duckdb {duckdb.__version__}"


class Engine:
    name = "duckdb"

    def __init__(self, backend: Any) -> None:
        self.backend = backend
        self.reads: list[str] = []
        self._counter = 0
        #: Rule expressions built by earlier runs in this process (``services.RulePlans``).
        self.built: dict[tuple[Any, ...], Any] = {}

    def start_run(self) -> None:
        self.reads = []

    # --- reading --------------------------------------------------------------------
    def table(self, data: pa.Table, name: str | None = None) -> ir.Table:
        """An Arrow table as an engine table (materialised once, not re-read per query).

        Give a stable ``name`` (e.g. ``state_ledger``) for tables that every run
        recreates: the expressions over them then compile once per process.
        """
        if name is None:
            self._counter += 1
            name = f"t_{self._counter}"
        return self.backend.create_table(name, data, temp=True, overwrite=True)

    def read_arrow_file(self, path: Path, columns: list[str] | None = None) -> pa.Table:
        self.reads.append(str(path))
        return pq.read_table(path, columns=columns)

    def read_parquet(self, paths: list[Path], schema: pa.Schema, name: str, log: bool = True) -> ir.Table:
        """Parquet files (all of ``schema``) as one engine table named ``name``, read in place
        where the engine can (``log``: record them in ``reads``, the run's inputs)."""
        if log:
            self.reads.extend(str(p) for p in paths)
        if not paths:
            return self.table(schema.empty_table(), name)
        return self.table(pa.concat_tables(pq.read_table(p).select(schema.names).cast(schema) for p in paths), name)

    def partition(self, feed_name: str, value: str) -> pa.Table:
        """One partition of an event feed (``value`` = 'YYYY-MM-DD' or 'YYYY-MM'); empty if none."""
        path = partition_path(FEEDS[feed_name], value)
        schema = event_schema(feed_name)
        if not path.exists():
            return schema.empty_table()
        return as_events(self.read_arrow_file(path, lake_columns(schema)), schema)

    def replaced_rows(self, feed_name: str, value: str, watermark: int) -> pa.Table:
        """Rows of a partition that batches newer than ``watermark`` replaced, in versions stored
        by batches up to ``watermark`` (those a run has folded); the partition's schema."""
        schema = event_schema(feed_name)
        parts = []
        for path in replaced_paths(FEEDS[feed_name], value, watermark):
            table = as_events(self.read_arrow_file(path, lake_columns(schema)), schema)
            parts.append(table.filter(pc.less_equal(table["_batch"], pa.scalar(watermark, pa.int64()))))
        return pa.concat_tables(parts) if parts else schema.empty_table()

    def day_events(self, feed_name: str, day: dt.date) -> pa.Table:
        layout = LAYOUTS[feed_name]
        if layout.part == "day":
            return self.partition(feed_name, day.isoformat())
        return self.partition(feed_name, day.strftime("%Y-%m"))

    def execute(self, expr: ir.Table, as_of: dt.date | None = None) -> pa.Table:
        params = {AS_OF: as_of} if as_of is not None else None
        result = expr.to_pyarrow(params=params)
        return result if isinstance(result, pa.Table) else pa.Table.from_batches([result])

    def valid_on(self, versions: pa.Table, schema: pa.Schema, day: dt.date, name: str) -> ir.Table:
        """Table ``name``: the rows of ``versions`` (with ``valid_from``/``valid_to``) valid on ``day``,
        the columns of ``schema``."""
        # Kleene logic: "valid_to is null OR valid_to > day" must be true, not null, for open versions.
        valid = pc.and_kleene(
            pc.less_equal(versions["valid_from"], pa.scalar(day, pa.date32())),
            pc.or_kleene(
                pc.is_null(versions["valid_to"]), pc.greater(versions["valid_to"], pa.scalar(day, pa.date32()))
            ),
        )
        return self.table(versions.filter(valid).select(schema.names).cast(schema), name)

    def materialise(self, expr: ir.Table, as_of: dt.date | None, name: str) -> ir.Table:
        """The rows of ``expr`` computed once and kept in the engine as table ``name``, for the
        queries that read them next (here: fetched as Arrow and handed back)."""
        return self.table(self.execute(expr, as_of), name)

    def write_parts(
        self, expr: ir.Table, as_of: dt.date | None, folder: Path, stem: str, column: str | None = None
    ) -> dict[str, Path]:
        """Write the rows of ``expr`` as Parquet into ``folder``: ``STEM.parquet``, or with ``column``
        one file per non-null value of it, ``STEM.VALUE.parquet``. Returns each file's stem → path."""
        table = self.execute(expr, as_of)
        if column is None:
            parts = {stem: table}
        else:
            values = table[column]
            parts = {
                f"{stem}.{value}": table.filter(pc.equal(values, value))
                for value in sorted(v for v in pc.unique(values).to_pylist() if v is not None)
            }
        out = {}
        for name, rows in parts.items():
            out[name] = folder / f"{name}.parquet"
            pq.write_table(rows, out[name], compression="zstd", row_group_size=ROW_GROUP_ROWS)
        return out

    def close(self) -> None:
        disconnect = getattr(self.backend, "disconnect", None)
        if disconnect:
            disconnect()


def _quoted(path: Path) -> str:
    """A path inside a single-quoted SQL string."""
    return str(path).replace("'", "''")


class DuckDBEngine(Engine):
    """Embedded DuckDB. Compiling an Ibis expression costs far more than running it on a
    day's data, so compiled SQL is cached per expression (the as-of date is a parameter,
    filled into the cached SQL at execution) and the engine lives as long as the process."""

    name = "duckdb"
    _shared: DuckDBEngine | None = None

    def __init__(self) -> None:
        options: dict[str, Any] = {"threads": settings.ANXIN_ENGINE_THREADS} if settings.ANXIN_ENGINE_THREADS else {}
        if settings.ANXIN_ENGINE_MEMORY:
            # Bounded, DuckDB spills large joins and groups to disk instead of growing the process
            # (the province's day peaked at 9.8 GiB of RSS unbounded).
            options["memory_limit"] = settings.ANXIN_ENGINE_MEMORY
            spill = Path(settings.VAR_DIR) / "tmp" / "duckdb"
            spill.mkdir(parents=True, exist_ok=True)
            options["temp_directory"] = str(spill)
        backend = ibis.duckdb.connect(**options)
        super().__init__(backend)
        self._sql: dict[Any, str] = {}
        #: What each name made here is (``_drop``): "arrow" (registered), "view" or "table".
        self._kinds: dict[str, str] = {}
        #: The Arrow table registered under each name by ``valid_on`` (re-registered when it changes).
        self._registered: dict[str, pa.Table] = {}
        self._cache_dir = Path(settings.VAR_DIR) / "cache" / "daily-sql"
        self._versions = _versions()

    @classmethod
    def shared(cls) -> DuckDBEngine:
        if cls._shared is None:
            cls._shared = cls()
        cls._shared.start_run()
        return cls._shared

    def _sql_of(self, expr: ir.Table, as_of: dt.date | None) -> str:
        key = expr.op()
        sql = self._sql.get(key)
        if sql is None:
            sql = self._compiled(expr)
            self._sql[key] = sql
        if as_of is not None:
            return sql.replace("MAKE_DATE(1111, 11, 11)", f"MAKE_DATE({as_of.year}, {as_of.month}, {as_of.day})")
        if "MAKE_DATE(1111, 11, 11)" in sql:
            raise ValueError("this expression needs the run's as-of date")
        return sql

    def _typed_sql_of(self, expr: ir.Table, as_of: dt.date | None) -> str:
        """The expression's SQL with every column cast to the type Ibis gives it (DuckDB sums
        integers as HUGEINT), for rows that stay in DuckDB or go straight to a file."""
        columns = ", ".join(
            f'CAST("{name}" AS {DuckDBType.to_string(dtype)}) AS "{name}"' for name, dtype in expr.schema().items()
        )
        return f"SELECT {columns} FROM ({self._sql_of(expr, as_of)})"

    def execute(self, expr: ir.Table, as_of: dt.date | None = None) -> pa.Table:
        result = self.backend.con.sql(self._sql_of(expr, as_of)).arrow()
        table = result if isinstance(result, pa.Table) else result.read_all()
        # Raw DuckDB hands back its own types (HUGEINT sums as decimals…): cast to the expression's schema.
        return table.cast(expr.schema().to_pyarrow())

    def _drop(self, name: str) -> None:
        """Forget what ``name`` stood for (a registered Arrow table, a view or a kept table)."""
        kind = self._kinds.pop(name, None)
        if kind == "table":
            self.backend.con.execute(f'DROP TABLE IF EXISTS "{name}"')
        elif kind == "arrow":
            self.backend.con.unregister(name)
            self._registered.pop(name, None)
        else:
            self.backend.con.execute(f'DROP VIEW IF EXISTS "{name}"')

    def valid_on(self, versions: pa.Table, schema: pa.Schema, day: dt.date, name: str) -> ir.Table:
        """A view filtering the registered versions as each query scans them (no copy of a million
        employments a day; the versions stay registered, the same Arrow table every day of a backfill)."""
        source = f"{name}__versions"
        if self._kinds.get(source) != "arrow" or self._registered.get(source) is not versions:
            self._drop(source)
            self.backend.con.register(source, versions)
            self._kinds[source] = "arrow"
            self._registered[source] = versions
        columns = ", ".join(
            f'CAST("{f.name}" AS {DuckDBType.to_string(ibis.dtype(f.type))}) AS "{f.name}"' for f in schema
        )
        self._drop(name)
        self.backend.con.execute(
            f'CREATE TEMP VIEW "{name}" AS SELECT {columns} FROM "{source}"'
            f" WHERE valid_from <= DATE '{day.isoformat()}' AND (valid_to IS NULL OR valid_to > DATE '{day.isoformat()}')"
        )
        self._kinds[name] = "view"
        return ibis.table(ibis.schema(schema), name=name)

    def materialise(self, expr: ir.Table, as_of: dt.date | None, name: str) -> ir.Table:
        """Kept as a DuckDB temporary table: the rows never leave DuckDB (an Arrow round trip
        converted every string twice: 0.3 s for the province's 0.75 M ledger rows of a day)."""
        sql = self._typed_sql_of(expr, as_of)
        self._drop(name)
        self.backend.con.execute(f'CREATE TEMP TABLE "{name}" AS {sql}')
        self._kinds[name] = "table"
        return ibis.table(expr.schema(), name=name)

    def write_parts(
        self, expr: ir.Table, as_of: dt.date | None, folder: Path, stem: str, column: str | None = None
    ) -> dict[str, Path]:
        """Written by DuckDB itself (``COPY``, on every thread), all the parts in one pass."""
        sql = self._typed_sql_of(expr, as_of)
        options = f"FORMAT parquet, COMPRESSION zstd, ROW_GROUP_SIZE {ROW_GROUP_ROWS}"
        con = self.backend.con
        if column is None:
            path = folder / f"{stem}.parquet"
            con.execute(f"COPY ({sql}) TO '{_quoted(path)}' ({options})")
            return {stem: path}
        # Hive-style folders (``period=2025-07/part0.parquet``), each file then renamed to its stem.
        staging = folder / f".{stem}.{uuid.uuid4().hex}"
        con.execute(
            f"COPY ({sql}) TO '{_quoted(staging)}' ({options}, PARTITION_BY (\"{column}\"),"
            " WRITE_PARTITION_COLUMNS true, FILENAME_PATTERN 'part')"
        )
        out = {}
        prefix = f"{column}="
        for part in sorted(staging.iterdir()) if staging.exists() else []:
            value = part.name[len(prefix) :]
            if not part.name.startswith(prefix) or value == "NULL":
                continue  # rows without a part value are not kept (as in the Arrow path)
            target = out[f"{stem}.{value}"] = folder / f"{stem}.{value}.parquet"
            files = sorted(part.glob("*.parquet"))
            if len(files) == 1:
                os.replace(files[0], target)
            else:  # DuckDB may split a large part across files: one file per part is the layout
                listed = ", ".join(f"'{_quoted(f)}'" for f in files)
                con.execute(f"COPY (SELECT * FROM read_parquet([{listed}])) TO '{_quoted(target)}' ({options})")
        shutil.rmtree(staging, ignore_errors=True)
        return out

    def _compiled(self, expr: ir.Table) -> str:
        """The expression's SQL, from the on-disk cache when an earlier process compiled it
        (compiling costs more than running a day; a fresh ``run-daily`` would pay it for every
        rule). The key is the expression's structure, so a changed rule is compiled anew."""
        try:
            key = hashlib.sha1((self._versions + fingerprint(expr.op())).encode()).hexdigest()
        except UnstableKey:
            return str(self.backend.compile(expr, params={AS_OF: _SENTINEL}))
        path = self._cache_dir / f"{key}.sql"
        try:
            return path.read_text()
        except OSError:
            pass
        sql = str(self.backend.compile(expr, params={AS_OF: _SENTINEL}))
        try:
            self._cache_dir.mkdir(parents=True, exist_ok=True)
            tmp = path.with_name(f".{key}.{uuid.uuid4().hex}")
            tmp.write_text(sql)
            os.replace(tmp, path)
        except OSError:  # a read-only var folder: compile every time
            pass
        return sql

    def table(self, data: pa.Table, name: str | None = None) -> ir.Table:
        """Register the Arrow table as a view (no copy); a stable name keeps compiled SQL reusable."""
        if name is None:
            self._counter += 1
            name = f"t_{self._counter}"
        # The name may be a view over Parquet files from an earlier run (``read_parquet``).
        self._drop(name)
        self.backend.con.register(name, data)
        self._kinds[name] = "arrow"
        return ibis.table(ibis.schema(data.schema), name=name)

    def read_parquet(self, paths: list[Path], schema: pa.Schema, name: str, log: bool = True) -> ir.Table:
        """A view over the files: DuckDB scans them in place, only the columns and rows a query needs."""
        if log:
            self.reads.extend(str(p) for p in paths)
        if not paths:
            return self.table(schema.empty_table(), name)
        files = ", ".join(f"'{_quoted(p)}'" for p in paths)
        columns = ", ".join(f'"{n}"' for n in schema.names)
        self._drop(name)
        self.backend.con.execute(f'CREATE TEMP VIEW "{name}" AS SELECT {columns} FROM read_parquet([{files}])')
        self._kinds[name] = "view"
        return ibis.table(ibis.schema(schema), name=name)

    def close(self) -> None:  # shared by the process; views are replaced by the next run
        pass


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
                .config("spark.driver.memory", "4g")
                # The daily state comes back to the driver as Arrow: let a whole table through.
                .config("spark.driver.maxResultSize", "0")
                .config("spark.sql.execution.arrow.pyspark.enabled", "true")
                .getOrCreate()
            )
            cls._session.sparkContext.setLogLevel("ERROR")
        return cls._session

    def table(self, data: pa.Table, name: str | None = None) -> ir.Table:
        """An Arrow table as a Spark temporary view (with the Arrow schema, so empty tables type right)."""
        from pyspark.sql.pandas.types import from_arrow_schema

        if name is None:
            self._counter += 1
            name = f"t_{self._counter}"
        # Integers with nulls must stay integers (pandas would make them floats, which Spark refuses).
        pandas_frame = data.to_pandas(date_as_object=True, integer_object_nulls=True)
        frame = self.session().createDataFrame(pandas_frame, schema=from_arrow_schema(data.schema))
        frame.createOrReplaceTempView(name)
        return self.backend.table(name)

    def read_parquet(self, paths: list[Path], schema: pa.Schema, name: str, log: bool = True) -> ir.Table:
        """Spark reads the files itself (no round trip through the driver)."""
        from pyspark.sql.pandas.types import from_arrow_schema

        if log:
            self.reads.extend(str(p) for p in paths)
        if not paths:
            return self.table(schema.empty_table(), name)
        frame = self.session().read.schema(from_arrow_schema(schema)).parquet(*[str(p) for p in paths])
        frame.createOrReplaceTempView(name)
        return self.backend.table(name)

    def close(self) -> None:  # the session is shared by the process
        pass


def make_engine(name: str | None = None) -> Engine:
    name = name or settings.ANXIN_ENGINE
    if name == "duckdb":
        return DuckDBEngine.shared()
    if name == "spark":
        return SparkEngine()
    raise ValueError(f"unknown engine {name!r} (duckdb or spark)")
