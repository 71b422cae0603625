"""Exact pricing of one agent's pattern by dynamic programming over the days (instead of a CP-SAT model).

The state after a day is the current run (working or off, its length capped where the rules stop caring, whether
it started on the horizon's first day, and the succession class of the last shift) and the resources (paid minutes
in units of their gcd, weekends worked, shifts of each template whose maximum binds). Structural states are indexed
explicitly; the resources are the trailing axes of one numpy array per state kind and day, so a transition is a
shifted minimum over whole arrays. Rules it does not model (binding weekly limits, rest spanning two days or more,
queue rotation, sliding weekend windows, non-linear own penalties) make `build_programme` return None and the
caller prices with CP-SAT.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np

from wfm.roster.domain import Config, Instance
from wfm.roster.options import InstanceFacts, weekend_index

Item = tuple[int, int, int]  # (day, shift, queue)
MAX_CELLS = 150_000  # structural states × resource cells per day beyond which CP-SAT prices instead
INF = math.inf


@dataclass(frozen=True, eq=False)
class PatternProgramme:
    """One agent's rules as a dynamic programme: options per day, succession classes, run and resource limits."""

    days: int
    options: list[list[tuple[int, int]]]  # per day: (shift, queue)
    shift_class: dict[int, int]
    allowed_after: np.ndarray  # (classes, shifts): shift may start the day after a shift of the class
    min_work: int
    min_off: int
    work_cap: int  # run-length axis size for working runs
    work_saturates: bool  # no maximum: the last run length stands for "at least"
    off_cap: int
    shape: tuple[int, ...]  # resource axes
    deltas: dict[int, tuple[int, ...]]  # shift → resource increment (weekend axis excluded)
    weekend_axis: int | None
    weekend_day: list[bool]
    weekend_continues: list[bool]  # day d is a Sunday whose Saturday is day d − 1
    min_minutes_units: int

    def _delta(self, shift: int, day: int, after_work: bool) -> tuple[int, ...]:
        """Resource increment of working `shift` on `day` (after a working day or not)."""
        delta = list(self.deltas[shift])
        first_of_weekend = self.weekend_day[day] and not (after_work and self.weekend_continues[day])
        if self.weekend_axis is not None and first_of_weekend:
            delta[self.weekend_axis] = 1
        return tuple(delta)

    def solve(self, values: Mapping[Item, float], count: int = 1) -> tuple[list[tuple[Item, ...]], float]:
        """Patterns minimising Σ values of their (day, shift, queue) items under the agent's rules: the best one
        (last) and the best of up to `count` − 1 other final states; none when no pattern keeps the rules. Also
        the minimum."""
        choice = [_best_queues(self.options[d], d, values) for d in range(self.days)]
        n_cls = self.allowed_after.shape[0]
        work_shape = (self.work_cap, 2, n_cls, *self.shape)
        off_shape = (self.off_cap, 2, *self.shape)
        closing_work = np.zeros((self.work_cap, 2), dtype=bool)
        closing_work[self.min_work - 1 :, :] = True
        closing_work[:, 1] = True
        closing_off = np.zeros((self.off_cap, 2), dtype=bool)
        closing_off[self.min_off - 1 :, :] = True
        closing_off[:, 1] = True
        works: list[np.ndarray] = []
        offs: list[np.ndarray] = []
        zero = np.full(self.shape, INF)  # nothing used before the first day
        zero[(0,) * len(self.shape)] = 0.0
        for d in range(self.days):
            work = np.full(work_shape, INF)
            off = np.full(off_shape, INF)
            if d == 0:
                off[0, 1] = zero
                for s, (_, cost) in choice[d].items():
                    cand = _shifted(zero, self._delta(s, d, False), 0)
                    np.minimum(work[0, 1, self.shift_class[s]], cand + cost, out=work[0, 1, self.shift_class[s]])
            else:
                prev_work, prev_off = works[-1], offs[-1]
                off[1:] = prev_off[:-1]
                np.minimum(off[-1], prev_off[-1], out=off[-1])
                closed_work = np.where(_expand(closing_work, prev_work.ndim), prev_work, INF).min(axis=(0, 1, 2))
                np.minimum(off[0, 0], closed_work, out=off[0, 0])
                closed_off = np.where(_expand(closing_off, prev_off.ndim), prev_off, INF).min(axis=(0, 1))
                growing = prev_work if self.work_saturates else prev_work[:-1]  # runs that may grow by a day
                best_after: dict[bytes, np.ndarray] = {}
                for s, (_, cost) in choice[d].items():
                    k = self.shift_class[s]
                    cand = _shifted(closed_off, self._delta(s, d, False), 0) + cost
                    np.minimum(work[0, 0, k], cand, out=work[0, 0, k])
                    column = self.allowed_after[:, s]
                    if not column.any() or not len(growing):
                        continue
                    key = column.tobytes()
                    if key not in best_after:
                        best_after[key] = growing[:, :, column].min(axis=2)
                    cand = _shifted(best_after[key], self._delta(s, d, True), 2) + cost
                    np.minimum(work[1:, :, k], cand[: self.work_cap - 1], out=work[1:, :, k])
                    if self.work_saturates:
                        np.minimum(work[-1, :, k], cand[-1], out=work[-1, :, k])
            works.append(work)
            offs.append(off)
        return self._trace(works, offs, choice, count)

    def _trace(
        self,
        works: list[np.ndarray],
        offs: list[np.ndarray],
        choice: list[dict[int, tuple[int, float]]],
        count: int,
    ) -> tuple[list[tuple[Item, ...]], float]:
        """Patterns ending in the `count` best final states (enough minutes), best last, and the best value."""
        last = self.days - 1
        candidates = []
        for kind, table in (("work", works[last]), ("off", offs[last])):
            masked = table.copy()
            if self.min_minutes_units > 0:
                lead = masked.ndim - len(self.shape)
                masked[(slice(None),) * lead + (slice(0, self.min_minutes_units),)] = INF
            flat = masked.reshape(-1)
            top = np.argsort(flat, kind="stable")[:count]
            for i in top:
                if math.isfinite(flat[i]):
                    index = tuple(int(x) for x in np.unravel_index(int(i), masked.shape))
                    candidates.append((float(flat[i]), kind, index))
        candidates.sort(key=lambda c: c[0])
        found = []
        for value, kind, index in candidates[:count]:
            items: list[Item] = []
            state: tuple[str, tuple[int, ...]] = (kind, index)
            for d in range(last, -1, -1):
                state, item = self._previous(d, state, value, works, offs, choice)
                if item is not None:
                    items.append(item)
                if d > 0:  # the stored value, so no rounding builds up along the way back
                    value = float((works if state[0] == "work" else offs)[d - 1][state[1]])
            found.append(tuple(sorted(items)))
        return found[::-1], (candidates[0][0] if candidates else INF)

    def _previous(
        self,
        d: int,
        state: tuple[str, tuple[int, ...]],
        value: float,
        works: list[np.ndarray],
        offs: list[np.ndarray],
        choice: list[dict[int, tuple[int, float]]],
    ) -> tuple[tuple[str, tuple[int, ...]], Item | None]:
        """A state of day d − 1 that reaches `state` of day d with `value`, and the item worked on day d."""
        kind, index = state
        if kind == "off":
            r, fs, res = index[0], index[1], index[2:]
            if d == 0:
                return ("start", ()), None
            preds: list[tuple[int, ...]] = []
            if r >= 1:
                preds.append((r - 1, fs))
            if r == self.off_cap - 1:
                preds.append((r, fs))
            for p in preds:
                if _same(offs[d - 1][p + res], value):
                    return ("off", p + res), None
            if r == 0 and fs == 0:
                for wr in range(self.work_cap):
                    for wfs in (0, 1):
                        if wr + 1 < self.min_work and wfs == 0:
                            continue
                        for k in range(self.allowed_after.shape[0]):
                            if _same(works[d - 1][(wr, wfs, k, *res)], value):
                                return ("work", (wr, wfs, k, *res)), None
            raise ArithmeticError("pattern programme: no predecessor of an off state")
        r, fs, k, res = index[0], index[1], index[2], index[3:]
        for s, (q, cost) in choice[d].items():
            if self.shift_class[s] != k:
                continue
            item = (d, s, q)
            prev = _minus(res, self._delta(s, d, False))
            if r == 0 and prev is not None:
                if d == 0 and fs == 1 and all(i == 0 for i in prev) and _same(cost, value):
                    return ("start", ()), item
                for orr in range(self.off_cap) if d > 0 and fs == 0 else ():
                    for ofs in (0, 1):
                        if orr + 1 < self.min_off and ofs == 0:
                            continue
                        if _same(offs[d - 1][(orr, ofs, *prev)] + cost, value):
                            return ("off", (orr, ofs, *prev)), item
            prev = _minus(res, self._delta(s, d, True))
            if prev is None or d == 0:
                continue
            lengths = ([r - 1] if r >= 1 else []) + ([r] if self.work_saturates and r == self.work_cap - 1 else [])
            for pr in lengths:
                for pk in np.flatnonzero(self.allowed_after[:, s]):
                    key = (pr, fs, int(pk), *prev)
                    if _same(works[d - 1][key] + cost, value):
                        return ("work", key), item
        raise ArithmeticError("pattern programme: no predecessor of a working state")


