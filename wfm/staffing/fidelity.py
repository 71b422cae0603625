"""Staffing fidelity: what really happened per interval in a per-contact log, against what each model predicts.

Reconstruction from the contact-log contract (`queue, arrival_ts, outcome, wait_seconds, handle_seconds,
agent_id`), per queue and interval of arrival:
- offered = contacts arriving in the interval, answered / abandoned by outcome, AHT = mean handle time of the
  answered, real service level = answered within the answer time / offered, real abandonment = abandoned / offered;
- an answered contact's service runs from arrival + wait to arrival + wait + handle, on its agent (if named);
- an agent is *present* while serving, and while idle between two of its services when the idle gap is at most
  `idle_gap_minutes` (default 10): a longer gap is a break or the end of a shift. `agents` is the time-weighted
  number present over the interval (a float: 4.5 means e.g. four all the time and a fifth half of it);
- `occupancy` is the time agents spent serving over the time they were present, in the interval.
Contacts without an agent count in volume and handle time but add no agent.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Mapping
from dataclasses import asdict, dataclass
from datetime import time

import numpy as np
import pandas as pd

from wfm.errors import InputError
from wfm.staffing.calibrated import CalibratedParameters, calibrated_metrics, describe, fit_calibrated
from wfm.staffing.erlang import erlang_a_metrics, erlang_c_metrics
from wfm.staffing.patience import patience_from_contacts

IDLE_GAP_MINUTES = 10.0
INTERVAL_COLUMNS = (
    "interval_start",
    "split",
    "offered",
    "real_service_level",
    "real_abandon_rate",
    "agents",
    "model",
    "predicted_service_level",
    "predicted_abandon_rate",
)
EXTRA_COLUMNS = ("queue", "answered", "abandoned", "aht_seconds", "occupancy", "occupancy_band")
OCCUPANCY_BANDS = (0.0, 0.7, 0.85, 0.95)
OUTCOMES = ("answered", "abandoned")
MODELS = ("erlang-c", "erlang-a", "calibrated")
MAX_CLASSES = 6


@dataclass(frozen=True)
class Scope:
    """Which intervals the report scores: enough volume, on the given weekdays and hours."""

    min_offered: int = 20
    weekdays: tuple[int, ...] = (0, 1, 2, 3, 4, 5, 6)  # Monday = 0 … Sunday = 6
    open_time: time = time(0, 0)
    close_time: time | None = None  # None = end of the day

    def hours_mask(self, interval_start: pd.Series) -> np.ndarray:
        """Whether each interval start falls on a scored weekday and inside the scored hours."""
        start = pd.DatetimeIndex(interval_start)
        minutes = start.hour * 60 + start.minute
        open_minutes = self.open_time.hour * 60 + self.open_time.minute
        close_minutes = 24 * 60 if self.close_time is None else self.close_time.hour * 60 + self.close_time.minute
        return np.isin(start.dayofweek, self.weekdays) & (minutes >= open_minutes) & (minutes < close_minutes)

    def mask(self, table: pd.DataFrame) -> np.ndarray:
        """Whether each interval row is in scope (needs at least one present agent and one answered contact)."""
        return (
            (table["offered"].to_numpy() >= self.min_offered)
            & self.hours_mask(table["interval_start"])
            & (table["agents"].to_numpy() > 0)
            & (table["answered"].to_numpy() > 0)
        )


def check_contacts(contacts: pd.DataFrame, file: str | None = None) -> None:
    """Reject a contact log the fidelity report cannot use (missing columns, bad outcomes, waits, handle times)."""
    for column in ("queue", "arrival_ts", "outcome", "wait_seconds", "handle_seconds"):
        if column not in contacts.columns:
            raise InputError(
                "the fidelity report needs the columns queue, arrival_ts, outcome, wait_seconds and handle_seconds",
                file=file,
                column=column,
            )
    if contacts.empty:
        raise InputError("the contact log has no contacts", file=file)
    checks = (
        (~contacts["outcome"].isin(OUTCOMES), "outcome", "unknown outcome; expected answered or abandoned"),
        (contacts["arrival_ts"].isna(), "arrival_ts", "the arrival time is missing"),
        (contacts["wait_seconds"].isna(), "wait_seconds", "the wait is missing; expected seconds ≥ 0"),
        (contacts["wait_seconds"] < 0, "wait_seconds", "the wait is negative; expected seconds ≥ 0"),
        (
            (contacts["outcome"] == "answered") & ~(contacts["handle_seconds"] >= 0),
            "handle_seconds",
            "the contact was answered but has no handle time (expected seconds ≥ 0)",
        ),
    )
    for bad, column, message in checks:
        if bad.any():
            first = int(np.flatnonzero(bad.to_numpy())[0])
            when = contacts["arrival_ts"].iloc[first]
            raise InputError(f"{message} (contact arriving {when})", file=file, column=column)


def _spread(start: np.ndarray, end: np.ndarray, interval_seconds: float) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """For each window [start, end): one row per interval it touches — window index, interval index, seconds."""
    first = np.floor(start / interval_seconds).astype(np.int64)
    last = np.maximum(first, np.ceil(end / interval_seconds).astype(np.int64) - 1)
    count = last - first + 1
    window = np.repeat(np.arange(start.size), count)
    offset = np.arange(window.size) - np.repeat(np.cumsum(count) - count, count)
    interval = first[window] + offset
    lo = np.maximum(start[window], interval * interval_seconds)
    hi = np.minimum(end[window], (interval + 1) * interval_seconds)
    return window, interval, np.maximum(hi - lo, 0.0)


def presence_spells(windows: pd.DataFrame, idle_gap_seconds: float) -> pd.DataFrame:
    """Join each agent's service windows (`agent_id, start, end`) into spells of presence: gaps ≤ idle_gap_seconds."""
    windows = windows.sort_values(["agent_id", "start"], kind="stable")
    reach = windows.groupby("agent_id")["end"].cummax()
    previous_reach = reach.groupby(windows["agent_id"]).shift()
    new_spell = previous_reach.isna() | (windows["start"] - previous_reach > idle_gap_seconds)
    spell = new_spell.cumsum().to_numpy()
    return (
        pd.DataFrame({"agent_id": windows["agent_id"].to_numpy(), "start": windows["start"], "end": reach})
        .groupby(spell)
        .agg(agent_id=("agent_id", "first"), start=("start", "min"), end=("end", "max"))
        .reset_index(drop=True)
    )


