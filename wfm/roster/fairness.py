"""Evening out weekends, late shifts and holidays within comparable groups: coverage-neutral deals and trades,
then CP-SAT re-solves of a group's most and least loaded agents.

The dynamic programme moves one agent at a time, so a swap of a late shift from a loaded agent to a light one
(neutral for coverage, better for the fair share) is out of its reach. `swap_weeks` re-deals whole week patterns
(`deal_weeks`) and single days (`reassign_days`) among the agents of one comparable group (`fair_share.group_key`)
by linear assignment, then trades days, weekends, runs and weeks between a loaded and a light agent; a move is kept
when every changed plan keeps the programme's rules and own terms plus the band penalties (`weekend_fairness`,
`late_fairness`, `holiday_fairness`) go down. `even_out` runs them again, then frees an agent outside its band and
agents from the other side sharing its skills and re-solves them exactly against everyone else.
"""

from __future__ import annotations

import itertools
import math
import time

import numpy as np
from scipy.optimize import linear_sum_assignment

from wfm.roster.best_response import ResponseContext, add_plan, own_cost
from wfm.roster.context import MINUTES_PER_UNIT
from wfm.roster.domain import Instance
from wfm.roster.fair_share import KINDS, FairTables, band_excess, horizon_counts
from wfm.roster.greedy import fixed_cost
from wfm.roster.model import evaluate
from wfm.roster.search import Progress, solve_cells
from wfm.roster.variables import Cell, Choice


def loads(ctx: ResponseContext, chosen: dict[Cell, Choice]) -> tuple[np.ndarray, np.ndarray]:
    """(weekends worked, late shifts) per agent this horizon."""
    counts = horizon_counts(ctx.fair, len(ctx.instance.agents), ((a, d, s) for (a, d), (s, _) in chosen.items()))
    return counts[:, 0], counts[:, 1]


def even_out(
    ctx: ResponseContext,
    chosen: dict[Cell, Choice],
    objective: float,
    deadline: float,
    *,
    seed: int = 0,
    group: int = 4,
    progress: Progress | None = None,
    build_seconds: float = 0.0,
) -> tuple[dict[Cell, Choice], float, int]:
    """Re-solve a few of the most and least loaded agents of one comparable group (a kind and group drawn by their
    band penalty) until the deadline (a sub-model starts only when its solve limit plus `build_seconds`, the
    expected building time, then the longest measured, fit); returns the roster, its objective (weight × minutes)
    and the number of improvements."""
    instance, config, facts, fair = ctx.instance, ctx.config, ctx.facts, ctx.fair
    rng = np.random.default_rng(seed)
    improved = 0
    overhead = build_seconds  # seconds of building a sub-model beyond its solve limit
    # trades first (cheap; they stop when stale), in at most TRADE_SHARE of the time
    trade_end = time.monotonic() + TRADE_SHARE * max(0.0, deadline - time.monotonic() - overhead)
    traded, count = swap_weeks(ctx, chosen, trade_end, seed=seed + 1)
    if count:
        value = math.fsum(line.penalty * 60 for line in evaluate(instance, config, facts, traded))
        if value < objective - 1e-6:
            chosen, objective = traded, value
            improved += 1
            if progress:
                progress(f"fairness: {count} more trades, objective {objective / 60:.1f}")
    while time.monotonic() < deadline - 0.5:
        counts = horizon_counts(fair, len(instance.agents), ((a, d, s) for (a, d), (s, _) in chosen.items()))
        picked = _pick_group(fair, counts, rng)
        if picked is None:
            break
        k, members = picked
        totals = counts[members, k] + fair.carried[members, k]
        agents = _sub_group(instance, members, totals, group, rng)
        cells = [(a, d) for a in agents for d in range(instance.days)]
        limit = min(3.0, deadline - time.monotonic() - 0.3 - overhead)
        if limit <= 0.2:
            break
        begun = time.monotonic()
        result = solve_cells(
            instance, config, facts, cells, chosen, limit, seed=int(rng.integers(1 << 30)), deadline=deadline
        )
        overhead = max(overhead, time.monotonic() - begun - limit)
        if result.chosen is not None and result.objective < objective - 1e-6:
            chosen, objective = result.chosen, result.objective
            improved += 1
            if progress:
                progress(f"fairness ({KINDS[k]}): objective {objective / 60:.1f}")
    return chosen, objective, improved


