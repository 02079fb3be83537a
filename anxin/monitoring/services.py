"""The daily run: state as of D−1 + events of D → state as of D → rules → findings.

``run_daily(D)`` reads only the state snapshot of D−1, the registry as it was on D and
the lake partitions dated D (plus late rows: rows of earlier dates that arrived in batches
after the last run); it never rescans history. It writes the state as of D as a new
snapshot (a folder renamed into place, then recorded in ``DailyRun``), so a crash leaves
D−1 intact and running D again gives the same findings.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import logging
import os
import shutil
import time
import uuid
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import ibis
import ibis.expr.types as ir
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq
from django.conf import settings
from django.db import transaction
from django.db.models import Max

from anxin.core.bulk import update_rows
from anxin.core.calendar import WorkingCalendar, default_calendar, first_arrears_date, pay_due_date
from anxin.core.crypto import person_ids
from anxin.core.models import CountyWageTier, Division, MinimumWage
from anxin.lake.models import Batch
from anxin.lake.registry_export import registry_dir
from anxin.lake.storage import LAYOUTS, ROW_GROUP_ROWS
from anxin.monitoring.engine import Engine, make_engine
from anxin.monitoring.models import DailyRun, Finding
from anxin.monitoring.params import params_for
from anxin.monitoring.rules import RULES, Context, Rule
from anxin.monitoring.schema import SCHEMAS
from anxin.monitoring.state import NewState, Snapshot, advance, months_before, read_tables

log = logging.getLogger(__name__)
EVENT_FEEDS = [
    "attendance",
    "payrolls",
    "wage_payments",
    "account_inflows",
    "social_insurance",
    "utilities",
    "lawsuits",
]
DETAIL_ROWS = 20


class DailyRunError(Exception):
    """The run cannot go ahead (one line, Chinese, for the operator)."""


@dataclass(frozen=True)
class DayStep:
    """A step that an app to the right of monitoring runs after each day's findings are stored.

    monitoring may not import ``warnings`` or ``evaluation`` (DESIGN.md, layers), yet the daily
    run must go on to risk, warnings and scores: those apps register a step here at start-up.
    ``run(day)`` reads the findings open on ``day`` and writes its own tables (idempotent: a day
    run twice gives the same result); ``rewind(day)`` forgets what it wrote for ``day`` and later
    (a backfill replays them) and raises ``DailyRunError`` when it may not (officials' work).
    """

    name: str
    run: Callable[[dt.date], Any]
    rewind: Callable[[dt.date], None]


DAY_STEPS: list[DayStep] = []


def register_day_step(step: DayStep) -> None:
    """Add (or replace, by name) a step; steps run in the order they were first registered."""
    for i, existing in enumerate(DAY_STEPS):
        if existing.name == step.name:
            DAY_STEPS[i] = step
            return
    DAY_STEPS.append(step)


def state_root() -> Path:
    return Path(settings.ANXIN_LAKE) / "_state"


def state_dir(day: dt.date) -> Path:
    return state_root() / f"as_of={day.isoformat()}"


# --- inputs -------------------------------------------------------------------------------
#: The registry mirror's files as read, by path: (the file's identity, its rows). A backfill
#: reads the registry every day and it seldom changes in between; a file replaced by an
#: ingest (``os.replace``: a new inode and mtime) is read again.
_REGISTRY_FILES: dict[Path, tuple[tuple[int, int, int], pa.Table]] = {}


def _registry_file(engine: Engine, path: Path) -> pa.Table:
    stat = path.stat()
    identity = (stat.st_ino, stat.st_mtime_ns, stat.st_size)
    cached = _REGISTRY_FILES.get(path)
    if cached is not None and cached[0] == identity:
        engine.reads.append(str(path))
        return cached[1]
    names = pq.read_schema(path).names
    if "person_id" in names:  # the rules join people on the pseudonym's id: its hex is not read
        table = engine.read_arrow_file(path, [n for n in names if n != "person_key"])
    else:  # a mirror written before it carried the id
        table = engine.read_arrow_file(path)
        if "person_key" in names:
            table = table.append_column("person_id", person_ids(table["person_key"]))
    _REGISTRY_FILES[path] = (identity, table)
    return table


def registry_as_of(engine: Engine, day: dt.date) -> dict[str, ir.Table]:
    """The registry as it was on ``day`` (versions valid then), from the lake's mirror."""
    out = {}
    for name in ("projects", "enterprises", "employments", "people"):
        path = registry_dir() / f"{name}.parquet"
        schema = SCHEMAS[name]
        if path.exists():
            out[name] = engine.valid_on(_registry_file(engine, path), schema, day, f"registry_{name}")
        else:
            out[name] = engine.table(schema.empty_table(), f"registry_{name}")
    return out


def _is_month_end(day: dt.date) -> bool:
    return (day + dt.timedelta(days=1)).day == 1


#: Feeds whose late corrections are taken back out of the state's sums: a row re-sent with
#: changed values (same key) replaces the stored one in the lake, and a run that had already
#: counted the old version must not count the key twice. Its old version comes as
#: ``retracted_<feed>`` among the events. (The other feeds are merged by key, newest wins.)
RETRACTED_FEEDS = ("attendance", "wage_payments", "account_inflows")
RETRACTED = "retracted_"


def day_events(
    engine: Engine, day: dt.date, watermark: int, previous_day_known: bool
) -> tuple[dict[str, pa.Table], int]:
    """Events dated ``day`` and late rows (dated earlier, in batches newer than ``watermark``),
    and ``retracted_<feed>``: earlier versions, already folded (batch ≤ ``watermark``), of rows
    those late batches replaced."""
    events: dict[str, pa.Table] = {}
    for feed in EVENT_FEEDS:
        if LAYOUTS[feed].part == "month" and not _is_month_end(day):
            events[feed] = engine.partition(feed, "0000-00")  # an empty table of the right schema
        else:
            events[feed] = engine.day_events(feed, day)
    late = 0
    partitions: set[str] = set()
    for batch_partitions in Batch.objects.filter(pk__gt=watermark, status="done").values_list("partitions", flat=True):
        partitions.update(batch_partitions or [])
    today = day.isoformat()
    this_month = day.strftime("%Y-%m")
    for partition in sorted(partitions):
        feed, _, spec = partition.partition("/")
        kind, _, value = spec.partition("=")
        if feed not in events:
            continue
        # Month partitions of the current month are the day's own events on its last day.
        earlier = value < today if kind == "day" else value < this_month
        if not earlier:
            continue
        rows = engine.partition(feed, value)
        rows = rows.filter(pc.greater(rows["_batch"], pa.scalar(watermark, pa.int64())))
        if rows.num_rows:
            late += rows.num_rows
            events[feed] = pa.concat_tables([events[feed], rows])
        if feed in RETRACTED_FEEDS:
            taken_back = engine.replaced_rows(feed, value, watermark)
            if taken_back.num_rows:
                key = f"{RETRACTED}{feed}"
                events[key] = pa.concat_tables([events[key], taken_back]) if key in events else taken_back
    for feed in RETRACTED_FEEDS:
        events.setdefault(f"{RETRACTED}{feed}", events[feed].schema.empty_table())
    if late and previous_day_known:
        log.warning("daily run %s: %d late rows folded in", day, late)
    return events, late


def calendar_tables(engine: Engine, day: dt.date, grace: int) -> dict[str, ir.Table]:
    cal: WorkingCalendar = default_calendar()
    start = dt.date(day.year - 2, 1, 1)
    end = day + dt.timedelta(days=90)
    days = [(d, working) for year in range(start.year, end.year + 1) for d, working in _year_days(cal, year)]
    days = [(d, working) for d, working in days if start <= d <= end]
    calendar = pa.table(
        {"day": [d for d, _ in days], "is_working_day": [w for _, w in days]}, schema=SCHEMAS["calendar"]
    )
    rows = []
    first = months_before(day, 16)
    year, month = int(first[:4]), int(first[5:])
    while (year, month) <= (day.year, day.month):
        rows.extend(_period_dues(cal, f"{year:04d}-{month:02d}", grace))
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    dues = pa.table(
        {
            "period": [r[0] for r in rows],
            "pay_day": [r[1] for r in rows],
            "due_on": [r[2] for r in rows],
            "arrears_on": [r[3] for r in rows],
        },
        schema=SCHEMAS["due_dates"],
    )
    return {"calendar": engine.table(calendar, "ctx_calendar"), "due_dates": engine.table(dues, "ctx_due_dates")}


#: Calendar facts computed once per calendar object (a backfill asks for the same years and
#: periods every day): key → (the calendar, so its id is not reused; the rows).
_CALENDAR_MEMO: dict[tuple[Any, ...], tuple[WorkingCalendar, list[Any]]] = {}


def _memo(cal: WorkingCalendar, key: tuple[Any, ...], compute: Callable[[], list[Any]]) -> list[Any]:
    found = _CALENDAR_MEMO.get((id(cal), *key))
    if found is not None and found[0] is cal:
        return found[1]
    if len(_CALENDAR_MEMO) > 4096:
        _CALENDAR_MEMO.clear()
    rows = compute()
    _CALENDAR_MEMO[(id(cal), *key)] = (cal, rows)
    return rows


def _year_days(cal: WorkingCalendar, year: int) -> list[tuple[dt.date, bool]]:
    """Every day of ``year`` with whether it is a working day (none for a year nobody declared)."""

    def compute() -> list[tuple[dt.date, bool]]:
        if not cal.knows_year(year):
            return []
        return list(cal.days(dt.date(year, 1, 1), dt.date(year, 12, 31)))

    return _memo(cal, ("year", year), compute)


def _period_dues(cal: WorkingCalendar, period: str, grace: int) -> list[tuple[str, int, dt.date, dt.date]]:
    """(period, pay day, due date, first day in arrears) for each pay day of the period."""

    def compute() -> list[tuple[str, int, dt.date, dt.date]]:
        rows = []
        for pay_day in range(1, 32):
            try:
                due = pay_due_date(period, pay_day, cal)
                rows.append((period, pay_day, due, first_arrears_date(due, grace, cal)))
            except LookupError:
                continue  # a calendar year nobody declared: those periods cannot be judged
        return rows

    return _memo(cal, ("dues", period, grace), compute)


def min_wage_table(engine: Engine, day: dt.date) -> ir.Table:
    """Each county's monthly minimum wage in force on ``day`` and whether its tier is confirmed."""
    wages: dict[int, tuple[int, bool]] = {}
    for w in MinimumWage.objects.filter(effective_from__lte=day).order_by("effective_from"):
        wages[w.tier] = (w.monthly_fen, w.confirmed)
    tiers: dict[str, tuple[int, bool]] = {}
    for t in CountyWageTier.objects.filter(effective_from__lte=day).order_by("effective_from"):
        tiers[t.division_id] = (t.tier, t.confirmed)
    rows = [
        (code, wages[tier][0], confirmed and wages[tier][1])
        for code, (tier, confirmed) in sorted(tiers.items())
        if tier in wages
    ]
    table = pa.table(
        {"region_code": [r[0] for r in rows], "monthly_fen": [r[1] for r in rows], "confirmed": [r[2] for r in rows]},
        schema=SCHEMAS["min_wages"],
    )
    return engine.table(table, "ctx_min_wages")


def lead_cases_table(engine: Engine, day: dt.date) -> ir.Table:
    """Complaint cases by subject, received up to ``day`` (LD01), from the leads app."""
    from anxin.leads.models import Lead

    # One row per case and subject, dated by the case's latest lead received by the day: LD01
    # counts cases (merged leads once), and a case is recent while any of its leads is.
    latest: dict[int, dt.date] = {}
    until = dt.datetime.combine(day + dt.timedelta(days=1), dt.time.min)
    since = dt.datetime.combine(day - dt.timedelta(days=120), dt.time.min)
    for case_id, received_at in Lead.objects.filter(received_at__gte=since, received_at__lt=until).values_list(
        "case_id", "received_at"
    ):
        latest[case_id] = max(latest.get(case_id, received_at.date()), received_at.date())
    rows: list[dict[str, Any]] = []
    from anxin.leads.models import Case

    for case in Case.objects.filter(pk__in=list(latest)).only(
        "pk", "case_no", "project_code", "target_uscc", "workers_involved"
    ):
        for subject_type, subject_id in (("project", case.project_code), ("enterprise", case.target_uscc)):
            if subject_id:
                rows.append(
                    {
                        "case_no": case.case_no,
                        "subject_type": subject_type,
                        "subject_id": subject_id,
                        "received_on": latest[case.pk],
                        "workers": case.workers_involved,
                    }
                )
    rows.sort(key=lambda r: (r["subject_type"], r["subject_id"], r["case_no"]))
    return engine.table(pa.Table.from_pylist(rows, schema=SCHEMAS["lead_cases"]), "ctx_lead_cases")


# --- rules --------------------------------------------------------------------------------
@dataclass
class FoundRow:
    rule: str
    subject_type: str
    subject_id: str
    severity: str
    workers: int | None
    amount_fen: int | None
    evidence: dict[str, Any]


def _jsonable(value: Any) -> Any:
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, float):
        return round(value, 4)
    return value


