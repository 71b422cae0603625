"""`wfm roster --by team`: the split of shared queues (largest remainder), teams solved in this process and on a
Dask LocalCluster of two worker processes, each team's roster and the merged one through the independent checker,
the merged coverage recounted from the roster file, and the bad options (one line, exit 2, nothing written)."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from wfm.cli import main
from wfm.roster.checker import check_roster, parse_roster
from wfm.roster.inputs import load_instance
from wfm.roster.teams import split_by_team, split_requirement
from wfm.roster.training import read_training

AGENTS = (
    "agent_id,name,skills,team,min_hours_week,max_hours_week,max_days_week\n"
    "N1,王芳,chat,north,0,40,5\nN2,Li Lei,chat;phone,north,0,40,5\n"
    "S1,Anna,phone,south,0,40,5\nS2,Ben,phone;email,south,0,40,5\nS3,Chen,email,south,0,40,5\n"
)
SHIFTS = "shift,start,length_minutes,lunch_minutes,category\nE,07:00,540,60,early\nL,13:00,540,60,late\n"
RULES = (
    "[rules]\ninterval_minutes = 30\n"
    "[breaks_all]\nbreaks = 1\nbreak_minutes = 30\nlunch_min_minutes = 30\nlunch_max_minutes = 60\n"
    "[break_cap]\ndefault = 0.25\nmin_agents = 1\n"  # phone is shared: at most one of N2, S1, S2 pauses at once
)
TRAINING = "requirement,group,per,sessions,session_minutes\nproduct,everyone,horizon,1,30\n"
QUEUES = ("chat", "phone", "email")


def requirements_csv(days: int = 3) -> str:
    """Half-hourly requirements 08:00–20:00: chat 1, phone 3 (shared by both teams), email 1."""
    lines = ["queue,interval_start,volume,aht_seconds,required_agents"]
    for d in range(days):
        for h in range(8, 20):
            for m in (0, 30):
                for q, need in zip(QUEUES, (1, 3, 1), strict=True):
                    lines.append(f"{q},2026-11-{2 + d:02d} {h:02d}:{m:02d},10,300,{need}")
    return "\n".join(lines) + "\n"


@pytest.fixture
def files(tmp_path: Path) -> dict[str, Path]:
    """The input files of a two-team roster."""
    paths = {}
    for name, text in (
        ("requirements", requirements_csv()),
        ("agents", AGENTS),
        ("shifts", SHIFTS),
        ("time_off", "agent_id,date\nS3,2026-11-03\n"),
        ("rules", RULES),
        ("training", TRAINING),
    ):
        paths[name] = tmp_path / (name + (".toml" if name == "rules" else ".csv"))
        paths[name].write_text(text, encoding="utf-8")
    return paths


def roster_args(files: dict[str, Path], out: Path, *extra: str) -> list[str]:
    """Arguments of `wfm roster --by team`."""
    values = {
        "requirements": files["requirements"],
        "agents": files["agents"],
        "shifts": files["shifts"],
        "time-off": files["time_off"],
        "rules": files["rules"],
        "training": files["training"],
        "start": "2026-11-02",
        "days": "3",
        "time-limit": "2",
        "out": out,
        "report": out.with_suffix(".json"),
    }
    return ["roster", *[x for k, v in values.items() for x in (f"--{k}", str(v))], "--by", "team", *extra]


def test_split_is_proportional_by_largest_remainder() -> None:
    required = np.array([[5, 0, 1, 2, 7]])
    parts = split_requirement(required, np.array([[2], [1], [0]]))
    assert parts[:, 0, :].tolist() == [[3, 0, 1, 1, 5], [2, 0, 0, 1, 2], [0, 0, 0, 0, 0]]
    tie = split_requirement(np.array([[1, 3]]), np.array([[1], [1]]))
    assert tie[:, 0, :].tolist() == [[1, 2], [0, 1]]  # equal remainders: the earlier team first
    nobody = split_requirement(np.array([[4]]), np.array([[0], [0]]))
    assert nobody.sum() == 0


@given(
    required=st.lists(st.integers(0, 500), min_size=1, max_size=20),
    counts=st.lists(st.integers(0, 40), min_size=1, max_size=6).filter(lambda c: sum(c) > 0),
)
def test_split_parts_sum_to_the_whole_within_one_of_the_exact_share(required: list[int], counts: list[int]) -> None:
    r = np.array([required])
    n = np.array(counts)[:, None]
    parts = split_requirement(r, n)[:, 0, :]
    assert (parts.sum(axis=0) == r[0]).all()
    exact = n * r / n.sum()
    assert (parts >= np.floor(exact)).all() and (parts <= np.ceil(exact)).all()


def test_split_by_team_keeps_agents_time_off_and_requirement(files: dict[str, Path]) -> None:
    instance, _ = load_instance(
        requirements=files["requirements"],
        agents=files["agents"],
        shifts=files["shifts"],
        time_off=files["time_off"],
        rules=files["rules"],
        start=date(2026, 11, 2),
        days=3,
    )
    parts = split_by_team(instance, str(files["agents"]))
    assert [p.team for p in parts] == ["north", "south"]
    north, south = parts
    assert north.instance.queues == ("chat", "phone") and south.instance.queues == ("email", "phone")
    assert [a.agent_id for a in south.instance.agents] == ["S1", "S2", "S3"] and len(south.instance.time_off) == 1
    phone = instance.queues.index("phone")
    total = north.instance.required[1] + south.instance.required[1]
    assert (total == instance.required[phone]).all()
    assert north.instance.required[1].max() == 1 and south.instance.required[1].max() == 2  # 3 × 1/3, 3 × 2/3


def worked_per_interval(frame: pd.DataFrame, queues: tuple[str, ...], n_intervals: int) -> np.ndarray:
    """Agents on `work` rows per queue and 30-minute interval, recounted from the roster rows."""
    counts = np.zeros((len(queues), n_intervals), dtype=np.int64)
    origin = pd.Timestamp("2026-11-02")
    for row in frame[frame["activity"] == "work"].itertuples():
        first = int((pd.Timestamp(row.start) - origin) / pd.Timedelta(minutes=30))
        last = int((pd.Timestamp(row.end) - origin) / pd.Timedelta(minutes=30))
        counts[queues.index(row.queue), max(0, first) : min(n_intervals, last)] += 1
    return counts


def check_merged_and_per_team(files: dict[str, Path], out: Path) -> dict:
    """Every team's rows and the whole roster pass the checker; the report's coverage is the rows' coverage."""
    instance, config = load_instance(
        requirements=files["requirements"],
        agents=files["agents"],
        shifts=files["shifts"],
        time_off=files["time_off"],
        rules=files["rules"],
        start=date(2026, 11, 2),
        days=3,
    )
    training = read_training(files["training"], instance.agents, 30)
    frame = pd.read_csv(out, encoding="utf-8-sig", dtype=str, keep_default_na=False)
    rows = parse_roster(frame)
    for part in split_by_team(instance, str(files["agents"])):
        own = rows[rows["agent_id"].isin([a.agent_id for a in part.instance.agents])]
        sub = part.instance
        mine = read_training(files["training"], sub.agents, 30)
        found = check_roster(
            own, sub.agents, sub.shifts, sub.time_off, config, first_day=sub.start, n_days=3, training=mine
        )
        assert found == []
    assert check_roster(rows, instance.agents, instance.shifts, instance.time_off, config, training=training) == []
    assert (frame["activity"] == "break").sum() > 0 and (frame["activity"] == "training").sum() == 5
    report = json.loads(out.with_suffix(".json").read_text(encoding="utf-8"))
    assert report["breaks"]["cap_violations"] == 0 and report["training"]["delivered_hours"] == 2.5
    coverage = pd.DataFrame(report["coverage"])
    queues = instance.queues
    worked = worked_per_interval(frame, queues, instance.n_intervals)
    for q, queue in enumerate(queues):
        mine = coverage[coverage["queue"] == queue]
        assert mine["required_agents"].tolist() == instance.required[q].tolist()
        assert mine["scheduled_agents"].tolist() == worked[q].tolist()
    assert [t["team"] for t in report["teams"]] == ["north", "south"]
    assert report["violations"] == []
    assert report["objective"] == pytest.approx(sum(t["objective"] for t in report["teams"]))
    return report


