"""The per-queue forecast on an engine (`wfm.engines`: local, or Dask workers): queues go out in batches, each
batch's backtest forecasts, final forecast and AHT are computed where the engine runs it, and the model choice,
the backtest metrics and the AHT check are made here from the gathered parts with the one-process code.

Every model fits and forecasts each series on its own, so a batch's numbers are the one-process numbers of its
queues; what spans queues is done here on everything: the backtest origins and test rows (lead days are ranked
over all queues), the MASE scale (the mean of every series' scale, in series order), the metrics and the choice,
and the end of AHT's recent weeks. `build_forecast_on(engine, ...)` therefore returns exactly (bit for bit) what
`forecasting.pipeline.build_forecast` returns, on any engine and any batching (tests/forecasting/test_engines.py).
One difference in wording only: a model that raises at a backtest origin is skipped there for every queue, as
in one process, and its failure line quotes the first failing batch's error.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import partial

import numpy as np
import pandas as pd

from forecasting.aht import forecast_aht, recent_end
from forecasting.backtest import (
    BacktestError,
    BacktestResult,
    Progress,
    _failure_lines,
    _grids_before,
    _no_forecast_reason,
    _scored,
    choose_model,
    rolling_origins,
    summarise,
)
from forecasting.events import EventCalendar
from forecasting.metrics import seasonal_naive_scale
from forecasting.models import AUTO_ALIASES, DS, ID, Y_HAT, Y_HI, Y_LO, make_model
from forecasting.models.base import check_frame, series_arrays
from forecasting.pipeline import (
    BACKTEST_ORIGINS,
    DEFAULT_MODEL,
    MAX_BACKTEST_DAYS,
    MIN_BACKTEST_DAYS,
    ForecastRun,
    calibrated,
    contract_frame,
    forecast_volume,
    to_long,
)
from wfm.engines import Engine
from wfm.errors import InputError

BATCHES_PER_WORKER = 4  # more batches than workers, so a slow batch does not leave the others idle


@dataclass(frozen=True)
class BatchBacktest:
    """One batch's backtest parts: per origin the per-series MASE scales (series order), and per (origin, model)
    the forecasts of the batch's test rows (indexed like the history rows) or the error the model raised."""

    scales: dict[pd.Timestamp, dict[str, float]] = field(default_factory=dict)
    forecasts: dict[tuple[pd.Timestamp, str], pd.DataFrame] = field(default_factory=dict)
    errors: dict[tuple[pd.Timestamp, str], str] = field(default_factory=dict)


@dataclass(frozen=True)
class BatchForecast:
    """One batch's volume forecast (with `model`), its fallback warnings and the AHT of each row."""

    volume: pd.DataFrame
    warnings: tuple[str, ...]
    aht: np.ndarray


def queue_batches(queues: Sequence[str], count: int) -> list[list[str]]:
    """Sorted queues cut into `count` (at most one per queue) contiguous batches of nearly equal size."""
    ordered = sorted(queues)
    count = max(1, min(count, len(ordered)))
    return [list(part) for part in np.array_split(np.array(ordered, dtype=object), count) if len(part)]


def split_history(past: pd.DataFrame, batches: Sequence[Sequence[str]]) -> list[pd.DataFrame]:
    """The history rows of each batch of queues, in their original order and with their original labels."""
    codes, uniques = pd.factorize(past["queue"].astype(str))
    position = {queue: b for b, batch in enumerate(batches) for queue in batch}
    owner = np.array([position[str(q)] for q in uniques], dtype=np.int64)[codes]
    order = np.argsort(owner, kind="stable")  # rows grouped by batch, original order within each
    bounds = np.searchsorted(owner[order], np.arange(len(batches) + 1))
    return [past.take(order[bounds[b] : bounds[b + 1]]) for b in range(len(batches))]


