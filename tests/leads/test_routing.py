"""Routing to the county office: project, region code, address, enterprise, else the province queue."""

from __future__ import annotations

import csv
import datetime as dt
from pathlib import Path
from typing import Any

import pytest

from anxin.lake.services import ingest_paths
from anxin.leads.choices import RoutedBy
from anxin.leads.models import Lead
from anxin.leads.routing import Gazetteer, route
from anxin.leads.services import intake_rows, routing_rate
from tests.factories import BUILDER, CONTRACTOR
from tests.leads.conftest import lead_row


@pytest.fixture
def gaz(db: Any) -> Gazetteer:
    return Gazetteer.from_db()


def test_the_project_decides_first(gaz: Gazetteer) -> None:
    r = route(gaz, project_region="350203", region_code="350102", address="福州市鼓楼区")
    assert (r.region_code, r.routed_by) == ("350203", RoutedBy.PROJECT)


def test_a_county_code_routes_and_a_replaced_code_maps_to_its_successor(gaz: Gazetteer) -> None:
    assert route(gaz, region_code="350102") == route(gaz, region_code="350102")
    assert route(gaz, region_code="350102").routed_by == RoutedBy.REGION
    assert route(gaz, region_code="350182").region_code == "350112"  # 长乐市 -> 长乐区
    assert route(gaz, region_code="350427").region_code == "350405"  # 沙县 -> 沙县区


def test_a_city_code_alone_or_a_code_outside_fujian_is_not_enough(gaz: Gazetteer) -> None:
    assert route(gaz, region_code="350100").routed_by == RoutedBy.MANUAL
    assert route(gaz, region_code="320106").routed_by == RoutedBy.MANUAL  # 南京市鼓楼区
    assert route(gaz, region_code="350100", address="福州市台江区").region_code == "350103"


@pytest.mark.parametrize(
    ("address", "county"),
    [
        ("福州市鼓楼区五四路88号", "350102"),
        ("福建省福州市鼓楼区五四路88号", "350102"),
        ("鼓楼五四路88号", "350102"),  # short form at the start
        ("福州鼓楼五四路", "350102"),  # short form after a city
        ("福清市音西街道", "350181"),
        ("福清音西街道清昌大道", "350181"),
        ("福州市长乐市吴航街道", "350112"),  # former name
        ("长乐区首占镇", "350112"),
        ("三明市梅列区列东街", "350404"),  # 梅列区 merged into 三元区
        ("三明市三元区城关", "350404"),
        ("三明市沙县凤岗街道", "350405"),  # 沙县 became 沙县区
        ("沙县区虬江街道", "350405"),
        ("湖里文化路73号", "350206"),
        ("平潭综合实验区金井湾", "350128"),
        ("泉州市丰泽区南环路141号附近工地", "350503"),
        ("龙岩市上杭县江滨大道29号", "350823"),
    ],
)
def test_the_address_names_the_county(gaz: Gazetteer, address: str, county: str) -> None:
    r = route(gaz, address=address)
    assert (r.region_code, r.routed_by) == (county, RoutedBy.ADDRESS)


@pytest.mark.parametrize(
    "address",
    [
        "江苏省南京市鼓楼区中山路",  # another province
        "南京市鼓楼区中山路",  # a namesake 鼓楼区 outside Fujian
        "湖南省张家界市永定区",
        "厦门市鼓楼区某路",  # no 鼓楼区 in 厦门: inconsistent, not guessed
        "福州市",  # a city alone is not enough
        "某某路东山路口",  # a short county name inside a street name is not a county
        "",
    ],
)
def test_an_address_that_does_not_name_one_fujian_county_is_not_routed(gaz: Gazetteer, address: str) -> None:
    assert gaz.parse_address(address) is None


def test_a_county_consistent_with_the_city_named_is_preferred(gaz: Gazetteer) -> None:
    # 鼓楼 and 台江 both appear; the address names 福州, and the first county named wins.
    assert gaz.parse_address("福州市台江区鼓楼路") == "350103"


def test_then_the_enterprise_s_registered_county_then_the_province_queue(gaz: Gazetteer) -> None:
    assert route(gaz, address="某某工地", enterprise_region="350203").routed_by == RoutedBy.ENTERPRISE
    assert route(gaz, enterprise_region="320106").routed_by == RoutedBy.MANUAL
    r = route(gaz)
    assert (r.region_code, r.routed_by) == ("", RoutedBy.MANUAL)


def test_intake_routes_by_registry_project_and_enterprise(registry: None) -> None:
    intake_rows(
        [
            lead_row("P1", project_code="FJ-SM-001", region_code="350102", target_name="某班组"),
            lead_row("E1", region_code=None, address="不清楚", target_name="厦门建工集团有限责任公司"),
            lead_row("E2", region_code=None, address=None, target_name="无名公司", target_uscc=BUILDER),
            lead_row("M1", region_code=None, address="工地", target_name="查无此单位"),
        ]
    )
    got = {lead.lead_id: (lead.routed_region_code, lead.routed_by) for lead in Lead.objects.all()}
    assert got == {
        "P1": ("350203", RoutedBy.PROJECT),
        "E1": ("350203", RoutedBy.ENTERPRISE),  # the name found the registry enterprise (CONTRACTOR)
        "E2": ("350102", RoutedBy.ENTERPRISE),
        "M1": ("", RoutedBy.MANUAL),
    }
    assert Lead.objects.get(lead_id="E1").target_uscc == CONTRACTOR
    rate = routing_rate()
    assert (rate.total, rate.automatic) == (4, 3)


def test_the_synthetic_province_routes_at_least_95_percent_and_never_to_a_wrong_county(db: Any, tmp_path: Path) -> None:
    generator = pytest.importorskip("anxin.synth.generator")
    truth: dict[tuple[str, str], str] = {}
    for seed in (0, 1, 2):
        summary = generator.generate("tiny", seed=seed, out=tmp_path / f"s{seed}")
        keep = [
            p
            for p in summary.out.iterdir()
            if p.name.split(".")[0].split("-")[0] in ("enterprises", "projects", "people", "employments", "leads")
        ]
        ingest_paths(keep)
        with open(summary.truth_dir / "leads_truth.csv", encoding="utf-8") as fh:
            for row in csv.DictReader(fh):
                truth[(row["channel"], row["lead_id"])] = row["county_code"]
    leads = list(Lead.objects.all())
    assert len(leads) >= 10
    wrong = [
        (x.lead_id, x.routed_region_code, truth[(x.channel, x.lead_id)])
        for x in leads
        if x.routed_by != RoutedBy.MANUAL and x.routed_region_code != truth[(x.channel, x.lead_id)]
    ]
    assert wrong == []
    rate = routing_rate()
    assert rate.rate >= 0.95, rate


def test_routing_is_reported_per_method(registry: None) -> None:
    intake_rows(
        [
            lead_row("A", received_at=dt.datetime(2025, 1, 2, 9)),
            lead_row("B", region_code=None, address="工地", target_name="某甲"),
        ]
    )
    rate = routing_rate()
    assert rate.by_method == {"region": 1, "manual": 1}
    assert rate.rate == 0.5
