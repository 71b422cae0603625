"""The rest-of-day gap: requirements from the reforecast, the roster's agents on the phones per queue and interval
(breaks, lunches, training and approved time off absent), and the projected service level and abandonment."""

from __future__ import annotations

from datetime import datetime, timedelta

import numpy as np
import pandas as pd

from wfm.roster.domain import TimeOff
from wfm.staffing.queues import QueueSettings
from wfm.staffing.requirements import build_requirements, projected_service

AT_WORK = ("work", "reassign")  # activities with the agent on the row's queue (reassign: intraday, another queue)

GAP_COLUMNS = (
    "queue",
    "interval_start",
    "volume",
    "volume_lo",
    "volume_hi",
    "aht_seconds",
    "required_agents",
    "on_phones",
    "scheduled_agents",
    "gap",
    "service_level",
    "target_service_level",
    "p_abandon",
    "asa_seconds",
    "occupancy",
)


def without_time_off(segments: pd.DataFrame, time_off: tuple[TimeOff, ...]) -> pd.DataFrame:
    """Typed roster segments (start, end timestamps) with the work cut where the agent has approved time off."""
    if not time_off:
        return segments
    spans: dict[str, list[tuple[datetime, datetime]]] = {}
    for off in time_off:
        midnight = datetime.combine(off.day, datetime.min.time())
        lo = midnight + timedelta(minutes=off.start_minute or 0)
        hi = midnight + timedelta(minutes=off.end_minute if off.end_minute is not None else 1440)
        spans.setdefault(off.agent_id, []).append((lo, hi))
    keep, pieces = [], []
    for row in segments.itertuples(index=False):
        mine = spans.get(row.agent_id)
        if row.activity not in AT_WORK or not mine:
            keep.append(row._asdict())
            continue
        parts = [(pd.Timestamp(row.start), pd.Timestamp(row.end))]
        for lo, hi in mine:
            lo, hi = pd.Timestamp(lo), pd.Timestamp(hi)
            parts = [p for a, b in parts for p in ((a, min(b, lo)), (max(a, hi), b)) if p[1] > p[0]]
        pieces += [{**row._asdict(), "start": a, "end": b} for a, b in parts]
    return pd.DataFrame(keep + pieces, columns=segments.columns)


def presence(segments: pd.DataFrame, grid: pd.DataFrame, minutes: dict[str, int]) -> np.ndarray:
    """Agents at work on each grid row's queue over its interval (agent-minutes ÷ interval minutes; work and
    reassign rows), from typed segments; grid: queue, interval_start; minutes: the interval length of each queue."""
    out = np.zeros(len(grid))
    work = segments[segments["activity"].isin(AT_WORK)]
    stamps = pd.to_datetime(grid["interval_start"]).to_numpy().astype("datetime64[m]").astype(np.int64)
    queues = grid["queue"].to_numpy()
    for queue, rows in work.groupby("queue"):
        at = np.flatnonzero(queues == queue)
        if not at.size:
            continue
        lo = stamps[at]
        hi = lo + minutes[str(queue)]
        start = pd.to_datetime(rows["start"]).to_numpy().astype("datetime64[m]").astype(np.int64)
        end = pd.to_datetime(rows["end"]).to_numpy().astype("datetime64[m]").astype(np.int64)
        overlap = np.clip(np.minimum(hi[:, None], end[None, :]) - np.maximum(lo[:, None], start[None, :]), 0, None)
        out[at] = overlap.sum(axis=1) / minutes[str(queue)]
    return out


def rest_of_day_requirements(rest: pd.DataFrame, queues: dict[str, QueueSettings]) -> pd.DataFrame:
    """Requirements (wfm.staffing) for the rest-of-day reforecast rows, with the band columns kept."""
    frame = rest[["queue", "interval_start", "volume", "aht_seconds"]].copy()
    frame["interval_start"] = pd.to_datetime(frame["interval_start"])
    frame["aht_seconds"] = np.where(frame["volume"] > 0, frame["aht_seconds"].fillna(0.0), frame["aht_seconds"])
    table = build_requirements(frame.reset_index(drop=True), queues, source="reforecast")
    bands = rest[["queue", "interval_start", "volume_lo", "volume_hi"]].assign(
        interval_start=pd.to_datetime(rest["interval_start"])
    )
    table = table.merge(bands, on=["queue", "interval_start"], how="left")
    return table[table["interval_start"].isin(frame["interval_start"])].reset_index(drop=True)


def project(requirements: pd.DataFrame, scheduled: np.ndarray, queues: dict[str, QueueSettings]) -> pd.DataFrame:
    """Projected metrics per requirement row at whole scheduled agents (staffing's projected_service)."""
    counts = requirements[["queue", "interval_start"]].assign(scheduled_agents=np.asarray(scheduled, dtype=np.int64))
    needed = requirements[["queue", "interval_start", "volume", "aht_seconds", "required_agents", "model"]]
    out = projected_service(needed.reset_index(drop=True), counts, queues)
    key = requirements[["queue", "interval_start"]]
    return key.merge(out, on=["queue", "interval_start"], how="left")


def rest_of_day_gap(
    rest: pd.DataFrame,
    queues: dict[str, QueueSettings],
    segments: pd.DataFrame,
    time_off: tuple[TimeOff, ...] = (),
) -> pd.DataFrame:
    """The gap per queue and rest-of-day interval: required agents (after shrinkage), agents on the phones
    (`on_phones`, fractional when a pause covers part of an interval; `scheduled_agents` counts whole agents),
    gap = scheduled − required, and the service level, abandonment and ASA projected at the scheduled agents."""
    requirements = rest_of_day_requirements(rest, queues)
    minutes = {name: settings.interval_minutes for name, settings in queues.items()}
    on_phones = presence(without_time_off(segments, time_off), requirements, minutes)
    scheduled = np.floor(on_phones + 1e-9).astype(np.int64)
    projected = project(requirements, scheduled, queues)
    return requirements.assign(
        on_phones=np.round(on_phones, 3),
        scheduled_agents=scheduled,
        gap=scheduled - requirements["required_agents"].to_numpy(),
        service_level=projected["service_level"].to_numpy(),
        target_service_level=requirements["queue"].map(lambda q: queues[q].targets.service_level).to_numpy(),
        p_abandon=projected["p_abandon"].to_numpy(),
        asa_seconds=projected["asa_seconds"].to_numpy(),
        occupancy=projected["occupancy"].to_numpy(),
    )[list(GAP_COLUMNS)]


def summary(gap: pd.DataFrame) -> dict[str, float]:
    """Rest-of-day totals: contacts, volume-weighted service level and target (and the gap between them),
    abandonment, agent-intervals short and over."""
    volume = float(gap["volume"].sum())
    answered = float((gap["volume"] * gap["service_level"]).sum())
    target = float((gap["volume"] * gap["target_service_level"]).sum())
    return {
        "volume": volume,
        "service_level": answered / volume if volume > 0 else 1.0,
        "target_service_level": target / volume if volume > 0 else 0.0,
        "service_level_gap": (target - answered) / volume if volume > 0 else 0.0,
        "abandoned": float((gap["volume"] * gap["p_abandon"]).sum()),
        "short": float((-gap["gap"]).clip(lower=0).sum()),
        "over": float(gap["gap"].clip(lower=0).sum()),
    }
