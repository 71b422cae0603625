"""Why a queue projects a low service level: each limit on a tiny hand-made roster, with the exact hours."""

from __future__ import annotations

from datetime import time

import numpy as np
import pandas as pd
import pytest

from tests.roster.roster_fixtures import DAY, agent, config, instance
from wfm.roster.checker import check_roster, parse_roster
from wfm.roster.domain import Assignment
from wfm.roster.outputs import roster_frame
from wfm.roster.service_limits import service_limits
from wfm.staffing.queues import QueueSettings
from wfm.staffing.targets import ServiceTargets

QUEUES = ("phone", "email")


def _settings(open_hour: int | None = None, close_hour: int | None = None) -> dict[str, QueueSettings]:
    hours = {}
    if open_hour is not None:
        hours = {"open_time": time(open_hour), "close_time": time(close_hour)}
    return {
        "phone": QueueSettings("phone", "voice", 60, ServiceTargets(0.8, 20)),
        "email": QueueSettings(
            "email", "email", 60, ServiceTargets(0.9, 3600, max_occupancy=1.0), response_hours=1.0, **hours
        ),
    }


def _case(demand, assignments, days=1, max_hours=70.0, email_volume=None, sl=0.5):
    agents = (
        agent("A1", ("phone",), max_hours_week=max_hours),
        agent("A2", ("phone", "email"), max_hours_week=max_hours),
    )
    inst = instance(agents, (DAY,), days=days, queues=QUEUES, demand=demand)
    frame = roster_frame(inst, [Assignment(a, d, 0, q) for a, d, q in assignments])
    checked = check_roster(
        parse_roster(frame), inst.agents, inst.shifts, inst.time_off, config(), first_day=inst.start, n_days=days
    )
    assert checked == []  # every roster of these cases through the independent checker
    scheduled = np.zeros_like(inst.required)
    for _agent, d, q in assignments:
        scheduled[q, d * 24 + 9 : d * 24 + 17] += 1
    stamps = pd.date_range(pd.Timestamp(inst.start), periods=inst.n_intervals, freq="60min")
    rows = []
    for q, name in enumerate(QUEUES):
        volume = np.where(inst.required[q] > 0, 10.0, 0.0)
        if name == "email" and email_volume is not None:
            volume = email_volume
        rows.append(
            pd.DataFrame(
                {
                    "queue": name,
                    "interval_start": stamps,
                    "volume": volume,
                    "aht_seconds": 360.0,
                    "required_agents": inst.required[q],
                    "scheduled_agents": scheduled[q],
                    "service_level": np.where(volume > 0, sl if name == "email" else 0.95, 1.0),
                }
            )
        )
    return inst, frame, pd.concat(rows, ignore_index=True)


def _limits(row) -> dict[str, float]:
    return {x["code"]: x["hours"] for x in row["limits"]}


def test_no_shift_hours_and_skilled_agents_on_an_over_covered_queue() -> None:
    # email needs 1 agent 09–19; both agents work phone 09–17, which needs 1: A2 (who holds email) sat on phone's
    # surplus for 8 h, and 17–19 no shift covers (the only template is 09–17)
    inst, frame, projection = _case({("phone", 0, 9, 17): 1, ("email", 0, 9, 19): 1}, [(0, 0, 0), (1, 0, 0)])
    limits = service_limits(inst, frame, projection, _settings())
    assert limits["queue"].tolist() == ["email"]
    row = limits.iloc[0]
    assert row["short_hours"] == 10 and row["required_hours"] == 10 and row["scheduled_hours"] == 0
    assert _limits(row) == {"surplus_elsewhere": 8.0, "no_shift": 2.0}
    assert row["main_limit"] == "surplus_elsewhere"


def test_skilled_agents_on_other_queues_that_need_them() -> None:
    # phone needs both agents: A2 on phone is no surplus; the centre has 20 contract hours for 26 required → with
    # 70-hour contracts (2 × 70 / 7 = 20 h a day) it is short, with 100-hour ones (28.6 h) it is not
    demand = {("phone", 0, 9, 17): 2, ("email", 0, 9, 19): 1}
    inst, frame, projection = _case(demand, [(0, 0, 0), (1, 0, 0)], max_hours=100.0)
    row = service_limits(inst, frame, projection, _settings()).iloc[0]
    assert _limits(row) == {"other_queues": 8.0, "no_shift": 2.0}
    inst, frame, projection = _case(demand, [(0, 0, 0), (1, 0, 0)], max_hours=70.0)
    row = service_limits(inst, frame, projection, _settings()).iloc[0]
    assert _limits(row) == {"staff_hours": 8.0, "no_shift": 2.0}
    assert "26 h required in the horizon, contracts allow 20 h" in row["explanation"]


def test_fewer_skilled_agents_than_required_is_the_skill_pool() -> None:
    # email needs 2 agents 09–17, only A2 holds the skill and works it: 1 agent short for 8 h, all skill pool
    inst, frame, projection = _case({("phone", 0, 9, 17): 1, ("email", 0, 9, 17): 2}, [(0, 0, 0), (1, 0, 1)])
    row = service_limits(inst, frame, projection, _settings()).iloc[0]
    assert _limits(row) == {"skill_pool": 8.0}


def test_a_skilled_agent_off_with_hours_to_spare_is_not_on_shift() -> None:
    inst, frame, projection = _case({("phone", 0, 9, 17): 1, ("email", 0, 9, 17): 1}, [(0, 0, 0)])
    row = service_limits(inst, frame, projection, _settings()).iloc[0]
    assert _limits(row) == {"not_on_shift": 8.0}


def test_email_work_arriving_while_closed_and_overdue_backlog_carried_over() -> None:
    # email open 09–19; day 0: 10 items × 360 s arrive at 10:00 and nobody works email (phone only) → at the next
    # opening 1 h of overdue work is carried; day 1: 10 items arrive at 07:00, while closed (1 h of work)
    volume = np.zeros(48)
    volume[10] = 10.0
    volume[24 + 7] = 10.0
    inst, frame, projection = _case(
        {("phone", 0, 9, 17): 1, ("phone", 1, 9, 17): 1},
        [(0, 0, 0), (1, 0, 0), (0, 1, 0), (1, 1, 0)],
        days=2,
        email_volume=volume,
    )
    limits = service_limits(inst, frame, projection, _settings(9, 19)).set_index("date")
    assert _limits(limits.loc["2026-11-02"]) == {}
    assert limits.loc["2026-11-02", "main_limit"] == ""
    assert _limits(limits.loc["2026-11-03"]) == pytest.approx({"carried_backlog": 1.0, "closed_arrivals": 1.0})


def test_queues_at_target_are_not_listed() -> None:
    inst, frame, projection = _case({("phone", 0, 9, 17): 1, ("email", 0, 9, 17): 1}, [(0, 0, 0)], sl=0.95)
    assert service_limits(inst, frame, projection, _settings()).empty
