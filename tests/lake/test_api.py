"""POST /api/feeds/{feed}: token authentication, the same path as files, idempotency keys."""

from __future__ import annotations

import json

import pytest
from django.test import Client

from anxin.core.tokens import issue_token
from anxin.lake.models import Batch, QuarantinedRow
from anxin.registry.models import Enterprise
from tests.factories import BUILDER, ENTERPRISES, bad_check

pytestmark = pytest.mark.django_db


@pytest.fixture
def client(province) -> Client:  # type: ignore[no-untyped-def]
    return Client(headers={"Authorization": f"Bearer {issue_token(province, 'city platform')}"})


def post(client: Client, feed: str, rows: object, key: str | None = None) -> object:
    headers = {"Idempotency-Key": key} if key else {}
    return client.post(
        f"/api/feeds/{feed}",
        data=json.dumps(rows, ensure_ascii=False),
        content_type="application/json",
        headers=headers,
    )


def test_rows_posted_as_json_take_the_same_path_as_files(client: Client) -> None:
    rows = [*ENTERPRISES, dict(ENTERPRISES[0], uscc=bad_check(BUILDER))]
    response = post(client, "enterprises", {"rows": rows})
    assert response.status_code == 200  # type: ignore[attr-defined]
    assert response.json() == {
        "feed": "enterprises",
        "files": 1,
        "rows": 4,
        "accepted": 3,
        "updated": 0,
        "duplicates": 0,
        "quarantined": 1,
    }  # type: ignore[attr-defined]
    assert Enterprise.objects.current().count() == 3
    assert QuarantinedRow.objects.get().line == 4  # the row's position in the array, from 1


def test_chinese_column_names_are_accepted_in_json(client: Client) -> None:
    row = {
        "统一社会信用代码": BUILDER,
        "单位名称": "福州城建开发有限公司",
        "注册地区划": "350102",
        "单位类型": "建设单位",
    }
    assert post(client, "enterprises", [row]).json()["accepted"] == 1  # type: ignore[attr-defined]
    assert Enterprise.objects.current().get().kind == "builder"


def test_a_replayed_idempotency_key_returns_the_first_answer_and_changes_nothing(client: Client) -> None:
    first = post(client, "enterprises", ENTERPRISES, key="k-1").json()  # type: ignore[attr-defined]
    batches = Batch.objects.count()
    again = post(client, "enterprises", ENTERPRISES, key="k-1")
    assert again.status_code == 200 and again.json() == first  # type: ignore[attr-defined]
    assert first["accepted"] == 3
    assert Batch.objects.count() == batches


def test_the_same_idempotency_key_with_a_different_body_is_refused(client: Client) -> None:
    post(client, "enterprises", ENTERPRISES, key="k-2")
    response = post(client, "enterprises", ENTERPRISES[:1], key="k-2")
    assert response.status_code == 409  # type: ignore[attr-defined]
    assert "Idempotency-Key" in response.json()["detail"]  # type: ignore[attr-defined]


def test_without_a_key_a_re_sent_body_is_still_a_no_op(client: Client) -> None:
    post(client, "enterprises", ENTERPRISES)
    assert post(client, "enterprises", ENTERPRISES).json()["duplicates"] == 3  # type: ignore[attr-defined]


def test_an_unknown_feed_and_a_malformed_body_get_clear_chinese_errors(client: Client) -> None:
    assert "未知的数据项" in post(client, "salaries", []).json()["detail"]  # type: ignore[attr-defined]
    bad = client.post("/api/feeds/enterprises", data="not json", content_type="application/json")
    assert bad.status_code == 400 and "JSON" in bad.json()["detail"]


def test_a_bad_or_revoked_token_is_refused(province) -> None:  # type: ignore[no-untyped-def]
    from anxin.core.models import ApiToken

    token = issue_token(province, "x")
    assert (
        Client(headers={"Authorization": "Bearer nope"})
        .post("/api/feeds/enterprises", data="[]", content_type="application/json")
        .status_code
        == 401
    )
    ApiToken.objects.update(revoked=True)
    assert (
        Client(headers={"Authorization": f"Bearer {token}"})
        .post("/api/feeds/enterprises", data="[]", content_type="application/json")
        .status_code
        == 401
    )


def test_the_openapi_docs_are_served() -> None:
    assert Client().get("/api/docs").status_code == 200
    schema = Client().get("/api/openapi.json").json()
    assert "/api/feeds/{feed}" in schema["paths"]
