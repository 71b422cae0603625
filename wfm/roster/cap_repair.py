"""Shift moves that make the break cap feasible where no pause pattern of a queue-day's shifts can keep it.

The placement proves some queue-days infeasible for the cap (e.g. nine agents start at 08:00 with their lunches
in the same two-hour window and at most two may pause at once). No pause move fixes that; a shift must move.
For each such queue-day it tries moving one agent's shift that day to its best other template or queue (every
other day of its plan kept, so every contract and sequence rule the dynamic programme keeps still holds), the
crowded start times first and the cheapest first among them; each try is scored by the fewest agent-intervals
over the cap that queue-day's pauses can reach (CP-SAT), the best is made, and again until the cap can be kept.
"""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import date

import numpy as np

from wfm.roster.best_response import (
    NEG,
    Plan,
    ResponseContext,
    add_plan,
    plan_value,
    respond,
    response_context,
    value_table,
)
from wfm.roster.breaks import PauseBoard, place_pauses
from wfm.roster.domain import Assignment, Config, Instance
from wfm.roster.options import InstanceFacts
from wfm.roster.pause_polish import least_cap_overflow
from wfm.roster.variables import Cell, Choice

KEEP_BONUS = 1e9  # added to an agent's current cells on the other days, so the programme keeps them
MAX_TRIES_PER_QUEUE_DAY = 8  # candidate moves placed per step, cheapest first
MAX_MOVES_PER_QUEUE_DAY = 6
CHECK_SECONDS = 1.0  # most time for the overflow check of one queue-day
CHECK_WORK = 0.25  # CP-SAT deterministic time per check: a count found by then guides the moves; 0 proves the cap
UNKNOWN_OVERFLOW = 10**9  # the check did not finish: worse than any count


@dataclass(frozen=True)
class CapMove:
    """One shift moved to make a queue-day's cap feasible: agent, day, (shift, queue) before and after, and the
    change of the coverage-and-cost value the programme counts (negative: the roster got worse by that)."""

    agent: int
    day: int
    before: tuple[int, int]
    after: tuple[int, int] | None  # None: the day became a day off
    value_change: float


def cap_infeasible_days(instance: Instance, breaks_report: dict) -> list[tuple[int, int]]:
    """(queue, day) of the report's `cap_not_met` entries."""
    index = {name: q for q, name in enumerate(instance.queues)}
    out = []
    for item in breaks_report.get("cap_not_met", ()):
        day = (date.fromisoformat(item["date"]) - instance.start).days
        out.append((index[item["queue"]], day))
    return sorted(set(out))


def move_shifts_for_cap(
    instance: Instance,
    config: Config,
    facts: InstanceFacts,
    chosen: dict[Cell, Choice],
    bad_days: list[tuple[int, int]],
    deadline: float,
    clock: Callable[[], float] = time.monotonic,
    seed: int = 0,
) -> tuple[dict[Cell, Choice], list[CapMove], list[tuple[int, int]]]:
    """Move shifts until each queue-day in `bad_days` can keep the cap (checked on that queue-day's shifts placed
    alone), or the deadline; returns (the new roster, the moves, queue-days left).
    Per queue-day: the best move that leaves fewer agent-intervals over the cap, again until it keeps the cap (at
    most MAX_MOVES_PER_QUEUE_DAY moves; undone when the queue-day still cannot keep it)."""
    ctx = response_context(instance, config, facts)
    chosen = dict(chosen)
    moves: list[CapMove] = []
    left: list[tuple[int, int]] = []
    for q, d in bad_days:
        excess = _cells_over_cap(instance, config, chosen, q, d, deadline, clock, seed)
        made: list[CapMove] = []
        while excess > 0 and len(made) < MAX_MOVES_PER_QUEUE_DAY and clock() < deadline:
            found = _best_move(ctx, chosen, q, d, excess, deadline, clock, seed)
            if found is None:
                break
            move, excess = found
            made.append(move)
            chosen = _applied(chosen, move)
        if excess > 0:
            left.append((q, d))
            for move in reversed(made):  # moves that did not make the queue-day feasible are undone
                chosen = _applied(chosen, replace(move, after=move.before))
            continue
        moves += made
    return chosen, moves, left


def _applied(chosen: dict[Cell, Choice], move: CapMove) -> dict[Cell, Choice]:
    """A copy of the roster with the move made."""
    out = dict(chosen)
    if move.after is None:
        del out[(move.agent, move.day)]
    else:
        out[(move.agent, move.day)] = move.after
    return out


