"""The synthetic province loads unchanged through ``anxin ingest``, and its ledger is exactly what ingest says."""

from __future__ import annotations

import csv
from collections import Counter
from pathlib import Path

import pytest

from anxin.lake.models import QuarantinedRow
from anxin.lake.services import ingest_paths
from anxin.synth import generate

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def tiny(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("synth") / "tiny"
    generate(scale="tiny", seed=11, out=str(out))
    return out


def ledger(batch: Path) -> list[dict[str, str]]:
    with open(Path(f"{batch}_truth") / "bad_rows.csv", encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


def feed_of(file_name: str) -> str:
    return (
        file_name.split(".")[0].rsplit("-", 1)[0] if file_name.split(".")[0][-4:].isdigit() else file_name.split(".")[0]
    )


def test_the_ledgers_invalid_rows_are_exactly_what_ingest_quarantines_and_its_resends_what_it_counts(
    tiny: Path,
) -> None:
    summaries = {s.feed: s for s in ingest_paths([tiny])}
    rows = ledger(tiny)
    invalid = {(r["file"], int(r["line"])) for r in rows if r["reason"] not in ("duplicate", "updated")}
    quarantined = set(QuarantinedRow.objects.values_list("file_name", "line"))
    assert quarantined == invalid
    expected = Counter((feed_of(r["file"]), r["reason"]) for r in rows if r["reason"] in ("duplicate", "updated"))
    for feed, summary in summaries.items():
        assert summary.duplicates == expected[(feed, "duplicate")], feed
        assert summary.updated == expected[(feed, "updated")], feed
        assert summary.rows == summary.accepted + summary.updated + summary.duplicates + summary.quarantined
    assert {
        "enterprises",
        "projects",
        "people",
        "employments",
        "attendance",
        "payrolls",
        "wage_payments",
        "leads",
    } <= set(summaries)


def test_loading_the_province_twice_is_a_no_op(tiny: Path) -> None:
    ingest_paths([tiny])
    again = ingest_paths([tiny])
    assert all(s.accepted == 0 and s.updated == 0 for s in again)
