"""Break and lunch placement: every feasible pause pattern of a shift template, and a board of who pauses when.

A pattern is a set of pauses (lunch and paid breaks, on the interval grid) that satisfies the template's break
rule: windows, lengths and gaps. The board holds agents present per queue and interval, pauses per interval
and the per-queue cap; `best_pattern` picks the cheapest pattern that keeps every interval under the cap,
where pausing in an interval costs the under-coverage weight when the queue has no surplus there and gains the
over-coverage weight when it has.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import lru_cache

import numpy as np

from wfm.errors import InputError
from wfm.roster.break_rules import DEFAULT_BREAK_RULE, BreakRule, BreakSettings
from wfm.roster.domain import Assignment, Config, Instance, ShiftTemplate

MAX_PATTERNS = 50_000
OVERFLOW_WEIGHT = 1e6  # per interval over the cap while searching (the cap is hard in the end)
MAX_SOFT_PASSES = 60
MIN_REPAIR_SECONDS = 0.5  # CP-SAT time per queue-day over the cap, even past the placement's deadline
TIE_BREAK = 1e-3  # per agent of surplus: among equal costs, pause where the surplus is largest


@dataclass(frozen=True, eq=False)
class PausePlans:
    """All pause patterns of one template: `masks` (patterns × shift intervals, 1 = paused) and each pattern's
    pauses as (offset intervals, length intervals, "lunch" | "break")."""

    rule: BreakRule
    masks: np.ndarray
    pauses: tuple[tuple[tuple[int, int, str], ...], ...]


def rule_for(settings: BreakSettings, shift: ShiftTemplate) -> BreakRule:
    """The break rule whose shift-length range holds the template (the default rule when none does)."""
    hours = shift.length_minutes / 60
    return next(
        (r for r in settings.rules if r.min_shift_hours <= hours < r.max_shift_hours),
        DEFAULT_BREAK_RULE,
    )


def pause_items(rule: BreakRule, shift: ShiftTemplate) -> list[tuple[str, int]]:
    """(kind, minutes) of the shift's pauses: its lunch, then its own breaks or the rule's."""
    items = [("lunch", shift.lunch_minutes)] if shift.lunch_minutes else []
    breaks = shift.breaks_minutes or (rule.break_minutes,) * rule.breaks
    return items + [("break", m) for m in breaks if m > 0]


def pause_plans(shift: ShiftTemplate, settings: BreakSettings, interval_minutes: int) -> PausePlans:
    """Every pattern of the template's pauses allowed by its rule; InputError when there is none."""
    return _plans(shift, settings, interval_minutes)


@lru_cache(maxsize=256)
def _plans(shift: ShiftTemplate, settings: BreakSettings, step: int) -> PausePlans:
    """Cached enumeration (templates and settings are frozen). Without break settings in rules.toml, a template
    whose pauses do not fit the default rule keeps the old plan: its lunch in the middle and no breaks."""
    try:
        return _enumerate(shift, settings, step)
    except InputError:
        if settings.configured:
            raise
        length = shift.length_minutes // step
        middle = shift.lunch_offset_minutes(step) // step
        units = shift.lunch_minutes // step
        mask = np.zeros((1, length))
        mask[0, middle : middle + units] = 1.0
        pauses = ((middle, units, "lunch"),) if units else ()
        return PausePlans(DEFAULT_BREAK_RULE, mask, (pauses,))


