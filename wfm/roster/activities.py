"""Activity placement after the roster solve: breaks, lunches and training sessions inside the assigned shifts.

1. Pauses: each shift takes its cheapest pause pattern (breaks.py) in start order, then passes of single-shift
   re-placements until none improves (every move keeps the per-queue break cap and the rule windows).
2. Training: every (requirement, agent, period) need takes, one session at a time, the slot with the lowest
   cost over the agent's shifts in the period — the coverage it removes plus the change of that shift's pause
   pattern, which is re-chosen around the session; groups marked `together` take one slot for all members.
   Needs that find no slot are reported with the reason.
3. Pauses again, with the sessions fixed.
"""

from __future__ import annotations

import gc
import time
from collections import defaultdict
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass

import numpy as np
import pandas as pd

from wfm.roster.breaks import (
    PauseBoard,
    breakout_passes,
    improve_pauses,
    move_off_full_intervals,
    place_pauses,
    repair_over_cap,
)
from wfm.roster.domain import WEEKDAYS, Assignment, Config, Instance
from wfm.roster.pause_polish import PolishResult, polish_queue_days
from wfm.roster.training import TrainingRequirement, members_of

PERIOD_ORDER = {"day": 0, "week": 1, "horizon": 2}


@dataclass(frozen=True)
class Activity:
    """A break, lunch or training session inside a shift: minutes after the shift start, length, kind, label
    (the training requirement's name)."""

    offset_minutes: int
    minutes: int
    activity: str
    label: str = ""


@dataclass(frozen=True, eq=False)
class ActivityPlan:
    """Placed activities per (agent index, day), agents working per queue and interval after them, and the
    report sections `breaks` and `training`."""

    by_cell: dict[tuple[int, int], tuple[Activity, ...]]
    scheduled: np.ndarray
    breaks: dict
    training: dict
    seconds: float


@dataclass
class _Need:
    """Sessions of one requirement still owed by some agents (one agent, or a whole `together` group) in a period."""

    requirement: TrainingRequirement
    agents: list[int]
    days: list[int]
    label: str
    sessions: int
    same_day_ok: bool


def place_activities(
    instance: Instance,
    config: Config,
    assignments: list[Assignment] | tuple[Assignment, ...],
    training: tuple[TrainingRequirement, ...] = (),
    time_limit_seconds: float = 10.0,
    seed: int = 0,
    clock: Callable[[], float] = time.monotonic,
    polish: float = 0.0,
) -> ActivityPlan:
    """Place pauses and training in the assigned shifts within the time limit (InputError when a template's
    pauses cannot fit its break rule). The cap comes first: its phases run before training and improvement,
    each on a share of the time left, and a final repair follows training if it left a queue over the cap.
    `polish` > 0: then re-place each queue-day's pauses exactly (wfm/roster/pause_polish.py) until that share of
    the time limit has passed (1.0: all of it)."""
    with _heap_frozen():
        return _place(instance, config, list(assignments), training, time_limit_seconds, seed, clock, polish)


@contextmanager
def _heap_frozen() -> Iterator[None]:
    """Keep the objects alive before the placement (the solve's: millions at 1 000 agents) out of the garbage
    collector's passes meanwhile: they cost 0.5 s of a 6 s placement there. Left alone when the caller froze
    objects itself (unfreezing would undo that)."""
    if gc.get_freeze_count():
        yield
        return
    gc.freeze()
    try:
        yield
    finally:
        gc.unfreeze()


def _place(
    instance: Instance,
    config: Config,
    assignments: list[Assignment],
    training: tuple[TrainingRequirement, ...],
    time_limit_seconds: float,
    seed: int,
    clock: Callable[[], float],
    polish: float,
) -> ActivityPlan:
    """The placement phases (see place_activities)."""
    started = clock()
    board = PauseBoard(instance, config, assignments)
    # writing the rows and the report at the end costs about what building the board did (both walk every shift)
    reserve = min(0.2 * time_limit_seconds, 3.0 * (clock() - started) + 0.05 * time_limit_seconds)
    end = started + time_limit_seconds - reserve
    rng = np.random.default_rng(seed)
    unresolved = _keep_cap(board, end, clock, rng, seed)
    shuffled = [int(i) for i in rng.permutation(len(assignments))]
    moves = improve_pauses(board, shuffled, _share_of_rest(end, 0.15, clock), clock)
    sessions: dict[int, list[tuple[int, int, str]]] = defaultdict(list)
    training_report = _place_training(
        instance, board, assignments, training, sessions, _share_of_rest(end, 0.85, clock), clock
    )
    stuck = board.over_cap()
    if stuck:  # sessions of a `together` group can leave one member's queue over the cap
        unresolved |= repair_over_cap(board, stuck, end, clock, seed)
    moves += improve_pauses(board, shuffled, end, clock)
    polish_end = min(end, started + polish * time_limit_seconds)
    polished = polish_queue_days(board, polish_end, clock, seed) if polish > 0 else PolishResult()
    if polished.better:
        moves += improve_pauses(board, shuffled, end, clock)
    unresolved = _cap_not_met(board, unresolved)
    by_cell = _activities(instance, board, assignments, sessions)
    breaks_report = _breaks_report(instance, config, board, by_cell, unresolved, moves)
    if polish > 0:
        breaks_report["exact_queue_days"] = polished.as_dict()
    return ActivityPlan(by_cell, board.scheduled(), breaks_report, training_report, clock() - started)


