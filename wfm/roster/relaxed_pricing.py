"""An agent's pattern when its full dynamic programme has too many states: the programme without the weekend and
per-shift count limits, those two priced by Lagrange multipliers (subgradient steps) until the pattern keeps them.

Long horizons with horizon totals (a year of annualised hours, a cap per shift type and on weekends) make the
exact programme's resource axes explode and leave a per-agent CP-SAT model slow to find even one pattern. The
relaxed programme keeps every rule but those two counts exactly, so a pattern it returns that also keeps the
counts keeps every rule of the agent.
"""

from __future__ import annotations

import math
from collections.abc import Mapping

from wfm.roster.pattern_programme import Item, PatternProgramme

Pattern = tuple[Item, ...]
SEED_ITERATIONS = 12  # subgradient rounds before the caller falls back to CP-SAT


def count_excess(
    pattern: Pattern, max_shifts: Mapping[int, int], max_weekends: int | None, weekends: Mapping[int, list[int]]
) -> tuple[dict[int, int], int]:
    """Shifts of each type above its maximum, and weekends worked above the maximum (0 when kept)."""
    per_shift: dict[int, int] = {}
    for _, s, _ in pattern:
        per_shift[s] = per_shift.get(s, 0) + 1
    over = {s: n - max_shifts[s] for s, n in per_shift.items() if s in max_shifts and n > max_shifts[s]}
    worked = {d for d, _, _ in pattern}
    weekends_worked = sum(1 for days in weekends.values() if any(d in worked for d in days))
    over_weekends = 0 if max_weekends is None else max(0, weekends_worked - max_weekends)
    return over, over_weekends


def relaxed_price(
    programme: PatternProgramme,
    values: Mapping[Item, float],
    max_shifts: Mapping[int, int],
    max_weekends: int | None,
    weekends: Mapping[int, list[int]],
    count: int = 1,
    iterations: int = SEED_ITERATIONS,
) -> tuple[list[Pattern], float]:
    """Up to `count` patterns (cheapest by `values` last) that the relaxed programme finds with the counts priced
    in and that keep the counts, so every rule of the agent (none after `iterations` rounds without one); and a
    lower bound on min Σ values over the agent's patterns (the best Lagrangian value: the programme's minimum less
    Σ price × limit, the weekend price on weekend days against twice the weekend limit)."""
    weekend_days = {d for days in weekends.values() for d in days}
    items = [(d, s, q) for d, day in enumerate(programme.options) for s, q in day]
    scale = 1.0 + max((abs(values.get(item, 0.0)) for item in items), default=0.0)
    shift_price: dict[int, float] = {}
    weekend_price = 0.0
    bound = -math.inf
    for _ in range(iterations):
        priced = {
            (d, s, q): values.get((d, s, q), 0.0)
            + shift_price.get(s, 0.0)
            + (weekend_price if d in weekend_days else 0.0)
            for d, s, q in items
        }
        found, best = programme.solve(priced, count)
        if not found:
            return [], math.inf  # the programme's own rules already admit no pattern
        allowance = sum(price * max_shifts[s] for s, price in shift_price.items())
        allowance += weekend_price * 2 * (max_weekends or 0)
        bound = max(bound, best - allowance)
        kept = [p for p in found if count_excess(p, max_shifts, max_weekends, weekends) == ({}, 0)]
        if kept:
            return kept, bound
        over, over_weekends = count_excess(found[-1], max_shifts, max_weekends, weekends)
        for s, excess in over.items():
            shift_price[s] = shift_price.get(s, 0.0) + scale * excess / max(1, max_shifts[s])
        if over_weekends:
            weekend_price += scale * over_weekends / max(1, max_weekends or 1)
    return [], bound