def _agents_one_queue(
    contacts: pd.DataFrame, origin: pd.Timestamp, interval_seconds: float, idle_gap_seconds: float
) -> pd.DataFrame:
    """Per interval index (from origin): time-weighted agents present and seconds spent serving."""
    empty = pd.DataFrame({"agents": [], "busy_seconds": [], "serving_agents": []}, dtype=float)
    if "agent_id" not in contacts.columns:
        return empty
    agent = contacts["agent_id"].fillna("").astype(str).str.strip()
    served = contacts[(contacts["outcome"] == "answered") & (agent != "")].assign(agent_id=agent)
    if served.empty:
        return empty
    start = (served["arrival_ts"] - origin).dt.total_seconds().to_numpy() + served["wait_seconds"].to_numpy(float)
    end = start + served["handle_seconds"].to_numpy(float)
    windows = pd.DataFrame({"agent_id": served["agent_id"].to_numpy(), "start": start, "end": end})
    window, interval, seconds = _spread(start, end, interval_seconds)
    busy = pd.Series(seconds).groupby(interval).sum()
    serving = pd.Series(windows["agent_id"].to_numpy()[window]).groupby(interval).nunique()
    spells = presence_spells(windows, idle_gap_seconds)
    _, interval, seconds = _spread(spells["start"].to_numpy(), spells["end"].to_numpy(), interval_seconds)
    present = pd.Series(seconds).groupby(interval).sum()
    index = present.index.union(busy.index)
    return pd.DataFrame(
        {
            "agents": present.reindex(index, fill_value=0.0) / interval_seconds,
            "busy_seconds": busy.reindex(index, fill_value=0.0),
            "serving_agents": serving.reindex(index, fill_value=0),
        }
    )


