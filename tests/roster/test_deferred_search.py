"""Deferred work in the roster search: late work costed instead of heads short (wfm/roster/deferred_search.py)."""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from tests.roster.roster_fixtures import HOUR, agent, check, config, instance
from tests.roster.test_deferred_report import AGENTS, QUEUES, RULES, SHIFTS, _forecast
from wfm.cli import main
from wfm.roster.best_response import coverage_cost, option_gains, response_context
from wfm.roster.deferred_search import DeferredWork, deferred_pricing
from wfm.roster.domain import Config, Instance, ShiftTemplate, Weights
from wfm.roster.options import instance_facts
from wfm.roster.solve import SolveSettings, solve_roster
from wfm.staffing.deferred import DeferredQueue, deferred_outcome, spread_capacity

EARLY = ShiftTemplate("E0800", 8 * HOUR, 4 * HOUR, category="early")
LATE = ShiftTemplate("L1200", 12 * HOUR, 4 * HOUR, category="late")


def email_queue(agent_seconds: float = 3600.0) -> DeferredQueue:
    """One agent-hour of email an hour from 08:00 to 16:00, open 08:00–16:00, answered within 1 h (hour grid)."""
    work = np.zeros(24)
    work[8:16] = 3600.0
    is_open = np.zeros(24, dtype=bool)
    is_open[8:16] = True
    tail = spread_capacity(work, is_open, 3600.0, 3600.0)[1]
    return DeferredQueue(work, is_open, 3600.0, 3600.0, agent_seconds, tail)


def tiny() -> tuple[Instance, Config]:
    """One email agent who prefers late shifts; the requirement asks one head 08:00–16:00 (8 h for 4 h of shift):
    counted as heads, the early and the late shift leave the same 4 h short, so the preference picks the late one."""
    inst = instance(
        (agent("A1", ("email",), preferred_categories=frozenset({"late"})),),
        (EARLY, LATE),
        days=1,
        queues=("email",),
        demand={("email", 0, 8, 16): 1},
    )
    return inst, config(Weights(shift_category_preference=5))


def shift_names(inst, solution) -> list[str]:
    """The shift templates worked."""
    return [inst.shifts[x.shift].name for x in solution.assignments]


@pytest.mark.parametrize("full_model_literals", [12_000, 0])  # small: full model after the descent; large: ILS
def test_deferred_objective_puts_the_head_where_the_work_finishes_on_time(full_model_literals: int) -> None:
    inst, cfg = tiny()
    queue = email_queue()
    settings = SolveSettings(time_limit_seconds=3.0, full_model_literals=full_model_literals, portfolio=False)
    heads = solve_roster(inst, cfg, settings)
    assert check(inst, cfg, heads) == []
    assert shift_names(inst, heads) == ["L1200"]
    # 12:00–16:00 works the morning's backlog first-in-first-out, every item an hour or more past its window,
    # and the afternoon's work waits (the 15:00 hour's work also meets the next opening's capacity behind the
    # rest): all 8 agent-hours late
    assert queue.late_seconds(heads.scheduled[0]) == pytest.approx(8 * 3600.0)

    deferred = solve_roster(inst, cfg, replace(settings, deferred=DeferredWork({"email": queue})))
    assert check(inst, cfg, deferred) == []
    assert shift_names(inst, deferred) == ["E0800"]
    # 08:00–12:00 answers the morning's work as it arrives (4 agent-hours on time); the afternoon's 4 agent-hours
    # wait: 12:00–15:00's pass their window today, and the next opening's capacity (one hour's work) takes the
    # oldest first, so the 15:00 hour's work is late as well
    assert queue.late_seconds(deferred.scheduled[0]) == pytest.approx(4 * 3600.0)


def test_one_agent_hour_late_costs_one_agent_hour_short() -> None:
    inst, cfg = tiny()
    queue = email_queue(agent_seconds=0.7 * 3600.0)  # 70 % of an hour's work per rostered hour
    facts = instance_facts(inst, cfg)
    ctx = response_context(inst, cfg, facts, deferred_pricing(inst, cfg, DeferredWork({"email": queue})))
    plain = response_context(inst, cfg, facts)
    per_second = 100 * HOUR / (0.7 * 3600.0)  # one agent-hour (0.7 h of work) late costs 100 × 60
    # no head at all: 8 h of work late, and overdue at the interval ends 09:00 … 15:00 1, 2, … 7 h, then 7 h at each
    # closed interval's end (8 of them): 84 h, costed at 1/24 of late work
    empty = np.zeros((1, 24), dtype=np.int64)
    assert coverage_cost(ctx, empty) == pytest.approx(per_second * 3600.0 * (8 + 84 / 24))
    assert coverage_cost(plain, empty) == pytest.approx(100 * HOUR * 8)  # heads: 8 agent-hours short
    # the requirement met as heads: capacity 0.7 of the arrivals, the backlog grows by 0.3 h an hour
    heads = np.zeros((1, 24), dtype=np.int64)
    heads[0, 8:16] = 1
    outcome = deferred_outcome(
        queue.work_seconds, heads[0] * queue.agent_seconds, queue.is_open, 3600.0, 3600.0, queue.tail_capacity
    )
    late, overdue = outcome.late_seconds.sum(), outcome.overdue_seconds.sum()
    assert late > 0 and overdue > 0
    assert coverage_cost(ctx, heads) == pytest.approx(per_second * (late + overdue / 24))
    assert coverage_cost(plain, heads) == 0.0


