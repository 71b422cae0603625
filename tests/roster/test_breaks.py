"""Breaks and lunches: rules.toml tables, pause patterns, placement at the queue's surplus under the cap, and the
independent checker's new checks (each caught on a crafted roster, a correct roster passing)."""

from __future__ import annotations

from datetime import date
from itertools import pairwise
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from wfm.errors import InputError
from wfm.roster.activities import place_activities
from wfm.roster.break_rules import BreakCap, BreakRule, BreakSettings
from wfm.roster.breaks import pause_plans
from wfm.roster.checker import check_roster, parse_roster
from wfm.roster.domain import Agent, Assignment, Config, Instance, RuleSettings, ShiftTemplate
from wfm.roster.inputs import read_rules
from wfm.roster.outputs import roster_frame

MONDAY = date(2026, 11, 2)
STEP = 15
FULL = ShiftTemplate("F0800", 8 * 60, 540, lunch_minutes=60, breaks_minutes=(15, 15))
LONG = BreakRule("long", 7, 12, 30, 60, 3, 5, breaks=2, break_minutes=15, min_gap_hours=1.5)
SETTINGS = BreakSettings((LONG,), BreakCap(default=0.0, min_agents=1))


def config(settings: BreakSettings = SETTINGS) -> Config:
    """15-minute grid rules with the given break settings."""
    return Config(RuleSettings(interval_minutes=STEP), breaks=settings)


def instance(n_agents: int, required: np.ndarray | None = None) -> Instance:
    """One day, one queue, agents A1.. on the 08:00 full shift."""
    agents = tuple(Agent(f"A{i + 1}", f"Agent {i + 1}", ("chat",)) for i in range(n_agents))
    grid = np.zeros((1, 96), dtype=np.int64) if required is None else required
    return Instance(agents, (FULL,), (), ("chat",), MONDAY, 1, STEP, grid)


def everyone_works(inst: Instance) -> list[Assignment]:
    """Every agent on the only shift on day 0."""
    return [Assignment(a, 0, 0, 0) for a in range(len(inst.agents))]


def violations(inst: Instance, frame: pd.DataFrame, cfg: Config) -> list[str]:
    """Rule names the checker reports."""
    return [v.rule for v in check_roster(parse_roster(frame), inst.agents, inst.shifts, (), cfg)]


def test_rules_toml_tables_and_array_are_read(tmp_path: Path) -> None:
    path = tmp_path / "rules.toml"
    path.write_text(
        "[rules]\ninterval_minutes = 15\n[breaks_long]\nmin_shift_hours = 7\nmax_shift_hours = 12\nbreaks = 2\n"
        "[[breaks]]\nmax_shift_hours = 7\nbreaks = 1\n[break_cap]\ndefault = 0.2\nmin_agents = 2\nphone = 0.1\n",
        encoding="utf-8",
    )
    settings = read_rules(path).breaks
    assert sorted(r.breaks for r in settings.rules) == [1, 2]
    assert settings.cap == BreakCap(0.2, 2, (("phone", 0.1),))
    assert settings.cap.share("phone") == 0.1 and settings.cap.share("chat") == 0.2
    assert not read_rules(None).breaks.configured


@pytest.mark.parametrize(
    ("text", "column"),
    [
        ("[breaks_a]\nmax_shift_hours = 8\n[breaks_b]\nmin_shift_hours = 6\n", "min_shift_hours"),
        ("[breaks_a]\nlunch_minutes = 30\n", "lunch_minutes"),
        ("[break_cap]\nchat = 2\n", "chat"),
        ("[breaks_a]\nbreaks = 1.5\n", "breaks"),
    ],
)
def test_bad_break_tables_are_input_errors(tmp_path: Path, text: str, column: str) -> None:
    path = tmp_path / "rules.toml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(InputError) as caught:
        read_rules(path)
    assert caught.value.column == column and caught.value.file == str(path)


def test_every_pattern_keeps_the_windows_and_gaps() -> None:
    plans = pause_plans(FULL, SETTINGS, STEP)
    assert len(plans.pauses) > 10
    for pattern in plans.pauses:
        kinds = sorted(kind for _s, _u, kind in pattern)
        assert kinds == ["break", "break", "lunch"]
        ordered = sorted(pattern)
        for (s1, u1, _), (s2, _u2, _) in pairwise(ordered):
            assert s2 - (s1 + u1) >= 6  # 1.5 h
        lunch = next(s for s, _u, kind in pattern if kind == "lunch")
        assert 12 <= lunch <= 20  # 3–5 h after the start
        assert min(s for s, _u, _k in pattern) >= 4 and max(s + u for s, u, _k in pattern) <= 36 - 4