def _json_rows(table: pa.Table) -> list[dict[str, Any]]:
    """``to_pylist`` with every value as ``_jsonable`` makes it: dates as ISO text (cast in Arrow,
    a column at a time: a province day has ~30,000 detail rows), floats rounded."""
    columns = []
    for column, field_ in zip(table.columns, table.schema, strict=True):
        if pa.types.is_date(field_.type):
            column = column.cast(pa.string())
        elif pa.types.is_floating(field_.type):
            column = pa.array([None if v is None else round(v, 4) for v in column.to_pylist()], pa.float64())
        elif not (
            pa.types.is_integer(field_.type) or pa.types.is_string(field_.type) or pa.types.is_boolean(field_.type)
        ):
            column = pa.array([_jsonable(v) for v in column.to_pylist()])
        columns.append(column)
    return pa.Table.from_arrays(columns, names=table.column_names).to_pylist()


#: Rules that read the day's other findings (``run_findings``) and so run last.
AFTER_OTHERS = ("PS01",)


def first_details(details: ir.Table) -> ir.Table:
    """A rule's detail rows cut to the first ``DETAIL_ROWS`` of each subject, in the engine: the
    largest ``amount_fen`` first, then by every column (a total order, so both engines pick
    the same rows), with ``_n`` (the rank) and ``_count`` (the subject's rows in all). A
    province day has hundreds of thousands of detail rows; only these reach Python."""
    others = [c for c in details.columns if c not in ("subject_id", "amount_fen")]
    order = [ibis.coalesce(details.amount_fen, 0).desc()] if "amount_fen" in details.columns else []
    order += [details[c].asc(nulls_first=True) for c in sorted(others)]
    ranked = details.mutate(
        _n=ibis.row_number().over(ibis.window(group_by=details.subject_id, order_by=order)),
        _count=details.count().over(ibis.window(group_by=details.subject_id)),
    )
    kept = ranked.filter(ranked._n < DETAIL_ROWS)
    return kept.order_by([kept.subject_id, kept._n])


