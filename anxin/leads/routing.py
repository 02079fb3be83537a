"""Routing a lead to the county office that must act: a pure decision over a gazetteer.

Order (first that gives a county wins; docs/leads.md):
1. ``project`` — the registry project's county (a QR complaint names its project);
2. ``region`` — the lead's region code when it is a county of the province (a replaced
   code maps to its successor; a city code alone is not enough);
3. ``address`` — county names parsed from the address: full names (鼓楼区), former names
   (长乐市, 梅列区, 沙县) anywhere; short forms (鼓楼, 福清) only at the start of the
   address or right after a city; a county must agree with any city the address names,
   and a county preceded by a city outside Fujian (南京市鼓楼区) or an address in another
   province is not ours;
4. ``enterprise`` — the target enterprise's registered county, if in Fujian;
5. ``manual`` — the province's queue, routed by hand.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field

from anxin.leads.choices import RoutedBy

#: Provincial-level divisions other than Fujian: an address starting with one is not ours.
OTHER_PROVINCES = (
    "北京", "天津", "河北", "山西", "内蒙古", "辽宁", "吉林", "黑龙江", "上海", "江苏", "浙江", "安徽",
    "江西", "山东", "河南", "湖北", "湖南", "广东", "广西", "海南", "重庆", "四川", "贵州", "云南",
    "西藏", "陕西", "甘肃", "青海", "宁夏", "新疆", "台湾", "香港", "澳门",
)  # fmt: skip


@dataclass(frozen=True)
class County:
    code: str
    name: str
    short_name: str
    city_code: str
    parent_code: str


@dataclass(frozen=True)
class Gazetteer:
    """The province's divisions as routing needs them (built from core.Division/DivisionChange)."""

    counties: dict[str, County]
    #: city code -> (full name, short name)
    cities: dict[str, tuple[str, str]]
    #: replaced code -> successor code
    successors: dict[str, str] = field(default_factory=dict)
    #: former name (长乐市) -> successor county code
    former_names: dict[str, str] = field(default_factory=dict)

    @classmethod
    def from_db(cls) -> Gazetteer:
        from anxin.core.models import Division, DivisionChange

        counties: dict[str, County] = {}
        cities: dict[str, tuple[str, str]] = {}
        for d in Division.objects.all():
            if d.level == "county":
                counties[d.code] = County(d.code, d.name, d.short_name, d.city_code, d.parent_code)
            elif d.level == "city":
                cities[d.code] = (d.name, d.short_name)
        successors: dict[str, str] = {}
        former: dict[str, str] = {}
        for change in DivisionChange.objects.all():
            successors[change.old_code] = change.new_code_id
            former[change.old_name] = change.new_code_id
        return cls(counties=counties, cities=cities, successors=successors, former_names=former)

    def county(self, code: str | None) -> str | None:
        """A county code of the province (a replaced code mapped to its successor), else None."""
        if not code:
            return None
        code = self.successors.get(code, code)
        return code if code in self.counties else None

    def _aliases(self) -> list[tuple[str, str, bool]]:
        """(alias, county code, is_short) longest first."""
        found: dict[str, tuple[str, bool]] = {}
        for c in self.counties.values():
            found[c.name] = (c.code, False)
            if c.short_name and c.short_name != c.name:
                found.setdefault(c.short_name, (c.code, True))
        for old_name, code in self.former_names.items():
            if code in self.counties:
                found.setdefault(old_name, (code, False))
                short = re.sub(r"(区|县|市)$", "", old_name)
                if len(short) >= 2:
                    found.setdefault(short, (code, True))
        if "350128" in self.counties:
            found["平潭综合实验区"] = ("350128", False)
            found["平潭实验区"] = ("350128", False)
        return sorted(((a, code, short) for a, (code, short) in found.items()), key=lambda t: -len(t[0]))

    def _known_places(self) -> set[str]:
        places = {short for _full, short in self.cities.values()}
        places |= {c.short_name for c in self.counties.values()}
        return places

    def parse_address(self, address: str | None) -> str | None:
        """The county an address names (module docstring, step 3), else None."""
        if not address:
            return None
        text = re.sub(r"\s+", "", unicodedata.normalize("NFKC", address))
        if text.startswith(OTHER_PROVINCES):
            return None
        start = 0
        for prefix in ("福建省", "福建"):
            if text.startswith(prefix):
                start = len(prefix)
                break
        # Cities the address names, and where a city's name ends (a short county name may follow it).
        mentioned: set[str] = set()
        city_ends: set[int] = {start}
        for code, (full, short) in self.cities.items():
            for form in (full, short):
                for m in re.finditer(re.escape(form), text):
                    if form == full or m.start() == start:
                        mentioned.add(code)
                        city_ends.add(m.end())
        places = self._known_places()
        taken: list[tuple[int, int]] = []
        candidates: list[tuple[int, str]] = []
        for alias, code, is_short in self._aliases():
            for m in re.finditer(re.escape(alias), text):
                if any(m.start() < e and s < m.end() for s, e in taken):
                    continue
                if is_short and m.start() not in city_ends:
                    continue
                taken.append((m.start(), m.end()))
                before = text[: m.start()]
                if before.endswith("市"):
                    head = before[:-1]
                    if not any(head.endswith(p) for p in places):
                        continue  # 南京市鼓楼区: a namesake outside Fujian
                candidates.append((m.start(), code))
        if mentioned:
            candidates = [
                (pos, code)
                for pos, code in candidates
                if self.counties[code].city_code in mentioned or self.counties[code].parent_code in mentioned
            ]
        if not candidates:
            return None
        return min(candidates)[1]


@dataclass(frozen=True)
class Routing:
    region_code: str  # "" for the manual queue
    routed_by: RoutedBy

    @property
    def automatic(self) -> bool:
        return self.routed_by != RoutedBy.MANUAL


def route(
    gazetteer: Gazetteer,
    *,
    project_region: str | None = None,
    region_code: str | None = None,
    address: str | None = None,
    enterprise_region: str | None = None,
) -> Routing:
    """The county office for a lead (module docstring). ``project_region`` comes from the
    registry project, ``enterprise_region`` from the registry enterprise (current versions)."""
    county = gazetteer.county(project_region)
    if county:
        return Routing(county, RoutedBy.PROJECT)
    county = gazetteer.county(region_code)
    if county:
        return Routing(county, RoutedBy.REGION)
    county = gazetteer.parse_address(address)
    if county:
        return Routing(county, RoutedBy.ADDRESS)
    county = gazetteer.county(enterprise_region)
    if county:
        return Routing(county, RoutedBy.ENTERPRISE)
    return Routing("", RoutedBy.MANUAL)