def _best_move(
    ctx: ResponseContext,
    chosen: dict[Cell, Choice],
    q: int,
    d: int,
    excess: int,
    deadline: float,
    clock: Callable[[], float],
    seed: int,
) -> tuple[CapMove, int] | None:
    """Among the first MAX_TRIES_PER_QUEUE_DAY one-day moves of agents on queue q on day d (the most crowded start
    times first, the cheapest first among them): the first after which the queue-day keeps the cap, else the one
    leaving the fewest agent-intervals over it if fewer than `excess`; with that count. (Taking the first move
    that helps is twice as fast but stalled on a sample Double 11 queue-day that the best move clears.)"""
    scheduled = np.zeros(ctx.instance.required.shape, dtype=np.int64)
    plans: dict[int, Plan] = {}
    for (a, day), (s, queue) in sorted(chosen.items()):
        plans.setdefault(a, []).append((day, s, queue))
    for plan in plans.values():
        add_plan(scheduled, ctx, plan, 1)
    candidates = []
    for a in sorted(a for (a, day), (_, queue) in chosen.items() if day == d and queue == q):
        old = plans[a]
        others = scheduled.copy()
        add_plan(others, ctx, old, -1)
        new = _one_day_alternative(ctx, a, old, d, others)
        if new is None:
            continue
        change = plan_value(ctx, a, new, others) - plan_value(ctx, a, old, others)
        after = next(((s, queue) for day, s, queue in new if day == d), None)
        candidates.append(CapMove(a, d, chosen[(a, d)], after, change))
    # the crowded start times first (moving one of nine 08:00 shifts spreads the pauses; moving the only 15:00 one
    # does not), the cheapest first among those
    crowd = Counter(s for (_, day), (s, queue) in chosen.items() if day == d and queue == q)
    candidates.sort(key=lambda m: (-crowd[m.before[0]], -m.value_change, m.agent))
    best: tuple[CapMove, int] | None = None
    for move in candidates[:MAX_TRIES_PER_QUEUE_DAY]:
        if clock() >= deadline:
            break
        over = _cells_over_cap(ctx.instance, ctx.config, _applied(chosen, move), q, d, deadline, clock, seed)
        if over == 0:
            return move, 0
        if over < excess and (best is None or over < best[1]):
            best = (move, over)
    return best


def _one_day_alternative(ctx: ResponseContext, a: int, old: Plan, d: int, others: np.ndarray) -> Plan | None:
    """The agent's best legal plan that keeps every other day's shift and queue and changes day d's shift (or
    drops it); None when every such plan breaks a rule or changes another day."""
    values, queues = value_table(ctx, a, others)
    current = {day: (s, queue) for day, s, queue in old}
    for day, (s, queue) in current.items():
        if day == d:
            values[day, s] = NEG
            continue
        keep = values[day, s]
        values[day, :] = NEG
        if keep > NEG / 2:
            values[day, s] = keep + KEEP_BONUS
            queues[day, s] = queue
    for day in range(ctx.instance.days):
        if day != d and day not in current:
            values[day, :] = NEG  # a day off stays off
    found = respond(ctx, a, values, queues, others)
    if found is None:
        return None
    new = found[0]
    kept = {day: (s, queue) for day, s, queue in new if day != d}
    if kept != {day: c for day, c in current.items() if day != d}:
        return None
    return new


def _cells_over_cap(
    instance: Instance,
    config: Config,
    chosen: dict[Cell, Choice],
    q: int,
    d: int,
    deadline: float,
    clock: Callable[[], float],
    seed: int,
) -> int:
    """The fewest agent-intervals over the cap the pauses of queue q's day-d shifts can reach, placed alone (with
    the night shifts of day d − 1 running into day d, no training): 0 when the queue-day can keep the cap."""
    shifts = instance.shifts
    subset = [
        Assignment(a, day, s, queue)
        for (a, day), (s, queue) in sorted(chosen.items())
        if queue == q and (day == d or (day == d - 1 and shifts[s].start_minute + shifts[s].length_minutes > 1440))
    ]
    if not subset:
        return 0
    board = PauseBoard(instance, config, subset)
    order = sorted(range(len(subset)), key=lambda i: (int(board.start[i]), i))
    if not place_pauses(board, order, clock(), clock, np.random.default_rng(seed)):  # one greedy pass kept it
        return 0
    cluster = [i for i in range(len(subset)) if board.day[i] == d]
    seconds = max(0.2, min(CHECK_SECONDS, deadline - clock()))
    found = least_cap_overflow(board, q, cluster, seconds, seed, work=CHECK_WORK)
    return UNKNOWN_OVERFLOW if found is None else found