@dataclass
class Built:
    """An expression a day's run built, for the next days to reuse: building a rule's Ibis
    expressions costs more than running them on a day's rows. It holds on another day with the
    same inputs (tables, every rule's settings) if building it read nothing of the date in
    Python (``Context.as_of``), or the rule's ``as_of_key`` of both days is the same."""

    expr: Any
    #: The kept intermediates (``Context.kept``) it reads, in the order they were built.
    kept: list[str]
    read_date: bool
    rule: Rule
    key: Any

    def holds_on(self, day: dt.date) -> bool:
        return not self.read_date or self.rule.as_of_key(day) == self.key


#: Expressions kept per engine (``Engine.built``) at most; beyond it the cache starts again.
BUILT_LIMIT = 2000


class RulePlans:
    """A day's rule expressions: built, or reused from an earlier day (``Built``), and the kept
    intermediates they read, run once for the day in the order they were built."""

    def __init__(self, engine: Engine, day: dt.date, all_params: dict[str, dict[str, Any]]) -> None:
        self.engine, self.day = engine, day
        self.built: dict[tuple[Any, ...], Built] = engine.built
        if len(self.built) > BUILT_LIMIT:
            self.built.clear()
        self.settings = repr(sorted((code, sorted(p.items())) for code, p in all_params.items()))
        self.kept: dict[str, ir.Table] = {}
        self.watch: list[dt.date] = []
        self._frames: list[list[str]] = []
        self._rule: Rule | None = None
        self._inputs: Any = None

    def context(self, rule: Rule, tables: dict[str, ir.Table], params: dict[str, Any], all_params: Any) -> Context:
        self._rule = rule
        self._inputs = (tuple(sorted((name, t.op()) for name, t in tables.items())), self.settings)
        return Context(self.day, tables, params, all_params, self.keep, self.watch)

    def expression(self, kind: str, build: Callable[..., Any], *args: Any) -> Any:
        """The rule's ``kind`` expression (``find``, ``details``): ``build(*args)``, or the one
        an earlier day built if it holds."""
        assert self._rule is not None
        key = (kind, self._rule.code, self._inputs)
        found = self.built.get(key)
        if found is not None and found.holds_on(self.day) and all(self._ensure(k) for k in found.kept):
            return found.expr
        expr, kept, read_date = self._tracked(lambda: build(*args))
        self.built[key] = Built(expr, kept, read_date, self._rule, self._rule.as_of_key(self.day))
        return expr

    def keep(self, qualified: str, build: Callable[[], ir.Table]) -> ir.Table:
        """``Context.keep``: run the intermediate once for the day and register its rows as a
        table (a stable name per intermediate, so the queries over it compile once)."""
        if self._frames:
            self._frames[-1].append(qualified)
        if qualified not in self.kept:
            assert self._rule is not None
            expr, inner, read_date = self._tracked(build)
            self.built[("kept", qualified, self._inputs)] = Built(
                expr, inner, read_date, self._rule, self._rule.as_of_key(self.day)
            )
            self._run_kept(qualified, expr)
        return self.kept[qualified]

    def _tracked(self, build: Callable[[], Any]) -> tuple[Any, list[str], bool]:
        self._frames.append([])
        reads = len(self.watch)
        try:
            expr = build()
        finally:
            kept = self._frames.pop()
        return expr, kept, len(self.watch) > reads

    def _ensure(self, qualified: str) -> bool:
        """Run a kept intermediate for the day from its expression of an earlier day, if it holds."""
        if qualified in self.kept:
            return True
        found = self.built.get(("kept", qualified, self._inputs))
        if found is None or not found.holds_on(self.day) or not all(self._ensure(k) for k in found.kept):
            return False
        self._run_kept(qualified, found.expr)
        return True

    def _run_kept(self, qualified: str, expr: ir.Table) -> None:
        name = "kept_" + hashlib.sha1(qualified.encode()).hexdigest()[:12]
        self.kept[qualified] = self.engine.materialise(expr, self.day, name)


