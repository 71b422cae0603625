"""Fidelity of Erlang C, Erlang A and the calibrated model against what really happened (Anonymous Bank, 1999).

The per-call log is read as a contact log (forecasting.real_data.read_anonbank_contacts: calls that asked for an
agent, by queue-entry time; answered calls without a named agent keep no agent) with the caller's priority
(0 = unidentified, 1–2 = identified customers) as the optional `priority` column. wfm.staffing.fidelity
reconstructs per 30-minute interval offered, answered, abandoned, AHT, the real share answered within 20 s over
offered, and the agents working two ways:
  (a) busy: agents whose service of some call overlaps the interval (≥ 1 call served in it);
  (b) present: time-weighted number of agents serving or idle ≤ 10 min between two of their calls, averaged
      over the interval, then rounded to the nearest whole agent (and, for comparison, rounded down).
Erlang C and A are evaluated at those agents (Erlang A with the exponential mean patience of the train calls);
the calibrated model learns from the train part only (January–February by default) and is scored on the test
part (October), intervals with ≥ 20 offered, Sunday–Thursday 07:00–24:00. Errors are predicted − real, in points.
Finally it times requirements for one week of 15-minute intervals with the calibrated model.

Run: .venv/bin/python bench/staffing_fidelity.py [--data PATH] [--train-until 1999-02-28] [--test-months 10]
"""

from __future__ import annotations

import argparse
import time
from dataclasses import dataclass
from datetime import time as clock_time
from pathlib import Path

import numpy as np
import pandas as pd

from forecasting.real_data import read_anonbank_contacts
from wfm.staffing import erlang_a_metrics, erlang_c_metrics, patience_from_contacts
from wfm.staffing.calibrated import required_agents_calibrated
from wfm.staffing.fidelity import Scope, reconstruct_intervals, run_fidelity
from wfm.staffing.targets import ServiceTargets

DATA = Path(__file__).resolve().parents[2] / "shared" / "data" / "real" / "anonbank_1999_calls.csv.gz"
INTERVAL_MINUTES = 30
ANSWER_SECONDS = 20
SCOPE = Scope(min_offered=20, weekdays=(6, 0, 1, 2, 3), open_time=clock_time(7, 0), close_time=None)


def load_contacts(path: Path) -> pd.DataFrame:
    """The per-call log as a contact log with its priority class (unidentified / identified)."""
    contacts = read_anonbank_contacts(path)
    contacts["agent_id"] = contacts["agent_id"].replace("NO_SERVER", "")
    raw = pd.read_csv(path, usecols=["queue_arrival_ts", "to_agent", "priority"])
    raw = raw[raw["to_agent"].astype(bool)]
    raw = pd.DataFrame(
        {"arrival_ts": pd.to_datetime(raw["queue_arrival_ts"]), "priority": raw["priority"].to_numpy()}
    ).sort_values("arrival_ts", kind="stable")
    if not np.array_equal(raw["arrival_ts"].to_numpy(), contacts["arrival_ts"].to_numpy()):
        raise RuntimeError("priority could not be aligned with the contact log")
    contacts["priority"] = np.where(raw["priority"].to_numpy() == 0, "unidentified", "identified")
    return contacts


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


