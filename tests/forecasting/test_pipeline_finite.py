"""Every forecast number is finite and non-negative, or InputError names the queue (extreme but valid history)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from forecasting.models import FACTORIES, ID, Y_HAT, Y_HI, Y_LO, CalendarRegression, SameSlotMean
from forecasting.pipeline import FALLBACK_MODEL, MAX_FORECAST_CONTACTS, build_forecast
from wfm.cli import main
from wfm.errors import InputError

NUMBERS = ["volume", "volume_lo", "volume_hi", "aht_seconds"]


def history(queue: str = "q", days: int = 35, start: str = "2024-01-01", seed: int = 0) -> pd.DataFrame:
    """Hourly history open 08:00-19:00 every day, Poisson ~30 an hour, AHT 300 s (blank when nothing offered)."""
    stamps = pd.date_range(start, periods=24 * days, freq="h")
    rng = np.random.default_rng(seed)
    offered = rng.poisson(np.where((stamps.hour >= 8) & (stamps.hour < 20), 30, 0)).astype(float)
    aht = np.where(offered > 0, 300.0, np.nan)
    return pd.DataFrame({"queue": queue, "interval_start": stamps, "offered": offered, "aht_seconds": aht})


def next_day(frame: pd.DataFrame) -> pd.Timestamp:
    """The day after the history."""
    return frame["interval_start"].max().normalize() + pd.Timedelta(days=1)


def assert_finite(frame: pd.DataFrame) -> None:
    """Every forecast number finite, non-negative and plausible; bounds around the volume."""
    values = frame[NUMBERS].to_numpy(float)
    assert np.isfinite(values).all() and (values >= 0).all()
    assert (frame["volume_hi"] <= MAX_FORECAST_CONTACTS).all()
    assert (frame["volume_lo"] <= frame["volume"]).all() and (frame["volume"] <= frame["volume_hi"]).all()


def spike() -> pd.DataFrame:
    """One interval of 1,000,000 contacts in the last week."""
    frame = history()
    frame.loc[frame.index[-30], ["offered", "aht_seconds"]] = [1_000_000.0, 300.0]
    return frame


def day_long_aht() -> pd.DataFrame:
    """Every AHT at the 24-hour maximum."""
    frame = history()
    frame["aht_seconds"] = np.where(frame["offered"] > 0, 86_400.0, np.nan)
    return frame


def zeros_at_the_end() -> pd.DataFrame:
    """Three weeks of zeros at the end (a queue that went quiet)."""
    frame = history(days=63)
    quiet = frame.index[-24 * 21 :]
    frame.loc[quiet, "offered"] = 0.0
    frame.loc[quiet, "aht_seconds"] = np.nan
    return frame


def zeros_but_the_last_day() -> pd.DataFrame:
    """Only the last day has contacts."""
    frame = history()
    frame.loc[frame.index[:-24], "offered"] = 0.0
    return frame


def two_days() -> pd.DataFrame:
    """A single queue with only 2 days of history."""
    return history(days=2)


def two_day_queue_beside_a_normal_one() -> pd.DataFrame:
    """A new queue with 2 days next to one with 5 weeks (the new one starts after every backtest origin)."""
    return pd.concat([history("old"), history("new", days=2, start="2024-02-03", seed=1)], ignore_index=True)


CASES = {
    "spike 1e6": spike,
    "AHT 86400 s": day_long_aht,
    "zeros at the end": zeros_at_the_end,
    "zeros but the last day": zeros_but_the_last_day,
    "two days": two_days,
    "two-day queue beside a normal one": two_day_queue_beside_a_normal_one,
}


@pytest.mark.parametrize("case", CASES)
@pytest.mark.parametrize(("model", "backtest"), [("calendar", False), ("calendar", True), ("auto", False)])
def test_extreme_but_valid_history_gives_finite_forecasts(case: str, model: str, backtest: bool) -> None:
    frame = CASES[case]()
    run = build_forecast(frame, next_day(frame), 7, model=model, backtest=backtest)
    assert len(run.frame) > 0
    assert_finite(run.frame)
    assert set(run.frame["queue"]) == set(frame["queue"])


@pytest.mark.filterwarnings("ignore")
def test_a_model_that_raises_on_one_queue_leaves_it_to_the_fallback() -> None:
    frame = two_day_queue_beside_a_normal_one()  # AutoETS refuses a two-day series ("tiny datasets")
    run = build_forecast(frame, next_day(frame), 7, model="autoets")
    assert_finite(run.frame)
    models = run.frame.groupby("queue")["model"].unique()
    assert list(models["old"]) == ["autoets"] and list(models["new"]) == [FALLBACK_MODEL]
    assert any('"new"' in w and "autoets failed" in w for w in run.warnings)


class InfOnQueueB(CalendarRegression):
    """The calendar model with an infinite forecast for queue "b" (as an overflow would give)."""

    def forecast(self, h: int | pd.DataFrame) -> pd.DataFrame:
        out = super().forecast(h)
        out.loc[out[ID] == "b", Y_HI] = np.inf
        return out


class NanOnQueueB(SameSlotMean):
    """The baseline with NaN forecasts for queue "b"."""

    def forecast(self, h: int | pd.DataFrame) -> pd.DataFrame:
        out = super().forecast(h)
        out.loc[out[ID] == "b", [Y_HAT, Y_LO, Y_HI]] = np.nan
        return out


def two_queues() -> pd.DataFrame:
    """Queues a and b, five normal weeks each."""
    return pd.concat([history("a"), history("b", seed=1)], ignore_index=True)


def test_a_non_finite_queue_is_forecast_by_the_fallback_and_named(monkeypatch: pytest.MonkeyPatch) -> None:
    frame = two_queues()
    clean = build_forecast(frame, next_day(frame), 7, model="calendar").frame
    monkeypatch.setitem(FACTORIES, "calendar", InfOnQueueB)
    run = build_forecast(frame, next_day(frame), 7, model="calendar")
    assert_finite(run.frame)
    assert run.model == "calendar"
    assert list(run.frame.groupby("queue")["model"].unique()["b"]) == [FALLBACK_MODEL]
    assert len(run.warnings) == 1 and '"b"' in run.warnings[0] and FALLBACK_MODEL in run.warnings[0]
    # queue a keeps the calendar forecast; queue b gets the baseline's, on the same intervals
    kept = run.frame[run.frame["queue"] == "a"].reset_index(drop=True)
    pd.testing.assert_frame_equal(kept, clean[clean["queue"] == "a"].reset_index(drop=True))
    baseline = build_forecast(frame[frame["queue"] == "b"], next_day(frame), 7, model=FALLBACK_MODEL).frame
    replaced = run.frame[run.frame["queue"] == "b"].reset_index(drop=True)
    pd.testing.assert_frame_equal(replaced, baseline)


def test_when_the_fallback_fails_too_input_error_names_the_queue(monkeypatch: pytest.MonkeyPatch) -> None:
    frame = two_queues()
    monkeypatch.setitem(FACTORIES, "calendar", InfOnQueueB)
    monkeypatch.setitem(FACTORIES, FALLBACK_MODEL, NanOnQueueB)
    with pytest.raises(InputError, match='queue "b"'):
        build_forecast(frame, next_day(frame), 7, model="calendar")


def test_a_queue_without_aht_is_named_or_takes_the_given_aht() -> None:
    frame = two_queues()
    frame.loc[frame["queue"] == "b", "aht_seconds"] = np.nan
    with pytest.raises(InputError, match='"b"'):
        build_forecast(frame, next_day(frame), 7, model="calendar")
    run = build_forecast(frame, next_day(frame), 7, model="calendar", aht_seconds=240.0)
    assert_finite(run.frame)
    assert (run.frame.loc[run.frame["queue"] == "b", "aht_seconds"] == 240.0).all()
    assert (run.frame.loc[run.frame["queue"] == "a", "aht_seconds"] == 300.0).all()


def test_aht_older_than_the_recent_weeks_is_used_before_giving_up() -> None:
    frame = history(days=84)
    frame.loc[frame.index[-24 * 63 :], "aht_seconds"] = np.nan  # AHT recorded in the first 3 weeks only
    run = build_forecast(frame, next_day(frame), 7, model="calendar")
    assert (run.frame["aht_seconds"] == 300.0).all()


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    data=st.lists(
        st.tuples(st.integers(0, 24 * 21 - 1), st.sampled_from([0.0, 1.0, 1_000.0, 1_000_000.0])),
        min_size=1,
        max_size=30,
    ),
    aht=st.sampled_from([0.0, 1.0, 86_400.0]),
    days=st.integers(2, 21),
)
def test_any_mix_of_extreme_values_gives_finite_forecasts(data: list[tuple[int, float]], aht: float, days: int) -> None:
    frame = history(days=21).iloc[-24 * days :].reset_index(drop=True)
    for position, value in data:
        if position < len(frame):
            frame.loc[position, ["offered", "aht_seconds"]] = [value, aht]
    if not (frame["offered"] > 0).any():
        frame.loc[len(frame) - 12, ["offered", "aht_seconds"]] = [1.0, aht]
    run = build_forecast(frame, next_day(frame), 7, model="calendar", aht_seconds=300.0)
    assert_finite(run.frame)


def test_cli_forecast_of_extreme_history_writes_finite_numbers(tmp_path: Path) -> None:
    frame = pd.concat([spike(), day_long_aht().assign(queue="long calls")], ignore_index=True)
    path, out = tmp_path / "history.csv", tmp_path / "forecast.csv"
    frame.to_csv(path, index=False)
    argv = ["forecast", "--history", str(path), "--start", str(next_day(frame).date()), "--days", "7"]
    assert main([*argv, "--model", "calendar", "--out", str(out)]) == 0
    written = pd.read_csv(out, encoding="utf-8-sig")
    assert set(written["queue"]) == {"q", "long calls"}
    assert_finite(written)
