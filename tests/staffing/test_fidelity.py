"""The fidelity report: reconstruction on a hand-made log with known answers, the CLI and its bad-input errors."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from tests.staffing.contact_log import simulate_contact_log
from wfm.cli import main
from wfm.staffing.fidelity import INTERVAL_COLUMNS, Scope, reconstruct_intervals, run_fidelity


def _log(rows: list[tuple]) -> pd.DataFrame:
    """A contact log from (arrival, outcome, wait, handle, agent) tuples."""
    frame = pd.DataFrame(rows, columns=["arrival_ts", "outcome", "wait_seconds", "handle_seconds", "agent_id"])
    frame.insert(0, "queue", "q")
    frame["arrival_ts"] = pd.to_datetime(frame["arrival_ts"])
    return frame


HAND_MADE = _log(
    [
        # 09:00–09:30: agent A serves 09:00:00–09:10:00, idles 5 min, serves 09:15:10–09:25:10 (present 25:10 min);
        # agent B serves 09:20:00–09:40:00 (10 of its minutes in this interval).
        ("2024-01-01 09:00:00", "answered", 0, 600, "A"),
        ("2024-01-01 09:15:00", "answered", 10, 600, "A"),
        ("2024-01-01 09:19:30", "answered", 30, 1200, "B"),
        ("2024-01-01 09:20:00", "abandoned", 45, np.nan, ""),
        ("2024-01-01 09:29:00", "answered", 5, 100, ""),  # no agent: counts in volume and AHT only
        # 09:30–10:00: B finishes at 09:40; A comes back after a 30-minute gap (a break: not present in between).
        ("2024-01-01 09:55:10", "answered", 0, 300, "A"),
    ]
)


def test_reconstruction_of_a_hand_made_log() -> None:
    table = reconstruct_intervals(HAND_MADE, 30, 20).set_index("interval_start")
    first, second = table.loc[pd.Timestamp("2024-01-01 09:00")], table.loc[pd.Timestamp("2024-01-01 09:30")]
    assert (first["offered"], first["answered"], first["abandoned"]) == (5, 4, 1)
    assert first["aht_seconds"] == pytest.approx((600 + 600 + 1200 + 100) / 4)
    assert first["real_service_level"] == pytest.approx(3 / 5)  # waits 0, 10, 5 within 20 s; 30 s is late
    assert first["real_abandon_rate"] == pytest.approx(1 / 5)
    # A present 09:00:00–09:25:10 (1510 s), B 09:20:00–09:30:00 (600 s) of 1800 s.
    assert first["agents"] == pytest.approx((1510 + 600) / 1800)
    assert first["occupancy"] == pytest.approx((600 + 600 + 600) / (1510 + 600))
    assert first["serving_agents"] == 2
    # B present 09:30–09:40 (600 s), A from 09:55:10 to 10:00 (290 s): the 30-minute gap is not presence.
    assert second["agents"] == pytest.approx((600 + 290) / 1800)
    assert second["offered"] == 1 and second["real_service_level"] == 1.0


def test_idle_gap_decides_presence() -> None:
    short = reconstruct_intervals(HAND_MADE, 30, 20, idle_gap_minutes=1).set_index("interval_start")
    # With a 1-minute gap A's 5-minute idle spell is not presence: 600 + 600 s for A, 600 s for B.
    assert short.loc[pd.Timestamp("2024-01-01 09:00"), "agents"] == pytest.approx((600 + 600 + 600) / 1800)


def _write(frame: pd.DataFrame, path: Path) -> Path:
    frame.to_csv(path, index=False)
    return path


@pytest.fixture(scope="module")
def simulated_log() -> pd.DataFrame:
    """Two weeks of a simulated Erlang A queue (exponential times) with two priority classes."""
    return simulate_contact_log(days=10, agents=(5, 7, 6), calls_per_hour=(95, 120, 105), seed=3)


def test_report_has_every_model_split_and_band(simulated_log: pd.DataFrame) -> None:
    result = run_fidelity(
        simulated_log, interval_minutes=30, answer_seconds=20, train_until="2024-01-06", scope=Scope(min_offered=10)
    )
    rows = result.intervals
    assert list(rows.columns[: len(INTERVAL_COLUMNS)]) == list(INTERVAL_COLUMNS)
    assert set(rows["model"]) == {"erlang-c", "erlang-a", "calibrated"}
    assert rows.groupby(["interval_start", "queue"]).size().eq(3).all()
    assert set(rows["split"]) == {"train", "test"}
    assert rows.loc[rows["split"] == "train", "interval_start"].max() < pd.Timestamp("2024-01-07")
    for model in ("erlang-c", "erlang-a", "calibrated"):
        for split in ("train", "test"):
            entry = result.report["models"][model][split]
            assert entry["intervals"] > 0 and entry["service_level"]["mae"] >= 0
            assert sum(b["intervals"] for b in entry["by_occupancy"].values()) == entry["intervals"]


def test_cli_writes_intervals_report_and_parameters(simulated_log: pd.DataFrame, tmp_path: Path) -> None:
    log = _write(simulated_log, tmp_path / "log.csv")
    out, report, params = tmp_path / "iv.csv", tmp_path / "r.json", tmp_path / "p.json"
    code = main(
        [
            "fidelity",
            "--contacts",
            str(log),
            "--train-until",
            "2024-01-06",
            "--out",
            str(out),
            "--report",
            str(report),
            "--params-out",
            str(params),
            "--min-offered",
            "10",
            "--interval-minutes",
            "30",
            "--answer-seconds",
            "20",
        ]
    )
    assert code == 0
    intervals = pd.read_csv(out, encoding="utf-8-sig")
    assert list(intervals.columns[: len(INTERVAL_COLUMNS)]) == list(INTERVAL_COLUMNS)
    data = json.loads(report.read_text(encoding="utf-8"))
    assert (
        data["models"]["calibrated"]["test"]["intervals"]
        == (intervals["model"] == "calibrated").sum() - data["models"]["calibrated"]["train"]["intervals"]
    )
    learned = json.loads(params.read_text(encoding="utf-8"))
    assert {c["name"] for c in learned["q"]["classes"]} == {"1", "2"}  # the priority column was read


BAD_LOGS = [
    ("wait_seconds", "-3", "below 0"),
    ("handle_seconds", "", "no handle time"),
    ("outcome", "transferred", "unknown outcome"),
]


@pytest.mark.parametrize(("column", "value", "message"), BAD_LOGS, ids=[b[0] for b in BAD_LOGS])
def test_bad_logs_exit_2_and_write_nothing(
    simulated_log: pd.DataFrame,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    column: str,
    value: str,
    message: str,
) -> None:
    bad = simulated_log.head(200).astype({column: object})
    answered = bad.index[bad["outcome"] == "answered"][3]
    bad.loc[answered, column] = value
    log = _write(bad, tmp_path / "bad.csv")
    out = tmp_path / "iv.csv"
    code = main(["fidelity", "--contacts", str(log), "--train-until", "2024-01-01", "--out", str(out)])
    err = capsys.readouterr().err
    assert code == 2 and not out.exists()
    assert message in err and f'column "{column}"' in err


def test_log_without_handle_times_is_rejected(simulated_log: pd.DataFrame, tmp_path: Path, capsys) -> None:
    log = _write(simulated_log.drop(columns="handle_seconds").head(50), tmp_path / "nohandle.csv")
    out = tmp_path / "iv.csv"
    assert main(["fidelity", "--contacts", str(log), "--train-until", "2024-01-01", "--out", str(out)]) == 2
    assert "handle_seconds" in capsys.readouterr().err and not out.exists()
