"""Writing the batch: feed files (CSV or Parquet), planted bad rows and their ledger.

Tables are held with money as integer fen (``*_fen`` internally) and dates as text, so a
bad row can carry an impossible date or a negative amount; the writer turns money into
yuan with two decimals (CSV) or a float (Parquet). Every bad row is an extra row (a
corrupted copy or an exact re-send), appended after its original, and the ledger records
the physical line where it starts (header = line 1; Parquet: row number + 1).
"""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.csv as pacsv
import pyarrow.parquet as pq

from anxin.core.identifiers import USCC_ALPHABET
from anxin.synth.ids import wrong_check

S, MONEY, INT, BOOL = "s", "money", "int", "bool"

#: Column order and types of every feed, exactly as FEEDS.md lists them.
SCHEMAS: dict[str, tuple[tuple[str, str], ...]] = {
    "enterprises": (
        ("uscc", S),
        ("name", S),
        ("kind", S),
        ("region_code", S),
        ("industry_code", S),
        ("legal_rep", S),
        ("established_on", S),
        ("updated_at", S),
    ),
    "projects": (
        ("project_code", S),
        ("name", S),
        ("region_code", S),
        ("address", S),
        ("builder_uscc", S),
        ("contractor_uscc", S),
        ("funding", S),
        ("contract_amount", MONEY),
        ("labor_cost_amount", MONEY),
        ("labor_payment_cycle_days", INT),
        ("start_date", S),
        ("planned_end_date", S),
        ("actual_end_date", S),
        ("status", S),
        ("wage_account_no", S),
        ("wage_account_bank", S),
        ("wage_account_opened_on", S),
        ("deposit_form", S),
        ("deposit_amount", MONEY),
        ("notice_board", BOOL),
        ("labor_manager", S),
        ("updated_at", S),
    ),
    "people": (
        ("id_number", S),
        ("name", S),
        ("phone", S),
        ("bank_card_no", S),
        ("bank_name", S),
        ("hometown_region_code", S),
    ),
    "employments": (
        ("project_code", S),
        ("id_number", S),
        ("employer_uscc", S),
        ("team", S),
        ("trade", S),
        ("contract_signed", BOOL),
        ("start_date", S),
        ("end_date", S),
        ("wage_type", S),
        ("wage_rate", MONEY),
        ("pay_day", INT),
    ),
    "attendance": (
        ("project_code", S),
        ("id_number", S),
        ("work_date", S),
        ("clock_in", S),
        ("clock_out", S),
        ("method", S),
        ("device_id", S),
    ),
    "payrolls": (
        ("project_code", S),
        ("employer_uscc", S),
        ("id_number", S),
        ("period", S),
        ("days_worked", INT),
        ("gross_amount", MONEY),
        ("deductions", MONEY),
        ("net_amount", MONEY),
        ("confirmed", BOOL),
        ("submitted_on", S),
    ),
    "wage_payments": (
        ("txn_id", S),
        ("project_code", S),
        ("account_no", S),
        ("id_number", S),
        ("card_no", S),
        ("amount", MONEY),
        ("paid_on", S),
        ("period", S),
        ("channel", S),
        ("status", S),
    ),
    "account_inflows": (
        ("txn_id", S),
        ("project_code", S),
        ("account_no", S),
        ("payer_uscc", S),
        ("amount", MONEY),
        ("received_on", S),
    ),
    "social_insurance": (
        ("uscc", S),
        ("month", S),
        ("insured_headcount", INT),
        ("contributions_due", MONEY),
        ("contributions_paid", MONEY),
    ),
    "utilities": (("uscc", S), ("month", S), ("electricity_kwh", INT)),
    "lawsuits": (("case_no", S), ("uscc", S), ("filed_on", S), ("cause", S), ("plaintiffs", INT), ("amount", MONEY)),
    "leads": (
        ("lead_id", S),
        ("channel", S),
        ("received_at", S),
        ("target_name", S),
        ("target_uscc", S),
        ("project_code", S),
        ("region_code", S),
        ("address", S),
        ("complainant_name", S),
        ("complainant_phone", S),
        ("anonymous", BOOL),
        ("workers_involved", INT),
        ("amount_claimed", MONEY),
        ("period_from", S),
        ("period_to", S),
        ("description", S),
    ),
}

#: Chinese header labels (FEEDS.md), used for the feed written as Excel would write it.
LABELS = {
    "enterprises": (
        "统一社会信用代码",
        "单位名称",
        "单位类型",
        "注册地区划",
        "行业代码",
        "法定代表人",
        "成立日期",
        "更新时间",
    ),
}

#: The feed written in GB18030 with Chinese headers and CRLF, as Excel on a Chinese Windows machine does.
EXCEL_FEED = "enterprises"