def _enumerate(shift: ShiftTemplate, settings: BreakSettings, step: int) -> PausePlans:
    """Every pause pattern of the template under its rule; InputError when there is none."""
    rule = rule_for(settings, shift)
    items = pause_items(rule, shift)
    label = f"shift {shift.name} ({shift.length_minutes / 60:g} h, break rule [{rule.name}])"
    if shift.lunch_minutes and not rule.lunch_min_minutes <= shift.lunch_minutes <= rule.lunch_max_minutes:
        raise InputError(
            f"{label}: lunch of {shift.lunch_minutes} min is outside "
            f"{rule.lunch_min_minutes}–{rule.lunch_max_minutes} min",
            column="lunch_minutes",
        )
    for kind, minutes in items:
        if minutes % step:
            raise InputError(f"{label}: a {minutes}-min {kind} is not a multiple of the {step}-minute interval")
    length = shift.length_minutes // step
    first = math.ceil(rule.earliest_hours * 60 / step - 1e-9)
    last_end = length - math.ceil(rule.end_margin_hours * 60 / step - 1e-9)
    gap = math.ceil(rule.min_gap_hours * 60 / step - 1e-9)
    lunch_lo = math.ceil(rule.lunch_earliest_hours * 60 / step - 1e-9)
    lunch_hi = math.floor(rule.lunch_latest_hours * 60 / step + 1e-9)
    found: list[tuple[tuple[int, int, str], ...]] = []

    def extend(position: int, remaining: tuple[tuple[str, int], ...], done: tuple[tuple[int, int, str], ...]) -> None:
        if len(found) > MAX_PATTERNS:
            raise InputError(f"{label}: more than {MAX_PATTERNS} pause patterns; narrow its windows")
        if not remaining:
            found.append(done)
            return
        for index, (kind, minutes) in enumerate(remaining):
            if (kind, minutes) in remaining[:index]:
                continue  # equal pauses are interchangeable
            units = minutes // step
            lo, hi = max(position, first), last_end - units
            if kind == "lunch":
                lo, hi = max(lo, lunch_lo), min(hi, lunch_hi)
            rest = remaining[:index] + remaining[index + 1 :]
            for start in range(lo, hi + 1):
                extend(start + units + gap, rest, (*done, (start, units, kind)))

    extend(0, tuple(items), ())
    if not found:
        pauses = ", ".join(f"{kind} {minutes} min" for kind, minutes in items)
        raise InputError(f"{label}: its pauses ({pauses}) do not fit the rule's windows and gaps")
    masks = np.zeros((len(found), length), dtype=np.float64)
    for p, pattern in enumerate(found):
        for start, units, _kind in pattern:
            masks[p, start : start + units] = 1.0
    return PausePlans(rule, masks, tuple(found))


