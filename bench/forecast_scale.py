"""Forecast speed at scale: a 3-year × 6-queue 5-minute history (≈ 1.9 million rows) through `wfm forecast`.

Inputs (seeded, written to a temporary folder): six queues (phone, chat, email × presale, aftersale), every
5-minute interval of 1,095 days from 2022-01-03, Poisson volumes around day total × weekday factor × a
two-peak intraday shape (nights near zero), a slow trend, a few holidays (Chinese New Year, Golden Week at
30–50 % of a normal day) and promotion peaks (×3), AHT varying by queue and hour (blank where nothing was
offered); the same file gzipped.
Prints: for each of the plain and gzipped CSV, `wfm forecast --model calendar --days 14` run as a subprocess
(wall time and the child's peak RSS), the same with `--backtest report.json`, and the in-process phases
(reading, fitting, forecasting, AHT, writing; best of --runs) with the Python process's peak RSS.

Run: .venv/bin/python bench/forecast_scale.py [--runs 1] [--days 14] [--keep DIR]
"""

from __future__ import annotations

import argparse
import gzip
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

import numpy as np
import pandas as pd

from forecasting.history import read_history
from forecasting.pipeline import build_forecast, checked_aht, contract_frame, fit_model, predict_window, to_long

SEED = 20250101
FIRST_DAY = "2022-01-03"
N_DAYS = 3 * 365
INTERVAL_MINUTES = 5
QUEUES = {  # queue: (mean day total, mean AHT seconds)
    "phone_presale": (6_000, 240.0),
    "phone_aftersale": (9_000, 360.0),
    "chat_presale": (12_000, 420.0),
    "chat_aftersale": (8_000, 540.0),
    "email_presale": (1_500, 600.0),
    "email_aftersale": (2_500, 720.0),
}
WEEKDAY_FACTOR = np.array([1.15, 1.05, 1.0, 1.0, 1.05, 0.8, 0.7])
# (first day, days, ratio to a normal day): holidays are quiet, promotions are peaks.
SPECIAL_DAYS = (
    ("2022-01-31", 7, 0.3),
    ("2023-01-21", 7, 0.3),
    ("2024-02-10", 8, 0.3),
    ("2022-10-01", 7, 0.5),
    ("2023-09-29", 8, 0.5),
    ("2024-10-01", 7, 0.5),
    ("2022-11-11", 1, 3.0),
    ("2023-11-11", 1, 3.0),
    ("2024-11-11", 1, 3.0),
)
T = TypeVar("T")


def intraday_shape(slots: int) -> np.ndarray:
    """Shares of a day per interval: morning and evening peaks, quiet nights (sums to 1)."""
    hour = (np.arange(slots) + 0.5) * 24 / slots
    shape = 0.02 + np.exp(-((hour - 10.5) ** 2) / 6) + 0.8 * np.exp(-((hour - 20.5) ** 2) / 5)
    return shape / shape.sum()


def day_factors(days: pd.DatetimeIndex, rng: np.random.Generator) -> np.ndarray:
    """Relative level of each day: weekday, trend, holidays, promotions and day-to-day noise."""
    trend = 1 + 0.15 * np.arange(len(days)) / len(days)
    factor = WEEKDAY_FACTOR[np.asarray(days.weekday)] * trend * rng.lognormal(0, 0.05, len(days))
    for first, length, ratio in SPECIAL_DAYS:
        factor[days.isin(pd.date_range(first, periods=length, freq="D"))] *= ratio
    return factor


def queue_frame(queue: str, total: float, aht: float, days: pd.DatetimeIndex, rng: np.random.Generator) -> pd.DataFrame:
    """One queue's rows: every 5-minute interval of every day, offered counts and AHT."""
    slots = 24 * 60 // INTERVAL_MINUTES
    mean = total * day_factors(days, rng)[:, None] * intraday_shape(slots)[None, :]
    offered = rng.poisson(mean).ravel()
    hour = np.tile(np.arange(slots) * 24 / slots, len(days))
    aht_seconds = aht * (1 + 0.15 * np.sin(2 * np.pi * hour / 24)) * rng.lognormal(0, 0.1, offered.size)
    starts = days.values[:, None] + (np.arange(slots) * np.timedelta64(INTERVAL_MINUTES, "m"))[None, :]
    return pd.DataFrame(
        {
            "queue": queue,
            "interval_start": starts.ravel(),
            "offered": offered,
            "aht_seconds": np.where(offered > 0, np.round(aht_seconds, 1), np.nan),
        },
    )


def write_history(folder: Path, seed: int = SEED) -> tuple[Path, Path, int]:
    """Write the history as CSV and CSV.gz; returns both paths and the number of rows."""
    rng = np.random.default_rng(seed)
    days = pd.date_range(FIRST_DAY, periods=N_DAYS, freq="D")
    frame = pd.concat([queue_frame(q, t, a, days, rng) for q, (t, a) in QUEUES.items()], ignore_index=True)
    plain = folder / "history.csv"
    frame.to_csv(plain, index=False, date_format="%Y-%m-%d %H:%M")
    packed = folder / "history.csv.gz"
    with plain.open("rb") as source, gzip.open(packed, "wb", compresslevel=6) as target:
        shutil.copyfileobj(source, target)
    return plain, packed, len(frame)


