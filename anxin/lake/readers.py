"""Reading feed files into Arrow tables of text, whatever their format.

Every reader returns the same shape: one string column per contract column (by its
canonical name, missing columns all null), plus ``_line`` (the physical line where the
record starts, header = 1; row number + 1 for XLSX and Parquet) and ``_xlsx_numeric``
(comma-separated identifier columns that Excel stored as numbers). Typing and checks
happen later, in one vectorised pass (``validate.py``).
"""

from __future__ import annotations

import csv
import datetime as dt
import gzip
import io
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv
import pyarrow.parquet as pq

from anxin.lake.feeds import Feed, T, canonical_column


class UnreadableFile(ValueError):
    """The file as a whole cannot be read (not the fault of one row)."""


@dataclass
class RawTable:
    feed: Feed
    path: Path
    table: pa.Table
    encoding: str = ""
    ignored_headers: list[str] = field(default_factory=list)
    missing_columns: list[str] = field(default_factory=list)


def decode_csv_bytes(data: bytes) -> tuple[str, str]:
    """Text and encoding of CSV bytes: UTF-8 with or without BOM, else GB18030 (Excel on Chinese Windows)."""
    if data.startswith(b"\xef\xbb\xbf"):
        return data[3:].decode("utf-8"), "utf-8-sig"
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("gb18030"), "gb18030"
    except UnicodeDecodeError as exc:
        raise UnreadableFile("文件编码无法识别：请另存为 UTF-8 或 GB18030（Excel 默认的 CSV）格式") from exc


def _open_bytes(path: Path) -> bytes:
    data = path.read_bytes()
    if path.name.lower().endswith(".gz"):
        try:
            data = gzip.decompress(data)
        except OSError as exc:
            raise UnreadableFile("gzip 压缩文件已损坏，无法解压") from exc
    return data


def _map_headers(feed: Feed, headers: list[str]) -> tuple[dict[int, str], list[str], list[str]]:
    """Position -> canonical column; ignored headers; required columns missing."""
    mapping: dict[int, str] = {}
    ignored: list[str] = []
    for i, header in enumerate(headers):
        name = canonical_column(feed, header or "")
        if name is None or name in mapping.values():
            if (header or "").strip():
                ignored.append(header)
            continue
        mapping[i] = name
    present = set(mapping.values())
    missing = [c.name for c in feed.columns if c.name not in present]
    return mapping, ignored, missing


def _assemble(feed: Feed, columns: dict[str, pa.Array], lines: pa.Array, numeric: pa.Array | None, n: int) -> pa.Table:
    arrays = []
    for col in feed.columns:
        arrays.append(columns.get(col.name, pa.nulls(n, pa.string())))
    arrays.append(lines)
    arrays.append(numeric if numeric is not None else pa.nulls(n, pa.string()))
    return pa.Table.from_arrays(arrays, names=[*feed.names, "_line", "_xlsx_numeric"])


def read_csv(path: Path, feed: Feed) -> RawTable:
    data = _open_bytes(path)
    text, encoding = decode_csv_bytes(data)
    if not text or text.isspace():
        raise UnreadableFile("文件为空")
    if encoding == "utf-8":
        utf8 = data
    elif encoding == "utf-8-sig":
        utf8 = data[3:]
    else:
        utf8 = text.encode("utf-8")
    end = utf8.find(b"\n")
    header_line = (utf8 if end < 0 else utf8[:end]).decode("utf-8").rstrip("\r")
    headers = next(csv.reader([header_line]))
    mapping, ignored, missing = _map_headers(feed, headers)
    table = _read_csv_fast(utf8, headers, mapping)
    if table is None:
        table = _read_csv_exact(text, headers, mapping)
    n = table.num_rows
    # Columns stay in the reader's chunks: DuckDB scans a chunked table on every core.
    columns = {name: table.column(name) for name in mapping.values()}
    out = _assemble(feed, columns, table.column("_line"), None, n)
    return RawTable(feed, path, out, encoding, ignored, missing)


def _read_csv_fast(utf8: bytes, headers: list[str], mapping: dict[int, str]) -> pa.Table | None:
    """Arrow's multithreaded reader, used when each record is one physical line.

    Then the line of row i is i + 2. Quoted newlines, blank lines or ragged rows make
    that untrue; we return None and the exact reader takes over.
    """
    physical = utf8.count(b"\n") + (0 if utf8.endswith(b"\n") else 1)
    try:
        table = pacsv.read_csv(
            pa.BufferReader(utf8),
            read_options=pacsv.ReadOptions(
                column_names=[f"c{i}" for i in range(len(headers))], skip_rows=1, block_size=4 << 20
            ),
            parse_options=pacsv.ParseOptions(newlines_in_values=False, ignore_empty_lines=False),
            convert_options=pacsv.ConvertOptions(
                column_types={f"c{i}": pa.string() for i in range(len(headers))},
                strings_can_be_null=False,
                quoted_strings_can_be_null=False,
            ),
        )
    except pa.ArrowInvalid:
        return None
    if table.num_rows != physical - 1:
        return None
    arrays = [table.column(f"c{i}") for i in mapping]
    names = list(mapping.values())
    lines = pa.array(np.arange(2, table.num_rows + 2, dtype=np.int64))
    return pa.Table.from_arrays([*arrays, lines], names=[*names, "_line"])


def _read_csv_exact(text: str, headers: list[str], mapping: dict[int, str]) -> pa.Table:
    """The standard csv module, tracking the physical line where each record starts."""
    reader = csv.reader(io.StringIO(text, newline=""))
    next(reader)
    columns: dict[int, list[str | None]] = {i: [] for i in mapping}
    lines: list[int] = []
    start = reader.line_num + 1
    for record in reader:
        if not record or all(not v.strip() for v in record):
            start = reader.line_num + 1
            continue  # blank lines are not records
        lines.append(start)
        for i in mapping:
            columns[i].append(record[i] if i < len(record) else None)
        start = reader.line_num + 1
    arrays = [pa.array(columns[i], pa.string()) for i in mapping]
    return pa.Table.from_arrays([*arrays, pa.array(lines, pa.int64())], names=[*mapping.values(), "_line"])


