"""Output files: formula cells neutralised in every CSV, outputs never aimed at inputs, missing or unwritable places
refused with one line, and the files of one command written all together or not at all."""

from __future__ import annotations

import os
from pathlib import Path

import pandas as pd
import pytest

from wfm.cli import main
from wfm.errors import InputError
from wfm.outputs import OutputBatch, output_batch, write_json, write_table

ROOT = Path(__file__).resolve().parents[1]
GOOD = ROOT / "tests" / "bad_inputs" / "good"


def _forecast_args(history: Path, out: Path, *extra: str) -> list[str]:
    """`wfm forecast` on a small history."""
    return ["forecast", "--history", str(history), "--start", "2026-03-03", "--days", "1", "--model",
            "seasonal_naive", "--out", str(out), *extra]  # fmt: skip


def _fails(argv: list[str], capsys) -> str:
    """Run wfm expecting exit 2; the error line."""
    code = main(argv)
    err = capsys.readouterr().err
    assert code == 2, err
    assert "Traceback" not in err
    return err.strip().splitlines()[-1]


def test_an_output_that_names_an_input_is_refused_and_the_input_kept(tmp_path, capsys) -> None:
    history = tmp_path / "history.csv"
    history.write_bytes((GOOD / "good_history.csv").read_bytes())
    before = history.read_bytes()
    line = _fails(_forecast_args(history, history), capsys)
    assert "is also an input" in line and "history.csv" in line
    assert history.read_bytes() == before
    link = tmp_path / "alias.csv"
    os.symlink(history, link)
    assert "is also an input" in _fails(_forecast_args(history, link), capsys)
    assert history.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["alias.csv", "history.csv"]


def test_a_missing_output_folder_is_an_error_not_created(tmp_path, capsys) -> None:
    out = tmp_path / "missing" / "f.csv"
    line = _fails(_forecast_args(GOOD / "good_history.csv", out), capsys)
    assert "does not exist" in line and "missing" in line
    assert not (tmp_path / "missing").exists()


def test_an_output_that_is_a_folder_is_refused(tmp_path, capsys) -> None:
    assert "is a folder" in _fails(_forecast_args(GOOD / "good_history.csv", tmp_path), capsys)
    assert list(tmp_path.iterdir()) == []


def test_an_unwritable_place_is_one_clear_line_and_leaves_no_temporary_file(tmp_path, capsys) -> None:
    line = _fails(_forecast_args(GOOD / "good_history.csv", Path("/proc/wfm-forecast.csv")), capsys)
    assert "cannot write the file" in line and "/proc/wfm-forecast.csv" in line
    assert not [p for p in Path("/proc").glob(".wfm-forecast*")]


def test_a_device_is_never_replaced_by_an_output(tmp_path, capsys) -> None:
    before = os.stat("/dev/null")
    line = _fails(_forecast_args(GOOD / "good_history.csv", Path("/dev/null")), capsys)
    assert "not a regular file" in line
    after = os.stat("/dev/null")
    assert (after.st_mode, after.st_rdev) == (before.st_mode, before.st_rdev)
    assert not list(Path("/dev").glob(".null.*.tmp"))


def test_two_outputs_naming_one_file_are_refused(tmp_path, capsys) -> None:
    out = tmp_path / "same.csv"
    line = _fails(_forecast_args(GOOD / "good_history.csv", out, "--backtest", str(out)), capsys)
    assert "two different outputs" in line
    assert list(tmp_path.iterdir()) == []


def test_a_bad_report_path_stops_the_roster_before_it_writes_anything(tmp_path, capsys) -> None:
    out = tmp_path / "roster.csv"
    argv = ["roster", "--requirements", str(GOOD / "good_requirements.csv"), "--agents", str(GOOD / "good_agents.csv"),
            "--shifts", str(GOOD / "good_shifts.csv"), "--start", "2026-11-02", "--days", "1", "--time-limit", "5",
            "--out", str(out), "--report", str(tmp_path / "no" / "report.json")]  # fmt: skip
    assert "does not exist" in _fails(argv, capsys)
    assert list(tmp_path.iterdir()) == []


