"""Ingesting registry feeds: formats, quarantine reasons, idempotence, updates, the JSON summary."""

from __future__ import annotations

import gzip
import io
import json
from pathlib import Path

import openpyxl
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from django.core.management import call_command

from anxin.lake.models import QuarantinedRow
from anxin.lake.services import ingest_paths
from anxin.registry.models import Employment, Enterprise, Person, Project
from tests.factories import (
    BUILDER,
    CONTRACTOR,
    EMPLOYMENTS,
    ENTERPRISES,
    PEOPLE,
    PROJECTS,
    WORKER_1,
    bad_check,
    registry_batch,
    write_csv,
)

pytestmark = pytest.mark.django_db


def summary_of(summaries: list, feed: str) -> dict:
    return next(s.contract() for s in summaries if s.feed == feed)


def run_json(*paths: Path) -> list[dict]:
    out = io.StringIO()
    call_command("ingest", *[str(p) for p in paths], "--json", stdout=out)
    return [json.loads(line) for line in out.getvalue().splitlines()]


def test_it_loads_a_valid_registry_batch_and_prints_one_contract_line_per_feed(tmp_path: Path) -> None:
    lines = run_json(registry_batch(tmp_path / "b"))
    assert [line["feed"] for line in lines] == ["enterprises", "projects", "people", "employments"]
    assert lines[1] == {
        "feed": "projects",
        "files": 1,
        "rows": 2,
        "accepted": 2,
        "updated": 0,
        "duplicates": 0,
        "quarantined": 0,
    }
    for line in lines:
        assert set(line) == {"feed", "files", "rows", "accepted", "updated", "duplicates", "quarantined"}
        assert line["rows"] == line["accepted"] + line["updated"] + line["duplicates"] + line["quarantined"]
    assert Project.objects.current().count() == 2
    assert Person.objects.current().count() == 2
    assert Employment.objects.current().count() == 2


def test_re_sending_the_same_batch_changes_nothing(tmp_path: Path) -> None:
    folder = registry_batch(tmp_path / "b")
    run_json(folder)
    counts = [m.objects.count() for m in (Enterprise, Project, Person, Employment)]
    again = run_json(folder)
    assert all(line["accepted"] == 0 and line["updated"] == 0 and line["duplicates"] == line["rows"] for line in again)
    assert [m.objects.count() for m in (Enterprise, Project, Person, Employment)] == counts


def test_a_changed_row_with_a_later_updated_at_updates_and_keeps_the_old_version(tmp_path: Path) -> None:
    run_json(registry_batch(tmp_path / "b"))
    changed = dict(PROJECTS[0], status="suspended", updated_at="2025-06-10 10:00:00")
    lines = run_json(write_csv(tmp_path / "c" / "projects.csv", [changed]))
    assert lines[0]["updated"] == 1
    versions = list(Project.objects.filter(project_code="FJ-GL-001").order_by("valid_from"))
    assert [v.status for v in versions] == ["active", "suspended"]
    assert str(versions[0].valid_to) == "2025-06-10" and versions[1].valid_to is None


def test_within_one_batch_the_later_updated_at_wins_whatever_the_file_order(tmp_path: Path) -> None:
    newer = dict(PROJECTS[0], name="鼓楼区安置房一期（更名）", updated_at="2025-05-01 00:00:00")
    older = dict(PROJECTS[0])
    write_csv(tmp_path / "b" / "enterprises.csv", ENTERPRISES)
    write_csv(tmp_path / "b" / "projects-0001.csv", [newer])
    write_csv(tmp_path / "b" / "projects-0002.csv", [older])
    lines = run_json(tmp_path / "b")
    projects = next(line for line in lines if line["feed"] == "projects")
    assert (projects["accepted"], projects["updated"]) == (1, 1)
    assert Project.objects.current().get(project_code="FJ-GL-001").name == "鼓楼区安置房一期（更名）"


def test_feeds_without_updated_at_take_the_later_file_of_the_batch(tmp_path: Path) -> None:
    write_csv(tmp_path / "b" / "people-0001.csv", [PEOPLE[0]])
    write_csv(tmp_path / "b" / "people-0002.csv", [dict(PEOPLE[0], phone="13900001111")])
    lines = run_json(tmp_path / "b")
    assert (lines[0]["accepted"], lines[0]["updated"]) == (1, 1)
    assert Person.objects.current().get().phone_masked == "139****1111"


