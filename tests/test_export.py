"""Roster export: the segment contract read back exactly, the grid, coverage, Excel-safe CSV, CLI error paths."""

from __future__ import annotations

from datetime import date

import numpy as np
import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from wfm.cli import main
from wfm.errors import InputError
from wfm.export import (
    FORMULA_STARTS,
    check_segments,
    coverage_table,
    grid_table,
    neutralise,
    read_roster_segments,
    segments_table,
    write_excel_csv,
)
from wfm.roster.domain import Agent, Assignment, Instance, ShiftTemplate
from wfm.roster.outputs import roster_frame
from wfm.store.synthetic import synthetic_segments

HEADER = "agent_id,name,date,start,end,activity,queue"
GOOD_ROWS = [
    "A1,张伟,2026-11-02,2026-11-02 08:00,2026-11-02 12:00,work,phone_presale",
    "A1,张伟,2026-11-02,2026-11-02 12:00,2026-11-02 13:00,lunch,",
    "A1,张伟,2026-11-02,2026-11-02 13:00,2026-11-02 17:00,work,phone_presale",
    "A1,张伟,2026-11-03,2026-11-03 00:00,2026-11-04 00:00,off,",
    "A1,张伟,2026-11-04,2026-11-04 22:00,2026-11-05 02:00,work,chat_aftersale",
    "A1,张伟,2026-11-04,2026-11-05 02:00,2026-11-05 02:15,break,",
    "A1,张伟,2026-11-04,2026-11-05 02:15,2026-11-05 07:00,work,chat_aftersale",
    "A2,-李娜,2026-11-02,2026-11-02 09:00,2026-11-02 11:00,training,",
    "A2,-李娜,2026-11-02,2026-11-02 11:00,2026-11-02 18:00,work,phone_presale",
]


def _write(path, rows, header=HEADER, encoding="utf-8"):
    path.write_text("\n".join([header, *rows]) + "\n", encoding=encoding)
    return path


def _roster(tmp_path):
    return read_roster_segments(_write(tmp_path / "roster.csv", GOOD_ROWS))


@given(st.text(max_size=12))
def test_neutralised_cells_never_start_a_formula_and_read_back_unchanged(text):
    cell = neutralise(pd.DataFrame({"name": [text]}))["name"].iat[0]
    assert not cell.startswith(FORMULA_STARTS)
    if text.startswith(FORMULA_STARTS):
        assert cell == "'" + text
    else:
        assert cell == text


def test_numbers_are_not_neutralised():
    frame = neutralise(pd.DataFrame({"under": [-1.5, 2.0], "label": ["-1.5", "ok"]}))
    assert frame["under"].tolist() == [-1.5, 2.0]
    assert frame["label"].tolist() == ["'-1.5", "ok"]


def test_excel_csv_has_a_bom_and_chinese_names_intact(tmp_path):
    out = tmp_path / "out.csv"
    write_excel_csv(pd.DataFrame({"name": ["张伟", "=SUM(A1:A9)", "@cmd", "\tx"]}), out)
    raw = out.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    lines = raw.decode("utf-8-sig").splitlines()
    assert lines == ["name", "张伟", "'=SUM(A1:A9)", "'@cmd", "'\tx"]


def test_segments_round_trip_through_an_export(tmp_path):
    roster = synthetic_segments(8, 10, seed=5)
    roster.loc[roster["agent_id"] == "A0001", "name"] = '=HYPERLINK("http://x","点我")'
    roster.loc[roster["agent_id"] == "A0002", "name"] = "+86 王芳"
    out = tmp_path / "segments.csv"
    write_excel_csv(segments_table(check_segments(roster)), out)
    back = read_roster_segments(out)
    pd.testing.assert_frame_equal(back, check_segments(roster))
    assert "'=HYPERLINK" in out.read_text(encoding="utf-8-sig")


def test_gbk_roster_is_read(tmp_path):
    back = read_roster_segments(_write(tmp_path / "gbk.csv", GOOD_ROWS, encoding="gbk"))
    assert back["name"].iat[0] == "张伟"


