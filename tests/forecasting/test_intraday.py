"""Intraday reforecast on synthetic days whose level shifts for the whole day: the weights learned from past days
carry the morning's shift into the rest of the day; no past days, no change; bands cover; AHT likewise."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from forecasting.intraday import (
    IntradayWeights,
    day_ahead_forecasts,
    learn_weights,
    learning_days,
    reforecast,
    rest_of_day_forecast,
)
from forecasting.pipeline import build_forecast

SLOTS = np.arange(48)  # 30-minute intervals 00:00–24:00
PROFILE = np.where((SLOTS >= 16) & (SLOTS < 40), 1.0 + 0.8 * np.sin(np.pi * (SLOTS - 16) / 23), 0.0)


def _day(day: pd.Timestamp, level: float, shift: float, rng, aht_shift: float = 1.0) -> pd.DataFrame:
    """One queue-day: forecast = level × profile; actual = Poisson(forecast × shift); AHT 300 s × aht_shift."""
    mean = level * PROFILE
    open_ = PROFILE > 0
    return pd.DataFrame(
        {
            "queue": "q",
            "interval_start": day + pd.to_timedelta(30 * SLOTS[open_], unit="min"),
            "forecast": mean[open_],
            "actual": rng.poisson(mean[open_] * shift).astype(float),
            "aht_forecast": 300.0,
            "aht_actual": 300.0 * aht_shift * rng.lognormal(0, 0.05, open_.sum()),
        }
    )


def _past(rng, days: int = 30, sigma: float = 0.25) -> pd.DataFrame:
    """Past days whose whole-day level shift is log-normal (the same shift morning and afternoon)."""
    start = pd.Timestamp("2026-10-01")
    parts = []
    for k in range(days):
        shift = float(np.exp(rng.normal(0, sigma)))
        parts.append(_day(start + pd.Timedelta(days=k), 40.0, shift, rng, aht_shift=shift**0.5))
    return pd.concat(parts, ignore_index=True)


def test_a_known_level_shift_is_carried_into_the_rest_of_the_day() -> None:
    rng = np.random.default_rng(7)
    weights = learn_weights(_past(rng), cutoff_minute=12 * 60)
    assert 0.7 <= weights.day_weight + weights.recent_weight <= 1.3
    assert weights.days == 30
    today = _day(pd.Timestamp("2026-11-11"), 40.0, 1.5, rng)
    truth = today["forecast"] * 1.5
    refc = reforecast(today, pd.Timestamp("2026-11-11 12:00"), weights)
    rest = refc["rest_of_day"].to_numpy()
    assert refc.loc[~rest, "actual"].notna().all() and refc.loc[rest, "actual"].isna().all()
    error_refc = np.abs(refc.loc[rest, "reforecast"] - truth[rest]).sum() / truth[rest].sum()
    error_fc = np.abs(refc.loc[rest, "forecast"] - truth[rest]).sum() / truth[rest].sum()
    assert error_fc == pytest.approx(1 / 3, abs=1e-9)
    assert error_refc < 0.12
    # the profile is kept: the reforecast is the forecast times one ratio
    ratio = refc.loc[rest, "reforecast"] / refc.loc[rest, "forecast"]
    assert ratio.std() < 1e-9
    assert (refc.loc[rest, "volume_lo"] <= refc.loc[rest, "reforecast"]).all()
    assert (refc.loc[rest, "reforecast"] <= refc.loc[rest, "volume_hi"]).all()


def test_without_past_days_the_forecast_is_kept() -> None:
    rng = np.random.default_rng(1)
    today = _day(pd.Timestamp("2026-11-11"), 40.0, 2.0, rng)
    refc = reforecast(today, pd.Timestamp("2026-11-11 12:00"), IntradayWeights.untrained(720))
    rest = refc[refc["rest_of_day"]]
    assert rest["reforecast"].to_numpy() == pytest.approx(rest["forecast"].to_numpy())
    assert learn_weights(today.iloc[0:0], 720) == IntradayWeights.untrained(720)


def test_noise_without_a_day_level_shift_is_shrunk_away() -> None:
    rng = np.random.default_rng(3)
    weights = learn_weights(_past(rng, sigma=0.0), cutoff_minute=10 * 60)
    assert weights.day_weight + weights.recent_weight < 0.4


def test_bands_cover_about_their_level_and_aht_follows() -> None:
    rng = np.random.default_rng(11)
    weights = learn_weights(_past(rng, days=40), cutoff_minute=12 * 60)
    assert weights.aht_weight > 0.5
    inside = total = 0
    for k in range(30):
        shift = float(np.exp(rng.normal(0, 0.25)))
        today = _day(pd.Timestamp("2026-12-01") + pd.Timedelta(days=k), 40.0, shift, rng, aht_shift=shift**0.5)
        refc = reforecast(today, pd.Timestamp("2026-12-01 12:00") + pd.Timedelta(days=k), weights)
        rest = refc[refc["rest_of_day"]]
        actual = today.loc[refc["rest_of_day"].to_numpy(), "actual"].to_numpy()
        inside += ((actual >= rest["volume_lo"]) & (actual <= rest["volume_hi"])).sum()
        total += len(rest)
    assert 0.7 <= inside / total <= 0.97
    slow = _day(pd.Timestamp("2027-01-05"), 40.0, 1.0, rng, aht_shift=1.3)
    refc = reforecast(slow, pd.Timestamp("2027-01-05 12:00"), weights)
    assert (refc.loc[refc["rest_of_day"], "aht_seconds"] > 330).all()
    contract = rest_of_day_forecast(refc)
    assert list(contract.columns) == ["queue", "interval_start", "volume", "aht_seconds", "volume_lo", "volume_hi"]


def test_day_ahead_forecasts_use_only_the_history_before_each_day() -> None:
    rng = np.random.default_rng(5)
    days = pd.date_range("2026-09-01", periods=42, freq="D")
    history = pd.concat(
        [
            pd.DataFrame(
                {
                    "queue": "q",
                    "interval_start": day + pd.to_timedelta(30 * SLOTS[PROFILE > 0], unit="min"),
                    "offered": rng.poisson(40 * PROFILE[PROFILE > 0]).astype(float),
                    "aht_seconds": 300.0,
                }
            )
            for day in days
        ],
        ignore_index=True,
    )
    chosen = learning_days(history, days[-1], 3)
    assert chosen == list(days[-4:-1])
    backcasts = day_ahead_forecasts(history, chosen, model="same_slot_mean")
    one = build_forecast(history[history["interval_start"] < days[-2]], days[-2], 1, model="same_slot_mean").frame
    mine = backcasts[backcasts["interval_start"].dt.normalize() == days[-2]]
    assert mine["forecast"].to_numpy() == pytest.approx(one["volume"].to_numpy())
    actual = history.set_index("interval_start").loc[mine["interval_start"], "offered"].to_numpy()
    assert mine["actual"].to_numpy() == pytest.approx(actual)


def _noisy_days(rng, start: str, days: int) -> list[pd.DataFrame]:
    """Days with a whole-day level shift and a per-interval profile error (log-normal 0.5) the forecast misses:
    the raw band (variance-to-mean dispersion) covers 86 % at 10:00, too much."""
    out = []
    for k in range(days):
        day = _day(pd.Timestamp(start) + pd.Timedelta(days=k), 40.0, float(np.exp(rng.normal(0, 0.15))), rng)
        wobble = rng.lognormal(0, 0.5, len(day))
        out.append(day.assign(actual=rng.poisson(day["actual"].to_numpy() * wobble + 0.1).astype(float)))
    return out


def _coverage(days: list[pd.DataFrame], weights: IntradayWeights, cutoff: str, *, calibrated: bool) -> float:
    inside = total = 0
    for today in days:
        until = pd.Timestamp(f"{today['interval_start'].iloc[0]:%Y-%m-%d} {cutoff}")
        refc = reforecast(today, until, weights, calibrated=calibrated)
        rest = refc["rest_of_day"].to_numpy()
        actual = today["actual"].to_numpy()[rest]
        inside += (
            (actual >= refc["volume_lo"].to_numpy()[rest]) & (actual <= refc["volume_hi"].to_numpy()[rest])
        ).sum()
        total += rest.sum()
    return inside / total


@pytest.mark.parametrize("cutoff", ["10:00", "14:00"])
def test_the_band_is_calibrated_conformally_to_its_level(cutoff: str) -> None:
    rng = np.random.default_rng(23)
    minute = int(cutoff[:2]) * 60
    weights = learn_weights(pd.concat(_noisy_days(rng, "2026-10-01", 30), ignore_index=True), minute)
    assert len(weights.band_scale) == 4 and all(s > 0 for s in weights.band_scale)
    held_out = _noisy_days(rng, "2026-12-01", 40)
    raw = _coverage(held_out, weights, cutoff, calibrated=False)
    calibrated = _coverage(held_out, weights, cutoff, calibrated=True)
    assert 0.74 <= calibrated <= 0.86, (raw, calibrated)
    assert abs(calibrated - 0.8) < abs(raw - 0.8), (raw, calibrated)
    # untrained weights: the band is not scaled
    assert IntradayWeights.untrained(minute).scale_at(np.array([0, 500])).tolist() == [1.0, 1.0]
