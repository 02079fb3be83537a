"""Ingestion: files or API rows -> validated -> registry, lake or quarantine.

``ingest_paths`` is what ``anxin ingest`` runs; ``ingest_rows`` is what
``POST /api/feeds/{feed}`` runs. Both take the same path: read to text, validate in one
vectorised pass, quarantine bad rows with a reason, store the good ones by key
(duplicates are a no-op, changed rows update), and summarise per feed as the contract
says.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
from collections.abc import Callable, Iterable
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import duckdb
import pyarrow as pa

from anxin.core import crypto
from anxin.core.audit import record
from anxin.core.choices import AuditAction
from anxin.core.masking import mask_card, mask_id_number, mask_phone
from anxin.core.models import Division, DivisionChange, User
from anxin.lake.choices import BatchSource, BatchStatus
from anxin.lake.feeds import FEEDS, Feed, T, feed_of_file
from anxin.lake.models import Batch, QuarantinedRow
from anxin.lake.readers import RawTable, UnreadableFile, read_feed_file
from anxin.lake.validate import Context, validate
from anxin.registry import services as registry

log = logging.getLogger(__name__)


class IngestError(Exception):
    """The batch as a whole cannot be ingested (one line, Chinese, for the sender)."""


@dataclass
class FeedSummary:
    """The contract's per-feed summary line (FEEDS.md)."""

    feed: str
    files: int = 0
    rows: int = 0
    accepted: int = 0
    updated: int = 0
    duplicates: int = 0
    quarantined: int = 0
    warnings: list[str] = field(default_factory=list)

    def contract(self) -> dict[str, Any]:
        data = asdict(self)
        data.pop("warnings")
        return data


def validation_context() -> Context:
    counties = frozenset(Division.objects.filter(level="county").values_list("code", flat=True))
    successors = dict(DivisionChange.objects.values_list("old_code", "new_code"))
    return Context(counties=counties, successors=successors, today=dt.date.today())


def collect_files(paths: Iterable[Path]) -> dict[str, list[Path]]:
    """Feed name -> its files, sorted by name. Folders are searched (not recursively)."""
    by_feed: dict[str, list[Path]] = {}
    for path in paths:
        if not path.exists():
            raise IngestError(f"找不到文件或文件夹：{path}")
        candidates = sorted(p for p in path.iterdir() if p.is_file()) if path.is_dir() else [path]
        for file in candidates:
            feed = feed_of_file(file.name)
            if feed is None:
                if path.is_dir():
                    log.warning("skipping %s: not named after a feed", file)
                    continue
                raise IngestError(f"无法识别的数据文件：{file.name}（文件名应为数据项名称，如 projects.csv）")
            by_feed.setdefault(feed.name, []).append(file)
    for files in by_feed.values():
        files.sort(key=lambda p: p.name)
    return by_feed


def _mask_raw(feed: Feed, row: dict[str, Any]) -> dict[str, Any]:
    masked = {}
    for col in feed.columns:
        value = row.get(col.name)
        if value is None:
            continue
        if col.type == T.ID_NUMBER:
            value = mask_id_number(value)
        elif col.type == T.PHONE or col.name == "complainant_phone":
            value = mask_phone(value)
        elif col.type == T.CARD and col.name in ("bank_card_no", "card_no"):
            value = mask_card(value)
        elif col.name == "complainant_name":
            value = (value[:1] + "*") if value else value
        masked[col.name] = value
    return masked


