"""The engine's caches: compiled SQL on disk keyed by the expression's structure."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import ibis
import pyarrow as pa
import pytest

from anxin.monitoring.engine import AS_OF, DuckDBEngine, fingerprint
from anxin.monitoring.params import params_for
from anxin.monitoring.rules import RULES, Context, Rule
from anxin.monitoring.rules.base import kept
from anxin.monitoring.schema import SCHEMAS


def rule_expr(code: str, **params: Any) -> ibis.Table:
    tables = {n: ibis.table(ibis.schema(s), name=f"ctx_{n}") for n, s in SCHEMAS.items()}
    ctx = Context(as_of=dt.date(2026, 1, 20), tables=tables, params={**params_for(code), **params})
    return RULES[code].find(ctx)


def test_the_fingerprint_is_the_structure_of_the_expression() -> None:
    assert fingerprint(rule_expr("WP01").op()) == fingerprint(rule_expr("WP01").op())
    assert fingerprint(rule_expr("WP01").op()) != fingerprint(rule_expr("WP01", default_pay_day=30).op())
    assert fingerprint(rule_expr("WP01").op()) != fingerprint(rule_expr("WP02").op())


def test_a_new_engine_reuses_sql_compiled_by_an_earlier_one(settings: Any, tmp_path: Path) -> None:
    settings.VAR_DIR = tmp_path
    t = ibis.table({"d": "date", "n": "int64"}, name="cache_t")
    expr = t.filter(t.d <= AS_OF).aggregate(total=t.n.sum())
    data = pa.table({"d": [dt.date(2026, 1, 1), dt.date(2026, 1, 3)], "n": [1, 2]})
    first = DuckDBEngine()
    first.table(data, "cache_t")
    assert first.execute(expr, dt.date(2026, 1, 2))["total"].to_pylist() == [1]
    assert len(list((tmp_path / "cache" / "daily-sql").glob("*.sql"))) == 1
    second = DuckDBEngine()
    second.table(data, "cache_t")

    def no_compile(*args: Any, **kwargs: Any) -> None:
        raise AssertionError("compiled again")

    second.backend.compile = no_compile  # type: ignore[method-assign]
    assert second.execute(expr, dt.date(2026, 1, 3))["total"].to_pylist() == [3]
    with pytest.raises(AssertionError):
        second.execute(t.aggregate(total=t.n.max()))


def test_a_name_can_go_from_files_to_arrow_and_back(tmp_path: Path) -> None:
    import pyarrow.parquet as pq

    engine = DuckDBEngine()
    schema = pa.schema([("n", pa.int64())])
    pq.write_table(pa.table({"n": [1, 2]}, schema=schema), tmp_path / "a.parquet")
    for _ in range(2):
        files = engine.read_parquet([tmp_path / "a.parquet"], schema, "swap_t")
        assert engine.execute(files.aggregate(s=files.n.sum()))["s"].to_pylist() == [3]
        empty = engine.read_parquet([], schema, "swap_t")
        assert engine.execute(empty.count().as_table())[0].to_pylist() == [0]


# --- expressions reused from day to day (services.RulePlans) ---------------------------------

#: Days around month ends and the 2026 Spring Festival (17 February): where rules that read the
#: date in Python (a month's name, the festival window) change their expressions.
AROUND = (
    [dt.date(2026, 1, d) for d in (30, 31)] + [dt.date(2026, 2, d) for d in (1, 14, 27, 28)] + [dt.date(2026, 3, 1)]
)


def _unbound_tables() -> dict[str, ibis.Table]:
    tables = {n: ibis.table(ibis.schema(s), name=f"ctx_{n}") for n, s in SCHEMAS.items()}
    tables["run_findings"] = ibis.table({"rule": "string", "subject_id": "string"}, name="ctx_run_findings")
    return tables


def _built_on(code: str, day: dt.date, tables: dict[str, ibis.Table]) -> tuple[Any, bool]:
    """The rule's find and details expressions on ``day``, and whether building them read the date."""
    watch: list[dt.date] = []
    all_params = {c: params_for(c) for c in RULES}
    ctx = Context(day, tables, all_params[code], all_params, None, watch)
    rule = RULES[code]
    details = rule.details(ctx)
    # By fingerprint: a ``.view()`` numbers its self-reference anew each time it is built.
    exprs = (fingerprint(rule.find(ctx).op()), None if details is None else fingerprint(details.op()))
    return exprs, bool(watch)


