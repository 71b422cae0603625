"""`wfm db load DIR` and the other `wfm db` actions: all-or-nothing loading, clear errors, exit codes."""

from __future__ import annotations

import shutil
from pathlib import Path

import pandas as pd
import pytest
from sqlalchemy import func, select

from wfm.cli import main
from wfm.errors import InputError
from wfm.export import read_roster_segments
from wfm.store import Session, audit_log, get_agents, get_history, get_queues, get_rules, load_folder
from wfm.store.models import AuditEntry, HistoryRow
from wfm.store.synthetic import synthetic_segments


def _snapshot(engine) -> dict:
    """What a user could see of the database: every table's contents that the tests touch."""
    with Session(engine) as s:
        return {
            "queues": get_queues(s).astype(str).to_dict("records"),
            "agents": get_agents(s).astype(str).to_dict("records"),
            "history": int(s.scalar(select(func.count()).select_from(HistoryRow))),
            "rules": get_rules(s),
            "audit": int(s.scalar(select(func.count()).select_from(AuditEntry))),
        }


def test_load_folder_writes_every_file(engine, data_dir):
    counts = load_folder(engine, data_dir, user="loader", progress=lambda _: None)
    assert counts == {
        "rules.toml": 5,
        "queues.csv": 3,
        "agents.csv": 4,
        "time_off.csv": 2,
        "shifts.csv": 4,
        "events.csv": 3,
        "history.csv": 256,
    }
    with Session(engine) as s:
        assert get_history(s)["queue"].nunique() == 2
        assert audit_log(s).loc[0, ["user", "action", "entity"]].tolist() == ["loader", "load", "folder"]


def test_bad_row_in_the_middle_of_a_file_leaves_the_database_as_it_was(engine, data_dir):
    load_folder(engine, data_dir, progress=lambda _: None)
    before = _snapshot(engine)
    queues = pd.read_csv(data_dir / "queues.csv", dtype=str, keep_default_na=False)
    queues.loc[0, "service_level"] = "0.5"  # a valid change that must not be written either
    queues.to_csv(data_dir / "queues.csv", index=False)
    lines = (data_dir / "agents.csv").read_text(encoding="utf-8-sig").splitlines()
    lines[2] = lines[2].replace(",32,40,5,", ",32,forty,5,")
    (data_dir / "agents.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")
    with pytest.raises(InputError) as err:
        load_folder(engine, data_dir, progress=lambda _: None)
    assert err.value.file.endswith("agents.csv") and err.value.row == 3 and err.value.column == "max_hours_week"
    assert _snapshot(engine) == before


