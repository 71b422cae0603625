"""Exact re-placement of one queue-day's pauses at a time (CP-SAT), on the placement's true coverage objective.

The descent of `breaks.improve_pauses` moves one shift's pauses at a time against the others, so it stops where
no single move helps although moving two lunches together would. Here every pause of the shifts starting on one
queue and day is a set of start literals (one per allowed offset, training excluded), the shift's pauses apart
by its rule's gap, the cap hard, and the objective the board's own: under-coverage weight × agents short plus
over-coverage weight × agents extra, per interval of the horizon, with every other shift's pauses and training
fixed. The current placement is the hint; a queue-day's result is kept only when it is strictly cheaper. The
solver runs on one worker with a deterministic time limit (work, not seconds), so the result does not depend on
the machine's load; the wall-clock deadline only decides how many queue-days are visited.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from dataclasses import asdict, dataclass

import numpy as np
from ortools.sat.python import cp_model

from wfm.roster.breaks import PauseBoard, pattern_index, pause_windows

DETERMINISTIC_SECONDS = 0.5  # CP-SAT's work budget per queue-day (its deterministic time units)
MIN_SECONDS_LEFT = 0.05


@dataclass
class PolishResult:
    """Queue-days with pauses to move, visited, proven optimal (kept or already so) and made cheaper."""

    queue_days: int = 0
    visited: int = 0
    proven_optimal: int = 0
    better: int = 0
    seconds: float = 0.0

    def as_dict(self) -> dict:
        """The report's form."""
        return asdict(self)


def polish_queue_days(board: PauseBoard, deadline: float, clock: Callable[[], float], seed: int = 0) -> PolishResult:
    """Re-place each queue-day's pauses exactly (the queue-days with most agents short where someone pauses
    first) until the deadline; a queue-day where nobody pauses while the queue is short is optimal as it is."""
    clusters: dict[tuple[int, int], list[int]] = defaultdict(list)
    for i, x in enumerate(board.assignments):
        if board.pattern[i] >= 0 and len(board.plans[i].masks) > 1:
            clusters[(x.queue, x.day)].append(i)
    begun = clock()
    order = sorted(clusters, key=lambda key: (-_pause_cost(board, key[0], clusters[key]), key))
    result = PolishResult(queue_days=len(order))
    for key in order:
        if clock() >= deadline - MIN_SECONDS_LEFT:
            break
        result.visited += 1
        if _pause_cost(board, key[0], clusters[key]) <= 0:
            result.proven_optimal += 1  # no pause where the queue is short: no placement costs less
            continue
        better, optimal = _polish(board, key[0], clusters[key], deadline - clock(), seed)
        result.better += better
        result.proven_optimal += optimal
    result.seconds = round(clock() - begun, 3)
    return result


def _span(board: PauseBoard, cluster: list[int]) -> tuple[int, int]:
    """Board columns [lo, hi) covered by the cluster's shifts."""
    return int(min(board.start[j] for j in cluster)), int(max(board.start[j] + board.length[j] for j in cluster))


def _coverage_cost(board: PauseBoard, q: int, lo: int, hi: int) -> float:
    """The board's coverage cost of queue q over columns [lo, hi) (horizon columns only)."""
    gap = board.present[q, lo:hi] - board.required[q, lo:hi]
    inside = board.inside[lo:hi]
    return float(
        (board.weight_under * np.clip(-gap, 0, None) + board.weight_over * np.clip(gap, 0, None))[inside].sum()
    )


def _pause_cost(board: PauseBoard, q: int, cluster: list[int]) -> float:
    """Priority: agents short in the intervals where the cluster's queue has someone paused."""
    lo, hi = _span(board, cluster)
    short = np.clip(board.required[q, lo:hi] - board.present[q, lo:hi], 0, None)
    return float((short * (board.paused[q, lo:hi] > 0) * board.inside[lo:hi]).sum())


@dataclass
class _PauseModel:
    """The CP-SAT model of a cluster's pauses: per assignment its start literals (offset → literal) and lengths per
    pause, and per board column from `lo` the literals pausing there."""

    model: cp_model.CpModel
    lo: int
    starts: dict[int, list[tuple[dict[int, cp_model.IntVar], int]]]
    cover: list[list[cp_model.IntVar]]


def _pause_model(board: PauseBoard, cluster: list[int], old: dict[int, int]) -> _PauseModel | None:
    """Each pause of the cluster's shifts (their pauses off the board) as one literal per allowed start, a shift's
    pauses apart by its rule's gap, the old placement as hint; None when a pause has nowhere to go."""
    lo, hi = _span(board, cluster)
    model = cp_model.CpModel()
    cover: list[list[cp_model.IntVar]] = [[] for _ in range(hi - lo)]
    starts: dict[int, list[tuple[dict[int, cp_model.IntVar], int]]] = {}
    for j in cluster:
        gap, windows = pause_windows(board, j)
        offset = int(board.start[j]) - lo
        stretched = []
        previous: dict[tuple[str, int], cp_model.LinearExpr] = {}
        starts[j] = []
        hints = _old_starts(board, j, old[j], windows) if old[j] >= 0 else [-1] * len(windows)
        for (kind, minutes, units, allowed), hint in zip(windows, hints, strict=True):
            if not allowed:
                return None
            literals = {s: model.new_bool_var(f"b{j}_{kind}{len(starts[j])}_{s}") for s in allowed}
            model.add_exactly_one(literals.values())
            start = cp_model.LinearExpr.weighted_sum(list(literals.values()), list(literals))
            if (kind, minutes) in previous:
                model.add(start >= previous[(kind, minutes)] + units + gap)  # equal pauses in order
            previous[(kind, minutes)] = start
            at = model.new_int_var(min(allowed), max(allowed), f"s{j}_{len(starts[j])}")
            model.add(at == start)
            stretched.append(model.new_fixed_size_interval_var(at, units + gap, f"g{j}_{len(starts[j])}"))
            for s, literal in literals.items():
                for u in range(units):
                    cover[offset + s + u].append(literal)
                model.add_hint(literal, int(s == hint))
            starts[j].append((literals, units))
        model.add_no_overlap(stretched)
    return _PauseModel(model, lo, starts, cover)


