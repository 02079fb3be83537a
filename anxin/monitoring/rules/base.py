"""What a rule is, and the helpers rules share.

A rule is a small object: its code, title and the article of law it rests on, the
subject it judges (a project or an enterprise), its default thresholds, and two Ibis
expressions over the tables of ``anxin.monitoring.schema``:

- ``find(ctx)``: one row per subject found, with ``subject_id``, ``severity``
  (``low``/``medium``/``high``), ``workers`` and ``amount_fen`` (null where they do not
  apply) and any number of ``ev_*`` scalar columns that become the evidence;
- ``details(ctx)`` (optional): rows that list *which* workers, periods, dates and sums,
  keyed by ``subject_id``; the run keeps the first rows by ``amount_fen`` (then the
  other columns) for the evidence.

A rule whose findings fall on both kinds of subject (LD01) adds a ``subject_type``
column right after ``amount_fen`` (in ``find`` and ``details``); where present it
overrides the class attribute row by row.

A rule reads its thresholds from ``ctx.params`` (the run passes the rule's ``defaults``
overlaid with the configured settings). A rule that reuses other rules' findings (PS01)
builds their contexts with ``ctx.for_rule(other)``, which uses ``ctx.rule_params`` (every
rule's configured settings, keyed by code) when the run provides it.

Ibis keeps each rule engine-neutral: the same expression runs on DuckDB (default) and
on PySpark, and a test proves both give the same findings. Ordering-sensitive steps
order by a unique key so both engines agree.
"""

from __future__ import annotations

import datetime as dt
import functools
from abc import ABC, abstractmethod
from collections.abc import Callable, Hashable, Mapping
from typing import Any, ClassVar

import ibis
import ibis.expr.types as ir

from anxin.core.calendar import SPRING_FESTIVAL

#: Days in a month of normal working time for monthly pay (劳社部发〔2008〕3号: 21.75), in hundredths.
MONTH_WORKING_DAYS_X100 = 2175


class Context:
    """What a rule sees: the date, the tables as of that date, and its thresholds.

    The run reuses a rule's expressions from one day to the next (building them costs more
    than running them on a day's rows): an expression that reads ``as_of`` in Python (a
    month's name, a festival window) is reused only on days with the same ``Rule.as_of_key``.
    Reading ``as_of`` is therefore noted in ``watch`` (the run's, shared by ``for_rule``);
    inside expressions, use ``day`` (a query parameter), which every day shares.
    """

    __slots__ = ("_as_of", "tables", "params", "rule_params", "keep", "watch")

    def __init__(
        self,
        as_of: dt.date,
        tables: Mapping[str, ir.Table],
        params: Mapping[str, Any] | None = None,
        rule_params: Mapping[str, Mapping[str, Any]] | None = None,
        keep: Callable[[str, Callable[[], ir.Table]], ir.Table] | None = None,
        watch: list[dt.date] | None = None,
    ) -> None:
        self._as_of = as_of
        self.tables = tables
        self.params: Mapping[str, Any] = params if params is not None else {}
        #: Every rule's configured settings by code (optional; for rules that reuse others).
        self.rule_params: Mapping[str, Mapping[str, Any]] = rule_params if rule_params is not None else {}
        #: Where the run keeps intermediate tables for the day (``kept``); None: nothing is kept.
        self.keep = keep
        #: Where reads of ``as_of`` are noted (None: not noted).
        self.watch = watch

    @property
    def as_of(self) -> dt.date:
        if self.watch is not None:
            self.watch.append(self._as_of)
        return self._as_of

    def __getitem__(self, name: str) -> ir.Table:
        return self.tables[name]

    def for_rule(self, rule: Rule) -> Context:
        """The context another rule would see on the same day: its defaults, then its settings."""
        params = {**rule.defaults, **self.rule_params.get(rule.code, {})}
        return Context(self._as_of, self.tables, params, self.rule_params, self.keep, self.watch)

    def kept(self, name: str, build: Callable[[], ir.Table]) -> ir.Table:
        """``build()``, computed once for the day and reused: a rule's ``find`` and ``details``
        (and rules that reuse another's findings) read the same heavy intermediate, e.g. the
        late worker-periods of WP02 over the whole ledger. The name is qualified by the
        rule's thresholds, so two settings never share a result. Without a run (tests that
        build a ``Context`` by hand) it is just ``build()``."""
        if self.keep is None:
            return build()
        qualified = name + "|" + repr(sorted(self.params.items()))
        return self.keep(qualified, build)

    @property
    def day(self) -> ir.DateScalar:
        """The as-of date inside expressions: a query parameter bound at execution
        (``Engine.execute(expr, as_of)``), so a rule compiles once and runs every day."""
        from anxin.monitoring.engine import AS_OF

        return AS_OF


