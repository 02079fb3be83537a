"""The trim pre-check (``needs_trim``) lets a column skip ``NULLIF(trim(v), '')`` only when that changes nothing."""

from __future__ import annotations

import datetime as dt

import duckdb
import pyarrow as pa
from hypothesis import given, settings
from hypothesis import strategies as st

from anxin.lake.feeds import FEEDS
from anxin.lake.validate import Context, needs_trim, validate


def trimmed_by_sql(values: list[str | None]) -> list[str | None]:
    con = duckdb.connect()
    con.register("t", pa.table({"v": pa.array(values, pa.string()), "n": pa.array(range(len(values)))}))
    return [r[0] for r in con.sql("SELECT NULLIF(trim(v), '') FROM t ORDER BY n").fetchall()]


def chunked(values: list[str | None], chunk: int = 5) -> pa.ChunkedArray:
    array = pa.array(values, pa.string())
    return pa.chunked_array([array.slice(i, chunk) for i in range(0, len(values), chunk)] or [array], pa.string())


# ASCII text with the characters trim removes or keeps at either end: spaces (ASCII, no-break,
# ideographic), tabs, and Chinese text, whose UTF-8 bytes are all non-ASCII.
values = st.one_of(st.text(alphabet="ab1-_ \t\u00a0\u3000工资", max_size=6), st.none())


@settings(max_examples=60, deadline=None)
@given(column=st.lists(values, min_size=1, max_size=30))
def test_a_column_skips_the_trim_only_when_the_trim_would_change_nothing(column: list[str | None]) -> None:
    if not needs_trim(chunked(column)):
        assert trimmed_by_sql(column) == column


def test_the_pre_check_flags_spaces_empty_values_and_non_ascii_ends() -> None:
    assert not needs_trim(chunked(["P001", "350102199001011234", None, "2025-06-10 07:30:00"]))
    for odd in (" P001", "P001 ", "", "\u3000P001", "项目", "P001\u00a0"):
        assert needs_trim(chunked(["P001", odd, None])), repr(odd)
    assert not needs_trim(chunked([None, None]))  # nothing to trim in a column with no values


def test_values_are_still_trimmed_in_a_column_that_needs_it() -> None:
    feed = FEEDS["attendance"]
    rows = {
        "project_code": [" P001", "P001"],
        "id_number": ["11010519491231002X", "11010519491231002X "],
        "work_date": ["2025-06-10", "2025-06-11"],
        "clock_in": ["", "2025-06-11 07:30:00"],
        "clock_out": [None, None],
        "method": ["face", "face"],
        "device_id": ["D1", "D1"],
    }
    raw = pa.table({**rows, "_line": [2, 3], "_xlsx_numeric": pa.array([None, None], pa.bool_())})
    con = duckdb.connect()
    con.execute("CREATE TABLE known_projects AS SELECT 'P001' AS project_code")
    ctx = Context(counties=frozenset(), successors={}, today=dt.date(2026, 11, 27))
    checked = validate(con, raw, feed, ctx, [])
    assert checked.quarantined.num_rows == 0
    assert checked.accepted.column("project_code").to_pylist() == ["P001", "P001"]
    assert checked.accepted.column("id_number").to_pylist() == ["11010519491231002X"] * 2
    assert checked.accepted.column("clock_in").to_pylist()[0] is None
