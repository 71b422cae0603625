"""A forecast combination: the mean of a few members' day forecasts (more stable across origins than any one)."""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np
import pandas as pd

from forecasting.models.base import DayForecast, Forecaster, SeriesHistory
from forecasting.models.baselines import SameSlotMean
from forecasting.models.boosting import LightGBMModel
from forecasting.models.calendar import CalendarRegression


class Ensemble(Forecaster):
    """The mean of the members' interval forecasts (by default the calendar regression, LightGBM and the 4-week
    same-slot mean: two different structures and the robust baseline, all cheap; the baseline holds the mean
    near it on the weeks where both structures go wrong); the day-total error is the members' root-mean-square
    one."""

    alias = "ensemble"

    def __init__(
        self, members: Sequence[Callable[[], Forecaster]] = (CalendarRegression, LightGBMModel, SameSlotMean)
    ) -> None:
        super().__init__()
        self.members = [make() for make in members]

    def _fit_series(self, history: SeriesHistory) -> list[object]:
        """Each member's fit on the same history."""
        return [member._fit_series(history) for member in self.members]

    def _forecast_series(self, state: object, history: SeriesHistory, days: pd.DatetimeIndex) -> DayForecast:
        """The members' mean forecast."""
        assert isinstance(state, list)
        parts = [m._forecast_series(s, history, days) for m, s in zip(self.members, state, strict=True)]
        mean = np.mean([np.clip(p.mean, 0.0, None) for p in parts], axis=0)
        sigma = np.sqrt(np.mean([np.asarray(p.daily_log_sigma, float) ** 2 for p in parts], axis=0))
        return DayForecast(mean, np.broadcast_to(sigma, (len(days),)).copy())
