"""Two searches on two cores: a forked copy of the iterated local search runs with another seed beside the
main one, from the same roster, and the better roster of the two is kept — in segments, so both go on from the
better one (a best-of-two at every checkpoint rather than two independent runs).

The search is pure Python and numpy, so one process uses one core; on a 2-core machine the other core is idle
once the LP bound is done. A second search with its own random kicks costs no wall time. The child is forked
(the search context is shared copy-on-write, nothing is pickled but its result); if it has not answered shortly
after the segment's end it is stopped and the main search's roster is used.
"""

from __future__ import annotations

import multiprocessing
import os
import time
from collections.abc import Callable
from multiprocessing.connection import Connection

import numpy as np

from wfm.roster.best_response import ResponseContext
from wfm.roster.local_search import iterated_local_search, objective_of, search_state
from wfm.roster.variables import Cell, Choice

ANSWER_GRACE_SECONDS = 1.0  # how long after the deadline the main process waits for the child's roster
CHILD_SEED_OFFSET = 7919
SEGMENT_SECONDS = 12.0  # both searches restart from the better roster this often (~9 kicks at 200 agents)


def portfolio_available() -> bool:
    """Whether a second search can run beside this one: at least 2 usable cores and the fork start method."""
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)
    return cores >= 2 and "fork" in multiprocessing.get_all_start_methods()


def search_pair(
    ctx: ResponseContext,
    chosen: dict[Cell, Choice],
    deadline: float,
    seed: int,
    progress: Callable[[float], None] | None = None,
    segment_seconds: float = SEGMENT_SECONDS,
) -> tuple[dict[Cell, Choice], dict[str, int]]:
    """Iterated local search on two cores until the deadline, in segments of `segment_seconds`: in each, the main
    search and a forked one (another seed) start from the best roster so far and the better result is kept; one
    search when a second core or fork is not available. Counters are the main searches' summed, plus
    `portfolio` (2 when a child's roster was compared, 1 otherwise) and `child_better` (segments the child won)."""
    if not portfolio_available():
        found, counters = iterated_local_search(ctx, chosen, deadline, np.random.default_rng(seed), progress=progress)
        return found, {**counters, "portfolio": 1, "child_better": 0}
    totals: dict[str, int] = {}
    segment = 0
    while True:
        end = min(deadline, time.monotonic() + segment_seconds)
        if deadline - end < 0.5 * segment_seconds:  # a short last piece joins this segment
            end = deadline
        chosen, counters = _pair_segment(ctx, chosen, end, seed + 104_729 * segment, progress, first=segment == 0)
        for key, value in counters.items():
            totals[key] = max(totals.get(key, 0), value) if key == "portfolio" else totals.get(key, 0) + value
        segment += 1
        if end >= deadline or time.monotonic() >= deadline:
            return chosen, totals


def _pair_segment(
    ctx: ResponseContext,
    chosen: dict[Cell, Choice],
    deadline: float,
    seed: int,
    progress: Callable[[float], None] | None,
    *,
    first: bool,
) -> tuple[dict[Cell, Choice], dict[str, int]]:
    """One segment: the main search and a forked one from the same roster, the better result kept."""
    passes = 3 if first else 0  # the opening descent passes happen once
    rng = np.random.default_rng(seed)
    context = multiprocessing.get_context("fork")
    receiver, sender = context.Pipe(duplex=False)
    child = context.Process(
        target=_child_search, args=(ctx, chosen, deadline, seed + CHILD_SEED_OFFSET, passes, sender), daemon=True
    )
    try:
        child.start()
    except (AssertionError, OSError):  # e.g. inside a daemonic worker process, or no process left to fork
        receiver.close()
        sender.close()
        found, counters = iterated_local_search(ctx, chosen, deadline, rng, progress=progress, first_passes=passes)
        return found, {**counters, "portfolio": 1, "child_better": 0}
    sender.close()
    try:
        found, counters = iterated_local_search(ctx, chosen, deadline, rng, progress=progress, first_passes=passes)
        other = _answer(receiver, max(0.0, deadline - time.monotonic()) + ANSWER_GRACE_SECONDS)
    finally:
        receiver.close()
        if child.is_alive():
            child.terminate()
        child.join(1.0)
    counters = {**counters, "portfolio": 1 if other is None else 2, "child_better": 0}
    if other is None:
        return found, counters
    mine, theirs = objective_of(ctx, search_state(ctx, found)), objective_of(ctx, search_state(ctx, other))
    if theirs < mine - 1e-6 * max(1.0, abs(mine)):
        counters["child_better"] = 1
        return other, counters
    return found, counters


def _child_search(
    ctx: ResponseContext, chosen: dict[Cell, Choice], deadline: float, seed: int, passes: int, sender: Connection
) -> None:
    """The forked search: run to the deadline and send the roster (or None when it failed)."""
    try:
        found, _ = iterated_local_search(ctx, chosen, deadline, np.random.default_rng(seed), first_passes=passes)
        sender.send(found)
    except Exception:  # the main search's roster is used; the child must never take the parent down
        sender.send(None)
    finally:
        sender.close()


def _answer(receiver: Connection, timeout_seconds: float) -> dict[Cell, Choice] | None:
    """The child's roster if it arrives within the timeout."""
    try:
        if receiver.poll(timeout_seconds):
            answer = receiver.recv()
            return answer if isinstance(answer, dict) else None
    except (EOFError, OSError):
        return None
    return None
