"""The registry of the synthetic province: enterprises, projects, people, employments.

Everything is drawn from one seeded ``numpy.random.Generator`` in a fixed order; the
per-employment arrays are numpy so that a province of a million workers builds in seconds.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from anxin.core.calendar import SPRING_FESTIVAL
from anxin.synth import ids
from anxin.synth import reference as ref

PROVINCE_SHORT = {
    "51": "四川",
    "50": "重庆",
    "52": "贵州",
    "36": "江西",
    "43": "湖南",
    "41": "河南",
    "34": "安徽",
    "53": "云南",
    "35": "福建",
    "11": "北京",
    "31": "上海",
    "44": "广东",
    "42": "湖北",
}
#: Head offices of out-of-province general contractors (real district codes).
OUTSIDE_CONTRACTOR_REGIONS = ("110108", "310115", "440304", "510107", "420106", "430104")


def ordinal(day: dt.date) -> int:
    return day.toordinal()


def from_ordinal(o: int) -> dt.date:
    return dt.date.fromordinal(int(o))


def iso(o: int) -> str:
    return dt.date.fromordinal(int(o)).isoformat()


@dataclass
class Enterprise:
    uscc: str
    name: str
    kind: str
    region_code: str
    industry_code: str
    legal_rep: str
    established_on: str
    updated_at: str
    bank: int
    account_no: str  # its general (basic) account
    headcount: int  # insured staff
    kwh_per_head: float
    address: str


@dataclass
class World:
    start: dt.date
    end: dt.date
    counties: tuple[ref.County, ...]
    enterprises: list[Enterprise]
    builders: list[int]
    contractors: list[int]
    subs: list[int]
    employers: list[int]
    # projects (index p)
    p_code: list[str]
    p_name: list[str]
    p_county: np.ndarray
    p_address: list[str]
    p_builder: np.ndarray
    p_contractor: np.ndarray
    p_subs: np.ndarray  # (P, 5) enterprise index or -1
    p_funding: list[str]
    p_contract_fen: np.ndarray
    p_labor_fen: np.ndarray
    p_cycle: np.ndarray
    p_start: np.ndarray  # ordinal
    p_planned_end: np.ndarray
    p_actual_end: np.ndarray  # ordinal or 0
    p_account: list[str | None]
    p_bank: np.ndarray
    p_account_opened: np.ndarray
    p_deposit_form: list[str]
    p_deposit_fen: np.ndarray
    p_notice_board: np.ndarray
    p_manager: list[str | None]
    p_updated: list[str]
    p_method: np.ndarray  # main attendance method index
    p_sunday_rest: np.ndarray
    p_lag: np.ndarray  # working days a project pays before the due date
    p_headcount: np.ndarray
    # employments (index e); registered=False rows are people on site without registration
    e_proj: np.ndarray = field(default_factory=lambda: np.empty(0, np.int64))
    e_person: np.ndarray = field(default_factory=lambda: np.empty(0, np.int64))
    e_employer: np.ndarray = field(default_factory=lambda: np.empty(0, np.int64))
    e_trade: np.ndarray = field(default_factory=lambda: np.empty(0, np.int64))
    e_team: list[str] = field(default_factory=list)
    e_team_id: np.ndarray = field(default_factory=lambda: np.empty(0, np.int64))
    e_signed: np.ndarray = field(default_factory=lambda: np.empty(0, bool))
    e_start: np.ndarray = field(default_factory=lambda: np.empty(0, np.int64))
    e_end: np.ndarray = field(default_factory=lambda: np.empty(0, np.int64))  # ordinal, or a far future
    e_wage_type: np.ndarray = field(default_factory=lambda: np.empty(0, np.int64))  # 0 daily 1 monthly 2 piece
    e_rate_fen: np.ndarray = field(default_factory=lambda: np.empty(0, np.int64))
    e_pay_day: np.ndarray = field(default_factory=lambda: np.empty(0, np.int64))
    e_prop: np.ndarray = field(default_factory=lambda: np.empty(0, np.float64))
    e_leave: np.ndarray = field(default_factory=lambda: np.empty(0, np.int64))
    e_return: np.ndarray = field(default_factory=lambda: np.empty(0, np.int64))
    e_presence: np.ndarray = field(default_factory=lambda: np.empty(0, np.float64))  # 0 = never attends (ghost)
    e_registered: np.ndarray = field(default_factory=lambda: np.empty(0, bool))
    # people (index i)
    people_ids: pa.Array | None = None
    people_names: pa.Array | None = None
    people_phone: pa.Array | None = None
    people_card: pa.Array | None = None
    people_bank: np.ndarray | None = None
    people_home: np.ndarray | None = None
    people_listed: np.ndarray | None = None  # False: not in the people feed

    @property
    def n_projects(self) -> int:
        return len(self.p_code)


FAR = dt.date(2100, 1, 1).toordinal()
WAGE_TYPES = ("daily", "monthly", "piece")
METHODS = ("face", "card", "fingerprint", "manual")


def _weighted(rng: np.random.Generator, items: tuple, n: int) -> np.ndarray:
    w = np.array([x[-1] if not isinstance(x, ref.County) else x.weight for x in items], dtype=float)
    return rng.choice(len(items), size=n, p=w / w.sum())


def person_name(rng: np.random.Generator) -> str:
    s = ref.SURNAMES[int(_weighted(rng, ref.SURNAMES, 1)[0])][0]
    k = 1 if rng.random() < 0.25 else 2
    return s + "".join(ref.GIVEN_CHARS[int(i)] for i in rng.integers(0, len(ref.GIVEN_CHARS), size=k))


def _names(rng: np.random.Generator, n: int) -> pa.Array:
    sw = np.array([w for _, w in ref.SURNAMES], dtype=float)
    sur = pa.array([s for s, _ in ref.SURNAMES]).take(pa.array(rng.choice(len(sw), size=n, p=sw / sw.sum())))
    chars = pa.array(list(ref.GIVEN_CHARS))
    g1 = chars.take(pa.array(rng.integers(0, len(ref.GIVEN_CHARS), size=n)))
    g2 = chars.take(pa.array(rng.integers(0, len(ref.GIVEN_CHARS), size=n)))
    two = pa.array(rng.random(n) < 0.75)
    g2 = pc.if_else(two, g2, pa.scalar("", pa.string()))
    return pc.binary_join_element_wise(sur, g1, g2, "")


def _address(rng: np.random.Generator, county: ref.County) -> str:
    road = ref.ROADS[int(rng.integers(0, len(ref.ROADS)))]
    return f"{county.city_name}{county.name}{road}{int(rng.integers(1, 400))}号"


def _ts(rng: np.random.Generator, day: int) -> str:
    secs = int(rng.integers(8 * 3600, 19 * 3600))
    return f"{iso(day)} {secs // 3600:02d}:{secs % 3600 // 60:02d}:{secs % 60:02d}"


def build_enterprises(
    rng: np.random.Generator, counties: tuple[ref.County, ...], n_projects: int, n_employers: int, start: dt.date
) -> tuple[list[Enterprise], list[int], list[int], list[int], list[int]]:
    ents: list[Enterprise] = []
    used_uscc: set[str] = set()
    used_names: set[str] = set()
    cw = np.array([c.weight for c in counties])
    cw = cw / cw.sum()
    other = ref.HOMETOWNS_OTHER
    ow = np.array([w for _, w in other], dtype=float)
    ow = ow / ow.sum()
    s0 = start.toordinal()

    def unique_name(make) -> str:
        for _ in range(200):
            name = make()
            if name not in used_names:
                used_names.add(name)
                return name
        n = len(used_names)
        name = make()[:-4] + f"{n}有限公司"
        used_names.add(name)
        return name

    def add(
        kind: str,
        region: str,
        name: str,
        industry: str,
        authority: str,
        headcount: int,
        kwh: float,
        address_county: ref.County | None,
    ) -> int:
        while True:
            body = f"{int(rng.integers(0, 10**8)):08d}"
            code = ids.uscc(authority, region, body)
            if code not in used_uscc:
                used_uscc.add(code)
                break
        est = s0 - int(rng.integers(400, 9000))
        upd = s0 - int(rng.integers(20, 380))
        bank = int(_weighted(rng, ref.BANKS, 1)[0])
        addr = _address(rng, address_county) if address_county else f"{PROVINCE_SHORT.get(region[:2], '')}{region}"
        ents.append(
            Enterprise(
                code,
                name,
                kind,
                region,
                industry,
                person_name(rng),
                iso(est),
                _ts(rng, upd),
                bank,
                f"{int(rng.integers(10**15, 10**16))}{int(rng.integers(100, 999))}",
                headcount,
                kwh,
                addr,
            )
        )
        return len(ents) - 1

    def word() -> str:
        return ref.FIRM_WORDS[int(rng.integers(0, len(ref.FIRM_WORDS)))]

    builders, contractors, subs, employers = [], [], [], []
    gov_offices = ("住房和城乡建设局", "教育局", "卫生健康局", "交通运输局", "城市管理局", "水利局")
    for _ in range(max(3, round(n_projects * 0.45))):
        c = counties[int(rng.choice(len(counties), p=cw))]
        city = c.city_name.removesuffix("市")
        r = rng.random()
        if r < 0.3:
            name = unique_name(lambda c=c: c.name + gov_offices[int(rng.integers(0, len(gov_offices)))])
            builders.append(add("builder", c.code, name, "S92", "11", int(rng.integers(20, 150)), 120, c))
        elif r < 0.5:
            name = unique_name(lambda city=city: f"{city}{word()}城市建设投资集团有限公司")
            builders.append(add("builder", c.code, name, "K70", "91", int(rng.integers(30, 300)), 150, c))
        else:
            name = unique_name(
                lambda city=city: f"{city}{word()}{('置业', '房地产开发', '地产')[int(rng.integers(0, 3))]}有限公司"
            )
            builders.append(add("builder", c.code, name, "K70", "91", int(rng.integers(10, 120)), 150, c))
    for _ in range(max(3, round(n_projects * 0.3))):
        if rng.random() < 0.12:
            region = OUTSIDE_CONTRACTOR_REGIONS[int(rng.integers(0, len(OUTSIDE_CONTRACTOR_REGIONS)))]
            name = unique_name(lambda: f"中{('建', '铁', '交', '冶')[int(rng.integers(0, 4))]}{word()}建设有限公司")
            contractors.append(
                add("general_contractor", region, name, "E47", "91", int(rng.integers(200, 1500)), 250, None)
            )
            continue
        c = counties[int(rng.choice(len(counties), p=cw))]
        city = c.city_name.removesuffix("市")
        pat = (
            "福建{w}建设工程有限公司",
            "福建省{w}建筑工程有限公司",
            "{c}{w}建工集团有限公司",
            "福建{w}建设集团有限公司",
        )
        name = unique_name(lambda city=city, pat=pat: pat[int(rng.integers(0, 4))].format(w=word(), c=city))
        ind = "E48" if "工程" in name and rng.random() < 0.2 else "E47"
        contractors.append(add("general_contractor", c.code, name, ind, "91", int(rng.integers(60, 900)), 250, c))
    for _ in range(max(4, round(n_projects * 0.6))):
        if rng.random() < 0.45:
            region = other[int(rng.choice(len(other), p=ow))][0]
            prov = PROVINCE_SHORT[region[:2]]
            name = unique_name(lambda prov=prov: f"{prov}{word()}劳务有限公司")
            subs.append(add("subcontractor", region, name, "E47", "91", int(rng.integers(8, 120)), 200, None))
            continue
        c = counties[int(rng.choice(len(counties), p=cw))]
        city = c.city_name.removesuffix("市")
        sub_pat = (
            ("{c}{w}建筑劳务分包有限公司", "E47"),
            ("福建{w}钢结构工程有限公司", "E48"),
            ("{c}{w}机电安装工程有限公司", "E49"),
            ("{c}{w}幕墙装饰工程有限公司", "E50"),
            ("福建{w}劳务有限公司", "E47"),
        )
        i = int(rng.integers(0, len(sub_pat)))
        name = unique_name(lambda city=city, i=i, sub_pat=sub_pat: sub_pat[i][0].format(w=word(), c=city))
        subs.append(add("subcontractor", c.code, name, sub_pat[i][1], "91", int(rng.integers(10, 250)), 220, c))
    for _ in range(n_employers):
        c = counties[int(rng.choice(len(counties), p=cw))]
        city = c.city_name.removesuffix("市")
        k = ref.EMPLOYER_KINDS[int(rng.integers(0, len(ref.EMPLOYER_KINDS)))]
        prefix = c.name.removesuffix("区").removesuffix("县").removesuffix("市") if rng.random() < 0.5 else city
        name = unique_name(lambda k=k, prefix=prefix: prefix + k[0].format(w=word()))
        head = int(np.clip(rng.lognormal(np.log(120), 0.9), 12, 5000))
        employers.append(add("employer", c.code, name, k[1], "91", head, k[2] * rng.uniform(0.7, 1.3), c))
    return ents, builders, contractors, subs, employers


def build_world(
    rng: np.random.Generator, n_projects: int, n_workers: int, n_employers: int, start: dt.date, end: dt.date
) -> World:
    counties = ref.counties()
    ents, builders, contractors, subs, employers = build_enterprises(rng, counties, n_projects, n_employers, start)
    P = n_projects
    s0, e0 = start.toordinal(), end.toordinal()
    days = e0 - s0 + 1
    cw = np.array([c.weight for c in counties])
    p_county = rng.choice(len(counties), size=P, p=cw / cw.sum())
    in_window = rng.random(P) < (0.08 if days >= 30 else 0.0)
    p_start = np.where(
        in_window, s0 + (rng.random(P) * days * 0.5).astype(np.int64), s0 - rng.integers(45, 800, size=P)
    )
    p_planned = p_start + rng.integers(420, 1200, size=P)
    p_planned = np.maximum(p_planned, e0 + rng.integers(20, 400, size=P))
    head = np.clip(rng.lognormal(np.log(80), 0.75, size=P), 15, 2500)
    head = np.maximum(15, np.round(head * n_workers / head.sum())).astype(np.int64)
    contract = np.round(head * rng.lognormal(np.log(800_000), 0.35, size=P), -4)  # yuan
    contract_fen = (contract * 100).astype(np.int64)
    labor_fen = (np.round(contract * rng.uniform(0.18, 0.30, size=P), -2) * 100).astype(np.int64)
    # Builders and contractors hold several projects each (a few hold many).
    bw = rng.pareto(1.2, size=len(builders)) + 1
    cwt = rng.pareto(1.1, size=len(contractors)) + 1
    sw = rng.pareto(1.3, size=len(subs)) + 1
    p_builder = np.array(builders)[rng.choice(len(builders), size=P, p=bw / bw.sum())]
    p_contractor = np.array(contractors)[rng.choice(len(contractors), size=P, p=cwt / cwt.sum())]
    n_sub = np.clip(1 + head // 70, 1, 5)
    p_subs = np.full((P, 5), -1, dtype=np.int64)
    for p in range(P):  # a loop over projects, a few thousand at most
        p_subs[p, : n_sub[p]] = np.array(subs)[rng.choice(len(subs), size=n_sub[p], replace=False, p=sw / sw.sum())]
    p_funding = []
    for p in range(P):
        b = ents[p_builder[p]]
        p_funding.append(
            "government" if b.industry_code == "S92" else "state_owned" if "城市建设投资" in b.name else "private"
        )
    p_cycle = rng.choice(np.array([30, 30, 30, 30, 25, 20, 15]), size=P)
    codes, names, addresses = [], [], []
    used_seq: set[int] = set()
    used_names: set[str] = set()
    for p in range(P):
        c = counties[p_county[p]]
        while True:
            seq = int(rng.integers(1, 900000))
            if seq not in used_seq:
                used_seq.add(seq)
                break
        pt = ref.PROJECT_TYPES[int(_weighted(rng, tuple((a, b) for a, b, _ in ref.PROJECT_TYPES), 1)[0])]
        year = from_ordinal(p_start[p]).year
        codes.append(f"{year}-{c.code}-{pt[2]}-01-{seq:06d}")
        for _ in range(50):
            place = ref.PLACE_WORDS[int(rng.integers(0, len(ref.PLACE_WORDS)))]
            name = f"{c.name.rstrip('区县市') if len(c.name) > 2 else c.name}{place}{pt[0].format(n='一二三四'[int(rng.integers(0, 4))])}"
            if name not in used_names:
                break
            name = f"{name[:-2]}（{len(used_names)}号地块）{name[-2:]}"
            if name not in used_names:
                break
        used_names.add(name)
        names.append(name)
        addresses.append(_address(rng, c))
    p_bank = _weighted(rng, ref.BANKS, P)
    p_account = [f"{3500 + int(rng.integers(0, 99)):04d}{int(rng.integers(10**13, 10**14))}" for _ in range(P)]
    p_opened = p_start - rng.integers(0, 25, size=P)
    required = np.minimum(contract_fen * 15 // 1000, 5_000_000 * 100)
    forms = np.array(["cash", "guarantee", "insurance", "exempt"])
    p_form = list(forms[rng.choice(4, size=P, p=[0.3, 0.4, 0.2, 0.1])])
    p_deposit = ((required * rng.uniform(1.0, 1.3, size=P)) // 1_000_000 + 1) * 1_000_000
    p_deposit = np.where(np.array(p_form) == "exempt", 0, p_deposit).astype(np.int64)
    p_manager = [person_name(rng) for _ in range(P)]
    p_updated = [_ts(rng, int(min(p_start[p], s0) - rng.integers(1, 20))) for p in range(P)]
    world = World(
        start=start,
        end=end,
        counties=counties,
        enterprises=ents,
        builders=builders,
        contractors=contractors,
        subs=subs,
        employers=employers,
        p_code=codes,
        p_name=names,
        p_county=p_county,
        p_address=addresses,
        p_builder=p_builder,
        p_contractor=p_contractor,
        p_subs=p_subs,
        p_funding=p_funding,
        p_contract_fen=contract_fen,
        p_labor_fen=labor_fen,
        p_cycle=p_cycle,
        p_start=p_start,
        p_planned_end=p_planned,
        p_actual_end=np.zeros(P, dtype=np.int64),
        p_account=list(p_account),
        p_bank=p_bank,
        p_account_opened=p_opened,
        p_deposit_form=p_form,
        p_deposit_fen=p_deposit,
        p_notice_board=np.ones(P, dtype=bool),
        p_manager=list(p_manager),
        p_updated=p_updated,
        p_method=rng.choice(4, size=P, p=[0.82, 0.09, 0.06, 0.03]),
        p_sunday_rest=rng.random(P) < 0.2,
        p_lag=rng.choice(np.array([0, 0, 0, 1, 1, 2]), size=P),
        p_headcount=head,
    )
    build_employments(world, rng)
    return world


def build_employments(w: World, rng: np.random.Generator) -> None:
    """Teams of workers on every project, with turnover and the Spring Festival's comings and goings."""
    s0, e0 = w.start.toordinal(), w.end.toordinal()
    P = w.n_projects
    proj = np.repeat(np.arange(P), w.p_headcount)
    n = proj.size
    tw = np.array([t.weight for t in ref.TRADES])
    trade = rng.choice(len(ref.TRADES), size=n, p=tw / tw.sum())
    # Start dates: those already on site joined before the window; a project that starts in
    # the window ramps up over its first six weeks.
    started_before = w.p_start[proj] < s0
    start = np.where(
        started_before,
        np.maximum(w.p_start[proj] + rng.integers(0, 60, size=n), s0 - rng.integers(0, 420, size=n)),
        w.p_start[proj] + rng.integers(0, 45, size=n),
    )
    start = np.minimum(start, np.where(started_before, s0, start))
    # Turnover: about 3.5 % a month leave; each leaver is replaced by a newcomer.
    end = s0 + rng.exponential(30 / 0.035, size=n).astype(np.int64)
    end = np.where(end < start + 20, start + 20 + rng.integers(0, 30, size=n), end)
    # Around each Spring Festival in the window some leave for good before it, and others come after.
    fest_leave = np.zeros(n, dtype=bool)
    for f in SPRING_FESTIVAL.values():
        fo = f.toordinal()
        if s0 + 10 < fo < e0 + 20:
            leavers = (rng.random(n) < 0.08) & (start < fo - 25)
            end = np.where(leavers & (end > fo), fo - rng.integers(8, 21, size=n), end)
            fest_leave |= leavers
    end = np.where(end > e0, FAR, end)
    repl = np.flatnonzero((end < e0 - 5) & (end != FAR))
    r_start = end[repl] + rng.integers(1, 20, size=repl.size)
    for f in SPRING_FESTIVAL.values():
        fo = f.toordinal()
        near = (end[repl] > fo - 25) & (end[repl] < fo)
        r_start = np.where(near, fo + rng.integers(8, 26, size=repl.size), r_start)
    keep = r_start <= e0
    repl, r_start = repl[keep], r_start[keep]
    proj = np.concatenate([proj, proj[repl]])
    trade = np.concatenate([trade, trade[repl]])
    start = np.concatenate([start, r_start])
    end = np.concatenate([end, np.full(repl.size, FAR)])
    team_key = np.concatenate([np.arange(n), repl])  # a newcomer joins the leaver's team
    n = proj.size
    # Teams: within a project and trade, groups of about 12 in joining order.
    order = np.lexsort((team_key, trade, proj))
    grp = proj[order] * 100 + trade[order]
    first = np.r_[True, grp[1:] != grp[:-1]]
    grp_start = np.maximum.accumulate(np.where(first, np.arange(n), 0))
    rank = np.empty(n, dtype=np.int64)
    rank[order] = np.arange(n) - grp_start
    monthly_trade = np.array([t.wage_type == "monthly" for t in ref.TRADES])
    team_no = np.where(monthly_trade[trade], 0, rank // 12)
    team_id = (proj * 100 + trade) * 1000 + team_no
    # Employer of a team: the contractor for site staff and some teams, else a subcontractor.
    h = (team_id * 2654435761) % 1000003
    n_sub = (w.p_subs >= 0).sum(axis=1)
    slot = np.where(monthly_trade[trade] | (h % 10 < 2), 0, 1 + (h // 10) % n_sub[proj])
    employer = np.where(slot == 0, w.p_contractor[proj], w.p_subs[proj, np.maximum(slot - 1, 0)])
    pay_choices = np.array([5, 8, 10, 10, 12, 15, 15, 15, 18, 20, 20, 25])
    group_pay = rng.choice(pay_choices, size=(P, 6))
    pay_day = group_pay[proj, slot]
    own = rng.random(n) < 0.08
    pay_day = np.where(own, rng.choice(pay_choices, size=n), pay_day)
    t_mean = np.array([t.rate_mean for t in ref.TRADES])
    t_sd = np.array([t.rate_sd for t in ref.TRADES])
    t_piece = np.array([t.piece_share for t in ref.TRADES])
    lo = np.array([t.piece_unit_price[0] for t in ref.TRADES])
    hi = np.array([t.piece_unit_price[1] for t in ref.TRADES])
    wage_type = np.where(monthly_trade[trade], 1, np.where(rng.random(n) < t_piece[trade], 2, 0))
    rate = rng.normal(t_mean[trade], t_sd[trade])
    rate = np.where(wage_type == 1, np.round(rate, -2), np.round(rate, -1))
    rate = np.where(wage_type == 2, np.round(rng.uniform(lo[trade], hi[trade]) * 2) / 2, rate)
    rate_fen = np.round(rate * 100).astype(np.int64)
    signed = np.ones(n, dtype=bool)
    unsigned_share = rng.uniform(0, 0.03, size=P)
    signed &= ~(rng.random(n) < unsigned_share[proj] * 0.8)
    w.e_proj, w.e_trade, w.e_start, w.e_end = proj, trade, start, end
    w.e_team_id, w.e_employer, w.e_pay_day = team_id, employer.astype(np.int64), pay_day
    w.e_wage_type, w.e_rate_fen, w.e_signed = wage_type, rate_fen, signed
    w.e_team = [""] * 0  # filled lazily by team_labels()
    w.e_prop = rng.beta(14, 1.2, size=n)
    stays = rng.random(n) < 0.12
    w.e_leave = np.where(stays, 999, -rng.integers(6, 21, size=n))
    w.e_return = np.where(stays, -999, rng.integers(8, 27, size=n))
    w.e_presence = np.ones(n)
    w.e_registered = np.ones(n, dtype=bool)
    w.e_person = np.arange(n)
    make_people(w, rng, n, monthly_trade[trade])


def make_people(w: World, rng: np.random.Generator, n: int, staff: np.ndarray) -> None:
    """One person per employment: valid resident IDs (hometown, birth date, sex), names, phones, cards."""
    fj = rng.random(n) < ref.FUJIAN_WORKER_SHARE
    home_f = np.array([int(c) for c, _ in ref.HOMETOWNS_FUJIAN])[_weighted(rng, ref.HOMETOWNS_FUJIAN, n)]
    home_o = np.array([int(c) for c, _ in ref.HOMETOWNS_OTHER])[_weighted(rng, ref.HOMETOWNS_OTHER, n)]
    region = np.where(fj, home_f, home_o)
    age = np.where(staff, rng.normal(33, 7, size=n), rng.normal(45, 9, size=n)).clip(18, 62)
    birth = (
        np.datetime64(w.start.isoformat())
        - (age * 365.25).astype(np.int64).astype("timedelta64[D]")
        - rng.integers(0, 365, size=n).astype("timedelta64[D]")
    )
    male = rng.random(n) < np.where(staff, 0.75, 0.93)
    # Sequence numbers unique within (region, birth date): rank in the group, spread out.
    key = region.astype(np.int64) * 100000 + birth.astype(np.int64)
    order = np.argsort(key, kind="stable")
    ks = key[order]
    first = np.r_[True, ks[1:] != ks[:-1]]
    grp_start = np.maximum.accumulate(np.where(first, np.arange(n), 0))
    rank = np.empty(n, dtype=np.int64)
    rank[order] = np.arange(n) - grp_start
    seq = (rank * 7 + rng.integers(0, 7, size=n)) * 2 + male.astype(np.int64)
    assert seq.max() < 1000, "too many people born on one day in one county"
    w.people_ids = ids.id_numbers(region, birth, seq)
    w.people_names = _names(rng, n)
    w.people_phone = ids.phones(n, rng)
    bank = _weighted(rng, ref.BANKS, n)
    bins = np.array([int(b[2]) for b in ref.BANKS])[bank]
    w.people_card = ids.luhn_cards(bins, rng)
    w.people_bank = bank
    w.people_home = region
    w.people_listed = np.ones(n, dtype=bool)


def add_people(w: World, rng: np.random.Generator, n: int, staff: bool = False) -> np.ndarray:
    """Append ``n`` new people (distinct from everyone so far) and return their indices."""
    assert w.people_ids is not None, "build_world makes the people first"
    before = len(w.people_ids)
    old = (w.people_ids, w.people_names, w.people_phone, w.people_card, w.people_bank, w.people_home, w.people_listed)
    existing = w.__dict__.get("_id_set")
    if existing is None:
        existing = set(old[0].to_pylist())
        w.__dict__["_id_set"] = existing
    tmp = World.__new__(World)
    tmp.start = w.start
    for _ in range(20):
        make_people(tmp, rng, n, np.full(n, staff))
        assert tmp.people_ids is not None
        new_ids = tmp.people_ids.to_pylist()
        if not existing.intersection(new_ids) and len(set(new_ids)) == n:
            break
    existing.update(new_ids)
    w.people_ids = pa.concat_arrays([old[0], tmp.people_ids])
    w.people_names = pa.concat_arrays([old[1], tmp.people_names])
    w.people_phone = pa.concat_arrays([old[2], tmp.people_phone])
    w.people_card = pa.concat_arrays([old[3], tmp.people_card])
    w.people_bank = np.concatenate([old[4], tmp.people_bank])
    w.people_home = np.concatenate([old[5], tmp.people_home])
    w.people_listed = np.concatenate([old[6], tmp.people_listed])
    return np.arange(before, before + n)


def add_employments(
    w: World,
    rng: np.random.Generator,
    p: int,
    people: np.ndarray,
    *,
    employer: int,
    trade: int,
    team_id: int,
    start: int,
    end: int,
    wage_type: int,
    rate_fen: int,
    pay_day: int,
    presence: float = 1.0,
    registered: bool = True,
) -> np.ndarray:
    k = people.size
    first = w.e_proj.size

    def cat(a, v):
        return np.concatenate([a, np.full(k, v, dtype=a.dtype)])

    w.e_proj = cat(w.e_proj, p)
    w.e_person = np.concatenate([w.e_person, people])
    w.e_employer = cat(w.e_employer, employer)
    w.e_trade = cat(w.e_trade, trade)
    w.e_team_id = cat(w.e_team_id, team_id)
    w.e_signed = cat(w.e_signed, True)
    w.e_start = cat(w.e_start, start)
    w.e_end = cat(w.e_end, end)
    w.e_wage_type = cat(w.e_wage_type, wage_type)
    w.e_rate_fen = cat(w.e_rate_fen, rate_fen)
    w.e_pay_day = cat(w.e_pay_day, pay_day)
    w.e_prop = np.concatenate([w.e_prop, rng.beta(14, 1.2, size=k)])
    w.e_leave = np.concatenate([w.e_leave, -rng.integers(6, 21, size=k)])
    w.e_return = np.concatenate([w.e_return, rng.integers(8, 27, size=k)])
    w.e_presence = cat(w.e_presence, presence)
    w.e_registered = cat(w.e_registered, registered)
    return np.arange(first, first + k)


def team_labels(w: World) -> pa.Array:
    """班组 labels: '钢筋工二班'; site staff are '项目部'."""
    trade = w.e_trade
    team_no = w.e_team_id % 1000
    monthly = np.array([t.wage_type == "monthly" for t in ref.TRADES])[trade]
    names = pa.array([t.name for t in ref.TRADES]).take(pa.array(trade))
    nums = pa.array(list(ref.TEAM_NUMERALS) + [f"{i}" for i in range(11, 1000)]).take(pa.array(team_no))
    label = pc.binary_join_element_wise(names, nums, pa.scalar("班", pa.string()), "")
    return pc.if_else(pa.array(monthly), pa.scalar("项目部", pa.string()), label)
