"""After the daily walk: the truth's arrears figures, monthly feeds, lawsuits, leads, registry files."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from typing import TYPE_CHECKING, Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from anxin.core.calendar import SPRING_FESTIVAL
from anxin.synth import reference as ref
from anxin.synth.episodes import ARREARS_KINDS, Episode, _month_add
from anxin.synth.output import EXCEL_FEED, FeedFiles
from anxin.synth.world import FAR, WAGE_TYPES, World, iso, person_name, team_labels

if TYPE_CHECKING:
    from anxin.synth.generator import Scale, Simulation

CHANNELS = ("national_platform", "hotline", "qr_code", "web", "walk_in", "letter")
CHANNEL_WEIGHT = (0.3, 0.25, 0.2, 0.12, 0.08, 0.05)
REGION_GIVEN = {"national_platform": 0.8, "hotline": 0.2, "qr_code": 0.6, "web": 0.5, "walk_in": 0.9, "letter": 0.3}
LEAD_PREFIX = {
    "national_platform": "QGGZ",
    "hotline": "12345-",
    "qr_code": "QR",
    "web": "WSTS",
    "walk_in": "CK",
    "letter": "XF",
}


def settle_truth(w: World, sim: Simulation, episodes: list[Episode]) -> None:
    """First arrears date, workers and money owed of each project episode, from the generated events."""
    e0 = sim.e0
    for ep in episodes:
        if ep.subject_type != "project" or not (ep.kind in ARREARS_KINDS or ep.kind.startswith("clean_")):
            continue
        lines = sim.truth_lines.get(ep.project, [])
        paid: dict[tuple[int, str], list[tuple[int, int]]] = defaultdict(list)
        for e, period, amount, day in sim.truth_paid.get(ep.project, []):
            paid[(e, period)].append((day, amount))
        first, workers, owed = 0, set(), 0
        for e, period, due, arrears in lines:
            if due <= 0 or arrears > e0:
                continue
            got = paid.get((e, period), [])
            by_arrears = sum(a for d, a in got if d <= arrears)
            if by_arrears < due:
                first = arrears if not first else min(first, arrears)
            by_end = sum(a for d, a in got if d <= e0)
            if by_end < due:
                workers.add(e)
                owed += due - by_end
        if first:
            ep.first_arrears = first
            ep.workers = len(workers)
            ep.amount_owed_fen = owed
    for ep in episodes:
        if ep.kind == "employer_decline":
            if not (sim.s0 <= ep.first_arrears <= e0):
                ep.first_arrears = 0
            ep.amount_owed_fen = int(ep.workers or 0) * 520_000 if ep.first_arrears else None


def monthly_feeds(w: World, episodes: list[Episode], files: FeedFiles, rng: np.random.Generator) -> None:
    first = _month_add(f"{w.start.year:04d}-{w.start.month:02d}", -12)
    months = []
    m = first
    while True:
        y, mo = int(m[:4]), int(m[5:7])
        end = dt.date(y + (mo == 12), mo % 12 + 1, 1) - dt.timedelta(days=1)
        if end > w.end:
            break
        months.append(m)
        m = _month_add(m, 1)
    fest_months = {f"{f.year:04d}-{f.month:02d}" for f in SPRING_FESTIVAL.values()}
    decline = {ep.enterprise: ep for ep in episodes if ep.kind == "employer_decline"}
    dip = {ep.enterprise: ep for ep in episodes if ep.kind == "clean_seasonal_dip" and ep.subject_type == "enterprise"}
    si, ut = [], []
    for i, ent in enumerate(w.enterprises):
        per_head = int(rng.integers(1100, 1500)) * 100
        head = float(ent.headcount)
        drift = rng.normal(0, 0.01, size=len(months))
        for j, month in enumerate(months):
            head = max(3.0, head * (1 + drift[j]))
            h = head * (0.95 if month in fest_months else 1.0)
            season = rng.uniform(0.62, 0.8) if month in fest_months else rng.uniform(0.93, 1.07)
            paid_share = 1.0 if rng.random() > 0.02 else rng.uniform(0.93, 0.99)
            ep = decline.get(i)
            if ep is not None and month >= ep.month0:
                k = (int(month[:4]) * 12 + int(month[5:7])) - (int(ep.month0[:4]) * 12 + int(ep.month0[5:7]))
                paid_share = rng.uniform(0.3, 0.75)
                h *= max(0.45, 1 - 0.13 * k)
                if k >= 1:
                    season *= max(0.3, 0.62 - 0.1 * k)
            if i in dip and month == dip[i].month0:
                season = rng.uniform(0.52, 0.6)
                h *= 0.92
            hc = max(1, int(round(h)))
            due = hc * per_head
            si.append(
                {
                    "uscc": ent.uscc,
                    "month": month,
                    "insured_headcount": hc,
                    "contributions_due": due,
                    "contributions_paid": int(due * paid_share) // 100 * 100,
                }
            )
            ut.append(
                {
                    "uscc": ent.uscc,
                    "month": month,
                    "electricity_kwh": int(hc * ent.kwh_per_head * season * rng.uniform(0.95, 1.05)),
                }
            )
    files.write_rows("social_insurance", si)
    files.write_rows("utilities", ut)


def _case_no(counters: dict[tuple[str, int], int], court: str, day: int, rng: np.random.Generator) -> str:
    year = dt.date.fromordinal(day).year
    key = (court, year)
    counters[key] = counters.get(key, int(rng.integers(800, 3000))) + int(rng.integers(1, 6))
    return f"（{year}）闽{court[2:]}民初{counters[key]}号"


def lawsuits(w: World, sim: Simulation, episodes: list[Episode], files: FeedFiles, rng: np.random.Generator) -> None:
    rows: list[dict[str, Any]] = []
    counters: dict[tuple[str, int], int] = {}
    s0, e0 = sim.s0, sim.e0
    months = (e0 - s0 + 1) / 30

    def court_of(ent: int, fallback: str) -> str:
        region = w.enterprises[ent].region_code
        return region if region.startswith("35") else fallback

    for i, ent in enumerate(w.enterprises):
        for _ in range(int(rng.poisson(0.015 * months))):
            day = s0 + int(rng.integers(0, e0 - s0 + 1))
            cause = ref.LAWSUIT_BACKGROUND_CAUSES[int(rng.integers(0, len(ref.LAWSUIT_BACKGROUND_CAUSES)))]
            rows.append(
                {
                    "case_no": _case_no(counters, court_of(i, "350102"), day, rng),
                    "uscc": ent.uscc,
                    "filed_on": iso(day),
                    "cause": cause,
                    "plaintiffs": 1,
                    "amount": int(rng.integers(5, 120)) * 100_000,
                    "_day": day,
                }
            )
    for ep in episodes:
        if not ep.first_arrears:
            continue
        if ep.kind == "employer_decline":
            n, lo, hi = int(rng.integers(2, 6)), 10, 70
        elif ep.subject_type == "project" and ep.kind in ARREARS_KINDS and rng.random() < 0.35:
            n, lo, hi = int(rng.integers(1, 3)), 20, 100
        else:
            continue
        fallback = w.counties[w.p_county[ep.project]].code if ep.project >= 0 else "350102"
        for _ in range(n):
            day = ep.first_arrears + int(rng.integers(lo, hi))
            if day > e0:
                continue
            k = int(rng.integers(1, 12))
            rows.append(
                {
                    "case_no": _case_no(counters, court_of(ep.enterprise, fallback), day, rng),
                    "uscc": w.enterprises[ep.enterprise].uscc,
                    "filed_on": iso(day),
                    "cause": ref.WAGE_CAUSE,
                    "plaintiffs": k,
                    "amount": k * int(rng.integers(8, 40)) * 100_000,
                    "_day": day,
                }
            )
    rows.sort(key=lambda r: (r["_day"], r["case_no"]))
    for r in rows:
        del r["_day"]
    files.write_rows("lawsuits", rows)


def _name_variant(name: str, rng: np.random.Generator) -> str:
    """How a complainant writes an enterprise's name."""
    r = rng.random()
    if r < 0.35:
        return name
    out = name
    if "有限公司" in out and rng.random() < 0.4:
        out = out.replace("有限公司", "有限责任公司")
    elif out.endswith("有限公司") and rng.random() < 0.3:
        out = out.removesuffix("有限公司")
    if rng.random() < 0.25:
        out = out + ("第三分公司", "福州分公司", "项目部", "第一工程处")[int(rng.integers(0, 4))]
    if rng.random() < 0.2:
        out = out.replace("福建", "福建省", 1) if out.startswith("福建") and not out.startswith("福建省") else out
    if rng.random() < 0.2 and len(out) > 4:
        cut = int(rng.integers(2, len(out) - 2))
        out = out[:cut] + " " + out[cut:]
    if rng.random() < 0.15:
        out = f"（{out}）" if rng.random() < 0.5 else f"({out})"
    return out


