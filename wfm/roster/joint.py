"""Break-aware rostering: search, place pauses and training, re-plan against them, keep the best after placement.

The search counts an agent on shift as on the phones (lunch in the middle of the shift); the placement then
takes breaks, lunches and training off the phones where the queue has most to spare. Round 2 re-plans from
round 1's roster against the demand raised by the agents round 1's placement took off the phones (heads needed
= agents needed on the phones + agents on a pause or in training there), so shifts move to where the pauses
leave gaps; its roster is placed again, and the round whose roster is better *after placement* is kept.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, replace

import numpy as np

from wfm.roster.activities import ActivityPlan, place_activities
from wfm.roster.best_response import programme_models_all_rules
from wfm.roster.cap_repair import cap_infeasible_days, move_shifts_for_cap
from wfm.roster.deferred_search import placed_adjustment
from wfm.roster.domain import Config, Instance, RosterSolution
from wfm.roster.options import InstanceFacts, instance_facts
from wfm.roster.sequence_search import finished_solution
from wfm.roster.solve import SolveSettings, solve_roster
from wfm.roster.training import TrainingRequirement

FIRST_ROUND_SHARE = 0.6  # of the search time; the re-plan gets the rest
MIN_REPLAN_SECONDS = 2.0  # below this a re-plan cannot move enough shifts to pay for its placement
# A re-plan pays only when the first round, on its share of the time, gets past construction into the local
# search: measured at 1,000 agents × 28 days in 54 s (518 agent-days per second) the first round's 32 s went to
# greedy construction (objective 3.40 M against 1.87 M with the whole time), so rounds > 1 apply only up to this
# many agent-days per second of search (200 × 28 days in 60 s: 93).
MAX_REPLAN_AGENT_DAYS_PER_SECOND = 150.0
FINAL_POLISH_SHARE = 0.5  # the final placement's exact pause re-placement stops here: the rest is the cap repair's
MIN_CAP_REPAIR_SECONDS = 6.0  # per queue-day over the cap: the shift moves' time when the placement left less


@dataclass(frozen=True)
class JointResult:
    """The kept roster (its statistics on the stated demand, the bound from round 1), its placed activities and
    per round: under- and over-coverage agent-hours and the coverage penalty after placement, seconds used."""

    solution: RosterSolution
    activities: ActivityPlan
    rounds: tuple[dict, ...]
    kept_round: int
    cap_moves: tuple[dict, ...] = ()  # shifts moved where no pause pattern could keep the break cap


def coverage_penalty(instance: Instance, config: Config, scheduled: np.ndarray) -> tuple[float, float, float]:
    """(under agent-hours, over agent-hours, weight × agent-hours) of `scheduled` agents against the demand."""
    hours = instance.interval_minutes / 60.0
    gap = scheduled.astype(np.int64) - instance.required.astype(np.int64)
    under = float(np.clip(-gap, 0, None).sum() * hours)
    over = float(np.clip(gap, 0, None).sum() * hours)
    return under, over, config.weights.under_coverage * under + config.weights.over_coverage * over


def after_placement_objective(
    instance: Instance, config: Config, solution: RosterSolution, plan: ActivityPlan
) -> float:
    """The roster objective (weight × hours) with coverage counted after placement (agents actually on the phones)."""
    assert solution.stats is not None
    before = coverage_penalty(instance, config, solution.scheduled)[2]
    after = coverage_penalty(instance, config, plan.scheduled)[2]
    return solution.stats.objective - before + after


def solve_and_place(
    instance: Instance,
    config: Config,
    settings: SolveSettings,
    training: tuple[TrainingRequirement, ...] = (),
    placement_seconds: Callable[[int], float] | float = 10.0,
    progress: Callable[[str], None] | None = None,
    rounds: int = 2,
) -> JointResult:
    """Solve within settings.time_limit_seconds in up to `rounds` search rounds (each after the first re-plans
    against the previous placement's pauses; one round when the instance is too large for its time), then place.
    `placement_seconds` is the final placement's time, or a function of the number of shifts giving it (called
    when the last round ends)."""
    say = progress or (lambda _: None)
    started = time.monotonic()
    search_end = started + settings.time_limit_seconds
    agent_days_per_second = len(instance.agents) * instance.days / max(settings.time_limit_seconds, 1e-9)
    replans = (
        rounds > 1
        and instance.shift_demand is None  # demand per shift: no interval demand to raise
        and agent_days_per_second <= MAX_REPLAN_AGENT_DAYS_PER_SECOND
    )
    facts = instance_facts(instance, config) if replans else None  # ~6 s at 1 000 agents: only when needed
    replans = replans and programme_models_all_rules(instance, config, facts)
    first_limit = settings.time_limit_seconds * (FIRST_ROUND_SHARE if replans else 1.0)
    solution = solve_roster(
        instance, config, replace(settings, time_limit_seconds=first_limit), progress=say, facts=facts
    )
    assert solution.stats is not None
    bound = solution.stats.lower_bound * 60
    history: list[dict] = []
    best: tuple[float, RosterSolution, ActivityPlan, int] | None = None
    final_limit = 0.0
    for round_number in range(1, rounds + 1):
        last = round_number == rounds or search_end - time.monotonic() < MIN_REPLAN_SECONDS + 1.0 or not replans
        if last:
            place_limit = final_limit = _final(placement_seconds, solution)
        else:  # an intermediate placement: a share of what is left, so the re-plan keeps most of it
            place_limit = max(0.5, min(0.25 * (search_end - time.monotonic()), _final(placement_seconds, solution)))
        begun = time.monotonic()
        plan = place_activities(
            instance,
            config,
            solution.assignments,
            training,
            place_limit,
            seed=settings.seed,
            polish=FINAL_POLISH_SHARE if last else 0.0,  # the re-plan needs the intermediate placement's time
        )
        value = after_placement_objective(instance, config, solution, plan)
        value += placed_adjustment(instance, config, settings.deferred, plan.scheduled)  # email: late work, not heads
        under, over, _ = coverage_penalty(instance, config, plan.scheduled)
        history.append(
            {
                "round": round_number,
                "objective_before_placement": round(solution.stats.objective, 2),
                "objective_after_placement": round(value, 2),
                "under_coverage_agent_hours_after": round(under, 2),
                "over_coverage_agent_hours_after": round(over, 2),
                "placement_seconds": round(time.monotonic() - begun, 2),
            }
        )
        say(f"round {round_number}: objective after placement {value:.1f} (under-coverage {under:.1f} agent-h)")
        if best is None or value < best[0] - 1e-6:
            best = (value, solution, plan, round_number)
        if last:
            break
        replan_limit = (search_end - time.monotonic()) / (rounds - round_number)  # shared by the re-plans left
        if replan_limit < MIN_REPLAN_SECONDS:
            break
        paused = np.clip(solution.scheduled.astype(np.int64) - plan.scheduled.astype(np.int64), 0, None)
        raised = replace(instance, required=instance.required + paused.astype(instance.required.dtype))
        start = {(x.agent, x.day): (x.shift, x.queue) for x in solution.assignments}
        say(
            f"re-plan against {float(paused.sum()) * instance.interval_minutes / 60:.1f} agent-h of pauses and training"
        )
        replanned = solve_roster(
            raised,
            config,
            replace(settings, time_limit_seconds=replan_limit),
            progress=say,
            initial=start,
            facts=facts,  # options and limits do not depend on the demand
        )
        chosen = {(x.agent, x.day): (x.shift, x.queue) for x in replanned.assignments}
        assert replanned.stats is not None
        phases = (*solution.stats.phases, "re-plan against placed pauses")
        assert facts is not None
        solution = finished_solution(instance, config, facts, chosen, bound, started, phases)
    assert best is not None
    _, kept, plan, kept_round = best
    if plan.breaks.get("cap_not_met"):
        repaired = _move_shifts_for_cap(
            instance, config, settings, training, kept, plan, final_limit, facts, bound, started, say
        )
        if repaired is not None:
            kept, plan, moved = repaired
            return JointResult(kept, plan, tuple(history), kept_round, moved)
    return JointResult(kept, plan, tuple(history), kept_round)


def _move_shifts_for_cap(
    instance: Instance,
    config: Config,
    settings: SolveSettings,
    training: tuple[TrainingRequirement, ...],
    solution: RosterSolution,
    plan: ActivityPlan,
    place_limit: float,
    facts: InstanceFacts | None,
    bound: float,
    started: float,
    say: Callable[[str], None],
) -> tuple[RosterSolution, ActivityPlan, tuple[dict, ...]] | None:
    """Where the placement left a queue-day over the cap, move shifts (wfm/roster/cap_repair.py) in what the final
    placement left of its time (at least MIN_CAP_REPAIR_SECONDS per queue-day: the cap is hard), place again, and
    return the result when fewer queue-days miss the cap (None otherwise, or when the programme does not model
    every rule of the instance)."""
    if instance.shift_demand is not None:
        return None
    facts = facts or instance_facts(instance, config)
    if not programme_models_all_rules(instance, config, facts):
        return None
    spare = place_limit - plan.seconds  # what the final placement left of its time
    placing = plan.seconds - plan.breaks.get("exact_queue_days", {}).get("seconds", 0.0)  # without the polish
    again_seconds = max(0.5, 1.5 * placing)  # the placement again, with some margin
    bad = cap_infeasible_days(instance, plan.breaks)
    # the cap is hard: without spare time the moves still get MIN_CAP_REPAIR_SECONDS per queue-day (a handful)
    deadline = time.monotonic() + max(spare - again_seconds, MIN_CAP_REPAIR_SECONDS * len(bad))
    chosen = {(x.agent, x.day): (x.shift, x.queue) for x in solution.assignments}
    moved_roster, moves, left = move_shifts_for_cap(instance, config, facts, chosen, bad, deadline, seed=settings.seed)
    if moves:
        say(f"moved {len(moves)} shift(s) where no pause pattern kept the break cap ({len(left)} queue-day(s) left)")
        phases = (*(solution.stats.phases if solution.stats else ()), "shifts moved for the break cap")
        moved = finished_solution(instance, config, facts, moved_roster, bound, started, phases)
    elif len(left) < len(bad):  # some queue-days keep the cap placed alone: the placement ran out of time
        say(f"placing again: {len(bad) - len(left)} queue-day(s) keep the break cap when placed alone")
        moved = solution
    else:  # no move helps and no queue-day keeps the cap alone: placing again cannot help
        return None
    again = place_activities(instance, config, moved.assignments, training, again_seconds, seed=settings.seed)
    if len(again.breaks["cap_not_met"]) >= len(plan.breaks["cap_not_met"]):
        return None
    described = tuple(
        {
            "agent": instance.agents[m.agent].agent_id,
            "date": str(instance.day_date(m.day)),
            "from": _choice_text(instance, m.before),
            "to": _choice_text(instance, m.after),
            "value_change": round(m.value_change, 2),
        }
        for m in moves
    )
    return moved, again, described


def _choice_text(instance: Instance, choice: tuple[int, int] | None) -> str:
    """A (shift, queue) choice as "shift on queue" ("off" for None)."""
    if choice is None:
        return "off"
    return f"{instance.shifts[choice[0]].name} on {instance.queues[choice[1]]}"


def _final(placement_seconds: Callable[[int], float] | float, solution: RosterSolution) -> float:
    """The final placement's time for this roster's size."""
    return placement_seconds(len(solution.assignments)) if callable(placement_seconds) else placement_seconds