def erlang_table(contacts: pd.DataFrame, train_until: pd.Timestamp, test_months: tuple[int, ...]) -> None:
    """The first reconstruction's figures: Erlang C and A at busy / present agents."""
    table = reconstruct_intervals(contacts, INTERVAL_MINUTES, ANSWER_SECONDS)
    scope = SCOPE.mask(table)
    train = contacts[
        (contacts["arrival_ts"] < train_until) & SCOPE.hours_mask(contacts["arrival_ts"].dt.floor("30min"))
    ]
    patience = patience_from_contacts(train["wait_seconds"], train["outcome"] == "abandoned")
    print(
        f"data: {len(contacts):,} offered calls; {int(scope.sum()):,} intervals in scope "
        f"(≥ {SCOPE.min_offered} offered, Sun–Thu 07:00–24:00)"
    )
    print(f"patience (train, {len(train):,} offered calls in scope hours): {patience:.0f} s mean, exponential")
    lam = table["offered"].to_numpy(float) / (INTERVAL_MINUTES * 60)
    aht = table["aht_seconds"].to_numpy(float)
    present = table["agents"].to_numpy()
    staffing = {
        "(a) busy ≥ 1 call": table["serving_agents"].to_numpy().astype(np.int64),
        "(b) present, rounded": np.round(present).astype(np.int64),
        "(b) present, floor": np.floor(present + 1e-9).astype(np.int64),
    }
    real_sl, real_ab = table["real_service_level"].to_numpy(), table["real_abandon_rate"].to_numpy()
    noise = np.sqrt(np.clip(real_sl, 0, 1) * (1 - np.clip(real_sl, 0, 1)) / table["offered"].to_numpy())
    months = pd.DatetimeIndex(table["interval_start"]).month
    for label, part in (
        ("TEST  months " + ",".join(map(str, test_months)), np.isin(months, test_months)),
        ("ALL", np.ones(len(table), bool)),
    ):
        rows = scope & part
        print(
            f"\n{label}: {int(rows.sum()):,} intervals; mean offered {table['offered'][rows].mean():.0f}, "
            f"real SL {100 * real_sl[rows].mean():.1f} %, real abandonment {100 * real_ab[rows].mean():.1f} %, "
            f"AHT {np.average(aht[rows], weights=table['answered'][rows]):.0f} s; mean agents busy "
            f"{table['serving_agents'][rows].mean():.1f}, present {present[rows].mean():.1f}"
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
            print(
                f"  {name:22s} SL  Erlang C {err_c} | Erlang A {err_a} | abandonment (A) "
                f"{errors(a.p_abandon, real_ab[rows])}"
            )


def fidelity_table(contacts: pd.DataFrame, train_until: pd.Timestamp, test_months: tuple[int, ...], label: str):
    """Run the fidelity report and print test and train errors per model; returns the learned parameters."""
    clock = time.perf_counter()
    result = run_fidelity(
        contacts, interval_minutes=INTERVAL_MINUTES, answer_seconds=ANSWER_SECONDS, train_until=train_until, scope=SCOPE
    )
    rows = result.intervals
    months = pd.DatetimeIndex(rows["interval_start"]).month
    print(f"\n{label} (fit + report {time.perf_counter() - clock:.1f} s)")
    for model in ("erlang-c", "erlang-a", "calibrated"):
        for split, mask in (
            ("test ", (rows["split"] == "test") & np.isin(months, test_months)),
            ("train", rows["split"] == "train"),
        ):
            part = rows[(rows["model"] == model) & mask]
            sl = errors(part["predicted_service_level"], part["real_service_level"])
            ab = errors(part["predicted_abandon_rate"], part["real_abandon_rate"])
            print(f"  {model:10s} {split} ({len(part):4d} intervals)  SL {sl} | abandonment {ab}")
    test = rows[(rows["split"] == "test") & np.isin(months, test_months) & (rows["model"] == "calibrated")]
    print(
        "  calibrated test SL MAE by real occupancy band:",
        ", ".join(
            f"{band} {errors(g['predicted_service_level'], g['real_service_level']).mae:.1f} ({len(g)})"
            for band, g in test.groupby("occupancy_band")
        ),
    )
    params = result.parameters["anonbank"]
    print("  learned: " + "\n           ".join(result.report["parameters"]["anonbank"]["description"]))
    return params


def time_week(params) -> None:
    """Requirements for one week of 15-minute intervals (672) with the calibrated model, best of 3."""
    rng = np.random.default_rng(7)
    hours = np.arange(672) / 4 % 24
    volume = np.where(
        (hours >= 7) & (hours < 23), 10 + 25 * np.sin(np.pi * (hours - 7) / 16) + rng.normal(0, 2, 672), 0.0
    )
    volume = np.maximum(volume, 0.0)
    targets = ServiceTargets(service_level=0.8, answer_seconds=20, max_occupancy=0.9)
    best = np.inf
    for _ in range(3):
        clock = time.perf_counter()
        staffing = required_agents_calibrated(params, volume, 900.0, 180.0, targets)
        best = min(best, time.perf_counter() - clock)
    print(
        f"\nrequirements, one week of 15-minute intervals (672, {int((volume > 0).sum())} with volume), calibrated: "
        f"{best:.2f} s (best of 3); peak {staffing.agents.max()} agents present"
    )


def main() -> int:
    """Reconstruct, predict with Erlang C, A and the calibrated model, print the errors and the timing."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=DATA, help="anonbank_1999_calls.csv.gz")
    parser.add_argument("--train-until", default="1999-02-28", help="last train date (inclusive)")
    parser.add_argument("--test-months", default="10", help="months scored as test, e.g. 10 or 2,10")
    args = parser.parse_args()
    clock = time.perf_counter()
    train_until = pd.Timestamp(args.train_until) + pd.Timedelta(days=1)
    test_months = tuple(int(m) for m in args.test_months.split(","))
    contacts = load_contacts(args.data)
    erlang_table(contacts, train_until, test_months)
    params = fidelity_table(
        contacts, args.train_until, test_months, "WITH priority classes (unidentified / identified)"
    )
    fidelity_table(contacts.drop(columns="priority"), args.train_until, test_months, "WITHOUT priority classes")
    time_week(params)
    print(f"\nelapsed {time.perf_counter() - clock:.1f} s")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
