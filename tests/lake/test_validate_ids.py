"""The vectorised ID pre-check (``ids_surely_valid``) is never looser than the SQL checks it lets rows skip."""

from __future__ import annotations

import datetime as dt

import duckdb
import pyarrow as pa
from hypothesis import given, settings
from hypothesis import strategies as st

from anxin.core.identifiers import id_check_char, id_number_error
from anxin.lake.feeds import FEEDS
from anxin.lake.validate import Context, _q, column_sql, ids_surely_valid

TODAY = dt.date(2026, 11, 27)
CTX = Context(counties=frozenset(), successors={}, today=TODAY)


def sql_errors(values: list[str | None]) -> list[str | None]:
    """The SQL's ID verdict for each value, with the pre-check switched off (every row checked one by one)."""
    col = FEEDS["attendance"].column("id_number")
    helpers, _typed, error = column_sql(col, CTX, xlsx_numeric=False)
    extra = "".join(f", {expr} AS {_q(name)}" for name, expr in helpers)
    con = duckdb.connect()
    con.register("t", pa.table({"v": pa.array(values, pa.string()), "n": pa.array(range(len(values)))}))
    rows = con.sql(
        f"SELECT {error} FROM (SELECT *{extra} FROM (SELECT n, NULLIF(trim(v), '') AS id_number, "
        f"false AS __idok_id_number FROM t)) ORDER BY n"
    ).fetchall()
    return [r[0] for r in rows]


def flags(values: list[str | None], chunk: int = 7) -> list[bool]:
    array = pa.array(values, pa.string())
    chunked = pa.chunked_array([array.slice(i, chunk) for i in range(0, len(values), chunk)] or [array])
    return ids_surely_valid(chunked, TODAY).to_pylist()


def valid_id(body: str) -> str:
    return body + id_check_char(body)


near_ids = st.one_of(
    # real-looking bodies with birth dates around the edges, and a random last character
    st.from_regex(r"[0-9]{6}(18|19|20|21)[0-9]{2}[01][0-9][0-3][0-9][0-9]{3}[0-9Xx]", fullmatch=True),
    st.from_regex(r"[0-9]{6}(19|20)[0-9]{2}(0[1-9]|1[0-2])(0[1-9]|[12][0-9]|3[01])[0-9]{3}", fullmatch=True).map(
        valid_id
    ),
    st.from_regex(r"[0-9]{6}(19|20)[0-9]{2}(0[1-9]|1[0-2])(0[1-9]|[12][0-9]|3[01])[0-9]{3}", fullmatch=True).map(
        lambda b: valid_id(b).lower()
    ),
    st.text(alphabet="0123456789Xx -+一.\t", min_size=15, max_size=20),
    st.none(),
)


@settings(max_examples=25, deadline=None)
@given(values=st.lists(near_ids, min_size=1, max_size=40))
def test_the_pre_check_passes_only_numbers_the_sql_and_python_checks_accept(values: list[str | None]) -> None:
    for value, sure, error in zip(values, flags(values), sql_errors(values), strict=True):
        if sure:
            assert error is None, (value, error)
            assert id_number_error(value, today=TODAY) is None, value


def test_the_pre_check_passes_ordinary_valid_numbers_and_not_the_edge_cases() -> None:
    good = [valid_id("35010219900101123"), valid_id("11010519491231002"), valid_id("44052419800101001")]
    leap = valid_id("35010220000229123")
    edge = [
        valid_id("35010219000229123"),  # 1900 was not a leap year
        valid_id("35010218991231123"),  # before 1900
        valid_id("35010220261128123"),  # born after today
        " " + good[0],  # to be trimmed: left to SQL
        good[0][:17] + ("0" if good[0][17] != "0" else "1"),  # wrong check character
        good[0][:10] + "13" + good[0][12:],  # month 13
        None,
        "",
    ]
    values = [*good, leap, good[1].lower(), *edge]
    assert flags(values, chunk=3) == [True] * 5 + [False] * len(edge)
    assert [e is None for e in sql_errors(values)][:5] == [True] * 5