def backtest_batch(
    past: pd.DataFrame, *, aliases: tuple[str, ...], calendar: EventCalendar | None, origins: tuple, horizon: int
) -> BatchBacktest:
    """Fit every model before each origin on this batch's queues and forecast their test rows (as
    `forecasting.backtest.run_backtest` does for all queues at once)."""
    frame = check_frame(to_long(past))
    arrays = series_arrays(frame)
    names = frame[ID].astype(str)
    models = [make_model(alias, calendar) for alias in aliases]
    out = BatchBacktest()
    for origin in origins:
        train = _grids_before(arrays, origin)
        if not train:
            continue
        out.scales[origin] = {
            uid: seasonal_naive_scale(grid.values.ravel(), 7 * grid.slots_per_day) for uid, grid in train.items()
        }
        test = _test_index(frame, names.isin(list(train)), origin, horizon)
        for model in models:
            try:
                fitted = model.fit_grids(train)
                predicted = fitted.forecast(test[[ID, DS]]) if len(test) else test[[ID, DS]].assign(y_hat=0.0)
            except Exception as exc:  # as in run_backtest: recorded, the model is skipped at this origin
                out.errors[(origin, model.alias)] = f"{type(exc).__name__}: {exc}"
                continue
            out.forecasts[(origin, model.alias)] = predicted.reindex(columns=[Y_HAT, Y_LO, Y_HI])
    return out


def _test_index(frame: pd.DataFrame, trained: pd.Series, origin: pd.Timestamp, horizon: int) -> pd.DataFrame:
    """The rows of trained series within `horizon` days from `origin`, keeping the history's row labels."""
    end = origin + pd.Timedelta(days=horizon)
    return frame[trained & (frame[DS] >= origin) & (frame[DS] < end)]


def merge_backtests(
    long: pd.DataFrame, parts: Sequence[BatchBacktest], aliases: tuple[str, ...], origins: tuple, horizon: int
) -> BacktestResult:
    """The backtest of all queues from the batches' parts: test rows, lead days, scales, metrics and choice
    computed here over every queue, as run_backtest does. `long` holds at least the rows from the first origin
    on (with the history's row labels: the batches' forecasts are matched by them)."""
    frame = check_frame(long)
    names = frame[ID].astype(str)
    scored, scales, errors = [], {}, {}
    for origin in origins:
        per_series = {uid: s for part in parts for uid, s in part.scales.get(origin, {}).items()}
        if not per_series:
            continue
        test = _test_index(frame, names.isin(list(per_series)), origin, horizon)
        if test.empty:
            continue
        finite = [s for s in per_series.values() if np.isfinite(s)]
        scales[origin] = float(np.mean(finite)) if finite else float("nan")
        for alias in aliases:
            failed = [part.errors[(origin, alias)] for part in parts if (origin, alias) in part.errors]
            if failed:
                errors.setdefault(alias, []).append(failed[0])
                continue
            found = [part.forecasts[(origin, alias)] for part in parts if (origin, alias) in part.forecasts]
            predicted = pd.concat(found).reindex(test.index)
            scored.append(_scored(test.reset_index(drop=True), predicted.reset_index(drop=True), alias, origin))
    if not scored:
        raise BacktestError(_no_forecast_reason(errors))
    forecasts = pd.concat(scored, ignore_index=True)
    metrics = summarise(forecasts, scales)
    chosen = choose_model(metrics, forecasts=forecasts)
    return BacktestResult(forecasts, metrics, chosen, _failure_lines(errors, len(scales)))


def forecast_batch(
    past: pd.DataFrame,
    *,
    alias: str,
    calendar: EventCalendar | None,
    start: pd.Timestamp,
    days: int,
    file: str | None,
    aht_seconds: float | None,
    aht_end: pd.Timestamp | None,
) -> BatchForecast:
    """This batch's volume forecast (fallback per failing queue, as forecast_volume) and its AHT per row."""
    volume, warnings = forecast_volume(to_long(past), alias, calendar, start, days, file=file)
    future = pd.DataFrame({"queue": volume[ID].to_numpy(), "interval_start": volume[DS].to_numpy()})
    aht = forecast_aht(past, future, fallback_seconds=aht_seconds, end=aht_end)
    return BatchForecast(volume, warnings, aht)


