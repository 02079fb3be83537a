"""The Parquet lake: event feeds stored by key, partitioned by date, replaced atomically.

Layout: ``ANXIN_LAKE/<feed>/<part>=<value>/data.parquet``, where the partition is the
row's date (``day=YYYY-MM-DD`` for attendance, ~1 M rows a day) or its month
(``month=YYYY-MM`` for the lighter feeds). A partition is rewritten whole into a
temporary file and moved into place with ``os.replace``, which is atomic: a reader, or
a crash, sees either the old partition or the new one, never half of it. A batch that
crashes half-way leaves some partitions new and some old; running it again finds the
new ones identical (duplicates) and completes the rest, so the lake ends exactly as
after one clean run.

A row that replaces a stored one (same key, changed values) leaves the old version beside the
day, in ``replaced-<batch>.parquet``: a daily run that already counted the old version takes it
back out of its sums (``monitoring.services.day_events``), instead of counting the key twice.
A key that does not fix the day (a payment's ``txn_id``, a payroll's period) may come back
dated another day: the stored row on its old day is replaced as well (that day is rewritten
without it, the old version kept beside it), so a key is stored once in the whole feed. Each
day is still replaced atomically, one after the other, the days a key moves to first: a crash
between them leaves the key on both, and running the batch again rewrites both (listing them
in its partitions) and ends with it once, on its new day.

People are never stored by ID number: ``id_number`` becomes ``person_key`` (the same
HMAC pseudonym as the registry, computed in DuckDB) and a masked copy for evidence;
card numbers become ``card_key`` and their last four digits.

Everything is vectorised in DuckDB: classification of rows (new, duplicate, updated),
the merge with stored partitions and the write.
"""

from __future__ import annotations

import os
import uuid
from dataclasses import dataclass
from pathlib import Path

import duckdb
import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
from django.conf import settings

from anxin.core.crypto import pseudonym_sql
from anxin.lake.feeds import Feed, T


@dataclass(frozen=True)
class Layout:
    """How a feed is partitioned: by its date column's day or month."""

    part: str  # "day" or "month"


#: Daily feeds by the day of their date column, so the daily run as of D reads only
#: partitions dated D; monthly feeds by their month (usable from the month's last day).
LAYOUTS: dict[str, Layout] = {
    "attendance": Layout("day"),
    "payrolls": Layout("day"),
    "wage_payments": Layout("day"),
    "account_inflows": Layout("day"),
    "social_insurance": Layout("month"),
    "utilities": Layout("month"),
    "lawsuits": Layout("day"),
}

_ARROW_TYPES = {
    T.DATE: pa.date32(),
    T.TIMESTAMP: pa.timestamp("us"),
    T.MONEY: pa.int64(),
    T.INT: pa.int64(),
    T.BOOL: pa.bool_(),
    T.NUMBER: pa.float64(),
}


def lake_schema(feed: Feed) -> pa.Schema:
    """The Arrow schema of a feed's lake files (without the bookkeeping columns)."""
    fields = []
    for col in feed.columns:
        if col.type == T.ID_NUMBER:
            fields += [("person_key", pa.string()), ("id_masked", pa.string())]
        elif col.name == "card_no":
            fields += [("card_key", pa.string()), ("card_last4", pa.string())]
        else:
            fields.append((col.name, _ARROW_TYPES.get(col.type, pa.string())))
    return pa.schema(fields)


def lake_root() -> Path:
    return Path(settings.ANXIN_LAKE)


def feed_dir(feed: str) -> Path:
    return lake_root() / feed


def _q(name: str) -> str:
    return '"' + name + '"'