def _sub_group(
    instance: Instance, members: np.ndarray, totals: np.ndarray, size: int, rng: np.random.Generator
) -> list[int]:
    """An agent outside its group's band and, from the other side of the mean, the agents sharing most of its
    skills (a re-solve can only move shifts between agents who may work the same queues)."""
    mean = totals.mean()
    low, high = int(np.floor(mean)), int(np.ceil(mean))
    outside = np.flatnonzero((totals > high) | (totals < low))
    pick = int(rng.choice(outside)) if len(outside) else int(rng.integers(len(members)))
    skills = set(instance.agents[int(members[pick])].skills)
    side = totals < mean if totals[pick] > mean else totals > mean
    others = [
        (-len(skills & set(instance.agents[int(members[i])].skills)), -abs(float(totals[i] - mean)), rng.random(), i)
        for i in np.flatnonzero(side)
    ]
    chosen = [pick, *(i for *_, i in sorted(others)[: max(1, size - 1)])]
    return sorted(int(members[i]) for i in chosen)


def _pick_group(fair: FairTables, counts: np.ndarray, rng: np.random.Generator) -> tuple[int, np.ndarray] | None:
    """A (kind, group members) drawn with probability ∝ weight × the group's distance outside its band (None when
    every weighted group is inside its band)."""
    options, scores = [], []
    for k in range(len(KINDS)):
        if fair.weights[k] <= 0:
            continue
        for members in fair.members(k):
            outside = int(band_excess(counts[members, k] + fair.carried[members, k]).sum())
            if outside > 0:
                options.append((k, members))
                scores.append(float(fair.weights[k]) * outside)
    if not options:
        return None
    p = np.array(scores) / sum(scores)
    return options[int(rng.choice(len(options), p=p))]


DEAL_SHARE = 0.5  # of the swaps' time, for re-dealing each day's shifts within a group first
TRADE_SHARE = 0.7  # of even_out's time, for trades before the CP-SAT re-solves
PARTNERS = 40  # light agents of the same group tried per loaded agent
WINDOW_DAYS = 7  # longest window of days traded around a day that carries the excess
WINDOWS_PER_DAY = 12  # shortest windows (whose edges keep rest and successions) tried per such day
STALE_ROUNDS = 60  # rounds without a trade before the swaps stop
TIE_BREAK = 1e-3  # weight × minutes per unit of Σ squared totals: moves towards the mean when the band is equal


def swap_weeks(
    ctx: ResponseContext, chosen: dict[Cell, Choice], deadline: float, *, seed: int = 0
) -> tuple[dict[Cell, Choice], int]:
    """Even out within comparable groups, coverage-neutral: week deals (`deal_weeks`) and day deals
    (`reassign_days`) first, in DEAL_SHARE of the time each, then pair trades until stale or the deadline.

    Trade shifts between a loaded and a light agent of the same comparable group (every shift keeps its day and
    template, and its queue unless the receiver lacks that skill: then the receiver's best queue for it, the coverage
    change counted) when both keep every hard rule and the own terms plus the band penalties go down: single
    days, weekends, runs and weeks around the days that carry the loaded agent's excess, then
    stretches between common days off and whole weeks. Returns the roster and the number of trades."""
    inst, fair = ctx.instance, ctx.fair
    if not (fair.weights > 0).any():
        return chosen, 0
    plans: dict[int, dict[int, tuple[int, int]]] = {a: {} for a in range(len(inst.agents))}
    for (a, d), choice in chosen.items():
        plans[a][d] = choice
    counts = np.array([fair.counts((d, s) for d, (s, _) in plans[a].items()) for a in plans], dtype=np.int64)
    scheduled = np.zeros(inst.required.shape, dtype=np.int64)
    for plan in plans.values():
        add_plan(scheduled, ctx, [(d, s, q) for d, (s, q) in plan.items()], 1)
    rng = np.random.default_rng(seed)
    swaps, stale = 0, 0
    swaps += deal_weeks(ctx, plans, counts, time.monotonic() + DEAL_SHARE * (deadline - time.monotonic()), rng)
    swaps += reassign_days(ctx, plans, counts, time.monotonic() + DEAL_SHARE * (deadline - time.monotonic()), rng)
    while time.monotonic() < deadline and stale < STALE_ROUNDS:
        picked = _pick_group(fair, counts, rng)
        if picked is None:
            break
        k, members = picked
        totals = counts[members, k] + fair.carried[members, k]
        low, high = int(totals.sum()) // len(members), -(-int(totals.sum()) // len(members))
        outside = np.flatnonzero((totals > high) | (totals < low))
        pick = int(rng.choice(outside))
        extreme, heavy = int(members[pick]), bool(totals[pick] > high)
        skills = set(inst.agents[extreme].skills)
        others = [
            (-len(skills & set(inst.agents[int(members[i])].skills)), int(totals[i]) * (1 if heavy else -1), i)
            for i in range(len(members))
            if (totals[i] < totals[pick] - 1 if heavy else totals[i] > totals[pick] + 1)
        ]
        rng.shuffle(others)
        others = [(0, int(members[i])) for *_, i in sorted(others, key=lambda x: (x[0], x[1]))]  # shared skills first
        done = False
        for _, other in others[:PARTNERS]:
            if time.monotonic() >= deadline:
                break
            a, b = (extreme, other) if heavy else (other, extreme)
            for days in _trade_windows(ctx, plans[a], plans[b], k, rng):
                if time.monotonic() >= deadline:
                    break
                if _try_swap(ctx, plans, counts, a, b, days, scheduled):
                    swaps += 1
                    done = True
                    break
            if done:
                break
        stale = 0 if done else stale + 1
    return {(a, d): choice for a, plan in plans.items() for d, choice in plan.items()}, swaps