def _address_variant(w: World, county_idx: int, full: str, rng: np.random.Generator) -> str:
    c = w.counties[county_idx]
    rest = full.removeprefix(c.city_name).removeprefix(c.name)
    r = rng.random()
    former = [old for old, new in ((o, n) for o, _, n in ref.FORMER_DIVISIONS) if new == c.code]
    if former and r < 0.35:
        old_name = [nm for o, nm, _ in ref.FORMER_DIVISIONS if o == former[0]][0]
        return f"{c.city_name}{old_name}{rest}"
    if r < 0.55:
        return full
    if r < 0.7:
        return f"福建省{full}"
    if r < 0.85:
        short = c.name[:-1] if len(c.name) > 2 else c.name
        return f"{short}{rest}"
    return f"{c.name}{rest}附近工地"


def leads(
    w: World, sim: Simulation, episodes: list[Episode], files: FeedFiles, rng: np.random.Generator, sc: Scale
) -> list[tuple]:
    s0, e0 = sim.s0, sim.e0
    counters = {c: 0 for c in CHANNELS}
    rows: list[dict[str, Any]] = []
    truth: list[tuple] = []
    county_index = {c.code: i for i, c in enumerate(w.counties)}

    def one(
        channel: str,
        day: int,
        ep: Episode | None,
        project: int,
        ent: int,
        workers: int,
        amount: int,
        period: str | None,
    ) -> None:
        counters[channel] += 1
        lead_id = f"{LEAD_PREFIX[channel]}{iso(day).replace('-', '')}{counters[channel]:06d}"
        if project >= 0:
            ci = int(w.p_county[project])
            full = w.p_address[project]
        else:
            ent_region = w.enterprises[ent].region_code
            ci = county_index.get(ent_region, int(w.p_county[0]))
            full = w.enterprises[ent].address if ent_region in county_index else w.p_address[0]
        county = w.counties[ci].code
        region = county if rng.random() < REGION_GIVEN[channel] else None
        if region and rng.random() < 0.1:
            olds = [o for o, _, n in ref.FORMER_DIVISIONS if n == county]
            region = olds[0] if olds else region
        address = _address_variant(w, ci, full, rng) if (region is None or rng.random() < 0.5) else None
        anonymous = rng.random() < 0.25
        secs = int(rng.integers(8 * 3600, 22 * 3600))
        target = w.enterprises[ent]
        p_from = period or f"{dt.date.fromordinal(day).year:04d}-{dt.date.fromordinal(day).month:02d}"
        p_to = _month_add(p_from, int(rng.integers(0, 3)))
        who = ("我们班组", "本人", "我和工友", "我们")[int(rng.integers(0, 4))]
        site = w.p_name[project] if project >= 0 else target.name
        desc = f"{who}在{site}干活，{p_from}至{p_to}的工资约{amount / 100 / 10000:.1f}万元一直未发，多次讨要无果，请求帮助。"
        if rng.random() < 0.05:
            desc = desc + "\n联系人白天在工地，晚上可以打电话。"
        rows.append(
            {
                "lead_id": lead_id,
                "channel": channel,
                "received_at": f"{iso(day)} {secs // 3600:02d}:{secs % 3600 // 60:02d}:{secs % 60:02d}",
                "target_name": _name_variant(target.name, rng)
                if rng.random() > 0.1 or project < 0
                else w.p_name[project],
                "target_uscc": target.uscc
                if rng.random() < (0.5 if channel == "national_platform" else 0.25)
                else None,
                "project_code": w.p_code[project]
                if project >= 0 and (channel == "qr_code" or rng.random() < 0.1)
                else None,
                "region_code": region,
                "address": address if address or region else full,
                "complainant_name": None if anonymous else person_name(rng),
                "complainant_phone": None
                if anonymous and rng.random() < 0.7
                else f"1{int(rng.integers(3, 10))}{int(rng.integers(10**8, 10**9))}",
                "anonymous": anonymous,
                "workers_involved": max(1, workers),
                "amount_claimed": amount,
                "period_from": p_from,
                "period_to": p_to,
                "description": desc,
                "_day": day * 100000 + secs,
            }
        )
        truth.append((lead_id, channel, ep.episode_id if ep else "", county))

    for ep in episodes:
        if not ep.first_arrears or rng.random() >= 0.7:
            continue
        n = int(rng.choice([1, 1, 1, 1, 2, 2, 2, 3, 4]))
        first = ep.first_arrears + int(rng.integers(10, 91))
        chans = list(rng.choice(len(CHANNELS), size=n, replace=False, p=np.array(CHANNEL_WEIGHT)))
        for j, c in enumerate(chans):
            channel = CHANNELS[int(c)]
            if channel == "qr_code" and ep.project < 0:
                channel = "web"
            day = first + (0 if j == 0 else int(rng.integers(0, 21)))
            if day > e0:
                continue
            ep.first_lead = day if not ep.first_lead else min(ep.first_lead, day)
            workers = max(1, int((ep.workers or 1) * rng.uniform(0.2, 1.0)))
            amount = int((ep.amount_owed_fen or 500_000) * rng.uniform(0.5, 1.3)) // 100 * 100
            one(channel, day, ep, ep.project, ep.enterprise, workers, amount, ep.period)
    n_baseless = max(2, int(rng.poisson(sc.baseless_leads_per_day * (e0 - s0 + 1))))
    for _ in range(n_baseless):
        day = s0 + int(rng.integers(0, e0 - s0 + 1))
        p = int(rng.integers(0, w.n_projects))
        channel = CHANNELS[int(rng.choice(len(CHANNELS), p=np.array(CHANNEL_WEIGHT)))]
        ent = int(w.p_contractor[p]) if rng.random() < 0.6 else int(w.p_subs[p, 0])
        one(channel, day, None, p, ent, int(rng.integers(1, 6)), int(rng.integers(3, 60)) * 100_000, None)
    order = sorted(range(len(rows)), key=lambda i: (rows[i]["_day"], rows[i]["lead_id"]))
    rows = [rows[i] for i in order]
    for r in rows:
        del r["_day"]
    files.write_rows("leads", rows)
    return sorted(truth)


