"""``generate(...)``: simulate the province day by day and write the batch, truth and ledger.

Order of work: build the registry (``world``), plant the episodes, then walk the window
one day at a time: attendance (vectorised over every employment), payrolls at each month
end, the builders' inflows and the banks' payments on their dates. The state carried from
day to day is per employment and per project, so memory does not grow with ``days``.
Monthly feeds, lawsuits, leads and the truth are written at the end.
"""

from __future__ import annotations

import csv
import datetime as dt
import shutil
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import chinese_calendar
import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from anxin.core.calendar import SPRING_FESTIVAL, WorkingCalendar, first_arrears_date, pay_due_date
from anxin.synth import reference as ref
from anxin.synth.episodes import Episode, plant_episodes
from anxin.synth.output import EXCEL_FEED, FeedFiles, Ledger
from anxin.synth.world import FAR, METHODS, WAGE_TYPES, World, build_world, iso, team_labels

GRACE_WORKING_DAYS = 3


@dataclass(frozen=True)
class Scale:
    name: str
    projects: int
    workers: int
    days: int
    start: dt.date
    employers: int  # enterprises outside construction
    baseless_leads_per_day: float
    bad_rate: float = 0.006


SCALES = {
    "tiny": Scale("tiny", 20, 1_000, 60, dt.date(2026, 1, 1), 12, 0.05),
    "demo": Scale("demo", 300, 30_000, 180, dt.date(2025, 11, 1), 150, 0.3),
    "province": Scale("province", 8_427, 920_000, 30, dt.date(2025, 6, 1), 4_000, 40.0),
}


@dataclass
class Summary:
    scale: str
    start: dt.date
    days: int
    out: Path
    truth_dir: Path
    rows: dict[str, int] = field(default_factory=dict)
    episodes: int = 0
    bad_rows: int = 0
    seconds: float = 0.0


def month_key(day: dt.date) -> str:
    return f"{day.year:04d}-{day.month:02d}"


def month_end(day: dt.date) -> dt.date:
    nxt = dt.date(day.year + (day.month == 12), day.month % 12 + 1, 1)
    return nxt - dt.timedelta(days=1)


class Calendar:
    """The core working calendar with the lookups the simulation repeats, cached."""

    def __init__(self) -> None:
        self.cal = WorkingCalendar()
        self._due: dict[tuple[str, int], int] = {}
        self._add: dict[tuple[int, int], int] = {}

    def due(self, period: str, pay_day: int) -> int:
        k = (period, pay_day)
        if k not in self._due:
            self._due[k] = pay_due_date(period, pay_day, self.cal).toordinal()
        return self._due[k]

    def arrears(self, due: int) -> int:
        return first_arrears_date(dt.date.fromordinal(due), GRACE_WORKING_DAYS, self.cal).toordinal()

    def add(self, day: int, n: int) -> int:
        k = (day, n)
        if k not in self._add:
            self._add[k] = self.cal.add_working_days(dt.date.fromordinal(day), n).toordinal()
        return self._add[k]

    def on_or_before(self, day: int) -> int:
        return self.cal.on_or_before(dt.date.fromordinal(day)).toordinal()


def day_factor(day: dt.date, cal: Calendar) -> tuple[float, float]:
    """Attendance factor of a day for (ordinary sites, sites resting on Sundays)."""
    if cal.cal.is_working_day(day):
        return 0.96, 0.96
    holiday, name = chinese_calendar.get_holiday_detail(day)
    if name is not None:
        return 0.5, 0.4
    if day.weekday() == 5:
        return 0.9, 0.85
    return 0.62, 0.12


@dataclass
class Pending:
    """Payments scheduled for one period (one entry per transfer)."""

    period: str
    e: np.ndarray
    amount: np.ndarray
    pay: np.ndarray
    channel: np.ndarray  # 0 special_account, 1 other_account, 2 cash
    status: np.ndarray  # 0 success, 1 failed, 2 returned
    card_person: np.ndarray