def reassign_days(
    ctx: ResponseContext,
    plans: dict[int, dict[int, tuple[int, int]]],
    counts: np.ndarray,
    deadline: float,
    rng: np.random.Generator,
) -> int:
    """Per group and day (then all groups' agents together, each priced from its own group's mean, so a late may
    go to an agent of another group), re-deal the shifts those agents work that day among them (a linear assignment:
    every (template, queue) stays, so coverage does not change; an agent may take a shift when it has that option,
    rest and successions with its neighbouring days hold and its week stays within its paid limits), priced so
    late shifts go to the agents below their group's mean. A day's new deal is kept when every changed plan keeps
    the programme's rules and own terms plus bands go down (across groups: and no group's band grows). Updates plans
    and counts in place; returns the days re-dealt."""
    fair, inst = ctx.fair, ctx.instance
    if fair.weights[1] <= 0:
        return 0
    groups = fair.members(1)
    if len(groups) > 1:  # then all groups' agents together: a late may go to another group's agent below its mean
        groups = [*groups, np.concatenate(groups)]
    blocked, paid, late = ctx.tables.rest, ctx.tables.paid, fair.late_shift
    week_of = {d: w for w, days in enumerate(inst.weeks()) for d in days}
    moves, stale = 0, 0
    while time.monotonic() < deadline and stale < len(groups) and groups:
        changed = 0
        for members in groups:
            for d in rng.permutation(inst.days).tolist():
                if time.monotonic() >= deadline:
                    return moves
                agents = [int(a) for a in members if d in plans[int(a)]]
                shifts = [plans[a][d] for a in agents]
                if len(agents) < 2 or len({bool(late[s]) for s, _ in shifts}) < 2:
                    continue
                distance = _from_group_mean(fair, counts, agents, 1)
                cost = np.full((len(agents), len(shifts)), 1e12)
                for i, a in enumerate(agents):
                    plan, limits = plans[a], ctx.facts.weeks[a][week_of[d]]
                    week_paid = sum(int(paid[plan[x][0]]) for x in limits.days if x in plan) - int(paid[plan[d][0]])
                    options = set(ctx.facts.options[(a, d)])
                    own = fixed_cost(inst, ctx.config, a, np.full(len(paid), d), np.arange(len(paid)), paid)
                    pull = fair.weights[1] * MINUTES_PER_UNIT * distance[i]
                    for j, (s, q) in enumerate(shifts):
                        if (s, q) not in options or not (
                            limits.min_paid_minutes <= week_paid + int(paid[s]) <= limits.max_paid_minutes
                        ):
                            continue
                        if any(
                            (d - k in plan and blocked[k][plan[d - k][0], s])
                            or (d + k in plan and blocked[k][s, plan[d + k][0]])
                            for k in range(1, len(blocked))
                        ):
                            continue
                        cost[i, j] = pull * late[s] + float(own[s])
                rows, cols = linear_sum_assignment(cost)
                if (cost[rows, cols] >= 1e12).any() or all(
                    shifts[j] == plans[agents[i]][d] for i, j in zip(rows, cols, strict=True)
                ):
                    continue
                if _deal(ctx, plans, counts, {agents[i]: shifts[j] for i, j in zip(rows, cols, strict=True)}, d):
                    changed += 1
        moves += changed
        stale = 0 if changed else stale + 1
    return moves


def _from_group_mean(fair: FairTables, counts: np.ndarray, agents: list[int], k: int) -> np.ndarray:
    """Each agent's total of kind k minus its comparable group's mean (counted agents of the group)."""
    out = np.zeros(len(agents))
    for i, a in enumerate(agents):
        members = fair.group_members(int(fair.group[a]), k)
        out[i] = counts[a, k] + fair.carried[a, k] - float((counts[members, k] + fair.carried[members, k]).mean())
    return out


