"""Roster rules: each function adds its hard part to the model and returns its named penalty terms.

Adding a rule = one function here, one entry in RULES, one test. Hard-rule functions return []. The coverage
of each queue and interval is built once (`coverage_gaps`) and shared by the two coverage goals.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from wfm.roster.context import MINUTES_PER_UNIT, ModelContext, PenaltyTerm
from wfm.roster.fair_share import KINDS, RULE_OF, UNIT_OF, FairTables, band_excess, fair_tables, kind_weight
from wfm.roster.options import weekend_index

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
    """No more than max_consecutive_days working days in a row (the agent's own limit, else the rules')."""
    for a in ctx.vars.free_agents:
        limit = ctx.facts.limits[a].max_consecutive_days
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


def shift_cover_gaps(ctx: ModelContext) -> tuple[list[PenaltyTerm], list[PenaltyTerm]]:
    """(under, over) penalties of shift-form demand: per day and template, each agent short or extra costs that
    entry's own weight (terms grouped by weight so the report keeps the weighted total)."""
    if "shift_cover" in ctx.cache:
        return ctx.cache["shift_cover"]  # type: ignore[return-value]
    inst, model, demand = ctx.instance, ctx.model, ctx.instance.shift_demand
    assert demand is not None
    counts: dict[tuple[int, int], list] = {}
    for (_, d), cell in ctx.vars.cells.items():
        for (s, _), term in cell.items():
            counts.setdefault((d, s), []).append(term)
    under: dict[int, list[tuple[int, object]]] = {}
    over: dict[int, list[tuple[int, object]]] = {}
    for d in range(inst.days):
        for s in range(len(inst.shifts)):
            need = int(demand.required[d, s])
            terms = counts.get((d, s), [])
            fixed = sum(t for t in terms if isinstance(t, int))
            free = [t for t in terms if not isinstance(t, int)]
            w_under, w_over = int(demand.weight_under[d, s]), int(demand.weight_over[d, s])
            if not free:
                under.setdefault(w_under, []).append((MINUTES_PER_UNIT, max(0, need - fixed)))
                over.setdefault(w_over, []).append((MINUTES_PER_UNIT, max(0, fixed - need)))
                continue
            short = model.new_int_var(0, max(0, need - fixed), f"short_d{d}_s{s}")
            extra = model.new_int_var(0, len(free) + max(0, fixed - need), f"extra_d{d}_s{s}")
            model.add(sum(free) + fixed + short - extra == need)
            under.setdefault(w_under, []).append((MINUTES_PER_UNIT, short))
            over.setdefault(w_over, []).append((MINUTES_PER_UNIT, extra))
    result = (
        [ctx.penalty("under_coverage", w, terms, "agents short") for w, terms in sorted(under.items())],
        [ctx.penalty("over_coverage", w, terms, "agents extra") for w, terms in sorted(over.items())],
    )
    ctx.cache["shift_cover"] = result
    return result


def under_coverage(ctx: ModelContext) -> list[PenaltyTerm]:
    """Agent-hours short of the required agents, per queue and interval (soft, so a roster always exists);
    with shift-form demand, agents short per day and template at each entry's weight."""
    if ctx.instance.shift_demand is not None:
        return shift_cover_gaps(ctx)[0]
    under, _ = coverage_gaps(ctx)
    return [ctx.penalty("under_coverage", ctx.config.weights.under_coverage, under, "agent-hours")]


def over_coverage(ctx: ModelContext) -> list[PenaltyTerm]:
    """Agent-hours scheduled beyond the required agents, per queue and interval (or per day and template)."""
    if ctx.instance.shift_demand is not None:
        return shift_cover_gaps(ctx)[1]
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


def min_consecutive_days(ctx: ModelContext) -> list[PenaltyTerm]:
    """Runs of working days at least min_consecutive_days long (runs touching the horizon's ends are exempt)."""
    _minimum_runs(ctx, "min_consecutive_days", working=True)
    return []


