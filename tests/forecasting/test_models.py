"""One contract test run over every model, plus laws (scale equivariance) and real-data sanity checks."""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from forecasting.grid import coarsen_frame
from forecasting.metrics import wape
from forecasting.models import ALIASES, DS, ID, Y_HAT, Y_HI, Y_LO, Y, make_model
from tests.forecasting.synthetic import weekly_history

REAL = Path(os.environ.get("WFM_REAL_DATA", Path(__file__).resolve().parents[3] / "shared" / "data" / "real"))
needs_real = pytest.mark.skipif(not REAL.is_dir(), reason="real data folder not found (set WFM_REAL_DATA)")
HISTORY = weekly_history()


@pytest.mark.parametrize("alias", ALIASES)
def test_model_contract(alias: str) -> None:
    model = make_model(alias)
    assert model.alias == alias
    out = model.fit(HISTORY).forecast(14)
    assert list(out.columns) == [ID, DS, Y_HAT, Y_LO, Y_HI]
    # only open intervals: weekdays 08:00-17:00, 10 per day, 10 weekdays in 14 days, two series
    assert len(out) == 2 * 10 * 10
    assert set(out[ID]) == {"a", "b"}
    assert (out[DS].dt.weekday < 5).all() and out[DS].dt.hour.between(8, 17).all()
    assert out[DS].min() == pd.Timestamp("2024-02-12 08:00")  # history ends on Friday 2024-02-09
    assert (out[Y_LO] >= 0).all() and (out[Y_LO] <= out[Y_HAT] + 1e-9).all()
    assert (out[Y_HAT] <= out[Y_HI] + 1e-9).all() and np.isfinite(out[Y_HAT]).all()
    # a forecast at requested rows agrees with the day-ahead forecast, closed rows get 0
    future = out[[ID, DS]].iloc[::7].copy()
    closed = pd.DataFrame({ID: ["a"], DS: [pd.Timestamp("2024-02-17 10:00")]})  # a Saturday
    picked = model.forecast(pd.concat([future, closed], ignore_index=True))
    assert np.allclose(picked[Y_HAT].iloc[:-1].to_numpy(), out[Y_HAT].iloc[::7].to_numpy())
    assert picked[Y_HAT].iloc[-1] == 0.0
    # the level is about right: within 25 % of the last two weeks' mean per open interval
    recent = HISTORY[HISTORY[DS] >= HISTORY[DS].max() - pd.Timedelta(days=14)]
    assert out[Y_HAT].mean() == pytest.approx(recent[Y].mean(), rel=0.25)


@pytest.mark.parametrize("alias", ALIASES)
def test_model_refuses_forecast_before_fit(alias: str) -> None:
    with pytest.raises(RuntimeError):
        make_model(alias).forecast(3)


def test_unknown_alias() -> None:
    with pytest.raises(ValueError, match="unknown model"):
        make_model("prophet")


@settings(max_examples=8, deadline=None)
@given(factor=st.floats(min_value=0.1, max_value=50.0), alias=st.sampled_from(["same_slot_mean", "calendar"]))
def test_scaling_the_history_scales_the_forecast(factor: float, alias: str) -> None:
    base = make_model(alias).fit(HISTORY).forecast(7)
    scaled_history = HISTORY.assign(y=HISTORY[Y] * factor)
    scaled = make_model(alias).fit(scaled_history).forecast(7)
    assert np.allclose(scaled[Y_HAT], base[Y_HAT] * factor, rtol=1e-4, atol=1e-6)


def test_seasonal_naive_repeats_last_week_exactly() -> None:
    exact = weekly_history(noise=False)
    out = make_model("seasonal_naive").fit(exact).forecast(7)
    last_week = exact[exact[DS] >= exact[DS].max().normalize() - pd.Timedelta(days=6)]
    assert np.allclose(np.sort(out[Y_HAT]), np.sort(last_week[Y]))


@needs_real
def test_calendar_model_beats_same_slot_mean_on_real_bank_weeks() -> None:
    raw = pd.read_csv(REAL / "bank_calls_5min.csv", parse_dates=["DateTime"])
    frame = pd.DataFrame({ID: "bank", DS: raw["DateTime"], Y: raw["Calls"]})
    frame = coarsen_frame(frame[frame[DS] >= "2003-05-05"], 30, key=ID, ds=DS, value=Y)
    train, test = frame[frame[DS] < "2003-08-18"], frame[(frame[DS] >= "2003-08-18") & (frame[DS] < "2003-08-30")]
    scores = {}
    for alias in ("same_slot_mean", "calendar"):
        predicted = make_model(alias).fit(train).forecast(test[[ID, DS]])
        scores[alias] = wape(test[Y].to_numpy(), predicted[Y_HAT].to_numpy())
    assert scores["calendar"] < 0.08
    assert scores["calendar"] < scores["same_slot_mean"]