class Ingestor:
    """One batch: feeds in dependency order, sharing one DuckDB connection."""

    def __init__(self, *, source: BatchSource, user: User | None = None) -> None:
        self.user = user
        self.batch = Batch.objects.create(source=source, submitted_by=user if user and user.pk else None)
        self.arrival = self.batch.received_at
        self.touched: list[str] = []  # lake partitions this batch rewrote (for the daily run's late rows)
        self.registry_changed = False
        self.ctx = validation_context()
        self.con = duckdb.connect()
        self._load_known_projects()

    def _load_known_projects(self) -> None:
        pairs = registry.current_project_regions()
        table = pa.table(
            {"project_code": [p for p, _ in pairs], "region_code": [r for _, r in pairs]},
            schema=pa.schema([("project_code", pa.string()), ("region_code", pa.string())]),
        )
        self.con.register("known_projects_arrow", table)
        self.con.execute("CREATE OR REPLACE TABLE known_projects AS SELECT * FROM known_projects_arrow")
        self.con.unregister("known_projects_arrow")

    def ingest_tables(self, feed: Feed, raws: list[RawTable]) -> FeedSummary:
        summary = FeedSummary(feed=feed.name, files=len(raws))
        accepted_parts: list[pa.Table] = []
        for raw in raws:
            if raw.ignored_headers:
                summary.warnings.append(f"{raw.path.name}: 忽略了无法识别的列 {', '.join(raw.ignored_headers)}")
            checked = validate(self.con, raw.table, feed, self.ctx, raw.missing_columns)
            summary.rows += raw.table.num_rows
            summary.quarantined += checked.quarantined.num_rows
            self._quarantine(feed, raw.path.name, checked.quarantined)
            accepted_parts.append(
                checked.accepted.append_column(
                    "_file", pa.repeat(pa.scalar(raw.path.name, pa.string()), checked.accepted.num_rows)
                )
            )
        accepted = pa.concat_tables(accepted_parts) if accepted_parts else None
        if accepted is not None and accepted.num_rows:
            if feed.store == "registry":
                counts = registry.apply_rows(
                    feed.name,
                    accepted.drop_columns(["_line", "_file"]).to_pylist(),
                    batch=self.batch,
                    arrival=self.arrival,
                )
                summary.accepted, summary.updated, summary.duplicates = (
                    counts.accepted,
                    counts.updated,
                    counts.duplicates,
                )
                self.registry_changed |= bool(counts.accepted or counts.updated)
                if feed.name == "projects":
                    self._load_known_projects()
            else:
                store = STORES.get(feed.store)
                if store is None:
                    raise IngestError(f"数据项 {feed.name}（{feed.label}）暂不支持导入")
                summary.accepted, summary.updated, summary.duplicates = store(self, feed, accepted)
        return summary

    def _quarantine(self, feed: Feed, file_name: str, bad: pa.Table) -> None:
        if not bad.num_rows:
            return
        county_of = dict(self.con.sql("SELECT project_code, region_code FROM known_projects").fetchall())
        rows = []
        for item in bad.to_pylist():
            raw = {c: item[c] for c in feed.names if item[c] not in (None, "")}
            row_key = crypto.pseudonym(json.dumps(raw, sort_keys=True, ensure_ascii=False))
            county = ""
            if feed.name == "projects" and item.get("region_code") in self.ctx.counties:
                county = item["region_code"]
            elif item.get("project_code") in county_of:
                county = county_of[item["project_code"]]
            rows.append(
                QuarantinedRow(
                    batch=self.batch,
                    feed=feed.name,
                    file_name=file_name,
                    line=item["_line"],
                    column=item["column"] or "",
                    reason=item["reason"],
                    raw_enc=crypto.encrypt(json.dumps(raw, ensure_ascii=False), associated=b"quarantine.raw") or "",
                    raw_masked=_mask_raw(feed, raw),
                    row_key=row_key or "",
                    county_code=county,
                )
            )
        # A row sent again is quarantined again in the summary but stored once.
        QuarantinedRow.objects.bulk_create(rows, batch_size=1000, ignore_conflicts=True)

    def finish(self, summaries: list[FeedSummary], files: list[str]) -> None:
        self.batch.status = BatchStatus.DONE
        self.batch.finished_at = dt.datetime.now()
        self.batch.files = files
        self.batch.summary = [s.contract() for s in summaries]
        self.batch.partitions = sorted(set(self.touched))
        self.batch.save()
        if self.registry_changed:
            from anxin.lake.registry_export import export_registry

            export_registry()
        record(
            self.user,
            AuditAction.INGEST,
            object_type="lake.Batch",
            object_id=str(self.batch.pk),
            detail={"files": files[:50], "summary": self.batch.summary},
        )
        self.con.close()

    def fail(self, error: str) -> None:
        self.batch.status = BatchStatus.FAILED
        self.batch.error = error
        self.batch.finished_at = dt.datetime.now()
        self.batch.save()
        self.con.close()


