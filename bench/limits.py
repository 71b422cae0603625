"""The input limits of wfm.limits, measured: the largest accepted inputs and the refused ones, each run as its own
process (wall time, peak RSS, exit code and the last line it printed).

Cases (inputs written, seeded, to a temporary folder):
- history-3y-5min: `wfm forecast --model calendar --days 14` on 3 years × 6 queues × 5 minutes (1.9 million rows)
- history-max-rows: reading a history of exactly MAX_ROWS rows (12 queues × 5 minutes), then one row more (refused)
- gzip-bomb: a 0.6 MB gzip file that inflates to 576 MiB (refused while inflating)
- requirements-at-ceiling: `wfm requirements` for one day of voice (Erlang C and A), chat (3 at once) and email
  queues at 99 % of MAX_TRAFFIC_ERLANGS, then 10 × the volume ceiling (refused)
- scenario-max-multiplier: `wfm scenario` with a ×100 peak on a week of 6 queues, then ×1e308 (refused)
The 1,000-agent × 28-day roster is measured by bench/roster_scale.py (`--agents 1000 --time-limit 60`).

Run: .venv/bin/python bench/limits.py [--cases history-3y-5min,gzip-bomb,...] [--keep DIR]
"""

from __future__ import annotations

import argparse
import gzip
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parent))
from forecast_scale import run_child, write_history

from wfm import limits

PYTHON = sys.executable
WFM = str(Path(sys.executable).with_name("wfm"))


def report(case: str, command: list[str]) -> None:
    """Run one command as a child process and print its figures."""
    wall, rss_mib, code, tail = run_child(command)
    print(f"{case:<44} {wall:8.1f} s {rss_mib:9.0f} MiB  exit {code}  {tail[:150]}", flush=True)


def in_child(function: str, *args: str) -> None:
    """Run `function(*args)` of this script in a child process, so that the inputs it builds in memory do not
    inflate this process (a child started by fork counts its parent's pages in its own peak RSS)."""
    subprocess.run([PYTHON, __file__, "--write", function, *args], check=True)


def history_3y(folder: Path) -> None:
    """The 3-year 5-minute history through the calendar forecast."""
    in_child("write_3y", str(folder))
    plain, rows = folder / "history.csv", 1_892_160
    start = "2025-01-02"
    report(
        f"history-3y-5min ({rows:,} rows) forecast",
        [WFM, "forecast", "--history", str(plain), "--start", start, "--days", "14", "--model", "calendar",
         "--out", str(folder / "f.csv")],
    )  # fmt: skip


