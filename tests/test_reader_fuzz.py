"""Fuzzing every reader: random bytes and random CSV cells give a clean InputError or a valid result, never
another exception."""

from __future__ import annotations

import math
import tempfile
from collections.abc import Callable
from datetime import date
from pathlib import Path

import pandas as pd
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from forecasting.contacts import read_contacts
from forecasting.events import read_events
from forecasting.file_text import read_text
from forecasting.history import read_history
from wfm.benchmarks.curtois import read_curtois
from wfm.errors import InputError
from wfm.export import read_roster_segments
from wfm.roster.checker import read_roster
from wfm.roster.inputs import read_agents, read_requirements, read_rules, read_shifts, read_time_off
from wfm.roster.training import read_training
from wfm.scenarios import read_scenarios
from wfm.staffing.calibrated import load_parameter_set
from wfm.staffing.queues import read_queues
from wfm.staffing.requirements import read_forecast

GOOD = Path(__file__).resolve().parents[1] / "tests" / "bad_inputs" / "good"
QUEUES = GOOD / "good_queues.csv"

# Reader → the header its CSV file has (None: not a CSV file).
READERS: dict[str, tuple[Callable[[Path], object], str | None]] = {
    "history": (read_history, "queue,interval_start,offered,aht_seconds,answered,abandoned"),
    "contacts": (read_contacts, "queue,arrival_ts,outcome,wait_seconds,handle_seconds"),
    "events": (read_events, "event,start,end,kind,uplift,pre_days"),
    "queues": (read_queues, "queue,channel,interval_minutes,service_level,answer_seconds,concurrency,response_hours"),
    "forecast": (read_forecast, "queue,interval_start,volume,aht_seconds"),
    "agents": (read_agents, "agent_id,name,skills,min_hours_week,max_hours_week,max_days_week,new_hire"),
    "shifts": (lambda p: read_shifts(p, 15), "shift,start,length_minutes,days,lunch_minutes,breaks"),
    "time_off": (lambda p: read_time_off(p, {"A1", "A2"}), "agent_id,date,start,end"),
    "requirements": (lambda p: read_requirements(p, date(2026, 11, 2), 2, 15), "queue,interval_start,required_agents"),
    "roster": (read_roster, "agent_id,name,date,start,end,activity,queue"),
    "segments": (read_roster_segments, "agent_id,name,date,start,end,activity,queue"),
    "rules": (read_rules, None),
    "scenarios": (lambda p: read_scenarios(p, read_queues(QUEUES)), None),
    "curtois": (read_curtois, None),
    "training": (
        lambda p: read_training(p, read_agents(GOOD / "good_agents.csv"), 15),
        "requirement,group,per,sessions,session_minutes,members,days,earliest,latest,capacity",
    ),
    "calibration": (load_parameter_set, None),
    "text": (read_text, None),
}

TRICKY_CELLS = [
    "",
    " ",
    "0",
    "1",
    "-1",
    "15",
    "0.5",
    "1e308",
    "-1e308",
    "1e-320",
    "nan",
    "NaN",
    "inf",
    "-inf",
    "Infinity",
    "08:00",
    "24:00",
    "25:61",
    "2026-11-02",
    "2026-11-02 08:00",
    "2026-11-02T08:00:00+08:00",
    "2026-02-30 08:00",
    "11/02/2026 08:00",
    "1677-01-01 00:00",
    "2300-01-01 00:00",
    '=HYPERLINK("x")',
    "+1",
    "@SUM(1)",
    "张伟",
    "Müller",
    "phone_presale",
    "chat_presale",
    "voice",
    "chat",
    "email",
    "answered",
    "abandoned",
    "work",
    "off",
    "promotion",
    "holiday",
    "A1",
    "A2",
    "Mon;Sat",
    "15;15",
    "yes",
    '"',
    '""',
    "a,b",
    "\t",
    "9" * 400,
]


def _run(reader: Callable[[Path], object], data: bytes, suffix: str) -> None:
    """Run the reader on a file with these bytes: a clean InputError or a result are both fine."""
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / f"input{suffix}"
        path.write_bytes(data)
        try:
            result = reader(path)
        except InputError as exc:
            assert str(exc).strip() and "\n" not in str(exc)
            return
        _assert_finite(result)


def _assert_finite(result: object) -> None:
    """No infinity or NaN in a numeric column of a frame the reader accepted (blank optional cells aside)."""
    if isinstance(result, pd.DataFrame):
        numeric = result.select_dtypes("number")
        assert not numeric.isin([math.inf, -math.inf]).any().any()


def _csv(header: str, rows: list[list[str]]) -> bytes:
    """A CSV file from a header and rows of cells (quoted when needed)."""
    width = len(header.split(","))
    lines = [header]
    for cells in rows:
        cells = (cells + [""] * width)[:width]
        lines.append(",".join(f'"{c.replace(chr(34), chr(34) * 2)}"' if ("," in c or '"' in c) else c for c in cells))
    return ("\n".join(lines) + "\n").encode()


FUZZ = settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
cells = st.one_of(st.sampled_from(TRICKY_CELLS), st.text(max_size=12))
csv_rows = st.lists(st.lists(cells, min_size=1, max_size=8), min_size=1, max_size=6)
CSV_READERS = sorted(name for name, (_, header) in READERS.items() if header)


@FUZZ
@given(name=st.sampled_from(sorted(READERS)), data=st.binary(max_size=400))
def test_random_bytes_give_a_clean_error_or_a_result(name: str, data: bytes) -> None:
    reader, header = READERS[name]
    _run(reader, data, ".csv" if header else ".txt")


@FUZZ
@given(name=st.sampled_from(CSV_READERS), rows=csv_rows)
def test_random_cells_give_a_clean_error_or_a_valid_frame(name: str, rows: list[list[str]]) -> None:
    reader, header = READERS[name]
    assert header is not None
    _run(reader, _csv(header, rows), ".csv")


@FUZZ
@given(name=st.sampled_from(CSV_READERS), rows=csv_rows, encoding=st.sampled_from(["gbk", "cp1252", "utf-16"]))
def test_random_cells_in_other_encodings_give_a_clean_error_or_a_valid_frame(name, rows, encoding) -> None:
    reader, header = READERS[name]
    assert header is not None
    text = _csv(header, rows).decode()
    _run(reader, text.encode(encoding, errors="replace"), ".csv")


TOML_VALUES = st.one_of(
    st.sampled_from(["inf", "nan", "-inf", "1e308", "-1", "0", "3", "true", '"x"', "[1, 2]", '"2026-11-02"']),
    st.integers(-(10**12), 10**12).map(str),
)


@FUZZ
@given(
    name=st.sampled_from(["rules", "scenarios"]),
    keys=st.lists(
        st.sampled_from(["interval_minutes", "max_consecutive_days", "min_rest_hours", "multiplier", "ramp_days"]),
        min_size=1,
        max_size=4,
        unique=True,
    ),
    values=st.lists(TOML_VALUES, min_size=4, max_size=4),
)
def test_random_toml_values_give_a_clean_error_or_a_result(name: str, keys: list[str], values: list[str]) -> None:
    reader, _ = READERS[name]
    body = "\n".join(f"{k} = {v}" for k, v in zip(keys, values, strict=False))
    if name == "rules":
        text = f"[rules]\n{body}\n[weights]\nunder_coverage = {values[0]}\n"
    else:
        text = f'[[scenario]]\nname = "x"\n[scenario.peak]\nstart = "2026-11-02"\nend = "2026-11-03"\n{body}\n'
    _run(reader, text.encode(), ".toml")
