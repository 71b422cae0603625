"""Rolling-origin backtests: WAPE, MASE, bias and coverage per model and horizon; automatic model choice."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from forecasting.grid import DayGrid
from forecasting.metrics import bias, coverage, seasonal_naive_scale, wape
from forecasting.models.base import DS, ID, Y_HAT, Y_HI, Y_LO, Forecaster, Y, check_frame, series_arrays, series_grids

HORIZONS: tuple[tuple[str, int, int], ...] = (
    ("day-ahead", 1, 1),
    ("week-ahead", 1, 7),
    ("days 8-14", 8, 14),
    ("days 15-28", 15, 28),
    ("all", 1, 10_000),
)
Progress = Callable[[str], None]


class BacktestError(ValueError):
    """No backtest forecast could be made (too little data around the origins, or every model failed)."""


@dataclass(frozen=True)
class BacktestResult:
    """Every backtest forecast next to its actual value, the metrics table, the chosen model and the models
    that failed at some origins (one line each: model, how often, the first error)."""

    forecasts: pd.DataFrame
    metrics: pd.DataFrame
    chosen: str
    failures: tuple[str, ...] = ()

    def to_dict(self) -> dict:
        """Plain data for JSON and the UI: chosen model, metrics rows, origins and model failures."""
        origins = sorted({str(pd.Timestamp(o).date()) for o in self.forecasts["origin"].unique()})
        rows = self.metrics.replace({np.nan: None}).to_dict(orient="records")
        return {
            "chosen": self.chosen,
            "reason": explain_choice(self.metrics, self.chosen),
            "origins": origins,
            "metrics": rows,
            "failures": list(self.failures),
        }


def rolling_origins(df: pd.DataFrame, horizon_days: int, count: int, step_days: int = 7) -> list[pd.Timestamp]:
    """`count` origins `step_days` apart, the last one leaving `horizon_days` of data after it."""
    last_day = pd.to_datetime(df[DS]).max().normalize()
    final = last_day - pd.Timedelta(days=horizon_days - 1)
    return [final - pd.Timedelta(days=step_days * k) for k in range(count - 1, -1, -1)]


def _mase_scale(grids: Mapping[str, DayGrid]) -> float:
    """In-sample MAE of the weekly seasonal naive at the data's interval (all series pooled)."""
    errors = [seasonal_naive_scale(grid.values.ravel(), 7 * grid.slots_per_day) for grid in grids.values()]
    finite = [e for e in errors if np.isfinite(e)]
    return float(np.mean(finite)) if finite else float("nan")


def _grids_before(arrays: Mapping[str, tuple[np.ndarray, np.ndarray]], origin: pd.Timestamp) -> dict[str, DayGrid]:
    """Each series' grid of the data before `origin` (the same grids fit() builds from that part of the frame)."""
    cut = np.datetime64(origin.to_datetime64(), "ns")
    return series_grids(
        {uid: (ds[: np.searchsorted(ds, cut)], y[: np.searchsorted(ds, cut)]) for uid, (ds, y) in arrays.items()}
    )


def run_backtest(
    df: pd.DataFrame,
    models: Sequence[Forecaster],
    origins: Sequence[pd.Timestamp],
    horizon_days: int,
    *,
    progress: Progress | None = None,
) -> BacktestResult:
    """Fit every model on the data before each origin and forecast `horizon_days` days from it.

    A forecast's lead is counted in days with data after the origin (day-ahead = the next open day). Each
    series is placed on its day grid once per origin and shared by the models (no copy of the frame per fit);
    series without data before an origin are not scored there. A model that raises at an origin is skipped
    there and listed in `failures`; BacktestError if no forecast at all could be made.
    """
    frame = check_frame(df)
    arrays = series_arrays(frame)
    names = frame[ID].astype(str)
    parts, scales, errors = [], {}, {}
    for number, origin in enumerate(origins, start=1):
        origin = pd.Timestamp(origin).normalize()
        train = _grids_before(arrays, origin)
        test = _test_rows(frame, names.isin(list(train)), origin, horizon_days)
        if not train or test.empty:
            continue
        scales[origin] = _mase_scale(train)
        for model in models:
            if progress:
                progress(f"backtest origin {number}/{len(origins)} ({origin.date()}): {model.alias}")
            try:
                predicted = model.fit_grids(train).forecast(test[[ID, DS]])
            except Exception as exc:  # a model failing on some data must not end the comparison
                errors.setdefault(model.alias, []).append(f"{type(exc).__name__}: {exc}")
                continue
            parts.append(_scored(test, predicted, model.alias, origin))
    if not parts:
        raise BacktestError(_no_forecast_reason(errors))
    forecasts = pd.concat(parts, ignore_index=True)
    metrics = summarise(forecasts, scales)
    chosen = choose_model(metrics, forecasts=forecasts)
    return BacktestResult(forecasts, metrics, chosen, _failure_lines(errors, len(scales)))


