"""The cast of users every test can call on, with their offices.

province (省厅), fuzhou (福州市局), gulou (鼓楼区), siming (思明区, 厦门), pingtan
(平潭综合实验区), mediator (鼓楼区调解员), enterprise (an enterprise clerk), auditor,
outsider (logged in, no office).
"""

from __future__ import annotations

from typing import Any

import pytest

from anxin.core.choices import DivisionLevel, Role
from anxin.core.models import Organisation, User


def make_user(username: str, role: str, org: Organisation | None) -> User:
    return User.objects.create_user(
        username=username, password="pw-" + username, role=role, organisation=org, display_name=username
    )


def org(name: str, level: str, code: str, uscc: str = "") -> Organisation:
    return Organisation.objects.create(name=name, level=level, division_id=code, enterprise_uscc=uscc)


@pytest.fixture
def province(db: Any) -> User:
    return make_user(
        "province", Role.PROVINCE_OFFICER, org("福建省人力资源和社会保障厅", DivisionLevel.PROVINCE, "350000")
    )


@pytest.fixture
def fuzhou(db: Any) -> User:
    return make_user("fuzhou", Role.CITY_OFFICER, org("福州市人力资源和社会保障局", DivisionLevel.CITY, "350100"))


@pytest.fixture
def xiamen(db: Any) -> User:
    return make_user("xiamen", Role.CITY_OFFICER, org("厦门市人力资源和社会保障局", DivisionLevel.CITY, "350200"))


@pytest.fixture
def gulou(db: Any) -> User:
    return make_user("gulou", Role.COUNTY_OFFICER, org("鼓楼区人力资源和社会保障局", DivisionLevel.COUNTY, "350102"))


@pytest.fixture
def siming(db: Any) -> User:
    return make_user("siming", Role.COUNTY_OFFICER, org("思明区人力资源和社会保障局", DivisionLevel.COUNTY, "350203"))


@pytest.fixture
def pingtan(db: Any) -> User:
    return make_user("pingtan", Role.CITY_OFFICER, org("平潭综合实验区社会事业局", DivisionLevel.CITY, "350128"))


@pytest.fixture
def mediator(db: Any) -> User:
    return make_user("mediator", Role.MEDIATOR, org("鼓楼区劳动人事争议调解中心", DivisionLevel.COUNTY, "350102"))


@pytest.fixture
def auditor(db: Any) -> User:
    return make_user("auditor", Role.AUDITOR, None)


@pytest.fixture
def outsider(db: Any) -> User:
    return make_user("outsider", "", None)


@pytest.fixture
def enterprise_user(db: Any) -> Any:
    from tests.factories import CONTRACTOR

    return make_user(
        "enterprise", Role.ENTERPRISE, org("厦门建工集团有限公司", DivisionLevel.COUNTY, "350203", CONTRACTOR)
    )
