"""Time cells: a bare time of day is read on the row's own date where the file has a date column (roster segments),
and refused everywhere else; it is never dated to today."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from wfm.cli import main
from wfm.csvio import timestamp_column
from wfm.errors import InputError
from wfm.export import read_roster_segments
from wfm.roster.checker import read_roster

ROOT = Path(__file__).resolve().parents[1]
ROWS = (
    "agent_id,name,date,start,end,activity,queue\n"
    "A001,李雷,2026-11-02,08:00,12:00,work,chat_aftersale\n"
    "A001,李雷,2026-11-02,12:00,13:00,lunch,\n"
    "A001,李雷,2026-11-02,13:00,17:00,work,chat_aftersale\n"
    "A002,韩梅梅,2026-11-03,22:00,06:00,work,email_aftersale\n"
)


def test_bare_times_in_a_roster_are_read_on_the_rows_date_and_overnight_ends_run_into_the_next_day(tmp_path) -> None:
    path = tmp_path / "roster.csv"
    path.write_text(ROWS, encoding="utf-8")
    for frame in (read_roster(path), read_roster_segments(path)):
        starts = pd.to_datetime(frame["start"]).dt.strftime("%Y-%m-%d %H:%M").tolist()
        ends = pd.to_datetime(frame["end"]).dt.strftime("%Y-%m-%d %H:%M").tolist()
        assert sorted(starts) == ["2026-11-02 08:00", "2026-11-02 12:00", "2026-11-02 13:00", "2026-11-03 22:00"]
        assert "2026-11-04 06:00" in ends and "2026-11-02 17:00" in ends


def test_check_roster_accepts_bare_times_with_a_date_column(tmp_path, capsys) -> None:
    path = tmp_path / "roster.csv"
    path.write_text(ROWS.split("A002")[0], encoding="utf-8")
    code = main(["check-roster", "--roster", str(path), "--agents", str(ROOT / "data" / "agents.csv"),
                 "--shifts", str(ROOT / "data" / "shifts.csv")])  # fmt: skip
    assert code in (0, 1), capsys.readouterr().err  # read as a roster (rule verdicts), never an input error


@pytest.mark.parametrize("cell", ["08:00", "8:00:00", "24:00", "2026-11-02 24:30", "11/02/2026 08:00", "noon"])
def test_a_bare_or_unreadable_time_without_a_date_column_is_refused_naming_the_row(cell: str) -> None:
    frame = pd.DataFrame({"interval_start": ["2026-11-02 08:00", cell]})
    with pytest.raises(InputError) as caught:
        timestamp_column(frame, "interval_start", "f.csv")
    assert caught.value.row == 3 and caught.value.column == "interval_start"
    assert "date and time such as 2026-11-11" in str(caught.value)
