"""Rolling-origin backtests: WAPE, MASE, bias and coverage per model and horizon; automatic model choice."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from forecasting.grid import infer_interval_minutes, to_grid
from forecasting.metrics import bias, coverage, seasonal_naive_scale, wape
from forecasting.models.base import DS, ID, Y_HAT, Y_HI, Y_LO, Forecaster, Y

HORIZONS: tuple[tuple[str, int, int], ...] = (
    ("day-ahead", 1, 1),
    ("week-ahead", 1, 7),
    ("days 8-14", 8, 14),
    ("days 15-28", 15, 28),
    ("all", 1, 10_000),
)
Progress = Callable[[str], None]


@dataclass(frozen=True)
class BacktestResult:
    """Every backtest forecast next to its actual value, the metrics table and the chosen model."""

    forecasts: pd.DataFrame
    metrics: pd.DataFrame
    chosen: str

    def to_dict(self) -> dict:
        """Plain data for JSON and the UI: chosen model, metrics rows and origins."""
        origins = sorted({str(pd.Timestamp(o).date()) for o in self.forecasts["origin"].unique()})
        rows = self.metrics.replace({np.nan: None}).to_dict(orient="records")
        return {"chosen": self.chosen, "origins": origins, "metrics": rows}


def rolling_origins(df: pd.DataFrame, horizon_days: int, count: int, step_days: int = 7) -> list[pd.Timestamp]:
    """`count` origins `step_days` apart, the last one leaving `horizon_days` of data after it."""
    last_day = pd.to_datetime(df[DS]).max().normalize()
    final = last_day - pd.Timedelta(days=horizon_days - 1)
    return [final - pd.Timedelta(days=step_days * k) for k in range(count - 1, -1, -1)]


def _mase_scale(train: pd.DataFrame) -> float:
    """In-sample MAE of the weekly seasonal naive at the data's interval (all series pooled)."""
    errors = []
    for _, part in train.groupby(ID):
        grid = to_grid(part[DS], part[Y], infer_interval_minutes(part[DS]))
        errors.append(seasonal_naive_scale(grid.values.ravel(), 7 * grid.slots_per_day))
    finite = [e for e in errors if np.isfinite(e)]
    return float(np.mean(finite)) if finite else float("nan")


def run_backtest(
    df: pd.DataFrame,
    models: Sequence[Forecaster],
    origins: Sequence[pd.Timestamp],
    horizon_days: int,
    *,
    progress: Progress | None = None,
) -> BacktestResult:
    """Fit every model on the data before each origin and forecast `horizon_days` days from it.

    A forecast's lead is counted in days with data after the origin (day-ahead = the next open day).
    """
    frame = df[[ID, DS, Y]].copy()
    frame[DS] = pd.to_datetime(frame[DS])
    parts, scales = [], {}
    for number, origin in enumerate(origins, start=1):
        origin = pd.Timestamp(origin).normalize()
        train = frame[frame[DS] < origin]
        end = origin + pd.Timedelta(days=horizon_days)
        test = frame[(frame[DS] >= origin) & (frame[DS] < end)]
        if train.empty or test.empty:
            continue
        scales[origin] = _mase_scale(train)
        for model in models:
            if progress:
                progress(f"backtest origin {number}/{len(origins)} ({origin.date()}): {model.alias}")
            predicted = model.fit(train).forecast(test[[ID, DS]])
            out = test.reset_index(drop=True).copy()
            out[[Y_HAT, Y_LO, Y_HI]] = predicted[[Y_HAT, Y_LO, Y_HI]].to_numpy()
            out["model"] = model.alias
            out["origin"] = origin
            out["lead_days"] = out[DS].dt.normalize().rank(method="dense").astype(int)
            parts.append(out)
    if not parts:
        raise ValueError("no backtest origin has data both before and after it")
    forecasts = pd.concat(parts, ignore_index=True)
    metrics = summarise(forecasts, scales)
    return BacktestResult(forecasts, metrics, choose_model(metrics))


def summarise(forecasts: pd.DataFrame, scales: dict[pd.Timestamp, float]) -> pd.DataFrame:
    """Metrics per model and horizon bucket (pooled over origins)."""
    rows = []
    scale_of = forecasts["origin"].map(scales).to_numpy()
    for model, part in forecasts.groupby("model", sort=False):
        part_scale = scale_of[part.index]
        for name, first, last in HORIZONS:
            pick = (part["lead_days"] >= first) & (part["lead_days"] <= last)
            if not pick.any():
                continue
            sub = part[pick]
            scaled = np.abs(sub[Y] - sub[Y_HAT]) / part_scale[pick.to_numpy()]
            rows.append(
                {
                    "model": model,
                    "horizon": name,
                    "wape": wape(sub[Y], sub[Y_HAT]),
                    "mase": float(scaled.mean()),
                    "bias": bias(sub[Y], sub[Y_HAT]),
                    "coverage": coverage(sub[Y], sub[Y_LO], sub[Y_HI]),
                    "intervals": len(sub),
                },
            )
    return pd.DataFrame(rows)


def choose_model(metrics: pd.DataFrame, horizon: str = "all") -> str:
    """The model with the lowest WAPE over all backtest forecasts."""
    table = metrics[metrics["horizon"] == horizon]
    return str(table.sort_values("wape").iloc[0]["model"])
