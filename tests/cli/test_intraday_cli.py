"""`wfm intraday` end to end on a tiny centre, and its bad-input paths: one line, exit code 2, nothing written."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from tests.intraday import scenario as sc
from wfm.cli import main

OUTPUTS = ("gap.csv", "actions.csv", "refc.csv")


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
    ],
)
def test_bad_input_is_one_line_and_exit_code_2(centre, capsys, override, prepare, expected) -> None:
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