@pytest.mark.parametrize(
    ("feed", "row", "column", "words"),
    [
        ("enterprises", dict(ENTERPRISES[0], uscc=bad_check(BUILDER)), "uscc", "校验位错误"),
        ("enterprises", dict(ENTERPRISES[0], name=""), "name", "必填项"),
        ("enterprises", dict(ENTERPRISES[0], kind="bank"), "kind", "不在允许范围"),
        ("enterprises", dict(ENTERPRISES[0], established_on="2023-02-29"), "established_on", "不是存在的日期"),
        ("projects", dict(PROJECTS[0], contract_amount="-5.00"), "contract_amount", "不能为负数"),
        ("projects", dict(PROJECTS[0], region_code="110101"), "region_code", "不是福建省"),
        ("projects", dict(PROJECTS[0], start_date="2025-13-01"), "start_date", "不是存在的日期"),
        ("projects", dict(PROJECTS[0], notice_board="maybe"), "notice_board", "是/否"),
        ("projects", dict(PROJECTS[0], updated_at="2025-02-30 10:00"), "updated_at", "不是存在的时间"),
        ("people", dict(PEOPLE[0], id_number=bad_check(WORKER_1)), "id_number", "校验位错误"),
        ("people", dict(PEOPLE[0], id_number="350102199002301234"), "id_number", "出生日期不存在"),
        ("employments", dict(EMPLOYMENTS[0], project_code="FJ-NOPE-9"), "project_code", "未在系统登记"),
        ("employments", dict(EMPLOYMENTS[0], pay_day="32"), "pay_day", "1到31"),
        ("employments", dict(EMPLOYMENTS[0], wage_rate="abc"), "wage_rate", "不是金额"),
    ],
)
def test_it_quarantines_a_bad_row_with_its_line_column_and_a_reason(
    tmp_path: Path, feed: str, row: dict, column: str, words: str
) -> None:
    run_json(registry_batch(tmp_path / "base"))
    good = {"enterprises": ENTERPRISES, "projects": PROJECTS, "people": PEOPLE, "employments": EMPLOYMENTS}[feed]
    write_csv(tmp_path / "b" / f"{feed}.csv", [good[1] if len(good) > 1 else good[0], row])
    line = run_json(tmp_path / "b")[0]
    assert line["quarantined"] == 1
    bad = QuarantinedRow.objects.get()
    assert (bad.feed, bad.file_name, bad.line, bad.column) == (feed, f"{feed}.csv", 3, column)
    assert words in bad.reason


def test_a_missing_required_column_quarantines_every_row_saying_which_column(tmp_path: Path) -> None:
    rows = [{k: v for k, v in r.items() if k != "start_date"} for r in PROJECTS]
    lines = run_json(write_csv(tmp_path / "projects.csv", rows))
    assert lines[0]["quarantined"] == 2
    assert all("文件缺少必填列「开工日期」" in r.reason for r in QuarantinedRow.objects.all())


def test_line_numbers_count_physical_lines_when_a_quoted_field_holds_a_newline(tmp_path: Path) -> None:
    rows = [dict(ENTERPRISES[0], name="福州城建\n开发有限公司"), dict(ENTERPRISES[1], uscc=bad_check(CONTRACTOR))]
    lines = run_json(write_csv(tmp_path / "enterprises.csv", rows))
    assert lines[0]["quarantined"] == 1
    assert QuarantinedRow.objects.get().line == 4  # header 1, first record spans lines 2-3


def test_a_replaced_region_code_is_mapped_to_its_successor(tmp_path: Path) -> None:
    run_json(write_csv(tmp_path / "b" / "enterprises.csv", ENTERPRISES))
    run_json(write_csv(tmp_path / "c" / "projects.csv", [dict(PROJECTS[0], region_code="350182")]))
    assert Project.objects.current().get().region_code == "350112"


def test_a_gb18030_csv_with_chinese_headers_and_crlf_as_excel_writes_it_loads(tmp_path: Path) -> None:
    from anxin.lake.feeds import FEEDS

    feed = FEEDS["enterprises"]
    header = [feed.column(name).label for name in ENTERPRISES[0]]
    path = write_csv(tmp_path / "enterprises.csv", ENTERPRISES, encoding="gb18030", header=header, line_end="\r\n")
    assert path.read_bytes().decode("gb18030").startswith("统一社会信用代码")
    lines = run_json(path)
    assert lines[0]["accepted"] == 3
    assert Enterprise.objects.current().get(uscc=BUILDER).name == "福州城建开发有限公司"