def min_consecutive_days_off(ctx: ModelContext) -> list[PenaltyTerm]:
    """Runs of days off at least min_consecutive_days_off long (runs touching the horizon's ends are exempt)."""
    _minimum_runs(ctx, "min_consecutive_days_off", working=False)
    return []


def _minimum_runs(ctx: ModelContext, rule: str, *, working: bool) -> None:
    """Forbid every too-short run strictly inside the horizon: for a run of working days, (off, work × length,
    off) is excluded; for days off the same with work and off swapped."""
    days = ctx.instance.days
    for a in ctx.vars.free_agents:
        least = getattr(ctx.facts.limits[a], rule)
        for first in range(1, days - 1):
            for length in range(1, min(least, days - first)):
                if first + length > days - 1:
                    break
                run = [ctx.works(a, d) for d in range(first, first + length)]
                edges = [ctx.works(a, first - 1), ctx.works(a, first + length)]
                ctx.clause(rule, edges, run) if working else ctx.clause(rule, run, edges)


def weekend_terms(ctx: ModelContext, a: int) -> list[object]:
    """One term per weekend of the horizon: 1 when the agent works its Saturday or Sunday (built once)."""
    key = ("weekends", a)
    if key not in ctx.cache:
        terms: list[object] = []
        for days in weekend_index(ctx.instance).values():
            worked = [ctx.works(a, d) for d in days]
            free = [w for w in worked if not isinstance(w, int)]
            if not free or any(isinstance(w, int) and w for w in worked):
                terms.append(int(any(isinstance(w, int) and w for w in worked)))
            elif len(free) == 1:
                terms.append(free[0])
            else:
                weekend = ctx.model.new_bool_var(f"weekend_a{a}_d{days[0]}")
                ctx.model.add_max_equality(weekend, free)
                terms.append(weekend)
        ctx.cache[key] = terms
    return ctx.cache[key]  # type: ignore[return-value]


def max_weekends(ctx: ModelContext) -> list[PenaltyTerm]:
    """Weekends worked (Saturday or Sunday) at most the agent's max_weekends over the horizon, and at most
    max_weekends_per_4_weeks in any 4 weekends in a row."""
    for a in ctx.vars.free_agents:
        limits = ctx.facts.limits[a]
        terms = weekend_terms(ctx, a)
        if limits.max_weekends is not None and limits.max_weekends < len(terms):
            ctx.hard("max_weekends", [(1, t) for t in terms], None, limits.max_weekends)
        if limits.max_weekends_per_4_weeks < 4:
            for first in range(max(1, len(terms) - 3)):
                window = terms[first : first + 4]
                if len(window) > limits.max_weekends_per_4_weeks:
                    ctx.hard("max_weekends", [(1, t) for t in window], None, limits.max_weekends_per_4_weeks)
    return []


def total_minutes(ctx: ModelContext) -> list[PenaltyTerm]:
    """Paid minutes over the whole horizon within the agent's min_total_minutes and max_total_minutes."""
    shifts = ctx.instance.shifts
    for a in ctx.vars.free_agents:
        limits = ctx.facts.limits[a]
        if limits.min_total_minutes is None and limits.max_total_minutes is None:
            continue
        terms = [
            (shifts[s].paid_minutes, t) for d in range(ctx.instance.days) for (s, _), t in ctx.vars.cell(a, d).items()
        ]
        ctx.hard("total_minutes", terms, limits.min_total_minutes, limits.max_total_minutes)
    return []


def max_shifts_per_template(ctx: ModelContext) -> list[PenaltyTerm]:
    """At most the agent's max_shifts of each named template over the horizon."""
    for a in ctx.vars.free_agents:
        for s, most in ctx.facts.limits[a].max_shifts.items():
            terms = [(1, t) for d in range(ctx.instance.days) for t in ctx.vars.shift_terms(a, d, s)]
            ctx.hard("max_shifts_per_template", terms, None, most)
    return []