def test_roster_writer_output_is_read_as_it_is(tmp_path):
    """What wfm/roster writes (work / lunch / off rows, a night shift into the next day) is valid export input."""
    shifts = (
        ShiftTemplate("D0900", 9 * 60, 540, lunch_minutes=60),
        ShiftTemplate("N2200", 22 * 60, 540, lunch_minutes=60),
    )
    agents = (Agent("A1", "张伟", ("q1",)), Agent("A2", "李娜", ("q1",)))
    instance = Instance(agents, shifts, (), ("q1",), date(2026, 11, 2), 3, 15, np.zeros((1, 3 * 96), dtype=int))
    frame = roster_frame(instance, [Assignment(0, 0, 0, 0), Assignment(1, 1, 1, 0), Assignment(0, 2, 1, 0)])
    path = tmp_path / "roster.csv"
    frame.to_csv(path, index=False, encoding="utf-8-sig")
    back = read_roster_segments(path)
    night = back[(back["agent_id"] == "A2") & (back["activity"] != "off")]
    assert night["start"].min() == pd.Timestamp("2026-11-03 22:00")
    assert night["end"].max() == pd.Timestamp("2026-11-04 07:00")
    assert (night["date"] == pd.Timestamp("2026-11-03")).all()
    grid = grid_table(back, off_label="休")
    assert grid.set_index("agent_id").loc["A2"].tolist() == ["李娜", "休", "22:00–07:00+1", "休"]


def test_grid_cells(tmp_path):
    grid = grid_table(_roster(tmp_path), off_label="休")
    assert list(grid.columns) == ["agent_id", "name", "2026-11-02 Mon", "2026-11-03 Tue", "2026-11-04 Wed"]
    assert grid.iloc[0].tolist() == ["A1", "张伟", "08:00–17:00", "休", "22:00–07:00+1"]
    assert grid.iloc[1].tolist() == ["A2", "-李娜", "09:00–18:00 training", "", ""]


def test_coverage_counts_work_by_share_of_each_interval(tmp_path):
    roster = _roster(tmp_path)
    stamps = pd.date_range("2026-11-02 10:45", periods=6, freq="15min")
    requirements = pd.DataFrame({"queue": "phone_presale", "interval_start": stamps, "required_agents": 2.0})
    table = coverage_table(roster, requirements)
    # 10:45 A1 only; 11:00 A1 + A2; 12:00 lunch → A2 only
    assert table["scheduled_agents"].tolist() == [1.0, 2.0, 2.0, 2.0, 2.0, 1.0]
    assert table["under"].tolist() == [1.0, 0, 0, 0, 0, 1.0]
    half = roster.copy()
    half.loc[half["end"] == pd.Timestamp("2026-11-02 12:00"), "end"] = pd.Timestamp("2026-11-02 11:50")
    half.loc[half["start"] == pd.Timestamp("2026-11-02 12:00"), "start"] = pd.Timestamp("2026-11-02 11:50")
    assert coverage_table(half, requirements)["scheduled_agents"].iat[4] == pytest.approx(1 + 5 / 15, abs=1e-4)


@pytest.mark.parametrize(
    ("row", "bad", "column", "message"),
    [
        (3, "A1,张伟,2026-11-02,2026-11-02 12:00,2026-11-02 13:00,nap,", "activity", '"nap": expected one of work'),
        (4, "A1,张伟,2026-11-02,2026-11-02 13:00,2026-11-02 13:00,work,q", "end", "must end after it starts"),
        (5, "A1,张伟,2026-11-02,2026-11-02 25:00,2026-11-02 26:00,work,q", "start", '"2026-11-02 25:00" is not'),
        (3, "A1,张伟,2026-11-02,2026-11-02 12:00,2026-11-02 13:00,work,", "queue", "work segment needs its queue"),
        (
            3,
            "A1,张伟,2026-11-02,2026-11-02 11:00,2026-11-02 13:00,lunch,",
            "start",
            "overlapping segments (rows 2 and 3)",
        ),
        (3, "A1,张伟,2026-11-02,2026-11-05 12:00,2026-11-05 13:00,lunch,", "start", "must lie on the row's date"),
        (3, ",张伟,2026-11-02,2026-11-02 12:00,2026-11-02 13:00,lunch,", "agent_id", "expected an agent id"),
        (3, "A1,张伟,2026-11-02,2026-11-02 12:00,2026-11-02 13:00,off,", "activity", "is off on 2026-11-02"),
    ],
)
def test_bad_rosters_are_refused_naming_row_and_column(tmp_path, row, bad, column, message):
    rows = list(GOOD_ROWS)
    rows[row - 2] = bad
    with pytest.raises(InputError) as err:
        read_roster_segments(_write(tmp_path / "bad.csv", rows))
    assert (err.value.row, err.value.column) == (row, column)
    assert message in err.value.detail