def _share_of_rest(end: float, share: float, clock: Callable[[], float]) -> float:
    """A deadline `share` of the way from now to `end`."""
    now = clock()
    return now + share * max(0.0, end - now)


def _keep_cap(
    board: PauseBoard, end: float, clock: Callable[[], float], rng: np.random.Generator, seed: int
) -> dict[tuple[int, int], str]:
    """Every shift's pauses, then the cap enforced: breakout passes, single moves off full intervals and the CP-SAT
    repair, each until the cap holds or its share of the time left; (queue, day) → why the cap is still not met."""
    order = sorted(range(len(board.assignments)), key=lambda i: (int(board.start[i]), i))
    stuck = place_pauses(board, order, _share_of_rest(end, 0.5, clock), clock, rng)
    for _round in range(2):  # the greedy moves are cheap and usually clear the cap; CP-SAT is the last resort
        if stuck:
            move_off_full_intervals(board, _share_of_rest(end, 0.25, clock), clock)
            stuck = breakout_passes(board, board.over_cap(), _share_of_rest(end, 0.25, clock), clock, rng)
    return repair_over_cap(board, stuck, _share_of_rest(end, 0.6, clock), clock, seed)


def _cap_not_met(board: PauseBoard, unresolved: dict[tuple[int, int], str]) -> dict[tuple[int, int], str]:
    """Every (queue, day) still over the cap with its reason (the repair's, else out of time); no other."""
    over = {(board.assignments[i].queue, board.assignments[i].day) for i in board.over_cap()}
    return {key: unresolved.get(key, "not resolved within the placement time") for key in sorted(over)}


def _breaks_report(
    instance: Instance,
    config: Config,
    board: PauseBoard,
    by_cell: dict[tuple[int, int], tuple[Activity, ...]],
    unresolved: dict[tuple[int, int], str],
    moves: int,
) -> dict:
    """The report's `breaks` section."""
    placed = [a for acts in by_cell.values() for a in acts]
    assignments = board.assignments
    return {
        "breaks_placed": sum(a.activity == "break" for a in placed),
        "lunches_placed": sum(a.activity == "lunch" for a in placed),
        "cap": _cap_text(config),
        "cap_violations": board.cap_excess(),
        "shifts_over_cap": [
            f"{instance.agents[assignments[i].agent].agent_id} {instance.day_date(assignments[i].day)}"
            for i in board.over_cap()
        ],
        "cap_not_met": [
            {"queue": instance.queues[q], "date": str(instance.day_date(d)), "reason": why}
            for (q, d), why in unresolved.items()
        ],
        "improving_moves": moves,
    }


# A roster build (solve, placement, output rows and the independent check) returns within this multiple of its
# time limit; the placement gets what the solve left of it, less an estimate of the finishing steps.
WALL_SHARE = 1.1
MIN_PLACEMENT_SECONDS = 0.5


def finishing_seconds(n_shifts: int) -> float:
    """Wall time kept for the steps after placement (output rows, checker, writing): 1 s + 0.25 ms per shift,
    measured at 18,400 shifts (4.5 s) with the machine's other core busy."""
    return 1.0 + 2.5e-4 * n_shifts


def solve_seconds_within(time_limit_seconds: float, n_agents: int, days: int) -> float:
    """The solver's share of a build that must end by WALL_SHARE × the limit: the limit, less what the placement
    (10 % of the limit, 0.5–15 s) and the finishing steps of about five shifts per agent-week need beyond the
    extra 10 %; never below half the limit."""
    expected_shifts = int(n_agents * days * 5 / 7)
    reserve = min(15.0, max(MIN_PLACEMENT_SECONDS, 0.1 * time_limit_seconds)) + finishing_seconds(expected_shifts)
    room = WALL_SHARE * time_limit_seconds - reserve
    return max(0.5 * time_limit_seconds, min(time_limit_seconds, room))


