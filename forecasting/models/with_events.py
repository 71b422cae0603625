"""A wrapper that keeps event days out of a model's fit and applies the event calendar to its forecast."""

from __future__ import annotations

import numpy as np
import pandas as pd

from forecasting.events import (
    EventCalendar,
    LearnedEffects,
    adjust_days,
    closed_days,
    event_mask,
    learn_effects,
    unusual_event_days,
)
from forecasting.grid import DayGrid
from forecasting.models.base import DayForecast, Forecaster, SeriesHistory, describe_series
from forecasting.profile import complete_days, open_slots_by_weekday

# Closed days are looked up this far past the end of the history (the longest plan is shorter).
CLOSED_DAYS_AHEAD = 400


class WithEvents(Forecaster):
    """The inner model fitted without the event-window days that were unusual (those within the normal day-to-day
    noise stay: unusual_event_days); event days = its forecast × the learned ratio, spread with the event's learned
    intraday shape where past occurrences show one."""

    def __init__(self, model: Forecaster, calendar: EventCalendar) -> None:
        super().__init__()
        self.model = model
        self.calendar = calendar
        self.alias = model.alias
        self.level = model.level
        self._learned = LearnedEffects()

    def _prepare(self, uid: str, grid: DayGrid) -> SeriesHistory:
        """Learn the events from the full history, then blank their unusual days for the inner model."""
        open_slots = open_slots_by_weekday(grid)
        usable = complete_days(grid, open_slots)
        self._learned = learn_effects(grid, open_slots, usable, self.calendar)
        in_event = event_mask(self.calendar, grid.days, open_slots.any(axis=1))
        blank = unusual_event_days(np.where(usable, grid.daily_totals(), np.nan), in_event)
        values = grid.values.copy()
        values[blank] = np.nan
        span = (grid.first_day.date(), (grid.days[-1] + pd.Timedelta(days=CLOSED_DAYS_AHEAD)).date())
        closed = closed_days(self._learned, self.calendar, span=span)
        return describe_series(DayGrid(grid.first_day, grid.interval_minutes, values), closed)

    def _fit_series(self, history: SeriesHistory) -> tuple[object, LearnedEffects]:
        """The inner model's fit on the cleaned history, with the effects learned by _prepare."""
        return self.model._fit_series(history), self._learned

    def _forecast_series(self, state: object, history: SeriesHistory, days: pd.DatetimeIndex) -> DayForecast:
        """The inner forecast with event days scaled (and reshaped where a shape was learned)."""
        assert isinstance(state, tuple)
        inner_state, effects = state
        inner = self.model._forecast_series(inner_state, history, days)
        change = adjust_days(effects, self.calendar, days, history.open_slots)
        mean = np.clip(inner.mean, 0.0, None)
        totals = mean.sum(axis=1, keepdims=True)
        base_shares = np.divide(mean, totals, out=np.zeros_like(mean), where=totals > 0)
        shares = np.where(change.has_shares[:, None], 0.67 * change.shares + 0.33 * base_shares, base_shares)
        adjusted = totals * change.ratio[:, None] * shares
        sigma = np.asarray(inner.daily_log_sigma, float)
        sigma = np.hypot(sigma, change.log_sigma)  # the event's own uncertainty (learned; 0 outside events)
        return DayForecast(adjusted, sigma)