def test_utf8_with_a_bom_and_gzip_load(tmp_path: Path) -> None:
    path = write_csv(tmp_path / "x.csv", ENTERPRISES, encoding="utf-8-sig")
    (tmp_path / "b").mkdir()
    (tmp_path / "b" / "enterprises.csv.gz").write_bytes(gzip.compress(path.read_bytes()))
    assert run_json(tmp_path / "b")[0]["accepted"] == 3


def test_an_xlsx_loads_and_an_id_number_stored_as_a_number_is_quarantined_asking_for_text_format(
    tmp_path: Path,
) -> None:
    import datetime as dt

    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.append(["身份证号", "姓名", "手机号", "工资卡号"])
    sheet.append([WORKER_1, "张三", "13812345678", "6222021234567890123"])
    sheet.append([int(PEOPLE[1]["id_number"][:15]), "李四", 13987654321, None])  # Excel turned the ID into a number
    sheet.append([None, None, None, None])  # an empty row Excel leaves behind is not a record
    workbook.save(tmp_path / "people.xlsx")
    line = run_json(tmp_path / "people.xlsx")[0]
    assert (line["rows"], line["accepted"], line["quarantined"]) == (2, 1, 1)
    bad = QuarantinedRow.objects.get()
    assert bad.line == 3 and bad.column == "id_number" and "文本" in bad.reason
    del dt


def test_xlsx_dates_and_money_cells_are_read_as_excel_stores_them(tmp_path: Path) -> None:
    import datetime as dt

    run_json(write_csv(tmp_path / "e" / "enterprises.csv", ENTERPRISES))
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.append(
        ["project_code", "name", "region_code", "builder_uscc", "contractor_uscc", "contract_amount", "start_date"]
    )
    sheet.append(["X-1", "测试项目", "350102", BUILDER, CONTRACTOR, 1234567.891, dt.datetime(2025, 3, 1)])
    workbook.save(tmp_path / "projects.xlsx")
    assert run_json(tmp_path / "projects.xlsx")[0]["accepted"] == 1
    project = Project.objects.current().get()
    assert project.contract_amount_fen == 123456789
    assert project.start_date == dt.date(2025, 3, 1)


def test_parquet_loads(tmp_path: Path) -> None:
    pq.write_table(pa.Table.from_pylist(ENTERPRISES), tmp_path / "enterprises.parquet")
    assert run_json(tmp_path / "enterprises.parquet")[0]["accepted"] == 3


def test_a_row_referring_to_a_project_sent_earlier_in_the_same_batch_is_valid(tmp_path: Path) -> None:
    lines = run_json(registry_batch(tmp_path / "b"))
    assert next(line for line in lines if line["feed"] == "employments")["accepted"] == 2


def test_money_is_stored_as_integer_fen_exactly(tmp_path: Path) -> None:
    run_json(write_csv(tmp_path / "e" / "enterprises.csv", ENTERPRISES))
    run_json(
        write_csv(
            tmp_path / "p" / "projects.csv", [dict(PROJECTS[0], contract_amount="1,234,567.89", deposit_amount="0.1")]
        )
    )
    project = Project.objects.current().get()
    assert (project.contract_amount_fen, project.deposit_amount_fen) == (123456789, 10)


def test_a_bad_row_sent_again_is_counted_again_but_stored_once(tmp_path: Path) -> None:
    path = write_csv(tmp_path / "enterprises.csv", [dict(ENTERPRISES[0], uscc=bad_check(BUILDER))])
    assert run_json(path)[0]["quarantined"] == 1
    assert run_json(path)[0]["quarantined"] == 1
    assert QuarantinedRow.objects.count() == 1


def test_the_service_reports_the_same_numbers_as_the_command(tmp_path: Path) -> None:
    summaries = ingest_paths([registry_batch(tmp_path / "b")])
    assert summary_of(summaries, "people") == {
        "feed": "people",
        "files": 1,
        "rows": 2,
        "accepted": 2,
        "updated": 0,
        "duplicates": 0,
        "quarantined": 0,
    }


def test_an_unknown_file_name_fails_with_a_one_line_reason(tmp_path: Path) -> None:
    from django.core.management.base import CommandError

    path = tmp_path / "salaries.csv"
    path.write_text("a,b\n1,2\n")
    with pytest.raises(CommandError, match="无法识别的数据文件"):
        call_command("ingest", str(path), "--json", stdout=io.StringIO())