def test_a_shift_whose_pauses_cannot_fit_is_an_input_error() -> None:
    tight = BreakSettings((BreakRule("tight", 0, 24, breaks=3, min_gap_hours=4),))
    with pytest.raises(InputError, match="do not fit"):
        pause_plans(FULL, tight, STEP)


def test_pauses_go_where_the_surplus_is_largest() -> None:
    required = np.zeros((1, 96), dtype=np.int64)
    required[0, 32:68] = 1  # one agent needed all shift long...
    required[0, 44:48] = 0  # ...except 11:00–12:00: the lunch goes there
    required[0, 37] = 0  # 09:15: a break (1.5 h before the lunch)
    required[0, 58] = 0  # 14:30: the other break
    inst = instance(1, required)
    plan = place_activities(inst, config(), everyone_works(inst), time_limit_seconds=2)
    placed = {(a.activity, a.offset_minutes) for a in plan.by_cell[(0, 0)]}
    assert placed == {("lunch", 180), ("break", 75), ("break", 390)}
    assert int(plan.scheduled.sum()) == 36 - 6
    assert np.clip(required - plan.scheduled, 0, None).sum() == 0


def test_the_cap_holds_and_the_checker_agrees() -> None:
    inst = instance(3)  # three agents, at most one pausing at a time (share 0, at least 1)
    cfg = config()
    plan = place_activities(inst, cfg, everyone_works(inst), time_limit_seconds=3)
    assert plan.breaks["cap_violations"] == 0 and plan.breaks["lunches_placed"] == 3
    frame = roster_frame(inst, everyone_works(inst), plan)
    pauses = frame[frame["activity"].isin(["break", "lunch"])]
    moments = [t for r in pauses.itertuples() for t in pd.date_range(r.start, r.end, freq="15min", inclusive="left")]
    assert len(moments) == len(set(moments))
    assert violations(inst, frame, cfg) == []


def test_without_break_settings_old_rosters_still_pass() -> None:
    inst = instance(2)
    frame = roster_frame(inst, everyone_works(inst))  # lunch in the middle, no break rows
    assert violations(inst, frame, Config(RuleSettings(interval_minutes=STEP))) == []
    assert "break_rule" in violations(inst, frame, config())


GOOD = ((90, 15, "break"), (225, 60, "lunch"), (405, 15, "break"))  # minutes after 08:00


def day_rows(pauses=GOOD, agent: str = "A1") -> pd.DataFrame:
    """Export rows of one agent's 08:00–17:00 shift with the given pauses (offset minutes, length, kind)."""
    begin = pd.Timestamp(MONDAY) + pd.Timedelta(hours=8)
    rows, cursor = [], 0
    for offset, minutes, kind in sorted(pauses):
        rows += [(cursor, offset, "work", "chat")] if offset > cursor else []
        rows.append((offset, offset + minutes, kind, ""))
        cursor = offset + minutes
    rows.append((cursor, 540, "work", "chat"))
    return pd.DataFrame(
        [
            [agent, agent, str(MONDAY), f"{begin + pd.Timedelta(minutes=a):%Y-%m-%d %H:%M}",
             f"{begin + pd.Timedelta(minutes=b):%Y-%m-%d %H:%M}", kind, queue]
            for a, b, kind, queue in rows
        ],
        columns=["agent_id", "name", "date", "start", "end", "activity", "queue"],
    )  # fmt: skip


def test_check_break_rule() -> None:
    inst = instance(1)
    assert violations(inst, day_rows(), config()) == []
    late_lunch = ((90, 15, "break"), (315, 60, "lunch"), (480, 15, "break"))  # 5 h 15 in; last break too late
    assert violations(inst, day_rows(late_lunch), config()) == ["break_rule", "break_rule"]
    one_break = ((90, 15, "break"), (225, 60, "lunch"))
    assert violations(inst, day_rows(one_break), config()) == ["break_rule"]


def test_check_break_gap() -> None:
    inst = instance(1)
    close = ((120, 15, "break"), (195, 60, "lunch"), (405, 15, "break"))  # 1 h between the break and the lunch
    assert violations(inst, day_rows(close), config()) == ["break_gap"]


def test_check_break_cap() -> None:
    inst = instance(2)
    apart = pd.concat(
        [day_rows(agent="A1"), day_rows(((75, 15, "break"), (285, 60, "lunch"), (435, 15, "break")), "A2")]
    )
    assert violations(inst, apart, config()) == []
    together = pd.concat([day_rows(agent="A1"), day_rows(agent="A2")])
    assert violations(inst, together, config()) == ["break_cap"] * 1
    relaxed = config(BreakSettings((LONG,), BreakCap(default=1.0, min_agents=2)))
    assert violations(inst, together, relaxed) == []
