"""Fidelity of Erlang C and Erlang A against what really happened, on the Anonymous Bank per-call log (1999).

Per 30-minute interval (by queue-entry time) it reconstructs offered calls (asked for an agent, not PHANTOM),
answered, abandoned, AHT (mean ser_time of the answered), the real share answered within 20 s over offered, and
the agents actually working, two ways:
  (a) busy: agents whose service of some call overlaps the interval (≥ 1 call served in it);
  (b) present: time-weighted number of agents serving or idle ≤ 10 min between two of their calls, averaged
      over the interval, then rounded to the nearest whole agent (and, for comparison, rounded down).
It then predicts the share within 20 s with Erlang C and Erlang A at those agents (mean patience estimated
with patience_from_contacts on January–February, the training part) and compares on October (the test part),
intervals with ≥ 20 offered, Sunday–Thursday 07:00–24:00. Errors are predicted − real, in points of SL.

Run: .venv/bin/python bench/staffing_fidelity.py [--data PATH]
"""

from __future__ import annotations

import argparse
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from wfm.staffing import erlang_a_metrics, erlang_c_metrics, patience_from_contacts

DATA = Path(__file__).resolve().parents[2] / "shared" / "data" / "real" / "anonbank_1999_calls.csv.gz"
INTERVAL_SECONDS = 1800
ANSWER_SECONDS = 20
IDLE_GAP_SECONDS = 600
MIN_OFFERED = 20
OPEN_HOUR, CLOSE_HOUR = 7, 24
WORK_DAYS = (6, 0, 1, 2, 3)  # Sunday … Thursday (pandas: Monday = 0)
TRAIN_MONTHS = (1, 2)
TEST_MONTHS = (10,)
COLUMNS = ["outcome", "to_agent", "q_time", "ser_time", "server", "queue_arrival_ts", "ser_start_ts"]


def load_calls(path: Path) -> pd.DataFrame:
    """The per-call log with parsed timestamps; service starts that wrapped past midnight moved to the next day."""
    calls = pd.read_csv(path, usecols=COLUMNS, parse_dates=["queue_arrival_ts", "ser_start_ts"])
    wrapped = calls["ser_start_ts"] < calls["queue_arrival_ts"] - pd.Timedelta(hours=1)
    calls.loc[wrapped, "ser_start_ts"] += pd.Timedelta(days=1)
    return calls


