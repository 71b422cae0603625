"""The bundled sample data set: readable by the project's readers, deterministic, with visible peaks."""

from __future__ import annotations

import tomllib
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from forecasting.history import find_gaps, read_history
from wfm.cli import main
from wfm.roster.inputs import read_agents
from wfm.roster.training import read_training
from wfm.sample import SAMPLE_FILES, sample_bytes
from wfm.sample.write import DEFAULT_SEED

DATA = Path(__file__).resolve().parents[1] / "data"
SHORT = {"first_day": pd.Timestamp("2026-10-01").date(), "last_day": pd.Timestamp("2026-10-14").date()}


@pytest.fixture(scope="module")
def sample_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("sample")
    assert main(["sample-data", "--out", str(out)]) == 0
    return out


@pytest.fixture(scope="module")
def history(sample_dir: Path) -> pd.DataFrame:
    return read_history(sample_dir / "history.csv.gz")


@pytest.fixture(scope="module")
def daily(history: pd.DataFrame) -> pd.DataFrame:
    days = history.assign(day=history["interval_start"].dt.normalize())
    return days.pivot_table(index="day", columns="queue", values="offered", aggfunc="sum")


def _same_weekday_baseline(series: pd.Series, day: pd.Timestamp, weeks: int = 4) -> float:
    return float(np.mean([series[day - pd.Timedelta(weeks=k)] for k in range(1, weeks + 1)]))


def test_all_files_are_written_and_small(sample_dir: Path) -> None:
    sizes = {name: (sample_dir / name).stat().st_size for name in SAMPLE_FILES}
    assert all(size > 0 for size in sizes.values())
    assert sum(sizes.values()) < 15_000_000
    assert not [p for p in sample_dir.iterdir() if p.name not in SAMPLE_FILES]


def test_same_seed_same_bytes_other_seed_other_bytes() -> None:
    first, again = sample_bytes(DEFAULT_SEED, **SHORT), sample_bytes(DEFAULT_SEED, **SHORT)
    assert first == again
    other = sample_bytes(DEFAULT_SEED + 1, **SHORT)
    assert other["history.csv.gz"] != first["history.csv.gz"]
    assert other["agents.csv"] != first["agents.csv"]


def test_committed_data_matches_the_generator(sample_dir: Path) -> None:
    if not (DATA / "history.csv.gz").exists():
        pytest.skip("data/ has not been generated")
    for name in SAMPLE_FILES:
        assert (DATA / name).read_bytes() == (sample_dir / name).read_bytes(), f"data/{name} is stale"


def test_history_contract_and_span(history: pd.DataFrame) -> None:
    assert list(history.columns) == [
        "queue",
        "interval_start",
        "offered",
        "answered",
        "abandoned",
        "aht_seconds",
        "asa_seconds",
        "answered_in_target",
    ]
    assert history.attrs["interval_minutes"] == 15
    assert history["queue"].nunique() >= 6
    assert history["queue"].str.fullmatch(r"[a-z][a-z0-9_]*").all()
    assert history["interval_start"].min() == pd.Timestamp("2024-11-01 00:00")
    assert history["interval_start"].max() == pd.Timestamp("2026-10-31 23:45")
    phone = history[history["queue"].str.startswith(("phone_", "chat_"))]
    assert phone["interval_start"].dt.hour.min() == 8
    email = history[history["queue"] == "email_aftersale"]
    assert email["interval_start"].dt.hour.min() == 0


def test_gaps_are_only_the_nightly_closed_hours(history: pd.DataFrame) -> None:
    gaps = find_gaps(history, 15)
    assert set(gaps["kind"]) == {"closed"}
    assert (gaps["start"].dt.strftime("%H:%M") == "00:00").all()
    assert (gaps["intervals"] == 32).all()


def test_double_11_is_at_least_three_times_the_same_weekday(daily: pd.DataFrame) -> None:
    total = daily.sum(axis=1)
    day = pd.Timestamp("2025-11-11")
    assert total[day] >= 3 * _same_weekday_baseline(total, day)
    presale = daily["phone_presale"]
    assert presale[day] >= 3 * _same_weekday_baseline(presale, day)
    assert total[day] <= 10 * _same_weekday_baseline(total, day)


def test_618_and_returns_are_visible(daily: pd.DataFrame) -> None:
    presale = daily["phone_presale"] + daily["chat_presale"]
    day = pd.Timestamp("2026-06-18")
    assert presale[day] >= 2.5 * _same_weekday_baseline(presale, day)
    aftersale = daily["phone_aftersale"]
    after = pd.Timestamp("2025-11-13")
    assert aftersale[after] >= 1.8 * _same_weekday_baseline(aftersale, after)


def test_holidays_are_lower(sample_dir: Path, daily: pd.DataFrame) -> None:
    events = pd.read_csv(sample_dir / "events.csv", parse_dates=["start", "end"])
    total = daily.sum(axis=1)
    others = events[events["kind"] != "holiday"]
    checked = 0
    for _, holiday in events[events["kind"] == "holiday"].iterrows():
        days = pd.date_range(holiday["start"], holiday["end"])
        if days[0] - pd.Timedelta(weeks=4) < total.index[0] or days[-1] > total.index[-1]:
            continue
        if ((others["start"] <= days[-1]) & (others["end"] >= days[0] - pd.Timedelta(weeks=4))).any():
            continue
        for day in days:
            assert total[day] < 0.9 * _same_weekday_baseline(total, day), (holiday["event"], day)
            checked += 1
    assert checked >= 10


def test_aht_varies_by_queue_and_hour(history: pd.DataFrame) -> None:
    by_queue = history.groupby("queue")["aht_seconds"].mean()
    assert by_queue.max() > 2 * by_queue.min()
    hour = history["interval_start"].dt.hour
    morning = history[hour == 9].groupby("queue")["aht_seconds"].mean()
    evening = history[hour == 21].groupby("queue")["aht_seconds"].mean()
    assert (morning > evening * 1.05).all()


