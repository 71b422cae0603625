"""Shift moves for a break cap no pause pattern can keep (wfm.roster.cap_repair and the last step of
wfm.roster.joint.solve_and_place): the exact move on a tiny centre, and every roster through the checker."""

from __future__ import annotations

from datetime import date

import numpy as np

from wfm.roster.activities import place_activities
from wfm.roster.break_rules import BreakCap, BreakRule, BreakSettings
from wfm.roster.cap_repair import cap_infeasible_days, move_shifts_for_cap
from wfm.roster.checker import check_roster, parse_roster
from wfm.roster.domain import Agent, Assignment, Config, Instance, RuleSettings, ShiftTemplate
from wfm.roster.joint import solve_and_place
from wfm.roster.options import instance_facts
from wfm.roster.outputs import roster_frame
from wfm.roster.solve import SolveSettings

MONDAY = date(2026, 11, 2)
EARLY = ShiftTemplate("D0800", 8 * 60, 6 * 60)
LATER = ShiftTemplate("D1000", 10 * 60, 6 * 60)
# one 60-min break 2 or 3 hours into a 6-hour shift; one agent of the queue on a break at a time
ONE_AT_A_TIME = BreakSettings(
    (BreakRule("one", 0, 24, breaks=1, break_minutes=60, min_gap_hours=0, earliest_hours=2, end_margin_hours=2),),
    BreakCap(default=0.0, min_agents=1),
)


def _centre(required_by_hour: dict[int, int], agents: int = 3) -> tuple[Instance, Config]:
    """`agents` phone agents, one day on an hour grid, the 08:00 and 10:00 six-hour shifts."""
    required = np.zeros((1, 24), dtype=np.int64)
    for hour, need in required_by_hour.items():
        required[0, hour] = need
    team = tuple(Agent(f"A{i}", f"Agent {i}", ("phone",), max_days_week=1) for i in range(1, agents + 1))
    inst = Instance(team, (EARLY, LATER), (), ("phone",), MONDAY, 1, 60, required)
    return inst, Config(RuleSettings(interval_minutes=60), breaks=ONE_AT_A_TIME)


def _violations(inst: Instance, cfg: Config, assignments, plan) -> list:
    """The independent checker's verdict on the roster with its placed pauses."""
    frame = roster_frame(inst, assignments, plan)
    return check_roster(parse_roster(frame), inst.agents, inst.shifts, (), cfg, first_day=inst.start, n_days=inst.days)


def test_three_early_breaks_cannot_keep_a_cap_of_one_and_the_checker_says_so() -> None:
    inst, cfg = _centre({h: 3 for h in range(8, 14)})
    roster = [Assignment(a, 0, 0, 0) for a in range(3)]  # all three 08:00–14:00: breaks only at 10:00 or 11:00
    plan = place_activities(inst, cfg, roster, (), 2.0)
    assert cap_infeasible_days(inst, plan.breaks) == [(0, 0)]
    assert [v.rule for v in _violations(inst, cfg, roster, plan)] == ["break_cap"]


def test_one_shift_moves_to_the_later_start_and_the_cap_holds() -> None:
    inst, cfg = _centre({h: 3 for h in range(8, 14)})
    chosen = {(a, 0): (0, 0) for a in range(3)}
    moved, moves, left = move_shifts_for_cap(
        inst, cfg, instance_facts(inst, cfg), chosen, [(0, 0)], deadline=float("inf")
    )
    assert left == []
    assert len(moves) == 1
    (move,) = moves
    assert (move.before, move.after) == ((0, 0), (1, 0))  # 08:00 → 10:00 on the same queue, not a day off
    # the value the programme counts (weight × agent-minutes): 08:00–10:00 now 1 short (under-coverage 100),
    # 14:00–16:00 now 1 over (over-coverage 5); the paid hours are the same
    assert move.value_change == -(2 * 100 + 2 * 5) * 60
    assignments = [Assignment(a, d, s, q) for (a, d), (s, q) in sorted(moved.items())]
    plan = place_activities(inst, cfg, assignments, (), 2.0)
    assert plan.breaks["cap_not_met"] == []
    assert _violations(inst, cfg, assignments, plan) == []


def test_two_moves_when_one_is_not_enough() -> None:
    inst, cfg = _centre({h: 4 for h in range(8, 14)}, agents=4)
    chosen = {(a, 0): (0, 0) for a in range(4)}  # four 08:00 breaks, two slots, a cap of one
    moved, moves, left = move_shifts_for_cap(
        inst, cfg, instance_facts(inst, cfg), chosen, [(0, 0)], deadline=float("inf")
    )
    assert left == []
    assert [(m.before, m.after) for m in moves] == [((0, 0), (1, 0))] * 2
    assert sorted(moved.values()) == [(0, 0), (0, 0), (1, 0), (1, 0)]
    assignments = [Assignment(a, d, s, q) for (a, d), (s, q) in sorted(moved.items())]
    plan = place_activities(inst, cfg, assignments, (), 2.0)
    assert _violations(inst, cfg, assignments, plan) == []