def _first_details_of(rule: Rule, ctx: Context) -> ir.Table | None:
    details = rule.details(ctx)
    return None if details is None else first_details(details)


def evaluate_rules(
    engine: Engine,
    ctx_tables: dict[str, ir.Table],
    day: dt.date,
    codes: list[str] | None = None,
    timings: dict[str, float] | None = None,
) -> list[FoundRow]:
    found: list[FoundRow] = []
    ordered = sorted(codes or RULES, key=lambda c: (c in AFTER_OTHERS, c))
    all_params = {code: params_for(code) for code in RULES}
    plans = RulePlans(engine, day, all_params)

    for code in ordered:
        started = time.perf_counter()
        rule = RULES[code]
        if code in AFTER_OTHERS:
            so_far = pa.table(
                {"rule": [f.rule for f in found], "subject_id": [f.subject_id for f in found]},
                schema=pa.schema([("rule", pa.string()), ("subject_id", pa.string())]),
            )
            ctx_tables = {**ctx_tables, "run_findings": engine.table(so_far, "ctx_run_findings")}
        ctx = plans.context(rule, ctx_tables, all_params[code], all_params)
        rows = engine.execute(plans.expression("find", rule.find, ctx), day).to_pylist()
        if not rows:
            if timings is not None:
                timings[f"rule {code}"] = time.perf_counter() - started
            continue
        details: dict[str, list[dict[str, Any]]] = {}
        counts: dict[str, int] = {}
        detail_expr = plans.expression("details", _first_details_of, rule, ctx)
        if detail_expr is not None:
            for item in _json_rows(engine.execute(detail_expr, day)):
                counts[item["subject_id"]] = item.pop("_count")
                del item["_n"]
                details.setdefault(item["subject_id"], []).append(item)
        for row in rows:
            evidence: dict[str, Any] = {"title": rule.title, "article": rule.article}
            evidence.update({k[3:]: _jsonable(v) for k, v in row.items() if k.startswith("ev_")})
            items = details.get(row["subject_id"], [])
            if items:
                evidence["count_details"] = counts[row["subject_id"]]
                evidence["details"] = [{k: v for k, v in r.items() if k != "subject_id"} for r in items]
            found.append(
                FoundRow(
                    rule=code,
                    subject_type=row.get("subject_type") or rule.subject_type,
                    subject_id=row["subject_id"],
                    severity=row["severity"],
                    workers=row.get("workers"),
                    amount_fen=row.get("amount_fen"),
                    evidence=evidence,
                )
            )
        if timings is not None:
            timings[f"rule {code}"] = time.perf_counter() - started
    return found


