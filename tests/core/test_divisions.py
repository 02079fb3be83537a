"""Fujian's reference data as the data migration loads it: divisions, replaced codes, minimum wages."""

from __future__ import annotations

import datetime as dt

import pytest

from anxin.core.choices import DivisionLevel
from anxin.core.jurisdiction import counties_of
from anxin.core.models import CountyWageTier, Division, DivisionChange, MinimumWage
from anxin.core.reference import short_name

pytestmark = pytest.mark.django_db

PREFECTURES = {
    "350100": "福州市",
    "350200": "厦门市",
    "350300": "莆田市",
    "350400": "三明市",
    "350500": "泉州市",
    "350600": "漳州市",
    "350700": "南平市",
    "350800": "龙岩市",
    "350900": "宁德市",
}
#: County-level divisions per prefecture (民政部 2025-12-31), 平潭 counted under 福州.
COUNTIES_PER_PREFECTURE = {
    "350100": 13,
    "350200": 6,
    "350300": 5,
    "350400": 11,
    "350500": 12,
    "350600": 11,
    "350700": 10,
    "350800": 7,
    "350900": 9,
}
REPLACED = {
    "350182": "350112",  # 长乐市 → 长乐区
    "350402": "350404",  # 梅列区 → 三元区
    "350403": "350404",  # old 三元区 → new 三元区
    "350427": "350405",  # 沙县 → 沙县区
    "350681": "350604",  # 龙海市 → 龙海区
    "350625": "350605",  # 长泰县 → 长泰区
    "350784": "350703",  # 建阳市 → 建阳区
    "350822": "350803",  # 永定县 → 永定区
}


def county_codes() -> set[str]:
    return set(Division.objects.filter(level=DivisionLevel.COUNTY).values_list("code", flat=True))


def test_the_province_has_84_county_level_divisions() -> None:
    assert Division.objects.filter(level=DivisionLevel.COUNTY).count() == 84
    assert Division.objects.filter(level=DivisionLevel.COUNTY, gb_level="district").count() == 31
    assert Division.objects.filter(level=DivisionLevel.COUNTY, gb_level="county_level_city").count() == 11
    assert Division.objects.filter(level=DivisionLevel.COUNTY, gb_level="county").count() == 42


def test_the_province_has_nine_prefecture_cities() -> None:
    cities = dict(Division.objects.filter(level=DivisionLevel.CITY).values_list("code", "name"))
    assert cities == PREFECTURES


def test_the_province_is_350000_and_heads_the_cities() -> None:
    province = Division.objects.get(level=DivisionLevel.PROVINCE)
    assert (province.code, province.name, province.city_code) == ("350000", "福建省", "")
    assert set(Division.objects.filter(level=DivisionLevel.CITY).values_list("parent_code", flat=True)) == {"350000"}
    assert set(Division.objects.filter(level=DivisionLevel.CITY).values_list("city_code", flat=True)) == set(
        PREFECTURES
    )


def test_every_county_answers_to_its_prefecture_except_pingtan() -> None:
    for county in Division.objects.filter(level=DivisionLevel.COUNTY).exclude(code="350128"):
        assert county.city_code == county.parent_code, county
        assert county.city_code == county.code[:4] + "00", county


def test_pingtan_is_a_city_level_jurisdiction_of_its_own() -> None:
    pingtan = Division.objects.get(code="350128")
    assert pingtan.name == "平潭县"
    assert pingtan.parent_code == "350100"  # in the national code list it sits under 福州
    assert pingtan.city_code == "350128"


def test_fuzhous_jurisdiction_leaves_out_pingtan() -> None:
    fuzhou = counties_of(DivisionLevel.CITY, "350100")
    assert "350128" not in fuzhou
    assert {"350102", "350112", "350181"} <= fuzhou
    assert len(fuzhou) == COUNTIES_PER_PREFECTURE["350100"] - 1