class PauseBoard:
    """Agents present, pauses and trainings per queue and interval (padded by one day past the horizon), with
    the assignments' chosen patterns; all moves keep the board consistent."""

    def __init__(self, instance: Instance, config: Config, assignments: list[Assignment]) -> None:
        step = instance.interval_minutes
        self.instance = instance
        self.assignments = assignments
        self.horizon = instance.n_intervals
        n_q, width = len(instance.queues), instance.n_intervals + instance.intervals_per_day
        self.required = np.zeros((n_q, width))
        self.required[:, : self.horizon] = instance.required
        self.on_shift = np.zeros((n_q, width))
        self.plans = [pause_plans(instance.shifts[x.shift], config.breaks, step) for x in assignments]
        self.start = np.array(
            [x.day * instance.intervals_per_day + instance.shifts[x.shift].start_minute // step for x in assignments],
            dtype=np.int64,
        )
        self.length = np.array([instance.shifts[x.shift].length_minutes // step for x in assignments], dtype=np.int64)
        for i, x in enumerate(assignments):
            self.on_shift[x.queue, self.start[i] : self.start[i] + self.length[i]] += 1
        self.present = self.on_shift.copy()
        self.paused = np.zeros((n_q, width))
        self.cap = _cap_grid(instance, config.breaks, self.on_shift)
        self.weight_under = float(config.weights.under_coverage)
        self.weight_over = float(config.weights.over_coverage)
        self.inside = np.arange(width) < self.horizon
        self.pattern = np.full(len(assignments), -1, dtype=np.int64)
        self.breakout = np.ones((n_q, width))  # weights of the cap cells while searching (raised where stuck)
        self.training = [np.zeros(int(n)) for n in self.length]  # 1 where the agent is in training
        queue_of = np.array([x.queue for x in assignments], dtype=np.int64)
        self.day = np.array([x.day for x in assignments], dtype=np.int64)
        self.by_queue = [np.flatnonzero(queue_of == q) for q in range(n_q)]  # assignment indices per queue

    def span(self, i: int) -> slice:
        """Board columns of assignment i's shift."""
        return slice(int(self.start[i]), int(self.start[i] + self.length[i]))

    def costs(self, i: int) -> np.ndarray:
        """Cost of taking assignment i's agent off its queue in each interval of its shift (as the board is)."""
        q, span = self.assignments[i].queue, self.span(i)
        surplus = self.present[q, span] - self.required[q, span]
        cost = np.where(surplus <= 0, self.weight_under, -self.weight_over) - TIE_BREAK * surplus
        return np.where(self.inside[span], cost, 0.0)

    def remove_pauses(self, i: int) -> None:
        """Take assignment i's pauses off the board."""
        if self.pattern[i] >= 0:
            mask = self.plans[i].masks[self.pattern[i]]
            q, span = self.assignments[i].queue, self.span(i)
            self.paused[q, span] -= mask
            self.present[q, span] += mask
            self.pattern[i] = -1

    def set_pattern(self, i: int, p: int) -> None:
        """Put pattern p of assignment i on the board (its previous pattern must be removed)."""
        mask = self.plans[i].masks[p]
        q, span = self.assignments[i].queue, self.span(i)
        self.paused[q, span] += mask
        self.present[q, span] -= mask
        self.pattern[i] = p

    def pattern_costs(
        self, i: int, extra_training: np.ndarray | None = None, overflow_weight: float | None = None
    ) -> np.ndarray:
        """Cost of each pattern of assignment i with its own pauses off the board; inf where a pattern would
        overlap training, and where it would exceed the cap (or `overflow_weight` per interval over it)."""
        masks = self.plans[i].masks
        q, span = self.assignments[i].queue, self.span(i)
        full = (self.paused[q, span] >= self.cap[q, span]).astype(np.float64)
        blocked = self.training[i] if extra_training is None else self.training[i] + extra_training
        cost = np.where(masks @ blocked > 0, np.inf, masks @ self.costs(i))
        if overflow_weight is None:
            return np.where(masks @ full > 0, np.inf, cost)
        return cost + overflow_weight * (masks @ (full * self.breakout[q, span]))

    def add_training(self, i: int, offset: int, units: int) -> None:
        """Mark assignment i's agent in training for `units` intervals from `offset` (pauses must not overlap)."""
        q, lo = self.assignments[i].queue, int(self.start[i]) + offset
        self.training[i][offset : offset + units] += 1
        self.present[q, lo : lo + units] -= 1

    def scheduled(self) -> np.ndarray:
        """Agents working on each queue and horizon interval (not paused, not training)."""
        return np.rint(self.present[:, : self.horizon]).astype(np.int64)

    def cap_excess(self) -> int:
        """Interval-queue cells where the pauses exceed the cap (0 when every placement kept it)."""
        return int(((self.paused - self.cap) > 1e-9).sum())

    def overlapping(self, q: int, lo: int, hi: int) -> np.ndarray:
        """Assignments on queue q whose shifts overlap the board columns [lo, hi)."""
        js = self.by_queue[q]
        return js[(self.start[js] < hi) & (self.start[js] + self.length[js] > lo)]

    def over_cap(self) -> list[int]:
        """Assignments pausing in an interval where their queue is over the cap, in index order (only the shifts
        that span such an interval are tested, so a board within the cap costs one array comparison)."""
        over = self.paused - self.cap > 1e-9
        found: list[int] = []
        for q in np.flatnonzero(over.any(axis=1)):
            cells = np.flatnonzero(over[q])
            js = self.by_queue[q]
            first = np.searchsorted(cells, self.start[js])
            spanning = js[first < np.searchsorted(cells, self.start[js] + self.length[js])]
            found += [int(j) for j in spanning if pauses_over_cap(self, int(j))]
        return sorted(found)


def _cap_grid(instance: Instance, settings: BreakSettings, on_shift: np.ndarray) -> np.ndarray:
    """Most agents pausing at once per queue and interval (no cap: everyone)."""
    cap = settings.cap
    if cap is None:
        return on_shift + 1.0
    shares = np.array([cap.share(q) for q in instance.queues])[:, None]
    return np.maximum(float(cap.min_agents), np.floor(shares * on_shift + 1e-9))


def place_pauses(board: PauseBoard, order: list[int], deadline: float, clock, rng: np.random.Generator) -> list[int]:
    """Every assignment's pattern with the cap as a heavy penalty (cheapest pattern in `order`), then breakout
    passes until the deadline; returns the assignments still pausing over the cap."""
    for i in order:
        _cheapest_soft(board, i)
    return breakout_passes(board, board.over_cap(), deadline, clock, rng)


def breakout_passes(board: PauseBoard, stuck: list[int], deadline: float, clock, rng: np.random.Generator) -> list[int]:
    """Passes that raise the weight of cells still over the cap and re-place the shifts pausing there (then, when
    a pass stops helping, also their neighbours) until the cap holds or the deadline; returns the shifts over.
    Past the deadline, passes over only the shifts over the cap go on while each one leaves fewer of them: the
    cap is hard, and that work is bounded by the shifts over it."""
    before = None
    for _ in range(MAX_SOFT_PASSES):
        stalled = before is not None and len(stuck) >= before
        late = clock() >= deadline
        if not stuck or (late and stalled):
            return stuck
        board.breakout += board.paused > board.cap + 1e-9  # breakout: cells that stay over the cap weigh more
        moving = rng.permutation(stuck)
        if stalled:  # free the neighbours too, the stuck first
            near = np.unique(np.concatenate([_cluster(board, i) for i in stuck]))
            moving = np.concatenate([moving, rng.permutation(np.setdiff1d(near, stuck))])
        for k, i in enumerate(moving):
            if k >= len(stuck) and clock() >= deadline:
                break
            _cheapest_soft(board, int(i))
        stuck, before = board.over_cap(), len(stuck)
    return stuck


def _cheapest_soft(board: PauseBoard, i: int) -> None:
    """Re-place assignment i at its cheapest pattern, the cap counted as a heavy penalty per interval over it."""
    board.remove_pauses(i)
    board.set_pattern(i, int(np.argmin(board.pattern_costs(i, overflow_weight=OVERFLOW_WEIGHT))))


def _least_over_cap(board: PauseBoard, i: int) -> int:
    """The pattern of assignment i that exceeds the cap in the fewest intervals (training still respected)."""
    masks = board.plans[i].masks
    q, span = board.assignments[i].queue, board.span(i)
    over = masks @ (board.paused[q, span] >= board.cap[q, span]).astype(np.float64)
    over = np.where(masks @ board.training[i] > 0, np.inf, over)
    return int(np.argmin(over))


def improve_pauses(board: PauseBoard, order: list[int], deadline: float, clock) -> int:
    """Passes of single-assignment re-placements until none improves or the deadline; returns the moves made."""
    moves = 0
    while clock() < deadline:
        changed = 0
        for i in order:
            if clock() >= deadline:
                break
            old = int(board.pattern[i])
            board.remove_pauses(i)
            costs = board.pattern_costs(i)
            p = int(np.argmin(costs))
            if np.isfinite(costs[p]) and not (old >= 0 and costs[old] <= costs[p] + 1e-9):
                board.set_pattern(i, p)
            else:
                board.set_pattern(i, old if old >= 0 else _least_over_cap(board, i))
            changed += int(board.pattern[i] != old)
        moves += changed
        if not changed:
            break
    return moves


def move_off_full_intervals(board: PauseBoard, deadline: float, clock) -> int:
    """For each interval over the cap, move one of the shifts pausing there to a pattern that keeps the cap
    everywhere (the cheapest such pattern), until none is over or no such move exists or the deadline (the first
    sweep, over the cells over the cap only, runs even past it); returns moves made."""
    moves, sweep = 0, 0
    while sweep == 0 or clock() < deadline:
        sweep += 1
        over = np.argwhere(board.paused - board.cap > 1e-9)
        moved = 0
        for q, t in over:
            if board.paused[q, t] <= board.cap[q, t] + 1e-9:
                continue
            for j in board.overlapping(int(q), int(t), int(t) + 1):
                offset = int(t) - int(board.start[j])
                if board.pattern[j] < 0:
                    continue
                if board.plans[j].masks[board.pattern[j]][offset] <= 0:
                    continue
                old = int(board.pattern[j])
                board.remove_pauses(j)
                costs = board.pattern_costs(j)
                p = int(np.argmin(costs))
                if np.isfinite(costs[p]):
                    board.set_pattern(j, p)
                    moved += 1
                    break
                board.set_pattern(j, old)
            if sweep > 1 and clock() >= deadline:
                break
        moves += moved
        if not moved:
            break
    return moves


def repair_over_cap(
    board: PauseBoard, stuck: list[int], deadline: float, clock, seed: int = 0
) -> dict[tuple[int, int], str]:
    """Re-place, by a small CP-SAT model, the pauses of every shift of the queue and day of a shift left over
    the cap (the cap hard, each shift one of its patterns); returns (queue, day) → why it is still over."""
    unresolved = {}
    days = sorted({(board.assignments[i].queue, board.assignments[i].day) for i in stuck})
    for k, (queue, day) in enumerate(days):
        on_day = [int(j) for j in board.by_queue[queue] if board.day[j] == day]
        if not any(pauses_over_cap(board, j) for j in on_day):
            continue
        over = np.flatnonzero(board.paused[queue] - board.cap[queue] > 1e-9)
        # first only the shifts that span an interval over the cap (the others stay as placed: a small model),
        # then, if that is not enough, every shift of the queue that day
        spanning = [j for j in on_day if ((over >= board.start[j]) & (over < board.start[j] + board.length[j])).any()]
        status = "UNKNOWN"
        for cluster in (on_day,) if len(spanning) * 2 > len(on_day) else (spanning, on_day):
            # the cap is hard: past the deadline each queue-day still gets MIN_REPAIR_SECONDS (bounded by the
            # queue-days over the cap, a handful), so a loaded machine does not leave it broken
            seconds = min(max((deadline - clock()) / max(1, len(days) - k), MIN_REPAIR_SECONDS), 3.0)
            status = solve_cluster_by_intervals(board, cluster, seconds, seed)
            if status in ("OPTIMAL", "FEASIBLE"):
                break
        if status == "INFEASIBLE":
            unresolved[(queue, day)] = "no pause patterns of that day's shifts keep the cap (proven by CP-SAT)"
        elif status not in ("OPTIMAL", "FEASIBLE"):
            unresolved[(queue, day)] = "not resolved within the placement time"
    return unresolved


def pauses_over_cap(board: PauseBoard, i: int) -> bool:
    """Whether assignment i pauses in an interval where its queue is over the cap."""
    if board.pattern[i] < 0:
        return False
    q, span = board.assignments[i].queue, board.span(i)
    mask = board.plans[i].masks[board.pattern[i]] > 0
    return bool((board.paused[q, span][mask] > board.cap[q, span][mask] + 1e-9).any())


def _cluster(board: PauseBoard, i: int) -> np.ndarray:
    """Assignments on i's queue whose shifts overlap i's shift."""
    return board.overlapping(board.assignments[i].queue, int(board.start[i]), int(board.start[i] + board.length[i]))


def solve_cluster_by_intervals(
    board: PauseBoard, cluster: list[int], seconds: float, seed: int, keep_weight: int = 0
) -> str:
    """Pauses of the cluster's shifts as CP-SAT interval variables: each pause in its rule's window, a shift's
    pauses apart by the rule's gap (no-overlap of pauses stretched by the gap), the cap as a cumulative over the
    queue (the other shifts' pauses fixed), the cost of pausing where the queue is short minimised, plus
    `keep_weight` (in the cost's hundredths of a weight unit) per pause moved from where it is. A compact model (a
    few variables per pause instead of one literal per pattern); the board keeps the pattern found."""
    from ortools.sat.python import cp_model

    q = board.assignments[cluster[0]].queue
    old = {j: int(board.pattern[j]) for j in cluster}
    old_starts = {j: _starts_by_kind(board, j) for j in cluster if keep_weight and old[j] >= 0}
    for j in cluster:
        board.remove_pauses(j)
    model = cp_model.CpModel()
    pauses: dict[int, list[tuple[cp_model.IntVar, int]]] = {}
    real_intervals, objective = [], []
    lo_t = int(min(board.start[j] for j in cluster))
    hi_t = int(max(board.start[j] + board.length[j] for j in cluster))
    for j in cluster:
        costs = board.costs(j)
        stretched, own = [], []
        previous: dict[tuple[str, int], cp_model.IntVar] = {}
        gap, windows = pause_windows(board, j)
        for kind, minutes, units, allowed in windows:
            if not allowed:
                for k in cluster:
                    if old[k] >= 0 and board.pattern[k] < 0:
                        board.set_pattern(k, old[k])
                return "MODEL_INVALID"
            start = model.new_int_var_from_domain(cp_model.Domain.from_values(allowed), f"s{j}_{kind}{len(own)}")
            if (kind, minutes) in previous:
                model.add(start >= previous[(kind, minutes)] + units + gap)  # equal pauses in order
            previous[(kind, minutes)] = start
            was = old_starts.get(j, {}).get((kind, units), [])
            if was:  # equal pauses are ordered, so the k-th of a kind is kept when it starts where the k-th was
                kept = model.new_bool_var(f"k{j}_{len(own)}")
                model.add(start == was.pop(0)).only_enforce_if(kept)
                model.add_hint(kept, True)
                objective.append(keep_weight * (1 - kept))
            stretched.append(model.new_fixed_size_interval_var(start, units + gap, f"g{j}_{len(own)}"))
            absolute = model.new_int_var(lo_t, hi_t, f"a{j}_{len(own)}")
            model.add(absolute == start + int(board.start[j]))
            real_intervals.append(model.new_fixed_size_interval_var(absolute, units, f"p{j}_{len(own)}"))
            window = np.convolve(costs, np.ones(units), mode="valid")
            scale = np.rint(window * 100).astype(np.int64)
            cost = model.new_int_var(int(scale.min()), int(scale.max()), f"c{j}_{len(own)}")
            model.add_element(start, [int(v) for v in scale], cost)
            objective.append(cost)
            own.append((start, units))
        model.add_no_overlap(stretched)
        pauses[j] = own
    room = np.rint(board.cap[q, lo_t:hi_t] - board.paused[q, lo_t:hi_t]).astype(np.int64)
    capacity = int(max(room.max(), 0))
    fixed, demands = [], []
    for t, free in enumerate(room):
        if free < capacity:
            fixed.append(model.new_fixed_size_interval_var(lo_t + t, 1, f"room{t}"))
            demands.append(int(capacity - max(free, 0)))
    model.add_cumulative([*real_intervals, *fixed], [1] * len(real_intervals) + demands, capacity)
    model.minimize(sum(objective))
    solver = cp_model.CpSolver()
    solver.parameters.max_time_in_seconds = seconds
    solver.parameters.num_workers = 2
    solver.parameters.random_seed = seed
    status = solver.solve(model)
    found = status in (cp_model.OPTIMAL, cp_model.FEASIBLE)
    for j in cluster:
        p = -1
        if found:
            mask = np.zeros(int(board.length[j]))
            for start, units in pauses[j]:
                mask[solver.value(start) : solver.value(start) + units] = 1.0
            p = pattern_index(board.plans[j], mask)
        board.set_pattern(j, p if p >= 0 else old[j]) if (p >= 0 or old[j] >= 0) else None
    return solver.status_name(status)


def _starts_by_kind(board: PauseBoard, j: int) -> dict[tuple[str, int], list[int]]:
    """Assignment j's current pause starts (offsets in its shift), ascending per (kind, length in intervals)."""
    out: dict[tuple[str, int], list[int]] = {}
    for start, units, kind in sorted(board.plans[j].pauses[board.pattern[j]]):
        out.setdefault((kind, units), []).append(start)
    return out


def pause_windows(board: PauseBoard, j: int) -> tuple[int, list[tuple[str, int, int, list[int]]]]:
    """(gap intervals, per pause of assignment j: kind, minutes, length in intervals and the offsets where it may
    start) under its break rule, training excluded — the rule `_enumerate` walks, as windows."""
    plans = board.plans[j]
    shift = board.instance.shifts[board.assignments[j].shift]
    rule, step = plans.rule, board.instance.interval_minutes
    length = int(board.length[j])
    first = math.ceil(rule.earliest_hours * 60 / step - 1e-9)
    last_end = length - math.ceil(rule.end_margin_hours * 60 / step - 1e-9)
    gap = math.ceil(rule.min_gap_hours * 60 / step - 1e-9)
    lunch_lo = math.ceil(rule.lunch_earliest_hours * 60 / step - 1e-9)
    lunch_hi = math.floor(rule.lunch_latest_hours * 60 / step + 1e-9)
    blocked = board.training[j] > 0
    windows = []
    for kind, minutes in pause_items(rule, shift):
        units = minutes // step
        lo, hi = first, last_end - units
        if kind == "lunch":
            lo, hi = max(lo, lunch_lo), min(hi, lunch_hi)
        windows.append((kind, minutes, units, [t for t in range(lo, hi + 1) if not blocked[t : t + units].any()]))
    return gap, windows


def pattern_index(plans: PausePlans, mask: np.ndarray) -> int:
    """The index of the pattern with this mask (−1 when the enumeration has none)."""
    hits = np.flatnonzero((plans.masks == mask).all(axis=1))
    return int(hits[0]) if len(hits) else -1