class Rule(ABC):
    code: ClassVar[str]
    title: ClassVar[str]
    article: ClassVar[str]
    subject_type: ClassVar[str] = "project"
    #: Which contract-performance sub-score a finding deducts from (RULES.md), if any.
    family: ClassVar[str] = ""
    defaults: ClassVar[dict[str, Any]] = {}

    def as_of_key(self, as_of: dt.date) -> Hashable:
        """What of the as-of date the rule's expressions depend on, when they read ``ctx.as_of``
        in Python: expressions built on one day are reused on another with the same key. The
        date itself by default (never reused); a rule that only takes a month from it says so
        (a test builds every rule on days with equal keys and compares the expressions)."""
        return as_of

    @abstractmethod
    def find(self, ctx: Context) -> ir.Table:
        """One row per subject found (see the module docstring for the columns)."""

    def details(self, ctx: Context) -> ir.Table | None:
        return None


RULES: dict[str, Rule] = {}


def register(cls: type[Rule]) -> type[Rule]:
    """Add a rule to the catalog (one module per rule, imported by ``rules/__init__``)."""
    if cls.code in RULES:
        raise ValueError(f"rule {cls.code} registered twice")
    RULES[cls.code] = cls()
    return cls


def kept(name: str) -> Callable[[Callable[[Context], ir.Table]], Callable[[Context], ir.Table]]:
    """Keep a rule's intermediate ``f(ctx)`` for the day (``Context.kept``): for the table
    that both ``find`` and ``details`` start from, so the day's run computes it once."""

    def wrap(f: Callable[[Context], ir.Table]) -> Callable[[Context], ir.Table]:
        @functools.wraps(f)
        def wrapper(ctx: Context) -> ir.Table:
            return ctx.kept(name, lambda: f(ctx))

        return wrapper

    return wrap


def lit_date(day: dt.date) -> ir.DateScalar:
    return ibis.date(day.isoformat())


def amount_due(ledger: ir.Table) -> ir.IntegerColumn:
    """The wage due for a ledger row (RULES.md): the payroll's net amount; with no payroll
    line, days × rate for daily pay, rate × days ÷ 21.75 (at most the rate) for monthly
    pay, rounded to the fen; unknown (null) for piece work."""
    daily = ledger.days_attended * ledger.wage_rate_fen
    monthly_raw = (
        ledger.wage_rate_fen * ledger.days_attended * 100 + MONTH_WORKING_DAYS_X100 // 2
    ) // MONTH_WORKING_DAYS_X100
    monthly = ibis.least(monthly_raw, ledger.wage_rate_fen)
    estimated = ibis.cases(
        (ledger.wage_type == "daily", daily),
        (ledger.wage_type == "monthly", monthly),
        else_=ibis.null("int64"),
    )
    return ibis.coalesce(ledger.payroll_net_fen, estimated).cast("int64")


def ledger_periods(ledger: ir.Table) -> ir.Table:
    """The ledger summed by project, period and pay day: what the rules that judge whole
    project-periods (WP01, WP02, WP07, PD01, WA03, WA04) first look at, a few rows per project
    instead of one per worker. The due date depends only on the period and the pay day, so each
    row of it falls due on one day; each count and sum is over the worker-periods a rule would
    filter on its own (``schema.SCHEMAS["ledger_periods"]``). The daily state keeps it beside
    the ledger, part by part (``state.advance``), and the tests' contexts derive it the same way."""
    due = amount_due(ledger)
    t = ledger.mutate(_due=due)
    positive = t._due > 0
    unconfirmed = t.payroll_net_fen.notnull() & ~ibis.coalesce(t.payroll_confirmed, False)
    paid = t.paid_fen > 0

    def rows(condition: ir.BooleanValue) -> ir.IntegerScalar:
        return ibis.cases((condition, 1), else_=0).sum().cast("int64")

    return t.group_by(["project_code", "period", "pay_day"]).aggregate(
        rows_due=t._due.count().cast("int64"),
        due_fen=t._due.sum(),
        rows_due_positive=rows(positive),
        last_paid_full_on=t.paid_full_on.max(where=positive),
        rows_unpaid=rows(positive & t.paid_full_on.isnull() & (ibis.coalesce(t.paid_fen, 0) < t._due)),
        rows_owed=rows(t._due.notnull() & (t.paid_fen < t._due)),
        payroll_lines=t.payroll_net_fen.count().cast("int64"),
        payroll_unconfirmed=rows(unconfirmed),
        payroll_unconfirmed_fen=t.payroll_net_fen.sum(where=unconfirmed),
        rows_paid=rows(paid),
        paid_fen=t.paid_fen.sum(where=paid),
        paid_other_fen=ibis.coalesce(t.paid_other_fen, 0).sum(where=paid),
    )


