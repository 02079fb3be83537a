"""Planted problems (episodes) and clean look-alikes, chosen before the simulation runs.

Each episode names its subject (a project or an enterprise), when it starts and the
rules of RULES.md it should fire (``RULES_OF``). The simulation reads the episodes to
bend attendance, payrolls, payments and inflows; the truth's arrears fields are computed
afterwards from what was actually generated, so they agree with the feeds.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import numpy as np

from anxin.core.calendar import SPRING_FESTIVAL, in_spring_festival_season
from anxin.synth import reference as ref
from anxin.synth.world import FAR, World, add_employments, add_people

if TYPE_CHECKING:
    from anxin.synth.generator import Calendar

#: Which rules each kind should fire (docs/synth.md); clean kinds should raise no high warning.
RULES_OF = {
    "builder_stops_funding": "WA02 WA03 WA04 WP01 LD01",
    "subcontractor_stops_paying": "WP01 LD01 EN04",
    "late_systematic": "WP02 (WP01 when later than the grace)",
    "failed_not_repaid": "WP06 WP01",
    "off_payroll": "WP04 WP01",
    "site_emptying": "WP01 PS01 LD01",
    "underfunded": "WA03 WA04 PD01",
    "funding_late": "WA02",
    "no_special_account": "WA01 PD01",
    "below_min_wage": "WP03",
    "ghost_payroll": "WP05",
    "unconfirmed_payroll": "WP07",
    "card_held": "WP08",
    "implausible_pay": "WP09",
    "outside_account": "PD01",
    "no_deposit": "DP01",
    "low_deposit": "DP02",
    "unregistered_workers": "RN01",
    "no_contracts": "RN02",
    "attendance_gap": "RN03",
    "no_labor_manager": "RN04",
    "no_notice_board": "NB01",
    "employer_decline": "EN01 EN02 EN03 EN04 LD01",
    "clean_late_once": "none at high level (one period 1 working day late, within the grace)",
    "clean_failed_repaid": "none at high level (failed transfer re-paid within 2 working days)",
    "clean_completion": "none (site empties because the project completed, all paid)",
    "clean_seasonal_dip": "none (Spring Festival dip of attendance or electricity)",
}
#: Kinds that decide how a project pays: at most one per project.
EXCLUSIVE = (
    ("builder_stops_funding", 6),
    ("subcontractor_stops_paying", 8),
    ("late_systematic", 6),
    ("failed_not_repaid", 5),
    ("off_payroll", 5),
    ("site_emptying", 4),
    ("underfunded", 4),
    ("funding_late", 4),
    ("no_special_account", 4),
    ("clean_late_once", 6),
    ("clean_failed_repaid", 6),
    ("clean_completion", 5),
    ("clean_seasonal_dip", 4),
)
#: Kinds that may share a project with others (never a clean look-alike's project).
OVERLAPPING = (
    ("below_min_wage", 5),
    ("ghost_payroll", 5),
    ("unconfirmed_payroll", 5),
    ("card_held", 5),
    ("implausible_pay", 3),
    ("outside_account", 5),
    ("no_deposit", 5),
    ("low_deposit", 5),
    ("unregistered_workers", 6),
    ("no_contracts", 5),
    ("attendance_gap", 4),
    ("no_labor_manager", 5),
    ("no_notice_board", 6),
)
ARREARS_KINDS = (
    "builder_stops_funding",
    "subcontractor_stops_paying",
    "late_systematic",
    "failed_not_repaid",
    "off_payroll",
    "site_emptying",
    "underfunded",
    "funding_late",
    "no_special_account",
)


@dataclass
class Episode:
    episode_id: str
    kind: str
    subject_type: str  # project | enterprise
    subject_id: str
    project: int = -1
    enterprise: int = -1  # the debtor / subject enterprise
    start: int = 0  # ordinal
    end: int = 0
    period: str | None = None  # first affected wage period
    share: float = 0.0
    size: int = 0
    employments: np.ndarray = field(default_factory=lambda: np.empty(0, np.int64))
    foreman_person: int = -1
    leave_on: int = 0
    month0: str = ""
    first_arrears: int = 0
    workers: int | None = None
    amount_owed_fen: int | None = None
    first_lead: int = 0


def _periods(w: World) -> list[str]:
    out = []
    d = w.start.replace(day=1)
    while d <= w.end:
        nxt = dt.date(d.year + (d.month == 12), d.month % 12 + 1, 1)
        if nxt - dt.timedelta(days=1) <= w.end:
            out.append(f"{d.year:04d}-{d.month:02d}")
        d = nxt
    return out


def _payable(w: World) -> list[str]:
    """Periods whose wages fall due (with the grace) well inside the window."""
    ps = _periods(w)
    ok = [p for p in ps if dt.date.fromisoformat(p + "-01").toordinal() + 31 + 26 <= w.end.toordinal()]
    return ok or ps[:1] or [f"{w.start.year:04d}-{w.start.month:02d}"]


def _month_add(month: str, k: int) -> str:
    y, m = int(month[:4]), int(month[5:7]) - 1 + k
    return f"{y + m // 12:04d}-{m % 12 + 1:02d}"


#: Exclusive kinds after which a project pays nothing (from some point on).
UNPAID_KINDS = ("site_emptying", "builder_stops_funding")
#: Overlapping kinds that are seen only in the payments themselves.
PAYMENT_KINDS = ("card_held", "implausible_pay", "outside_account", "ghost_payroll")


def plant_episodes(w: World, rng: np.random.Generator, factor: float, cal: Calendar) -> list[Episode]:
    s0, e0 = w.start.toordinal(), w.end.toordinal()
    days = e0 - s0 + 1
    payable = _payable(w)
    episodes: list[Episode] = []
    festival_in_window = [f.toordinal() for f in SPRING_FESTIVAL.values() if s0 + 20 < f.toordinal() < e0 - 8]

    def new(kind: str, subject_type: str, subject_id: str, **kw) -> Episode:
        ep = Episode(f"E{len(episodes) + 1:05d}", kind, subject_type, subject_id, **kw)
        episodes.append(ep)
        return ep

    def count(c: int) -> int:
        return max(1, int(round(c * factor)))

    def early_period() -> str:
        return payable[int(rng.integers(0, max(1, (len(payable) + 1) // 2)))]

    eligible = np.flatnonzero((w.p_start < s0 - 30) & (w.p_headcount >= 20))
    order = rng.permutation(eligible)
    taken: list[int] = []
    clean_projects: set[int] = set()
    for kind, c in EXCLUSIVE:
        if kind == "clean_seasonal_dip" and not festival_in_window:
            continue
        for _ in range(count(c)):
            if len(taken) >= order.size:
                break
            p = int(order[len(taken)])
            taken.append(p)
            if kind.startswith("clean_"):
                clean_projects.add(p)
            ep = new(kind, "project", w.p_code[p], project=p, enterprise=int(w.p_contractor[p]))
            on = np.flatnonzero(w.e_proj == p)
            # The owing employers here pay mid-month, so that the arrears fall in the window.
            w.e_pay_day[on] = np.minimum(w.e_pay_day[on], 15)
            if kind in ("builder_stops_funding", "underfunded", "funding_late"):
                # In a short window the builder has already stopped when it opens.
                ep.start = s0 + (int(rng.integers(0, max(1, int(days * 0.35)))) if days >= 100 else 0)
            elif kind == "no_special_account":
                w.p_account[p] = None
                ep.start = int(w.p_start[p])
            elif kind == "subcontractor_stops_paying":
                subs = [int(x) for x in w.p_subs[p] if x >= 0]
                sub = subs[int(rng.integers(0, len(subs)))]
                mine = on[w.e_employer[on] == sub]
                if mine.size == 0:
                    mine = on
                    sub = int(w.e_employer[on[0]])
                ep.enterprise = sub
                ep.employments = np.sort(
                    rng.choice(mine, size=max(1, int(mine.size * rng.uniform(0.4, 1.0))), replace=False)
                )
                ep.share = 0.0 if rng.random() < 0.6 else float(rng.uniform(0.4, 0.7))
                ep.period = early_period()
            elif kind in ("late_systematic", "failed_not_repaid", "clean_late_once", "clean_failed_repaid"):
                ep.period = early_period() if kind == "late_systematic" else payable[int(rng.integers(0, len(payable)))]
                ep.size = int(rng.integers(1, 6 if kind == "failed_not_repaid" else 4))
            elif kind == "off_payroll":
                daily = on[w.e_wage_type[on] == 0]
                team = int(w.e_team_id[daily[int(rng.integers(0, daily.size))]])
                ep.employments = on[w.e_team_id[on] == team]
                ep.enterprise = int(w.e_employer[ep.employments[0]])
                ep.period = early_period()
            elif kind == "site_emptying":
                ep.period = payable[0]
                first = cal.arrears(cal.due(ep.period, int(w.e_pay_day[on].min())))
                leave = first + int(rng.integers(3, 12))
                for f in SPRING_FESTIVAL.values():
                    in_season = in_spring_festival_season(
                        dt.date.fromordinal(leave), 15, 20
                    ) or in_spring_festival_season(dt.date.fromordinal(leave + 7), 15, 20)
                    if in_season and abs(leave - f.toordinal()) < 40:
                        leave = f.toordinal() + 21
                ep.leave_on = leave if leave <= e0 - 7 else 0
            elif kind == "clean_completion":
                end = s0 + int(days * rng.uniform(0.45, 0.85))
                w.p_actual_end[p] = end
                w.p_planned_end[p] = min(w.p_planned_end[p], end + int(rng.integers(-10, 30)))
                late_start = on[w.e_start[on] >= end - 26]
                w.e_start[late_start] = end - 27 - rng.integers(0, 20, size=late_start.size)
                w.e_end[on] = np.minimum(w.e_end[on], end - rng.integers(0, 26, size=on.size))
                ep.start = end - 26
            elif kind == "clean_seasonal_dip":
                festival = festival_in_window[0]
                w.e_leave[on] = -rng.integers(12, 16, size=on.size)
                w.e_return[on] = rng.integers(15, 20, size=on.size)
                ep.start = festival - 15
            if ep.period and not ep.start:
                ep.start = dt.date.fromisoformat(ep.period + "-01").toordinal()
            if not ep.start:
                ep.start = s0
    # Overlapping kinds on any project but the clean look-alikes'.
    pool = np.array([p for p in range(w.n_projects) if p not in clean_projects and w.p_start[p] < s0 - 30])
    # A problem that shows in the payments cannot be planted where nothing is paid at all: a
    # site whose contractor stops paying or whose builder's account runs dry would hide it.
    unpaid = {ep.project for ep in episodes if ep.kind in UNPAID_KINDS}
    paying_pool = np.array([p for p in pool.tolist() if p not in unpaid])
    for kind, c in OVERLAPPING:
        if kind == "attendance_gap" and days < 45:
            continue
        candidates = paying_pool if kind in PAYMENT_KINDS else pool
        for p in rng.choice(candidates, size=min(candidates.size, count(c)), replace=False).tolist():
            ep = new(kind, "project", w.p_code[p], project=p, enterprise=int(w.p_contractor[p]), start=s0)
            on = np.flatnonzero(w.e_proj == p)
            tier = w.counties[w.p_county[p]].tier
            pay_day = int(w.e_pay_day[on[0]])
            sub = int(w.p_subs[p, 0]) if w.p_subs[p, 0] >= 0 else int(w.p_contractor[p])
            if kind == "below_min_wage":
                k = int(rng.integers(4, 11))
                people = add_people(w, rng, k)
                floor = ref.MIN_WAGE_MONTHLY_YUAN[tier]
                if rng.random() < 0.5:
                    rate = int(floor / 21.75 * rng.uniform(0.7, 0.92)) * 100
                    ep.employments = add_employments(
                        w,
                        rng,
                        p,
                        people,
                        employer=sub,
                        trade=0,
                        team_id=(p * 100) * 1000 + 900,
                        start=s0 - int(rng.integers(5, 90)),
                        end=FAR,
                        wage_type=0,
                        rate_fen=rate,
                        pay_day=pay_day,
                    )
                else:
                    rate = int(round(floor * rng.uniform(0.75, 0.92), -1)) * 100
                    trade = [i for i, t in enumerate(ref.TRADES) if t.name == "门卫"][0]
                    ep.employments = add_employments(
                        w,
                        rng,
                        p,
                        people,
                        employer=int(w.p_contractor[p]),
                        trade=trade,
                        team_id=(p * 100 + trade) * 1000,
                        start=s0 - int(rng.integers(5, 90)),
                        end=FAR,
                        wage_type=1,
                        rate_fen=rate,
                        pay_day=pay_day,
                    )
                ep.workers = k
            elif kind == "ghost_payroll":
                k = int(rng.integers(2, 7))
                people = add_people(w, rng, k)
                ep.employments = add_employments(
                    w,
                    rng,
                    p,
                    people,
                    employer=sub,
                    trade=0,
                    team_id=(p * 100) * 1000 + 901,
                    start=s0 - int(rng.integers(5, 60)),
                    end=FAR,
                    wage_type=0,
                    rate_fen=int(rng.integers(22, 30)) * 1000,
                    pay_day=pay_day,
                    presence=0.0,
                )
                ep.period = payable[0]
                ep.workers = k
            elif kind == "unconfirmed_payroll":
                ep.share = float(rng.uniform(0.2, 0.5))
                ep.period = payable[0]
            elif kind == "card_held":
                daily = on[w.e_wage_type[on] == 0]
                team = int(w.e_team_id[daily[int(rng.integers(0, daily.size))]])
                members = on[w.e_team_id[on] == team]
                ep.foreman_person = int(w.e_person[members[0]])
                ep.employments = members[1:] if members.size > 1 else members
                ep.period = early_period()
                ep.workers = int(ep.employments.size)
            elif kind == "implausible_pay":
                people = add_people(w, rng, 1, staff=True)
                trade = [i for i, t in enumerate(ref.TRADES) if t.name == "施工员"][0]
                ep.employments = add_employments(
                    w,
                    rng,
                    p,
                    people,
                    employer=int(w.p_contractor[p]),
                    trade=trade,
                    team_id=(p * 100 + trade) * 1000,
                    start=s0 - int(rng.integers(30, 200)),
                    end=FAR,
                    wage_type=1,
                    rate_fen=int(rng.integers(70, 121)) * 100_000,
                    pay_day=pay_day,
                )
                ep.workers = 1
            elif kind == "outside_account":
                ep.share = float(rng.uniform(0.15, 0.5))
                ep.period = early_period()
            elif kind == "no_deposit":
                w.p_deposit_form[p] = "none"
                w.p_deposit_fen[p] = 0
            elif kind == "low_deposit":
                required = min(int(w.p_contract_fen[p]) * 15 // 1000, 500_000_000)
                w.p_deposit_form[p] = ("cash", "guarantee")[int(rng.integers(0, 2))]
                w.p_deposit_fen[p] = max(1_000_000, int(required * rng.uniform(0.2, 0.7)) // 1_000_000 * 1_000_000)
            elif kind == "unregistered_workers":
                k = int(rng.integers(3, 13))
                people = add_people(w, rng, k)
                assert w.people_listed is not None
                w.people_listed[people[: k // 2]] = False  # half were never registered anywhere
                start = s0 + int(rng.integers(0, max(1, days // 2)))
                ep.employments = add_employments(
                    w,
                    rng,
                    p,
                    people,
                    employer=sub,
                    trade=0,
                    team_id=(p * 100) * 1000 + 902,
                    start=start,
                    end=start + int(rng.integers(10, 41)),
                    wage_type=0,
                    rate_fen=25_000,
                    pay_day=pay_day,
                    registered=False,
                )
                ep.start = start
                ep.workers = k
            elif kind == "no_contracts":
                pick = on[rng.random(on.size) < rng.uniform(0.15, 0.5)]
                w.e_signed[pick] = False
                ep.workers = int(pick.size)
            elif kind == "attendance_gap":
                for _ in range(50):
                    start = s0 + int(rng.integers(5, days - 25))
                    end = start + int(rng.integers(8, 21))
                    if not any(in_spring_festival_season(dt.date.fromordinal(x), 25, 30) for x in (start, end)):
                        break
                ep.start, ep.end = start, end
            elif kind == "no_labor_manager":
                w.p_manager[p] = None
            elif kind == "no_notice_board":
                w.p_notice_board[p] = False
    # Enterprises outside construction sliding into arrears, and seasonal look-alikes.
    months = _periods(w) or [f"{w.start.year:04d}-{w.start.month:02d}"]
    first_month = f"{w.start.year:04d}-{w.start.month:02d}"
    n_emp = len(w.employers)
    picks = rng.permutation(n_emp)
    for i in range(min(n_emp // 2, count(6))):
        ent = w.employers[int(picks[i])]
        latest = _month_add(months[-1], -2) if len(months) >= 3 else _month_add(first_month, -2)
        lo = _month_add(first_month, -2)
        span = max(0, (int(latest[:4]) * 12 + int(latest[5:7])) - (int(lo[:4]) * 12 + int(lo[5:7])))
        month0 = _month_add(lo, int(rng.integers(0, span + 1)))
        ep = new("employer_decline", "enterprise", w.enterprises[ent].uscc, enterprise=ent, month0=month0)
        ep.start = dt.date.fromisoformat(month0 + "-01").toordinal()
        unpaid_period = _month_add(month0, 1)
        ep.first_arrears = cal.arrears(cal.due(unpaid_period, 15))
        ep.period = unpaid_period
        ep.workers = max(3, int(w.enterprises[ent].headcount * rng.uniform(0.3, 0.7)))
    for i in range(min(n_emp // 4, count(3))):
        ent = w.employers[int(picks[n_emp - 1 - i])]
        fest = [f for f in SPRING_FESTIVAL.values() if s0 - 360 < f.toordinal() < e0 - 28]
        if not fest:
            break
        ep = new("clean_seasonal_dip", "enterprise", w.enterprises[ent].uscc, enterprise=ent)
        ep.start = fest[-1].toordinal() - 15
        ep.month0 = f"{fest[-1].year:04d}-{fest[-1].month:02d}"
    return episodes