class Simulation:
    def __init__(
        self,
        w: World,
        episodes: list[Episode],
        rng: np.random.Generator,
        files: FeedFiles,
        seed: int,
        progress: Callable[[int, int], None] | None,
    ) -> None:
        self.w, self.episodes, self.rng, self.files, self.seed = w, episodes, rng, files, seed
        self.progress = progress
        self.cal = Calendar()
        self.s0, self.e0 = w.start.toordinal(), w.end.toordinal()
        P = w.n_projects
        self.month_days = np.zeros(w.e_proj.size, dtype=np.int64)
        self.balance = np.zeros(P, dtype=np.int64)
        self.next_inflow = np.zeros(P, dtype=np.int64)
        self.est = np.zeros(P, dtype=np.int64)
        self.pending: list[Pending] = []
        self.inflows: list[dict] = []
        self.txn_counter = np.zeros(len(ref.BANKS), dtype=np.int64) + 10_000
        self.truth_lines: dict[int, list[tuple]] = {}  # project -> (e, period, due_fen, arrears_ord)
        self.truth_paid: dict[int, list[tuple]] = {}  # project -> (e, period, amount, paid_ord)
        self.watch = np.zeros(P, dtype=bool)
        self.rows = {"attendance": 0, "payrolls": 0, "wage_payments": 0}
        self.months = []
        d = w.start.replace(day=1)
        while d <= w.end:
            self.months.append(month_key(d))
            d = month_end(d) + dt.timedelta(days=1)
        self.period_files = [m for m in self.months if month_end(dt.date.fromisoformat(m + "-01")) <= w.end]
        self.att_stash: pa.Table | None = None
        self.pay_stash: pa.Table | None = None
        self.by_kind: dict[str, list[Episode]] = {}
        for ep in episodes:
            self.by_kind.setdefault(ep.kind, []).append(ep)
            if ep.subject_type == "project":
                self.watch[ep.project] = True
        self.project_factor_rules = [ep for ep in episodes if ep.kind in ("site_emptying", "attendance_gap")]
        self.funding = {
            ep.project: ep
            for ep in episodes
            if ep.kind in ("builder_stops_funding", "underfunded", "funding_late", "no_special_account")
        }
        self.codes = pa.array(w.p_code)
        self.monthly_equiv = np.where(
            w.e_wage_type == 1, w.e_rate_fen, np.where(w.e_wage_type == 0, w.e_rate_fen * 24, 38_000 * 24)
        )

    # --- the daily walk -----------------------------------------------------------------
    def run(self) -> None:
        w = self.w
        self._update_estimates(self.s0)
        self._opening_inflows()
        total = self.e0 - self.s0 + 1
        for i, o in enumerate(range(self.s0, self.e0 + 1)):
            day = dt.date.fromordinal(o)
            self._attendance(day, o)
            if day == month_end(day):
                self._month_end(day)  # before the payments: a holiday can move a due date to this day
            self._inflows(o)
            self._payments(o)
            if self.progress:
                self.progress(i + 1, total)
        self.files.close()
        del w

    def _update_estimates(self, o: int) -> None:
        w = self.w
        active = (w.e_start <= o) & (w.e_end >= o) & w.e_registered & (w.e_presence > 0)
        self.est = (
            np.bincount(w.e_proj[active], weights=self.monthly_equiv[active], minlength=w.n_projects).astype(np.int64)
            * 9
            // 10
        )

    def _opening_inflows(self) -> None:
        w = self.w
        for p in range(w.n_projects):
            if w.p_account[p] is None:
                self.next_inflow[p] = FAR
                continue
            first = max(
                int(w.p_start[p]) - int(self.rng.integers(1, 6)), self.s0 - int(self.rng.integers(3, w.p_cycle[p] - 4))
            )
            amount = max(self.est[p], 1_000_000) * 2
            ep = self.funding.get(p)
            if ep is not None and ep.kind == "builder_stops_funding" and (self.e0 - self.s0) < 100:
                amount = int(self.est[p] * self.rng.uniform(0.3, 0.8))
            if first <= self.s0:
                self._add_inflow(p, first, amount)
                self.next_inflow[p] = self.cal.on_or_before(first + int(w.p_cycle[p]) - int(self.rng.integers(0, 4)))
            else:
                self.next_inflow[p] = first

    def _add_inflow(self, p: int, o: int, amount_fen: int) -> None:
        w = self.w
        amount_fen = int(-(-amount_fen // 100_000) * 100_000)  # whole thousands of yuan
        bank = int(w.p_bank[p])
        self.txn_counter[bank] += 1
        self.inflows.append(
            {
                "txn_id": f"{ref.BANKS[bank][0]}{iso(o).replace('-', '')}{self.txn_counter[bank]:09d}",
                "project_code": w.p_code[p],
                "account_no": w.p_account[p],
                "payer_uscc": w.enterprises[w.p_builder[p]].uscc,
                "amount": amount_fen,
                "received_on": iso(o),
            }
        )
        self.balance[p] += amount_fen

    def _inflows(self, o: int) -> None:
        w = self.w
        due = np.flatnonzero(self.next_inflow == o)
        for p in due.tolist():
            ep = self.funding.get(p)
            cycle = int(w.p_cycle[p])
            completed = w.p_actual_end[p] and o > w.p_actual_end[p]
            est = max(int(self.est[p]), 500_000)
            amount = int(np.clip(2.5 * est - self.balance[p], 0.5 * est, 1.5 * est))
            nxt = o + cycle - int(self.rng.integers(0, 4))
            if ep is not None and ep.kind == "builder_stops_funding" and o >= ep.start:
                self.next_inflow[p] = FAR
                continue
            if ep is not None and ep.kind == "underfunded" and o >= ep.start:
                amount = int(est * self.rng.uniform(0.35, 0.6))
            if ep is not None and ep.kind == "funding_late" and o >= ep.start:
                amount = int(np.clip(3.2 * est - self.balance[p], 0.8 * est, 2.5 * est))
                nxt = o + cycle + int(self.rng.integers(8, 25))
            if not completed:
                self._add_inflow(p, o, amount)
            self.next_inflow[p] = self.cal.on_or_before(nxt)

    def _attendance(self, day: dt.date, o: int) -> None:
        w, rng = self.w, np.random.default_rng([self.seed, o, 1])
        active = np.flatnonzero((w.e_start <= o) & (w.e_end >= o) & (w.e_presence > 0))
        proj = w.e_proj[active]
        f_ord, f_sun = day_factor(day, self.cal)
        pf = np.where(w.p_sunday_rest, f_sun, f_ord) * np.where(rng.random(w.n_projects) < 0.04, 0.3, 1.0)
        for ep in self.project_factor_rules:
            if ep.kind == "attendance_gap" and ep.start <= o <= ep.end:
                pf[ep.project] = 0.0
            if ep.kind == "site_emptying" and ep.leave_on and o >= ep.leave_on:
                pf[ep.project] *= max(0.06, 1 - 0.2 * (o - ep.leave_on + 1))
        p = w.e_prop[active] * pf[proj]
        for f in SPRING_FESTIVAL.values():
            off = o - f.toordinal()
            if -25 <= off <= 30:
                home = (off >= w.e_leave[active]) & (off <= w.e_return[active])
                p = np.where(home, p * 0.03, p)
        hit = rng.random(active.size) < p
        e = active[hit]
        proj = w.e_proj[e]
        self.month_days[e] += 1
        n = e.size
        base = (o - dt.date(1970, 1, 1).toordinal()) * 86400
        cin = base + 6 * 3600 + 30 * 60 + np.clip(rng.normal(0, 1500, size=n), -2400, 5400).astype(np.int64)
        cout = cin + 10 * 3600 + 30 * 60 + np.clip(rng.normal(0, 2400, size=n), -4 * 3600, 3 * 3600).astype(np.int64)
        fmt = "%Y-%m-%d %H:%M:%S"
        cin_s = pc.strftime(pa.array(cin, type=pa.timestamp("s")), format=fmt)
        cout_s = pc.strftime(pa.array(cout, type=pa.timestamp("s")), format=fmt)
        no_out = rng.random(n) < 0.02
        cout_s = pc.if_else(pa.array(no_out), pa.scalar(None, pa.string()), cout_s)
        method = np.where(rng.random(n) < 0.03, 3, w.p_method[proj])
        device = pc.binary_join_element_wise(
            "KQ", pc.cast(pa.array(proj + 100000), pa.string()), pc.cast(pa.array(method + 1), pa.string()), ""
        )
        device = pc.if_else(pa.array(method == 3), pa.scalar(None, pa.string()), device)
        assert w.people_ids is not None
        table = pa.table(
            {
                "project_code": self.codes.take(pa.array(proj)),
                "id_number": w.people_ids.take(pa.array(w.e_person[e])),
                "work_date": pa.array(np.full(n, day.isoformat())) if n else pa.array([], pa.string()),
                "clock_in": cin_s,
                "clock_out": cout_s,
                "method": pa.array(np.array(METHODS)[method]) if n else pa.array([], pa.string()),
                "device_id": device,
            }
        )
        month = month_key(day)
        part = self.months.index(month) + 1
        updated = None
        if day.day == 1 and self.att_stash is not None:
            updated, self.att_stash = self.att_stash, None
        eligible = np.ones(n, dtype=bool)
        if month != self.months[-1] and n:
            # Rows sent without clock_out and re-sent corrected in the next month's file.
            pick = np.flatnonzero(no_out & (rng.random(n) < 0.08))
            eligible[pick] = False
            if pick.size:
                fixed = table.take(pa.array(pick))
                fixed = fixed.set_column(
                    4, "clock_out", pc.strftime(pa.array(cout[pick], type=pa.timestamp("s")), format=fmt)
                )
                self.att_stash = fixed if self.att_stash is None else pa.concat_tables([self.att_stash, fixed])
        self.files.write_chunk("attendance", part, table, updated=updated, eligible=eligible)
        self.rows["attendance"] += n
        if day == month_end(day):
            self.files.close(self.files.filename("attendance", part))

    # --- month end: payrolls and the payments they schedule --------------------------------
    def _month_end(self, day: dt.date) -> None:
        w, rng = self.w, np.random.default_rng([self.seed, day.toordinal(), 2])
        period = month_key(day)
        pe = day.toordinal()
        e = np.flatnonzero((self.month_days > 0) & w.e_registered)
        days = self.month_days[e]
        for ep in self.by_kind.get("ghost_payroll", []):
            assert ep.period is not None  # plant_episodes gives every ghost payroll its first period
            if period >= ep.period:
                e = np.concatenate([e, ep.employments])
                days = np.concatenate([days, rng.integers(20, 27, size=ep.employments.size)])
        order = np.argsort(e, kind="stable")
        e, days = e[order], days[order]
        wt, rate = w.e_wage_type[e], w.e_rate_fen[e]
        gross = np.where(
            wt == 0,
            days * rate,
            np.where(
                wt == 1,
                np.round(rate * np.minimum(days, 21.75) / 21.75),
                days * rng.integers(300, 481, size=e.size) * 100,
            ),
        )
        gross = (np.round(gross / 100) * 100).astype(np.int64)
        ded = np.where(rng.random(e.size) < 0.15, np.round(gross * rng.uniform(0.04, 0.2, size=e.size), -4), 0)
        ded = np.minimum(ded, gross).astype(np.int64)
        net = gross - ded
        proj = w.e_proj[e]
        pay_day = w.e_pay_day[e]
        lag = w.p_lag[proj]
        due_lut = {pd_: self.cal.due(period, int(pd_)) for pd_ in np.unique(pay_day).tolist()}
        due = np.array([due_lut[x] for x in pay_day.tolist()], dtype=np.int64) if e.size else np.empty(0, np.int64)
        keys = np.unique(due * 10 + lag)
        pay_lut = {int(k): max(self.cal.add(int(k // 10), -int(k % 10)), pe) for k in keys}
        pay = np.array([pay_lut[int(k)] for k in (due * 10 + lag).tolist()], dtype=np.int64) if e.size else due
        submitted = np.minimum(pe + rng.integers(1, 7, size=e.size), pay)
        submitted = np.maximum(submitted, pe)
        confirmed = np.ones(e.size, dtype=bool)
        keep = np.ones(e.size, dtype=bool)  # on the payroll
        paid_amount = net.copy()
        channel = np.where(np.array([w.p_account[p] is None for p in range(w.n_projects)])[proj], 1, 0)
        status = np.zeros(e.size, dtype=np.int64)
        card_person = w.e_person[e].copy()
        extra: list[tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray]] = []
        for ep in self.episodes:
            if ep.subject_type != "project" or period < (ep.period or "0000-00"):
                continue
            on = proj == ep.project
            if not on.any():
                continue
            k = ep.kind
            if k == "unconfirmed_payroll":
                confirmed &= ~(on & (rng.random(e.size) < ep.share))
            elif k == "subcontractor_stops_paying":
                hit = on & np.isin(e, ep.employments)
                paid_amount = np.where(hit, (net * ep.share).astype(np.int64) // 100 * 100, paid_amount)
            elif k == "site_emptying":
                paid_amount = np.where(on, 0, paid_amount)
            elif k == "off_payroll":
                hit = on & np.isin(e, ep.employments)
                keep &= ~hit
                paid_amount = np.where(hit, 0, paid_amount)
            elif k in ("late_systematic", "clean_late_once"):
                if k == "clean_late_once" and period != ep.period:
                    continue
                if k == "clean_late_once":
                    steps = 1
                elif period == ep.period:
                    steps = int(rng.choice([5, 6, 8]))  # the first late period is past the grace
                else:
                    steps = int(rng.choice([1, 2, 3, 5, 6, 8]))
                for j in np.flatnonzero(on).tolist():
                    late = self.cal.add(int(due[j]), steps)
                    if late == self.cal.arrears(int(due[j])):
                        late = self.cal.add(late, 1)
                    pay[j] = late
            elif k in ("failed_not_repaid", "clean_failed_repaid") and period == ep.period:
                idx = np.flatnonzero(on)
                pick = rng.choice(idx, size=min(idx.size, ep.size), replace=False)
                status[pick] = rng.choice([1, 2], size=pick.size)
                if k == "clean_failed_repaid":
                    re_pay = np.array([self.cal.add(int(pay[j]), int(rng.integers(1, 3))) for j in pick.tolist()])
                    extra.append((e[pick], paid_amount[pick], re_pay, channel[pick], card_person[pick]))
                ep.employments = e[pick]
            elif k == "outside_account":
                hit = on & (rng.random(e.size) < ep.share)
                channel = np.where(hit, rng.choice([1, 2], size=e.size, p=[0.7, 0.3]), channel)
            elif k == "card_held":
                hit = on & np.isin(e, ep.employments)
                card_person = np.where(hit, ep.foreman_person, card_person)
        # Payroll file: lines submitted within the window.
        sel = keep & (submitted <= self.e0)
        if sel.any():
            self._write_payroll(
                period, e[sel], days[sel], gross[sel], ded[sel], net[sel], confirmed[sel], submitted[sel]
            )
        # Truth for watched projects: what each worker-period is owed and when it is in arrears.
        arrears_ord = np.array([self.cal.arrears(int(x)) for x in due.tolist()], dtype=np.int64) if e.size else due
        watched = self.watch[proj]
        due_amount = np.where(
            keep,
            net,
            np.where(wt == 0, days * rate, np.where(wt == 1, np.minimum(rate, np.round(rate * days / 21.75)), -1)),
        )
        for j in np.flatnonzero(watched).tolist():
            self.truth_lines.setdefault(int(proj[j]), []).append(
                (int(e[j]), period, int(due_amount[j]), int(arrears_ord[j]))
            )
        pay_sel = paid_amount > 0
        self.pending.append(
            Pending(
                period,
                e[pay_sel],
                paid_amount[pay_sel],
                pay[pay_sel],
                channel[pay_sel],
                status[pay_sel],
                card_person[pay_sel],
            )
        )
        for ee, amt, when, ch, cp in extra:
            self.pending.append(Pending(period, ee, amt, when, ch, np.zeros(ee.size, dtype=np.int64), cp))
        self.month_days[:] = 0
        self._update_estimates(pe)

    def _write_payroll(self, period: str, e, days, gross, ded, net, confirmed, submitted) -> None:
        w = self.w
        part = self.months.index(period) + 1
        is_last = period == self.period_files[-1] if self.period_files else True
        proj = w.e_proj[e]
        assert w.people_ids is not None
        table = pa.table(
            {
                "project_code": self.codes.take(pa.array(proj)),
                "employer_uscc": pa.array([w.enterprises[x].uscc for x in np.unique(w.e_employer[e]).tolist()]).take(
                    pa.array(np.searchsorted(np.unique(w.e_employer[e]), w.e_employer[e]))
                ),
                "id_number": w.people_ids.take(pa.array(w.e_person[e])),
                "period": pa.array([period] * e.size, pa.string()),
                "days_worked": pa.array(days, pa.int64()),
                "gross_amount": pa.array(gross, pa.int64()),
                "deductions": pa.array(ded, pa.int64()),
                "net_amount": pa.array(net, pa.int64()),
                "confirmed": pa.array(confirmed),
                "submitted_on": pa.array([iso(x) for x in submitted.tolist()], pa.string()),
            }
        )
        eligible = np.ones(e.size, dtype=bool)
        updated, self.pay_stash = self.pay_stash, None
        if not is_last and e.size:
            # Lines first sent unconfirmed and re-sent, signed, in the next period's file.
            pick = np.flatnonzero(confirmed & ~self.watch[proj] & (self.rng.random(e.size) < 0.004))
            if pick.size:
                eligible[pick] = False
                self.pay_stash = table.take(pa.array(pick))
                conf = np.array(confirmed)
                conf[pick] = False
                table = table.set_column(8, "confirmed", pa.array(conf))
        self.files.write_chunk("payrolls", part, table, updated=updated, eligible=eligible)
        self.files.close(self.files.filename("payrolls", part))
        self.rows["payrolls"] += e.size

    def _payments(self, o: int) -> None:
        w = self.w
        parts = []
        for pend in self.pending:
            m = pend.pay == o
            if m.any():
                parts.append(
                    (
                        pend.period,
                        pend.e[m],
                        pend.amount[m],
                        pend.channel[m].copy(),
                        pend.status[m],
                        pend.card_person[m],
                    )
                )
        self.pending = [p for p in self.pending if (p.pay > o).any()]
        if not parts:
            return
        period = np.concatenate([np.full(x[1].size, x[0]) for x in parts])
        e = np.concatenate([x[1] for x in parts])
        amount = np.concatenate([x[2] for x in parts])
        channel = np.concatenate([x[3] for x in parts])
        status = np.concatenate([x[4] for x in parts])
        card_person = np.concatenate([x[5] for x in parts])
        proj = w.e_proj[e]
        keep = np.ones(e.size, dtype=bool)
        for p in np.unique(proj).tolist():
            ep = self.funding.get(p)
            if ep is None or ep.kind not in ("builder_stops_funding", "underfunded"):
                continue
            idx = np.flatnonzero((proj == p) & (channel == 0) & (status == 0))
            cum = np.cumsum(amount[idx])
            short = idx[cum > self.balance[p]]
            if ep.kind == "builder_stops_funding":
                keep[short] = False
            else:
                channel[short] = 1  # the contractor advances it from its own account
        e, amount, channel, status, card_person, proj, period = (
            x[keep] for x in (e, amount, channel, status, card_person, proj, period)
        )
        ok_special = (channel == 0) & (status == 0)
        self.balance -= np.bincount(proj[ok_special], weights=amount[ok_special], minlength=w.n_projects).astype(
            np.int64
        )
        for j in np.flatnonzero(self.watch[proj] & (status == 0)).tolist():
            self.truth_paid.setdefault(int(proj[j]), []).append((int(e[j]), str(period[j]), int(amount[j]), o))
        n = e.size
        bank = np.where(
            channel == 0,
            w.p_bank[proj],
            np.array([w.enterprises[x].bank for x in w.p_contractor[proj].tolist()], dtype=np.int64),
        )
        counters = np.zeros(n, dtype=np.int64)
        for b in np.unique(bank).tolist():
            m = bank == b
            counters[m] = self.txn_counter[b] + 1 + np.arange(m.sum())
            self.txn_counter[b] += m.sum()
        prefix = pa.array(np.array([b[0] for b in ref.BANKS])[bank])
        txn = pc.binary_join_element_wise(
            prefix, iso(o).replace("-", ""), pc.utf8_lpad(pc.cast(pa.array(counters), pa.string()), 9, "0"), ""
        )
        special = pa.array(np.array(w.p_account, dtype=object)[proj].tolist(), pa.string())
        other = pa.array([w.enterprises[x].account_no for x in w.p_contractor[proj].tolist()], pa.string())
        account = pc.if_else(
            pa.array(channel == 0), special, pc.if_else(pa.array(channel == 1), other, pa.scalar(None, pa.string()))
        )
        assert w.people_ids is not None and w.people_card is not None
        card = pc.if_else(
            pa.array(channel == 2), pa.scalar(None, pa.string()), w.people_card.take(pa.array(card_person))
        )
        table = pa.table(
            {
                "txn_id": txn,
                "project_code": self.codes.take(pa.array(proj)),
                "account_no": account,
                "id_number": w.people_ids.take(pa.array(w.e_person[e])),
                "card_no": card,
                "amount": pa.array(amount, pa.int64()),
                "paid_on": pa.array([iso(o)] * n, pa.string()),
                "period": pa.array(period.tolist(), pa.string()),
                "channel": pa.array(np.array(["special_account", "other_account", "cash"])[channel]),
                "status": pa.array(np.array(["success", "failed", "returned"])[status]),
            }
        )
        part = self.months.index(month_key(dt.date.fromordinal(o))) + 1
        self.files.write_chunk("wage_payments", part, table)
        self.rows["wage_payments"] += n


def _write_truth(truth_dir: Path, episodes: list[Episode], lead_truth: list[tuple], ledger: Ledger) -> None:
    truth_dir.mkdir(parents=True, exist_ok=True)
    with open(truth_dir / "truth.csv", "w", encoding="utf-8", newline="") as f:
        wr = csv.writer(f, lineterminator="\n")
        wr.writerow(
            [
                "episode_id",
                "kind",
                "subject_type",
                "subject_id",
                "start_date",
                "first_arrears_date",
                "workers",
                "amount_owed_fen",
                "first_lead_date",
            ]
        )
        for ep in episodes:
            wr.writerow(
                [
                    ep.episode_id,
                    ep.kind,
                    ep.subject_type,
                    ep.subject_id,
                    iso(ep.start) if ep.start else "",
                    iso(ep.first_arrears) if ep.first_arrears else "",
                    "" if ep.workers is None else ep.workers,
                    "" if ep.amount_owed_fen is None else ep.amount_owed_fen,
                    iso(ep.first_lead) if ep.first_lead else "",
                ]
            )
    with open(truth_dir / "leads_truth.csv", "w", encoding="utf-8", newline="") as f:
        wr = csv.writer(f, lineterminator="\n")
        wr.writerow(["lead_id", "channel", "episode_id", "county_code"])
        wr.writerows(lead_truth)
    with open(truth_dir / "bad_rows.csv", "w", encoding="utf-8", newline="") as f:
        wr = csv.writer(f, lineterminator="\n")
        wr.writerow(["file", "line", "reason"])
        wr.writerows(sorted(ledger.rows))


def generate(
    scale: str = "tiny",
    days: int | None = None,
    start: dt.date | str | None = None,
    seed: int = 0,
    out: str | Path = "synth-batch",
    fmt: str = "csv",
    progress: Callable[[int, int], None] | None = None,
) -> Summary:
    """Write the batch folder ``out`` and its truth in the sibling ``<out>_truth``; return a summary."""
    from anxin.synth.registry_feeds import finish_feeds

    t0 = time.perf_counter()
    sc = SCALES[scale]
    if fmt not in ("csv", "parquet"):
        raise ValueError(f"format must be csv or parquet, not {fmt!r}")
    days = sc.days if days is None else int(days)
    if days < 1:
        raise ValueError("days must be at least 1")
    start = sc.start if start is None else (dt.date.fromisoformat(start) if isinstance(start, str) else start)
    end = start + dt.timedelta(days=days - 1)
    out = Path(out)
    truth_dir = out.parent / f"{out.name}_truth"
    for d in (out, truth_dir):
        if d.exists():
            shutil.rmtree(d)
        d.mkdir(parents=True)
    rng = np.random.default_rng(seed)
    w = build_world(rng, sc.projects, sc.workers, sc.employers, start, end)
    episodes = plant_episodes(w, rng, sc.projects / 300, Calendar())
    ledger = Ledger()
    files = FeedFiles(out, fmt, np.random.default_rng([seed, 7]), ledger, sc.bad_rate)
    sim = Simulation(w, episodes, rng, files, seed, progress)
    sim.run()
    lead_truth = finish_feeds(w, sim, episodes, files, rng, sc)
    rows = dict(sorted(files.rows.items()))
    _write_truth(truth_dir, episodes, lead_truth, ledger)
    return Summary(
        scale=scale,
        start=start,
        days=days,
        out=out,
        truth_dir=truth_dir,
        rows=rows,
        episodes=len(episodes),
        bad_rows=len(ledger.rows),
        seconds=time.perf_counter() - t0,
    )


__all__ = ["SCALES", "Scale", "Summary", "generate", "EXCEL_FEED", "WAGE_TYPES", "team_labels"]