def run_child(command: list[str]) -> tuple[float, float, int, str]:
    """Run a command; wall seconds, its peak RSS in MiB (from wait4), exit code and the stderr tail."""
    started = time.perf_counter()
    child = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    assert child.stderr is not None
    stderr = child.stderr.read()
    _, status, usage = os.wait4(child.pid, 0)
    child.returncode = os.waitstatus_to_exitcode(status)
    wall = time.perf_counter() - started
    tail = stderr.strip().splitlines()[-1] if stderr.strip() else ""
    return wall, usage.ru_maxrss / 1024.0, child.returncode, tail


def forecast_command(history: Path, start: pd.Timestamp, days: int, out: Path, report: Path | None) -> list[str]:
    """The `wfm forecast` command line with the calendar model (and a backtest report if asked)."""
    wfm = Path(sys.executable).with_name("wfm")
    command = [str(wfm), "forecast", "--history", str(history), "--start", str(start.date())]
    command += ["--days", str(days), "--model", "calendar", "--out", str(out)]
    return command + (["--backtest", str(report)] if report else [])


def best_of(runs: int, fn: Callable[[], T]) -> tuple[float, T]:
    """Best wall time of `runs` calls of fn() and the last result."""
    best, result = float("inf"), None
    for _ in range(runs):
        started = time.perf_counter()
        result = fn()
        best = min(best, time.perf_counter() - started)
    return best, result  # type: ignore[return-value]


def peak_rss_mib() -> float:
    """This process's peak RSS so far, in MiB."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0


def in_process_phases(history_path: Path, start: pd.Timestamp, days: int, out: Path, runs: int) -> None:
    """Time reading, fitting, forecasting, AHT, writing and the whole pipeline (with a backtest) in this process."""
    read_s, history = best_of(runs, lambda: read_history(history_path))
    print(f"  read       {read_s:7.2f} s   ({len(history):,} rows; peak RSS {peak_rss_mib():,.0f} MiB)")
    past = history[history["interval_start"] < start]
    long_s, long = best_of(runs, lambda: to_long(past))
    print(f"  to_long    {long_s:7.2f} s")
    fit_s, model = best_of(runs, lambda: fit_model(long, "calendar", None))
    print(f"  fit        {fit_s:7.2f} s")
    predict_s, volume = best_of(runs, lambda: predict_window(model, start, days).assign(model="calendar"))
    print(f"  forecast   {predict_s:7.2f} s   (volume and bounds; {len(volume):,} rows)")
    aht_s, aht = best_of(runs, lambda: checked_aht(past, volume, None))
    print(f"  AHT        {aht_s:7.2f} s")
    frame = contract_frame(volume, aht)
    write_s, _ = best_of(
        runs, lambda: frame.to_csv(out, index=False, encoding="utf-8-sig", date_format="%Y-%m-%d %H:%M:%S")
    )
    print(f"  write      {write_s:7.2f} s")
    whole_s, _ = best_of(runs, lambda: build_forecast(history, start, days, model="calendar"))
    print(f"  build_forecast (all but read/write) {whole_s:7.2f} s")
    backtest_s, _ = best_of(runs, lambda: build_forecast(history, start, days, model="calendar", backtest=True))
    print(f"  build_forecast with backtest        {backtest_s:7.2f} s   (peak RSS {peak_rss_mib():,.0f} MiB)")


def main() -> None:
    """Write the history, time the CLI on the plain and gzipped files, then the in-process phases."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=1, help="best of this many in-process runs per phase")
    parser.add_argument("--days", type=int, default=14, help="forecast horizon in days")
    parser.add_argument("--keep", help="write the files into this folder (kept) instead of a temporary one")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="forecast_scale_") as temp:
        folder = Path(args.keep or temp)
        folder.mkdir(parents=True, exist_ok=True)
        started = time.perf_counter()
        plain, packed, rows = write_history(folder)
        start = pd.Timestamp(FIRST_DAY) + pd.Timedelta(days=N_DAYS)
        print(f"history: {rows:,} rows, {len(QUEUES)} queues, {N_DAYS} days at {INTERVAL_MINUTES} min")
        print(f"  {plain.stat().st_size / 2**20:,.0f} MiB csv, {packed.stat().st_size / 2**20:,.0f} MiB csv.gz")
        print(f"  written in {time.perf_counter() - started:.1f} s; forecast from {start.date()} for {args.days} days")
        print("wfm forecast --model calendar (subprocess: wall time, child's peak RSS)")
        for history in (plain, packed):
            for report in (None, folder / "report.json"):
                command = forecast_command(history, start, args.days, folder / "forecast.csv", report)
                wall, rss, code, tail = run_child(command)
                label = f"{history.name}{' --backtest' if report else ''}"
                print(f"  {label:<28} {wall:7.2f} s  {rss:7,.0f} MiB  exit {code}  [{tail}]")
        print(f"in-process phases on {plain.name} (best of {args.runs})")
        in_process_phases(plain, start, args.days, folder / "forecast_inproc.csv", args.runs)


if __name__ == "__main__":
    main()