def build_forecast_on(
    engine: Engine,
    history: pd.DataFrame,
    start: pd.Timestamp,
    days: int,
    *,
    model: str = "auto",
    calendar: EventCalendar | None = None,
    backtest: bool = False,
    aht_seconds: float | None = None,
    progress: Progress | None = None,
    batches: int | None = None,
) -> ForecastRun:
    """`forecasting.pipeline.build_forecast` with the per-queue work on `engine`, in `batches` batches of
    queues (default: BATCHES_PER_WORKER per worker); the same result, bit for bit."""
    start = pd.Timestamp(start).normalize()
    past = history[pd.to_datetime(history["interval_start"]) < start].reset_index(drop=True)
    if past.empty:
        raise ValueError(f"the history has no data before {start.date()}")
    file = history.attrs.get("file")
    groups = queue_batches(past["queue"].astype(str).unique(), batches or BATCHES_PER_WORKER * engine.workers)
    labels = [f"{g[0]}…{g[-1]} ({len(g)} queues)" if len(g) > 1 else g[0] for g in groups]
    parts = engine.put(split_history(past, groups))
    chosen, result, notes = model, None, ()
    if model == "auto" or backtest:
        aliases = AUTO_ALIASES if model == "auto" else (model,)
        horizon = max(MIN_BACKTEST_DAYS, min(days, MAX_BACKTEST_DAYS))
        stamps = pd.to_datetime(past["interval_start"])
        last = pd.DataFrame({DS: [stamps.max()]})  # all rolling_origins reads of the history
        origins = tuple(pd.Timestamp(o).normalize() for o in rolling_origins(last, horizon, BACKTEST_ORIGINS))
        job = partial(backtest_batch, aliases=aliases, calendar=calendar, origins=origins, horizon=horizon)
        found = engine.map(job, parts, labels=[f"backtest {x}" for x in labels], progress=progress)
        tail = to_long(past[stamps >= min(origins)])  # the test rows' part of the history, its labels kept
        try:
            result = merge_backtests(tail, found, aliases, origins, horizon)
        except BacktestError as exc:
            chosen = DEFAULT_MODEL if model == "auto" else model
            notes = (f"no backtest ({exc}); forecasting with {chosen}",)
        else:
            chosen = result.chosen if model == "auto" else model
            notes = tuple(f"backtest: {line}" for line in result.failures)
    job = partial(
        forecast_batch,
        alias=chosen,
        calendar=calendar,
        start=start,
        days=days,
        file=file,
        aht_seconds=aht_seconds,
        aht_end=recent_end(past),
    )
    done: list[BatchForecast] = engine.map(job, parts, labels=[f"forecast {x}" for x in labels], progress=progress)
    volume = pd.concat([d.volume for d in done], ignore_index=True)
    volume = calibrated(volume, result, chosen, start, long=to_long(past) if result else None, calendar=calendar)
    aht = np.concatenate([d.aht for d in done])
    _check_aht(volume, aht, file)
    fallbacks = tuple(w for d in done for w in d.warnings)
    return ForecastRun(contract_frame(volume, aht), chosen, result, (*notes, *fallbacks))


def _check_aht(volume: pd.DataFrame, aht: np.ndarray, file: str | None) -> None:
    """InputError naming every queue without AHT (the message of forecasting.pipeline.checked_aht)."""
    missing = ~(np.isfinite(aht) & (aht >= 0))
    if missing.any():
        queues = ", ".join(f'"{q}"' for q in sorted(set(volume.loc[missing, ID].astype(str))))
        raise InputError(f"no AHT (aht_seconds) in the history for queue(s) {queues}; pass --aht-seconds", file=file)