def _test_rows(frame: pd.DataFrame, trained: pd.Series, origin: pd.Timestamp, horizon_days: int) -> pd.DataFrame:
    """The rows of trained series within `horizon_days` from `origin`, indexed from 0."""
    end = origin + pd.Timedelta(days=horizon_days)
    return frame[trained & (frame[DS] >= origin) & (frame[DS] < end)].reset_index(drop=True)


def _scored(test: pd.DataFrame, predicted: pd.DataFrame, alias: str, origin: pd.Timestamp) -> pd.DataFrame:
    """Test rows with the model's forecasts, its alias, the origin and the lead in days with data."""
    out = test.copy()
    out[[Y_HAT, Y_LO, Y_HI]] = predicted[[Y_HAT, Y_LO, Y_HI]].to_numpy()
    out["model"] = alias
    out["origin"] = origin
    out["lead_days"] = out[DS].dt.normalize().rank(method="dense").astype(int)
    return out


def _no_forecast_reason(errors: Mapping[str, list[str]]) -> str:
    """Why a backtest made no forecast: every model failed, or no origin has data on both sides."""
    if errors:
        return "every model failed: " + "; ".join(f"{alias} ({found[0]})" for alias, found in errors.items())
    return "no backtest origin has data both before and after it"


def _failure_lines(errors: Mapping[str, list[str]], origins: int) -> tuple[str, ...]:
    """One line per failed model: at how many origins it failed and its first error."""
    return tuple(f"{alias} failed at {len(found)} of {origins} origins ({found[0]})" for alias, found in errors.items())


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


# The forecast combination is kept unless another model beats it by more than SE_RULE standard errors of the
# per-origin WAPE difference (over 4 origins a single winner is often luck; 2 SE ≈ a one-sided test at 5–7 %).
ROBUST_DEFAULT = "ensemble"
SE_RULE = 2.0


def origin_wapes(forecasts: pd.DataFrame) -> pd.DataFrame:
    """WAPE per origin (rows) and model (columns)."""
    error = (forecasts[Y] - forecasts[Y_HAT]).abs()
    sums = forecasts.assign(error=error).groupby(["origin", "model"])[["error", Y]].sum()
    return (sums["error"] / sums[Y]).unstack("model")


def choose_model(metrics: pd.DataFrame, horizon: str = "all", forecasts: pd.DataFrame | None = None) -> str:
    """The model with the lowest WAPE over all backtest forecasts; with the per-origin forecasts, the
    ROBUST_DEFAULT combination unless that model beats it by more than SE_RULE standard errors across origins."""
    table = metrics[metrics["horizon"] == horizon]
    best = str(table.sort_values("wape").iloc[0]["model"])
    if forecasts is None or best == ROBUST_DEFAULT or ROBUST_DEFAULT not in set(table["model"]):
        return best
    per_origin = origin_wapes(forecasts)
    gap = (per_origin[best] - per_origin[ROBUST_DEFAULT]).dropna()
    if len(gap) < 2:
        return best
    standard_error = float(gap.std(ddof=1) / np.sqrt(len(gap)))
    return best if float(gap.mean()) + SE_RULE * standard_error < 0 else ROBUST_DEFAULT


def explain_choice(metrics: pd.DataFrame, chosen: str, horizon: str = "all") -> str:
    """Why `chosen` was kept: its backtest WAPE next to the best one's, the runner-up's and the same-slot mean's."""
    table = metrics[metrics["horizon"] == horizon].sort_values("wape").set_index("model")
    if chosen not in table.index:
        return f"{chosen}: named by the user"
    own = table.loc[chosen]
    best = table.index[0]
    if best == chosen:
        parts = [f"{chosen} has the lowest WAPE over all backtest forecasts ({100 * own.wape:.2f} %"]
        others = table.drop(index=chosen)
        if len(others):
            parts.append(f"; next best {others.index[0]} {100 * others.iloc[0].wape:.2f} %")
    else:
        parts = [
            f"{chosen} ({100 * own.wape:.2f} %) is kept: {best} has the lowest WAPE ({100 * table.iloc[0].wape:.2f} %) "
            f"but not by more than {SE_RULE:g} standard errors across the origins"
        ]
    if "same_slot_mean" in table.index and chosen != "same_slot_mean":
        parts.append(f"; same_slot_mean {100 * table.loc['same_slot_mean'].wape:.2f} %")
    return "".join(parts) + f"; {int(own.intervals)} intervals)"