def _lit(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


#: Parquet compression of the lake's files: zstd at level 1 writes as fast as snappy and
#: smaller than zstd's default level (1 M attendance rows: 47 MB, against 80 MB and 49 MB).
COMPRESSION = "zstd, COMPRESSION_LEVEL 1"


def stored_columns(feed: Feed) -> list[str]:
    """The lake's columns for a feed: personal identifiers replaced by pseudonyms."""
    out: list[str] = []
    for col in feed.columns:
        if col.type == T.ID_NUMBER:
            out += ["person_key", "id_masked"]
        elif col.name == "card_no":
            out += ["card_key", "card_last4"]
        else:
            out.append(col.name)
    return out


def _select_stored(feed: Feed) -> str:
    """SQL turning the validated batch (``incoming_raw``) into the lake's columns."""
    parts: list[str] = []
    for col in feed.columns:
        c = _q(col.name)
        if col.type == T.ID_NUMBER:
            parts.append(f"{pseudonym_sql(c)} AS person_key")
            parts.append(f"substr({c}, 1, 6) || '********' || substr({c}, 15, 4) AS id_masked")
        elif col.name == "card_no":
            parts.append(f"{pseudonym_sql(c)} AS card_key")
            parts.append(f"right({c}, 4) AS card_last4")
        else:
            parts.append(c)
    return ", ".join(parts)


def _key_columns(feed: Feed) -> list[str]:
    return ["person_key" if k == "id_number" else k for k in feed.key]


def _partition_expr(feed: Feed) -> str:
    assert feed.date_column is not None
    column = _q(feed.date_column)
    col_type = feed.column(feed.date_column).type
    if col_type == T.PERIOD:  # monthly feeds: 'YYYY-MM'
        return column
    if LAYOUTS[feed.name].part == "day":
        return f"strftime({column}, '%Y-%m-%d')"
    return f"strftime({column}, '%Y-%m')"


#: Beside a day's ``data.parquet``: ``replaced-<batch>.parquet``, the rows that batch replaced.
REPLACED_PREFIX = "replaced-"


def replaced_paths(feed: Feed, value: str, after_batch: int) -> list[Path]:
    """The files of rows replaced in a partition by batches newer than ``after_batch``."""
    folder = partition_path(feed, value).parent
    if not folder.exists():
        return []
    found = []
    for path in folder.glob(f"{REPLACED_PREFIX}*.parquet"):
        batch = path.name[len(REPLACED_PREFIX) : -len(".parquet")]
        if batch.isdigit() and int(batch) > after_batch:
            found.append(path)
    return sorted(found)


def partition_path(feed: Feed, value: str) -> Path:
    return feed_dir(feed.name) / f"{LAYOUTS[feed.name].part}={value}" / "data.parquet"


#: Rows per Parquet row group in the lake's files (DuckDB's own vector-aligned default).
ROW_GROUP_ROWS = 122_880


def _part_of(path: Path) -> str:
    """The partition value of a partition's file (``…/day=2025-05-15/data.parquet`` → '2025-05-15')."""
    return path.parent.name.partition("=")[2]


def _stored_elsewhere(con: duckdb.DuckDBPyConnection, feed: Feed, parts: set[str]) -> list[str]:
    """Stored days, other than ``parts``, that hold a key of the batch (``accepted_arrow``)."""
    files = [p for p in sorted(feed_dir(feed.name).glob("*/data.parquet")) if _part_of(p) not in parts]
    if not files:
        return []
    keys = _key_columns(feed)
    # The batch's keys as stored (the ID pseudonymised), compared with the stored key columns alone.
    batch_keys = ", ".join(f"{pseudonym_sql(_q(k))} AS person_key" if k == "id_number" else _q(k) for k in feed.key)
    found = con.execute(
        f"""
        SELECT DISTINCT s.filename FROM read_parquet({[str(f) for f in files]!r}, filename = true) s
        SEMI JOIN (SELECT {batch_keys} FROM accepted_arrow) b USING ({", ".join(_q(k) for k in keys)})
        """
    ).fetchall()
    return sorted(_part_of(Path(name)) for (name,) in found)


def _parts_losing_keys(
    con: duckdb.DuckDBPyConnection, feed: Feed, keys: list[str], existing: set[str], day_in_key: bool
) -> set[str]:
    """Stored days holding a key whose winning row is on another day (to be rewritten without it)."""
    if day_in_key or not existing:
        return set()
    files = [str(partition_path(feed, p)) for p in sorted(existing)]
    rows = con.execute(
        f"""
        SELECT DISTINCT s.filename FROM read_parquet({files!r}, filename = true) s
        JOIN winners w USING ({", ".join(_q(k) for k in keys)})
        """
    ).fetchall()
    return {_part_of(Path(name)) for (name,) in rows}


def store_events(
    con: duckdb.DuckDBPyConnection, feed: Feed, accepted: pa.Table, batch_id: int, touched: list[str] | None = None
) -> tuple[int, int, int]:
    """Store validated rows of an event feed; return (accepted, updated, duplicates).

    Rows are taken in file-name then line order (the contract's "later file wins" for
    feeds without ``updated_at``): per key, the first row is new, a duplicate of the
    stored row, or an update of it; each later row is a duplicate of the row before it
    or an update. The last row of a key is what the lake keeps; when it equals the
    stored row, every row of that key was a re-send and counts as a duplicate.

    Most rows need none of that: their key comes once in the batch and their day is not
    yet in the lake. Those are pseudonymised and written straight from the Arrow batch
    in one pass. Only keys sent several times (found by a hash of the key, then compared
    exactly) and rows of days already stored go through the row-by-row classification.
    """
    # File-name then line order, as the rows arrive (files sorted, lines ascending).
    accepted = accepted.append_column("_seq", pa.array(np.arange(accepted.num_rows, dtype=np.int64)))
    con.register("accepted_arrow", accepted)
    keys = _key_columns(feed)
    key_list = ", ".join(_q(k) for k in keys)
    raw_keys = ", ".join(_q(k) for k in feed.key)  # the key before pseudonymising: one-to-one with it
    value_columns = stored_columns(feed)
    select_new = ", ".join(_q(c) for c in value_columns)
    part_expr = _partition_expr(feed)

    def staged(where: str) -> str:
        """The batch's rows (those matching ``where``, on the validated columns) in the lake's columns."""
        return f"""
            SELECT *, hash({select_new}) AS _row_hash, {part_expr} AS _part
            FROM (SELECT {_select_stored(feed)}, _seq FROM accepted_arrow WHERE {where})
        """

    # Rows per day, from the date column's distinct values (a handful) rather than a scan.
    assert feed.date_column is not None
    dates = pc.value_counts(accepted.column(feed.date_column)).flatten()
    con.register("batch_dates", pa.table({feed.date_column: dates[0], "_n": dates[1]}))
    part_rows = dict(con.execute(f"SELECT {part_expr}, sum(_n) FROM batch_dates GROUP BY 1").fetchall())
    con.unregister("batch_dates")
    parts = sorted(part_rows)
    existing = {p for p in parts if partition_path(feed, p).exists()}
    existing_files = [str(partition_path(feed, p)) for p in parts if p in existing]
    # A key that does not fix the day (a payment's txn_id, a payroll's period) may be stored on
    # another day than the one it is sent for now (a payment re-sent with its corrected date, a
    # payroll re-submitted later): that stored row is replaced too, and its day rewritten without it.
    day_in_key = feed.date_column in feed.key
    moved_from = [] if day_in_key else _stored_elsewhere(con, feed, set(parts))
    existing_files += [str(partition_path(feed, p)) for p in moved_from]
    existing |= set(moved_from)
    # Keys that may come more than once in the batch: equal key hashes (a hash collision
    # only sends a few more rows down the exact path).
    con.execute(
        f"CREATE OR REPLACE TEMP TABLE repeated AS SELECT hash({raw_keys}) AS _k FROM accepted_arrow "
        "GROUP BY 1 HAVING count(*) > 1"
    )
    in_existing = f"{part_expr} IN ({', '.join(_lit(p) for p in sorted(existing))})" if existing else "false"
    if existing and not day_in_key:
        # The key does not fix the day (a payment's txn_id): any row may meet a stored
        # row of its key on another stored day, so every row takes the exact path.
        slow = "true"
    else:
        # The exact path: rows of repeated keys, and rows of days already in the lake.
        slow = f"(hash({raw_keys}) IN (SELECT _k FROM repeated) OR {in_existing})"
    repeated = con.execute("SELECT count(*) FROM repeated").fetchone()
    exact = bool(existing) or bool(repeated and repeated[0])
    counts: dict[str, int]
    if not exact:
        # The common case, a new day's file of distinct keys: every row is new.
        counts = {"accepted": accepted.num_rows}
        changed_parts = parts
    else:
        con.execute(f"CREATE OR REPLACE TEMP TABLE incoming AS {staged(slow)}")
        if existing_files:
            con.execute(
                f"CREATE OR REPLACE TEMP TABLE stored AS SELECT {key_list}, _row_hash "
                f"FROM read_parquet({existing_files!r}, union_by_name = true)"
            )
        else:
            con.execute(
                f"CREATE OR REPLACE TEMP TABLE stored AS SELECT {key_list}, _row_hash FROM incoming WHERE false"
            )
        # Per key: how many rows came, and the last one (which the lake keeps). Most keys come
        # once; only keys sent several times need the row-by-row order (a window, on few rows).
        con.execute(
            f"""
            CREATE OR REPLACE TEMP TABLE classified AS
            WITH per_key AS (
                SELECT {key_list}, count(*) AS _n, arg_max(_row_hash, _seq) AS _final_hash, max(_seq) AS _last_seq
                FROM incoming GROUP BY {key_list}
            )
            SELECT i.*, k._n, k._final_hash, k._last_seq, s._row_hash AS _stored_hash
            FROM incoming i
            JOIN per_key k USING ({key_list})
            LEFT JOIN stored s USING ({key_list})
            """
        )
        slow_rows = con.execute("SELECT count(*) FROM incoming").fetchone()
        # Every other row is a key's only row, on a day not yet stored: new.
        counts = {"accepted": accepted.num_rows - (slow_rows[0] if slow_rows else 0)}
        for outcome, n in con.execute(
            f"""
            SELECT CASE
                     WHEN _stored_hash IS NULL THEN 'accepted'
                     WHEN _stored_hash = _row_hash THEN 'duplicate'
                     ELSE 'updated'
                   END, count(*)
            FROM classified WHERE _n = 1 GROUP BY 1
            UNION ALL
            SELECT _outcome, count(*) FROM (
                SELECT CASE
                         -- a key whose rows end where the lake already is: re-sent, nothing changes
                         WHEN _stored_hash = _final_hash THEN 'duplicate'
                         WHEN _prev_hash IS NULL AND _stored_hash IS NULL THEN 'accepted'
                         WHEN _prev_hash IS NULL AND _stored_hash = _row_hash THEN 'duplicate'
                         WHEN _prev_hash IS NULL THEN 'updated'
                         WHEN _prev_hash = _row_hash THEN 'duplicate'
                         ELSE 'updated'
                       END AS _outcome
                FROM (
                    SELECT *, lag(_row_hash) OVER (PARTITION BY {key_list} ORDER BY _seq) AS _prev_hash
                    FROM classified WHERE _n > 1
                )
            ) GROUP BY 1
            """
        ).fetchall():
            counts[outcome] = counts.get(outcome, 0) + n
        # Of the exact path's rows, the last row of each key, where it differs from what is
        # stored, replaces it; the others are not written.
        con.execute(
            """
            CREATE OR REPLACE TEMP TABLE winners AS
            SELECT * FROM classified
            WHERE _seq = _last_seq AND (_stored_hash IS NULL OR _stored_hash <> _row_hash)
            -- one per incoming row, should a key be stored on two days (a crash between them)
            QUALIFY row_number() OVER (PARTITION BY _seq ORDER BY _stored_hash) = 1
            """
        )
        con.execute(
            "CREATE OR REPLACE TEMP TABLE losers AS SELECT _seq FROM incoming WHERE _seq NOT IN (SELECT _seq FROM winners)"
        )
        # Days with something to write: every new day (each of its keys has a last row), and
        # the stored days where a winner changes something.
        # (a day has rows off the exact path when it has more rows than the exact path took)
        exact_rows = dict(con.execute("SELECT _part, count(*) FROM incoming GROUP BY 1").fetchall())
        gaining = {p for p in parts if part_rows[p] > exact_rows.get(p, 0)} | {
            row[0] for row in con.execute("SELECT DISTINCT _part FROM winners").fetchall()
        }
        # Days that only lose a key (its row moved to another day) are written last: a crash before
        # them leaves the key on both days, which a re-run of the batch finds and rewrites (both days
        # listed in its partitions), never on neither.
        changed_parts = sorted(gaining) + sorted(_parts_losing_keys(con, feed, keys, existing, day_in_key) - gaining)
    for part in changed_parts:
        target = partition_path(feed, part)
        target.parent.mkdir(parents=True, exist_ok=True)
        same_key = " AND ".join(f"w.{_q(k)} = s.{_q(k)}" for k in keys)
        replaces = f"w._part = {_lit(part)} AND {same_key}" if day_in_key else same_key
        tmp = target.with_name(f".data-{uuid.uuid4().hex}.parquet.tmp")
        if part in existing:
            # A stored day: its old rows but those replaced, and the winners.
            query = f"""
                SELECT {select_new}, _row_hash, _batch FROM read_parquet('{target}') s
                WHERE NOT EXISTS (SELECT 1 FROM winners w WHERE {replaces})
                UNION ALL
                SELECT {select_new}, _row_hash, CAST({int(batch_id)} AS BIGINT) AS _batch FROM winners WHERE _part = {_lit(part)}
            """
        else:
            # A new day: the batch's rows of that day, straight from Arrow, but for the
            # earlier rows of keys sent more than once.
            query = f"""
                SELECT {select_new}, _row_hash, CAST({int(batch_id)} AS BIGINT) AS _batch
                FROM ({staged(f"{part_expr} = {_lit(part)}")})
                {"WHERE _seq NOT IN (SELECT _seq FROM losers)" if exact else ""}
            """
        replaced = None
        if part in existing:
            # The stored rows this batch replaces, kept beside the day (``replaced-<batch>.parquet``)
            # so that a daily run that already counted them can take them back out (``replaced_rows``).
            replaced = f"""
                SELECT {select_new}, _row_hash, _batch FROM read_parquet('{target}') s
                WHERE EXISTS (SELECT 1 FROM winners w WHERE {replaces})
            """
            count = con.execute(f"SELECT count(*) FROM ({replaced})").fetchone()
            if not count or not count[0]:
                replaced = None
            else:
                side = target.with_name(f"{REPLACED_PREFIX}{int(batch_id)}.parquet")
                side_tmp = target.with_name(f".replaced-{uuid.uuid4().hex}.parquet.tmp")
                con.execute(f"COPY ({replaced}) TO '{side_tmp}' (FORMAT parquet, COMPRESSION {COMPRESSION})")
        con.execute(
            f"COPY ({query}) TO '{tmp}' (FORMAT parquet, COMPRESSION {COMPRESSION}, ROW_GROUP_SIZE {ROW_GROUP_ROWS})"
        )
        with open(tmp, "rb") as fh:
            os.fsync(fh.fileno())
        os.replace(tmp, target)
        if replaced is not None:
            # Only once the day itself is replaced: a crash before leaves neither (never a
            # retraction of a row still stored); a crash between loses the retraction alone.
            with open(side_tmp, "rb") as fh:
                os.fsync(fh.fileno())
            os.replace(side_tmp, side)
        if touched is not None:
            touched.append(f"{feed.name}/{LAYOUTS[feed.name].part}={part}")
    con.unregister("accepted_arrow")
    con.execute(
        "DROP TABLE IF EXISTS incoming; DROP TABLE IF EXISTS stored; DROP TABLE IF EXISTS classified; "
        "DROP TABLE IF EXISTS winners; DROP TABLE IF EXISTS losers; DROP TABLE IF EXISTS repeated"
    )
    return counts.get("accepted", 0), counts.get("updated", 0), counts.get("duplicate", 0)


def read_feed_sql(feed_name: str) -> str:
    """A DuckDB ``read_parquet`` over every partition of a feed (empty-safe is the caller's job)."""
    return f"read_parquet('{feed_dir(feed_name)}/*/data.parquet', hive_partitioning = false)"