def periods_due(ctx: Context, default_pay_day: int) -> ir.Table:
    """``ledger_periods`` with ``due_on`` and ``arrears_on`` of each row (by its pay day, else
    ``default_pay_day``), as ``with_due`` gives them to the worker-periods."""
    periods, dues = ctx["ledger_periods"], ctx["due_dates"]

    def build() -> ir.Table:
        t = periods.mutate(effective_pay_day=ibis.coalesce(periods.pay_day, ibis.literal(default_pay_day, "int64")))
        joined = t.join(dues, [t.period == dues.period, t.effective_pay_day == dues.pay_day], how="left")
        return joined.select(*periods.columns, due_on=dues.due_on, arrears_on=dues.arrears_on)

    return _shared((periods, dues), ("periods_due", default_pay_day), build)


#: Expressions that several rules build the same way (``with_due``, ``due_passed``), by the very
#: table objects they read (identity, not equality: equal names may be tables of another backend):
#: building an Ibis expression costs more than compiling it, and several rules share them.
_SHARED: dict[tuple[Any, ...], tuple[tuple[Any, ...], ir.Table]] = {}


def _shared(inputs: tuple[Any, ...], extra: tuple[Any, ...], build: Any) -> ir.Table:
    key = (*(id(i) for i in inputs), *extra)
    found = _SHARED.get(key)
    if found is not None and all(a is b for a, b in zip(found[0], inputs, strict=True)):
        return found[1]
    if len(_SHARED) > 256:
        _SHARED.clear()
    table = build()
    _SHARED[key] = (inputs, table)  # the inputs are kept alive, so their ids are not reused
    return table


def with_due(ctx: Context, default_pay_day: int) -> ir.Table:
    """The ledger with ``due_fen``, ``due_on`` and ``arrears_on`` for each worker-period."""
    ledger, dues = ctx["ledger"], ctx["due_dates"]
    return _shared((ledger, dues), ("with_due", default_pay_day), lambda: _with_due(ledger, dues, default_pay_day))


def with_due_of(ctx: Context, keys: ir.Table, on: list[str], default_pay_day: int) -> ir.Table:
    """``with_due`` for the ledger rows whose ``on`` columns match a row of ``keys`` (a small
    table a rule kept, e.g. the periods it found): the ledger is cut to them before anything
    else, so the engine reads only those rows (DuckDB prunes the period files by the keys'
    range) instead of the whole ledger with every column."""
    ledger = ctx["ledger"]
    return _with_due(ledger.semi_join(keys.select(*on).view(), on), ctx["due_dates"], default_pay_day)


def _with_due(ledger: ir.Table, dues: ir.Table, default_pay_day: int) -> ir.Table:
    ledger = ledger.mutate(
        due_fen=amount_due(ledger),
        effective_pay_day=ibis.coalesce(ledger.pay_day, ibis.literal(default_pay_day, "int64")),
    )
    joined = ledger.join(dues, [ledger.period == dues.period, ledger.effective_pay_day == dues.pay_day], how="left")
    return joined.select(*[c for c in ledger.columns], due_on=dues.due_on, arrears_on=dues.arrears_on)


def active_projects(ctx: Context) -> ir.Table:
    """Projects that are under construction on the day (status active, started, not completed)."""
    p = ctx["projects"]
    return p.filter(
        (p.status == "active")
        & (p.start_date <= ctx.day)
        & (p.actual_end_date.isnull() | (p.actual_end_date > ctx.day))
    )


# --- building findings ----------------------------------------------------------------------


def finding(
    table: ir.Table,
    *,
    subject_id: ir.Value,
    severity: ir.Value | str,
    workers: ir.Value | None = None,
    amount_fen: ir.Value | None = None,
    **evidence: ir.Value,
) -> ir.Table:
    """The contract of ``find``: ``subject_id``, ``severity``, ``workers``, ``amount_fen``,
    then the ``ev_*`` columns (named here without the prefix)."""
    return table.select(
        subject_id=subject_id.cast("string"),
        severity=ibis.literal(severity) if isinstance(severity, str) else severity,
        workers=ibis.null("int64") if workers is None else workers.cast("int64"),
        amount_fen=ibis.null("int64") if amount_fen is None else amount_fen.cast("int64"),
        **{f"ev_{name}": value for name, value in evidence.items()},
    )


