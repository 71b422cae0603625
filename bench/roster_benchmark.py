"""The roster engine on the Curtois–Qu benchmark: objective, bound and gap to the best known value per instance.

Each instance is read and mapped by wfm.benchmarks.curtois, solved by solve_roster within the time limit, and
re-scored independently (objective and hard-rule violations from the raw instance file).

    .venv/bin/python bench/roster_benchmark.py                      # instances 1–12, 60 s each
    .venv/bin/python bench/roster_benchmark.py --runs 3             # three runs (seeds 0, 1, 2): median, worst
    .venv/bin/python bench/roster_benchmark.py --instances 13-24 --time-limit 600
"""

from __future__ import annotations

import argparse
import math
import statistics
import sys
import time
from pathlib import Path

from wfm.benchmarks.curtois import hard_violations, read_curtois, roster_rows, score, to_engine
from wfm.roster.solve import SolveSettings, solve_roster

DATA = Path(__file__).resolve().parents[2] / "shared" / "data" / "benchmarks" / "curtois"
BEST_KNOWN = {
    1: 607,
    2: 828,
    3: 1001,
    4: 1716,
    5: 1143,
    6: 1950,
    7: 1056,
    8: 1308,
    9: 439,
    10: 4631,
    11: 3443,
    12: 4040,
    13: 1905,
    14: 1279,
    15: 3928,
    16: 3225,
    17: 5750,
    18: 4650,
    19: 3218,
}


def parse_range(text: str) -> list[int]:
    """'1-12' or '1,3,5' or '5' → instance numbers."""
    numbers: list[int] = []
    for part in text.split(","):
        first, _, last = part.partition("-")
        numbers.extend(range(int(first), int(last or first) + 1))
    return numbers


def run_one(number: int, time_limit_seconds: float, seed: int, data: Path) -> dict[str, object]:
    """Solve one instance and return its row of the table."""
    ci = read_curtois(data / f"Instance{number}.txt")
    instance, config = to_engine(ci)
    began = time.monotonic()
    solution = solve_roster(instance, config, SolveSettings(time_limit_seconds=time_limit_seconds, seed=seed))
    elapsed = time.monotonic() - began
    roster = roster_rows(instance, solution.assignments)
    ours = score(ci, roster).objective
    best = BEST_KNOWN.get(number)
    stats = solution.stats
    assert stats is not None
    return {
        "instance": number,
        "staff": len(ci.staff),
        "days": ci.days,
        "shift types": len(ci.shifts),
        "best known": best if best is not None else "-",
        "ours": ours,
        "bound": math.ceil(stats.lower_bound - 1e-6),
        "gap %": f"{100 * (ours - best) / best:.1f}" if best else "-",
        "time s": f"{elapsed:.1f}",
        "hard violations": len(hard_violations(ci, roster)),
    }


def summary_row(runs: list[dict[str, object]]) -> dict[str, object]:
    """One row for several runs of an instance: every run's objective, the median and the worst, their gaps."""
    first = runs[0]
    values = [int(r["ours"]) for r in runs]  # type: ignore[call-overload]
    best = first["best known"]
    median, worst = statistics.median(values), max(values)

    def gap(value: float) -> str:
        return f"{100 * (value - best) / best:.1f}" if isinstance(best, int) else "-"

    return {
        "instance": first["instance"],
        "staff": first["staff"],
        "days": first["days"],
        "shift types": first["shift types"],
        "best known": best,
        "runs": " ".join(str(v) for v in values),
        "median": f"{median:g}",
        "worst": worst,
        "median gap %": gap(median),
        "worst gap %": gap(worst),
        "bound": max(int(r["bound"]) for r in runs),  # type: ignore[call-overload]
        "time s (max)": f"{max(float(str(r['time s'])) for r in runs):.1f}",
        "hard violations": sum(int(r["hard violations"]) for r in runs),  # type: ignore[call-overload]
    }


def main() -> int:
    """Run the instances and print the table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--instances", default="1-12", help="instance numbers, e.g. 1-12 or 5,10 (default 1-12)")
    parser.add_argument("--time-limit", type=float, default=60.0, help="seconds per instance (default 60)")
    parser.add_argument("--seed", type=int, default=0, help="random seed of the search")
    parser.add_argument("--data", type=Path, default=DATA, help="folder with Instance1.txt … Instance24.txt")
    parser.add_argument("--runs", type=int, default=1, help="runs per instance, seeds seed … seed + runs − 1")
    args = parser.parse_args()
    rows = []
    for number in parse_range(args.instances):
        runs = []
        for run in range(max(1, args.runs)):
            print(f"Instance{number} run {run + 1} …", file=sys.stderr, flush=True)
            runs.append(run_one(number, args.time_limit, args.seed + run, args.data))
            print("  " + ", ".join(f"{k} {v}" for k, v in runs[-1].items()), file=sys.stderr, flush=True)
        rows.append(runs[0] if len(runs) == 1 else summary_row(runs))
    columns = list(rows[0]) if rows else []
    widths = {c: max(len(c), *(len(str(r[c])) for r in rows)) for c in columns}
    print(" | ".join(c.rjust(widths[c]) for c in columns))
    print("-|-".join("-" * widths[c] for c in columns))
    for r in rows:
        print(" | ".join(str(r[c]).rjust(widths[c]) for c in columns))
    print(f"time limit {args.time_limit:g} s per instance, seed {args.seed}; 2 shared cores, timings may be disturbed")
    return 0


if __name__ == "__main__":
    sys.exit(main())
