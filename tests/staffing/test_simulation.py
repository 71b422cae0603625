"""Erlang C, Erlang A and the chat model against seeded discrete-event simulations (99 % confidence bounds).

Each check runs independent replications (ciw for M/M/n and M/M/n+M, a hand-written event simulation for chat
agents holding several conversations), and asserts the exact figure lies in the Student-t interval of the
replication means; it also asserts the interval is narrow, so a wrong model would be caught.
"""

from __future__ import annotations

import math

import numpy as np
import pytest

from tests.staffing.simulate import Estimate, replicate, simulate_chat, simulate_erlang_a
from wfm.staffing import chat_metrics, erlang_a_metrics, erlang_c_metrics

CONFIDENCE = 0.99


def _value(metrics: object, name: str) -> float:
    """A scalar metric out of a QueueMetrics (scalar or 1-element arrays)."""
    return float(np.ravel(getattr(metrics, name))[0])


def _assert_covers(estimates: dict[str, Estimate], metrics: object, names: tuple[str, ...], widths: dict) -> None:
    """Every named exact metric inside its interval, and every interval no wider than asked."""
    for name in names:
        exact, est = _value(metrics, name), estimates[name]
        assert est.half_width <= widths[name], f"{name}: interval ±{est.half_width:.4f} too wide to test anything"
        assert est.covers(exact), f"{name}: exact {exact:.4f}, simulated {est.mean:.4f} ± {est.half_width:.4f}"


ERLANG_A_CASES = [
    # agents, traffic (Erlangs), AHT s, mean patience s, answer s: a busy queue, and one with fewer agents than traffic
    pytest.param((10, 9.5, 180.0, 120.0, 20.0), id="n10-A9.5-patience120"),
    pytest.param((8, 10.0, 180.0, 60.0, 20.0), id="n8-A10-overloaded-patience60"),
]
A_WIDTHS = {"p_wait": 0.04, "p_abandon": 0.02, "service_level": 0.04, "asa_seconds": 2.5, "patience_seconds": 8.0}
A_HORIZON_SECONDS, A_WARMUP_SECONDS, A_SEEDS = 80_000.0, 3_000.0, range(11, 21)


@pytest.fixture(scope="module", params=ERLANG_A_CASES)
def erlang_a_case(request: pytest.FixtureRequest) -> tuple[tuple, dict[str, Estimate]]:
    """One Erlang A configuration and its simulated estimates (10 ciw replications of ~22 simulated hours)."""
    agents, traffic, aht, patience, answer = request.param
    lam = traffic / aht
    estimates = replicate(
        lambda seed: simulate_erlang_a(agents, lam, aht, patience, answer, A_HORIZON_SECONDS, A_WARMUP_SECONDS, seed),
        seeds=A_SEEDS,
        confidence=CONFIDENCE,
    )
    return request.param, estimates


def test_erlang_a_matches_simulation(erlang_a_case: tuple[tuple, dict[str, Estimate]]) -> None:
    (agents, traffic, aht, patience, answer), estimates = erlang_a_case
    exact = erlang_a_metrics(agents, traffic / aht, aht, patience, answer)
    _assert_covers(estimates, exact, ("p_wait", "p_abandon", "service_level", "asa_seconds"), A_WIDTHS)


def test_patience_from_contacts_recovers_the_simulated_patience(
    erlang_a_case: tuple[tuple, dict[str, Estimate]],
) -> None:
    (_, _, _, patience, _), estimates = erlang_a_case
    est = estimates["patience_seconds"]
    assert est.half_width <= A_WIDTHS["patience_seconds"]
    assert est.covers(patience), f"patience {patience}: estimated {est.mean:.1f} ± {est.half_width:.1f}"