def _grid_history(rows: int, queues: int) -> pd.DataFrame:
    """A plain history of `rows` rows over `queues` queues at 5 minutes."""
    per_queue = -(-rows // queues)
    stamps = pd.date_range("2015-01-01", periods=per_queue, freq="5min")
    frame = pd.DataFrame(
        {
            "queue": np.repeat([f"q{i:02d}" for i in range(queues)], per_queue),
            "interval_start": np.tile(stamps.strftime("%Y-%m-%d %H:%M"), queues),
            "offered": np.random.default_rng(1).poisson(20, per_queue * queues),
        }
    )
    return frame.iloc[:rows]


def history_max_rows(folder: Path) -> None:
    """Reading a history at the row limit, and one row over it."""
    for label, rows in (("history-max-rows", limits.MAX_ROWS), ("history-max-rows + 1 (refused)", limits.MAX_ROWS + 1)):
        path = folder / f"history_{rows}.csv"
        in_child("write_grid_history", str(path), str(rows))
        size = path.stat().st_size / 2**20
        code = (
            "import sys\nfrom forecasting.history import read_history\nfrom wfm.errors import InputError\n"
            f"try:\n    print(len(read_history({str(path)!r})), 'rows read', file=sys.stderr)\n"
            "except InputError as exc:\n    print('refused:', exc, file=sys.stderr)\n    sys.exit(2)\n"
        )
        report(f"{label} ({rows:,} rows, {size:,.0f} MiB)", [PYTHON, "-c", code])
        path.unlink()


def gzip_bomb(folder: Path) -> None:
    """A gzip bomb through `wfm forecast` (refused while inflating)."""
    member = gzip.compress(b"queue,interval_start,offered\n" + b"0" * (64 << 20), compresslevel=9)
    path = folder / "bomb.csv.gz"
    path.write_bytes(member * 9)
    report(
        f"gzip-bomb ({path.stat().st_size / 2**20:.1f} MiB → 576 MiB, refused)",
        [WFM, "forecast", "--history", str(path), "--start", "2026-01-01", "--days", "1", "--out", str(folder / "x")],
    )


QUEUES_HEADER = (
    "queue,channel,interval_minutes,service_level,answer_seconds,response_hours,max_occupancy,shrinkage,"
    "patience_seconds,concurrency"
)
QUEUES_CSV = f"""{QUEUES_HEADER}
voice_c,voice,15,0.8,20,,0.85,0.3,,
voice_a,voice,15,0.8,20,,0.85,0.3,180,
chat,chat,15,0.8,30,,0.85,0.3,,3
email,email,15,0.9,3600,24,0.85,0.3,,
"""


def requirements_at_ceiling(folder: Path) -> None:
    """One day of every queue kind at 99 % of the traffic ceiling, then ten times the volume limit."""
    queues = folder / "queues.csv"
    queues.write_text(QUEUES_CSV, encoding="utf-8")
    aht = 600.0
    volume = 0.99 * limits.MAX_TRAFFIC_ERLANGS * 900 / aht
    stamps = pd.date_range("2026-11-02", periods=96, freq="15min").strftime("%Y-%m-%d %H:%M")
    for label, vol in (("requirements-at-ceiling", volume), ("requirements 10 × volume limit (refused)", None)):
        frame = pd.concat(
            [pd.DataFrame({"queue": q, "interval_start": stamps, "volume": volume, "aht_seconds": aht}) for q in
             ("voice_c", "voice_a", "chat", "email")]
        )  # fmt: skip
        if vol is None:
            frame.iloc[5, frame.columns.get_loc("volume")] = 10 * limits.MAX_CONTACTS_PER_INTERVAL
        path = folder / "forecast.csv"
        frame.to_csv(path, index=False)
        traffic = volume * aht / 900
        report(
            f"{label} ({traffic:,.0f} Erlangs × 384 intervals)",
            [WFM, "requirements", "--forecast", str(path), "--queues", str(queues), "--out", str(folder / "r.csv")],
        )


def scenario_max_multiplier(folder: Path) -> None:
    """A ×100 peak on a week of six queues, then ×1e308 (refused)."""
    queues = folder / "queues6.csv"
    rows = [f"q{i},voice,15,0.8,20,,0.85,0.3,," for i in range(6)]
    queues.write_text(QUEUES_CSV.splitlines()[0] + "\n" + "\n".join(rows) + "\n", encoding="utf-8")
    stamps = pd.date_range("2026-11-09", periods=7 * 96, freq="15min").strftime("%Y-%m-%d %H:%M")
    forecast = pd.concat(
        [
            pd.DataFrame({"queue": f"q{i}", "interval_start": stamps, "volume": 40.0, "aht_seconds": 300.0})
            for i in range(6)
        ]
    )
    forecast.to_csv(folder / "forecast6.csv", index=False)
    for label, multiplier in (("scenario-max-multiplier ×100", "100"), ("scenario ×1e308 (refused)", "1e308")):
        toml = folder / "s.toml"
        toml.write_text(
            f'[[scenario]]\nname = "peak"\n[scenario.peak]\nstart = "2026-11-11"\nend = "2026-11-11"\n'
            f"multiplier = {multiplier}\n",
            encoding="utf-8",
        )
        report(
            label,
            [WFM, "scenario", "--forecast", str(folder / "forecast6.csv"), "--queues", str(queues), "--scenarios",
             str(toml), "--out", str(folder / "c.csv")],
        )  # fmt: skip


CASES = {
    "history-3y-5min": history_3y,
    "history-max-rows": history_max_rows,
    "gzip-bomb": gzip_bomb,
    "requirements-at-ceiling": requirements_at_ceiling,
    "scenario-max-multiplier": scenario_max_multiplier,
}


def write_3y(folder: str) -> None:
    """The 3-year 5-minute history (bench/forecast_scale.py) into folder/history.csv."""
    write_history(Path(folder))


def write_grid_history(path: str, rows: str) -> None:
    """A plain 12-queue history of `rows` rows."""
    _grid_history(int(rows), 12).to_csv(path, index=False)


WRITERS = {"write_3y": write_3y, "write_grid_history": write_grid_history}


def main() -> None:
    """Run the chosen cases and print one line each."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", default=",".join(CASES), help="comma-separated cases")
    parser.add_argument("--keep", help="keep the inputs in this folder")
    parser.add_argument("--write", nargs="+", help=argparse.SUPPRESS)  # internal: build one input in a child
    args = parser.parse_args()
    if args.write:
        WRITERS[args.write[0]](*args.write[1:])
        return
    folder = Path(args.keep) if args.keep else Path(tempfile.mkdtemp(prefix="wfm-limits-"))
    folder.mkdir(parents=True, exist_ok=True)
    print(f"{'case':<44} {'wall':>10} {'peak RSS':>13}")
    try:
        for name in args.cases.split(","):
            CASES[name](folder)
    finally:
        if not args.keep:
            shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    main()