@dataclass(frozen=True)
class BadSpec:
    """Where each kind of planted fault goes in a feed's rows."""

    kinds: tuple[str, ...]
    id_col: str | None = None  # bad_check_digit
    id_alphabet: str = "0123456789X"
    date_col: str | None = None  # impossible_date
    money_col: str | None = None  # negative_money
    txn_col: str | None = None  # a corrupted copy gets a fresh key here


BAD_SPECS = {
    "enterprises": BadSpec(
        ("bad_check_digit", "impossible_date", "duplicate"), "uscc", USCC_ALPHABET, "established_on"
    ),
    "projects": BadSpec(
        ("impossible_date", "negative_money", "duplicate"), date_col="start_date", money_col="contract_amount"
    ),
    "people": BadSpec(("bad_check_digit", "duplicate"), "id_number"),
    "employments": BadSpec(
        ("bad_check_digit", "impossible_date", "negative_money", "unknown_project", "duplicate"),
        "id_number",
        date_col="start_date",
        money_col="wage_rate",
    ),
    "attendance": BadSpec(
        ("bad_check_digit", "impossible_date", "unknown_project", "duplicate"), "id_number", date_col="work_date"
    ),
    "payrolls": BadSpec(
        ("bad_check_digit", "negative_money", "unknown_project", "duplicate"), "id_number", money_col="net_amount"
    ),
    "wage_payments": BadSpec(
        ("bad_check_digit", "impossible_date", "negative_money", "unknown_project", "duplicate"),
        "id_number",
        date_col="paid_on",
        money_col="amount",
        txn_col="txn_id",
    ),
    "account_inflows": BadSpec(
        ("negative_money", "unknown_project", "duplicate"), money_col="amount", txn_col="txn_id"
    ),
    "social_insurance": BadSpec(
        ("bad_check_digit", "negative_money", "duplicate"), "uscc", USCC_ALPHABET, money_col="contributions_paid"
    ),
    "utilities": BadSpec(("bad_check_digit", "duplicate"), "uscc", USCC_ALPHABET),
    "lawsuits": BadSpec(("bad_check_digit", "negative_money", "duplicate"), "uscc", USCC_ALPHABET, money_col="amount"),
    "leads": BadSpec(
        ("impossible_date", "negative_money", "duplicate"), date_col="received_at", money_col="amount_claimed"
    ),
}


def arrow_schema(feed: str, parquet: bool) -> pa.Schema:
    types = {S: pa.string(), INT: pa.int64(), BOOL: pa.bool_(), MONEY: pa.float64() if parquet else pa.string()}
    return pa.schema([(c, types[t]) for c, t in SCHEMAS[feed]])


def internal_schema(feed: str) -> pa.Schema:
    types = {S: pa.string(), INT: pa.int64(), BOOL: pa.bool_(), MONEY: pa.int64()}
    return pa.schema([(c, types[t]) for c, t in SCHEMAS[feed]])