def forbidden_successions(ctx: ModelContext) -> list[PenaltyTerm]:
    """A template may not start the day after a template it may not follow (not_followed_by, [rules] pairs,
    forward rotation)."""
    succ = ctx.facts.successions
    if not succ.any():
        return []
    for a in ctx.vars.free_agents:
        for d in range(ctx.instance.days - 1):
            for s in np.flatnonzero(succ.any(axis=1)):
                first = ctx.vars.shift_terms(a, d, int(s))
                later = [t for s2 in np.flatnonzero(succ[s]) for t in ctx.vars.shift_terms(a, d + 1, int(s2))]
                if first and later:
                    ctx.hard("forbidden_successions", ((1, t) for t in [*first, *later]), None, 1)
    return []


def queue_rotation(ctx: ModelContext) -> list[PenaltyTerm]:
    """A multi-skilled agent works at most max_consecutive_queue_days days in a row on one queue."""
    limit = ctx.config.rules.max_consecutive_queue_days
    if limit <= 0:
        return []
    for a in ctx.vars.free_agents:
        queues = {q for d in range(ctx.instance.days) for (_, q) in ctx.vars.cell(a, d)}
        if len(queues) < 2:
            continue
        for q in queues:
            for first in range(ctx.instance.days - limit):
                terms = [
                    (1, t)
                    for d in range(first, first + limit + 1)
                    for (_, q2), t in ctx.vars.cell(a, d).items()
                    if q2 == q
                ]
                ctx.hard("queue_rotation", terms, None, limit)
    return []


def shift_requests(ctx: ModelContext) -> list[PenaltyTerm]:
    """Each agent's wish not granted costs its weight: `on` a shift (any when blank) not worked, `off` worked."""
    if not ctx.instance.requests:
        return []
    index = {agent.agent_id: a for a, agent in enumerate(ctx.instance.agents)}
    names = {shift.name: s for s, shift in enumerate(ctx.instance.shifts)}
    by_weight: dict[int, list[tuple[int, object]]] = {}
    for request in ctx.instance.requests:
        a = index.get(request.agent_id)
        if a is None or not 0 <= request.day < ctx.instance.days:
            continue
        if request.shift is None:
            terms = ctx.vars.day_terms(a, request.day)
        else:
            terms = ctx.vars.shift_terms(a, request.day, names[request.shift]) if request.shift in names else []
        weight = request.weight * ctx.config.weights.shift_requests
        target = by_weight.setdefault(weight, [])
        if request.on:
            target.append((MINUTES_PER_UNIT, 1))
            target.extend((-MINUTES_PER_UNIT, t) for t in terms)
        else:
            target.extend((MINUTES_PER_UNIT, t) for t in terms)
    return [ctx.penalty("shift_requests", w, terms, "wishes not granted") for w, terms in sorted(by_weight.items())]


def fair_tables_of(ctx: ModelContext) -> FairTables:
    """The instance's comparable groups, eligibility and carried counts (built once per model)."""
    if "fair" not in ctx.cache:
        # kept on the facts too (one per instance and config): evaluations build a model context each time
        kept = ctx.facts.__dict__.setdefault("_fair_tables", {})
        key = (id(ctx.instance), id(ctx.config))
        if key not in kept or kept[key][0] is not ctx.instance or kept[key][1] is not ctx.config:
            kept[key] = (ctx.instance, ctx.config, fair_tables(ctx.instance, ctx.config, ctx.facts.options))
        ctx.cache["fair"] = kept[key][2]
    return ctx.cache["fair"]  # type: ignore[return-value]


