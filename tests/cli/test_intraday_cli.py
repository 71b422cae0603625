"""`wfm intraday` end to end on a tiny centre, and its bad-input paths: one line, exit code 2, nothing written."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from tests.intraday import scenario as sc
from wfm.cli import main
from wfm.csvio import read_table
from wfm.export import read_roster_segments
from wfm.intraday.session import RosterContext
from wfm.roster.checker import ROSTER_COLUMNS, check_roster, parse_roster

OUTPUTS = ("gap.csv", "actions.csv", "refc.csv", "roster2.csv")


def _roster() -> list[tuple]:
    return (
        sc.shift("b1", "08:00", "16:00", "q1", ("12:00", "12:30", "break", ""))
        + sc.shift(
            "b2", "08:00", "16:00", "q1", ("11:00", "12:00", "training", "coaching"), ("14:00", "14:30", "break", "")
        )
        + sc.shift("b3", "08:00", "16:00", "q2", ("09:00", "09:30", "break", ""))
        + sc.shift("m1", "12:00", "20:00", "q1", ("15:00", "15:30", "break", ""))
    )


@pytest.fixture
def centre(tmp_path: Path) -> dict[str, Path]:
    files = sc.write(tmp_path, _roster())
    days = pd.date_range(sc.DAY - pd.Timedelta(days=28), periods=28, freq="D")
    sc.poisson_history(days, {"q1": 4.0, "q2": 3.0}).to_csv(tmp_path / "history.csv", index=False)
    today = sc.poisson_history(pd.DatetimeIndex([sc.DAY]), {"q1": 6.0, "q2": 4.5}, seed=9)
    today[today["interval_start"] < sc.UNTIL].to_csv(tmp_path / "actuals.csv", index=False)
    files["history"] = tmp_path / "history.csv"
    files["actuals"] = tmp_path / "actuals.csv"
    return files


def _args(files: dict[str, Path], **override: str | None) -> list[str]:
    folder = files["history"].parent
    options = {
        "--history": files["history"],
        "--actuals": files["actuals"],
        "--until": f"{sc.UNTIL:%Y-%m-%d %H:%M}",
        "--roster": files["roster"],
        "--agents": files["agents"],
        "--queues": files["queues"],
        "--shifts": files["shifts"],
        "--rules": files["rules"],
        "--out": folder / "gap.csv",
        "--actions": folder / "actions.csv",
        "--reforecast": folder / "refc.csv",
        "--learn-days": "5",
        **override,
    }
    return ["intraday", *[str(x) for k, v in options.items() if v is not None for x in (k, v)]]


def test_gap_actions_and_reforecast_are_written(centre, capsys) -> None:
    assert main(_args(centre)) == 0
    folder = centre["history"].parent
    gap = pd.read_csv(folder / "gap.csv", encoding="utf-8-sig")
    assert set(gap["queue"]) == {"q1", "q2"}
    assert pd.to_datetime(gap["interval_start"]).min() == sc.UNTIL
    assert {"required_agents", "scheduled_agents", "gap", "service_level", "p_abandon"} <= set(gap.columns)
    assert (gap["gap"] == gap["scheduled_agents"] - gap["required_agents"]).all()
    actions = pd.read_csv(folder / "actions.csv", encoding="utf-8-sig")
    assert len(actions) > 0 and set(actions["kind"]) <= {"move", "break", "training", "overtime", "early_leave"}
    in_sequence = actions[actions["sequence"] > 0]
    assert list(in_sequence["sequence"]) == list(range(1, len(in_sequence) + 1)) == list(in_sequence["action_id"])
    assert in_sequence.loc[in_sequence["kind"] != "early_leave", "cumulative_service_level"].is_monotonic_increasing
    assert (in_sequence["cumulative_service_level"] >= in_sequence["service_level_before"]).all()
    refc = pd.read_csv(folder / "refc.csv", encoding="utf-8-sig")
    known = refc[~refc["rest_of_day"]]
    assert pd.to_datetime(known["interval_start"]).max() < sc.UNTIL and known["actual"].notna().all()
    # the morning ran 50 % above the history's level: the reforecast raises the rest of the day
    rest = refc[refc["rest_of_day"]]
    assert rest["reforecast"].sum() > rest["forecast"].sum()
    assert "learned from" in capsys.readouterr().err


@pytest.mark.parametrize(
    ("override", "prepare", "expected"),
    [
        ({"--until": "11/11/2026 12:00"}, None, 'expected "YYYY-MM-DD HH:MM"'),
        ({"--model": "magic"}, None, '--model "magic" is unknown'),
        ({"--shifts": None}, None, "--actions needs --shifts"),
        ({"--learn-days": "-1"}, None, "--learn-days -1"),
        ({}, "other_day", "row 2"),
        ({}, "unknown_agent", 'unknown agent "zz"'),
        ({}, "no_shift", "the roster has no shift on 2026-11-11"),
        ({}, "unknown_queue", 'queue "q3"'),
        ({}, "bad_actuals", 'column "offered"'),
        ({"--apply": "0", "--roster-out": "R2"}, None, "--apply 0: expected an action number from 1"),
        ({"--apply": "99", "--roster-out": "R2"}, None, "--apply 99: only"),
        ({"--apply": "1"}, None, "--apply needs --roster-out FILE and/or --save-as NAME"),
        ({"--apply": "1", "--save-as": "w45"}, None, "--save-as needs --expected-version"),
        ({"--roster-out": "R2"}, None, "--roster-out needs --apply K"),
        ({"--apply": "1", "--roster-out": "R2", "--shifts": None, "--actions": None}, None, "--apply needs --shifts"),
    ],
)
def test_bad_input_is_one_line_and_exit_code_2(centre, capsys, override, prepare, expected) -> None:
    if override.get("--roster-out") == "R2":
        override = {**override, "--roster-out": str(centre["history"].parent / "roster2.csv")}
    if prepare == "other_day":
        actuals = pd.read_csv(centre["actuals"])
        actuals.loc[0, "interval_start"] = "2026-11-10 08:00:00"
        actuals.to_csv(centre["actuals"], index=False)
    elif prepare == "unknown_agent":
        text = centre["roster"].read_text(encoding="utf-8").replace("b1,Break Agent", "zz,Nobody", 1)
        centre["roster"].write_text(text, encoding="utf-8")
    elif prepare == "no_shift":
        text = centre["roster"].read_text(encoding="utf-8").replace("2026-11-11", "2026-11-12")
        centre["roster"].write_text(text, encoding="utf-8")
    elif prepare == "unknown_queue":
        history = pd.read_csv(centre["history"])
        history.loc[history["queue"] == "q2", "queue"] = "q3"
        history.to_csv(centre["history"], index=False)
    elif prepare == "bad_actuals":
        actuals = pd.read_csv(centre["actuals"])
        actuals["offered"] = actuals["offered"].astype(object)
        actuals.loc[2, "offered"] = "many"
        actuals.to_csv(centre["actuals"], index=False)
    assert main(_args(centre, **override)) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert expected in err[-1] and "Traceback" not in "\n".join(err)
    if prepare == "other_day":
        assert "actuals.csv" in err[-1]
    folder = centre["history"].parent
    assert not any((folder / name).exists() for name in OUTPUTS)


def test_apply_writes_the_new_roster_and_saves_a_version_with_the_stale_refusal(centre, capsys) -> None:
    folder = centre["history"].parent
    url = f"sqlite:///{folder / 'wfm.db'}"
    assert main(["db", "upgrade", "--url", url]) == 0
    base = ["db", "save-roster", "--url", url, "--roster", str(centre["roster"]), "--name", "w45"]
    assert main([*base, "--expected-version", "0", "--user", "alice"]) == 0
    out = folder / "roster2.csv"
    save = ["--roster-out", str(out), "--save-as", "w45", "--url", url, "--user", "bob"]
    assert main([*_args(centre, **{"--apply": "1"}), *save, "--expected-version", "1"]) == 0
    err = capsys.readouterr().err
    assert "applied #1" in err and 'saved roster "w45" version 2' in err
    actions = pd.read_csv(folder / "actions.csv", encoding="utf-8-sig")
    first = actions.iloc[0]
    new = read_roster_segments(out)
    old = read_roster_segments(centre["roster"])
    changed = new[new["agent_id"] == first["agent_id"]].reset_index(drop=True)
    assert not changed.equals(old[old["agent_id"] == first["agent_id"]].reset_index(drop=True))
    others = new[new["agent_id"] != first["agent_id"]].reset_index(drop=True)
    pd.testing.assert_frame_equal(others, old[old["agent_id"] != first["agent_id"]].reset_index(drop=True))
    context = RosterContext.from_files(centre["agents"], centre["queues"], centre["shifts"], centre["rules"])
    typed = parse_roster(read_table(out, ROSTER_COLUMNS))
    assert check_roster(typed, context.agents, context.shifts, context.time_off, context.config) == []
    back = folder / "back.csv"
    assert main(["db", "get-roster", "--url", url, "--name", "w45", "--version", "2", "--out", str(back)]) == 0
    pd.testing.assert_frame_equal(read_roster_segments(back), new)
    # the same file applied again from version 1: stale, refused in one line, nothing written
    out.unlink()
    (folder / "gap.csv").unlink()
    capsys.readouterr()
    assert main([*_args(centre, **{"--apply": "1"}), *save, "--expected-version", "1"]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert "now at version 2" in err[-1] and "Traceback" not in "\n".join(err)
    assert not out.exists() and not (folder / "gap.csv").exists()
