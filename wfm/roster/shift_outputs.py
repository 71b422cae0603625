"""Outputs of shift-form demand and shift requests: coverage per date and template, wishes granted per agent."""

from __future__ import annotations

from collections.abc import Iterable

import pandas as pd

from wfm.roster.domain import Assignment, Instance

SHIFT_COVERAGE_COLUMNS = ["date", "shift", "required", "scheduled", "under", "over"]


def shift_coverage_frame(instance: Instance, assignments: Iterable[Assignment]) -> pd.DataFrame:
    """Required vs scheduled agents per date and template (shift-form demand); empty without it."""
    demand = instance.shift_demand
    if demand is None:
        return pd.DataFrame(columns=SHIFT_COVERAGE_COLUMNS)
    counts: dict[tuple[int, int], int] = {}
    for x in assignments:
        counts[(x.day, x.shift)] = counts.get((x.day, x.shift), 0) + 1
    rows = []
    for d in range(instance.days):
        for s, shift in enumerate(instance.shifts):
            need, have = int(demand.required[d, s]), counts.get((d, s), 0)
            if need == 0 and have == 0:
                continue
            rows.append(
                (instance.day_date(d).isoformat(), shift.name, need, have, max(0, need - have), max(0, have - need))
            )
    return pd.DataFrame(rows, columns=SHIFT_COVERAGE_COLUMNS)


def request_summary(instance: Instance, assignments: Iterable[Assignment]) -> list[dict[str, object]]:
    """Per agent with wishes: how many were granted, e.g. "3 of Li Lei's 5 wishes granted"."""
    worked = {(instance.agents[x.agent].agent_id, x.day): instance.shifts[x.shift].name for x in assignments}
    names = {agent.agent_id: agent.name or agent.agent_id for agent in instance.agents}
    tally: dict[str, list[int]] = {}
    for r in instance.requests:
        shift = worked.get((r.agent_id, r.day))
        works = shift is not None and (r.shift is None or shift == r.shift)
        granted = works if r.on else not works
        counts = tally.setdefault(r.agent_id, [0, 0, 0])
        counts[0] += int(granted)
        counts[1] += 1
        counts[2] += 0 if granted else r.weight
    return [
        {
            "agent_id": agent_id,
            "name": names.get(agent_id, agent_id),
            "granted": granted,
            "wishes": total,
            "weight_not_granted": missed,
            "text": f"{granted} of {names.get(agent_id, agent_id)}'s {total} wishes granted",
        }
        for agent_id, (granted, total, missed) in sorted(tally.items())
    ]
