"""From checked history to the forecast contract: choose a model by backtest, forecast volume, bounds and AHT.

Every number in the output (volume, volume_lo, volume_hi, aht_seconds) is finite and non-negative. A queue on
which the chosen model fails (raises, or gives a non-finite, negative or implausible number) is forecast by the
plain `same_slot_mean` baseline instead; its `model` column says so and `ForecastRun.warnings` explains why. If
the baseline fails too, or a queue has no AHT, InputError names the queue and nothing is forecast.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import pandas as pd

from forecasting.aht import forecast_aht
from forecasting.backtest import BacktestError, BacktestResult, Progress, rolling_origins, run_backtest
from forecasting.calibration import apply_bands, calibrate_bands, lead_days_of
from forecasting.events import EventCalendar
from forecasting.models import AUTO_ALIASES, DS, ID, Y_HAT, Y_HI, Y_LO, Forecaster, Y, make_model
from wfm.errors import InputError
from wfm.limits import MAX_CONTACTS_PER_INTERVAL, MAX_VOLUME_MULTIPLIER

FORECAST_COLUMNS = ("queue", "interval_start", "volume", "aht_seconds", "volume_lo", "volume_hi", "model")
BACKTEST_ORIGINS = 4
# The chosen model's bands are calibrated on its forecasts at the choice's origins and this many weekly origins
# before them (only the chosen model is refitted there): 8 weeks of residuals instead of 4.
EXTRA_CALIBRATION_ORIGINS = 4
MIN_CALIBRATION_HISTORY_DAYS = 28  # an extra origin needs this much history before it
MIN_BACKTEST_DAYS = 7
MAX_BACKTEST_DAYS = 28
# The model `auto` uses when the history is too short to backtest any model.
DEFAULT_MODEL = "calendar"
# The baseline for a queue on which the chosen model fails: simple enough to be finite on any accepted history.
FALLBACK_MODEL = "same_slot_mean"
# A forecast above this many contacts in one interval is a model failure (the largest accepted history value
# times the largest promotion multiplier), as is any NaN, infinity or negative number.
MAX_FORECAST_CONTACTS = MAX_CONTACTS_PER_INTERVAL * MAX_VOLUME_MULTIPLIER
VOLUME_COLUMNS = (Y_HAT, Y_LO, Y_HI)


@dataclass(frozen=True)
class ForecastRun:
    """The forecast in contract columns, the model chosen, the backtest behind the choice (if run) and
    warnings for the planner (a queue forecast by the fallback baseline, a backtest that could not run)."""

    frame: pd.DataFrame
    model: str
    backtest: BacktestResult | None
    warnings: tuple[str, ...] = ()


def to_long(history: pd.DataFrame) -> pd.DataFrame:
    """History (queue, interval_start, offered) as a model frame (unique_id, ds, y)."""
    return pd.DataFrame(
        {ID: history["queue"].astype(str), DS: pd.to_datetime(history["interval_start"]), Y: history["offered"]},
    )


def backtest_models(
    long: pd.DataFrame,
    aliases: tuple[str, ...],
    horizon_days: int,
    calendar: EventCalendar | None,
    *,
    origins: int = BACKTEST_ORIGINS,
    progress: Progress | None = None,
) -> BacktestResult:
    """Rolling-origin backtest of the named models: `origins` weekly origins at the end of the history, each
    forecasting the plan's horizon (at least a week, so that a day-ahead choice rests on enough days)."""
    horizon = max(MIN_BACKTEST_DAYS, min(horizon_days, MAX_BACKTEST_DAYS))
    points = rolling_origins(long, horizon, origins)
    models = [make_model(alias, calendar) for alias in aliases]
    return run_backtest(long, models, points, horizon, progress=progress)


def build_forecast(
    history: pd.DataFrame,
    start: pd.Timestamp,
    days: int,
    *,
    model: str = "auto",
    calendar: EventCalendar | None = None,
    backtest: bool = False,
    aht_seconds: float | None = None,
    progress: Progress | None = None,
) -> ForecastRun:
    """Forecast `days` days from `start` with the history before `start`.

    model "auto" backtests every model and keeps the one with the lowest WAPE; with `backtest` the named
    model is backtested too (for the report). AHT comes from the history (or `aht_seconds` where it has none).
    Output numbers are finite and non-negative (see the module notes); InputError names a queue that cannot
    be forecast.
    """
    start = pd.Timestamp(start).normalize()
    past = history[pd.to_datetime(history["interval_start"]) < start]
    if past.empty:
        raise ValueError(f"the history has no data before {start.date()}")
    long = to_long(past)
    result, chosen, notes = select_model(long, model, days, calendar, backtest=backtest, progress=progress)
    volume, fallbacks = forecast_volume(long, chosen, calendar, start, days, file=history.attrs.get("file"))
    volume = calibrated(volume, result, chosen, start, long=long, calendar=calendar)
    aht = checked_aht(past, volume, aht_seconds, file=history.attrs.get("file"))
    return ForecastRun(contract_frame(volume, aht), chosen, result, (*notes, *fallbacks))


