"""Training: training.csv reading (errors name row and column), sessions placed in the shifts at low demand, not-met
reasons, groups together, the checker's training checks, and the `wfm roster --training` error path."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from wfm.cli import main
from wfm.errors import InputError
from wfm.roster.activities import place_activities
from wfm.roster.checker import check_roster, parse_roster
from wfm.roster.domain import Agent, Assignment, Config, Instance, RuleSettings, ShiftTemplate
from wfm.roster.outputs import roster_frame
from wfm.roster.training import TrainingRequirement, read_training

MONDAY = date(2026, 11, 2)
STEP = 15
DAY = ShiftTemplate("D0900", 9 * 60, 480)  # 09:00–17:00, no lunch, no breaks
AGENTS = (
    Agent("A1", "One", ("chat",), team="t1", new_hire=True),
    Agent("A2", "Two", ("chat",), team="t1"),
    Agent("A3", "Three", ("phone",), team="t2"),
)
CONFIG = Config(RuleSettings(interval_minutes=STEP))
HEADER = "requirement,group,members,per,sessions,session_minutes,first_weeks,days,earliest,latest,capacity,together\n"


def instance(days: int = 7, required: np.ndarray | None = None) -> Instance:
    """Three agents, queues chat and phone, 15-minute grid."""
    grid = np.zeros((2, days * 96), dtype=np.int64) if required is None else required
    return Instance(AGENTS, (DAY,), (), ("chat", "phone"), MONDAY, days, STEP, grid)


def work(agent: int, days: range | list[int]) -> list[Assignment]:
    """The agent on the day shift on its first skill's queue."""
    return [Assignment(agent, d, 0, 0 if agent < 2 else 1) for d in days]


def requirement(**kwargs: object) -> TrainingRequirement:
    """A 2-hour session per week for everyone, 09:00–17:00, unless given."""
    values = {"name": "skills", "group": "everyone", "members": (), "per": "week", "sessions": 1}
    values |= {"session_minutes": 120, "earliest_minute": 9 * 60, "latest_minute": 17 * 60}
    return TrainingRequirement(**(values | kwargs))  # type: ignore[arg-type]


def test_reader_reads_every_column(tmp_path: Path) -> None:
    path = tmp_path / "training.csv"
    path.write_text(HEADER + "onboarding,new_hire,,day,1,120,4,Mon;Tue,09:00,18:00,8,no\n", encoding="utf-8")
    (r,) = read_training(path, AGENTS, STEP)
    assert (r.group, r.per, r.session_minutes, r.first_weeks, r.capacity) == ("new_hire", "day", 120, 4, 8)
    assert r.weekdays == frozenset({0, 1}) and (r.earliest_minute, r.latest_minute) == (540, 1080)
    assert r.slot_starts()[:3] == [540, 660, 780]


@pytest.mark.parametrize(
    ("row", "column"),
    [
        ("x,crowd,,week,1,60,,,,,,", "group"),
        ("x,agents,A9,week,1,60,,,,,,", "members"),
        ("x,everyone,,month,1,60,,,,,,", "per"),
        ("x,everyone,,week,1,50,,,,,,", "session_minutes"),
        ("x,everyone,,week,1,120,,,09:00,10:00,,", "latest"),
        ("x,everyone,,week,1,60,,Mon;Xyz,,,,", "days"),
        ("x,everyone,,week,1,60,,,,,,maybe", "together"),
    ],
)
def test_reader_errors_name_row_and_column(tmp_path: Path, row: str, column: str) -> None:
    path = tmp_path / "training.csv"
    path.write_text(HEADER + "ok,everyone,,week,1,60,,,,,,\n" + row + "\n", encoding="utf-8")
    with pytest.raises(InputError) as caught:
        read_training(path, AGENTS, STEP)
    assert (caught.value.row, caught.value.column) == (3, column)


