"""core services: accounts and offices."""

from __future__ import annotations

from dataclasses import dataclass

from django.db import transaction

from anxin.core.choices import DivisionLevel, Role
from anxin.core.models import Organisation, User

DEMO_PASSWORD = "anxin-demo-2026"


@dataclass(frozen=True)
class DemoAccount:
    username: str
    display_name: str
    role: str
    office: str
    level: str
    division: str


DEMO_ACCOUNTS = [
    DemoAccount("admin", "系统管理员", Role.ADMINISTRATOR, "", "", ""),
    DemoAccount(
        "province",
        "省厅劳动监察处",
        Role.PROVINCE_OFFICER,
        "福建省人力资源和社会保障厅",
        DivisionLevel.PROVINCE,
        "350000",
    ),
    DemoAccount(
        "fuzhou", "福州市局监察支队", Role.CITY_OFFICER, "福州市人力资源和社会保障局", DivisionLevel.CITY, "350100"
    ),
    DemoAccount(
        "gulou",
        "鼓楼区劳动监察大队",
        Role.COUNTY_OFFICER,
        "福州市鼓楼区人力资源和社会保障局",
        DivisionLevel.COUNTY,
        "350102",
    ),
    DemoAccount(
        "xiamen", "厦门市局监察支队", Role.CITY_OFFICER, "厦门市人力资源和社会保障局", DivisionLevel.CITY, "350200"
    ),
    DemoAccount(
        "siming",
        "思明区劳动监察大队",
        Role.COUNTY_OFFICER,
        "厦门市思明区人力资源和社会保障局",
        DivisionLevel.COUNTY,
        "350203",
    ),
    DemoAccount(
        "pingtan",
        "平潭综合实验区社会事业局",
        Role.CITY_OFFICER,
        "平潭综合实验区社会事业局",
        DivisionLevel.CITY,
        "350128",
    ),
    DemoAccount(
        "mediator", "鼓楼区调解员", Role.MEDIATOR, "福州市鼓楼区劳动人事争议调解中心", DivisionLevel.COUNTY, "350102"
    ),
    DemoAccount("auditor", "审计员", Role.AUDITOR, "", "", ""),
]


@transaction.atomic
def ensure_demo_accounts(password: str = DEMO_PASSWORD) -> list[DemoAccount]:
    """Create (or reset) the demo offices and accounts. For the demo only."""
    for account in DEMO_ACCOUNTS:
        org = None
        if account.office:
            org, _ = Organisation.objects.get_or_create(
                name=account.office, defaults={"level": account.level, "division_id": account.division}
            )
        user, _ = User.objects.get_or_create(username=account.username)
        user.display_name = account.display_name
        # Warning notices are e-mailed to an office's officers (in the demo, written to $ANXIN_VAR/mail).
        user.email = f"{account.username}@demo.anxin.local"
        user.role = account.role
        user.organisation = org
        user.is_staff = account.role == Role.ADMINISTRATOR
        user.is_superuser = account.role == Role.ADMINISTRATOR
        user.set_password(password)
        user.save()
    return DEMO_ACCOUNTS
