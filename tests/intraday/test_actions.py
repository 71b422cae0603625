"""Each kind of suggested action on a tiny day: it passes the independent checker once applied, changes only the
future, and raises the projected service level by what a full recomputation of the gap says (early leave: saves
paid time where the queue is over-staffed)."""

from __future__ import annotations

import pandas as pd
import pytest

from forecasting.intraday import IntradayWeights
from tests.intraday import scenario as sc
from wfm.csvio import read_table
from wfm.intraday.actions import Costs, actions_frame, apply_action
from wfm.intraday.gap import summary
from wfm.intraday.session import Reforecast, RosterContext, gap_and_actions, roster_text
from wfm.roster.checker import ROSTER_COLUMNS, check_roster, parse_roster

BUSY = {"q1": {"10:00-14:00": 6}, "q2": {"10:00-20:00": 5}}


def _refc(volumes: dict) -> Reforecast:
    """A reforecast holding exactly the given rest-of-day volumes."""
    rest = sc.rest_forecast(volumes)
    frame = rest.rename(columns={"volume": "reforecast"}).assign(
        actual=float("nan"), forecast=rest["volume"], aht_forecast=300.0, aht_actual=float("nan"), rest_of_day=True
    )
    return Reforecast(sc.UNTIL, frame, IntradayWeights.untrained(600), "given")


def _run(tmp_path, rows, volumes=BUSY, time_off="agent_id,date,start,end\n"):
    files = sc.write(tmp_path, rows, time_off)
    context = RosterContext.from_files(
        files["agents"], files["queues"], files["shifts"], files["rules"], files["time_off"]
    )
    roster = roster_text(read_table(files["roster"], ROSTER_COLUMNS), files["roster"])
    refc = _refc(volumes)
    return refc, roster, context, gap_and_actions(refc, roster, context, costs=Costs(hourly=20, overtime_premium=0.5))


def _day_roster() -> list[tuple]:
    return (
        sc.shift("b1", "08:00", "16:00", "q1", ("12:00", "12:30", "break", ""))
        + sc.shift(
            "b2", "08:00", "16:00", "q1", ("11:00", "12:00", "training", "coaching"), ("14:00", "14:30", "break", "")
        )
        + sc.shift("b3", "08:00", "16:00", "q2", ("09:00", "09:30", "break", ""))
        + sc.shift("m1", "12:00", "20:00", "q1", ("15:00", "15:30", "break", ""))
    )


def _violations(roster: pd.DataFrame, context: RosterContext) -> list:
    return check_roster(parse_roster(roster), context.agents, context.shifts, context.time_off, context.config)


@pytest.mark.parametrize(("kind", "agent"), [("move", "m1"), ("break", "b1"), ("training", "b2"), ("overtime", "b3")])
def test_each_action_passes_the_checker_and_raises_the_service_level(tmp_path, kind: str, agent: str) -> None:
    refc, roster, context, result = _run(tmp_path, _day_roster())
    assert _violations(roster, context) == []
    found = [a for a in result.actions if a.kind == kind and a.agent_id == agent]
    assert found, [a.summary() for a in result.actions]
    action = found[0]
    applied = apply_action(roster, action)
    assert _violations(applied, context) == []
    # nothing before the cut-off changes
    before = roster[pd.to_datetime(roster["start"]) < sc.UNTIL].sort_values(["agent_id", "start"], ignore_index=True)
    after = applied[pd.to_datetime(applied["start"]) < sc.UNTIL].sort_values(["agent_id", "start"], ignore_index=True)
    assert before.drop(columns="end").equals(after.drop(columns="end"))
    # the effect the action claims is what a full recomputation finds
    again = gap_and_actions(refc, applied, context, with_actions=False)
    sl_before, sl_after = summary(result.gap)["service_level"], summary(again.gap)["service_level"]
    assert sl_after > sl_before
    assert action.service_level_after == pytest.approx(sl_after, abs=1e-9)
    assert action.answered_in_target_change > 0


def test_moves_refuse_half_shifts_and_overtime_is_priced(tmp_path) -> None:
    result = _run(tmp_path, _day_roster())[3]
    move = next(a for a in result.actions if a.kind == "move")
    assert move.queue_from == "q1" and move.queue_to == "q2"
    assert move.queue_service_level_after > move.queue_service_level_before
    overtime = next(a for a in result.actions if a.kind == "overtime")
    assert overtime.paid_minutes_change == 120
    assert overtime.cost == pytest.approx(2 * 20 * 1.5)
    frame = actions_frame(result.actions)
    assert list(frame["action_id"]) == list(range(1, len(frame) + 1))
    assert (frame.loc[frame["kind"] != "early_leave", "answered_in_target_change"] > 0).all()


def test_early_leave_only_where_the_queue_stays_covered(tmp_path) -> None:
    rows = sc.shift("b3", "08:00", "18:00", "q2", ("09:00", "09:30", "break", ""))
    quiet = {"q1": {}, "q2": {"10:00-16:00": 5}}
    _refc, roster, context, result = _run(tmp_path, rows, volumes=quiet)
    leave = [a for a in result.actions if a.kind == "early_leave"]
    assert leave and leave[0].paid_minutes_change < 0 and leave[0].cost < 0
    applied = apply_action(roster, leave[0])
    assert _violations(applied, context) == []
    assert pd.to_datetime(applied["end"]).max() <= sc.DAY + pd.Timedelta(hours=16)
    assert leave[0].service_level_after == pytest.approx(leave[0].service_level_before)
    # busy after 16:00: leaving early would leave the queue short, so it is not offered
    busy = {"q1": {}, "q2": {"10:00-18:00": 5}}
    result = _run(tmp_path, rows, volumes=busy)[3]
    assert not [a for a in result.actions if a.kind == "early_leave"]