def test_pingtans_jurisdiction_is_pingtan_alone() -> None:
    assert counties_of(DivisionLevel.CITY, "350128") == {"350128"}


@pytest.mark.parametrize(("city", "count"), sorted(COUNTIES_PER_PREFECTURE.items()))
def test_each_city_has_its_counties(city: str, count: int) -> None:
    counties = counties_of(DivisionLevel.CITY, city)
    assert len(counties) == count - (1 if city == "350100" else 0)
    assert all(code[:4] == city[:4] for code in counties)


def test_the_city_jurisdictions_and_pingtan_partition_the_province() -> None:
    parts = [counties_of(DivisionLevel.CITY, city) for city in [*PREFECTURES, "350128"]]
    assert sum(len(p) for p in parts) == 84
    assert set().union(*parts) == county_codes() == counties_of(DivisionLevel.PROVINCE, "350000")


def test_a_county_jurisdiction_is_the_county_itself() -> None:
    assert counties_of(DivisionLevel.COUNTY, "350102") == {"350102"}


@pytest.mark.parametrize(("old", "new"), sorted(REPLACED.items()))
def test_a_replaced_code_maps_to_its_successor(old: str, new: str) -> None:
    change = DivisionChange.objects.get(old_code=old)
    assert change.new_code_id == new
    assert change.new_code.level == DivisionLevel.COUNTY


def test_no_replaced_code_is_still_a_current_division() -> None:
    assert DivisionChange.objects.count() == len(REPLACED)
    assert not Division.objects.filter(code__in=REPLACED).exists()


def test_the_2022_minimum_wages_load_as_fen() -> None:
    wages = {
        w.tier: (w.monthly_fen, w.hourly_fen) for w in MinimumWage.objects.filter(effective_from=dt.date(2022, 4, 1))
    }
    assert wages == {1: (203000, 2100), 2: (196000, 2050), 3: (181000, 1900), 4: (166000, 1750)}


def test_every_minimum_wage_row_is_unconfirmed_until_someone_checks_it() -> None:
    # The 2022 hourly figures and the whole 2020 table have no source found yet.
    assert MinimumWage.objects.count() == 8
    assert not MinimumWage.objects.filter(confirmed=True).exists()


def test_every_county_tier_loads_unconfirmed() -> None:
    assert CountyWageTier.objects.count() == 83  # 84 counties but 金门县, whose tier is unknown
    assert not CountyWageTier.objects.filter(confirmed=True).exists()
    assert not CountyWageTier.objects.filter(division_id="350527").exists()
    assert set(CountyWageTier.objects.values_list("tier", flat=True)) == {1, 2, 3, 4}


def test_every_county_tier_belongs_to_a_current_county() -> None:
    assert set(CountyWageTier.objects.values_list("division_id", flat=True)) == county_codes() - {"350527"}


@pytest.mark.parametrize(
    ("code", "short"),
    [
        ("350102", "鼓楼"),
        ("350181", "福清"),
        ("350405", "沙县"),
        ("350128", "平潭"),
        ("350100", "福州"),
        ("350000", "福建"),
    ],
)
def test_a_division_has_its_short_name(code: str, short: str) -> None:
    assert Division.objects.get(code=code).short_name == short


@pytest.mark.parametrize(
    ("name", "short"),
    [
        ("鼓楼区", "鼓楼"),
        ("福清市", "福清"),
        ("沙县区", "沙县"),
        ("武夷山市", "武夷山"),
        ("沙县", "沙县"),
        ("和平县", "和平"),
    ],
)
def test_short_name_drops_the_suffix_but_keeps_two_characters(name: str, short: str) -> None:
    assert short_name(name) == short


def test_every_short_name_is_at_least_two_characters_and_a_prefix_of_the_name() -> None:
    for division in Division.objects.all():
        assert len(division.short_name) >= 2, division
        assert division.name.startswith(division.short_name), division
