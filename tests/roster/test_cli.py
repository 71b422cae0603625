"""`wfm roster` and `wfm check-roster` end to end on tiny files, and their bad-input paths (exit 2, nothing written)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from wfm.cli import main

AGENTS = (
    "agent_id,name,skills,min_hours_week,max_hours_week,max_days_week,earliest_start,latest_end\n"
    "A1,王芳,chat;phone,16,40,5,,\nA2,Li Lei,phone,0,40,5,08:00,22:00\n"
)
SHIFTS = (
    "shift,start,length_minutes,days,lunch_minutes,breaks,category\n"
    "E,07:00,540,,60,2,early\nL,13:00,540,,60,2,late\nN,22:00,480,Mon;Tue,0,0,night\n"
)
RULES = "[rules]\ninterval_minutes = 30\n[weights]\nover_coverage = 2\n"


def requirements_csv(days: int = 3) -> str:
    """Half-hourly requirements: one agent on chat and phone from 08:00 to 20:00."""
    lines = ["queue,interval_start,volume,aht_seconds,required_agents"]
    for d in range(days):
        for h in range(8, 20):
            for m in (0, 30):
                for q in ("chat", "phone"):
                    lines.append(f"{q},2026-11-{2 + d:02d} {h:02d}:{m:02d},10,300,1")
    return "\n".join(lines) + "\n"


@pytest.fixture
def files(tmp_path: Path) -> dict[str, Path]:
    """The input files of a tiny roster."""
    paths = {}
    for name, text in (
        ("requirements", requirements_csv()),
        ("agents", AGENTS),
        ("shifts", SHIFTS),
        ("time_off", "agent_id,date\nA2,2026-11-03\n"),
        ("rules", RULES),
    ):
        paths[name] = tmp_path / (name + (".toml" if name == "rules" else ".csv"))
        paths[name].write_text(text, encoding="utf-8")
    return paths


def roster_args(files: dict[str, Path], out: Path, **overrides: str) -> list[str]:
    """Arguments of `wfm roster`."""
    values = {
        "requirements": files["requirements"],
        "agents": files["agents"],
        "shifts": files["shifts"],
        "time-off": files["time_off"],
        "rules": files["rules"],
        "start": "2026-11-02",
        "days": "3",
        "time-limit": "5",
        "out": out,
        "report": out.with_suffix(".json"),
    }
    values.update(overrides)
    return ["roster", *[x for k, v in values.items() for x in (f"--{k}", str(v))]]


def test_roster_then_check(files: dict[str, Path], tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    out = tmp_path / "roster.csv"
    assert main(roster_args(files, out)) == 0
    text = out.read_text(encoding="utf-8-sig")
    assert text.splitlines()[0] == "agent_id,name,date,start,end,activity,queue"
    assert "王芳" in text and ",lunch," in text
    report = json.loads(out.with_suffix(".json").read_text(encoding="utf-8"))
    assert {p["rule"] for p in report["penalties"]} >= {"under_coverage", "over_coverage", "paid_hours"}
    assert report["lower_bound"] <= report["objective"] + 1e-6
    assert "objective" in capsys.readouterr().err
    check = [
        "check-roster",
        "--roster",
        str(out),
        "--agents",
        str(files["agents"]),
        "--shifts",
        str(files["shifts"]),
        "--time-off",
        str(files["time_off"]),
        "--rules",
        str(files["rules"]),
    ]
    assert main(check) == 0


def test_check_roster_exit_1_on_violation(
    files: dict[str, Path], tmp_path: Path, capsys: pytest.CaptureFixture
) -> None:
    roster = tmp_path / "bad.csv"
    roster.write_text(
        "agent_id,name,date,start,end,activity,queue\n"
        "A2,Li Lei,2026-11-03,2026-11-03 07:00,2026-11-03 16:00,work,chat\n",
        encoding="utf-8",
    )
    code = main(
        [
            "check-roster",
            "--roster",
            str(roster),
            "--agents",
            str(files["agents"]),
            "--shifts",
            str(files["shifts"]),
            "--time-off",
            str(files["time_off"]),
            "--rules",
            str(files["rules"]),
        ]
    )
    assert code == 1
    printed = capsys.readouterr().out
    for rule in ("skills", "availability", "time_off", "shift_template"):
        assert rule in printed


@pytest.mark.parametrize(
    ("target", "text", "message"),
    [
        ("agents", "agent_id,name\nA1,x\n", 'column "skills"'),
        ("agents", AGENTS.replace("chat;phone,16", "chat;phone,abc"), 'row 2, column "min_hours_week"'),
        ("shifts", SHIFTS.replace("07:00", "07:10"), 'row 2, column "start"'),
        ("shifts", SHIFTS.replace("Mon;Tue", "Mon;Xyz"), 'row 4, column "days"'),
        ("time_off", "agent_id,date\nNOBODY,2026-11-03\n", 'row 2, column "agent_id"'),
        ("requirements", "queue,interval_start,required_agents\nchat,not a time,1\n", 'column "interval_start"'),
        ("rules", "[rules]\nmin_rest = 11\n", 'column "min_rest"'),
    ],
)
def test_bad_input_exits_2_and_writes_nothing(
    files: dict[str, Path], tmp_path: Path, capsys: pytest.CaptureFixture, target: str, text: str, message: str
) -> None:
    files[target].write_text(text, encoding="utf-8")
    out = tmp_path / "roster.csv"
    assert main(roster_args(files, out)) == 2
    err = capsys.readouterr().err
    assert message in err and err.count("\n") == 1
    assert not out.exists() and not out.with_suffix(".json").exists()


@pytest.mark.parametrize(("option", "value"), [("start", "2026-13-01"), ("days", "50"), ("time-limit", "0")])
def test_bad_options_exit_2(files: dict[str, Path], tmp_path: Path, option: str, value: str) -> None:
    out = tmp_path / "roster.csv"
    assert main(roster_args(files, out, **{option: value})) == 2
    assert not out.exists()


def test_infeasible_contract_exit_2_names_agent(
    files: dict[str, Path], tmp_path: Path, capsys: pytest.CaptureFixture
) -> None:
    files["agents"].write_text(
        AGENTS.replace("A2,Li Lei,phone,0,40,5,08:00,22:00", "A2,Li Lei,phone,30,40,5,08:00,12:00"), encoding="utf-8"
    )
    out = tmp_path / "roster.csv"
    assert main(roster_args(files, out)) == 2
    assert "agent A2 (Li Lei): rule weekly_hours" in capsys.readouterr().err
    assert not out.exists()