def rule_context(
    engine: Engine,
    day: dt.date,
    state: dict[str, ir.Table],
    events: dict[str, pa.Table],
    registry: dict[str, ir.Table] | None = None,
) -> dict[str, ir.Table]:
    """The tables the rules read on ``day``: the state as of the day (``read_state``), the registry
    (read again unless given), the day's attendance, leads, minimum wages and the calendar."""
    tables: dict[str, ir.Table] = dict(registry or registry_as_of(engine, day))
    tables.update(state)
    att = events["attendance"]
    tables["attendance_today"] = engine.table(
        att.select(SCHEMAS["attendance_today"].names).cast(SCHEMAS["attendance_today"]), "ctx_attendance_today"
    )
    tables["lead_cases"] = lead_cases_table(engine, day)
    tables["min_wages"] = min_wage_table(engine, day)
    tables.update(calendar_tables(engine, day, params_for("WP01")["grace_working_days"]))
    return tables


# --- the run ------------------------------------------------------------------------------
def read_state(engine: Engine, day: dt.date, log: bool = True) -> dict[str, ir.Table]:
    """The state snapshot of ``day``, every table read in place."""
    return read_tables(engine, Snapshot(state_dir(day)), "ctx", log=log)


def new_state_folder(day: dt.date) -> Path:
    """An empty folder for the snapshot of ``day`` while it is written (``write_state`` renames it
    into place; one left by a crash is removed by ``prune_states``)."""
    root = state_root()
    root.mkdir(parents=True, exist_ok=True)
    tmp = root / f".tmp-{day.isoformat()}-{uuid.uuid4().hex}"
    tmp.mkdir()
    return tmp