def _best_queues(
    options: list[tuple[int, int]], day: int, values: Mapping[Item, float]
) -> dict[int, tuple[int, float]]:
    """Per shift, the cheapest queue of the day and its value."""
    best: dict[int, tuple[int, float]] = {}
    for s, q in options:
        v = values.get((day, s, q), 0.0)
        if s not in best or v < best[s][1]:
            best[s] = (q, v)
    return best


def _expand(mask: np.ndarray, ndim: int) -> np.ndarray:
    """A leading-axes mask broadcast over trailing axes."""
    return mask.reshape(mask.shape + (1,) * (ndim - mask.ndim))


def _shifted(table: np.ndarray, delta: tuple[int, ...], lead: int) -> np.ndarray:
    """The table moved by `delta` along its trailing resource axes (cells pushed past the end are dropped)."""
    out = np.full(table.shape, INF)
    res_shape = table.shape[lead:]
    if any(k >= n for k, n in zip(delta, res_shape, strict=True)):
        return out
    src = (slice(None),) * lead + tuple(slice(0, n - k) for k, n in zip(delta, res_shape, strict=True))
    dst = (slice(None),) * lead + tuple(slice(k, n) for k, n in zip(delta, res_shape, strict=True))
    out[dst] = table[src]
    return out


def _minus(res: tuple[int, ...], delta: tuple[int, ...]) -> tuple[int, ...] | None:
    """Resource cell before an increment (None when negative)."""
    prev = tuple(i - k for i, k in zip(res, delta, strict=True))
    return None if any(i < 0 for i in prev) else prev