def _cell_text(value: Any, type_: T) -> tuple[str | None, bool]:
    """Text of one XLSX cell for a column of ``type_``; and whether Excel stored an identifier as a number."""
    if value is None:
        return None, False
    if isinstance(value, bool):
        return ("true" if value else "false"), False
    if isinstance(value, dt.datetime):
        if type_ == T.DATE or (type_ != T.TIMESTAMP and value.time() == dt.time()):
            return value.date().isoformat(), False
        return value.strftime("%Y-%m-%d %H:%M:%S"), False
    if isinstance(value, dt.date):
        return value.isoformat(), False
    if isinstance(value, int | float):
        if type_ in (T.USCC, T.ID_NUMBER, T.CARD, T.PHONE, T.TEXT, T.PROJECT, T.REGION, T.COUNTY):
            as_int = int(value) if float(value).is_integer() else value
            numeric = type_ in (T.USCC, T.ID_NUMBER, T.CARD, T.PHONE)
            return str(as_int), numeric
        if type_ == T.MONEY:
            return f"{round(float(value), 2):.2f}", False
        if type_ == T.INT and float(value).is_integer():
            return str(int(value)), False
        return str(value), False
    text = str(value)
    return text, False


def read_xlsx(path: Path, feed: Feed) -> RawTable:
    import openpyxl

    try:
        workbook = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many types for a broken file
        raise UnreadableFile(f"无法打开 Excel 文件：{exc}") from exc
    try:
        sheet = workbook.worksheets[0]
        rows = sheet.iter_rows(values_only=True)
        try:
            headers = [str(h) if h is not None else "" for h in next(rows)]
        except StopIteration:
            raise UnreadableFile("Excel 文件第一个工作表为空") from None
        mapping, ignored, missing = _map_headers(feed, headers)
        types = {i: feed.column(name).type for i, name in mapping.items()}
        columns: dict[int, list[str | None]] = {i: [] for i in mapping}
        numeric: list[str | None] = []
        lines: list[int] = []
        for row_no, row in enumerate(rows, start=2):
            if all(v is None or (isinstance(v, str) and not v.strip()) for v in row):
                continue
            flagged = []
            for i in mapping:
                value = row[i] if i < len(row) else None
                text, was_number = _cell_text(value, types[i])
                columns[i].append(text)
                if was_number:
                    flagged.append(mapping[i])
            numeric.append(",".join(flagged) or None)
            lines.append(row_no)
    finally:
        workbook.close()
    n = len(lines)
    arrays = {mapping[i]: pa.array(columns[i], pa.string()) for i in mapping}
    table = _assemble(feed, arrays, pa.array(lines, pa.int64()), pa.array(numeric, pa.string()), n)
    return RawTable(feed, path, table, "xlsx", ignored, missing)


def _arrow_to_text(array: pa.ChunkedArray, type_: T) -> pa.Array:
    array = array.combine_chunks()
    if pa.types.is_string(array.type) or pa.types.is_large_string(array.type):
        return array.cast(pa.string())
    if pa.types.is_timestamp(array.type):
        fmt = "%Y-%m-%d" if type_ == T.DATE else "%Y-%m-%d %H:%M:%S"
        return pc.strftime(array, format=fmt)
    if pa.types.is_date(array.type):
        return pc.strftime(array.cast(pa.timestamp("s")), format="%Y-%m-%d")
    if pa.types.is_floating(array.type) and type_ == T.MONEY:
        return pc.round(array, 2).cast(pa.string())
    if pa.types.is_floating(array.type) and type_ in (T.INT,):
        return array.cast(pa.int64(), safe=False).cast(pa.string())
    if pa.types.is_boolean(array.type):
        return pc.if_else(array, "true", "false")
    if pa.types.is_decimal(array.type):
        return array.cast(pa.string())
    return array.cast(pa.string())


def read_parquet(path: Path, feed: Feed) -> RawTable:
    try:
        if path.name.lower().endswith(".gz"):
            source = pq.read_table(pa.BufferReader(_open_bytes(path)))
        else:
            source = pq.read_table(path)
    except (pa.ArrowInvalid, OSError) as exc:
        raise UnreadableFile(f"无法读取 Parquet 文件：{exc}") from exc
    mapping, ignored, missing = _map_headers(feed, source.column_names)
    n = source.num_rows
    columns = {name: _arrow_to_text(source.column(i), feed.column(name).type) for i, name in mapping.items()}
    table = _assemble(feed, columns, pa.array(range(2, n + 2), pa.int64()), None, n)
    return RawTable(feed, path, table, "parquet", ignored, missing)


def read_feed_file(path: Path, feed: Feed) -> RawTable:
    name = path.name.lower().removesuffix(".gz")
    if name.endswith(".csv"):
        return read_csv(path, feed)
    if name.endswith(".xlsx"):
        if path.name.lower().endswith(".gz"):
            import tempfile

            with tempfile.NamedTemporaryFile(suffix=".xlsx") as tmp:
                tmp.write(_open_bytes(path))
                tmp.flush()
                raw = read_xlsx(Path(tmp.name), feed)
                raw.path = path
                return raw
        return read_xlsx(path, feed)
    if name.endswith(".parquet"):
        return read_parquet(path, feed)
    raise UnreadableFile(f"不支持的文件类型：{path.name}（支持 CSV、XLSX、Parquet 及其 gzip 压缩）")