def write_state(day: dt.date, state: NewState) -> None:
    """Finish the snapshot in its folder and rename it into place (atomic): the rows still in
    memory are written, files kept from the day before are hard links (no copy: a day adds only
    the parts it rewrote). The engine wrote the rest there already."""
    tmp = state.folder
    # Files written side by side (Arrow encodes and compresses outside the GIL). In row groups of
    # DuckDB's size, so the next day reads a part with every thread (a row group is read by one).
    largest_first = sorted(state.tables.items(), key=lambda item: -item[1].num_rows)
    with ThreadPoolExecutor(max_workers=settings.ANXIN_ENGINE_THREADS or os.cpu_count() or 1) as pool:
        written = [
            pool.submit(
                pq.write_table, table, tmp / f"{stem}.parquet", compression="zstd", row_group_size=ROW_GROUP_ROWS
            )
            for stem, table in largest_first
        ]
        for future in written:
            future.result()
    for stem, path in state.carried.items():
        try:
            os.link(path, tmp / f"{stem}.parquet")
        except OSError:  # a file system without hard links
            shutil.copy2(path, tmp / f"{stem}.parquet")
    root = state_root()
    target = state_dir(day)
    if target.exists():
        old = root / f".old-{uuid.uuid4().hex}"
        target.rename(old)
        tmp.rename(target)
        shutil.rmtree(old, ignore_errors=True)
    else:
        tmp.rename(target)


@dataclass
class RunResult:
    as_of: dt.date
    seconds: float
    findings: int
    opened: int
    closed: int
    late_rows: int
    reads: list[str]
    #: What each day step reported (``DayStep.name`` → its return value).
    steps: dict[str, Any] = field(default_factory=dict)
    #: Seconds per stage (reading state, events, each state table, each rule, each day step…).
    timings: dict[str, float] = field(default_factory=dict)