def test_simulation_rejects_erlang_c_for_impatient_callers(erlang_a_case: tuple[tuple, dict[str, Estimate]]) -> None:
    """Power check: the same intervals exclude Erlang C's answer, which ignores abandonment."""
    (agents, traffic, aht, _, answer), estimates = erlang_a_case
    erlang_c = erlang_c_metrics(agents, traffic, aht, answer)
    assert not estimates["p_wait"].covers(_value(erlang_c, "p_wait"))
    assert not estimates["service_level"].covers(_value(erlang_c, "service_level"))


def test_erlang_c_matches_simulation() -> None:
    agents, traffic, aht, answer = 6, 4.0, 240.0, 20.0
    estimates = replicate(
        lambda seed: simulate_erlang_a(agents, traffic / aht, aht, math.inf, answer, 100_000.0, 5_000.0, seed),
        seeds=range(31, 41),
        confidence=CONFIDENCE,
    )
    exact = erlang_c_metrics(agents, traffic, aht, answer)
    widths = {"p_wait": 0.06, "service_level": 0.06, "asa_seconds": 25.0}  # waits are heavy-tailed at 67 % load
    _assert_covers(estimates, exact, ("p_wait", "service_level", "asa_seconds"), widths)
    assert estimates["p_abandon"].mean == 0.0


CHAT_CASES = [
    # agents, arrivals per second, AHT s, AHT factors by chats held, answer s
    pytest.param(4, 0.018, 300.0, (1.0, 1.25, 1.6), 30.0, id="n4-k3"),
    pytest.param(3, 0.017, 300.0, (1.0, 1.1, 1.3, 1.6), 60.0, id="n3-k4"),
]
CHAT_WIDTHS = {"p_wait": 0.025, "service_level": 0.025, "occupancy": 0.02, "asa_seconds": 8.0}
CHAT_HORIZON_SECONDS, CHAT_WARMUP_SECONDS = 200_000.0, 20_000.0
CHAT_NAMES = ("p_wait", "service_level", "occupancy", "asa_seconds")


@pytest.mark.parametrize(("agents", "lam", "aht", "factors", "answer"), CHAT_CASES)
def test_chat_model_matches_simulated_agents_with_a_balancing_router(
    agents: int, lam: float, aht: float, factors: tuple[float, ...], answer: float
) -> None:
    """Agents simulated one by one; the router keeps their loads within one conversation, as the model assumes."""
    estimates = replicate(
        lambda seed: simulate_chat(
            agents, lam, aht, factors, answer, CHAT_HORIZON_SECONDS, CHAT_WARMUP_SECONDS, seed, rebalance=True
        ),
        seeds=range(20),
        confidence=CONFIDENCE,
    )
    _assert_covers(estimates, chat_metrics(agents, lam, aht, factors, answer), CHAT_NAMES, CHAT_WIDTHS)


# A real router balances only when a chat arrives; conversations never move between agents, so loads drift apart
# and, with slow-downs growing per chat held, the team serves a little slower than the balanced model says.
# Measured over 5 seed sets of 20 replications: slot occupancy +0.6 to +1.7 points, P(wait) −0.1 to +1.2,
# SL −1.0 to +0.2 against the balanced model at ~70 % slot load. Allowed here: 3 points beyond the interval.
ROUTER_TOLERANCE = 0.03


@pytest.mark.parametrize(("agents", "lam", "aht", "factors", "answer"), CHAT_CASES)
def test_chat_model_is_close_for_a_router_that_balances_only_on_arrival(
    agents: int, lam: float, aht: float, factors: tuple[float, ...], answer: float
) -> None:
    estimates = replicate(
        lambda seed: simulate_chat(
            agents, lam, aht, factors, answer, CHAT_HORIZON_SECONDS, CHAT_WARMUP_SECONDS, seed, rebalance=False
        ),
        seeds=range(100, 120),
        confidence=CONFIDENCE,
    )
    exact = chat_metrics(agents, lam, aht, factors, answer)
    for name in ("p_wait", "service_level", "occupancy"):
        gap = abs(estimates[name].mean - _value(exact, name))
        assert gap <= estimates[name].half_width + ROUTER_TOLERANCE, f"{name}: model off by {gap:.3f}"
