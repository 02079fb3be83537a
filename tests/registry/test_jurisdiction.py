"""Every list, page, API answer and export is cut to the official's jurisdiction."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.test import Client

from anxin.core.tokens import issue_token
from anxin.lake.services import ingest_paths
from anxin.registry.models import Employment, Enterprise, Person, Project
from tests.factories import PROJECTS, registry_batch, write_csv

pytestmark = pytest.mark.django_db


@pytest.fixture
def batch(tmp_path: Path) -> None:
    registry_batch(tmp_path / "b")
    pingtan_project = dict(PROJECTS[0], project_code="FJ-PT-001", name="平潭海峡大桥配套", region_code="350128")
    write_csv(tmp_path / "b" / "projects-0002.csv", [pingtan_project])
    ingest_paths([tmp_path / "b"])


def logged_in(user) -> Client:  # type: ignore[no-untyped-def]
    client = Client()
    client.force_login(user)
    return client


def test_a_gulou_officer_cannot_see_a_siming_project_by_list(batch: None, gulou) -> None:  # type: ignore[no-untyped-def]
    page = logged_in(gulou).get("/registry/projects/").content.decode()
    assert "FJ-GL-001" in page
    assert "FJ-SM-001" not in page


def test_a_gulou_officer_cannot_see_a_siming_project_by_its_page(batch: None, gulou) -> None:  # type: ignore[no-untyped-def]
    client = logged_in(gulou)
    assert client.get("/registry/projects/FJ-GL-001/").status_code == 200
    assert client.get("/registry/projects/FJ-SM-001/").status_code == 404


def test_a_gulou_officer_cannot_see_a_siming_project_by_the_api(batch: None, gulou) -> None:  # type: ignore[no-untyped-def]
    token = issue_token(gulou, "test")
    client = Client(headers={"Authorization": f"Bearer {token}"})
    listed = client.get("/api/projects").json()
    assert [p["project_code"] for p in listed["results"]] == ["FJ-GL-001"]
    assert client.get("/api/projects/FJ-SM-001").status_code == 404
    assert client.get("/api/projects/FJ-GL-001").status_code == 200


def test_a_gulou_officer_cannot_see_a_siming_project_by_export(batch: None, gulou) -> None:  # type: ignore[no-untyped-def]
    client = logged_in(gulou)
    csv_text = client.get("/registry/projects/?export=csv").content.decode("utf-8-sig")
    assert "FJ-GL-001" in csv_text and "FJ-SM-001" not in csv_text
    import io

    import openpyxl

    xlsx = openpyxl.load_workbook(io.BytesIO(client.get("/registry/projects/?export=xlsx").content))
    codes = [row[0] for row in xlsx.active.iter_rows(min_row=2, values_only=True)]
    assert codes == ["FJ-GL-001"]


def test_a_city_officer_sees_the_city_but_not_pingtan(batch: None, fuzhou) -> None:  # type: ignore[no-untyped-def]
    codes = set(Project.objects.current().visible_to(fuzhou).values_list("project_code", flat=True))
    assert codes == {"FJ-GL-001"}


def test_pingtan_is_a_jurisdiction_of_its_own(batch: None, pingtan) -> None:  # type: ignore[no-untyped-def]
    codes = set(Project.objects.current().visible_to(pingtan).values_list("project_code", flat=True))
    assert codes == {"FJ-PT-001"}


def test_the_province_sees_everything(batch: None, province) -> None:  # type: ignore[no-untyped-def]
    assert Project.objects.current().visible_to(province).count() == 3


def test_someone_without_an_office_sees_nothing(batch: None, outsider) -> None:  # type: ignore[no-untyped-def]
    assert Project.objects.current().visible_to(outsider).count() == 0
    assert logged_in(outsider).get("/registry/projects/FJ-GL-001/").status_code == 404


def test_an_enterprise_user_sees_only_its_own_projects_and_workers(batch: None, enterprise_user) -> None:  # type: ignore[no-untyped-def]
    # The test enterprise is the general contractor of every project, and employs one worker directly.
    assert Project.objects.current().visible_to(enterprise_user).count() == 3
    assert Employment.objects.current().visible_to(enterprise_user).count() == 1


def test_workers_are_seen_only_through_projects_in_the_jurisdiction(batch: None, gulou, siming) -> None:  # type: ignore[no-untyped-def]
    gulou_people = set(Person.objects.current().visible_to(gulou).values_list("id_number_masked", flat=True))
    siming_people = set(Person.objects.current().visible_to(siming).values_list("id_number_masked", flat=True))
    assert gulou_people and siming_people and not (gulou_people & siming_people)


def test_enterprises_are_seen_where_registered_or_acting_on_a_local_project(batch: None, siming, gulou) -> None:  # type: ignore[no-untyped-def]
    siming_seen = set(Enterprise.objects.current().visible_to(siming).values_list("region_code", flat=True))
    assert "350203" in siming_seen  # the contractor registered there
    gulou_seen = Enterprise.objects.current().visible_to(gulou).count()
    assert gulou_seen == 3  # 2 registered in 鼓楼 + the 厦门 contractor acting on a 鼓楼 project


def test_the_api_without_a_token_is_refused(batch: None) -> None:
    assert Client().get("/api/projects").status_code == 401


def test_quarantined_rows_are_cut_to_the_jurisdiction(tmp_path: Path, batch: None, gulou, siming) -> None:  # type: ignore[no-untyped-def]
    from anxin.lake.models import QuarantinedRow
    from tests.factories import EMPLOYMENTS

    write_csv(tmp_path / "q" / "employments.csv", [dict(EMPLOYMENTS[1], pay_day="45")])
    ingest_paths([tmp_path / "q"])
    assert QuarantinedRow.objects.visible_to(siming).count() == 1
    assert QuarantinedRow.objects.visible_to(gulou).count() == 0
    page = logged_in(gulou).get("/lake/quarantine/?export=csv").content.decode("utf-8-sig")
    assert "FJ-SM-001" not in page
    page = logged_in(siming).get("/lake/quarantine/?export=csv").content.decode("utf-8-sig")
    from tests.factories import WORKER_2

    assert "FJ-SM-001" in page and "工资支付日" in page
    assert WORKER_2 not in page and WORKER_2[:6] + "********" + WORKER_2[-4:] in page
