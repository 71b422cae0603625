"""Chat concurrency and email backlog models: laws and hand-checked cases."""

from __future__ import annotations

from datetime import time

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from wfm.staffing import (
    ServiceTargets,
    chat_metrics,
    erlang_c_metrics,
    required_agents_chat,
    required_agents_email,
)
from wfm.staffing.email import email_requirement, fifo_service_level


@settings(max_examples=50, deadline=None)
@given(traffic=st.floats(0.1, 60), spare=st.integers(-3, 12), aht=st.floats(30, 900), t=st.floats(0, 90))
def test_chat_with_concurrency_one_and_flat_aht_is_erlang_c(traffic: float, spare: int, aht: float, t: float) -> None:
    n = max(1, int(np.floor(traffic)) + spare)
    chat = chat_metrics(n, traffic / aht, aht, [1.0], t)
    c = erlang_c_metrics(n, traffic, aht, t)
    assert float(chat.p_wait[0]) == pytest.approx(float(c.p_wait), abs=1e-9)
    assert float(chat.service_level[0]) == pytest.approx(float(c.service_level), abs=1e-9)
    assert float(chat.occupancy[0]) == pytest.approx(float(c.occupancy), abs=1e-9)


def test_required_chat_with_k1_equals_erlang_c_requirement() -> None:
    targets = ServiceTargets(0.8, 30, max_occupancy=0.85)
    volume = np.array([0.0, 10, 100, 300, 900])
    from wfm.staffing import required_agents_erlang_c

    chat = required_agents_chat(volume, 1800, 300, [1.0], targets)
    erlang = required_agents_erlang_c(volume, 1800, 300, targets)
    assert chat.agents.tolist() == erlang.agents.tolist()


def test_concurrency_needs_fewer_agents_than_one_chat_at_a_time() -> None:
    targets = ServiceTargets(0.8, 30, max_occupancy=0.85)
    single = required_agents_chat(200, 1800, 400, [1.0], targets).agents[0]
    three = required_agents_chat(200, 1800, 400, [1.0, 1.25, 1.6], targets).agents[0]
    # three chats at once are worth 3/1.6 = 1.9 single chats: fewer agents, but not a division by 3
    assert single / 3 < three < single


def test_chat_requirement_is_minimal() -> None:
    targets = ServiceTargets(0.8, 30)
    factors = [1.0, 1.3, 1.7]
    volume = np.array([5.0, 40, 120, 400])
    r = required_agents_chat(volume, 900, 360, factors, targets)
    below = chat_metrics(r.agents - 1, volume / 900, 360, factors, 30)
    assert (r.metrics.service_level >= 0.8).all()
    assert (below.service_level < 0.8).all()


@settings(max_examples=30, deadline=None)
@given(rate=st.floats(0.001, 0.3), aht=st.floats(60, 900), extra=st.integers(0, 10))
def test_chat_service_level_rises_with_agents(rate: float, aht: float, extra: int) -> None:
    n = np.arange(1, 40 + extra)
    m = chat_metrics(n, rate, aht, [1.0, 1.2, 1.5], 30)
    assert np.all(np.diff(m.service_level) >= -1e-12)
    assert np.all((m.p_wait >= 0) & (m.p_wait <= 1))


def test_email_spread_conserves_work_and_meets_the_deadline() -> None:
    volume = np.array([0, 0, 40, 80, 120, 60, 0, 0, 0, 0, 0, 0], dtype=float)
    r = required_agents_email(volume, 1800, 300, 7200, ServiceTargets(0.96, 0, max_occupancy=0.85))
    assert (r.metrics.service_level[volume > 0] >= 0.96).all()
    capacity = r.agents * 1800 * 0.85
    assert capacity.sum() >= (volume * 300).sum()


def test_email_backlog_at_opening_is_spread_not_dumped() -> None:
    # 4 closed hours of 30 items each, then open hours without arrivals: the backlog (7200 s of work, due at the
    # opening + 2 h) is worked over the 4 half-hours of the window, 1 agent each, not 4 agents in the first one
    volume = np.array([30.0, 30, 30, 30, 0, 0, 0, 0, 0, 0])
    is_open = np.array([False] * 4 + [True] * 6)
    r = required_agents_email(volume, 1800, 60, 7200, ServiceTargets(0.96, 0, max_occupancy=1.0), is_open)
    assert r.agents.tolist() == [0, 0, 0, 0, 1, 1, 1, 1, 0, 0]
    assert (r.metrics.service_level == 1.0).all()


def test_fifo_service_level_flags_late_work() -> None:
    work = np.array([3600.0, 0, 0, 0])
    on_time, _ = fifo_service_level(work, np.array([0.0, 0, 0, 3600]), 1800, 3600)
    late, _ = fifo_service_level(work, np.array([3600.0, 0, 0, 0]), 1800, 3600)
    assert on_time[0] < 0.5  # most of it is finished after three intervals
    assert late[0] == pytest.approx(1.0)


def test_email_requirement_rounds_once_after_shrinkage() -> None:
    # 36 items × 60 s per half-hour, window one interval, no occupancy cap: 1.2 net agents of work each interval;
    # scheduled = ⌈1.2 / 0.7⌉ = 2 (rounding net first would ask ⌈2 / 0.7⌉ = 3), and 2 × 0.7 agents finish it all
    targets = ServiceTargets(0.9, 0, max_occupancy=1.0)
    scheduled, net, metrics = email_requirement(np.full(4, 36.0), 1800, 60, 1800, targets, shrinkage=0.3)
    assert scheduled.tolist() == [2, 2, 2, 2]
    assert net.tolist() == [1, 1, 1, 1]
    assert (metrics.service_level == 1.0).all()


def test_projected_email_counts_the_window_from_the_opening() -> None:
    # 4 emails (360 s each) arrive at 02:00 while the queue is closed (08:00–24:00, 2 h window): they are due at
    # 10:00; 2 agents from 08:00 (1.4 after shrinkage, 0.85 occupancy) finish them by 08:30, so all are on time
    from wfm.staffing.queues import QueueSettings
    from wfm.staffing.requirements import projected_service

    settings = QueueSettings(
        "mail", "email", 15, ServiceTargets(0.96, 7200, max_occupancy=0.85), shrinkage=0.3, response_hours=2.0,
        open_time=time(8), close_time=time(0),
    )  # fmt: skip
    stamps = pd.date_range("2026-11-02", periods=96, freq="15min")
    volume = np.where(stamps.hour == 2, 1.0, 0.0)
    requirements = pd.DataFrame(
        {"queue": "mail", "interval_start": stamps, "volume": volume, "aht_seconds": 360.0, "required_agents": 0,
         "model": "email"}
    )  # fmt: skip
    scheduled = pd.DataFrame(
        {"queue": "mail", "interval_start": stamps, "scheduled_agents": np.where(stamps.hour.isin([8, 9]), 2, 0)}
    )
    out = projected_service(requirements, scheduled, {"mail": settings})
    assert out.loc[volume > 0, "service_level"].tolist() == [1.0, 1.0, 1.0, 1.0]
    late = projected_service(requirements, scheduled.assign(scheduled_agents=0), {"mail": settings})
    assert (late.loc[volume > 0, "service_level"] == 0).all()