def deal_weeks(
    ctx: ResponseContext,
    plans: dict[int, dict[int, tuple[int, int]]],
    counts: np.ndarray,
    deadline: float,
    rng: np.random.Generator,
) -> int:
    """Per comparable group and week, re-deal the agents' week patterns (each agent's shifts of that week, days,
    templates and queues kept) among them by a linear assignment: coverage does not change. An agent may take a
    pattern when it has every option in it, rest and successions hold at the week's edges and the week stays within
    its limits; the price is each count's squared distance from the group's mean after the week (weight × minutes)
    plus the pattern's own costs for the agent. A week's deal is kept when every changed plan keeps the programme's
    rules and own terms plus bands go down. Updates plans and counts in place; returns the weeks re-dealt."""
    fair, inst = ctx.fair, ctx.instance
    weighted = [k for k in range(len(KINDS)) if fair.weights[k] > 0]
    groups = [np.flatnonzero(fair.group == g) for g in range(len(fair.labels))]
    groups = [g for g in groups if len(g) >= 2]
    if not weighted or not groups:
        return 0
    moves, stale = 0, 0
    weeks = inst.weeks()
    while time.monotonic() < deadline and stale < 2:
        changed = 0
        for members in groups:
            for w in rng.permutation(len(weeks)).tolist():
                if time.monotonic() >= deadline:
                    return moves + changed
                days = weeks[w]
                agents = [int(a) for a in members]
                patterns = [{d: plans[a][d] for d in days if d in plans[a]} for a in agents]
                if len({tuple(sorted(p.items())) for p in patterns}) < 2:
                    continue
                pattern_counts = np.array([fair.counts((d, s) for d, (s, _) in p.items()) for p in patterns])
                rest_counts = counts[agents] - pattern_counts + fair.carried[agents]
                cost = np.zeros((len(agents), len(patterns)))
                for k in weighted:
                    eligible = fair.eligible[agents, k]
                    if eligible.sum() < 2:
                        continue
                    mean = float((counts[agents, k] + fair.carried[agents, k])[eligible].mean())
                    spread = (rest_counts[:, k][:, None] + pattern_counts[None, :, k] - mean) ** 2
                    cost += np.where(eligible[:, None], fair.weights[k] * MINUTES_PER_UNIT * spread, 0.0)
                cost += _week_costs(ctx, plans, agents, patterns, days, w)
                rows, cols = linear_sum_assignment(cost)
                if (cost[rows, cols] >= 1e15).any() or all(i == j for i, j in zip(rows, cols, strict=True)):
                    continue
                deal = {agents[i]: patterns[j] for i, j in zip(rows, cols, strict=True) if i != j}
                if _deal_week(ctx, plans, counts, deal, days):
                    changed += 1
        moves += changed
        stale = 0 if changed else stale + 1
    return moves


def _week_costs(
    ctx: ResponseContext,
    plans: dict[int, dict[int, tuple[int, int]]],
    agents: list[int],
    patterns: list[dict[int, tuple[int, int]]],
    days: range,
    w: int,
) -> np.ndarray:
    """(agents, patterns): each pattern's own costs for each agent, or 1e15 where the agent may not take it (an
    option missing, the week's days or paid limits, rest and successions at the week's edges, the consecutive-days
    limit with the runs around the week)."""
    inst, facts, blocked, paid = ctx.instance, ctx.facts, ctx.tables.rest, ctx.tables.paid
    n_s, width = len(inst.shifts), len(days)
    grid = np.full((len(patterns), width), -1, dtype=np.int64)  # shift per pattern and day of the week, −1 off
    for j, pattern in enumerate(patterns):
        for d, (s, _) in pattern.items():
            grid[j, d - days.start] = s
    worked = grid >= 0
    sizes = worked.sum(axis=1)
    minutes = np.where(worked, paid[np.maximum(grid, 0)], 0).sum(axis=1)
    lead = np.where(worked.all(axis=1), width, np.argmin(worked, axis=1))
    trail = np.where(worked.all(axis=1), width, np.argmin(worked[:, ::-1], axis=1))
    triples = [frozenset((d, c) for d, c in pattern.items()) for pattern in patterns]
    cost = np.zeros((len(agents), len(patterns)))
    weekday_grid = np.repeat(np.arange(days.start, days.stop)[None, :], len(patterns), axis=0)
    for i, a in enumerate(agents):
        plan, limits = plans[a], facts.weeks[a][w]
        allowed = frozenset((d, c) for d in days for c in facts.options[(a, d)])
        bad = (sizes > limits.max_days) | (minutes < limits.min_paid_minutes) | (minutes > limits.max_paid_minutes)
        bad |= np.array([not t <= allowed for t in triples])
        for k in range(1, len(blocked)):  # rest and successions across both edges of the week
            for off in range(min(k, width)):
                before, after = days.start - k + off, days.stop + off
                if before >= 0 and before in plan:
                    s2 = grid[:, off]
                    bad |= (s2 >= 0) & blocked[k][plan[before][0], np.maximum(s2, 0)]
                if after in plan:
                    s1 = grid[:, width - k + off] if width - k + off >= 0 else np.full(len(patterns), -1)
                    bad |= (s1 >= 0) & blocked[k][np.maximum(s1, 0), plan[after][0]]
        most = facts.limits[a].max_consecutive_days
        left = next(n for n in range(days.start + 1) if days.start - 1 - n not in plan)
        right = next(n for n in range(inst.days + 1) if days.stop + n not in plan)
        full = lead == width
        bad |= np.where(full, left + width + right > most, (left + lead > most) | (trail + right > most))
        own = fixed_cost(inst, ctx.config, a, np.repeat(np.arange(days.start, days.stop), n_s),
                         np.tile(np.arange(n_s), width), np.tile(paid, width)).reshape(width, n_s)  # fmt: skip
        cost[i] = np.where(worked, own[weekday_grid - days.start, np.maximum(grid, 0)], 0.0).sum(axis=1)
        cost[i, bad] = 1e15
    return cost