def reconstruct_intervals(
    contacts: pd.DataFrame,
    interval_minutes: int,
    answer_seconds: float,
    idle_gap_minutes: float = IDLE_GAP_MINUTES,
) -> pd.DataFrame:
    """Per queue and interval with contacts: offered, answered, abandoned, AHT, real SL and abandonment, agents.

    Columns: queue, interval_start, offered, answered, abandoned, answered_in_target, aht_seconds,
    real_service_level, real_abandon_rate, agents (time-weighted present), serving_agents (agents who served in
    the interval), occupancy (serving / present).
    """
    if interval_minutes <= 0 or (24 * 60) % interval_minutes:
        raise InputError(f"interval length {interval_minutes} minutes must divide a day (e.g. 15, 30, 60)")
    if answer_seconds < 0 or idle_gap_minutes < 0:
        raise InputError("answer seconds and the idle gap must be ≥ 0")
    check_contacts(contacts, contacts.attrs.get("file"))
    interval_seconds = interval_minutes * 60.0
    parts = []
    for queue, group in contacts.groupby("queue", sort=True):
        origin = group["arrival_ts"].min().normalize()
        index = ((group["arrival_ts"] - origin).dt.total_seconds() // interval_seconds).astype(np.int64)
        answered = group["outcome"] == "answered"
        frame = pd.DataFrame(
            {
                "slot": index.to_numpy(),
                "answered": answered.to_numpy(float),
                "abandoned": (~answered).to_numpy(float),
                "in_target": (answered & (group["wait_seconds"] <= answer_seconds)).to_numpy(float),
                "handle": group["handle_seconds"].where(answered).to_numpy(float),
            }
        )
        table = frame.groupby("slot").agg(
            offered=("answered", "size"),
            answered=("answered", "sum"),
            abandoned=("abandoned", "sum"),
            answered_in_target=("in_target", "sum"),
            aht_seconds=("handle", "mean"),
        )
        agents = _agents_one_queue(group, origin, interval_seconds, idle_gap_minutes * 60.0)
        table = table.join(agents, how="left").fillna({"agents": 0.0, "busy_seconds": 0.0, "serving_agents": 0})
        with np.errstate(divide="ignore", invalid="ignore"):
            occupancy = np.where(
                table["agents"] > 0, table["busy_seconds"] / (table["agents"] * interval_seconds), np.nan
            )
        table = table.assign(
            queue=queue,
            interval_start=origin + pd.to_timedelta(table.index.to_numpy() * interval_seconds, unit="s"),
            real_service_level=table["answered_in_target"] / table["offered"],
            real_abandon_rate=table["abandoned"] / table["offered"],
            occupancy=np.clip(occupancy, 0.0, 1.0),
        )
        parts.append(table.drop(columns="busy_seconds"))
    columns = [
        "queue",
        "interval_start",
        "offered",
        "answered",
        "abandoned",
        "answered_in_target",
        "aht_seconds",
        "real_service_level",
        "real_abandon_rate",
        "agents",
        "serving_agents",
        "occupancy",
    ]
    out = pd.concat(parts, ignore_index=True)[columns]
    out.attrs["interval_minutes"] = interval_minutes
    out.attrs["answer_seconds"] = answer_seconds
    return out


def _slots(contacts: pd.DataFrame, interval_minutes: float) -> pd.Series:
    """Each contact's interval start."""
    return contacts["arrival_ts"].dt.floor(pd.Timedelta(minutes=interval_minutes))


def contact_classes(contacts: pd.DataFrame) -> pd.Series:
    """Each contact's priority class as text (one class "all" when the log has no `priority` column)."""
    if "priority" not in contacts.columns:
        return pd.Series("all", index=contacts.index)
    return contacts["priority"].fillna("").astype(str).str.strip().replace("", "none")


def class_mix(
    contacts: pd.DataFrame, table: pd.DataFrame, classes: tuple[str, ...], interval_minutes: int
) -> np.ndarray:
    """Intervals (rows of `table`) × classes: the share of each class in the interval's offered contacts."""
    counts = (
        pd.DataFrame(
            {
                "queue": contacts["queue"],
                "interval_start": _slots(contacts, interval_minutes),
                "cls": contact_classes(contacts),
            }
        )
        .groupby(["queue", "interval_start", "cls"])
        .size()
        .unstack(fill_value=0)
        .reindex(columns=list(classes), fill_value=0)
    )
    keys = pd.MultiIndex.from_frame(table[["queue", "interval_start"]])
    counted = counts.reindex(keys, fill_value=0).to_numpy(float)
    total = counted.sum(axis=1, keepdims=True)
    return np.where(total > 0, counted / np.where(total > 0, total, 1.0), 1.0 / len(classes))


def within_interval_swing(
    contacts: pd.DataFrame, table: pd.DataFrame, interval_minutes: int, idle_gap_minutes: float, parts: int = 6
) -> float:
    """Relative swing of capacity against load inside the `table` intervals, measured over sub-slots.

    Over the `parts` sub-slots of each interval: the relative variance of agents present, plus the relative
    variance of arrivals beyond what Poisson arrivals give (count variance − mean). Their mean over the
    intervals is a variance v; three equally weighted points at ±s carry it when s = √(1.5 v).
    """
    if table.empty:
        return 0.0
    sub_minutes = interval_minutes / parts
    sub_seconds = sub_minutes * 60.0
    variances = []
    for queue, group in contacts.groupby("queue", sort=True):
        rows = table[table["queue"] == queue]
        if rows.empty:
            continue
        origin = group["arrival_ts"].min().normalize()
        slot = ((rows["interval_start"] - origin).dt.total_seconds() // sub_seconds).to_numpy(np.int64)
        sub_index = (slot[:, None] + np.arange(parts)[None, :]).ravel()
        agents = _agents_one_queue(group, origin, sub_seconds, idle_gap_minutes * 60.0)["agents"]
        present = agents.reindex(sub_index, fill_value=0.0).to_numpy().reshape(len(rows), parts)
        arrivals_index = ((group["arrival_ts"] - origin).dt.total_seconds() // sub_seconds).astype(np.int64)
        counts = (
            arrivals_index.value_counts().reindex(sub_index, fill_value=0).to_numpy(float).reshape(len(rows), parts)
        )
        mean_present = present.mean(axis=1)
        mean_count = counts.mean(axis=1)
        with np.errstate(divide="ignore", invalid="ignore"):
            agents_var = np.where(mean_present > 0, present.var(axis=1) / mean_present**2, 0.0)
            extra = np.maximum(counts.var(axis=1, ddof=1) - mean_count, 0.0)
            arrivals_var = np.where(mean_count > 0, extra / mean_count**2, 0.0)
        variances.append(agents_var + arrivals_var)
    if not variances:
        return 0.0
    return float(min(np.sqrt(1.5 * np.mean(np.concatenate(variances))), 0.6))


@dataclass(frozen=True)
class FidelityResult:
    """The per-interval comparison (one row per interval and model), the error report and the learned parameters."""

    intervals: pd.DataFrame
    report: dict
    parameters: Mapping[str, CalibratedParameters]


def occupancy_band(occupancy: np.ndarray) -> np.ndarray:
    """Labels such as "70–85 %" for the real occupancy of each interval (bands start at OCCUPANCY_BANDS)."""
    edges = [100 * e for e in OCCUPANCY_BANDS]
    labels = np.array([f"{lo:.0f}–{hi:.0f} %" for lo, hi in itertools.pairwise(edges)] + [f"≥ {edges[-1]:.0f} %"])
    index = np.searchsorted(OCCUPANCY_BANDS, np.nan_to_num(occupancy), side="right") - 1
    return labels[np.clip(index, 0, len(labels) - 1)]


def _errors(predicted: np.ndarray, real: np.ndarray) -> dict[str, float]:
    """MAE and bias (predicted − real) in percentage points."""
    diff = 100.0 * (np.asarray(predicted, float) - np.asarray(real, float))
    if diff.size == 0:
        return {"mae": float("nan"), "bias": float("nan")}
    return {"mae": round(float(np.mean(np.abs(diff))), 2), "bias": round(float(np.mean(diff)), 2)}


def error_report(intervals: pd.DataFrame) -> dict:
    """Per model and split: intervals, MAE and bias of SL and abandonment, overall and by occupancy band."""
    report: dict = {}
    for (model, split), rows in intervals.groupby(["model", "split"], sort=True):
        entry = {
            "intervals": len(rows),
            "service_level": _errors(rows["predicted_service_level"], rows["real_service_level"]),
            "abandon_rate": _errors(rows["predicted_abandon_rate"], rows["real_abandon_rate"]),
            "by_occupancy": {},
        }
        for band, part in rows.groupby("occupancy_band", sort=True):
            entry["by_occupancy"][band] = {
                "intervals": len(part),
                "service_level": _errors(part["predicted_service_level"], part["real_service_level"]),
                "abandon_rate": _errors(part["predicted_abandon_rate"], part["real_abandon_rate"]),
            }
        report.setdefault(model, {})[split] = entry
    return report


def run_fidelity(
    contacts: pd.DataFrame,
    *,
    interval_minutes: int,
    answer_seconds: float,
    train_until: pd.Timestamp | str,
    scope: Scope | None = None,
    idle_gap_minutes: float = IDLE_GAP_MINUTES,
    models: tuple[str, ...] = MODELS,
    progress: Callable[[str], None] | None = None,
) -> FidelityResult:
    """Reconstruct, learn from the intervals up to `train_until` (a date, inclusive) and compare every model.

    Erlang C and Erlang A are evaluated at the agents present rounded to a whole number, Erlang A with the mean
    patience of the train contacts in scope hours; the calibrated model at the fractional agents present, with
    each interval's priority-class mix. Nothing after `train_until` is used to learn anything.
    """
    scope = scope or Scope()
    say = progress or (lambda _message: None)
    unknown = sorted(set(models) - set(MODELS))
    if unknown:
        raise InputError(f'unknown model "{unknown[0]}"; expected {", ".join(MODELS)}')
    until = pd.Timestamp(train_until).normalize() + pd.Timedelta(days=1)
    say("reconstructing intervals and agents present")
    table = reconstruct_intervals(contacts, interval_minutes, answer_seconds, idle_gap_minutes)
    table = table[scope.mask(table)].reset_index(drop=True)
    if table.empty:
        raise InputError("no interval is in scope: lower --min-offered or check the hours and weekdays")
    table["split"] = np.where(table["interval_start"] < until, "train", "test")
    if not (table["split"] == "train").any():
        raise InputError(
            f"no interval in scope on or before the train-until date {until.date() - pd.Timedelta(days=1)}"
        )
    classes = tuple(sorted(contact_classes(contacts).unique()))
    if len(classes) > MAX_CLASSES:
        raise InputError(
            f"the priority column has {len(classes)} classes; at most {MAX_CLASSES} are supported", column="priority"
        )
    mix = class_mix(contacts, table, classes, interval_minutes)
    seconds = interval_minutes * 60.0
    lam = table["offered"].to_numpy(float) / seconds
    aht = table["aht_seconds"].to_numpy(float)
    whole = np.round(table["agents"].to_numpy()).astype(np.int64)
    frames, parameters = [], {}
    for queue in table["queue"].unique():
        rows = (table["queue"] == queue).to_numpy()
        train_rows = rows & (table["split"] == "train").to_numpy()
        in_train = contacts[
            (contacts["queue"] == queue)
            & (contacts["arrival_ts"] < until)
            & scope.hours_mask(_slots(contacts, interval_minutes))
        ]
        waits = in_train["wait_seconds"].to_numpy(float)
        gave_up = (in_train["outcome"] == "abandoned").to_numpy()
        patience = patience_from_contacts(waits, gave_up) if len(in_train) else float("inf")
        say(f"queue {queue}: learning the calibrated model from {int(train_rows.sum())} train intervals")
        params = _learn(
            contacts,
            in_train,
            table,
            train_rows,
            mix,
            classes,
            lam,
            aht,
            answer_seconds,
            interval_minutes,
            idle_gap_minutes,
            until,
        )
        parameters[queue] = params
        for model in models:
            if model == "erlang-c":
                m = erlang_c_metrics(whole[rows], lam[rows] * aht[rows], aht[rows], answer_seconds)
            elif model == "erlang-a":
                m = erlang_a_metrics(whole[rows], lam[rows], aht[rows], patience, answer_seconds)
            else:
                m = calibrated_metrics(
                    params, table["agents"].to_numpy()[rows], lam[rows], aht[rows], answer_seconds, shares=mix[rows]
                )
            part = table[rows]
            frames.append(
                pd.DataFrame(
                    {
                        "interval_start": part["interval_start"].to_numpy(),
                        "split": part["split"].to_numpy(),
                        "offered": part["offered"].to_numpy(np.int64),
                        "real_service_level": part["real_service_level"].to_numpy(),
                        "real_abandon_rate": part["real_abandon_rate"].to_numpy(),
                        "agents": part["agents"].round(3).to_numpy(),
                        "model": model,
                        "predicted_service_level": m.service_level,
                        "predicted_abandon_rate": m.p_abandon,
                        "queue": queue,
                        "answered": part["answered"].to_numpy(np.int64),
                        "abandoned": part["abandoned"].to_numpy(np.int64),
                        "aht_seconds": part["aht_seconds"].to_numpy(),
                        "occupancy": part["occupancy"].to_numpy(),
                        "occupancy_band": occupancy_band(part["occupancy"].to_numpy()),
                    }
                )
            )
    intervals = pd.concat(frames, ignore_index=True)
    report = {
        "interval_minutes": interval_minutes,
        "answer_seconds": answer_seconds,
        "train_until": str((until - pd.Timedelta(days=1)).date()),
        "idle_gap_minutes": idle_gap_minutes,
        "scope": {
            "min_offered": scope.min_offered,
            "weekdays": list(scope.weekdays),
            "open": str(scope.open_time),
            "close": str(scope.close_time or "24:00"),
        },
        "models": error_report(intervals),
        "parameters": {q: {"description": describe(p), **asdict(p)} for q, p in parameters.items()},
    }
    return FidelityResult(intervals, report, parameters)


def _learn(
    contacts: pd.DataFrame,
    in_train: pd.DataFrame,
    table: pd.DataFrame,
    train_rows: np.ndarray,
    mix: np.ndarray,
    classes: tuple[str, ...],
    lam: np.ndarray,
    aht: np.ndarray,
    answer_seconds: float,
    interval_minutes: int,
    idle_gap_minutes: float,
    until: pd.Timestamp,
) -> CalibratedParameters:
    """Measure shares, patience, handle-time cv and swing on the train part of one queue, then fit availability."""
    labels = contact_classes(in_train)
    patience, shares = [], []
    for name in classes:
        part = in_train[labels == name]
        shares.append(len(part) / max(len(in_train), 1))
        gave_up = (part["outcome"] == "abandoned").to_numpy()
        patience.append(
            patience_from_contacts(part["wait_seconds"].to_numpy(float), gave_up) if gave_up.any() else float("inf")
        )
    handle = in_train["handle_seconds"][in_train["outcome"] == "answered"].to_numpy(float)
    aht_cv = float(np.std(handle) / np.mean(handle)) if handle.size > 1 and np.mean(handle) > 0 else 1.0
    train_table = table[train_rows]
    swing = within_interval_swing(
        contacts[contacts["arrival_ts"] < until], train_table, interval_minutes, idle_gap_minutes
    )
    first, last = train_table["interval_start"].min(), train_table["interval_start"].max()
    return fit_calibrated(
        class_names=classes,
        class_shares=np.array(shares),
        patience_seconds=tuple(patience),
        aht_cv=round(aht_cv, 3),
        swing=round(swing, 3),
        agents=train_table["agents"].to_numpy(),
        arrival_rate_per_second=lam[train_rows],
        aht_seconds=aht[train_rows],
        real_service_level=train_table["real_service_level"].to_numpy(),
        real_abandon_rate=train_table["real_abandon_rate"].to_numpy(),
        interval_shares=mix[train_rows],
        answer_seconds=answer_seconds,
        idle_gap_minutes=idle_gap_minutes,
        trained_on=f"{first:%Y-%m-%d} to {last:%Y-%m-%d}",
    )
