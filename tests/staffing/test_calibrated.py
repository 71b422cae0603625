"""The calibrated model: exactly Erlang A/C where their assumptions hold, sensible corrections, learning, CLI use."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.staffing.contact_log import simulate_contact_log
from wfm.cli import main
from wfm.errors import InputError
from wfm.staffing import erlang_a_metrics, erlang_c_metrics, required_agents_erlang_a
from wfm.staffing.calibrated import (
    CalibratedParameters,
    ClassParameters,
    calibrated_metrics,
    describe,
    load_parameter_set,
    required_agents_calibrated,
    save_parameter_set,
    simple_parameters,
)
from wfm.staffing.fidelity import Scope, run_fidelity
from wfm.staffing.targets import ServiceTargets

AHT, T = 180.0, 20.0


@settings(max_examples=40, deadline=None)
@given(
    agents=st.integers(1, 40),
    load=st.floats(0.05, 1.3),
    patience=st.one_of(st.just(float("inf")), st.floats(30.0, 2000.0)),
)
def test_equals_erlang_where_its_assumptions_hold(agents: int, load: float, patience: float) -> None:
    """Availability 1, exponential handle times (cv 1), no swing, one class: exactly Erlang A (C if never abandoning)."""
    lam = load * agents / AHT
    got = calibrated_metrics(simple_parameters(1.0, patience, 1.0, 0.0), agents, lam, AHT, T)
    if np.isinf(patience):
        want = erlang_c_metrics(agents, lam * AHT, AHT, T)
    else:
        want = erlang_a_metrics(agents, lam, AHT, patience, T)
    for name in ("service_level", "p_abandon", "p_wait"):
        assert float(getattr(got, name)[0]) == pytest.approx(float(np.ravel(getattr(want, name))[0]), abs=1e-9)


def test_availability_scales_agents_and_fractions_interpolate() -> None:
    lam = 10 * 0.85 / AHT
    half = calibrated_metrics(simple_parameters(0.5, 300.0), 20, lam, AHT, T)
    assert half.service_level[0] == pytest.approx(erlang_a_metrics(10, lam, AHT, 300.0, T).service_level)
    ten, eleven = (erlang_a_metrics(n, lam, AHT, 300.0, T).service_level for n in (10, 11))
    between = calibrated_metrics(simple_parameters(1.0, 300.0), 10.25, lam, AHT, T).service_level[0]
    assert between == pytest.approx(0.75 * ten + 0.25 * eleven)


@settings(max_examples=25, deadline=None)
@given(agents=st.floats(1.0, 30.0), load=st.floats(0.3, 1.2), cv=st.floats(0.3, 2.5), swing=st.floats(0.0, 0.5))
def test_more_agents_never_worse(agents: float, load: float, cv: float, swing: float) -> None:
    params = simple_parameters(0.9, 240.0, cv, swing)
    lam = load * agents / AHT
    low, high = (calibrated_metrics(params, n, lam, AHT, T) for n in (agents, agents + 0.5))
    assert high.service_level[0] >= low.service_level[0] - 1e-9
    assert high.p_abandon[0] <= low.p_abandon[0] + 1e-9


def test_long_tailed_handle_times_lower_the_service_level() -> None:
    lam = 10 * 0.9 / AHT
    exponential = calibrated_metrics(simple_parameters(1.0, 300.0, 1.0), 10, lam, AHT, T).service_level[0]
    long_tail = calibrated_metrics(simple_parameters(1.0, 300.0, 1.6), 10, lam, AHT, T).service_level[0]
    assert long_tail < exponential - 0.02


def test_required_agents_equal_erlang_a_with_neutral_parameters() -> None:
    volume = np.array([0.0, 5.0, 40.0, 100.0, 180.0, 400.0])
    targets = ServiceTargets(service_level=0.8, answer_seconds=20, max_occupancy=0.9)
    calibrated = required_agents_calibrated(simple_parameters(1.0, 300.0), volume, 1800.0, AHT, targets)
    erlang = required_agents_erlang_a(volume, 1800.0, AHT, 300.0, targets)
    np.testing.assert_array_equal(calibrated.agents, erlang.agents)
    assert calibrated.metrics.service_level[0] == 1.0 and calibrated.agents[0] == 0
    # Half the agents present are free for these calls: twice as many present are needed (within one).
    sl_only = ServiceTargets(service_level=0.8, answer_seconds=20)
    halved = required_agents_calibrated(simple_parameters(0.5, 300.0), volume, 1800.0, AHT, sl_only).agents
    plain = required_agents_erlang_a(volume, 1800.0, AHT, 300.0, sl_only).agents
    assert np.all(np.abs(halved - 2 * plain) <= 1)


def test_calibration_recovers_known_parameters() -> None:
    """A log simulated with handle-time cv 1.5, patience 240 s and every present agent available."""
    log = simulate_contact_log(
        days=12, agents=(5, 7, 6), calls_per_hour=(95, 125, 110), seed=5, aht_cv=1.5, patience_seconds=240.0
    )
    result = run_fidelity(
        log.drop(columns="priority"),
        interval_minutes=30,
        answer_seconds=20,
        train_until="2024-01-12",
        scope=Scope(min_offered=10),
    )
    learned = result.parameters["q"]
    assert learned.aht_cv == pytest.approx(1.5, abs=0.1)
    assert learned.classes[0].availability == pytest.approx(1.0, abs=0.15)
    assert learned.classes[0].patience_seconds == pytest.approx(240.0, rel=0.4)
    train = result.report["models"]
    assert train["calibrated"]["train"]["service_level"]["mae"] <= train["erlang-c"]["train"]["service_level"]["mae"]


def test_description_names_the_learned_numbers() -> None:
    params = CalibratedParameters(
        (ClassParameters("vip", 0.3, 0.8, 400.0), ClassParameters("other", 0.7, 1.1, 200.0)), 1.3, 0.2
    )
    text = " ".join(describe(params))
    assert '"vip" (30% of calls)' in text and "80%" in text and "400 s" in text and "1.30" in text
    assert "±20%" in text and "Assumptions" in text


def test_parameter_file_round_trip_and_bad_file(tmp_path: Path) -> None:
    params = CalibratedParameters((ClassParameters("all", 1.0, 0.9, 250.0),), 1.2, 0.1, trained_on="x")
    path = tmp_path / "p.json"
    save_parameter_set({"phone": params}, path)
    assert load_parameter_set(path)["phone"] == params
    (tmp_path / "bad.json").write_text('{"phone": {"classes": [{"name": "a"}]}}', encoding="utf-8")
    with pytest.raises(InputError, match="calibrated-parameters"):
        load_parameter_set(tmp_path / "bad.json")


QUEUES = """queue,channel,interval_minutes,service_level,answer_seconds,patience_seconds,model,availability,aht_cv
phone,voice,15,0.8,20,300,calibrated,0.8,1.3
"""


def test_requirements_cli_with_the_calibrated_model(tmp_path: Path) -> None:
    (tmp_path / "q.csv").write_text(QUEUES, encoding="utf-8")
    starts = pd.date_range("2026-11-11 08:00", periods=8, freq="15min")
    pd.DataFrame({"queue": "phone", "interval_start": starts, "volume": 40, "aht_seconds": 180}).to_csv(
        tmp_path / "f.csv", index=False
    )
    common = ["requirements", "--forecast", str(tmp_path / "f.csv"), "--queues", str(tmp_path / "q.csv")]
    assert main([*common, "--out", str(tmp_path / "cal.csv")]) == 0
    assert main([*common, "--out", str(tmp_path / "a.csv"), "--model", "erlang-a"]) == 0
    calibrated = pd.read_csv(tmp_path / "cal.csv", encoding="utf-8-sig")
    erlang_a = pd.read_csv(tmp_path / "a.csv", encoding="utf-8-sig")
    assert set(calibrated["model"]) == {"calibrated"}
    assert (calibrated["required_agents"] > erlang_a["required_agents"]).all()  # 80 % availability, cv 1.3
    learned = tmp_path / "p.json"
    save_parameter_set({"phone": simple_parameters(0.5, 300.0)}, learned)
    assert (
        main([*common, "--out", str(tmp_path / "p.csv"), "--model", "calibrated", "--calibration", str(learned)]) == 0
    )
    halved = pd.read_csv(tmp_path / "p.csv", encoding="utf-8-sig")
    assert (np.abs(halved["required_agents"] - 2 * erlang_a["required_agents"]) <= 1).all()
    assert json.loads((learned).read_text(encoding="utf-8"))["phone"]["description"]