def placement_seconds_left(deadline: float, n_shifts: int, now: float | None = None) -> float:
    """Placement time that still lets the build end by `deadline` (a time.monotonic() value); at least 0.5 s."""
    now = time.monotonic() if now is None else now
    return max(MIN_PLACEMENT_SECONDS, deadline - now - finishing_seconds(n_shifts))


def placement_seconds(time_limit_seconds: float) -> float:
    """Time given to the placement after a solve of `time_limit_seconds`: 10 % of it, between 3 and 15 s."""
    return min(15.0, max(3.0, 0.1 * time_limit_seconds))


def _cap_text(config: Config) -> str:
    """The cap in words for the report."""
    cap = config.breaks.cap
    if cap is None:
        return "none"
    per_queue = "".join(f", {q} {s:g}" for q, s in cap.queues)
    return f"share {cap.default:g} of the agents on shift (at least {cap.min_agents}){per_queue}"


def _activities(
    instance: Instance,
    board: PauseBoard,
    assignments: list[Assignment],
    sessions: dict[int, list[tuple[int, int, str]]],
) -> dict[tuple[int, int], tuple[Activity, ...]]:
    """Per (agent, day): the placed pauses and sessions in time order, in minutes."""
    step = instance.interval_minutes
    out = {}
    for i, x in enumerate(assignments):
        items = [
            Activity(start * step, units * step, kind)
            for start, units, kind in (board.plans[i].pauses[board.pattern[i]] if board.pattern[i] >= 0 else ())
        ]
        items += [Activity(start * step, units * step, "training", name) for start, units, name in sessions[i]]
        out[(x.agent, x.day)] = tuple(sorted(items, key=lambda a: a.offset_minutes))
    return out


def _place_training(
    instance: Instance,
    board: PauseBoard,
    assignments: list[Assignment],
    requirements: tuple[TrainingRequirement, ...],
    sessions: dict[int, list[tuple[int, int, str]]],
    deadline: float = float("inf"),
    clock: Callable[[], float] = time.monotonic,
) -> dict:
    """Place every requirement's sessions until the deadline (needs left then are reported as not met); the
    report's `training` section."""
    cell = {(x.agent, x.day): i for i, x in enumerate(assignments)}
    seats: dict[tuple[str, int, int], int] = defaultdict(int)
    report = []
    ordered = sorted(requirements, key=lambda r: (not r.together, PERIOD_ORDER[r.per]))
    for r in ordered:
        needs, missing, owed = _needs(instance, r, cell)
        delivered = 0
        for need in sorted(needs, key=lambda n: (len(n.days), n.agents)):
            for placed in range(need.sessions):
                done, reason = False, "not placed within the placement time"
                if clock() < deadline:
                    done, reason = _place_session(instance, board, cell, need, seats, sessions)
                if not done:
                    short = need.sessions - placed
                    missing += [_missing(instance, need, a, reason, short) for a in need.agents]
                    break
                delivered += len(need.agents)
        hours = r.session_minutes / 60
        report.append(
            {
                "requirement": r.name,
                "group": r.group + (f" {';'.join(r.members)}" if r.members else ""),
                "per": r.per,
                "agents": len(members_of(r, instance.agents)),
                "sessions_required": owed,
                "sessions_delivered": delivered,
                "required_hours": round(owed * hours, 2),
                "delivered_hours": round(delivered * hours, 2),
                "not_met": _merge(missing),
            }
        )
    return {
        "required_hours": round(sum(r["required_hours"] for r in report), 2),
        "delivered_hours": round(sum(r["delivered_hours"] for r in report), 2),
        "requirements": report,
    }


def _missing(instance: Instance, need: _Need, agent: int, reason: str, sessions: int) -> dict:
    """One not-met line."""
    return {
        "agent_id": instance.agents[agent].agent_id,
        "period": need.label,
        "missing_sessions": sessions,
        "reason": reason,
    }


def _merge(missing: list[dict]) -> list[dict]:
    """Not-met lines of the same agent, period and reason counted together."""
    merged: dict[tuple, dict] = {}
    for m in missing:
        key = (m["agent_id"], m["period"], m["reason"])
        if key in merged:
            merged[key]["missing_sessions"] += m["missing_sessions"]
        else:
            merged[key] = dict(m)
    return list(merged.values())