def select_model(
    long: pd.DataFrame,
    model: str,
    days: int,
    calendar: EventCalendar | None,
    *,
    backtest: bool,
    progress: Progress | None = None,
) -> tuple[BacktestResult | None, str, tuple[str, ...]]:
    """The backtest (if asked or needed), the model to use and warnings. `auto` takes the lowest WAPE, or
    DEFAULT_MODEL when the history is too short to backtest."""
    if model != "auto" and not backtest:
        return None, model, ()
    aliases = AUTO_ALIASES if model == "auto" else (model,)
    try:
        result = backtest_models(long, aliases, days, calendar, progress=progress)
    except BacktestError as exc:
        chosen = DEFAULT_MODEL if model == "auto" else model
        return None, chosen, (f"no backtest ({exc}); forecasting with {chosen}",)
    chosen = result.chosen if model == "auto" else model
    return result, chosen, tuple(f"backtest: {line}" for line in result.failures)


def calibrated(
    volume: pd.DataFrame,
    result: BacktestResult | None,
    alias: str,
    start: pd.Timestamp,
    *,
    long: pd.DataFrame | None = None,
    calendar: EventCalendar | None = None,
) -> pd.DataFrame:
    """The rows forecast by `alias` with conformal 80 % bands from its backtest residuals (forecasting.calibration):
    the choice's origins plus, given the model frame `long`, EXTRA_CALIBRATION_ORIGINS earlier ones; ordinary
    days only when a `calendar` is given. Unchanged without a backtest of it or with too few residuals."""
    if result is None:
        return volume
    calibration = calibrate_bands(calibration_forecasts(result, alias, long, calendar), alias, calendar=calendar)
    if calibration is None:
        return volume
    mine = (volume["model"] == alias).to_numpy() if "model" in volume else np.ones(len(volume), bool)
    out = volume.copy()
    for _, rows in volume[mine].groupby(ID, sort=False):
        banded = apply_bands(rows, calibration, lead_days_of(rows[DS], start))
        out.loc[rows.index, [Y_LO, Y_HI]] = banded[[Y_LO, Y_HI]].to_numpy()
    return out


def calibration_forecasts(
    result: BacktestResult, alias: str, long: pd.DataFrame | None, calendar: EventCalendar | None
) -> pd.DataFrame:
    """The backtest forecasts of `alias`, with (given `long`) its forecasts at EXTRA_CALIBRATION_ORIGINS weekly
    origins before the choice's first origin, same horizon (fewer where the history is too short)."""
    own = result.forecasts[result.forecasts["model"] == alias]
    if long is None or own.empty or EXTRA_CALIBRATION_ORIGINS == 0:
        return own
    first = pd.Timestamp(own["origin"].min())
    horizon = int((own[DS].max().normalize() - pd.Timestamp(own["origin"].max())).days) + 1
    earliest = pd.to_datetime(long[DS]).min().normalize() + pd.Timedelta(days=MIN_CALIBRATION_HISTORY_DAYS)
    origins = [first - pd.Timedelta(days=7 * k) for k in range(EXTRA_CALIBRATION_ORIGINS, 0, -1)]
    origins = [o for o in origins if o >= earliest]
    if not origins:
        return own
    try:
        extra = run_backtest(long[long[DS] < first], [make_model(alias, calendar)], origins, horizon)
    except BacktestError:
        return own
    return pd.concat([extra.forecasts, own], ignore_index=True)


def fit_model(long: pd.DataFrame, alias: str, calendar: EventCalendar | None) -> Forecaster:
    """The named model (wrapped with the calendar) fitted on the whole model frame."""
    return make_model(alias, calendar).fit(long)


def predict_window(fitted: Forecaster, start: pd.Timestamp, days: int) -> pd.DataFrame:
    """The fitted model's forecast (unique_id, ds, y_hat, y_lo, y_hi) of the `days` days from `start`."""
    start = pd.Timestamp(start).normalize()
    ahead = int((start - fitted.history_end()) / pd.Timedelta(days=1)) - 1 + days
    predicted = fitted.forecast(ahead)
    end = start + pd.Timedelta(days=days)
    return predicted[(predicted[DS] >= start) & (predicted[DS] < end)].reset_index(drop=True)