def test_prices_are_the_late_and_overdue_work_one_more_head_saves() -> None:
    inst, cfg = tiny()
    queue = email_queue()
    facts = instance_facts(inst, cfg)
    pricing = deferred_pricing(inst, cfg, DeferredWork({"email": queue}))
    assert pricing is not None
    ctx = response_context(inst, cfg, facts, pricing)
    empty = np.zeros((1, 24), dtype=np.int64)
    heads_gains = option_gains(ctx, empty).reshape(1, -1)[0, :24]  # not priced yet: heads
    assert heads_gains[8:16].tolist() == [100 * HOUR] * 8
    assert pricing.refresh(empty) and not pricing.refresh(empty)  # re-priced only when the heads changed
    gains = option_gains(ctx, empty).reshape(1, -1)[0, :24]
    # with nobody else, a head at 08:00 answers that hour's work on time (one agent-hour of late work saved) and
    # takes 1 h off the overdue work at the 15 interval ends 09:00 … 23:00 that follow (15 h / 24); a head at 10:00
    # works, first-in-first-out, the 08:00 hour's items already past their window: no late work saved (FIFO is
    # all-or-nothing), but 1 h less overdue at the 14 ends from 10:00 on
    assert gains[8] == pytest.approx(100 * HOUR * (1 + 15 / 24))
    assert gains[10] == pytest.approx(100 * HOUR * 14 / 24)
    assert gains[:8].tolist() == [-5 * HOUR] * 8  # closed, nothing required: over-coverage as before


def test_without_deferred_queues_nothing_changes() -> None:
    inst, cfg = tiny()
    assert deferred_pricing(inst, cfg, None) is None
    assert deferred_pricing(inst, cfg, DeferredWork({"other": email_queue()})) is None


def _centre(tmp_path: Path) -> tuple[list[str], dict[str, Path]]:
    """The tiny email + phone centre of test_deferred_report: requirements written, `wfm roster` arguments."""
    files = {}
    for name, text in (("queues", QUEUES), ("agents", AGENTS), ("shifts", SHIFTS), ("rules", RULES)):
        files[name] = tmp_path / (name + (".toml" if name == "rules" else ".csv"))
        files[name].write_text(text, encoding="utf-8")
    forecast = tmp_path / "forecast.csv"
    forecast.write_text(_forecast(2), encoding="utf-8")
    req = files["req"] = tmp_path / "req.csv"
    assert main(["requirements", "--forecast", str(forecast), "--queues", str(files["queues"]), "--out", str(req)]) == 0
    args = [
        "roster", "--requirements", str(req), "--agents", str(files["agents"]), "--shifts", str(files["shifts"]),
        "--rules", str(files["rules"]), "--start", "2026-11-02", "--days", "2", "--time-limit", "5",
        "--out", str(tmp_path / "roster.csv"), "--queues", str(files["queues"]),
    ]  # fmt: skip
    return args, files


