"""Day-off edits of a published roster: how many break the break cap as placed, and with the pauses re-placed.

    .venv/bin/wfm roster --requirements R.csv ... --start 2026-11-02 --days 14 --out roster.csv
    .venv/bin/python bench/roster_edits.py --roster roster.csv --requirements R.csv --start 2026-11-02 --days 14 \
        [--sample 150] [--seed 7]        # the other files default to the sample's in data/

Each worked agent-day (or a seeded random `--sample` of them) is given a day off through workspace.replace_day,
once without the rules (the old pauses kept) and once with them (wfm/roster/edit_cap.py re-places the fewest
pauses); the independent checker judges both. Prints the counts, the pauses moved and the seconds per edit.
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import time
from datetime import date
from pathlib import Path

import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from wfm import workspace  # noqa: E402
from wfm.roster.inputs import load_instance  # noqa: E402

DATA = ROOT / "data"


def main() -> int:
    """Run the edits and print the figures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--roster", required=True)
    parser.add_argument("--requirements", required=True)
    parser.add_argument("--start", required=True, type=date.fromisoformat)
    parser.add_argument("--days", required=True, type=int)
    parser.add_argument("--agents", default=str(DATA / "agents.csv"))
    parser.add_argument("--shifts", default=str(DATA / "shifts.csv"))
    parser.add_argument("--time-off", default=str(DATA / "time_off.csv"))
    parser.add_argument("--rules", default=str(DATA / "rules.toml"))
    parser.add_argument("--sample", type=int, default=0, help="random worked agent-days to edit (0: every one)")
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    instance, config = load_instance(
        requirements=args.requirements,
        agents=args.agents,
        shifts=args.shifts,
        time_off=args.time_off,
        rules=args.rules,
        start=args.start,
        days=args.days,
    )
    frame = pd.read_csv(args.roster, dtype=str, keep_default_na=False, encoding="utf-8-sig")
    worked = sorted(map(tuple, frame[frame["activity"] == "work"][["agent_id", "date"]].drop_duplicates().values))
    if args.sample:
        worked = random.Random(args.seed).sample(worked, min(args.sample, len(worked)))
    before = _cap_broken(frame, instance, config)
    kept_broken = fixed_broken = moved = 0
    seconds = []
    for k, (agent_id, day_text) in enumerate(worked, 1):
        day = date.fromisoformat(day_text)
        as_placed, _ = workspace.replace_day(frame, instance, agent_id, day, None, None)
        kept_broken += _cap_broken(as_placed, instance, config)
        began = time.monotonic()
        edited, agents_moved = workspace.replace_day(frame, instance, agent_id, day, None, None, config)
        seconds.append(time.monotonic() - began)
        fixed_broken += _cap_broken(edited, instance, config)
        moved += len(agents_moved)
        if k % 25 == 0:
            print(f"  {k}/{len(worked)} edits", file=sys.stderr, flush=True)
    print(
        f"roster {args.roster}: {len(instance.agents)} agents × {instance.days} days; break cap broken before: {before}"
    )
    print(f"day-off edits: {len(worked)}; break the cap with the old pauses kept: {kept_broken}")
    print(f"with the fewest pauses re-placed (edit_cap): {fixed_broken}; pauses moved {moved}")
    print(f"seconds per edit: median {statistics.median(seconds):.2f}, worst {max(seconds):.2f}")
    return 0


def _cap_broken(frame: pd.DataFrame, instance, config) -> int:
    """1 when the independent checker finds the break cap broken anywhere in the table, else 0."""
    return int(any(v.startswith("break_cap") for v in workspace.violations(frame, instance, config)))


if __name__ == "__main__":
    raise SystemExit(main())