def test_by_team_in_process(files: dict[str, Path], tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    out = tmp_path / "roster.csv"
    assert main(roster_args(files, out)) == 0
    err = capsys.readouterr().err
    assert "team north (2 agents, 2 queues) done (1/2)" in err and "team south (3 agents, 2 queues) done (2/2)" in err
    report = check_merged_and_per_team(files, out)
    assert "pid" in report["teams"][0]["worker"]


def test_by_team_on_a_dask_local_cluster_of_two_workers(
    files: dict[str, Path], tmp_path: Path, capsys: pytest.CaptureFixture
) -> None:
    pytest.importorskip("distributed")
    out = tmp_path / "roster.csv"
    assert main(roster_args(files, out, "--engine", "dask", "--workers", "2")) == 0
    err = capsys.readouterr().err
    assert err.count(" on tcp://") == 2 and "by team: 2 teams on the dask engine" in err
    report = check_merged_and_per_team(files, out)
    assert report["phases"] == ["by team: 2 teams on the dask engine"]


@pytest.mark.parametrize(
    ("agents", "extra", "message"),
    [
        ("agent_id,name,skills\nN1,A,chat\nS3,B,phone;email\n", (), '--by team needs a "team" column'),
        ("agent_id,name,skills,team\nN1,A,chat,north\nS3,B,phone;email,\n", (), 'agent "S3" has no team'),
        (None, ("--by", "region"), '--by "region" is unknown'),
        (None, ("--engine", "spark"), '--engine "spark" is unknown'),
    ],
)
def test_bad_by_team_options_exit_2_with_one_line(
    files: dict[str, Path],
    tmp_path: Path,
    capsys: pytest.CaptureFixture,
    agents: str | None,
    extra: tuple[str, ...],
    message: str,
) -> None:
    if agents is not None:
        files["agents"].write_text(agents, encoding="utf-8")
    out = tmp_path / "roster.csv"
    assert main(roster_args(files, out, *extra)) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and err[0].startswith("wfm: error: ") and message in err[0], err
    assert not out.exists() and not out.with_suffix(".json").exists()


def test_engine_without_by_team_exits_2(files: dict[str, Path], tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    out = tmp_path / "roster.csv"
    args = [a for a in roster_args(files, out) if a not in ("--by", "team")]
    assert main([*args, "--engine", "dask"]) == 2
    assert "--engine and --workers need --by team" in capsys.readouterr().err
    assert not out.exists()