def fen_text(fen: np.ndarray) -> pa.Array:
    """Integer fen as yuan text with two decimals ('-12.30' for negative values)."""
    fen = np.asarray(fen, dtype=np.int64)
    a = np.abs(fen)
    yuan = pa.array(a // 100).cast(pa.string())
    cents = pa.array(a % 100 + 100).cast(pa.string())  # "1xx": strip the leading 1
    import pyarrow.compute as pc

    cents = pc.utf8_slice_codeunits(cents, 1, 3)
    text = pc.binary_join_element_wise(yuan, cents, ".")
    if (fen < 0).any():
        text = pc.if_else(pa.array(fen < 0), pc.binary_join_element_wise("-", text, ""), text)
    return text


def fen_str(fen: int | None) -> str:
    if fen is None:
        return ""
    sign = "-" if fen < 0 else ""
    return f"{sign}{abs(fen) // 100}.{abs(fen) % 100:02d}"


def _external(table: pa.Table, feed: str, parquet: bool) -> pa.Table:
    """Internal table (money in fen) to the file's representation."""
    cols = []
    for name, kind in SCHEMAS[feed]:
        col = table.column(name).combine_chunks()
        if kind == MONEY:
            mask = col.is_null().to_numpy(zero_copy_only=False)
            values = col.fill_null(0).to_numpy(zero_copy_only=False)
            if parquet:
                arr = pa.array(values / 100.0, mask=mask)
            else:
                arr = fen_text(values)
                if mask.any():
                    import pyarrow.compute as pc

                    arr = pc.if_else(pa.array(mask), pa.scalar(None, pa.string()), arr)
            cols.append(arr)
        else:
            cols.append(col)
    return pa.Table.from_arrays(cols, schema=arrow_schema(feed, parquet))


@dataclass
class Ledger:
    rows: list[tuple[str, int, str]] = field(default_factory=list)

    def add(self, file: str, line: int, reason: str) -> None:
        self.rows.append((file, line, reason))


def _impossible(value: str, rng: np.random.Generator) -> str:
    year = value[:4] if value[:4].isdigit() else "2026"
    rest = value[10:] if len(value) > 10 else ""
    bad = (f"{year}-02-30", f"{year}-04-31", f"{year}-13-05", f"{year}-06-31", f"{year}-11-31")[int(rng.integers(0, 5))]
    return bad + rest


def _unknown_project(code: str, n: int) -> str:
    # Registry project sequence numbers stay below 900000; 9xxxxx never exists.
    return code[:-6] + f"{900000 + n % 99999:06d}" if code else f"2025-350102-47-01-{900000 + n:06d}"


class FeedFiles:
    """Writes one batch's feed files, planting bad rows at ``rate`` and keeping the ledger."""

    def __init__(self, out: Path, fmt: str, rng: np.random.Generator, ledger: Ledger, rate: float) -> None:
        self.out = out
        self.fmt = fmt
        self.rng = rng
        self.ledger = ledger
        self.rate = rate
        self._open: dict[str, tuple[Any, Any, int]] = {}  # filename -> (sink, writer, rows written)
        self._seen_kinds: dict[str, set[str]] = {}
        self._serial = 0
        self.rows: dict[str, int] = {}  # physical rows written per feed, bad rows included

    # --- corrupted copies ---------------------------------------------------------------
    def _corrupt(self, feed: str, row: dict[str, Any], kind: str) -> dict[str, Any]:
        spec = BAD_SPECS[feed]
        bad = dict(row)
        self._serial += 1
        if kind == "duplicate":
            return bad
        if spec.txn_col:
            bad[spec.txn_col] = f"{row[spec.txn_col]}R{self._serial:05d}"
        # BAD_SPECS only lists a kind for a feed that names the column it corrupts.
        if kind == "bad_check_digit":
            assert spec.id_col is not None
            bad[spec.id_col] = wrong_check(row[spec.id_col], spec.id_alphabet)
        elif kind == "impossible_date":
            assert spec.date_col is not None
            bad[spec.date_col] = _impossible(row[spec.date_col], self.rng)
        elif kind == "negative_money":
            assert spec.money_col is not None
            bad[spec.money_col] = -abs(row[spec.money_col] or 0) or -10000
        elif kind == "unknown_project":
            bad["project_code"] = _unknown_project(row["project_code"], self._serial)
        return bad

    def _pick(self, feed: str, n: int, eligible: np.ndarray | None) -> tuple[np.ndarray, list[str]]:
        kinds = BAD_SPECS[feed].kinds
        pool = np.flatnonzero(eligible) if eligible is not None else np.arange(n)
        if pool.size == 0:
            return np.empty(0, dtype=np.int64), []
        k = int(self.rng.binomial(pool.size, self.rate))
        missing = [x for x in kinds if x not in self._seen_kinds.setdefault(feed, set())]
        k = min(pool.size, max(k, len(missing)))
        idx = np.sort(self.rng.choice(pool, size=k, replace=False))
        chosen = list(missing) + [kinds[i] for i in self.rng.integers(0, len(kinds), size=max(0, k - len(missing)))]
        chosen = chosen[:k]
        order = self.rng.permutation(k)
        chosen = [chosen[i] for i in order]
        self._seen_kinds[feed].update(chosen)
        return idx, chosen

    # --- big feeds: streamed arrow chunks --------------------------------------------------
    def filename(self, feed: str, part: int | None) -> str:
        ext = "parquet" if self.fmt == "parquet" else "csv"
        return f"{feed}.{ext}" if part is None else f"{feed}-{part:04d}.{ext}"

    def write_chunk(
        self,
        feed: str,
        part: int | None,
        table: pa.Table,
        *,
        updated: pa.Table | None = None,
        eligible: np.ndarray | None = None,
        plant: bool = True,
    ) -> None:
        """Append ``table`` (internal schema) to a feed file, with planted bad rows after it.

        ``updated`` rows (changed re-sends of rows in an earlier file) go first and are
        recorded as ``updated``; ``eligible`` limits which rows may be copied as bad rows.
        """
        name = self.filename(feed, part)
        parts = []
        reasons: list[str | None] = []
        if updated is not None and updated.num_rows:
            parts.append(updated)
            reasons += ["updated"] * updated.num_rows
        parts.append(table)
        reasons += [None] * table.num_rows
        if plant and table.num_rows:
            idx, kinds = self._pick(feed, table.num_rows, eligible)
            if len(idx):
                rows = table.take(pa.array(idx)).to_pylist()
                bad = [self._corrupt(feed, r, k) for r, k in zip(rows, kinds, strict=True)]
                parts.append(pa.Table.from_pylist(bad, schema=internal_schema(feed)))
                reasons += kinds
        full = pa.concat_tables([p.select(table.column_names).cast(internal_schema(feed)) for p in parts])
        self._append(name, feed, full, reasons)

    def _append(self, name: str, feed: str, full: pa.Table, reasons: list[str | None]) -> None:
        parquet = self.fmt == "parquet"
        if name not in self._open:
            path = self.out / name
            if parquet:
                writer = pq.ParquetWriter(
                    path,
                    arrow_schema(feed, True),
                    compression="zstd",
                    compression_level=3,
                    use_dictionary=True,
                    write_statistics=True,
                )
                self._open[name] = (None, writer, 0)
            else:
                sink = pa.OSFile(str(path), "wb")
                sink.write((",".join(c for c, _ in SCHEMAS[feed]) + "\n").encode())
                writer = pacsv.CSVWriter(
                    sink,
                    arrow_schema(feed, False),
                    write_options=pacsv.WriteOptions(include_header=False, quoting_style="none"),
                )
                self._open[name] = (sink, writer, 0)
        sink, writer, written = self._open[name]
        self.rows[feed] = self.rows.get(feed, 0) + full.num_rows
        ext = _external(full, feed, parquet)
        if parquet:
            writer.write_table(ext, row_group_size=1 << 20)
        else:
            writer.write_table(ext)
        for i, reason in enumerate(reasons):
            if reason:
                self.ledger.add(name, written + i + 2, reason)
        self._open[name] = (sink, writer, written + full.num_rows)

    def close(self, name: str | None = None) -> None:
        for key in [name] if name else list(self._open):
            if key not in self._open:
                continue
            sink, writer, _ = self._open.pop(key)
            writer.close()
            if sink is not None:
                sink.close()

    # --- small feeds: whole lists of rows, written at once ---------------------------------
    def write_rows(
        self,
        feed: str,
        rows: list[dict[str, Any]],
        *,
        reasons: Sequence[str | None] | None = None,
        eligible: list[bool] | None = None,
        excel: bool = False,
    ) -> str:
        """Write a small feed from dict rows; bad copies are inserted at random later positions.

        ``reasons`` marks rows already known to be re-sends (``updated``); ``excel`` writes
        GB18030 with Chinese headers and CRLF line ends, quoting only where needed.
        """
        reasons = list(reasons) if reasons else [None] * len(rows)
        elig = (
            np.array([r is None for r in reasons])
            if eligible is None
            else np.array(eligible) & np.array([r is None for r in reasons])
        )
        idx, kinds = self._pick(feed, len(rows), elig)
        items: list[tuple[dict[str, Any], str | None]] = list(zip(rows, reasons, strict=True))
        # Insert each copy at a random position after its original, last first so indices hold.
        inserts = []
        for i, kind in zip(idx.tolist(), kinds, strict=True):
            pos = int(self.rng.integers(i + 1, len(rows) + 1))
            inserts.append((pos, i, self._corrupt(feed, rows[i], kind), kind))
        inserts.sort(key=lambda x: (x[0], x[1]))
        for pos, _i, bad, kind in reversed(inserts):
            items.insert(pos, (bad, kind))
        self.rows[feed] = self.rows.get(feed, 0) + len(items)
        if excel or self.fmt == "csv":
            name = f"{feed}.csv"
            self._write_csv(name, feed, items, excel)
        else:
            name = f"{feed}.parquet"
            table = pa.Table.from_pylist([r for r, _ in items], schema=internal_schema(feed))
            pq.write_table(_external(table, feed, True), self.out / name, compression="zstd", compression_level=3)
            for n, (_, reason) in enumerate(items):
                if reason:
                    self.ledger.add(name, n + 2, reason)
        return name

    def _write_csv(self, name: str, feed: str, items: list[tuple[dict[str, Any], str | None]], excel: bool) -> None:
        cols = SCHEMAS[feed]
        buf = io.StringIO()
        w = csv.writer(buf, lineterminator="\r\n" if excel else "\n", quoting=csv.QUOTE_MINIMAL)
        w.writerow(LABELS[feed] if excel else [c for c, _ in cols])
        chunks = [buf.getvalue()]
        line = 2
        for row, reason in items:
            buf.seek(0)
            buf.truncate(0)
            w.writerow([_cell(row.get(c), t) for c, t in cols])
            text = buf.getvalue()
            chunks.append(text)
            if reason:
                self.ledger.add(name, line, reason)
            line += text.count("\n")  # a quoted field may hold a newline
        data = "".join(chunks)
        with open(self.out / name, "wb") as f:
            f.write(data.encode("gb18030") if excel else data.encode("utf-8"))


def _cell(value: Any, kind: str) -> str:
    if value is None:
        return ""
    if kind == MONEY:
        return fen_str(int(value))
    if kind == BOOL:
        return "true" if value else "false"
    return str(value)