def offered_by_interval(calls: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Offered, answered, abandoned, answered within 20 s and AHT per 30-minute interval of queue entry."""
    offered = calls[calls["to_agent"] & (calls["outcome"] != "PHANTOM")].copy()
    offered["interval_start"] = offered["queue_arrival_ts"].dt.floor(f"{INTERVAL_SECONDS}s")
    offered["answered"] = offered["outcome"] == "AGENT"
    offered["abandoned"] = offered["outcome"] == "HANG"
    offered["in_target"] = offered["answered"] & (offered["q_time"] <= ANSWER_SECONDS)
    offered["handle"] = offered["ser_time"].where(offered["answered"])
    table = offered.groupby("interval_start").agg(
        offered=("answered", "size"),
        answered=("answered", "sum"),
        abandoned=("abandoned", "sum"),
        in_target=("in_target", "sum"),
        aht_seconds=("handle", "mean"),
    )
    return table, offered


def _service_windows(calls: pd.DataFrame) -> tuple[pd.DataFrame, pd.Timestamp]:
    """Seconds since the first day at which each named agent started and ended serving each call."""
    served = calls[(calls["outcome"] == "AGENT") & (calls["server"] != "NO_SERVER") & calls["ser_start_ts"].notna()]
    origin = served["ser_start_ts"].min().normalize()
    start = (served["ser_start_ts"] - origin).dt.total_seconds().to_numpy()
    return pd.DataFrame(
        {"server": served["server"].to_numpy(), "start": start, "end": start + served["ser_time"].to_numpy()}
    ), origin


def _spread_over_intervals(start: np.ndarray, end: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """For each window [start, end): one row per interval it touches — window index, interval index, seconds."""
    first = np.floor(start / INTERVAL_SECONDS).astype(np.int64)
    last = np.maximum(first, np.ceil(end / INTERVAL_SECONDS).astype(np.int64) - 1)
    count = last - first + 1
    window = np.repeat(np.arange(start.size), count)
    offset = np.arange(window.size) - np.repeat(np.cumsum(count) - count, count)
    interval = first[window] + offset
    lo = np.maximum(start[window], interval * INTERVAL_SECONDS)
    hi = np.minimum(end[window], (interval + 1) * INTERVAL_SECONDS)
    return window, interval, np.maximum(hi - lo, 0.0)


def agents_by_interval(calls: pd.DataFrame) -> pd.DataFrame:
    """Per 30-minute interval: (a) agents who served ≥ 1 call in it, (b) time-weighted agents present."""
    windows, origin = _service_windows(calls)
    w, interval, _ = _spread_over_intervals(windows["start"].to_numpy(), windows["end"].to_numpy())
    busy = pd.Series(windows["server"].to_numpy()[w]).groupby(interval).nunique()

    # Presence: an agent's calls joined while the idle gap between the end of one and the next start is ≤ 10 min.
    windows = windows.sort_values(["server", "start"])
    reach = windows.groupby("server")["end"].cummax()
    previous_reach = reach.groupby(windows["server"]).shift()
    new_spell = previous_reach.isna() | (windows["start"] - previous_reach > IDLE_GAP_SECONDS)
    spell = new_spell.cumsum()
    spells = (
        pd.DataFrame({"start": windows["start"], "end": reach})
        .groupby(spell.to_numpy())
        .agg(start=("start", "min"), end=("end", "max"))
    )
    _, interval, seconds = _spread_over_intervals(spells["start"].to_numpy(), spells["end"].to_numpy())
    present = pd.Series(seconds).groupby(interval).sum() / INTERVAL_SECONDS

    index = busy.index.union(present.index)
    out = pd.DataFrame(
        {"busy_agents": busy.reindex(index, fill_value=0), "present_agents": present.reindex(index, fill_value=0.0)}
    )
    out.index = origin + pd.to_timedelta(out.index * INTERVAL_SECONDS, unit="s")
    out.index.name = "interval_start"
    return out


def in_scope(index: pd.DatetimeIndex) -> np.ndarray:
    """Sunday–Thursday intervals starting 07:00–23:30."""
    return np.isin(index.dayofweek, WORK_DAYS) & (index.hour >= OPEN_HOUR) & (index.hour < CLOSE_HOUR)


@dataclass(frozen=True)
class Errors:
    """Mean absolute error and bias (predicted − real), in points."""

    mae: float
    bias: float

    def __str__(self) -> str:
        return f"MAE {self.mae:5.1f}  bias {self.bias:+5.1f}"


def errors(predicted: np.ndarray, real: np.ndarray) -> Errors:
    """MAE and bias in percentage points."""
    diff = 100.0 * (np.asarray(predicted) - np.asarray(real))
    return Errors(float(np.mean(np.abs(diff))), float(np.mean(diff)))


def main() -> int:
    """Reconstruct the intervals, predict with Erlang C and A, print the errors."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=DATA, help="anonbank_1999_calls.csv.gz")
    args = parser.parse_args()
    clock = time.perf_counter()

    calls = load_calls(args.data)
    table, offered_calls = offered_by_interval(calls)
    table = table.join(agents_by_interval(calls), how="left").fillna({"busy_agents": 0, "present_agents": 0.0})
    table["sl_real"] = table["in_target"] / table["offered"]
    table["abandon_real"] = table["abandoned"] / table["offered"]
    scope = in_scope(table.index) & (table["offered"] >= MIN_OFFERED).to_numpy() & (table["answered"] > 0).to_numpy()
    months = table.index.month

    train_calls = offered_calls[
        offered_calls["interval_start"].dt.month.isin(TRAIN_MONTHS)
        & in_scope(pd.DatetimeIndex(offered_calls["interval_start"]))
    ]
    patience = patience_from_contacts(
        train_calls["q_time"].to_numpy(float), (train_calls["outcome"] == "HANG").to_numpy()
    )
    print(
        f"data: {len(calls):,} calls, {int(table['offered'].sum()):,} offered; {int(scope.sum()):,} intervals in scope "
        f"(≥ {MIN_OFFERED} offered, Sun–Thu {OPEN_HOUR:02d}:00–24:00)"
    )
    print(
        f"patience (train = months {TRAIN_MONTHS}, {len(train_calls):,} offered calls in scope hours): "
        f"{patience:.0f} s mean, exponential"
    )

    lam = table["offered"].to_numpy(float) / INTERVAL_SECONDS
    aht = table["aht_seconds"].to_numpy(float)
    staffing = {
        "(a) busy ≥ 1 call": table["busy_agents"].to_numpy().astype(np.int64),
        "(b) present, rounded": np.round(table["present_agents"].to_numpy()).astype(np.int64),
        "(b) present, floor": np.floor(table["present_agents"].to_numpy() + 1e-9).astype(np.int64),
    }
    real_sl = table["sl_real"].to_numpy()
    real_ab = table["abandon_real"].to_numpy()
    p = np.clip(real_sl, 0, 1)
    noise = np.sqrt(p * (1 - p) / table["offered"].to_numpy())

    for label, part in (
        ("TEST  October", np.isin(months, TEST_MONTHS)),
        ("ALL   Jan+Feb+Oct", np.ones(len(table), bool)),
    ):
        rows = scope & part
        print(
            f"\n{label}: {int(rows.sum()):,} intervals; mean offered {table['offered'][rows].mean():.0f}, "
            f"real SL {100 * real_sl[rows].mean():.1f} %, real abandonment {100 * real_ab[rows].mean():.1f} %, "
            f"AHT {np.average(aht[rows], weights=table['answered'][rows]):.0f} s; mean agents busy "
            f"{table['busy_agents'][rows].mean():.1f}, present {table['present_agents'][rows].mean():.1f}"
        )
        print(
            f"  binomial noise alone: mean SD {100 * noise[rows].mean():.1f} points "
            f"(≈ {100 * np.sqrt(2 / np.pi) * noise[rows].mean():.1f} points of MAE)"
        )
        for name, agents in staffing.items():
            n = agents[rows]
            c = erlang_c_metrics(n, lam[rows] * aht[rows], aht[rows], ANSWER_SECONDS)
            a = erlang_a_metrics(n, lam[rows], aht[rows], patience, ANSWER_SECONDS)
            err_c, err_a = errors(c.service_level, real_sl[rows]), errors(a.service_level, real_sl[rows])
            err_ab = errors(a.p_abandon, real_ab[rows])
            closer = "A" if err_a.mae < err_c.mae else "C"
            print(
                f"  {name:22s} SL  Erlang C {err_c} | Erlang A {err_a} | abandonment (A) {err_ab} "
                f"| closer: Erlang {closer} by {abs(err_c.mae - err_a.mae):.1f} points"
            )
    print(f"\nelapsed {time.perf_counter() - clock:.1f} s")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