def run_daily(day: dt.date, *, engine_name: str | None = None) -> RunResult:
    started = time.perf_counter()
    previous_day = day - dt.timedelta(days=1)
    previous = DailyRun.objects.filter(as_of=previous_day).first()
    if previous is None and DailyRun.objects.filter(as_of__lt=day).exists():
        last = DailyRun.objects.filter(as_of__lt=day).order_by("-as_of").first()
        assert last is not None
        raise DailyRunError(
            f"缺少 {previous_day} 的监测状态（最近一次为 {last.as_of}）：请先运行 anxin backfill --from {last.as_of + dt.timedelta(days=1)} --to {previous_day}"
        )
    engine = make_engine(engine_name)
    timings: dict[str, float] = {}
    clock = [time.perf_counter()]

    def lap(stage: str) -> None:
        now = time.perf_counter()
        timings[stage] = timings.get(stage, 0.0) + now - clock[0]
        clock[0] = now

    try:
        watermark_now = Batch.objects.filter(status="done").aggregate(m=Max("pk"))["m"] or 0
        events, late = day_events(engine, day, previous.watermark if previous else 0, previous is not None)
        lap("read events")
        registry = registry_as_of(engine, day)
        lap("registry")
        # The state of D−1 is read in place by advance (only the parts the day touches).
        new_state = advance(
            engine,
            Snapshot(state_dir(previous_day) if previous else None),
            events,
            registry,
            day,
            new_state_folder(day),
            timings=timings,
        )
        clock[0] = time.perf_counter()
        write_state(day, new_state)
        lap("write state")
        reads = list(engine.reads)
        # The rules read the state as of D from the snapshot just written (the run's output, not an input).
        ctx_tables = rule_context(engine, day, read_state(engine, day, log=False), events, registry)
        lap("rule context")
        found = evaluate_rules(engine, ctx_tables, day, timings=timings)
        clock[0] = time.perf_counter()
    finally:
        engine.close()
    opened, closed = store_findings(day, found)
    lap("store findings")
    steps = {}
    for step in DAY_STEPS:
        steps[step.name] = step.run(day)
        lap(f"step {step.name}")
    seconds = time.perf_counter() - started
    DailyRun.objects.update_or_create(
        as_of=day,
        defaults={
            "engine": engine.name,
            "watermark": watermark_now,
            "seconds": seconds,
            "findings_open": len(found),
            "late_rows": late,
            "reads": reads,
            "started_at": dt.datetime.now(),
        },
    )
    prune_states(day)
    lap("record run, prune")
    return RunResult(day, seconds, len(found), opened, closed, late, reads, steps, timings)


def _region_of(found: list[FoundRow]) -> dict[tuple[str, str], str]:
    from anxin.registry.models import Enterprise, Project

    project_ids = {f.subject_id for f in found if f.subject_type == "project"}
    enterprise_ids = {f.subject_id for f in found if f.subject_type == "enterprise"}
    out: dict[tuple[str, str], str] = {}
    for code, region in (
        Project.objects.current().filter(project_code__in=project_ids).values_list("project_code", "region_code")
    ):
        out[("project", code)] = region
    counties = set(Division.objects.filter(level="county").values_list("code", flat=True))
    for uscc, region in Enterprise.objects.current().filter(uscc__in=enterprise_ids).values_list("uscc", "region_code"):
        out[("enterprise", uscc)] = region if region in counties else ""
    return out


#: Rows per statement when findings are updated by primary key (under SQLite's 999 variables).
UPDATE_CHUNK = 900


@transaction.atomic
def store_findings(day: dt.date, found: list[FoundRow]) -> tuple[int, int]:
    """Open new findings, refresh the ones that still hold, close the ones that stopped.

    Most findings hold day after day unchanged: those get one set-based update of
    ``last_seen_on``; only the ones whose severity, counts or evidence moved are rewritten,
    by one prepared statement (``core.bulk.update_rows``; Django's ``bulk_update`` took 15 s
    for the province's 12,000 findings)."""
    open_now = {
        (rule, kind, sid): (pk, (severity, workers, amount, evidence))
        for pk, rule, kind, sid, severity, workers, amount, evidence in Finding.objects.filter(
            closed_on__isnull=True, opened_on__lte=day
        ).values_list("pk", "rule", "subject_type", "subject_id", "severity", "workers", "amount_fen", "evidence")
    }
    seen = set()
    new_rows: list[FoundRow] = []
    unchanged: list[int] = []
    changed: list[tuple[int, FoundRow]] = []
    for f in found:
        key = (f.rule, f.subject_type, f.subject_id)
        seen.add(key)
        existing = open_now.get(key)
        if existing is None:
            new_rows.append(f)
        elif existing[1] == (f.severity, f.workers, f.amount_fen, f.evidence):
            unchanged.append(existing[0])
        else:
            changed.append((existing[0], f))
    regions = _region_of(new_rows)
    Finding.objects.bulk_create(
        [
            Finding(
                rule=f.rule,
                subject_type=f.subject_type,
                subject_id=f.subject_id,
                region_code=regions.get((f.subject_type, f.subject_id), ""),
                opened_on=day,
                last_seen_on=day,
                severity=f.severity,
                workers=f.workers,
                amount_fen=f.amount_fen,
                evidence=f.evidence,
            )
            for f in new_rows
        ],
        batch_size=1000,
    )
    for i in range(0, len(unchanged), UPDATE_CHUNK):
        Finding.objects.filter(pk__in=unchanged[i : i + UPDATE_CHUNK]).update(last_seen_on=day)
    update_rows(
        Finding,
        ["last_seen_on", "severity", "workers", "amount_fen", "evidence"],
        ((pk, (day, f.severity, f.workers, f.amount_fen, f.evidence)) for pk, f in changed),
    )
    stale = [pk for key, (pk, _) in open_now.items() if key not in seen]
    for i in range(0, len(stale), UPDATE_CHUNK):
        Finding.objects.filter(pk__in=stale[i : i + UPDATE_CHUNK]).update(closed_on=day)
    return len(new_rows), len(stale)