def _solver(seconds: float, seed: int, work: float = DETERMINISTIC_SECONDS) -> cp_model.CpSolver:
    """One worker, a deterministic work budget, and the wall-clock time left as a backstop."""
    solver = cp_model.CpSolver()
    solver.parameters.num_workers = 1
    solver.parameters.max_deterministic_time = work
    solver.parameters.max_time_in_seconds = max(0.05, seconds)
    solver.parameters.random_seed = seed
    return solver


def least_cap_overflow(
    board: PauseBoard, q: int, cluster: list[int], seconds: float, seed: int = 0, work: float = DETERMINISTIC_SECONDS
) -> int | None:
    """The fewest agent-intervals over the cap that the cluster's pauses reach within `work` (CP-SAT's
    deterministic time; the others' pauses fixed): 0 proves some placement keeps the cap, a positive count is the
    best found (the minimum when the search completed); None when nothing was found. The board is left as it was."""
    old = {j: int(board.pattern[j]) for j in cluster}
    for j in cluster:
        board.remove_pauses(j)
    built = _pause_model(board, cluster, old)
    if built is None:
        _restore(board, old)
        return None
    overflow = []
    for t, literals in enumerate(built.cover):
        column = built.lo + t
        room = int(np.rint(board.cap[q, column] - board.paused[q, column]))
        if literals and room < len(literals):
            over = built.model.new_int_var(0, len(literals) - min(room, len(literals)), f"over{t}")
            built.model.add(sum(literals) - over <= room)
            overflow.append(over)
    _restore(board, old)
    if not overflow:
        return 0
    built.model.minimize(sum(overflow))
    solver = _solver(seconds, seed, work)
    status = solver.solve(built.model)
    if status not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        return None
    return round(solver.objective_value)


def _polish(board: PauseBoard, q: int, cluster: list[int], seconds: float, seed: int) -> tuple[int, int]:
    """Re-place the cluster's pauses by CP-SAT; (1 when the board got cheaper and was kept else 0, 1 when the
    placement kept is proven optimal for the queue-day else 0)."""
    lo, hi = _span(board, cluster)
    before = _coverage_cost(board, q, lo, hi)
    old = {j: int(board.pattern[j]) for j in cluster}
    for j in cluster:
        board.remove_pauses(j)
    built = _pause_model(board, cluster, old)
    if built is None:
        return _restore(board, old)
    model, starts = built.model, built.starts
    objective = []
    for t, literals in enumerate(built.cover):
        if not literals:
            continue
        column = lo + t
        paused = sum(literals)
        room = int(np.rint(board.cap[q, column] - board.paused[q, column]))
        if room < 0:
            return _restore(board, old)  # the cap is already broken here: the repair's job, not this one's
        if room < len(literals):
            model.add(paused <= room)
        if not board.inside[column]:
            continue
        base = int(np.rint(board.present[q, column] - board.required[q, column]))  # surplus with no pause
        short = model.new_int_var(0, max(0, len(literals) - base), f"short{t}")
        extra = model.new_int_var(0, max(0, base), f"extra{t}")
        model.add(short - extra == paused - base)
        objective.append(int(board.weight_under) * short + int(board.weight_over) * extra)
    model.minimize(sum(objective))
    solver = _solver(seconds, seed)
    status = solver.solve(model)
    if status not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        return _restore(board, old)
    new = {}
    for j in cluster:
        mask = np.zeros(int(board.length[j]))
        for literals, units in starts[j]:
            s = next(s for s, literal in literals.items() if solver.boolean_value(literal))
            mask[s : s + units] = 1.0
        p = pattern_index(board.plans[j], mask)
        if p < 0:
            return _restore(board, old)
        new[j] = p
    optimal = int(status == cp_model.OPTIMAL)
    for j, p in new.items():
        board.set_pattern(j, p)
    if _coverage_cost(board, q, lo, hi) < before - 1e-9:
        return 1, optimal
    for j in cluster:
        board.remove_pauses(j)
    _restore(board, old)
    return 0, optimal  # as cheap as the optimum: the old placement is optimal too


def _old_starts(board: PauseBoard, j: int, p: int, windows: list[tuple[str, int, int, list[int]]]) -> list[int]:
    """Per window of `pause_windows` (equal pauses in time order), where pattern p of assignment j starts it."""
    placed = sorted(board.plans[j].pauses[p])
    taken: set[int] = set()
    out = []
    for kind, _minutes, units, _allowed in windows:
        k = next((k for k, (_, n, c) in enumerate(placed) if k not in taken and c == kind and n == units), None)
        if k is None:
            out.append(-1)
            continue
        taken.add(k)
        out.append(placed[k][0])
    return out


def _restore(board: PauseBoard, old: dict[int, int]) -> tuple[int, int]:
    """Put the old patterns back (for assignments whose pauses are off the board); nothing better, not proven."""
    for j, p in old.items():
        if board.pattern[j] < 0 and p >= 0:
            board.set_pattern(j, p)
    return 0, 0
