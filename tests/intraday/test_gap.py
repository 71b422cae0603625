"""The rest-of-day gap counts agents on breaks, lunch, training and approved time off as absent, and projects the
service level and (Erlang A) abandonment at the agents left on the phones."""

from __future__ import annotations

import numpy as np
import pytest

from tests.intraday import scenario as sc
from wfm.csvio import read_table
from wfm.intraday.gap import rest_of_day_gap, summary
from wfm.intraday.session import RosterContext, roster_text
from wfm.roster.checker import ROSTER_COLUMNS, parse_roster
from wfm.staffing.queues import read_queues
from wfm.staffing.requirements import metrics_at_agents


def _gap(tmp_path, rows, time_off="agent_id,date,start,end\n", volumes=None):
    files = sc.write(tmp_path, rows, time_off)
    context = RosterContext.from_files(
        files["agents"], files["queues"], files["shifts"], files["rules"], files["time_off"]
    )
    roster = parse_roster(roster_text(read_table(files["roster"], ROSTER_COLUMNS)))
    rest = sc.rest_forecast(volumes or {"q1": {"10:00-20:00": 6}})
    return rest_of_day_gap(rest, context.queues, roster, context.time_off), context


def test_absent_on_break_training_lunch_and_time_off(tmp_path) -> None:
    rows = (
        sc.shift("b1", "08:00", "16:00", "q1", ("12:00", "12:30", "break", ""))
        + sc.shift("b2", "08:00", "16:00", "q1", ("11:00", "12:00", "training", "coaching"))
        + sc.shift("x1", "08:00", "16:00", "q1")
    )
    gap, _ = _gap(tmp_path, rows, time_off=f"agent_id,date,start,end\nx1,{sc.DAY:%Y-%m-%d},13:00,15:00\n")
    on = gap.set_index(gap["interval_start"].dt.strftime("%H:%M"))["scheduled_agents"]
    assert on["10:00"] == 3 and on["10:30"] == 3
    assert on["11:00"] == 2 and on["11:30"] == 2  # b2 in training
    assert on["12:00"] == 2  # b1 on break
    assert on["12:30"] == 3
    assert on["13:00"] == 2 and on["14:30"] == 2  # x1's approved time off
    assert on["15:00"] == 3 and on["15:30"] == 3
    assert on["16:00"] == 0 and on["19:30"] == 0
    assert (gap["gap"] == gap["scheduled_agents"] - gap["required_agents"]).all()
    assert gap["interval_start"].min() == sc.UNTIL  # only the rest of the day


def test_a_pause_over_part_of_an_interval_counts_as_a_fraction(tmp_path) -> None:
    rows = sc.shift("b1", "08:00", "16:00", "q1", ("12:00", "12:30", "break", ""))
    files = sc.write(tmp_path, rows)
    context = RosterContext.from_files(files["agents"], files["queues"], files["shifts"], files["rules"])
    roster = parse_roster(roster_text(read_table(files["roster"], ROSTER_COLUMNS)))
    hourly = sc.rest_forecast({"q1": {"10:00-20:00": 6}})
    hourly = hourly[hourly["interval_start"].dt.minute == 0]
    queues = {"q1": context.queues["q1"].__class__(**{**context.queues["q1"].__dict__, "interval_minutes": 60})}
    gap = rest_of_day_gap(hourly, queues, roster)
    noon = gap[gap["interval_start"].dt.hour == 12].iloc[0]
    assert noon["on_phones"] == pytest.approx(0.5) and noon["scheduled_agents"] == 0


def test_projected_service_level_and_erlang_a_abandonment(tmp_path) -> None:
    rows = sc.shift("b1", "08:00", "16:00", "q1") + sc.shift("x1", "08:00", "16:00", "q1")
    (tmp_path / "q").mkdir()
    gap, _context = _gap(tmp_path, rows)
    queues = read_queues(tmp_path / "queues.csv")
    expected = metrics_at_agents(
        queues["q1"], np.full(len(gap), 6.0), np.full(len(gap), 300.0), gap["scheduled_agents"]
    )
    assert gap["service_level"].to_numpy() == pytest.approx(expected.service_level)
    # an Erlang A queue reports abandonment, more of it with fewer agents
    (tmp_path / "queues.csv").write_text(
        sc.QUEUES.replace("shrinkage,min_agents", "shrinkage,min_agents,patience_seconds").replace(
            ",0,0\n", ",0,0,120\n"
        ),
        encoding="utf-8",
    )
    patient = read_queues(tmp_path / "queues.csv")
    roster = parse_roster(roster_text(read_table(tmp_path / "roster.csv", ROSTER_COLUMNS)))
    rest = sc.rest_forecast({"q1": {"10:00-20:00": 6}})
    gap_a = rest_of_day_gap(rest, patient, roster)
    staffed = gap_a[gap_a["scheduled_agents"] == 2]["p_abandon"]
    empty = gap_a[gap_a["scheduled_agents"] == 0]["p_abandon"]
    assert (staffed > 0).all() and (empty > staffed.max()).all()
    totals = summary(gap_a)
    assert totals["abandoned"] == pytest.approx(float((gap_a["volume"] * gap_a["p_abandon"]).sum()))
    assert totals["short"] == float((-gap_a["gap"]).clip(lower=0).sum())