def _runs_ok(pattern: dict, days: range, left: int, right: int, most: int) -> bool:
    """Whether a week pattern keeps the consecutive-days limit with the agent's runs just before and after it."""
    lead = next((n for n in range(len(days)) if days.start + n not in pattern), len(days))
    if lead == len(days):
        return left + lead + right <= most
    trail = next(n for n in range(len(days)) if days.stop - 1 - n not in pattern)
    return left + lead <= most and trail + right <= most


def _deal_week(
    ctx: ResponseContext,
    plans: dict[int, dict[int, tuple[int, int]]],
    counts: np.ndarray,
    deal: dict[int, dict[int, tuple[int, int]]],
    days: range,
) -> bool:
    """Apply one week's new patterns when every changed plan keeps the programme's rules and own terms plus the
    bands go down (coverage is unchanged)."""
    fair = ctx.fair
    new = {a: {d: c for d, c in plans[a].items() if d not in days} | pattern for a, pattern in deal.items()}
    moved = [a for a in new if new[a] != plans[a]]
    if not moved or not all(keeps_programme_rules(ctx, a, new[a]) for a in moved):
        return False
    before = sum(own_cost(ctx, a, sorted((x, s, q) for x, (s, q) in plans[a].items())) for a in moved)
    before += _groups_cost(ctx, counts, moved)
    old = {a: counts[a].copy() for a in moved}
    for a in moved:
        counts[a] = fair.counts((x, s) for x, (s, _) in new[a].items())
    after = sum(own_cost(ctx, a, sorted((x, s, q) for x, (s, q) in new[a].items())) for a in moved)
    after += _groups_cost(ctx, counts, moved)
    if after < before - 1e-6:
        plans.update({a: new[a] for a in moved})
        return True
    for a in moved:
        counts[a] = old[a]
    return False


def _deal(
    ctx: ResponseContext,
    plans: dict[int, dict[int, tuple[int, int]]],
    counts: np.ndarray,
    deal: dict[int, tuple[int, int]],
    d: int,
) -> bool:
    """Apply one day's new deal when every changed plan keeps the programme's rules and own terms plus the bands go
    down (coverage is unchanged)."""
    fair = ctx.fair
    moved = [a for a, choice in deal.items() if plans[a][d] != choice]
    new = {a: {**plans[a], d: deal[a]} for a in moved}
    if not all(keeps_programme_rules(ctx, a, new[a]) for a in moved):
        return False
    before = sum(own_cost(ctx, a, sorted((x, s, q) for x, (s, q) in plans[a].items())) for a in moved)
    before += _groups_cost(ctx, counts, moved)
    crossing = len({int(fair.group[a]) for a in moved}) > 1
    bands = _group_bands(ctx, counts, moved) if crossing else {}
    old = {a: counts[a].copy() for a in moved}
    for a in moved:
        counts[a] = fair.counts((x, s) for x, (s, _) in new[a].items())
    after = sum(own_cost(ctx, a, sorted((x, s, q) for x, (s, q) in new[a].items())) for a in moved)
    after += _groups_cost(ctx, counts, moved)
    # across groups, no group's band may grow: a group is not evened out at the expense of another
    if after < before - 1e-6 and all(
        v <= bands[g] for g, v in (_group_bands(ctx, counts, moved) if crossing else {}).items()
    ):
        plans.update(new)
        return True
    for a in moved:
        counts[a] = old[a]
    return False


def _group_bands(ctx: ResponseContext, counts: np.ndarray, agents: list[int]) -> dict[tuple[int, int], int]:
    """The band amount per (kind, group) of the weighted kinds and the groups of `agents`."""
    fair = ctx.fair
    out = {}
    for k in range(len(KINDS)):
        if fair.weights[k] <= 0:
            continue
        for x in {int(fair.group[a]) for a in agents}:
            members = fair.group_members(x, k)
            if len(members) >= 2:
                out[(k, x)] = int(band_excess(counts[members, k] + fair.carried[members, k]).sum())
    return out


