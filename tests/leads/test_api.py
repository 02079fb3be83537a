"""GET /api/leads/cases: the export's columns, cut to the caller's jurisdiction, never the complainant."""

from __future__ import annotations

from typing import Any

from django.test import Client, RequestFactory

from anxin.leads import api
from anxin.leads.services import intake_rows
from tests.leads.conftest import lead_row


def _call(user: Any, **params: Any) -> dict[str, Any]:
    request = RequestFactory().get("/api/leads/cases", params)
    request.user = user
    result = api.list_cases(request, **params)
    return api.CasePage.model_validate(result).model_dump()


def test_the_api_lists_cases_of_the_caller_s_jurisdiction(
    registry: None, gulou: Any, province: Any, enterprise_user: Any
) -> None:
    intake_rows([lead_row("A"), lead_row("B", target_name="思明某公司", region_code="350203")])
    mine = _call(gulou)
    assert mine["count"] == 1
    [item] = mine["results"]
    assert (item["lead_ids"], item["region_code"], item["routed_by"], item["supervised"], item["accepted_on"]) == (
        "A",
        "350102",
        "region",
        False,
        None,
    )
    assert "complainant_name" not in item and "王小明" not in repr(mine)
    assert _call(province)["count"] == 2
    assert _call(province, limit=1)["results"][0]["case_no"] < _call(province, offset=1)["results"][0]["case_no"]
    assert _call(enterprise_user)["count"] == 0


def test_the_mounted_endpoint_answers_for_a_logged_in_officer(registry: None, client: Client, gulou: Any) -> None:
    intake_rows([lead_row("A")])
    client.force_login(gulou)
    response = client.get("/api/leads/cases")
    assert response.status_code == 200
    assert response.json()["count"] == 1