def test_failure_while_writing_rolls_back_the_files_already_written(engine, data_dir):
    """History naming a queue that is nowhere: found only after queues and agents were written → all undone."""
    before = _snapshot(engine)
    history = pd.read_csv(data_dir / "history.csv")
    history.loc[len(history) // 2 :, "queue"] = "phone_unknown"
    history.to_csv(data_dir / "history.csv", index=False)
    with pytest.raises(InputError, match='queue "phone_unknown" is neither in queues'):
        load_folder(engine, data_dir, progress=lambda _: None)
    assert _snapshot(engine) == before


def test_a_folder_without_data_files_is_refused(engine, tmp_path):
    (tmp_path / "notes.txt").write_text("hello")
    with pytest.raises(InputError, match="no data files here"):
        load_folder(engine, tmp_path, progress=lambda _: None)


def test_cli_db_upgrade_load_and_status(db_url, data_dir, capsys):
    assert main(["db", "upgrade", "--url", db_url]) == 0
    assert main(["db", "load", str(data_dir), "--url", db_url, "--user", "cli"]) == 0
    assert "loaded" in capsys.readouterr().err
    assert main(["db", "status", "--url", db_url]) == 0
    out = capsys.readouterr().out
    assert "agents: 4" in out and "history: 256" in out


def test_cli_db_load_of_a_bad_folder_exits_2_and_changes_nothing(db_url, data_dir, capsys, monkeypatch):
    monkeypatch.setenv("WFM_DATABASE_URL", db_url)
    assert main(["db", "load", str(data_dir)]) == 0
    (data_dir / "shifts.csv").write_text("shift,start,length_minutes\nE0800,08:00,540\nX,25:99,540\nL,15:00,540\n")
    capsys.readouterr()
    assert main(["db", "load", str(data_dir)]) == 2
    err = [line for line in capsys.readouterr().err.splitlines() if line.startswith("wfm: error")]
    assert len(err) == 1 and "shifts.csv, row 3" in err[0] and '"25:99" is not a time of day' in err[0]
    from wfm.store import get_shifts, make_engine

    engine = make_engine(db_url)
    with Session(engine) as s:
        assert get_shifts(s)["shift"].tolist() == ["E0800", "D1000", "L1500", "N2200"]
    engine.dispose()


def test_cli_refuses_a_stale_roster_save(db_url, tmp_path, capsys):
    roster = tmp_path / "roster.csv"
    synthetic_segments(3, 7).assign(
        date=lambda f: f["date"].dt.strftime("%Y-%m-%d"),
        start=lambda f: f["start"].dt.strftime("%Y-%m-%d %H:%M"),
        end=lambda f: f["end"].dt.strftime("%Y-%m-%d %H:%M"),
    ).to_csv(roster, index=False, encoding="utf-8-sig")
    assert main(["db", "upgrade", "--url", db_url]) == 0
    base = ["db", "save-roster", "--url", db_url, "--roster", str(roster), "--name", "w45"]
    assert main([*base, "--expected-version", "0", "--user", "alice"]) == 0
    assert main([*base, "--expected-version", "1", "--user", "alice"]) == 0
    capsys.readouterr()
    assert main([*base, "--expected-version", "1", "--user", "bob"]) == 2
    err = capsys.readouterr().err
    assert "now at version 2" in err and "Nothing was saved" in err
    assert main(["db", "publish", "--url", db_url, "--name", "w45", "--expected-version", "2"]) == 0
    out = tmp_path / "back.csv"
    assert main(["db", "get-roster", "--url", db_url, "--name", "w45", "--published", "--out", str(out)]) == 0
    pd.testing.assert_frame_equal(read_roster_segments(out), read_roster_segments(roster))


def test_cli_needs_an_upgraded_schema_for_rosters(db_url, tmp_path, capsys):
    out = tmp_path / "x.csv"
    assert main(["db", "get-roster", "--url", db_url, "--name", "w45", "--out", str(out)]) == 2
    assert "run `wfm db upgrade`" in capsys.readouterr().err
    assert not out.exists()


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("not a url", "is not a database URL"),
        ("postgresql+psycopg://nobody@127.0.0.1:1/none?connect_timeout=2", "cannot use the database"),
    ],
)
def test_cli_unusable_database_is_one_clear_line(url, message, capsys):
    assert main(["db", "status", "--url", url]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and message in err[0]


def test_the_bundled_sample_loads(engine, tmp_path):
    """The sample folder of the repository (history left out to keep the test short) loads as it is."""
    sample = Path(__file__).resolve().parents[2] / "data"
    if not (sample / "agents.csv").exists():
        pytest.skip("no sample data in data/ (run `wfm sample-data`)")
    folder = tmp_path / "sample"
    folder.mkdir()
    for name in ("queues.csv", "agents.csv", "time_off.csv", "shifts.csv", "events.csv", "rules.toml"):
        shutil.copy(sample / name, folder / name)
    counts = load_folder(engine, folder, progress=lambda _: None)
    with Session(engine) as s:
        agents = get_agents(s)
    assert counts["agents.csv"] == len(agents) > 0
    assert set(get_agents_skills(agents)) <= set(pd.read_csv(sample / "queues.csv")["queue"])


def get_agents_skills(agents: pd.DataFrame) -> list[str]:
    return [skill for cell in agents["skills"] for skill in cell.split(";")]
