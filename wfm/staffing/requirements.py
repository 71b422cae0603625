"""Forecast + queue settings → requirements table (agents needed per queue and interval), and projections back."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from wfm.csvio import FIRST_DATA_ROW, number_column, read_table, timestamp_column
from wfm.errors import InputError
from wfm.limits import MAX_AHT_SECONDS, MAX_CONTACTS_PER_INTERVAL, MAX_ROWS, MAX_TRAFFIC_ERLANGS
from wfm.staffing.bounds import reject_above
from wfm.staffing.calibrated import (
    CalibratedParameters,
    calibrated_metrics,
    required_agents_calibrated,
    simple_parameters,
)
from wfm.staffing.chat import chat_metrics, required_agents_chat
from wfm.staffing.deferred import spread_capacity
from wfm.staffing.email import email_metrics, email_requirement, required_agents_email
from wfm.staffing.erlang import QueueMetrics, erlang_a_metrics, erlang_c_metrics
from wfm.staffing.queues import QueueSettings
from wfm.staffing.required import (
    Staffing,
    StaffingLimitError,
    required_agents_erlang_a,
    required_agents_erlang_c,
)
from wfm.staffing.targets import scheduled_from_net

FORECAST_COLUMNS = ("queue", "interval_start", "volume", "aht_seconds")
REQUIREMENT_COLUMNS = (
    "queue",
    "interval_start",
    "volume",
    "aht_seconds",
    "required_agents",
    "net_agents",
    "service_level",
    "asa_seconds",
    "occupancy",
    "p_wait",
    "p_abandon",
    "model",
)


def read_forecast(path: str | Path) -> pd.DataFrame:
    """A forecast CSV (queue, interval_start, volume, aht_seconds) checked cell by cell."""
    p = Path(path)
    frame = read_table(p, FORECAST_COLUMNS, ("volume_lo", "volume_hi", "model"))
    out = pd.DataFrame(
        {
            "queue": frame["queue"].str.strip(),
            "interval_start": timestamp_column(frame, "interval_start", p),
            "volume": number_column(frame, "volume", p, minimum=0),
            "aht_seconds": number_column(frame, "aht_seconds", p, minimum=0),
        }
    )
    check_forecast_values(out, p)
    dup = out.duplicated(["queue", "interval_start"])
    if dup.any():
        row = int(np.flatnonzero(dup.to_numpy())[0]) + FIRST_DATA_ROW
        raise InputError("this queue and interval appear twice", file=p, row=row, column="interval_start")
    return out


def check_forecast_values(forecast: pd.DataFrame, source: str | Path) -> None:
    """Volume and AHT within the plausible ceilings, and a positive AHT wherever there is volume."""
    positions = np.arange(len(forecast)) if forecast.index.dtype.kind not in "iu" else forecast.index.to_numpy()
    volume = forecast["volume"].to_numpy(float)
    aht = forecast["aht_seconds"].to_numpy(float)
    reject_above(volume, MAX_CONTACTS_PER_INTERVAL, file=source, column="volume", unit="contacts", positions=positions)
    reject_above(aht, MAX_AHT_SECONDS, file=source, column="aht_seconds", unit="s", positions=positions)
    no_aht = (volume > 0) & ~(aht > 0)
    if no_aht.any():
        row = int(positions[np.flatnonzero(no_aht)[0]]) + FIRST_DATA_ROW
        raise InputError(
            "volume without a handle time: expected aht_seconds > 0", file=source, row=row, column="aht_seconds"
        )


def check_traffic(group: pd.DataFrame, settings: QueueSettings, source: str | Path) -> None:
    """Offered load (volume × AHT / interval length) of one queue's rows within MAX_TRAFFIC_ERLANGS."""
    traffic = (
        group["volume"].to_numpy(float) * group["aht_seconds"].to_numpy(float) / (settings.interval_minutes * 60.0)
    )
    over = np.flatnonzero(~(traffic <= MAX_TRAFFIC_ERLANGS))
    if over.size == 0:
        return
    at = over[0]
    raise InputError(
        f"traffic {group['volume'].iloc[at]:,g} contacts × {group['aht_seconds'].iloc[at]:,g} s in "
        f"{settings.interval_minutes} min = {traffic[at]:,.0f} Erlangs is above the ceiling {MAX_TRAFFIC_ERLANGS:,g} "
        "Erlangs (agents busy at once in one queue)",
        file=source,
        row=int(group.index[at]) + FIRST_DATA_ROW,
        column="volume",
    )


