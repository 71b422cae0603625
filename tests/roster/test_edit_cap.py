"""A planner's edit keeps the break cap (wfm.roster.edit_cap through workspace.replace_day): removing a shift lowers
its queue's cap, the pauses over it are re-placed and every other row stays; each roster through the checker."""

from __future__ import annotations

from datetime import date

import numpy as np
import pandas as pd

from wfm import workspace
from wfm.roster.activities import Activity, ActivityPlan
from wfm.roster.break_rules import BreakCap, BreakRule, BreakSettings
from wfm.roster.checker import check_roster, parse_roster
from wfm.roster.domain import Agent, Assignment, Config, Instance, RuleSettings, ShiftTemplate
from wfm.roster.edit_cap import keep_cap_on_day
from wfm.roster.outputs import roster_frame

MONDAY = date(2026, 11, 2)
LONG_DAY = ShiftTemplate("D0800", 8 * 60, 12 * 60)  # 08:00–20:00
# one 60-min break from 1 h into the shift to 1 h before its end (ten starts); a quarter of the queue may pause
ONE_BREAK = BreakSettings(
    (BreakRule("one", 0, 24, breaks=1, break_minutes=60, min_gap_hours=0, earliest_hours=1, end_margin_hours=1),),
    BreakCap(default=0.25, min_agents=1),
)
BREAK_HOURS = [10, 10, 10, 11, 11, 11, 12, 12, 12, 13, 13, 13]  # three at a time: the cap of 12 agents on shift


def _centre() -> tuple[Instance, Config, pd.DataFrame]:
    """Twelve phone agents on the 08:00–20:00 shift with their breaks three to an hour from 10:00 (one day, hour
    grid), and the roster table; agent A1 also has an hour of training at 15:00."""
    team = tuple(Agent(f"A{i}", f"Agent {i}", ("phone",)) for i in range(1, 13))
    inst = Instance(team, (LONG_DAY,), (), ("phone",), MONDAY, 1, 60, np.full((1, 24), 10, dtype=np.int64))
    cfg = Config(RuleSettings(interval_minutes=60, days_off_per_week=0), breaks=ONE_BREAK)
    by_cell = {(a, 0): (Activity((hour - 8) * 60, 60, "break"),) for a, hour in enumerate(BREAK_HOURS)}
    by_cell[(0, 0)] += (Activity(7 * 60, 60, "training", "onboarding"),)
    plan = ActivityPlan(by_cell, inst.required, {}, {}, 0.0)
    frame = roster_frame(inst, [Assignment(a, 0, 0, 0) for a in range(12)], plan)
    return inst, cfg, frame


def _rules_broken(inst: Instance, cfg: Config, frame: pd.DataFrame) -> list[str]:
    """The independent checker's broken rules."""
    found = check_roster(parse_roster(frame), inst.agents, inst.shifts, (), cfg, first_day=inst.start, n_days=1)
    return [v.rule for v in found]


def _rows(frame: pd.DataFrame, agent_id: str) -> list[tuple]:
    """One agent's rows as plain tuples."""
    mine = frame[frame["agent_id"] == agent_id]
    return list(mine[["date", "start", "end", "activity", "queue"]].astype(str).itertuples(index=False))


def test_the_sample_roster_keeps_the_cap_before_any_edit() -> None:
    inst, cfg, frame = _centre()
    assert _rules_broken(inst, cfg, frame) == []
    assert keep_cap_on_day(inst, cfg, frame, 0) == (frame, [])  # nothing to do: the same table back


def test_a_day_off_that_lowers_the_cap_moves_the_fewest_breaks_needed() -> None:
    inst, cfg, frame = _centre()
    # A12 (break at 13:00) takes the day off: 11 on shift, the cap falls from 3 to 2, 10:00–12:00 hold 3 each
    without, _moved = workspace.replace_day(frame, inst, "A12", MONDAY, None, None)  # no config: nothing re-placed
    assert _rules_broken(inst, cfg, without) == ["break_cap"]
    edited, moved = workspace.replace_day(frame, inst, "A12", MONDAY, None, None, cfg)
    assert _rules_broken(inst, cfg, edited) == []
    assert len(moved) == 3 and "A12" not in moved  # one break leaves each crowded hour, no more
    for agent in inst.agents:  # every agent not named keeps its rows; the training stays where it was
        if agent.agent_id not in moved and agent.agent_id != "A12":
            assert _rows(edited, agent.agent_id) == _rows(frame, agent.agent_id)
    training = edited[edited["activity"] == "training"]
    assert training[["agent_id", "start", "end", "queue"]].astype(str).values.tolist() == [
        ["A1", "2026-11-02 15:00", "2026-11-02 16:00", "onboarding"]
    ]
    assert _rows(edited, "A12") == [("2026-11-02", "2026-11-02 00:00", "2026-11-03 00:00", "off", "")]
    paused = edited[edited["activity"] == "break"]["start"].astype(str).value_counts()
    assert paused.max() <= 2 and paused.sum() == 11


def test_a_new_shift_that_raises_the_cap_moves_nothing() -> None:
    inst, cfg, frame = _centre()
    edited, moved = workspace.replace_day(frame, inst, "A12", MONDAY, "D0800", "phone", cfg)  # the same shift again
    assert moved == []
    assert _rules_broken(inst, cfg, edited) == []
    assert len(edited[edited["activity"] == "break"]) == 12