def _count_terms(ctx: ModelContext, a: int, kind: str, tables: FairTables) -> list[object]:
    """The agent's count of `kind` this horizon as 0/1 terms: weekends worked, late shifts, holidays worked."""
    if kind == "weekends":
        return weekend_terms(ctx, a)
    if kind == "lates":
        return [
            t for d in range(ctx.instance.days) for (s, _), t in ctx.vars.cell(a, d).items() if tables.late_shift[s]
        ]
    return [ctx.works(a, int(d)) for d in np.flatnonzero(tables.holiday_day)]


def _band(ctx: ModelContext, kind: str) -> list[PenaltyTerm]:
    """weight × Σ over comparable groups and their agents of how far (count + carried) lies outside [floor, ceil]
    of the group's mean total. Linear: n·low ≤ Σ ≤ n·low + n − 1 and n·high − n + 1 ≤ Σ ≤ n·high make low and high
    the floor and ceiling of the mean; each agent's excess ≥ total − high and ≥ low − total (tight at the optimum)."""
    weight = kind_weight(ctx.config, kind)
    if weight == 0:
        return []
    tables, k, model = fair_tables_of(ctx), KINDS.index(kind), ctx.model
    terms: list[tuple[int, object]] = []
    for g, members in enumerate(tables.members(k)):
        counts = {int(a): _count_terms(ctx, int(a), kind, tables) for a in members}
        carried = {a: int(tables.carried[a, k]) for a in counts}
        if all(isinstance(t, int) for ts in counts.values() for t in ts):
            totals = np.array([carried[a] + sum(ts) for a, ts in counts.items()])
            terms.append((MINUTES_PER_UNIT, int(band_excess(totals).sum())))
            continue
        n, top = len(counts), max(carried[a] + len(ts) for a, ts in counts.items())
        total_of = {a: carried[a] + sum(ts) for a, ts in counts.items()}
        everyone = sum(total_of.values())
        low = model.new_int_var(0, top, f"{kind}_g{g}_low")
        high = model.new_int_var(0, top, f"{kind}_g{g}_high")
        model.add(n * low <= everyone)
        model.add(everyone <= n * low + n - 1)
        model.add(n * high >= everyone)
        model.add(n * high <= everyone + n - 1)
        for a, total in total_of.items():
            excess = model.new_int_var(0, top, f"{kind}_g{g}_a{a}_outside")
            model.add(excess >= total - high)
            model.add(excess >= low - total)
            terms.append((MINUTES_PER_UNIT, excess))
    return [ctx.penalty(RULE_OF[kind], weight, terms, UNIT_OF[kind])] if terms else []


def weekend_fairness(ctx: ModelContext) -> list[PenaltyTerm]:
    """Weekends worked (plus carried) outside the fair share of each comparable group (agents with weekend options)."""
    return _band(ctx, "weekends")


def late_fairness(ctx: ModelContext) -> list[PenaltyTerm]:
    """Late shifts (late_categories, plus carried) outside the fair share of each comparable group (agents who may
    work both late and other shifts)."""
    return _band(ctx, "lates")


def holiday_fairness(ctx: ModelContext) -> list[PenaltyTerm]:
    """Holidays worked (plus carried) outside the fair share of each comparable group (agents with a holiday option)."""
    return _band(ctx, "holidays")


RULES: list[Rule] = [
    one_shift_per_day,
    minimum_rest,
    days_off_per_week,
    max_consecutive_days,
    weekly_hours,
    availability,
    min_consecutive_days,
    min_consecutive_days_off,
    max_weekends,
    total_minutes,
    max_shifts_per_template,
    forbidden_successions,
    queue_rotation,
    under_coverage,
    over_coverage,
    paid_hours,
    preferred_day_off,
    shift_category_preference,
    days_off_together,
    shift_requests,
    weekend_fairness,
    late_fairness,
    holiday_fairness,
]

SOFT_RULES = (
    "under_coverage",
    "over_coverage",
    "paid_hours",
    "preferred_day_off",
    "shift_category_preference",
    "days_off_together",
    "shift_requests",
    "weekend_fairness",
    "late_fairness",
    "holiday_fairness",
)