def _groups_cost(ctx: ResponseContext, counts: np.ndarray, agents: list[int]) -> float:
    """Band penalties plus the tie-break of the groups of `agents` (each group once)."""
    fair = ctx.fair
    total = 0.0
    for k in range(len(KINDS)):
        if fair.weights[k] <= 0:
            continue
        for x in {int(fair.group[a]) for a in agents}:
            members = fair.group_members(x, k)
            if len(members) < 2:
                continue
            totals = counts[members, k] + fair.carried[members, k]
            total += float(fair.weights[k]) * MINUTES_PER_UNIT * float(band_excess(totals).sum())
            total += TIE_BREAK * float((totals.astype(float) ** 2).sum())
    return total


def _trade_windows(
    ctx: ResponseContext,
    heavy: dict[int, tuple[int, int]],
    light: dict[int, tuple[int, int]],
    k: int,
    rng: np.random.Generator,
) -> list[range]:
    """Day ranges to trade, fine to coarse: around each day where the heavy agent has an item of kind `k` that the
    light one has not, the shortest windows (up to a week) whose edges keep rest and successions for both agents;
    then stretches between common days off and whole weeks."""
    inst, fair = ctx.instance, ctx.fair
    n_days = inst.days
    if k == 0:
        worked = {int(fair.weekend_of_day[d]) for d in light if fair.weekend_of_day[d] >= 0}
        hot = [d for d in heavy if fair.weekend_of_day[d] >= 0 and int(fair.weekend_of_day[d]) not in worked]
    elif k == 1:
        hot = [
            d for d, (s, _) in heavy.items() if fair.late_shift[s] and not (d in light and fair.late_shift[light[d][0]])
        ]
    else:
        hot = [d for d in heavy if fair.holiday_day[d] and d not in light]
    windows: list[range] = []
    for d in rng.permutation(hot).tolist():
        around = [
            range(lo, hi)
            for lo in range(max(0, d - WINDOW_DAYS + 1), d + 1)
            for hi in range(d + 1, min(n_days, lo + WINDOW_DAYS) + 1)
            if _edges_ok(ctx, heavy, light, lo, hi) and _edges_ok(ctx, light, heavy, lo, hi)
        ]
        windows += sorted(around, key=len)[:WINDOWS_PER_DAY]
    weeks = inst.weeks()
    windows += [*_between_common_days_off(heavy, light, n_days), *(weeks[int(w)] for w in rng.permutation(len(weeks)))]
    seen: set[tuple[int, int]] = set()
    unique = []
    for r in windows:
        if (r.start, r.stop) not in seen and len(r):
            seen.add((r.start, r.stop))
            unique.append(r)
    return unique


def _edges_ok(ctx: ResponseContext, outside: dict, inside: dict, lo: int, hi: int) -> bool:
    """Whether a plan of `outside`'s shifts outside [lo, hi) and `inside`'s within keeps rest and successions
    across the window's two edges (a cheap filter before the full rule check)."""
    blocked = ctx.tables.rest
    for edge in (lo, hi):
        for k in range(1, len(blocked)):
            for d1 in range(edge - k, edge):
                d2 = d1 + k
                if d2 < edge:
                    continue
                first = (inside if lo <= d1 < hi else outside).get(d1)
                second = (inside if lo <= d2 < hi else outside).get(d2)
                if first is not None and second is not None and blocked[k][first[0], second[0]]:
                    return False
    return True


def _between_common_days_off(plan_a: dict, plan_b: dict, n_days: int) -> list[range]:
    """Stretches between days both agents have off: trading one keeps rest and runs intact at its edges."""
    off = [d for d in range(n_days) if d not in plan_a and d not in plan_b]
    edges = [-1, *off, n_days]
    return [range(lo + 1, hi) for lo, hi in itertools.pairwise(edges) if hi - lo > 1]