def _model_name(settings: QueueSettings, model: str | None) -> str:
    """The staffing model used for a queue: the channel's model, or the override for voice queues."""
    if settings.channel == "chat":
        return "chat"
    if settings.channel == "email":
        return "email"
    chosen = model or settings.model
    if chosen == "erlang-a" and settings.patience_seconds is None:
        raise InputError(f'queue "{settings.queue}": Erlang A needs patience_seconds in the queue settings')
    return chosen


def _calibration(settings: QueueSettings) -> CalibratedParameters:
    """The queue's learned parameters, or one-class defaults from its patience (availability 1, cv 1)."""
    if settings.calibration is not None:
        return settings.calibration
    patience = settings.patience_seconds if settings.patience_seconds is not None else float("inf")
    return simple_parameters(patience_seconds=patience)


def required_for_queue(
    settings: QueueSettings, volume: np.ndarray, aht_seconds: np.ndarray, is_open: np.ndarray, model: str
) -> Staffing:
    """Net agents per interval for one queue's series under its channel's model."""
    seconds = settings.interval_minutes * 60.0
    targets = settings.targets
    if model == "chat":
        return required_agents_chat(volume, seconds, aht_seconds, settings.aht_factors, targets)
    if model == "email":
        response = float(settings.response_hours or 0.0) * 3600.0
        return required_agents_email(volume, seconds, aht_seconds, response, targets, is_open)
    if model == "calibrated":
        return required_agents_calibrated(_calibration(settings), volume, seconds, aht_seconds, targets)
    if model == "erlang-a":
        return required_agents_erlang_a(volume, seconds, aht_seconds, settings.patience_seconds, targets)
    return required_agents_erlang_c(volume, seconds, aht_seconds, targets)


