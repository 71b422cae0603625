"""Rosters per team: split an instance by the agents' `team`, solve the teams on an engine (wfm.engines: in this
process one after the other, or on Dask workers at the same time), and merge rosters, coverage and reports.

Split rule (docs/scale.md). Each team gets its own agents, their time off and wishes, and the queues its agents
have skills for. A queue served by one team keeps its whole requirement there. A queue served by several teams has
its requirement split, interval by interval, among those teams in proportion to the number of the team's agents
with that skill, by largest remainder: team t first gets ⌊r·nₜ/N⌋ (r the interval's required agents, nₜ the
team's agents with the skill, N their sum), and the agents still missing go one each to the teams with the largest
remainders r·nₜ mod N (ties: teams in name order), so the parts always sum to r.

Each team's search gets the whole `--time-limit`, independently: a shared queue's surplus in one team does not
cover another's shortfall in the teams' objectives, but the merged coverage (required vs everyone scheduled) counts
all teams together. The merged objective and bound are the sums over teams (each team's bound is a bound of its
part, so the sum bounds the split problem, not the unsplit one). Breaks, lunches and training are placed once, on
the merged roster (`wfm roster` does that after the merge), because the break cap of a queue and training
capacities and `together` groups span teams. Not supported with --by team: shift-form demand (refused).
"""

from __future__ import annotations

import os
import socket
import time
from dataclasses import dataclass, replace

import numpy as np

from wfm.csvio import FIRST_DATA_ROW
from wfm.engines import Engine, Progress
from wfm.errors import InputError
from wfm.roster.domain import Assignment, Config, Instance, PenaltyLine, RosterSolution, SolveStats
from wfm.roster.solve import SolveSettings, solve_roster


@dataclass(frozen=True, eq=False)
class TeamPart:
    """One team's sub-instance and where its agents and queues sit in the whole instance."""

    team: str
    agents: tuple[int, ...]  # indices into the whole instance's agents, in its order
    queues: tuple[int, ...]  # indices into the whole instance's queues, in its order
    instance: Instance


@dataclass(frozen=True)
class TeamJob:
    """What a worker needs to solve one team."""

    part: TeamPart
    config: Config
    time_limit_seconds: float
    seed: int


@dataclass(frozen=True, eq=False)
class TeamResult:
    """One team's solved roster (shifts on queues, before breaks), its wall time and where it ran."""

    team: str
    solution: RosterSolution
    seconds: float
    where: str


def team_names(instance: Instance, agents_file: str) -> tuple[str, ...]:
    """The teams in name order; InputError without a team column or for an agent without a team."""
    blank = [i for i, agent in enumerate(instance.agents) if not agent.team.strip()]
    if len(blank) == len(instance.agents):
        raise InputError(
            '--by team needs a "team" column in the agents file (one team name per agent)', file=agents_file
        )
    if blank:
        agent = instance.agents[blank[0]]
        raise InputError(
            f'agent "{agent.agent_id}" has no team; --by team needs one for every agent',
            file=agents_file,
            row=blank[0] + FIRST_DATA_ROW,
            column="team",
        )
    return tuple(sorted({agent.team.strip() for agent in instance.agents}))


def skill_counts(instance: Instance, teams: tuple[str, ...]) -> np.ndarray:
    """(teams, queues): how many agents of each team have each queue among their skills."""
    column = {q: j for j, q in enumerate(instance.queues)}
    row = {t: i for i, t in enumerate(teams)}
    counts = np.zeros((len(teams), len(instance.queues)), dtype=np.int64)
    for agent in instance.agents:
        for skill in set(agent.skills):
            if skill in column:
                counts[row[agent.team.strip()], column[skill]] += 1
    return counts


def split_requirement(required: np.ndarray, counts: np.ndarray) -> np.ndarray:
    """(teams, queues, intervals) parts of `required` (queues, intervals): proportional to `counts` (teams,
    queues) by largest remainder, ties to the earlier team; a queue no team serves stays with nobody."""
    teams = counts.shape[0]
    required = np.asarray(required, dtype=np.int64)
    parts = np.zeros((teams, *required.shape), dtype=np.int64)
    for q in range(required.shape[0]):
        n = counts[:, q]
        total = int(n.sum())
        if total == 0:
            continue
        quota = n[:, None] * required[q][None, :]  # (teams, intervals), exact integers
        base, remainder = quota // total, quota % total
        missing = required[q] - base.sum(axis=0)  # agents still to give out per interval (< teams serving)
        order = np.argsort(-remainder, axis=0, kind="stable")  # largest remainder first, then team order
        rank = np.empty_like(order)
        np.put_along_axis(rank, order, np.arange(teams)[:, None].repeat(order.shape[1], axis=1), axis=0)
        parts[:, q, :] = base + (rank < missing[None, :])  # only teams serving q have a remainder
    return parts