def test_new_hire_trains_every_working_day_at_the_lowest_demand() -> None:
    required = np.ones((2, 7 * 96), dtype=np.int64)
    for d in range(7):
        required[0, d * 96 + 52 : d * 96 + 60] = 0  # chat needs nobody 13:00–15:00
    inst = instance(required=required)
    shifts = work(0, range(5)) + work(1, range(5))
    onboarding = requirement(name="onboarding", group="new_hire", per="day", first_weeks=4, slot_step_minutes=15)
    plan = place_activities(inst, CONFIG, shifts, (onboarding,), time_limit_seconds=2)
    (report,) = plan.training["requirements"]
    assert (report["sessions_required"], report["sessions_delivered"], report["not_met"]) == (5, 5, [])
    sessions = [a for (agent, _d), acts in plan.by_cell.items() for a in acts if a.activity == "training"]
    assert len(sessions) == 5 and all(a.offset_minutes == 4 * 60 for a in sessions)
    assert (plan.scheduled[0, 52:60] == 1).all()  # A2 still works; the trainee counts as absent
    assert plan.training["delivered_hours"] == 10


def test_not_met_reasons_days_and_capacity() -> None:
    inst = instance()
    shifts = work(0, [0]) + work(1, [0]) + work(2, range(3))
    twice = requirement(sessions=2, capacity=1, earliest_minute=9 * 60, latest_minute=11 * 60)
    plan = place_activities(inst, CONFIG, shifts, (twice,), time_limit_seconds=2)
    reasons = {(m["agent_id"], m["reason"]) for m in plan.training["requirements"][0]["not_met"]}
    assert ("A1", "agent A1 works only 1 day(s) in week 1") in reasons
    assert ("A2", "agent A2 works only 1 day(s) in week 1") in reasons
    assert any(a in ("A1", "A2") and r == "capacity 1 reached in every allowed slot" for a, r in reasons)
    delivered = plan.training["requirements"][0]["sessions_delivered"]
    assert delivered == 3  # A3 twice, one of A1 / A2 once


def test_a_group_trains_together() -> None:
    inst = instance()
    shifts = work(0, range(5)) + work(1, range(2, 5))
    team = requirement(group="team", members=("t1",), per="horizon", together=True)
    plan = place_activities(inst, CONFIG, shifts, (team,), time_limit_seconds=2)
    placed = [(d, a.offset_minutes) for (_agent, d), acts in plan.by_cell.items() for a in acts]
    assert len(placed) == 2 and placed[0] == placed[1] and placed[0][0] >= 2


def checked(frame: pd.DataFrame, training: tuple[TrainingRequirement, ...]) -> list[str]:
    """Rule names the checker reports."""
    return [v.rule for v in check_roster(parse_roster(frame), AGENTS, (DAY,), (), CONFIG, training=training)]


def test_checker_training_window_capacity_and_inside_shift() -> None:
    inst = instance(days=1)
    shifts = work(0, [0]) + work(1, [0])
    skills = requirement(capacity=2)
    plan = place_activities(inst, CONFIG, shifts, (skills,), time_limit_seconds=2)
    frame = roster_frame(inst, shifts, plan)
    assert checked(frame, (skills,)) == []
    assert checked(frame, (requirement(capacity=1),)) == ["training_capacity"] * (
        frame.query("activity == 'training'")["start"].nunique() == 1
    )
    assert checked(frame, (requirement(capacity=2, earliest_minute=15 * 60),)) == ["training_window"] * 2
    assert "training_requirement" in checked(frame, (requirement(name="other"),))
    alone = frame[~((frame["agent_id"] == "A1") & (frame["activity"] == "work"))]
    assert "training_inside_shift" in checked(alone, ())


def test_cli_bad_training_file_exits_2_and_writes_nothing(tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    (tmp_path / "agents.csv").write_text("agent_id,name,skills\nA1,One,chat\n", encoding="utf-8")
    (tmp_path / "shifts.csv").write_text("shift,start,length_minutes\nD,09:00,480\n", encoding="utf-8")
    (tmp_path / "req.csv").write_text(
        "queue,interval_start,required_agents\nchat,2026-11-02 09:00,1\n", encoding="utf-8"
    )
    (tmp_path / "training.csv").write_text(HEADER + "x,everyone,,weekly,1,60,,,,,,\n", encoding="utf-8")
    out = tmp_path / "roster.csv"
    code = main(
        ["roster", "--requirements", str(tmp_path / "req.csv"), "--agents", str(tmp_path / "agents.csv"),
         "--shifts", str(tmp_path / "shifts.csv"), "--training", str(tmp_path / "training.csv"),
         "--start", "2026-11-02", "--days", "1", "--time-limit", "5", "--out", str(out)]
    )  # fmt: skip
    assert code == 2 and not out.exists()
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "training.csv" in err[0] and "row 2" in err[0] and '"per"' in err[0]
