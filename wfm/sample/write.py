"""Writing the sample data set: every file seeded and byte-for-byte reproducible."""

from __future__ import annotations

import gzip
import io
import shutil
import tempfile
from datetime import date
from pathlib import Path

import numpy as np
import pandas as pd

from wfm.sample.calendar import events_frame, sample_events
from wfm.sample.history import generate_history
from wfm.sample.queues import queues_frame
from wfm.sample.staff import agents_frame, shifts_frame, time_off_frame
from wfm.sample.training import training_frame

DEFAULT_SEED = 20261111
HISTORY_FIRST_DAY = date(2024, 11, 1)
HISTORY_LAST_DAY = date(2026, 10, 31)
EVENTS_FIRST_DAY = date(2024, 10, 1)
EVENTS_LAST_DAY = date(2027, 12, 31)
SAMPLE_FILES = (
    "history.csv.gz",
    "events.csv",
    "queues.csv",
    "agents.csv",
    "shifts.csv",
    "time_off.csv",
    "rules.toml",
    "training.csv",
)
RULES_TOML = """\
# Roster rules and penalty weights for the sample centre (read by the roster engine).

[rules]
min_rest_hours = 11
days_off_per_week = 2
max_consecutive_days = 6
interval_minutes = 15

[weights]
under_coverage = 100
over_coverage = 5
paid_hours = 1
preferred_day_off = 10
shift_category_preference = 5
days_off_together = 3
# Fairness among agents of the same contract and availability (docs/roster.md): per weekend, late shift and holiday
# worked outside the group's fair share, earlier published rosters counted (on the sample's two weeks: late-shift
# spread 8 -> 1, weekend spread 2 -> 1, for +0.4 % under-coverage).
weekend_fairness = 200
late_fairness = 100
holiday_fairness = 100

# Breaks and lunches by shift length, placed after the roster solve (see docs/roster.md).
[breaks_full_day]
min_shift_hours = 7
max_shift_hours = 12
lunch_min_minutes = 30
lunch_max_minutes = 60
lunch_earliest_hours = 3
lunch_latest_hours = 5
breaks = 2
break_minutes = 15
min_gap_hours = 1.5
earliest_hours = 1
end_margin_hours = 1

[breaks_part_day]
min_shift_hours = 0
max_shift_hours = 7
breaks = 1
break_minutes = 15
min_gap_hours = 1.5
earliest_hours = 1
end_margin_hours = 1

# At most this share of a queue's agents on shift may be on break or lunch at once (at least min_agents).
[break_cap]
default = 0.25
min_agents = 2
"""
_ENCODING = "utf-8-sig"  # UTF-8 with a BOM so that Excel shows the Chinese names


def sample_frames(
    seed: int = DEFAULT_SEED, first_day: date = HISTORY_FIRST_DAY, last_day: date = HISTORY_LAST_DAY
) -> dict[str, pd.DataFrame]:
    """Every table of the sample (history, events, queues, agents, shifts, time off), seeded."""
    events = sample_events(min(EVENTS_FIRST_DAY, first_day), max(EVENTS_LAST_DAY, last_day))
    staff_rng = np.random.default_rng(np.random.SeedSequence([seed, 1]))
    agents = agents_frame(staff_rng)
    return {
        "history.csv.gz": generate_history(seed, first_day, last_day, events),
        "events.csv": events_frame(events),
        "queues.csv": queues_frame(),
        "agents.csv": agents,
        "shifts.csv": shifts_frame(),
        "time_off.csv": time_off_frame(staff_rng, agents),
        "training.csv": training_frame(),
    }


def csv_bytes(frame: pd.DataFrame) -> bytes:
    """A frame as CSV bytes: UTF-8 with BOM, LF line ends, whole numbers without '.0', blanks for missing."""
    text = _plain(frame).to_csv(index=False, lineterminator="\n", date_format="%Y-%m-%d %H:%M:%S")
    return text.encode(_ENCODING)


def _plain(frame: pd.DataFrame) -> pd.DataFrame:
    """Columns of whole numbers with blanks → text, so 3 is written as 3 and not 3.0."""
    out = frame.copy()
    for column in out.columns:
        values = out[column]
        numeric = pd.to_numeric(values, errors="coerce") if values.dtype == object else values
        if numeric.dtype.kind != "f":
            continue
        present = numeric.dropna()
        mixed = values.dtype == object and values.map(lambda v: isinstance(v, float | int)).any()
        if mixed or (len(present) < len(values) and bool((present % 1 == 0).all())):
            out[column] = values.map(_cell)
    return out


def _cell(value: object) -> str:
    """One cell as text: blank for None/NaN, integers without a decimal point."""
    if value is None or (isinstance(value, float) and np.isnan(value)):
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _gzip(data: bytes) -> bytes:
    """Gzip with no timestamp or file name in the header, so equal input gives equal bytes."""
    buffer = io.BytesIO()
    with gzip.GzipFile(filename="", mode="wb", fileobj=buffer, mtime=0, compresslevel=6) as stream:
        stream.write(data)
    return buffer.getvalue()


def sample_bytes(seed: int = DEFAULT_SEED, **days: date) -> dict[str, bytes]:
    """Every sample file's bytes by file name."""
    files = {}
    for name, frame in sample_frames(seed, **days).items():
        data = csv_bytes(frame)
        files[name] = _gzip(data) if name.endswith(".gz") else data
    files["rules.toml"] = RULES_TOML.encode("utf-8")
    return files


def write_sample_data(out_dir: str | Path, seed: int = DEFAULT_SEED, **days: date) -> list[Path]:
    """Write the sample files into out_dir (created if needed); returns their paths.

    Files are first written to a temporary folder next to out_dir and then moved in, so a failure leaves
    no half-written set behind.
    """
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    files = sample_bytes(seed, **days)
    written = []
    with tempfile.TemporaryDirectory(dir=out, prefix=".sample-") as staging:
        for name, data in files.items():
            (Path(staging) / name).write_bytes(data)
        for name in files:
            target = out / name
            shutil.move(str(Path(staging) / name), target)
            written.append(target)
    return written
