"""evaluation services: the daily step that scores every general contractor, and reading the scores.

``evaluate_day(D)`` is a day step of the daily run (``monitoring.services.DAY_STEPS``): it
reads the registry as it was on D from the lake's mirror (the same the rules read), the
findings open on D, scores each enterprise that is the ``contractor_uscc`` of at least one
active project (``scoring.score_contractor``) and stores one ``Evaluation`` per contractor and
day. Idempotent: the day's rows are replaced.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

import duckdb
import pyarrow.parquet as pq
from django.conf import settings
from django.db import transaction

from anxin.core.bulk import insert_objects
from anxin.evaluation.models import Evaluation
from anxin.evaluation.scoring import SUB_SCORES, ProjectFinding, RatedProject, round_half_up, score_contractor
from anxin.lake.registry_export import registry_dir
from anxin.monitoring.models import Finding
from anxin.monitoring.rules import RULES

#: ``anxin export evaluations --as-of D`` (FEEDS.md), one row per rated enterprise.
EXPORT_HEADER = [
    "uscc", "as_of", "score", "grade", "real_name", "special_account", "pay_on_behalf", "deposit", "projects",
]  # fmt: skip


def points_of(rule: str) -> int:
    return settings.ANXIN_EVALUATION_POINTS.get(rule, settings.ANXIN_EVALUATION_DEFAULT_POINTS)


def _valid_on(alias: str) -> str:
    return f"{alias}.valid_from <= $day AND ({alias}.valid_to IS NULL OR {alias}.valid_to > $day)"


def registry_inputs(day: dt.date) -> tuple[list[tuple[str, str, bool, int]], dict[str, tuple[str, str]]]:
    """From the registry mirror as of ``day``: every project (code, contractor, active?, workers
    registered that day) and every enterprise's (name, registered region)."""
    folder = registry_dir()
    projects_file, employments_file, enterprises_file = (
        folder / "projects.parquet",
        folder / "employments.parquet",
        folder / "enterprises.parquet",
    )
    if not projects_file.exists():
        return [], {}
    con = duckdb.connect()
    try:
        workers_sql = "SELECT NULL::VARCHAR AS project_code, 0::BIGINT AS workers WHERE FALSE"
        if employments_file.exists():
            # People by their 64-bit id where the mirror carries it (counted faster than the hex).
            person = "person_id" if "person_id" in pq.read_schema(employments_file).names else "person_key"
            workers_sql = f"""
                SELECT e.project_code, count(DISTINCT e.{person}) AS workers
                FROM read_parquet('{employments_file}') e
                WHERE {_valid_on("e")} AND e.start_date <= $day AND (e.end_date IS NULL OR e.end_date >= $day)
                GROUP BY e.project_code"""
        rows = con.execute(
            f"""
            WITH p AS (SELECT * FROM read_parquet('{projects_file}') p WHERE {_valid_on("p")}),
                 w AS ({workers_sql})
            SELECT p.project_code, p.contractor_uscc,
                   coalesce(p.status = 'active' AND p.start_date <= $day
                            AND (p.actual_end_date IS NULL OR p.actual_end_date > $day), false) AS active,
                   coalesce(w.workers, 0) AS workers
            FROM p LEFT JOIN w USING (project_code)
            ORDER BY p.project_code""",
            {"day": day},
        ).fetchall()
        enterprises: dict[str, tuple[str, str]] = {}
        if enterprises_file.exists():
            for uscc, name, region in con.execute(
                f"SELECT uscc, name, region_code FROM read_parquet('{enterprises_file}') e WHERE {_valid_on('e')}",
                {"day": day},
            ).fetchall():
                enterprises[uscc] = (name or "", region or "")
    finally:
        con.close()
    return [(code, contractor, bool(active), int(workers)) for code, contractor, active, workers in rows], enterprises


def evaluate_day(day: dt.date) -> int:
    """Score every contractor with an active project on ``day``; returns how many were rated."""
    projects, enterprises = registry_inputs(day)
    findings: dict[str, list[ProjectFinding]] = defaultdict(list)
    arrears: dict[str, list[int]] = defaultdict(list)
    for pk, rule, code, opened in (
        Finding.objects.open_on(day).filter(subject_type="project").values_list("pk", "rule", "subject_id", "opened_on")
    ):
        if rule == "WP01":
            arrears[code].append(pk)
        family = RULES[rule].family if rule in RULES else ""
        findings[code].append(ProjectFinding(rule, family, pk, opened))
    by_contractor: dict[str, list[RatedProject]] = defaultdict(list)
    arrears_of: dict[str, list[int]] = defaultdict(list)
    for code, contractor, active, workers in projects:
        arrears_of[contractor].extend(arrears.get(code, []))
        if active:
            by_contractor[contractor].append(RatedProject(code, workers, findings.get(code, [])))
    rows = []
    for uscc, rated in sorted(by_contractor.items()):
        result = score_contractor(
            rated,
            points_of,
            arrears_on_any_project=bool(arrears_of[uscc]),
            arrears_cap=settings.ANXIN_EVALUATION_ARREARS_CAP,
        )
        name, region = enterprises.get(uscc, ("", ""))
        rows.append(
            Evaluation(
                uscc=uscc,
                name=name,
                region_code=region,
                as_of=day,
                score=result.score,
                grade=result.grade,
                projects=result.projects,
                capped=result.capped,
                deductions=[
                    {
                        "project_code": d.project_code,
                        "sub_score": d.sub_score,
                        "rule": d.rule,
                        "points": d.points,
                        "applied": d.applied,
                        "finding_id": d.finding_id,
                        "opened_on": d.opened_on.isoformat() if d.opened_on else None,
                    }
                    for d in result.deductions
                ],
                project_scores=result.per_project,
                arrears_findings=sorted(arrears_of[uscc]),
                **{sub: round_half_up(result.sub_scores[sub], 2) for sub in SUB_SCORES},
            )
        )
    with transaction.atomic():
        Evaluation.objects.filter(as_of=day).delete()
        insert_objects(rows)
    return len(rows)


def rewind(day: dt.date) -> None:
    Evaluation.objects.filter(as_of__gte=day).delete()


def latest_day(qs: Any = None) -> dt.date | None:
    qs = Evaluation.objects.all() if qs is None else qs
    return qs.order_by("-as_of").values_list("as_of", flat=True).first()


def export_rows(evaluations: Iterable[Evaluation]) -> Iterator[list[Any]]:
    for e in evaluations:
        yield [
            e.uscc,
            e.as_of.isoformat(),
            e.score,
            e.grade,
            f"{e.real_name:.2f}",
            f"{e.special_account:.2f}",
            f"{e.pay_on_behalf:.2f}",
            f"{e.deposit:.2f}",
            e.projects,
        ]


def write_export(path: Path, as_of: dt.date | None = None) -> int:
    """``anxin export evaluations --as-of D --out F.csv`` (FEEDS.md)."""
    from anxin.core.registries import write_contract_csv

    assert as_of is not None
    return write_contract_csv(
        path, EXPORT_HEADER, export_rows(Evaluation.objects.filter(as_of=as_of).order_by("uscc").iterator())
    )


def deduction_rows(evaluation: Evaluation) -> list[dict[str, Any]]:
    """The deductions for display, with each rule's title and sub-score label."""
    from anxin.evaluation.choices import SubScore

    out = []
    for d in evaluation.deductions:
        rule = RULES.get(d["rule"])
        out.append(
            {
                **d,
                "title": rule.title if rule else d["rule"],
                "sub_score_label": SubScore(d["sub_score"]).label if d["sub_score"] in SubScore.values else "",
            }
        )
    return out