def test_cli_costs_late_work_with_queues_and_heads_on_request(tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    args, files = _centre(tmp_path)
    assert main(args) == 0
    assert "deferred work late: email" in capsys.readouterr().err
    assert main([*args, "--deferred-objective", "heads"]) == 0
    assert "deferred work late" not in capsys.readouterr().err
    check = ["check-roster", "--roster", str(tmp_path / "roster.csv"), "--agents", str(files["agents"])]
    assert main([*check, "--shifts", str(files["shifts"]), "--rules", str(files["rules"])]) == 0
    with pytest.raises(SystemExit) as bad:
        main([*args, "--deferred-objective", "calls"])
    assert bad.value.code == 2


def test_the_app_hands_the_email_queue_to_the_search(tmp_path: Path) -> None:
    from wfm.staffing.requirements import build_requirements
    from wfm.workspace import deferred_work, load_roster_instance, open_workspace, queue_settings

    engine = open_workspace(f"sqlite:///{tmp_path / 'wfm.db'}")  # the sample centre
    queues = queue_settings(engine)
    stamps = pd.date_range("2026-11-02", periods=96, freq="15min")
    forecast = pd.concat(
        pd.DataFrame({"queue": name, "interval_start": stamps, "volume": 4.0, "aht_seconds": 300.0}) for name in queues
    )
    requirements = build_requirements(forecast, queues)
    instance, _config = load_roster_instance(engine, requirements, date(2026, 11, 2), 1)
    work = deferred_work(engine, requirements, instance)
    assert work is not None
    emails = {name for name, settings in queues.items() if settings.channel == "email"}
    assert emails and set(work.queues) == emails
    for name in emails:
        assert work.queues[name].work_seconds.sum() == pytest.approx(96 * 4 * 300.0)
        np.testing.assert_array_equal(work.stated[name], instance.required[instance.queues.index(name)])
    assert deferred_work(engine, requirements.drop(columns=["volume", "aht_seconds"]), instance) is None
    engine.dispose()


@pytest.mark.parametrize("others_heads", [0, 1, 2])
def test_exact_gain_is_the_true_change_of_the_objective(others_heads: int) -> None:
    from wfm.roster.best_response import add_plan, exact_gain, own_cost, plan_value

    inst, cfg = tiny()
    facts = instance_facts(inst, cfg)
    pricing = deferred_pricing(inst, cfg, DeferredWork({"email": email_queue()}))
    ctx = response_context(inst, cfg, facts, pricing)
    others = np.zeros((1, 24), dtype=np.int64)
    others[0, 10:14] = others_heads  # someone else on 10:00–14:00
    assert pricing is not None and pricing.refresh(others)
    plans = [[], [(0, 0, 0)], [(0, 1, 0)]]  # off, early, late

    def objective(plan) -> float:
        heads = others.copy()
        add_plan(heads, ctx, plan, 1)
        return coverage_cost(ctx, heads) + own_cost(ctx, 0, plan)

    for old in plans:
        for new in plans:
            priced = plan_value(ctx, 0, new, others) - plan_value(ctx, 0, old, others)
            assert exact_gain(ctx, others, old, new, priced) == pytest.approx(objective(old) - objective(new))


def test_late_saved_is_exact_within_the_budget_and_sampled_beyond() -> None:
    from wfm.roster.deferred_search import late_saved

    days = 3
    work = np.tile(email_queue().work_seconds, days)  # three days of the hour-grid email queue, nobody rostered
    is_open = np.tile(email_queue().is_open, days)
    queue = DeferredQueue(work, is_open, 3600.0, 3600.0, 3600.0, spread_capacity(work, is_open, 3600.0, 3600.0)[1])
    heads = np.zeros(work.size)
    heads[8:12] = 1  # the first morning answered
    exact = queue.marginal_seconds(heads)
    np.testing.assert_allclose(late_saved(queue, heads), exact)  # 72 intervals × ≤ 64 candidates: within the budget
    coarse = late_saved(queue, heads, budget=16 * work.size)  # 16 evenly spaced candidates, carried forward
    changed = np.flatnonzero(coarse != exact)
    assert changed.size > 0  # some intervals carry a neighbour's value
    evaluated = np.flatnonzero(np.isclose(coarse, exact) & (exact > 0))
    assert evaluated.size >= 1
    for t in changed:  # each carries the value of an earlier interval
        assert any(np.isclose(coarse[t], exact[u]) for u in range(t))


def test_placed_adjustment_swaps_email_heads_short_for_its_late_work() -> None:
    from wfm.roster.deferred_search import placed_adjustment

    inst, cfg = tiny()
    work = DeferredWork({"email": email_queue()}, {"email": inst.required[0].copy()})
    late_shift = np.zeros((1, 24), dtype=np.int64)
    late_shift[0, 12:16] = 1  # the heads search's roster: 4 agent-hours short as heads, all 8 late (FIFO)
    outcome = deferred_outcome(
        email_queue().work_seconds,
        late_shift[0] * 3600.0,
        email_queue().is_open,
        3600.0,
        3600.0,
        email_queue().tail_capacity,
    )
    expected = 100 / 3600 * (outcome.late_seconds.sum() + outcome.overdue_seconds.sum() / 24) - 100 * 4
    assert placed_adjustment(inst, cfg, work, late_shift) == pytest.approx(expected)
    assert outcome.late_seconds.sum() == pytest.approx(8 * 3600.0)
    assert placed_adjustment(inst, cfg, None, late_shift) == 0.0