def registry(w: World, sim: Simulation, files: FeedFiles, rng: np.random.Generator) -> None:
    s0, e0 = sim.s0, sim.e0
    # Enterprises: some re-sent with a new legal representative and a later updated_at.
    rows: list[dict[str, Any]] = []
    reasons: list[str | None] = []
    for ent in w.enterprises:
        rows.append(
            {
                "uscc": ent.uscc,
                "name": ent.name,
                "kind": ent.kind,
                "region_code": ent.region_code,
                "industry_code": ent.industry_code,
                "legal_rep": ent.legal_rep,
                "established_on": ent.established_on,
                "updated_at": ent.updated_at,
            }
        )
        reasons.append(None)
    for i in rng.choice(len(rows), size=max(1, len(rows) // 100), replace=False).tolist():
        day = s0 + int(rng.integers(0, e0 - s0 + 1))
        rows.append(
            dict(rows[i], legal_rep=person_name(rng), updated_at=f"{iso(day)} 10:{int(rng.integers(10, 59))}:00")
        )
        reasons.append("updated")
    files.write_rows(EXCEL_FEED, rows, reasons=reasons, excel=True)
    # Projects: a completed project is re-sent with its completion; a few get a corrected address.
    rows, reasons = [], []
    for p in range(w.n_projects):
        acc = w.p_account[p]
        rows.append(
            {
                "project_code": w.p_code[p],
                "name": w.p_name[p],
                "region_code": w.counties[w.p_county[p]].code,
                "address": w.p_address[p],
                "builder_uscc": w.enterprises[w.p_builder[p]].uscc,
                "contractor_uscc": w.enterprises[w.p_contractor[p]].uscc,
                "funding": w.p_funding[p],
                "contract_amount": int(w.p_contract_fen[p]),
                "labor_cost_amount": int(w.p_labor_fen[p]),
                "labor_payment_cycle_days": int(w.p_cycle[p]),
                "start_date": iso(w.p_start[p]),
                "planned_end_date": iso(w.p_planned_end[p]),
                "actual_end_date": None,
                "status": "active",
                "wage_account_no": acc,
                "wage_account_bank": ref.BANKS[int(w.p_bank[p])][1] if acc else None,
                "wage_account_opened_on": iso(w.p_account_opened[p]) if acc else None,
                "deposit_form": w.p_deposit_form[p],
                "deposit_amount": int(w.p_deposit_fen[p]) if w.p_deposit_form[p] not in ("none", "exempt") else None,
                "notice_board": bool(w.p_notice_board[p]),
                "labor_manager": w.p_manager[p],
                "updated_at": w.p_updated[p],
            }
        )
        reasons.append(None)
    for p in range(w.n_projects):
        if w.p_actual_end[p]:
            end = int(w.p_actual_end[p])
            rows.append(
                dict(
                    rows[p],
                    actual_end_date=iso(end),
                    status="completed",
                    updated_at=f"{iso(end)} 16:{int(rng.integers(10, 59))}:00",
                )
            )
            reasons.append("updated")
    for p in rng.choice(w.n_projects, size=max(1, w.n_projects // 100), replace=False).tolist():
        if w.p_actual_end[p]:
            continue
        day = s0 + int(rng.integers(0, e0 - s0 + 1))
        rows.append(dict(rows[p], address=rows[p]["address"] + "（东侧地块）", updated_at=f"{iso(day)} 09:30:00"))
        reasons.append("updated")
    files.write_rows("projects", rows, reasons=reasons)
    # People: those who appear on site and in the registry.
    assert w.people_ids is not None and w.people_listed is not None
    assert w.people_names is not None and w.people_phone is not None and w.people_card is not None
    assert w.people_bank is not None and w.people_home is not None
    listed = np.flatnonzero(w.people_listed & np.isin(np.arange(len(w.people_ids)), w.e_person[w.e_registered]))
    listed = np.union1d(listed, np.flatnonzero(w.people_listed))
    bank_names = pa.array([b[1] for b in ref.BANKS])
    table = pa.table(
        {
            "id_number": w.people_ids.take(pa.array(listed)),
            "name": w.people_names.take(pa.array(listed)),
            "phone": w.people_phone.take(pa.array(listed)),
            "bank_card_no": w.people_card.take(pa.array(listed)),
            "bank_name": bank_names.take(pa.array(w.people_bank[listed])),
            "hometown_region_code": pc.cast(pa.array(w.people_home[listed]), pa.string()),
        }
    )
    files.write_chunk("people", None, table)
    files.close()
    # Employments (registered only).
    reg = np.flatnonzero(w.e_registered)
    ent_uscc = pa.array([e.uscc for e in w.enterprises])
    start = pa.array([iso(x) for x in np.unique(w.e_start[reg]).tolist()])
    end_vals = np.where(w.e_end[reg] >= FAR, 0, w.e_end[reg])
    end_u = np.unique(end_vals)
    end_s = pa.array([None if x == 0 else iso(x) for x in end_u.tolist()], pa.string())
    table = pa.table(
        {
            "project_code": sim.codes.take(pa.array(w.e_proj[reg])),
            "id_number": w.people_ids.take(pa.array(w.e_person[reg])),
            "employer_uscc": ent_uscc.take(pa.array(w.e_employer[reg])),
            "team": team_labels(w).take(pa.array(reg)),
            "trade": pa.array([t.name for t in ref.TRADES]).take(pa.array(w.e_trade[reg])),
            "contract_signed": pa.array(w.e_signed[reg]),
            "start_date": start.take(pa.array(np.searchsorted(np.unique(w.e_start[reg]), w.e_start[reg]))),
            "end_date": end_s.take(pa.array(np.searchsorted(end_u, end_vals))),
            "wage_type": pa.array(np.array(WAGE_TYPES)[w.e_wage_type[reg]]),
            "wage_rate": pa.array(w.e_rate_fen[reg], pa.int64()),
            "pay_day": pa.array(w.e_pay_day[reg], pa.int64()),
        }
    )
    files.write_chunk("employments", None, table)
    files.close()


def finish_feeds(
    w: World, sim: Simulation, episodes: list[Episode], files: FeedFiles, rng: np.random.Generator, sc: Scale
) -> list[tuple]:
    settle_truth(w, sim, episodes)
    files.write_rows("account_inflows", sorted(sim.inflows, key=lambda r: (r["received_on"], r["txn_id"])))
    monthly_feeds(w, episodes, files, rng)
    lawsuits(w, sim, episodes, files, rng)
    lead_truth = leads(w, sim, episodes, files, rng, sc)
    registry(w, sim, files, rng)
    return lead_truth