def _needs(
    instance: Instance, r: TrainingRequirement, cell: dict[tuple[int, int], int]
) -> tuple[list[_Need], list[dict], int]:
    """The requirement's needs per agent (or group) and period, the sessions missing for lack of working days
    or seats, and the sessions required in all."""
    members = members_of(r, instance.agents)
    limit = instance.days if r.first_weeks is None else min(instance.days, 7 * r.first_weeks)
    allowed = [d for d in range(limit) if instance.weekday(d) in r.weekdays]
    days_text = "" if len(r.weekdays) == 7 else f" on {';'.join(WEEKDAYS[w] for w in sorted(r.weekdays))}"
    if r.per == "day":
        periods = [([d], str(instance.day_date(d))) for d in allowed]
    elif r.per == "week":
        periods = [
            ([d for d in allowed if d in week], f"week {k + 1}")
            for k, week in enumerate(instance.weeks())
            if week.start < limit
        ]
    else:
        periods = [(allowed, "the horizon" if r.first_weeks is None else f"the first {r.first_weeks} weeks")]
    needs, missing = [], []
    groups = [members] if r.together else [[a] for a in members]
    for group in groups:
        if not group:
            continue
        for days, label in periods:
            working = [d for d in days if all((a, d) in cell for a in group)]
            if r.per == "day":
                if working:
                    needs.append(_Need(r, group, working, label, r.sessions, True))
                continue
            owed = min(r.sessions, len(working))
            if owed < r.sessions:
                who = f"agent {instance.agents[group[0]].agent_id}" if len(group) == 1 else f"the {len(group)} members"
                together = " together" if len(group) > 1 else ""
                missing += [
                    {
                        "agent_id": instance.agents[a].agent_id,
                        "period": label,
                        "missing_sessions": r.sessions - owed,
                        "reason": f"{who} work{'s' if len(group) == 1 else ''}{together} only {len(working)} "
                        f"day(s){days_text} in {label}",
                    }
                    for a in group
                ]
            if owed:
                needs.append(_Need(r, group, working, label, owed, False))
    required = sum(n.sessions * len(n.agents) for n in needs) + sum(m["missing_sessions"] for m in missing)
    if r.together and r.capacity is not None and len(members) > r.capacity and needs:
        reason = f"capacity {r.capacity} is below the group's {len(members)} members"
        for need in needs:
            missing += [_missing(instance, need, a, reason, need.sessions) for a in need.agents]
        needs = []
    return needs, missing, required


