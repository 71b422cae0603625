"""The fast paths (numpy grids, grids shared by a backtest) agree with the plain definitions; backtests survive
queues that start late, repeated index labels and models that fail."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from forecasting.backtest import BacktestError, rolling_origins, run_backtest
from forecasting.grid import MINUTES_PER_DAY, infer_interval_minutes, to_grid
from forecasting.models import DS, ID, CalendarRegression, make_model
from forecasting.models.base import SeriesHistory
from tests.forecasting.synthetic import weekly_history


def reference_grid(ds: pd.Series, y: pd.Series, interval_minutes: int) -> np.ndarray:
    """The grid by pandas groupby: values summed per (day, interval), NaN where nothing was observed."""
    stamps = pd.to_datetime(ds).reset_index(drop=True)
    day = stamps.dt.normalize()
    row = ((day - day.min()) / pd.Timedelta(days=1)).astype(int)
    col = ((stamps - day) / pd.Timedelta(minutes=interval_minutes)).astype(int)
    frame = pd.DataFrame({"r": row, "c": col, "v": pd.Series(y).to_numpy(float)})
    summed = frame.groupby(["r", "c"])["v"].sum(min_count=1)
    grid = np.full((row.max() + 1, MINUTES_PER_DAY // interval_minutes), np.nan)
    grid[summed.index.get_level_values(0), summed.index.get_level_values(1)] = summed.to_numpy()
    return grid


def test_to_grid_matches_groupby_on_unsorted_repeated_and_missing_values() -> None:
    rng = np.random.default_rng(3)
    stamps = pd.Series(pd.date_range("1969-12-30 00:00", periods=600, freq="15min"))
    picked = rng.choice(len(stamps), size=700)  # unsorted, some stamps twice, some never (before 1970 too)
    ds, y = stamps[picked].reset_index(drop=True), pd.Series(rng.integers(0, 50, size=700).astype(float))
    y[rng.choice(700, size=60, replace=False)] = np.nan
    grid = to_grid(ds, y, 15)
    assert grid.first_day == pd.Timestamp("1969-12-30")
    np.testing.assert_array_equal(grid.values, reference_grid(ds, y, 15))


def test_interval_inference_ignores_order_and_repeats() -> None:
    stamps = pd.Series(pd.date_range("2024-01-01", periods=500, freq="5min"))
    shuffled = pd.concat([stamps, stamps[:50]]).sample(frac=1.0, random_state=1)
    assert infer_interval_minutes(shuffled) == 5
    assert infer_interval_minutes(pd.Series(pd.to_datetime(["2024-01-01 08:00"]))) == 60


def test_backtest_scores_a_late_queue_only_where_it_has_training_data() -> None:
    frame = weekly_history(weeks=8, queues=("a",))
    late = weekly_history(weeks=8, queues=("b",))
    late = late[late[DS] >= "2024-02-14"]  # starts after the first origins
    both = pd.concat([frame, late])  # index labels repeat: the backtest must not depend on them
    origins = rolling_origins(both, 7, 3)
    result = run_backtest(both, [make_model("same_slot_mean")], origins, 7)
    scored = result.forecasts.groupby(ID)["origin"].unique()
    assert len(scored["a"]) == 3 and list(scored["b"]) == [origins[-1]]


def test_backtest_fits_on_exactly_the_data_before_each_origin() -> None:
    frame = weekly_history(weeks=8)
    origin = rolling_origins(frame, 7, 1)[0]
    result = run_backtest(frame, [make_model("calendar")], [origin], 7)
    fitted = make_model("calendar").fit(frame[frame[DS] < origin])
    direct = fitted.forecast(frame[(frame[DS] >= origin) & (frame[DS] < origin + pd.Timedelta(days=7))][[ID, DS]])
    np.testing.assert_array_equal(result.forecasts["y_hat"].to_numpy(), direct["y_hat"].to_numpy())


class Broken(CalendarRegression):
    """A model that always fails."""

    alias = "broken"

    def _fit_series(self, history: SeriesHistory) -> object:
        raise FloatingPointError("overflow")


def test_a_failing_model_is_skipped_and_reported() -> None:
    frame = weekly_history(weeks=8)
    result = run_backtest(frame, [Broken(), make_model("same_slot_mean")], rolling_origins(frame, 7, 2), 7)
    assert result.chosen == "same_slot_mean" and set(result.metrics["model"]) == {"same_slot_mean"}
    assert result.failures == ("broken failed at 2 of 2 origins (FloatingPointError: overflow)",)
    assert result.to_dict()["failures"] == list(result.failures)
    with pytest.raises(BacktestError, match="every model failed"):
        run_backtest(frame, [Broken()], rolling_origins(frame, 7, 2), 7)


def test_forecast_at_rows_keeps_the_callers_index() -> None:
    frame = weekly_history(weeks=4)
    model = make_model("same_slot_mean").fit(frame)
    future = model.forecast(7)[[ID, DS]]
    future.index = [5] * len(future)  # repeated labels
    picked = model.forecast(future)
    assert list(picked.index) == list(future.index)
    assert np.allclose(picked["y_hat"].to_numpy(), model.forecast(7)["y_hat"].to_numpy())