def _store_in_lake(ingestor: Ingestor, feed: Feed, accepted: pa.Table) -> tuple[int, int, int]:
    from anxin.lake.storage import store_events

    return store_events(ingestor.con, feed, accepted, ingestor.batch.pk, ingestor.touched)


#: Stores beyond the registry: feed.store -> function(ingestor, feed, accepted) -> (accepted, updated, duplicates).
STORES: dict[str, Callable[[Ingestor, Feed, pa.Table], tuple[int, int, int]]] = {"lake": _store_in_lake}


def ingest_paths(
    paths: Iterable[Path],
    *,
    user: User | None = None,
    source: BatchSource = BatchSource.CLI,
    progress: Callable[[str, int, int], None] | None = None,
) -> list[FeedSummary]:
    """Ingest files and folders as one batch, feeds in dependency order."""
    by_feed = collect_files(paths)
    if not by_feed:
        raise IngestError("没有找到可导入的数据文件")
    ordered = sorted(by_feed, key=lambda name: FEEDS[name].order)
    ingestor = Ingestor(source=source, user=user)
    summaries: list[FeedSummary] = []
    all_files = [str(p) for name in ordered for p in by_feed[name]]
    try:
        for i, name in enumerate(ordered):
            feed = FEEDS[name]
            if progress:
                progress(name, i, len(ordered))
            raws = []
            for path in by_feed[name]:
                try:
                    raws.append(read_feed_file(path, feed))
                except UnreadableFile as exc:
                    raise IngestError(f"{path.name}：{exc}") from exc
            summaries.append(ingestor.ingest_tables(feed, raws))
    except Exception as exc:
        ingestor.fail(str(exc))
        raise
    ingestor.finish(summaries, all_files)
    return summaries


def ingest_rows(feed_name: str, rows: list[dict[str, Any]], *, user: User | None) -> FeedSummary:
    """Ingest rows posted as JSON (one feed per request): the same path as files."""
    feed = FEEDS.get(feed_name)
    if feed is None:
        raise IngestError(f"未知的数据项：{feed_name}")
    columns: dict[str, list[str | None]] = {c: [] for c in feed.names}
    ignored: set[str] = set()
    from anxin.lake.feeds import canonical_column

    for row in rows:
        mapped = {}
        for header, value in row.items():
            name = canonical_column(feed, header)
            if name is None:
                ignored.add(header)
                continue
            mapped[name] = value
        for c in feed.names:
            value = mapped.get(c)
            if isinstance(value, bool):
                value = "true" if value else "false"
            columns[c].append(None if value is None else str(value))
    n = len(rows)
    table = pa.Table.from_arrays(
        [pa.array(columns[c], pa.string()) for c in feed.names]
        + [pa.array(range(1, n + 1), pa.int64()), pa.nulls(n, pa.string())],
        names=[*feed.names, "_line", "_xlsx_numeric"],
    )
    raw = RawTable(feed, Path("api.json"), table, "json", sorted(ignored), [])
    ingestor = Ingestor(source=BatchSource.API, user=user)
    try:
        summary = ingestor.ingest_tables(feed, [raw])
    except Exception as exc:
        ingestor.fail(str(exc))
        raise
    ingestor.finish([summary], ["api.json"])
    return summary