def split_list(value: str | list[str]) -> list[str]:
    """A setting that lists names, written ``"a,b"`` (settings are scalars), as a list."""
    items = value.split(",") if isinstance(value, str) else value
    return [item.strip() for item in items if item.strip()]


def nothing(table: ir.Table) -> ir.Table:
    """``table`` with no rows (a rule that does not apply on the day keeps its columns)."""
    return table.filter(ibis.literal(False))


def is_blank(value: ir.StringValue) -> ir.BooleanValue:
    return value.isnull() | (value.strip() == "")


# --- dates and months -----------------------------------------------------------------------


def days_before(ctx: Context, days: int) -> ir.DateScalar:
    """The date ``days`` days before the day (``as_of - days``), relative to the as-of parameter
    so the rule's SQL stays the same from day to day (and compiles once)."""
    return ctx.day - ibis.interval(days=days)


def working_days_before(ctx: Context, n: int) -> ir.DateScalar:
    """The ``n``-th working day before the day, from the ``calendar`` table (调休 and overrides included)."""
    cal = ctx["calendar"]
    earlier = cal.filter(cal.is_working_day & (cal.day < ctx.day))
    ranked = earlier.mutate(_back=ibis.row_number().over(ibis.window(order_by=earlier.day.desc())))
    return ranked.filter(ranked._back == n - 1).day.max().as_scalar()


def spring_festival_season(ctx: Context, before_days: int, after_days: int) -> ir.BooleanValue:
    """Whether the day lies from ``before_days`` before to ``after_days`` after a Spring Festival
    (``core.calendar.in_spring_festival_season``), on the as-of parameter: the same expression
    every day, so rules that pause in the season are reused from day to day."""
    return ibis.or_(
        *(
            ctx.day.between(lit_date(f - dt.timedelta(days=before_days)), lit_date(f + dt.timedelta(days=after_days)))
            for f in SPRING_FESTIVAL.values()
        )
    )


def month_of(day: dt.date) -> str:
    return f"{day.year:04d}-{day.month:02d}"


def shift_month(month: str, n: int) -> str:
    """``month`` ('YYYY-MM') moved by ``n`` months."""
    index = int(month[:4]) * 12 + int(month[5:7]) - 1 + n
    return f"{index // 12:04d}-{index % 12 + 1:02d}"


def last_complete_month(as_of: dt.date) -> str:
    """The latest month that is over on ``as_of`` (a month is complete on its last day)."""
    month = month_of(as_of)
    return month if (as_of + dt.timedelta(days=1)).month != as_of.month else shift_month(month, -1)


def months_ending(month: str, n: int) -> list[str]:
    """The ``n`` months ending with ``month``, oldest first."""
    return [shift_month(month, k) for k in range(-n + 1, 1)]


def month_index(month: ir.StringValue) -> ir.IntegerValue:
    """A 'YYYY-MM' string as a month number (year × 12 + month − 1), for month arithmetic."""
    return month.substr(0, 4).cast("int64") * 12 + month.substr(5, 2).cast("int64") - 1


def month_number(month: str) -> int:
    return int(month[:4]) * 12 + int(month[5:7]) - 1


def month_first_day(month: str) -> dt.date:
    return dt.date(int(month[:4]), int(month[5:7]), 1)


def month_last_day(month: str) -> dt.date:
    return month_first_day(shift_month(month, 1)) - dt.timedelta(days=1)


# --- shared steps ---------------------------------------------------------------------------


def current_employments(ctx: Context) -> ir.Table:
    """Employments open on the day."""
    e = ctx["employments"]
    return e.filter((e.start_date <= ctx.day) & (e.end_date.isnull() | (e.end_date >= ctx.day)))


def due_passed(ctx: Context, default_pay_day: int) -> ir.Table:
    """Ledger rows (``with_due``) whose due date is before the day and whose amount due is known."""
    ledger = with_due(ctx, default_pay_day)
    return _shared(
        (ledger,),
        ("due_passed",),
        lambda: ledger.filter(ledger.due_on.notnull() & (ledger.due_on < ctx.day) & ledger.due_fen.notnull()),
    )


def latest_periods(project_periods: ir.Table, n: int) -> ir.Table:
    """Of a table with one row per (``project_code``, ``period``), each project's ``n`` latest periods."""
    ranked = project_periods.mutate(
        period_rank=ibis.row_number().over(group_by="project_code", order_by=ibis.desc("period"))
    )
    return ranked.filter(ranked.period_rank < n).drop("period_rank")