def _place_session(
    instance: Instance,
    board: PauseBoard,
    cell: dict[tuple[int, int], int],
    need: _Need,
    seats: dict[tuple[str, int, int], int],
    sessions: dict[int, list[tuple[int, int, str]]],
) -> tuple[bool, str]:
    """Place one session of the need at its cheapest slot; (placed, reason when not)."""
    r = need.requirement
    step = instance.interval_minutes
    units = r.session_minutes // step
    used_days = {d for d in need.days if any(name == r.name for i in _cells(need, d, cell) for *_, name in sessions[i])}
    fits = seat_ok = False
    best: tuple[float, int, int, list[tuple[int, int]]] | None = None
    tables: dict[int, _SessionTable] = {}  # the board does not change until the slot is chosen
    for d in need.days:
        if d in used_days and not need.same_day_ok:
            continue
        members = _cells(need, d, cell)
        for slot in r.slot_starts():
            offsets = [(slot - instance.shifts[_shift_of(board, i)].start_minute) for i in members]
            ends = [o + r.session_minutes - board.length[i] * step for o, i in zip(offsets, members, strict=True)]
            if min(offsets) < 0 or max(ends) > 0:
                continue
            fits = True
            if r.capacity is not None and seats[(r.name, d, slot)] + len(members) > r.capacity:
                continue
            seat_ok = True
            total, picks = 0.0, []
            for o, i in zip(offsets, members, strict=True):
                if i not in tables:
                    tables[i] = _SessionTable.of(board, i)
                cost, p = tables[i].cost(board.training[i], o // step, units)
                if not np.isfinite(cost):
                    break
                total += cost
                picks.append((i, p))
            else:
                if best is None or total < best[0] - 1e-9:
                    best = (total, d, slot, picks)
    if best is None:
        if not fits:
            window = f"{_clock(r.earliest_minute)}–{_clock(r.latest_minute)}"
            return False, f"no shift in {need.label} holds a {r.session_minutes}-min session in {window}"
        if not seat_ok:
            return False, f"capacity {r.capacity} reached in every allowed slot"
        return False, "no allowed slot leaves room for the shift's breaks, lunch and other training"
    _total, d, slot, picks = best
    for i, p in picks:
        offset = (slot - instance.shifts[_shift_of(board, i)].start_minute) // step
        board.remove_pauses(i)
        board.add_training(i, offset, units)
        board.set_pattern(i, p)
        sessions[i].append((offset, units, r.name))
    seats[(r.name, d, slot)] += len(picks)
    return True, ""


def _shift_of(board: PauseBoard, i: int) -> int:
    """Template index of assignment i."""
    return board.assignments[i].shift


def _cells(need: _Need, day: int, cell: dict[tuple[int, int], int]) -> list[int]:
    """Assignment indices of the need's agents on a day."""
    return [cell[(a, day)] for a in need.agents if (a, day) in cell]


@dataclass(frozen=True, eq=False)
class _SessionTable:
    """What a session costs anywhere in one shift, as the board is: each pause pattern's cost with the shift's own
    pauses off the board (inf over the cap or over training), cumulative pause masks and cumulative interval costs."""

    base: np.ndarray
    mask_sums: np.ndarray  # (patterns, length + 1): pause intervals of each pattern before each offset
    cost_sums: np.ndarray  # (length + 1,): cost of taking the agent off its queue before each offset
    old: int

    @staticmethod
    def of(board: PauseBoard, i: int) -> _SessionTable:
        """The table of assignment i (its pattern is put back)."""
        old = int(board.pattern[i])
        board.remove_pauses(i)
        try:
            base, unit = board.pattern_costs(i), board.costs(i)
        finally:
            if old >= 0:
                board.set_pattern(i, old)
        masks = board.plans[i].masks
        mask_sums = np.concatenate([np.zeros((len(masks), 1)), np.cumsum(masks, axis=1)], axis=1)
        return _SessionTable(base, mask_sums, np.concatenate([[0.0], np.cumsum(unit)]), old)

    def cost(self, training: np.ndarray, offset: int, units: int) -> tuple[float, int]:
        """(cost change, best pause pattern) of a session at `offset`; inf when it overlaps training or no pause
        pattern fits around it under the cap."""
        if training[offset : offset + units].any():
            return np.inf, -1
        overlap = self.mask_sums[:, offset + units] - self.mask_sums[:, offset] > 0
        costs = np.where(overlap, np.inf, self.base)
        p = int(np.argmin(costs))
        if not np.isfinite(costs[p]):
            return np.inf, -1
        before = self.base[self.old] if self.old >= 0 else 0.0
        session = float(self.cost_sums[offset + units] - self.cost_sums[offset])
        return session + float(costs[p]) - (float(before) if np.isfinite(before) else 0.0), p


def _clock(minute: int) -> str:
    """HH:MM."""
    return f"{minute // 60:02d}:{minute % 60:02d}"


def place_in_roster(instance: Instance, config: Config, frame, x: Assignment) -> tuple[Activity, ...]:
    """Pauses for one new shift in an existing roster frame (export rows): the other agents' shifts and pauses on
    its queue stay as they are and count for the cap and the surplus (used when a planner edits a day)."""
    board = PauseBoard(instance, config, [x])
    queue, step = instance.queues[x.queue], instance.interval_minutes
    origin = np.datetime64(instance.start.isoformat())
    others = frame[(frame["activity"] != "off") & (frame["agent_id"] != instance.agents[x.agent].agent_id)]
    width = board.on_shift.shape[1]
    for _key, rows in others.groupby(["agent_id", "date"]):
        if queue not in set(rows.loc[rows["activity"] == "work", "queue"]):
            continue
        starts = _grid(rows["start"], origin, step)
        ends = _grid(rows["end"], origin, step)
        board.on_shift[x.queue, max(0, starts.min()) : min(width, ends.max())] += 1
        for lo, hi, kind in zip(starts, ends, rows["activity"], strict=True):
            if kind != "work":
                board.present[x.queue, max(0, lo) : min(width, hi)] -= 1
                if kind in ("break", "lunch"):
                    board.paused[x.queue, max(0, lo) : min(width, hi)] += 1
        board.present[x.queue, max(0, starts.min()) : min(width, ends.max())] += 1
    from wfm.roster.breaks import _cap_grid

    board.cap = _cap_grid(instance, config.breaks, board.on_shift)
    place_pauses(board, [0], 0.0, lambda: 1.0, np.random.default_rng(0))
    return _activities(instance, board, [x], defaultdict(list))[(x.agent, x.day)]


def _grid(stamps, origin: np.datetime64, step: int) -> np.ndarray:
    """Interval indices (from the horizon start) of 'YYYY-MM-DD HH:MM' texts or timestamps."""
    minutes = (pd.to_datetime(stamps).to_numpy().astype("datetime64[m]") - origin).astype(np.int64)
    return minutes // step