def test_moves_that_cannot_make_the_cap_feasible_are_undone() -> None:
    inst, cfg = _centre({h: 5 for h in range(8, 14)}, agents=5)
    # five breaks and four break slots in the two shifts: only sending someone home would keep the cap, and a move
    # gives the agent its best other shift (the 10:00 one, which covers demand), never a day off instead
    chosen = {(a, 0): (0, 0) for a in range(5)}
    moved, moves, left = move_shifts_for_cap(
        inst, cfg, instance_facts(inst, cfg), chosen, [(0, 0)], deadline=float("inf")
    )
    assert (moved, moves, left) == (chosen, [], [(0, 0)])


def test_a_queue_day_that_keeps_the_cap_is_left_alone() -> None:
    inst, cfg = _centre({h: 2 for h in range(8, 14)}, agents=2)
    chosen = {(a, 0): (0, 0) for a in range(2)}  # two breaks, two slots: feasible
    moved, moves, left = move_shifts_for_cap(
        inst, cfg, instance_facts(inst, cfg), chosen, [(0, 0)], deadline=float("inf")
    )
    assert (moved, moves, left) == (chosen, [], [])


def test_solve_and_place_ends_without_a_break_cap_violation() -> None:
    inst, cfg = _centre({h: 3 for h in range(8, 14)} | {14: 1, 15: 1})
    joint = solve_and_place(inst, cfg, SolveSettings(time_limit_seconds=3, seed=0), (), 4.0, rounds=2)
    assert joint.activities.breaks["cap_not_met"] == []
    assert _violations(inst, cfg, joint.solution.assignments, joint.activities) == []
    starts = sorted(inst.shifts[x.shift].name for x in joint.solution.assignments)
    assert starts.count("D1000") >= 1  # three breaks in two early slots cannot keep the cap


def test_wfm_roster_reports_the_move_and_check_roster_passes(tmp_path) -> None:
    import json

    from wfm.cli import main

    lines = ["queue,interval_start,volume,aht_seconds,required_agents"]
    lines += [f"phone,2026-11-02 {h:02d}:00,10,300,{3 if h < 14 else 1}" for h in range(8, 16)]
    texts = {
        "requirements.csv": "\n".join(lines) + "\n",
        "agents.csv": "agent_id,name,skills,max_days_week\n" + "".join(f"A{i},Agent {i},phone,1\n" for i in (1, 2, 3)),
        "shifts.csv": "shift,start,length_minutes,breaks\nD0800,08:00,360,60\nD1000,10:00,360,60\n",
        "rules.toml": "[rules]\ninterval_minutes = 60\n[[breaks]]\nbreaks = 1\nbreak_minutes = 60\nmin_gap_hours = 0\n"
        "earliest_hours = 2\nend_margin_hours = 2\n[break_cap]\ndefault = 0.0\nmin_agents = 1\n",
    }
    for name, text in texts.items():
        (tmp_path / name).write_text(text, encoding="utf-8")
    out = tmp_path / "roster.csv"
    common = [f"--{k}={tmp_path / v}" for k, v in (("agents", "agents.csv"), ("shifts", "shifts.csv"))]
    common.append(f"--rules={tmp_path / 'rules.toml'}")
    args = ["roster", f"--requirements={tmp_path / 'requirements.csv'}", *common, "--start=2026-11-02", "--days=1"]
    assert main([*args, "--time-limit=5", f"--out={out}", f"--report={tmp_path / 'report.json'}"]) == 0
    report = json.loads((tmp_path / "report.json").read_text(encoding="utf-8"))
    assert report["breaks"]["cap_not_met"] == []
    moved = report["replanning"]["shifts_moved_for_break_cap"]
    rows = [row.split(",") for row in out.read_text(encoding="utf-8-sig").splitlines()[1:]]
    first = {agent: min(start for a, _, _, start, *_ in rows if a == agent) for agent, *_ in rows}
    # the three breaks do not fit the 08:00 shifts' two break slots under a cap of one: one agent starts 10:00
    assert sorted(start[-5:] for start in first.values()) == ["08:00", "08:00", "10:00"]
    assert all(set(m) == {"agent", "date", "from", "to", "value_change"} for m in moved)
    assert main(["check-roster", f"--roster={out}", *common]) == 0