def test_roster_out_neutralises_formula_names_and_reads_back_through_check_roster(tmp_path, capsys) -> None:
    agents = tmp_path / "agents.csv"
    agents.write_text(
        "agent_id,name,skills,min_hours_week,max_hours_week\n"
        'A1,"=HYPERLINK(""http://x"",""y"")",phone_presale,0,40\n'
        "A2,@SUM(1),phone_presale,0,40\n",
        encoding="utf-8",
    )
    out = tmp_path / "roster.csv"
    argv = ["roster", "--requirements", str(GOOD / "good_requirements.csv"), "--agents", str(agents),
            "--shifts", str(GOOD / "good_shifts.csv"), "--start", "2026-11-02", "--days", "1", "--time-limit", "5",
            "--out", str(out)]  # fmt: skip
    assert main(argv) == 0, capsys.readouterr().err
    written = pd.read_csv(out, dtype=str, keep_default_na=False, encoding="utf-8-sig")
    names = set(written["name"])
    assert names <= {'\'=HYPERLINK("http://x","y")', "'@SUM(1)"}, names
    assert not any(str(cell).startswith(("=", "+", "-", "@")) for cell in written.to_numpy().ravel())
    checked = main(
        ["check-roster", "--roster", str(out), "--agents", str(agents), "--shifts", str(GOOD / "good_shifts.csv")]
    )
    assert checked == 0, capsys.readouterr()


def test_every_csv_writer_neutralises_and_json_has_no_non_finite_numbers(tmp_path) -> None:
    frame = pd.DataFrame({"queue": ["=1+1", "+cmd", "-x", "@y", "\tz", "ok"], "value": [1.0, -2.0, 3.0, 4.0, 5.0, 6.0]})
    write_table(frame, tmp_path / "t.csv")
    text = (tmp_path / "t.csv").read_text(encoding="utf-8-sig")
    assert "'=1+1" in text and "'+cmd" in text and "'-x" in text and "'@y" in text and "-2.0" in text
    write_json({"a": float("nan"), "b": [float("inf"), 1.5]}, tmp_path / "r.json")
    assert (tmp_path / "r.json").read_text(encoding="utf-8").replace(" ", "").replace("\n", "") == (
        '{"a":null,"b":[null,1.5]}'
    )


def test_the_files_of_one_command_appear_together_or_not_at_all(tmp_path) -> None:
    first, second = tmp_path / "a.csv", tmp_path / "b.csv"
    first.write_text("old a", encoding="utf-8")
    with pytest.raises(RuntimeError), output_batch([first, second]):
        write_table(pd.DataFrame({"x": [1]}), first)
        raise RuntimeError("the command fails after its first file")
    assert first.read_text(encoding="utf-8") == "old a" and not second.exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.csv"]


def test_a_failure_while_renaming_puts_back_the_files_already_replaced(tmp_path) -> None:
    first, second = tmp_path / "a.csv", tmp_path / "b.csv"
    first.write_text("old a", encoding="utf-8")
    batch = OutputBatch(targets=(first, second))
    staged_first, staged_second = tmp_path / ".a.tmp", tmp_path / ".b.tmp"
    staged_first.write_text("new a", encoding="utf-8")
    staged_second.write_text("new b", encoding="utf-8")
    batch.stage(first, staged_first)
    batch.stage(second, staged_second)
    second.mkdir()  # appears after the checks: renaming a file onto a folder fails
    (second / "keep").write_text("x", encoding="utf-8")
    with pytest.raises(InputError, match="nothing was written"):
        batch.commit()
    assert first.read_text(encoding="utf-8") == "old a"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.csv", "b.csv"]


def test_an_output_never_overwrites_the_database_file(tmp_path, capsys) -> None:
    database = tmp_path / "wfm.db"
    url = f"sqlite:///{database}"
    assert main(["db", "upgrade", "--url", url]) == 0
    before = database.read_bytes()
    line = _fails(["db", "get-roster", "--url", url, "--name", "x", "--out", str(database)], capsys)
    assert "is also an input" in line
    assert database.read_bytes() == before