@pytest.mark.engine_only
@pytest.mark.parametrize("code", sorted(RULES))
def test_a_rule_builds_the_same_expressions_on_days_the_run_would_reuse_them(code: str) -> None:
    """The run reuses a rule's expressions on a day where building them read nothing of the date,
    or where the rule's ``as_of_key`` equals that of the day they were built: they must be the
    very expressions that day would build."""
    tables = _unbound_tables()
    rule = RULES[code]
    built = {day: _built_on(code, day, tables) for day in AROUND}
    reused = 0
    for first in AROUND:
        exprs, read_date = built[first]
        for other in AROUND:
            if other != first and (not read_date or rule.as_of_key(first) == rule.as_of_key(other)):
                assert built[other][0] == exprs, f"{code}: built on {first}, reused on {other}, but differs"
                reused += 1
    assert reused, f"{code} would be built anew every day"


class _Rule(Rule):
    code = "T00"
    title = "测试"
    article = ""
    table = ibis.table({"d": "date", "n": "int64"}, name="plans_t")

    @staticmethod
    @kept("T00.upto")
    def upto(ctx: Context) -> ibis.Table:
        t = _Rule.table
        return t.filter(t.d <= ctx.day).aggregate(total=t.n.sum())


class _Steady(_Rule):
    """Reads the date only as the query parameter, through a kept intermediate."""

    code = "T01"

    def find(self, ctx: Context) -> ibis.Table:
        upto = self.upto(ctx)
        return upto.select(subject_id=ibis.literal("p"), total=upto.total)


class _Dated(_Rule):
    """Takes the date's text in Python: its expression is the day's own."""

    code = "T02"

    def find(self, ctx: Context) -> ibis.Table:
        return self.table.limit(1).select(subject_id=ibis.literal(ctx.as_of.isoformat()))


class _Monthly(_Dated):
    code = "T03"

    def as_of_key(self, as_of: dt.date) -> Any:
        return as_of.month

    def find(self, ctx: Context) -> ibis.Table:
        return self.table.limit(1).select(subject_id=ibis.literal(ctx.as_of.strftime("%Y-%m")))


def test_a_day_reuses_the_expressions_that_hold_reruns_their_kept_parts_and_rebuilds_the_rest(
    settings: Any, tmp_path: Path
) -> None:
    from anxin.monitoring.services import RulePlans

    settings.VAR_DIR = tmp_path
    engine = DuckDBEngine()
    data = pa.table({"d": [dt.date(2026, 1, 30), dt.date(2026, 1, 31), dt.date(2026, 2, 1)], "n": [1, 2, 4]})
    engine.table(data, "plans_t")
    tables = {"plans_t": _Rule.table}
    rules = {"steady": _Steady(), "dated": _Dated(), "monthly": _Monthly()}

    def day_of(day: dt.date) -> dict[str, tuple[Any, list[Any]]]:
        plans = RulePlans(engine, day, {})
        out = {}
        for name, rule in rules.items():
            ctx = plans.context(rule, tables, {}, {})
            expr = plans.expression("find", rule.find, ctx)
            out[name] = (expr, engine.execute(expr, day).to_pylist())
        return out

    jan30, jan31, feb1 = day_of(dt.date(2026, 1, 30)), day_of(dt.date(2026, 1, 31)), day_of(dt.date(2026, 2, 1))
    assert jan31["steady"][0] is jan30["steady"][0]  # reused...
    assert [r["total"] for r in (jan30, jan31, feb1) for r in r["steady"][1]] == [1, 3, 7]  # ...its kept part rerun
    assert jan31["dated"][0] is not jan30["dated"][0]
    assert jan31["dated"][1] == [{"subject_id": "2026-01-31"}]
    assert jan31["monthly"][0] is jan30["monthly"][0]
    assert feb1["monthly"][0] is not jan31["monthly"][0]
    assert feb1["monthly"][1] == [{"subject_id": "2026-02"}]

    other = {"plans_t": ibis.table({"d": "date", "n": "int64", "x": "string"}, name="plans_t")}
    plans = RulePlans(engine, dt.date(2026, 2, 1), {})
    ctx = plans.context(rules["steady"], other, {}, {})
    assert plans.expression("find", lambda c: ("built", c), ctx)[0] == "built"  # other tables: built anew