def prune_states(day: dt.date) -> None:
    """Keep the newest ``ANXIN_STATE_KEEP_DAYS`` snapshots; the older ones are not needed to go on."""
    root = state_root()
    if not root.exists():
        return
    keep_from = (day - dt.timedelta(days=settings.ANXIN_STATE_KEEP_DAYS - 1)).isoformat()
    for folder in root.iterdir():
        if (
            folder.name.startswith("as_of=")
            and folder.name[6:] < keep_from
            or folder.name.startswith(".tmp-")
            or folder.name.startswith(".old-")
        ):
            shutil.rmtree(folder, ignore_errors=True)


@transaction.atomic
def rewind_to(day: dt.date) -> None:
    """Forget runs from ``day`` on (a backfill replays them): their findings and state,
    and what the registered day steps derived from them (last step first)."""
    for step in reversed(DAY_STEPS):
        step.rewind(day)
    Finding.objects.filter(opened_on__gte=day).delete()
    Finding.objects.filter(closed_on__gte=day).update(closed_on=None)
    for run in DailyRun.objects.filter(as_of__gte=day):
        shutil.rmtree(state_dir(run.as_of), ignore_errors=True)
    DailyRun.objects.filter(as_of__gte=day).delete()


def backfill(
    start: dt.date, end: dt.date, *, engine_name: str | None = None, progress: Callable[[RunResult], None] | None = None
) -> list[RunResult]:
    if end < start:
        raise DailyRunError("结束日期早于开始日期")
    previous = start - dt.timedelta(days=1)
    if DailyRun.objects.filter(as_of__lt=start).exists() and not DailyRun.objects.filter(as_of=previous).exists():
        raise DailyRunError(f"缺少 {previous} 的监测状态：回放须从上一次运行的次日开始，或从最早日期开始")
    if not state_dir(previous).exists() and DailyRun.objects.filter(as_of=previous).exists():
        raise DailyRunError(f"{previous} 的状态快照已按保留期删除：请从更早的日期回放")
    rewind_to(start)
    results = []
    day = start
    while day <= end:
        result = run_daily(day, engine_name=engine_name)
        results.append(result)
        if progress:
            progress(result)
        day += dt.timedelta(days=1)
    return results


def findings_open_on(day: dt.date) -> Any:
    return Finding.objects.open_on(day).order_by("subject_type", "subject_id", "rule")


FINDINGS_HEADER = ["subject_type", "subject_id", "rule", "opened_on", "severity", "workers", "amount_fen", "evidence"]


def export_findings(path: Path, as_of: dt.date | None = None) -> int:
    from anxin.core.registries import write_contract_csv

    assert as_of is not None
    rows = (
        [
            f.subject_type,
            f.subject_id,
            f.rule,
            f.opened_on.isoformat(),
            f.severity,
            "" if f.workers is None else f.workers,
            "" if f.amount_fen is None else f.amount_fen,
            json.dumps(f.evidence, ensure_ascii=False, sort_keys=True),
        ]
        for f in findings_open_on(as_of).iterator()
    )
    return write_contract_csv(path, FINDINGS_HEADER, rows)