def _try_swap(
    ctx: ResponseContext,
    plans: dict[int, dict[int, tuple[int, int]]],
    counts: np.ndarray,
    a: int,
    b: int,
    days: range,
    scheduled: np.ndarray | None = None,
) -> bool:
    """Swap agents a and b's shifts on `days` if both stay within every hard rule and their own terms plus the
    band penalties go down (`counts` is kept up to date). With `scheduled` (agents per queue and interval, kept up
    to date), a shift on a queue the receiver lacks moves to the receiver's best queue for it and the coverage
    change counts too; without it such a trade is refused."""
    week_a = {d: plans[a][d] for d in days if d in plans[a]}
    week_b = {d: plans[b][d] for d in days if d in plans[b]}
    if week_a == week_b:
        return False
    fair = ctx.fair
    old_counts = counts[[a, b]].copy()
    fair_before = _fair_cost(ctx, counts, a, b)
    counts[a] = fair.counts(
        [(d, s) for d, (s, _) in plans[a].items() if d not in days] + [(d, s) for d, (s, _) in week_b.items()]
    )
    counts[b] = fair.counts(
        [(d, s) for d, (s, _) in plans[b].items() if d not in days] + [(d, s) for d, (s, _) in week_a.items()]
    )
    fair_after = _fair_cost(ctx, counts, a, b)
    counts[[a, b]] = old_counts
    if fair_after >= fair_before - 1e-9:  # only trades that even out (the cheap test first)
        return False
    to_a = _requeue(ctx, a, week_b, scheduled)
    to_b = _requeue(ctx, b, week_a, scheduled)
    if to_a is None or to_b is None:
        return False
    new_a = {d: c for d, c in plans[a].items() if d not in days} | to_a
    new_b = {d: c for d, c in plans[b].items() if d not in days} | to_b
    if not (keeps_programme_rules(ctx, a, new_a) and keeps_programme_rules(ctx, b, new_b)):
        return False
    moved = [(d, s, q, q2) for week, to in ((week_b, to_a), (week_a, to_b)) for d, (s, q) in week.items()
             if (q2 := to[d][1]) != q]  # fmt: skip
    own_before = _own(ctx, plans, a, b)
    change = _requeue_cost(ctx, scheduled, moved) if moved and scheduled is not None else 0.0
    old_a, old_b = plans[a], plans[b]
    plans[a], plans[b] = new_a, new_b
    switches: list[tuple[int, int, int, int, int]] = []
    if moved and scheduled is not None:  # third agents switch queue to give the coverage back
        switches, compensated = _compensate(ctx, plans, scheduled, moved, {a, b})
        change += compensated
    if _own(ctx, plans, a, b) + fair_after + change < own_before + fair_before - 1e-6:
        counts[a] = fair.counts((d, s) for d, (s, _) in new_a.items())
        counts[b] = fair.counts((d, s) for d, (s, _) in new_b.items())
        return True
    for c, d, s, q, q2 in reversed(switches):  # undo
        plans[c][d] = (s, q)
        _requeue_cost(ctx, scheduled, [(d, s, q2, q)])
    if moved and scheduled is not None:
        _requeue_cost(ctx, scheduled, [(d, s, q2, q) for d, s, q, q2 in moved])  # undo
    plans[a], plans[b] = old_a, old_b
    return False


def _compensate(
    ctx: ResponseContext,
    plans: dict[int, dict[int, tuple[int, int]]],
    scheduled: np.ndarray,
    moved: list[tuple[int, int, int, int]],
    busy: set[int],
) -> tuple[list[tuple[int, int, int, int, int]], float]:
    """For each shift a trade moved from queue q to q2 on day d, the third agent working q2 that day who may work
    its own shift on q and whose switch to q lowers coverage plus own costs most (its counts do not change: same
    day and template); such switches are applied to `plans` and `scheduled` in place. Returns the switches
    (agent, day, template, old queue, new queue) and their cost change (weight × minutes; < 0 each)."""
    switches: list[tuple[int, int, int, int, int]] = []
    total = 0.0
    used = set(busy)
    for d, _, q, q2 in moved:
        best: tuple[float, int, int] | None = None
        for c, plan in plans.items():
            if c in used or d not in plan or plan[d][1] != q2 or (plan[d][0], q) not in ctx.facts.options[(c, d)]:
                continue
            s = plan[d][0]
            gain = _requeue_cost(ctx, scheduled, [(d, s, q2, q)])
            _requeue_cost(ctx, scheduled, [(d, s, q, q2)])
            if best is None or gain < best[0]:
                best = (gain, c, s)
        if best is None or best[0] >= -1e-9:
            continue
        _, c, s = best
        new = {**plans[c], d: (s, q)}
        if ctx.config.rules.max_consecutive_queue_days > 0 and not keeps_programme_rules(ctx, c, new):
            continue
        own = own_cost(ctx, c, sorted((x, t, r) for x, (t, r) in new.items()))
        own -= own_cost(ctx, c, sorted((x, t, r) for x, (t, r) in plans[c].items()))
        change = _requeue_cost(ctx, scheduled, [(d, s, q2, q)]) + own
        if change >= -1e-9:
            _requeue_cost(ctx, scheduled, [(d, s, q, q2)])
            continue
        plans[c] = new
        used.add(c)
        switches.append((c, d, s, q2, q))
        total += change
    return switches, total


