"""Roster rules: each function adds its hard part to the model and returns its named penalty terms.

Adding a rule = one function here, one entry in RULES, one test. Hard-rule functions return []. The coverage
of each queue and interval is built once (`coverage_gaps`) and shared by the two coverage goals.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from wfm.roster.context import MINUTES_PER_UNIT, ModelContext, PenaltyTerm

Rule = Callable[[ModelContext], list[PenaltyTerm]]


def one_shift_per_day(ctx: ModelContext) -> list[PenaltyTerm]:
    """An agent works at most one shift per day (a shift belongs to the day it starts)."""
    for a in ctx.vars.free_agents:
        for d in range(ctx.instance.days):
            ctx.hard("one_shift_per_day", ((1, t) for t in ctx.vars.day_terms(a, d)), None, 1)
    return []


def minimum_rest(ctx: ModelContext) -> list[PenaltyTerm]:
    """At least min_rest_hours between the end of one shift and the start of the next, across midnight and weeks."""
    days = ctx.instance.days
    for a in ctx.vars.free_agents:
        for (k, s), blocked in ctx.facts.rest.items():
            for d in range(days - k):
                first = ctx.vars.shift_terms(a, d, s)
                if not first:
                    continue
                later = [t for s2 in blocked for t in ctx.vars.shift_terms(a, d + k, s2)]
                if later:
                    ctx.hard("minimum_rest", ((1, t) for t in [*first, *later]), None, 1)
    return []


def days_off_per_week(ctx: ModelContext) -> list[PenaltyTerm]:
    """At most 7 − days_off_per_week (and at most the agent's max_days_week) working days per horizon week."""
    for a in ctx.vars.free_agents:
        for week in ctx.facts.weeks[a]:
            terms = [(1, t) for d in week.days for t in ctx.vars.day_terms(a, d)]
            ctx.hard("days_off_per_week", terms, None, week.max_days)
    return []


def max_consecutive_days(ctx: ModelContext) -> list[PenaltyTerm]:
    """No more than max_consecutive_days working days in a row."""
    limit = ctx.config.rules.max_consecutive_days
    for a in ctx.vars.free_agents:
        for first in range(ctx.instance.days - limit):
            terms = [(1, t) for d in range(first, first + limit + 1) for t in ctx.vars.day_terms(a, d)]
            ctx.hard("max_consecutive_days", terms, None, limit)
    return []


def weekly_hours(ctx: ModelContext) -> list[PenaltyTerm]:
    """Paid minutes per week within the contract (minimum pro rata to the days available that week)."""
    shifts = ctx.instance.shifts
    for a in ctx.vars.free_agents:
        for week in ctx.facts.weeks[a]:
            terms = [(shifts[s].paid_minutes, t) for d in week.days for (s, _), t in ctx.vars.cell(a, d).items()]
            ctx.hard("weekly_hours", terms, week.min_paid_minutes, week.max_paid_minutes)
    return []


def availability(ctx: ModelContext) -> list[PenaltyTerm]:
    """Shifts only on their template days, inside the agent's earliest start / latest end, not over time off.

    Normally such options are never created; in diagnosis mode they exist and this rule forbids them.
    """
    if ctx.assumptions is None:
        return []
    for (a, d), stopped in ctx.facts.blocked.items():
        if a not in ctx.vars.free_agents:
            continue
        cell = ctx.vars.cell(a, d)
        for choice, reason in stopped.items():
            if choice in cell:
                ctx.hard(reason if reason != "template_days" else "availability", [(1, cell[choice])], 0, 0)
    return []


def coverage_gaps(ctx: ModelContext) -> tuple[list[tuple[int, object]], list[tuple[int, object]]]:
    """(under, over) agent-minute terms per queue and interval: scheduled − required = over − under."""
    if "coverage" in ctx.cache:
        return ctx.cache["coverage"]  # type: ignore[return-value]
    inst, model = ctx.instance, ctx.model
    n_q, n_t, per_day = len(inst.queues), inst.n_intervals, inst.intervals_per_day
    fixed = np.zeros((n_q, n_t), dtype=np.int64)
    grouped: dict[tuple[int, int, int], list] = {}
    for (_, d), cell in ctx.vars.cells.items():
        for (s, q), term in cell.items():
            if isinstance(term, int):
                idx = d * per_day + ctx.facts.offsets[s]
                fixed[q, idx[idx < n_t]] += term
            else:
                grouped.setdefault((d, s, q), []).append(term)
    var_terms: dict[tuple[int, int], list] = {}
    for (d, s, q), terms in grouped.items():
        if len(terms) == 1:
            total = terms[0]
        else:
            total = model.new_int_var(0, len(terms), f"n_d{d}_s{s}_q{q}")
            model.add(total == sum(terms))
        for t in d * per_day + ctx.facts.offsets[s]:
            if t < n_t:
                var_terms.setdefault((q, int(t)), []).append((total, len(terms)))
    step = inst.interval_minutes
    gap = fixed - inst.required
    under: list[tuple[int, object]] = [(step, int(np.clip(-gap, 0, None).sum()))]
    over: list[tuple[int, object]] = [(step, int(np.clip(gap, 0, None).sum()))]
    for (q, t), pairs in var_terms.items():
        need = int(inst.required[q, t] - fixed[q, t])
        under[0] = (step, under[0][1] - max(0, need))
        over[0] = (step, over[0][1] - max(0, -need))
        short = model.new_int_var(0, max(0, need), f"under_q{q}_t{t}")
        extra = model.new_int_var(0, sum(ub for _, ub in pairs) + max(0, -need), f"over_q{q}_t{t}")
        model.add(sum(total for total, _ in pairs) + short - extra == need)
        under.append((step, short))
        over.append((step, extra))
    ctx.cache["coverage"] = (under, over)
    return under, over


def under_coverage(ctx: ModelContext) -> list[PenaltyTerm]:
    """Agent-hours short of the required agents, per queue and interval (soft, so a roster always exists)."""
    under, _ = coverage_gaps(ctx)
    return [ctx.penalty("under_coverage", ctx.config.weights.under_coverage, under, "agent-hours")]


def over_coverage(ctx: ModelContext) -> list[PenaltyTerm]:
    """Agent-hours scheduled beyond the required agents, per queue and interval."""
    _, over = coverage_gaps(ctx)
    return [ctx.penalty("over_coverage", ctx.config.weights.over_coverage, over, "agent-hours")]


def paid_hours(ctx: ModelContext) -> list[PenaltyTerm]:
    """Paid hours of all shifts (length minus unpaid lunch)."""
    shifts = ctx.instance.shifts
    terms = [(shifts[s].paid_minutes, t) for cell in ctx.vars.cells.values() for (s, _), t in cell.items()]
    return [ctx.penalty("paid_hours", ctx.config.weights.paid_hours, terms, "hours")]


def preferred_day_off(ctx: ModelContext) -> list[PenaltyTerm]:
    """Each working day on a weekday the agent prefers off."""
    terms = []
    for a, agent in enumerate(ctx.instance.agents):
        for d in range(ctx.instance.days):
            if ctx.instance.weekday(d) in agent.preferred_days_off:
                terms.extend((MINUTES_PER_UNIT, t) for t in ctx.vars.day_terms(a, d))
    return [ctx.penalty("preferred_day_off", ctx.config.weights.preferred_day_off, terms, "days")]


def shift_category_preference(ctx: ModelContext) -> list[PenaltyTerm]:
    """Each shift whose category is not among the agent's preferred categories (when it has any)."""
    shifts, terms = ctx.instance.shifts, []
    for (a, _), cell in ctx.vars.cells.items():
        liked = ctx.instance.agents[a].preferred_categories
        if liked:
            terms.extend((MINUTES_PER_UNIT, t) for (s, _), t in cell.items() if shifts[s].category not in liked)
    return [ctx.penalty("shift_category_preference", ctx.config.weights.shift_category_preference, terms, "shifts")]


def days_off_together(ctx: ModelContext) -> list[PenaltyTerm]:
    """Each single day off between two working days (work, off, work)."""
    weight = ctx.config.weights.days_off_together
    if weight == 0:
        return []
    terms: list[tuple[int, object]] = []
    for a in range(len(ctx.instance.agents)):
        for d in range(1, ctx.instance.days - 1):
            parts = [ctx.vars.day_terms(a, d - 1), ctx.vars.day_terms(a, d), ctx.vars.day_terms(a, d + 1)]
            if all(all(isinstance(t, int) for t in p) for p in parts):
                before, today, after = (sum(p) for p in parts)
                terms.append((MINUTES_PER_UNIT, int(before == 1 and today == 0 and after == 1)))
                continue
            single = ctx.model.new_bool_var(f"single_off_a{a}_d{d}")
            ctx.model.add(sum(parts[0]) - sum(parts[1]) + sum(parts[2]) - 1 <= single)
            terms.append((MINUTES_PER_UNIT, single))
    return [ctx.penalty("days_off_together", weight, terms, "days")]


RULES: list[Rule] = [
    one_shift_per_day,
    minimum_rest,
    days_off_per_week,
    max_consecutive_days,
    weekly_hours,
    availability,
    under_coverage,
    over_coverage,
    paid_hours,
    preferred_day_off,
    shift_category_preference,
    days_off_together,
]

SOFT_RULES = (
    "under_coverage",
    "over_coverage",
    "paid_hours",
    "preferred_day_off",
    "shift_category_preference",
    "days_off_together",
)