def forecast_volume(
    long: pd.DataFrame,
    alias: str,
    calendar: EventCalendar | None,
    start: pd.Timestamp,
    days: int,
    *,
    file: str | None = None,
) -> tuple[pd.DataFrame, tuple[str, ...]]:
    """Volume and bounds per queue and interval with a `model` column, and one warning per queue that the
    fallback baseline forecast because `alias` failed there; InputError if the baseline fails too."""
    try:
        predicted = predict_window(fit_model(long, alias, calendar), start, days)
        failed = {queue: "non-finite, negative or implausible values" for queue in unusable_queues(predicted)}
    except InputError:
        raise
    except Exception:  # some queue broke the model: fit them one at a time to find which
        predicted, failed = _per_queue(long, lambda part: predict_window(fit_model(part, alias, calendar), start, days))
    predicted = predicted.assign(model=alias)
    if not failed:
        return predicted, ()
    replaced = [_fallback(long[long[ID] == queue], queue, start, days, file) for queue in failed]
    kept = predicted[~predicted[ID].isin(list(failed))]
    frame = pd.concat([kept, *replaced], ignore_index=True).sort_values([ID, DS], kind="stable")
    warnings = tuple(
        f'queue "{q}": {alias} failed ({why}); forecast with {FALLBACK_MODEL}' for q, why in failed.items()
    )
    return frame.reset_index(drop=True), warnings


def unusable_queues(predicted: pd.DataFrame) -> list[str]:
    """Queues with a NaN, infinite, negative or implausibly large (> MAX_FORECAST_CONTACTS) volume or bound."""
    values = predicted[list(VOLUME_COLUMNS)].to_numpy(float)
    bad = ~(np.isfinite(values) & (values >= 0) & (values <= MAX_FORECAST_CONTACTS)).all(axis=1)
    return sorted(set(predicted.loc[bad, ID].astype(str)))


def _per_queue(
    long: pd.DataFrame, predict: Callable[[pd.DataFrame], pd.DataFrame]
) -> tuple[pd.DataFrame, dict[str, str]]:
    """`predict` on each queue alone: the usable forecasts and, per failed queue, why it failed."""
    parts, failed = [], {}
    for queue, part in long.groupby(ID, sort=True):
        try:
            predicted = predict(part)
        except InputError:
            raise
        except Exception as exc:  # any model error on this queue means: use the baseline
            failed[str(queue)] = f"{type(exc).__name__}: {exc}"
            continue
        if unusable_queues(predicted):
            failed[str(queue)] = "non-finite, negative or implausible values"
            continue
        parts.append(predicted)
    columns = [ID, DS, *VOLUME_COLUMNS]
    return (pd.concat(parts, ignore_index=True) if parts else pd.DataFrame(columns=columns)), failed


def _fallback(part: pd.DataFrame, queue: str, start: pd.Timestamp, days: int, file: str | None) -> pd.DataFrame:
    """The plain FALLBACK_MODEL forecast of one queue; InputError naming the queue if that is unusable too."""
    try:
        predicted = predict_window(fit_model(part, FALLBACK_MODEL, None), start, days)
    except InputError:
        raise
    except Exception as exc:  # reported to the planner as bad input on this queue
        raise InputError(f'queue "{queue}" cannot be forecast from its history ({exc})', file=file) from exc
    if unusable_queues(predicted):
        raise InputError(
            f'queue "{queue}" cannot be forecast from its history: no model gives finite, plausible volumes; check '
            "its offered values",
            file=file,
        )
    return predicted.assign(model=FALLBACK_MODEL)


def checked_aht(
    past: pd.DataFrame, volume: pd.DataFrame, fallback_seconds: float | None, *, file: str | None = None
) -> np.ndarray:
    """AHT seconds per forecast row (see forecast_aht); InputError naming the queues that have none."""
    future = pd.DataFrame({"queue": volume[ID].to_numpy(), "interval_start": volume[DS].to_numpy()})
    aht = forecast_aht(past, future, fallback_seconds=fallback_seconds)
    missing = ~(np.isfinite(aht) & (aht >= 0))
    if missing.any():
        queues = ", ".join(f'"{q}"' for q in sorted(set(future.loc[missing, "queue"].astype(str))))
        raise InputError(f"no AHT (aht_seconds) in the history for queue(s) {queues}; pass --aht-seconds", file=file)
    return aht


def contract_frame(volume: pd.DataFrame, aht: np.ndarray) -> pd.DataFrame:
    """The forecast in contract columns and order (volumes to 0.001 contacts, AHT to 0.1 s)."""
    frame = pd.DataFrame(
        {
            "queue": volume[ID].to_numpy(),
            "interval_start": volume[DS].to_numpy(),
            "volume": volume[Y_HAT].round(3).to_numpy(),
            "aht_seconds": np.round(aht, 1),
            "volume_lo": volume[Y_LO].round(3).to_numpy(),
            "volume_hi": volume[Y_HI].round(3).to_numpy(),
            "model": volume["model"].to_numpy(),
        },
    )
    return frame[list(FORECAST_COLUMNS)]