def _queue_grid(group: pd.DataFrame, settings: QueueSettings, source: str) -> pd.DataFrame:
    """One queue's forecast on a complete interval grid (missing intervals: no volume)."""
    step = pd.Timedelta(minutes=settings.interval_minutes)
    starts = group["interval_start"]
    off_grid = (starts - starts.min()) % step != pd.Timedelta(0)
    if off_grid.any():
        row = int(group.index[off_grid.to_numpy()][0]) + FIRST_DATA_ROW
        raise InputError(
            f"interval start is off the queue's {settings.interval_minutes}-minute grid",
            file=source,
            row=row,
            column="interval_start",
        )
    span = int((starts.max() - starts.min()) // step) + 1
    if span > MAX_ROWS:
        row = int(group.index[np.argmax(starts.to_numpy())]) + FIRST_DATA_ROW
        raise InputError(
            f"the queue's intervals span {span:,} {settings.interval_minutes}-minute intervals from {starts.min()} "
            f"to {starts.max()}: expected at most {MAX_ROWS:,}",
            file=source,
            row=row,
            column="interval_start",
        )
    grid = pd.date_range(starts.min(), starts.max(), freq=step)
    full = group.set_index("interval_start").reindex(grid)
    full.index.name = "interval_start"
    full["queue"] = settings.queue
    full["volume"] = full["volume"].fillna(0.0)
    full["aht_seconds"] = full["aht_seconds"].fillna(0.0)
    return full.reset_index()


def _check_known_queues(forecast: pd.DataFrame, queues: dict[str, QueueSettings], source: str | Path) -> None:
    """Every forecast queue has settings."""
    unknown = sorted(set(forecast["queue"]) - set(queues))
    if unknown:
        row = int(np.flatnonzero(forecast["queue"].isin(unknown).to_numpy())[0]) + FIRST_DATA_ROW
        raise InputError(
            f'queue "{unknown[0]}" has no settings in the queues file', file=source, row=row, column="queue"
        )


def _checked_grids(
    forecast: pd.DataFrame, queues: dict[str, QueueSettings], source: str | Path
) -> list[tuple[QueueSettings, pd.DataFrame, pd.DataFrame]]:
    """(settings, forecast rows, complete grid) per queue, every value and load checked before any staffing."""
    _check_known_queues(forecast, queues, source)
    check_forecast_values(forecast, source)
    grids = []
    for name, group in forecast.groupby("queue", sort=True):
        settings = queues[name]
        ordered = group.sort_values("interval_start")
        check_traffic(ordered, settings, source)
        grids.append((settings, ordered, _queue_grid(ordered, settings, source)))
    return grids


def check_requirements_inputs(forecast: pd.DataFrame, queues: dict[str, QueueSettings], source: str | Path) -> None:
    """Everything build_requirements checks before it staffs: queues known, values and loads within the limits."""
    _checked_grids(forecast, queues, source)


def _staffing_or_error(
    settings: QueueSettings,
    grid: pd.DataFrame,
    rows: pd.DataFrame,
    is_open: np.ndarray,
    chosen: str,
    source: str | Path,
) -> Staffing:
    """Staffing of one queue; a search that reaches its ceiling is an InputError naming the forecast row."""
    try:
        return required_for_queue(
            settings, grid["volume"].to_numpy(float), grid["aht_seconds"].to_numpy(float), is_open, chosen
        )
    except StaffingLimitError as exc:
        start = grid["interval_start"].iloc[exc.interval]
        match = np.flatnonzero((rows["interval_start"] == start).to_numpy())
        row = int(rows.index[match[0]]) + FIRST_DATA_ROW if match.size else None
        raise InputError(
            f'queue "{settings.queue}" at {start:%Y-%m-%d %H:%M}: {exc.detail}', file=source, row=row, column="volume"
        ) from None


def _email_or_error(
    settings: QueueSettings, grid: pd.DataFrame, is_open: np.ndarray
) -> tuple[np.ndarray, np.ndarray, QueueMetrics]:
    """Scheduled and net agents and metrics of an email queue (deferred work, rounded once after shrinkage)."""
    return email_requirement(
        grid["volume"].to_numpy(float),
        settings.interval_minutes * 60.0,
        grid["aht_seconds"].to_numpy(float),
        float(settings.response_hours or 0.0) * 3600.0,
        settings.targets,
        is_open,
        settings.shrinkage,
    )


def build_requirements(
    forecast: pd.DataFrame,
    queues: dict[str, QueueSettings],
    model: str | None = None,
    source: str = "forecast",
) -> pd.DataFrame:
    """Requirements table: per queue and interval the net and scheduled agents and the service they give."""
    parts = []
    for settings, rows, grid in _checked_grids(forecast, queues, source):
        is_open = settings.is_open(grid["interval_start"])
        chosen = _model_name(settings, model)
        if chosen == "email":
            required, net, m = _email_or_error(settings, grid, is_open)
        else:
            staffing = _staffing_or_error(settings, grid, rows, is_open, chosen, source)
            net = np.where(is_open, np.maximum(staffing.agents, settings.targets.min_agents), staffing.agents)
            required, m = scheduled_from_net(net, settings.shrinkage), staffing.metrics
        parts.append(
            grid.assign(
                required_agents=required,
                net_agents=net,
                service_level=m.service_level,
                asa_seconds=m.asa_seconds,
                occupancy=m.occupancy,
                p_wait=m.p_wait,
                p_abandon=m.p_abandon,
                model=chosen,
            )
        )
    if not parts:
        return pd.DataFrame(columns=list(REQUIREMENT_COLUMNS))
    return pd.concat(parts, ignore_index=True)[list(REQUIREMENT_COLUMNS)]


def metrics_at_agents(
    settings: QueueSettings,
    volume: np.ndarray,
    aht_seconds: np.ndarray,
    net_agents: np.ndarray,
    model: str | None = None,
    is_open: np.ndarray | None = None,
) -> QueueMetrics:
    """Queue metrics per interval if `net_agents` (after shrinkage) work the queue."""
    seconds = settings.interval_minutes * 60.0
    chosen = _model_name(settings, model)
    t = settings.targets.answer_seconds
    lam = np.asarray(volume, dtype=float) / seconds
    if chosen == "email":  # deferred work is a fluid: a part-time share of an agent still clears backlog
        agents_fluid = np.asarray(net_agents, dtype=float)
    agents = np.asarray(net_agents, dtype=np.int64)
    if chosen == "chat":
        return chat_metrics(agents, lam, aht_seconds, settings.aht_factors, t)
    if chosen == "calibrated":
        return calibrated_metrics(_calibration(settings), agents, lam, aht_seconds, t)
    if chosen == "erlang-a":
        return erlang_a_metrics(agents, lam, aht_seconds, settings.patience_seconds, t)
    if chosen == "email":
        response = float(settings.response_hours or 0.0) * 3600.0
        work = np.asarray(volume, dtype=float) * np.asarray(aht_seconds, dtype=float)
        mask = np.ones(work.size, dtype=bool) if is_open is None else np.asarray(is_open, dtype=bool)
        # after the horizon the backlog is worked at the pace the requirement asks (the next plan's spread)
        _grid, tail = spread_capacity(work, mask, seconds, response)
        cap = settings.targets.max_occupancy or 1.0
        return email_metrics(work, agents_fluid, mask, seconds, response, cap, tail)
    return erlang_c_metrics(agents, lam * np.asarray(aht_seconds, dtype=float), aht_seconds, t)


def projected_service(
    requirements: pd.DataFrame, scheduled: pd.DataFrame, queues: dict[str, QueueSettings]
) -> pd.DataFrame:
    """Projected metrics per queue and interval for a roster's scheduled agents (column `scheduled_agents`).

    Net agents on the queue = ⌊scheduled × (1 − shrinkage)⌋ (rounded down: a fraction of an agent answers nothing);
    deferred work (email) is worked as a fluid, so its capacity is scheduled × (1 − shrinkage) unrounded.
    """
    merged = requirements.merge(scheduled, on=["queue", "interval_start"], how="left")
    merged["scheduled_agents"] = merged["scheduled_agents"].fillna(0).astype(int)
    parts = []
    for name, group in merged.groupby("queue", sort=True):
        settings = queues[name]
        on_queue = group["scheduled_agents"].to_numpy() * (1.0 - settings.shrinkage)
        net = np.floor(on_queue + 1e-9).astype(np.int64)
        m = metrics_at_agents(
            settings,
            group["volume"].to_numpy(float),
            group["aht_seconds"].to_numpy(float),
            on_queue if settings.channel == "email" else net,
            model=group["model"].iloc[0] if group["model"].iloc[0] in ("erlang-c", "erlang-a") else None,
            is_open=settings.is_open(group["interval_start"]),
        )
        parts.append(
            group[["queue", "interval_start", "volume", "aht_seconds", "required_agents", "scheduled_agents"]].assign(
                net_agents=net,
                service_level=m.service_level,
                asa_seconds=m.asa_seconds,
                occupancy=m.occupancy,
                p_abandon=m.p_abandon,
            )
        )
    return pd.concat(parts, ignore_index=True)


def daily_service(projection: pd.DataFrame) -> pd.DataFrame:
    """Per queue and day: volume-weighted service level and the count of understaffed intervals."""
    frame = projection.assign(
        date=projection["interval_start"].dt.date,
        answered_in_target=projection["volume"] * projection["service_level"],
        understaffed=projection["scheduled_agents"] < projection["required_agents"],
    )
    daily = frame.groupby(["queue", "date"], as_index=False).agg(
        volume=("volume", "sum"),
        answered_in_target=("answered_in_target", "sum"),
        understaffed_intervals=("understaffed", "sum"),
    )
    daily["service_level"] = np.where(daily["volume"] > 0, daily["answered_in_target"] / daily["volume"], 1.0)
    return daily.drop(columns="answered_in_target")