def split_by_team(instance: Instance, agents_file: str) -> list[TeamPart]:
    """One sub-instance per team (see the module notes for the split of shared queues)."""
    if instance.shift_demand is not None:
        raise InputError("--by team works with --requirements (per interval), not with --shift-demand")
    teams = team_names(instance, agents_file)
    counts = skill_counts(instance, teams)
    shares = split_requirement(instance.required, counts)
    parts = []
    for t, team in enumerate(teams):
        members = tuple(i for i, agent in enumerate(instance.agents) if agent.team.strip() == team)
        ids = {instance.agents[i].agent_id for i in members}
        queues = tuple(int(q) for q in np.flatnonzero(counts[t] > 0))
        sub = Instance(
            agents=tuple(instance.agents[i] for i in members),
            shifts=instance.shifts,
            time_off=tuple(x for x in instance.time_off if x.agent_id in ids),
            queues=tuple(instance.queues[q] for q in queues),
            start=instance.start,
            days=instance.days,
            interval_minutes=instance.interval_minutes,
            required=shares[t][list(queues)],
            requests=tuple(r for r in instance.requests if r.agent_id in ids),
            holidays=instance.holidays,
            carried={k: v for k, v in instance.carried.items() if k in ids},
        )
        parts.append(TeamPart(team, members, queues, sub))
    return parts


def solve_team(job: TeamJob) -> TeamResult:
    """Solve one team's shifts with the whole time limit (breaks come later, on the merged roster)."""
    started = time.monotonic()
    # teams already share the cores between them: no second, forked search per team
    settings = SolveSettings(time_limit_seconds=job.time_limit_seconds, seed=job.seed, portfolio=False)
    solution = solve_roster(job.part.instance, job.config, settings)
    where = f"{socket.gethostname()} pid {os.getpid()}"
    return TeamResult(job.part.team, solution, time.monotonic() - started, where)


def solve_teams(
    engine: Engine,
    parts: list[TeamPart],
    config: Config,
    time_limit_seconds: float,
    seed: int = 0,
    progress: Progress | None = None,
) -> list[TeamResult]:
    """Every team solved on the engine (results in team order); one progress line per finished team."""
    jobs = [TeamJob(part, config, time_limit_seconds, seed) for part in parts]
    labels = [f"team {p.team} ({len(p.agents)} agents, {len(p.queues)} queues)" for p in parts]
    return engine.map(solve_team, jobs, labels=labels, progress=progress)


def merge_teams(
    instance: Instance, parts: list[TeamPart], results: list[TeamResult], elapsed_seconds: float, engine: str
) -> RosterSolution:
    """The whole roster: assignments in the whole instance's indices, scheduled agents summed over teams,
    penalties summed by rule, objective and bound summed, gap recomputed."""
    assignments = []
    scheduled = np.zeros_like(instance.required)
    for part, result in zip(parts, results, strict=True):
        scheduled[list(part.queues)] += result.solution.scheduled
        for x in result.solution.assignments:
            assignments.append(Assignment(part.agents[x.agent], x.day, x.shift, part.queues[x.queue]))
    assignments.sort(key=lambda x: (x.agent, x.day))
    stats = [r.solution.stats for r in results if r.solution.stats is not None]
    objective = sum(s.objective for s in stats)
    bound = sum(s.lower_bound for s in stats)
    merged = SolveStats(
        status="OPTIMAL" if stats and all(s.status == "OPTIMAL" for s in stats) else "FEASIBLE",
        objective=objective,
        lower_bound=bound,
        gap=(objective - bound) / objective if objective > 0 else 0.0,
        elapsed_seconds=elapsed_seconds,
        phases=(f"by team: {len(parts)} teams on the {engine} engine",),
    )
    return RosterSolution(tuple(assignments), merge_penalties(results), scheduled, merged)


def merge_penalties(results: list[TeamResult]) -> tuple[PenaltyLine, ...]:
    """Each rule's penalty line summed over the teams (rules in first-seen order)."""
    merged: dict[str, PenaltyLine] = {}
    for result in results:
        for line in result.solution.penalties:
            seen = merged.get(line.rule)
            if seen is None:
                merged[line.rule] = line
                continue
            total = None if seen.total is None and line.total is None else seen.penalty + line.penalty
            merged[line.rule] = replace(seen, amount=seen.amount + line.amount, total=total)
    return tuple(merged.values())


def team_report(parts: list[TeamPart], results: list[TeamResult]) -> list[dict]:
    """The report's `teams` section: per team its size, queues, solve figures, time and where it ran."""
    rows = []
    for part, result in zip(parts, results, strict=True):
        stats = result.solution.stats
        rows.append(
            {
                "team": part.team,
                "agents": len(part.agents),
                "queues": list(part.instance.queues),
                "status": stats.status if stats else "UNKNOWN",
                "objective": stats.objective if stats else None,
                "lower_bound": stats.lower_bound if stats else None,
                "gap": stats.gap if stats else None,
                "seconds": round(result.seconds, 2),
                "worker": result.where,
            }
        )
    return rows