def _same(a: float, b: float) -> bool:
    """Equal up to float noise (finite only)."""
    return math.isfinite(a) and abs(a - b) <= 1e-7 * max(1.0, abs(b))


def build_programme(
    instance: Instance, config: Config, facts: InstanceFacts, agent: int, *, relaxed: bool = False
) -> PatternProgramme | None:
    """The agent's dynamic programme, or None when its rules need the CP-SAT pricing (or the states are too many).
    `relaxed` leaves out the weekend and per-shift count limits (the caller prices them; see `relaxed_pricing`)."""
    days = instance.days
    limits = facts.limits[agent]
    shifts = instance.shifts
    options = [
        [(s, q) for s, q in facts.options.get((agent, d), []) if limits.max_shifts.get(s, 1) > 0] for d in range(days)
    ]
    used = sorted({s for day in options for s, _ in day})
    if not _plain_rules(instance, config, facts, agent, options):
        return None
    forbidden = facts.successions.copy()
    for (k, s), blocked in facts.rest.items():
        if k == 1:
            forbidden[s, blocked] = True
    classes: dict[tuple[bool, ...], int] = {}
    shift_class = {}
    for s in used:
        shift_class[s] = classes.setdefault(tuple(bool(x) for x in forbidden[s, used]), len(classes))
    allowed_after = np.ones((max(1, len(classes)), len(shifts)), dtype=bool)
    for row, k in classes.items():
        for s2, banned in zip(used, row, strict=True):
            allowed_after[k, s2] = not banned
    axes: list[int] = []
    per_shift: dict[int, list[int]] = {s: [] for s in used}
    paid = {s: shifts[s].paid_minutes for s in used}
    min_units = 0
    if (limits.min_total_minutes or 0) > 0 or limits.max_total_minutes is not None:
        unit = math.gcd(*paid.values()) if paid else 1
        unit = unit or 1
        most = sum(max((paid[s] for s, _ in day), default=0) for day in options)
        top = most if limits.max_total_minutes is None else min(most, limits.max_total_minutes)
        axes.append(top // unit + 1)
        min_units = -(-(limits.min_total_minutes or 0) // unit)
        for s in used:
            per_shift[s].append(paid[s] // unit)
    weekends = weekend_index(instance)
    weekend_axis = None
    if not relaxed and limits.max_weekends is not None and limits.max_weekends < len(weekends):
        weekend_axis = len(axes)
        axes.append(limits.max_weekends + 1)
        for s in used:
            per_shift[s].append(0)
    for s in used:
        most = limits.max_shifts.get(s)
        available = sum(1 for day in options if any(s2 == s for s2, _ in day))
        if not relaxed and most is not None and most < available:
            axes.append(most + 1)
            for s2 in used:
                per_shift[s2].append(int(s2 == s))
    if not axes:  # one resource cell keeps every indexing a view
        axes.append(1)
        for s in used:
            per_shift[s].append(0)
    weekend_day = [False] * days
    weekend_continues = [False] * days
    for group in weekends.values():
        for i, d in enumerate(sorted(group)):
            weekend_day[d] = True
            weekend_continues[d] = i > 0 and sorted(group)[i - 1] == d - 1
    max_work = limits.max_consecutive_days
    if max_work < days:
        work_cap, saturates = max(1, max_work), False
    else:
        work_cap, saturates = max(1, limits.min_consecutive_days), True
    min_work = max(1, limits.min_consecutive_days)
    off_cap = max(1, limits.min_consecutive_days_off)
    if max_work <= 0:
        options = [[] for _ in range(days)]
    structural = work_cap * 2 * max(1, len(classes)) + off_cap * 2
    if structural * math.prod(axes) > MAX_CELLS:
        return None
    return PatternProgramme(
        days=days,
        options=options,
        shift_class=shift_class,
        allowed_after=allowed_after,
        min_work=min_work,
        min_off=max(1, limits.min_consecutive_days_off),
        work_cap=work_cap,
        work_saturates=saturates,
        off_cap=off_cap,
        shape=tuple(axes),
        deltas={s: tuple(v) for s, v in per_shift.items()},
        weekend_axis=weekend_axis,
        weekend_day=weekend_day,
        weekend_continues=weekend_continues,
        min_minutes_units=min_units,
    )


def _plain_rules(
    instance: Instance, config: Config, facts: InstanceFacts, agent: int, options: list[list[tuple[int, int]]]
) -> bool:
    """Whether every hard rule of the agent is one the programme models (weekly limits slack, rest within a day,
    no queue rotation, no sliding weekend windows)."""
    shifts = instance.shifts
    for week in facts.weeks[agent]:
        open_days = [d for d in week.days if options[d]]
        most = sum(max(shifts[s].paid_minutes for s, _ in options[d]) for d in open_days)
        if week.max_days < len(open_days) or week.min_paid_minutes > 0 or week.max_paid_minutes < most:
            return False
    if any(k >= 2 and k < instance.days and blocked for (k, _), blocked in facts.rest.items()):
        return False
    queues = {q for day in options for _, q in day}
    if config.rules.max_consecutive_queue_days > 0 and len(queues) >= 2:
        return False
    limits = facts.limits[agent]
    return not (limits.max_weekends_per_4_weeks < 4 and len(weekend_index(instance)) > limits.max_weekends_per_4_weeks)