def test_queues_have_the_design_targets(sample_dir: Path) -> None:
    from wfm.staffing.queues import read_queues

    queues = pd.read_csv(sample_dir / "queues.csv")
    settings = read_queues(sample_dir / "queues.csv")
    assert set(settings) == set(queues["queue"])
    prefix = {"voice": "phone_", "chat": "chat_", "email": "email_"}
    assert all(name.startswith(prefix[s.channel]) for name, s in settings.items())
    row = queues.set_index("queue")
    assert (row.loc["phone_presale", ["service_level", "answer_seconds"]] == [0.8, 20]).all()
    assert row.loc["chat_presale", "concurrency"] == 3 and row.loc["chat_presale", "answer_seconds"] == 30
    assert row.loc["chat_presale", "aht_factors"] == "1;1.25;1.6"
    assert (row.loc["email_aftersale", ["service_level", "response_hours"]] == [0.96, 2]).all()
    assert (queues["max_occupancy"] == 0.85).all() and (queues["shrinkage"] == 0.15).all()  # unplanned only
    patience = pd.to_numeric(queues["patience_seconds"], errors="coerce").dropna()
    assert patience.between(120, 300).all()


def test_agents_skills_contracts_and_names(sample_dir: Path) -> None:
    agents = pd.read_csv(sample_dir / "agents.csv", keep_default_na=False, encoding="utf-8-sig", dtype=str)
    for column in ("max_hours_week", "max_days_week"):
        agents[column] = agents[column].astype(int)
    queues = set(pd.read_csv(sample_dir / "queues.csv")["queue"])
    assert 110 <= len(agents) <= 130
    assert agents["agent_id"].is_unique and agents["name"].is_unique
    assert agents["name"].str.fullmatch(r"[\u4e00-\u9fff]{2,4}").all()
    skills = agents["skills"].str.split(";")
    assert all(set(s) <= queues and len(s) == len(set(s)) for s in skills)
    counts = skills.map(len)
    assert counts.between(1, 3).all() and (counts <= 2).mean() >= 0.8 and (counts == 3).any()
    assert set(queues) == set().union(*skills.map(set))
    full = agents[agents["contract"] == "full_time"]
    part = agents[agents["contract"] == "part_time"]
    assert ((full["max_hours_week"] == 40) & (full["max_days_week"] == 5)).all()
    assert part["max_hours_week"].between(20, 30).all() and len(part) >= 10
    new = agents[agents["new_hire"] == "true"]
    assert 0.05 <= len(new) / len(agents) <= 0.15
    assert set(agents["new_hire"]) == {"true", "false"}
    assert (pd.to_datetime(new["hire_date"]) >= pd.Timestamp("2026-10-01")).all()


def test_shifts_time_off_rules_and_events(sample_dir: Path) -> None:
    shifts = pd.read_csv(sample_dir / "shifts.csv", keep_default_na=False, encoding="utf-8-sig")
    assert 18 <= len(shifts) <= 24 and shifts["shift"].is_unique
    assert set(shifts["category"]) == {"early", "day", "late", "night"}
    assert set(shifts["length_minutes"] - shifts["lunch_minutes"]) == {240, 360, 480}
    ends = pd.to_timedelta(shifts["start"] + ":00") + pd.to_timedelta(shifts["length_minutes"], unit="min")
    assert (ends <= pd.Timedelta(hours=24)).all()
    time_off = pd.read_csv(sample_dir / "time_off.csv", keep_default_na=False, encoding="utf-8-sig")
    agents = pd.read_csv(sample_dir / "agents.csv", encoding="utf-8-sig")
    assert set(time_off["agent_id"]) <= set(agents["agent_id"]) and len(time_off) >= 5
    assert pd.to_datetime(time_off["date"]).dt.strftime("%Y-%m").eq("2026-11").all()
    rules = tomllib.loads((sample_dir / "rules.toml").read_text(encoding="utf-8"))
    assert {k for k in rules if k.startswith("break")} == {"breaks_full_day", "breaks_part_day", "break_cap"}
    assert {k: v for k, v in rules.items() if not k.startswith("break")} == {
        "rules": {"min_rest_hours": 11, "days_off_per_week": 2, "max_consecutive_days": 6, "interval_minutes": 15},
        "weights": {
            "under_coverage": 100,
            "over_coverage": 5,
            "paid_hours": 1,
            "preferred_day_off": 10,
            "shift_category_preference": 5,
            "days_off_together": 3,
            "weekend_fairness": 200,  # fairness on for a newcomer's first roster
            "late_fairness": 100,
            "holiday_fairness": 100,
        },
    }
    training = read_training(sample_dir / "training.csv", read_agents(sample_dir / "agents.csv"), 15)
    assert {r.group for r in training} == {"new_hire", "everyone", "team"}
    events = pd.read_csv(sample_dir / "events.csv", encoding="utf-8-sig")
    assert list(events.columns) == ["event", "start", "end", "kind"]
    assert set(events["kind"]) == {"promotion", "holiday", "returns"}
    assert ((events["event"] == "double_11") & (events["start"] == "2026-11-11")).any()
    assert events["end"].max() >= "2027-10-31"
    assert (events["start"] <= events["end"]).all()


def test_cli_rejects_a_file_as_output_folder(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    target = tmp_path / "not_a_folder"
    target.write_text("x", encoding="utf-8")
    assert main(["sample-data", "--out", str(target)]) == 2
    assert "--out must be a folder" in capsys.readouterr().err
    assert target.read_text(encoding="utf-8") == "x"