def test_misspelt_column_gets_a_suggestion(tmp_path):
    path = _write(tmp_path / "bad.csv", GOOD_ROWS, header=HEADER.replace("activity", "activty"))
    with pytest.raises(InputError, match='did you mean "activity"'):
        read_roster_segments(path)


@pytest.mark.parametrize("kind", ["segments", "grid", "coverage"])
def test_cli_export_writes_each_kind(tmp_path, kind, capsys):
    roster = _write(tmp_path / "roster.csv", GOOD_ROWS)
    stamps = pd.date_range("2026-11-02 08:00", periods=40, freq="15min").strftime("%Y-%m-%d %H:%M")
    requirements = tmp_path / "req.csv"
    pd.DataFrame({"queue": "phone_presale", "interval_start": stamps, "required_agents": 1}).to_csv(
        requirements, index=False
    )
    out = tmp_path / f"{kind}.csv"
    args = ["export", "--roster", str(roster), "--kind", kind, "--out", str(out), "--requirements", str(requirements)]
    assert main(args) == 0
    text = out.read_text(encoding="utf-8-sig")
    assert out.read_bytes().startswith(b"\xef\xbb\xbf")
    if kind == "coverage":
        assert text.splitlines()[0] == "queue,interval_start,required_agents,scheduled_agents,under,over"
    else:
        assert "张伟" in text and "'-李娜" in text


def test_cli_export_of_a_bad_roster_exits_2_and_writes_nothing(tmp_path, capsys):
    rows = list(GOOD_ROWS)
    rows[4] = "A1,张伟,2026-11-04,2026-11-04 22:00,2026-11-04 21:00,work,q"
    roster = _write(tmp_path / "roster.csv", rows)
    out = tmp_path / "out.csv"
    out.write_text("previous export\n")
    assert main(["export", "--roster", str(roster), "--kind", "grid", "--out", str(out)]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "row 6" in err[0] and 'column "end"' in err[0]
    assert out.read_text() == "previous export\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out.csv", "roster.csv"]


def test_cli_coverage_without_requirements_exits_2(tmp_path, capsys):
    roster = _write(tmp_path / "roster.csv", GOOD_ROWS)
    out = tmp_path / "out.csv"
    assert main(["export", "--roster", str(roster), "--kind", "coverage", "--out", str(out)]) == 2
    assert "--requirements" in capsys.readouterr().err
    assert not out.exists()


@given(
    starts=st.lists(st.integers(0, 20 * 60), min_size=1, max_size=12),
    lengths=st.lists(st.integers(1, 4 * 60), min_size=12, max_size=12),
    step=st.sampled_from([5, 15, 30, 60]),
)
def test_coverage_conserves_agent_minutes(starts, lengths, step):
    """Law: scheduled agents summed over the intervals × interval length = minutes of work inside the horizon."""
    day = pd.Timestamp("2026-11-02")
    segments = pd.DataFrame(
        {
            "agent_id": [f"A{i}" for i in range(len(starts))],
            "name": "x",
            "date": day,
            "start": [day + pd.Timedelta(minutes=s) for s in starts],
            "end": [day + pd.Timedelta(minutes=s + n) for s, n in zip(starts, lengths, strict=False)],
            "activity": "work",
            "queue": "q",
        }
    )
    stamps = pd.date_range(day, periods=24 * 60 // step, freq=f"{step}min")
    requirements = pd.DataFrame({"queue": "q", "interval_start": stamps, "required_agents": 0.0})
    table = coverage_table(segments, requirements, interval_minutes=step)
    worked = sum(min(s + n, 24 * 60) - s for s, n in zip(starts, lengths, strict=False))
    assert table["scheduled_agents"].sum() * step == pytest.approx(worked, abs=1e-3 * len(table) * step)
    assert (table["over"] == table["scheduled_agents"]).all()
