"""Keep the break cap after a planner's edit: the pauses of a day's shifts that pause over the cap are re-placed.

The cap is a share of the agents on shift, so removing a shift (a day off, another queue) can lower it where the
pauses placed for the old roster still sit: 3 of 12 agents pausing at 13:00 keep a 25 % cap, 3 of 11 do not. The
queue-days over the cap are solved again by the placement's CP-SAT interval model
(`breaks.solve_cluster_by_intervals`) with every pause moved from where it is penalised above any coverage cost:
the fewest pauses move (each within its break rule and around its training), then the cheapest for coverage.
The checker's view of the cap is used: agent-days with work on exactly one queue count; others are left alone.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from wfm.roster.activities import Activity, ActivityPlan
from wfm.roster.breaks import PauseBoard, _cap_grid, pattern_index, pause_plans, solve_cluster_by_intervals
from wfm.roster.domain import Assignment, Config, Instance, templates_by_shape
from wfm.roster.outputs import with_days_rewritten

PAUSE_KINDS = ("break", "lunch")
MOVABLE_KINDS = {"work", "break", "lunch", "training"}  # an agent-day with other activities keeps its rows
REPAIR_SECONDS = 2.0  # CP-SAT time for the queue-days over the cap after one edit
MIN_SECONDS = 0.5  # per queue-day over the cap, even past REPAIR_SECONDS (the cap is a hard rule)
KEEP_WEIGHT = 10**8  # per pause moved, in the model's cost units (weight × 100 per interval): fewest moves first


@dataclass
class _ShiftRows:
    """One agent-day of the table on one queue: where it runs (board columns) and its pauses and training."""

    agent: int
    day: int
    queue: int
    start: int  # board column of the first row
    length: int  # intervals to the last row's end
    lunch_minutes: int
    movable: bool  # only work, pauses and training
    pauses: list[tuple[int, int]] = field(default_factory=list)  # (offset, units) from the shift start
    training: list[tuple[int, int, str]] = field(default_factory=list)  # (offset, units, requirement)


def keep_cap_on_day(
    instance: Instance, config: Config, frame: pd.DataFrame, day: int, seconds: float = REPAIR_SECONDS, seed: int = 0
) -> tuple[pd.DataFrame, list[str]]:
    """The roster table with the pauses over the break cap on horizon day `day` re-placed (the rest kept), and the
    ids of the agents whose pauses moved (none when the day keeps the cap or nothing could be moved)."""
    if config.breaks.cap is None or not 0 <= day < instance.days:
        return frame, []
    shifts = [s for s in _shift_rows(instance, frame, day) if s.day == day or _crosses_midnight(instance, s)]
    movable, fixed, patterns = _split(instance, config, shifts)
    if not movable:
        return frame, []
    board = PauseBoard(instance, config, [x for x, _ in movable])
    _add_fixed(board, fixed)
    board.cap = _cap_grid(instance, config.breaks, board.on_shift)
    board.cap[:, : day * instance.intervals_per_day] = len(instance.agents) + 1  # the day before is not this edit's
    for i, (_x, rows) in enumerate(movable):
        for offset, units, _label in rows.training:
            board.add_training(i, offset, units)
        board.set_pattern(i, patterns[i])
    stuck = board.over_cap()
    if not stuck:
        return frame, []
    deadline = time.monotonic() + seconds
    before = board.pattern.copy()
    crowded = sorted({board.assignments[i].queue for i in stuck})  # the day's shifts and the night before's
    for k, queue in enumerate(crowded):
        share = max(MIN_SECONDS, (deadline - time.monotonic()) / (len(crowded) - k))
        solve_cluster_by_intervals(board, [int(j) for j in board.by_queue[queue]], share, seed, keep_weight=KEEP_WEIGHT)
    changed = [int(i) for i in np.flatnonzero(board.pattern != before) if board.pattern[i] >= 0]
    if not changed:
        return frame, []
    return _rewritten(instance, frame, board, movable, changed), [
        instance.agents[movable[i][0].agent].agent_id for i in changed
    ]


def _shift_rows(instance: Instance, frame: pd.DataFrame, day: int) -> list[_ShiftRows]:
    """The agent-days of `day` and the day before that work on exactly one of the instance's queues."""
    step = instance.interval_minutes
    dates = {instance.day_date(d).isoformat(): d for d in (day - 1, day) if d >= 0}
    rows = frame[frame["date"].astype(str).isin(list(dates)) & (frame["activity"] != "off")]
    if rows.empty:
        return []
    origin = pd.Timestamp(instance.start)
    start_units = ((pd.to_datetime(rows["start"]) - origin).dt.total_seconds() // 60 // step).astype(int).to_numpy()
    end_units = ((pd.to_datetime(rows["end"]) - origin).dt.total_seconds() // 60 // step).astype(int).to_numpy()
    agent_index = {agent.agent_id: a for a, agent in enumerate(instance.agents)}
    queue_index = {q: i for i, q in enumerate(instance.queues)}
    found = []
    positions = np.arange(len(rows))
    for (agent_id, date_text), where in pd.Series(positions).groupby(
        [rows["agent_id"].to_numpy(), rows["date"].astype(str).to_numpy()]
    ):
        idx = where.to_numpy()
        kinds = rows["activity"].to_numpy()[idx]
        queues = {str(q) for q, k in zip(rows["queue"].to_numpy()[idx], kinds, strict=True) if k == "work"}
        a = agent_index.get(str(agent_id))
        if a is None or len(queues) != 1 or next(iter(queues)) not in queue_index:
            continue
        lo, hi = int(start_units[idx].min()), int(end_units[idx].max())
        item = _ShiftRows(
            a, dates[date_text], queue_index[next(iter(queues))], lo, hi - lo, 0, set(kinds) <= MOVABLE_KINDS
        )
        for j, kind in zip(idx, kinds, strict=True):
            offset, units = int(start_units[j]) - lo, int(end_units[j] - start_units[j])
            if kind == "lunch":
                item.lunch_minutes += units * step
            if kind in PAUSE_KINDS:
                item.pauses.append((offset, units))
            elif kind == "training":
                item.training.append((offset, units, str(rows["queue"].to_numpy()[j])))
        found.append(item)
    return found


def _crosses_midnight(instance: Instance, rows: _ShiftRows) -> bool:
    """Whether a shift of the day before runs into the next day."""
    return rows.start + rows.length > (rows.day + 1) * instance.intervals_per_day


def _split(
    instance: Instance, config: Config, shifts: list[_ShiftRows]
) -> tuple[list[tuple[Assignment, _ShiftRows]], list[_ShiftRows], list[int]]:
    """(the shifts whose template and pause pattern are known, as assignments with their rows; the others, kept as
    they are; the pattern index of each of the first)."""
    step = instance.interval_minutes
    shapes = templates_by_shape(instance.shifts)
    movable, fixed, patterns = [], [], []
    for rows in shifts:
        start_minute = (rows.start - rows.day * instance.intervals_per_day) * step
        s = shapes.get((start_minute, rows.length * step, rows.lunch_minutes))
        p = -1
        if s is not None and rows.movable:
            mask = np.zeros(rows.length)
            for offset, units in rows.pauses:
                mask[offset : offset + units] = 1.0
            p = pattern_index(pause_plans(instance.shifts[s], config.breaks, step), mask)
        if p < 0:
            fixed.append(rows)
            continue
        movable.append((Assignment(rows.agent, rows.day, s, rows.queue), rows))
        patterns.append(p)
    return movable, fixed, patterns


def _add_fixed(board: PauseBoard, fixed: list[_ShiftRows]) -> None:
    """Count the shifts kept as they are: on shift and present on their queue, paused in their pauses."""
    width = board.on_shift.shape[1]
    for rows in fixed:
        lo, hi = rows.start, min(width, rows.start + rows.length)
        board.on_shift[rows.queue, lo:hi] += 1
        board.present[rows.queue, lo:hi] += 1
        for offset, units in rows.pauses:
            board.paused[rows.queue, lo + offset : min(width, lo + offset + units)] += 1
            board.present[rows.queue, lo + offset : min(width, lo + offset + units)] -= 1
        for offset, units, _label in rows.training:
            board.present[rows.queue, lo + offset : min(width, lo + offset + units)] -= 1


def _rewritten(
    instance: Instance,
    frame: pd.DataFrame,
    board: PauseBoard,
    movable: list[tuple[Assignment, _ShiftRows]],
    changed: list[int],
) -> pd.DataFrame:
    """The table with the changed agent-days' rows written again from the board (training kept)."""
    step = instance.interval_minutes
    by_cell = {}
    for i in changed:
        x, rows = movable[i]
        placed = [
            Activity(start * step, units * step, kind) for start, units, kind in board.plans[i].pauses[board.pattern[i]]
        ]
        placed += [Activity(offset * step, units * step, "training", label) for offset, units, label in rows.training]
        by_cell[(x.agent, x.day)] = tuple(sorted(placed, key=lambda item: item.offset_minutes))
    assignments = [movable[i][0] for i in changed]
    return with_days_rewritten(instance, frame, assignments, ActivityPlan(by_cell, instance.required, {}, {}, 0.0))