def _requeue(
    ctx: ResponseContext, x: int, week: dict[int, tuple[int, int]], scheduled: np.ndarray | None
) -> dict[int, tuple[int, int]] | None:
    """The shifts of `week` as agent x may work them: the same queue when x has that option, else (with
    `scheduled`) the queue of x's options for that template where one more agent helps most; None when a shift has
    no option for x."""
    out = {}
    for d, (s, q) in week.items():
        options = ctx.facts.options[(x, d)]
        if (s, q) in options:
            out[d] = (s, q)
            continue
        queues = [q2 for s2, q2 in options if s2 == s]
        if not queues or scheduled is None:
            return None
        out[d] = (s, max(queues, key=lambda q2: _gain(ctx, scheduled, d, s, q2)))
    return out


def _cells(ctx: ResponseContext, d: int, s: int) -> np.ndarray:
    """Grid intervals a shift on day d covers (inside the horizon)."""
    inst = ctx.instance
    idx = d * inst.intervals_per_day + ctx.facts.offsets[s]
    return idx[idx < inst.n_intervals]


def _gain(ctx: ResponseContext, scheduled: np.ndarray, d: int, s: int, q: int) -> float:
    """Objective gain (weight × minutes) of one more agent on queue q for shift s on day d."""
    inst, w = ctx.instance, ctx.config.weights
    idx = _cells(ctx, d, s)
    short = scheduled[q, idx] < inst.required[q, idx]
    return float(inst.interval_minutes * (w.under_coverage * short.sum() - w.over_coverage * (~short).sum()))


def _requeue_cost(ctx: ResponseContext, scheduled: np.ndarray, moved: list[tuple[int, int, int, int]]) -> float:
    """Move each (day, shift) from queue q to q2 in `scheduled` (in place); returns the coverage cost change."""
    inst, w = ctx.instance, ctx.config.weights

    def cost(q: int, idx: np.ndarray) -> float:
        gap = scheduled[q, idx] - inst.required[q, idx]
        return float(w.under_coverage * np.maximum(-gap, 0).sum() + w.over_coverage * np.maximum(gap, 0).sum())

    change = 0.0
    for d, s, q, q2 in moved:
        idx = _cells(ctx, d, s)
        before = cost(q, idx) + cost(q2, idx)
        scheduled[q, idx] -= 1
        scheduled[q2, idx] += 1
        change += cost(q, idx) + cost(q2, idx) - before
    return change * inst.interval_minutes


def keeps_programme_rules(ctx: ResponseContext, a: int, plan: dict[int, tuple[int, int]]) -> bool:
    """Whether one agent's plan keeps the programme's hard rules: options, weekly limits, rest and successions
    between days, consecutive days, weekend cap and queue rotation."""
    facts, rot, inst = ctx.facts, ctx.rotation, ctx.instance
    for d, choice in plan.items():
        if choice not in facts.options[(a, d)]:
            return False
    for limits in facts.weeks[a]:
        worked = [plan[d] for d in limits.days if d in plan]
        paid = sum(int(ctx.tables.paid[s]) for s, _ in worked)
        if len(worked) > limits.max_days or not limits.min_paid_minutes <= paid <= limits.max_paid_minutes:
            return False
    blocked = ctx.tables.rest
    run, queue_run, last_queue = 0, 0, -1
    for d in range(inst.days):
        if d not in plan:
            run, queue_run, last_queue = 0, 0, -1
            continue
        s, q = plan[d]
        for k in range(1, len(blocked)):
            if d - k in plan and blocked[k][plan[d - k][0], s]:
                return False
        run += 1
        queue_run = queue_run + 1 if q == last_queue else 1
        last_queue = q
        if run > facts.limits[a].max_consecutive_days:
            return False
        limit = ctx.config.rules.max_consecutive_queue_days
        if limit > 0 and queue_run > limit and len(inst.agents[a].skills) > 1:
            return False
    weekends = {int(rot.weekend_of_day[d]) for d in plan if rot.weekend_of_day[d] >= 0}
    return len(weekends) <= rot.weekend_cap[a]


def _own(ctx: ResponseContext, plans: dict[int, dict[int, tuple[int, int]]], a: int, b: int) -> float:
    """Own terms of agents a and b (weight × minutes; coverage does not change in a trade)."""
    return sum(own_cost(ctx, x, sorted((d, s, q) for d, (s, q) in plans[x].items())) for x in (a, b))


def _fair_cost(ctx: ResponseContext, counts: np.ndarray, a: int, b: int) -> float:
    """Band penalties (weight × minutes) of the groups of agents a and b, plus a tiny pull of every total towards
    its group's mean (Σ squares), which orders trades the band alone rates equal."""
    return _groups_cost(ctx, counts, [a, b])
