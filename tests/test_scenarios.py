"""What-if scenarios: peak shapes, deflection, targets, extra staff placement, costs, CLI and its errors."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from wfm.cli import main
from wfm.scenarios import (
    Costs,
    ExtraStaff,
    Scenario,
    VolumePeak,
    apply_to_forecast,
    base_scheduled_from_requirements,
    compare,
    read_scenarios,
    run_scenario,
)
from wfm.staffing.queues import read_queues
from wfm.staffing.requirements import build_requirements

QUEUES = """queue,channel,interval_minutes,service_level,answer_seconds,max_occupancy,shrinkage,concurrency,aht_factors
phone_presale,voice,30,0.8,20,0.85,0.3,,
chat_presale,chat,30,0.8,30,0.85,0.3,3,1;1.25;1.6
"""

SCENARIOS = """
[costs]
hourly = 40
temp_hourly = 50
overtime_premium = 0.5

[[scenario]]
name = "base"

[[scenario]]
name = "double11"
[[scenario.peak]]
multiplier = 3
start = 2026-11-11
queues = ["voice"]
ramp_days = 2
returns_days = 1
returns_multiplier = 1.5

[[scenario]]
name = "double11 with temps"
deflection = { chat = 0.25 }
[[scenario.peak]]
multiplier = 3
start = 2026-11-11
queues = ["voice"]
[[scenario.extra_staff]]
kind = "temp"
queues = ["phone_presale"]
start = 2026-11-11
agents = 40
hours_per_day = 8
"""


@pytest.fixture
def setting(tmp_path: Path) -> tuple[dict, pd.DataFrame, Path]:
    (tmp_path / "queues.csv").write_text(QUEUES, encoding="utf-8")
    queues = read_queues(tmp_path / "queues.csv")
    starts = pd.date_range("2026-11-08 08:00", "2026-11-13 23:30", freq="30min")
    starts = starts[starts.hour >= 8]
    rows = [
        {"queue": q, "interval_start": s, "volume": v, "aht_seconds": 240.0}
        for q, v in (("phone_presale", 60.0), ("chat_presale", 40.0))
        for s in starts
    ]
    forecast = pd.DataFrame(rows)
    forecast.to_csv(tmp_path / "forecast.csv", index=False)
    (tmp_path / "scenarios.toml").write_text(SCENARIOS, encoding="utf-8")
    return queues, forecast, tmp_path


def test_peak_shape_ramp_peak_and_returns() -> None:
    peak = VolumePeak(3.0, date(2026, 11, 11), date(2026, 11, 11), ramp_days=2, returns_days=2, returns_multiplier=1.5)
    days = pd.Series(pd.date_range("2026-11-08", "2026-11-14"))
    factor = peak.factor_by_day(days)
    assert factor.tolist() == pytest.approx([1.0, 1 + 2 / 3, 1 + 4 / 3, 3.0, 1.5, 1.25, 1.0])


def test_forecast_changes_only_the_chosen_queues_and_dates(setting) -> None:
    queues, forecast, _ = setting
    scenario = Scenario(
        "s",
        peaks=(VolumePeak(4.0, date(2026, 11, 11), date(2026, 11, 11), channels=("voice",)),),
        deflection={"chat": 0.5},
        aht_multiplier={"phone_presale": 1.1},
    )
    out = apply_to_forecast(forecast, queues, scenario)
    peak_day = out["interval_start"].dt.date == date(2026, 11, 11)
    phone = out["queue"] == "phone_presale"
    assert (out.loc[phone & peak_day, "volume"] == 240.0).all()
    assert (out.loc[phone & ~peak_day, "volume"] == 60.0).all()
    assert (out.loc[~phone, "volume"] == 20.0).all()
    assert out.loc[phone, "aht_seconds"].to_numpy() == pytest.approx(264.0)
    assert (out.loc[~phone, "aht_seconds"] == 240.0).all()


def test_base_scenario_reproduces_the_base_plan(setting) -> None:
    queues, forecast, _ = setting
    base = base_scheduled_from_requirements(build_requirements(forecast, queues))
    result = run_scenario(forecast, queues, base, Scenario("base"))
    assert (result["scheduled_agents"] == result["required_agents"]).all()
    assert (result["service_level"] >= 0.8 - 1e-9).all()


def test_temps_go_where_the_gap_is_and_are_costed(setting) -> None:
    queues, forecast, path = setting
    scenarios, costs = read_scenarios(path / "scenarios.toml", queues)
    base = base_scheduled_from_requirements(build_requirements(forecast, queues))
    results = {s.name: run_scenario(forecast, queues, base, s) for s in scenarios}
    table = compare(list(results.values()), costs, by="day").set_index(["scenario", "period"])
    peak = date(2026, 11, 11)
    plain, temps = table.loc[("double11", peak)], table.loc[("double11 with temps", peak)]
    assert plain["understaffed_intervals"] > 0 and plain["service_level"] < 0.8
    assert temps["temp_hours"] == pytest.approx(320.0)

    def phone_sl(name: str) -> float:
        r = results[name]
        day = r[(r.queue == "phone_presale") & (r.interval_start.dt.date == peak)]
        return float((day.volume * day.service_level).sum() / day.volume.sum())

    assert phone_sl("double11 with temps") > phone_sl("double11") + 0.05
    assert temps["cost"] - table.loc[("base", peak), "cost"] == pytest.approx(320 * 50.0)
    # ramp and returns move the days around the peak
    assert (
        table.loc[("double11", date(2026, 11, 10)), "required_hours"]
        > table.loc[("base", date(2026, 11, 10)), "required_hours"]
    )
    phone = results["double11 with temps"]
    extra = phone[(phone.queue == "phone_presale") & (phone.interval_start.dt.date == peak)]
    assert extra["extra_hours_temp"].sum() == pytest.approx(320.0)


def test_new_hires_ramp_up(setting) -> None:
    queues, forecast, _ = setting
    base = base_scheduled_from_requirements(build_requirements(forecast, queues))
    peak = VolumePeak(2.0, date(2026, 11, 8), date(2026, 11, 13), channels=("voice",))
    hires = ExtraStaff(
        "new_hire", ("phone_presale",), date(2026, 11, 8), date(2026, 11, 13), agents=4, hours_per_day=8, ramp_weeks=1
    )
    result = run_scenario(forecast, queues, base, Scenario("hires", peaks=(peak,), extra_staff=(hires,)))
    daily = result.groupby(result.interval_start.dt.date)["extra_agent_intervals"].sum()
    assert daily.iloc[0] == 32  # 4 × 8 h × 2 per hour × 50 % productivity in week 1
    assert result.groupby(result.interval_start.dt.date)["extra_hours_new_hire"].sum().tolist() == pytest.approx(
        [32.0] * 6
    )
    weekly = compare([result], Costs(hourly=40.0), by="week")
    assert np.isclose(weekly["new_hire_hours"].sum(), 32.0 * 6)


def test_cli_compares_and_writes(setting) -> None:
    _, _, path = setting
    out = path / "compare.csv"
    code = main(
        [
            "scenario",
            "--forecast",
            str(path / "forecast.csv"),
            "--queues",
            str(path / "queues.csv"),
            "--scenarios",
            str(path / "scenarios.toml"),
            "--by",
            "week",
            "--out",
            str(out),
        ]
    )
    assert code == 0
    table = pd.read_csv(out, encoding="utf-8-sig")
    assert table["scenario"].unique().tolist() == ["base", "double11", "double11 with temps"]
    assert {"required_fte", "scheduled_hours", "service_level", "understaffed_intervals", "cost"} <= set(table.columns)


@pytest.mark.parametrize(
    ("edit", "expected"),
    [
        (
            lambda s: s.replace('queues = ["voice"]\nramp_days', 'queues = ["fax"]\nramp_days'),
            'scenario "double11": peak names unknown queue or channel "fax"',
        ),
        (
            lambda s: s.replace("deflection = { chat = 0.25 }", "deflection = { chat = 2 }"),
            'scenario "double11 with temps".deflection.chat: expected a number between 0.0 and 0.99',
        ),
        (lambda s: s.replace('kind = "temp"', 'kind = "intern"'), "extra_staff kind must be"),
        (lambda s: s.replace("start = 2026-11-11\nqueues", 'start = "11/11"\nqueues', 1), "is not a date"),
        (lambda s: s + "\n[[scenario]]\nname = 'x'\nvolume = 3\n", "unknown key 'volume'"),
        (lambda s: s.replace("[costs]", "[costs\n"), "not valid TOML"),
    ],
)
def test_cli_bad_scenarios_exit_2_and_write_nothing(setting, edit, expected: str, capsys) -> None:
    _, _, path = setting
    bad = path / "bad.toml"
    bad.write_text(edit(SCENARIOS), encoding="utf-8")
    out = path / "compare.csv"
    code = main(
        [
            "scenario",
            "--forecast",
            str(path / "forecast.csv"),
            "--queues",
            str(path / "queues.csv"),
            "--scenarios",
            str(bad),
            "--out",
            str(out),
        ]
    )
    assert code == 2
    err = capsys.readouterr().err
    assert "bad.toml" in err and expected in err
    assert not out.exists()


def test_base_plan_from_a_roster_prices_hours_by_contract(setting) -> None:
    queues, forecast, _ = setting
    # two agents on phone_presale 08:00–12:00 on 2026-11-10: one full-timer at 40/h, one part-timer at 30/h
    segments = pd.DataFrame(
        {
            "agent_id": ["A1", "A2"],
            "name": ["李雷", "韩梅梅"],
            "date": pd.to_datetime(["2026-11-10", "2026-11-10"]),
            "start": pd.to_datetime(["2026-11-10 08:00", "2026-11-10 08:00"]),
            "end": pd.to_datetime(["2026-11-10 12:00", "2026-11-10 12:00"]),
            "activity": ["work", "work"],
            "queue": ["phone_presale", "phone_presale"],
        }
    )
    costs = Costs(hourly=40.0, contract_hourly={"full_time": 40.0, "part_time": 30.0})
    requirements = build_requirements(forecast, queues)
    from wfm.scenarios import base_scheduled_from_roster

    base = base_scheduled_from_roster(segments, requirements, {"A1": "full_time", "A2": "part_time"}, costs)
    morning = base[
        (base.queue == "phone_presale") & (base.interval_start.between("2026-11-10 08:00", "2026-11-10 11:30"))
    ]
    assert (morning["scheduled_agents"] == 2).all() and morning["hourly_rate"].tolist() == pytest.approx([35.0] * 8)
    assert base["scheduled_agents"].sum() == 16
    result = run_scenario(forecast, queues, base, Scenario("base"))
    table = compare([result], costs, by="day").set_index("period")
    day = table.loc[date(2026, 11, 10)]
    assert day["scheduled_hours"] == pytest.approx(8.0)
    assert day["cost"] == pytest.approx(4 * 40.0 + 4 * 30.0)
    assert day["understaffed_intervals"] > 0  # two agents cannot carry the day


def test_cli_scenario_on_a_roster_and_a_bad_roster(setting, capsys) -> None:
    _, _, path = setting
    roster = path / "roster.csv"
    roster.write_text(
        "agent_id,name,date,start,end,activity,queue\n"
        "A1,李雷,2026-11-10,2026-11-10 08:00,2026-11-10 12:00,work,phone_presale\n"
        "A2,韩梅梅,2026-11-10,2026-11-10 08:00,2026-11-10 12:00,work,phone_presale\n",
        encoding="utf-8",
    )
    agents = path / "agents.csv"
    agents.write_text(
        "agent_id,name,skills,contract\nA1,李雷,phone_presale,full_time\nA2,韩梅梅,phone_presale,part_time\n"
    )
    out = path / "compare.csv"
    args = [
        "scenario",
        "--forecast",
        str(path / "forecast.csv"),
        "--queues",
        str(path / "queues.csv"),
        "--scenarios",
        str(path / "scenarios.toml"),
        "--roster",
        str(roster),
        "--agents",
        str(agents),
        "--out",
        str(out),
    ]
    assert main(args) == 0
    table = pd.read_csv(out, encoding="utf-8-sig")
    base_day = table[(table.scenario == "base") & (table.period == "2026-11-10")].iloc[0]
    assert base_day["scheduled_hours"] == pytest.approx(8.0) and base_day["cost"] == pytest.approx(8 * 40.0)
    out.unlink()
    roster.write_text(
        roster.read_text(encoding="utf-8").replace("2026-11-10 12:00,work", "2026-11-10 07:00,work", 1),
        encoding="utf-8",
    )
    assert main(args) == 2
    assert "roster.csv" in capsys.readouterr().err
    assert not out.exists()


def test_cli_reroster_solves_a_roster_per_scenario(setting, capsys) -> None:
    _, _, path = setting
    agents = path / "agents.csv"
    agents.write_text(
        "agent_id,name,skills,min_hours_week,max_hours_week,max_days_week,contract\n"
        # Six working days over the six-day horizon (rules below): with demand above the staff everywhere, five days
        # each would tie (the same total shortage) with leaving a whole day empty, and the search may pick either.
        + "".join(f"A{i},Agent {i},phone_presale;chat_presale,0,48,6,full_time\n" for i in range(12)),
        encoding="utf-8",
    )
    shifts = path / "shifts.csv"
    shifts.write_text("shift,start,length_minutes,lunch_minutes\nD0800,08:00,480,0\nL1600,16:00,480,0\n")
    out = path / "compare.csv"
    args = [
        "scenario",
        "--forecast",
        str(path / "forecast.csv"),
        "--queues",
        str(path / "queues.csv"),
        "--scenarios",
        str(path / "scenarios.toml"),
        "--agents",
        str(agents),
        "--out",
        str(out),
    ]
    assert main([*args, "--reroster", "5"]) == 2  # --shifts missing
    assert "--reroster needs" in capsys.readouterr().err and not out.exists()
    rules = path / "rules.toml"
    rules.write_text("[rules]\ndays_off_per_week = 1\n", encoding="utf-8")
    assert main([*args, "--reroster", "5", "--shifts", str(shifts), "--rules", str(rules)]) == 0
    table = pd.read_csv(out, encoding="utf-8-sig")
    assert set(table["scenario"]) == {"base", "double11", "double11 with temps"}
    base = table[table.scenario == "base"]
    assert (base["scheduled_hours"] > 0).all()
    peak = table[table.period == "2026-11-11"].set_index("scenario")["scheduled_hours"]
    assert peak["double11 with temps"] == pytest.approx(peak["base"] + 320.0)  # the re-solved roster + 40 temps × 8 h


def _run_cli(path: Path, scenarios: Path, forecast: Path | None = None) -> tuple[int, Path]:
    out = path / "compare.csv"
    code = main(
        [
            "scenario",
            "--forecast",
            str(forecast or path / "forecast.csv"),
            "--queues",
            str(path / "queues.csv"),
            "--scenarios",
            str(scenarios),
            "--out",
            str(out),
        ]
    )
    return code, out


PEAK = '[[scenario]]\nname = "Double 11"\n[scenario.peak]\nstart = 2026-11-11\n'


@pytest.mark.parametrize(
    ("toml", "expected"),
    [
        (PEAK + "multiplier = 1e308\n", 'scenario "Double 11".peak.multiplier: 1e+308 is above the ceiling 100'),
        (PEAK + "multiplier = nan\n", 'scenario "Double 11".peak.multiplier: nan is not a finite number'),
        (PEAK + "multiplier = inf\n", 'scenario "Double 11".peak.multiplier: inf is not a finite number'),
        (PEAK + "multiplier = -2\n", 'scenario "Double 11".peak.multiplier: -2 is below the floor 0'),
        (PEAK + 'multiplier = "3"\n', "scenario \"Double 11\".peak.multiplier: '3' is not a number"),
        (PEAK + "ramp_days = 1\n", 'scenario "Double 11".peak.multiplier: missing'),
        (PEAK + "multiplier = 3\nend = 2026-11-10\n", "peak.end: 2026-11-10 is before the start 2026-11-11"),
        (PEAK + "multiplier = 3\nend = 2030-11-10\n", "peak.end: 2030-11-10 is 1460 days after the start"),
        (PEAK + "multiplier = 3\nramp_days = 1e9\n", "peak.ramp_days: 1,000,000,000 is above the ceiling 366"),
        (PEAK + "multiplier = 3\nramp_days = 2.5\n", "peak.ramp_days: 2.5 is not a whole number"),
        (PEAK + "multiplier = 3\nreturns_days = 400\n", "peak.returns_days: 400 is above the ceiling 366"),
        (PEAK + "multiplier = 3\nreturns_multiplier = 1e300\n", "peak.returns_multiplier: 1e+300 is above"),
        (PEAK + "multiplier = 3\nmultipler = 4\n", "peak: unknown key 'multipler'"),
        (
            '[[scenario]]\nname = "x"\naht_multiplier = { all = 1e308 }\n',
            'scenario "x".aht_multiplier.all: expected a number between 0.05 and 20.0',
        ),
        ('[[scenario]]\nname = "x"\ndeflection = { chat = nan }\n', 'scenario "x".deflection.chat: expected'),
        ('[[scenario]]\nname = "x"\nshrinkage = { all = true }\n', 'scenario "x".shrinkage.all: expected'),
        (
            '[[scenario]]\nname = "x"\n[[scenario.extra_staff]]\nkind = "temp"\nqueues = ["phone_presale"]\n'
            "start = 2026-11-11\nagents = 1e12\n",
            'scenario "x".extra_staff.agents: 1,000,000,000,000 is above the ceiling 5,000',
        ),
        (
            '[[scenario]]\nname = "x"\n[[scenario.extra_staff]]\nkind = "overtime"\nqueues = ["phone_presale"]\n'
            "start = 2026-11-11\nhours_per_day_total = 1e15\n",
            "extra_staff.hours_per_day_total: 1e+15 is above the ceiling 120,000",
        ),
        (
            '[[scenario]]\nname = "x"\n[[scenario.extra_staff]]\nkind = "temp"\nqueues = ["phone_presale"]\n'
            "start = 2026-11-11\nend = 2026-11-01\nagents = 3\n",
            "extra_staff.end: 2026-11-01 is before the start 2026-11-11",
        ),
        (
            '[[scenario]]\nname = "x"\n[[scenario.extra_staff]]\nkind = "new_hire"\nqueues = ["phone_presale"]\n'
            "start = 2026-11-11\nagents = 3\nramp_weeks = -1\n",
            "extra_staff.ramp_weeks: -1 is below the floor 0",
        ),
        ('[costs]\nhourly = inf\n[[scenario]]\nname = "x"\n', "[costs].hourly: inf is not a finite number"),
        ('[costs]\novertime_premium = -1\n[[scenario]]\nname = "x"\n', "[costs].overtime_premium: -1 is below"),
        (
            '[costs]\ncontract_hourly = { full_time = 1e308 }\n[[scenario]]\nname = "x"\n',
            "[costs].contract_hourly.full_time: 1e+308 is above the ceiling 100,000",
        ),
        ("".join(f'[[scenario]]\nname = "s{i}"\n' for i in range(101)), "scenario: 101 tables, expected at most 100"),
    ],
)
def test_cli_rejects_implausible_scenarios(setting, toml: str, expected: str, capsys) -> None:
    _, _, path = setting
    bad = path / "S.toml"
    bad.write_text(toml, encoding="utf-8")
    code, out = _run_cli(path, bad)
    assert code == 2
    err = capsys.readouterr().err.strip()
    assert err.startswith("wfm: error:") and "S.toml: " in err and expected in err and "\n" not in err
    assert not out.exists()


def test_a_single_peak_table_is_one_peak(setting) -> None:
    queues, _, path = setting
    (path / "one.toml").write_text(PEAK + "multiplier = 3\n", encoding="utf-8")
    scenarios, _ = read_scenarios(path / "one.toml", queues)
    assert scenarios[0].peaks == (VolumePeak(3.0, date(2026, 11, 11), date(2026, 11, 11)),)


def test_cli_rejects_a_scenario_that_pushes_traffic_above_the_ceiling(setting, capsys) -> None:
    """12,000 Erlangs in the base forecast is fine; ×2 on the peak day is above 20,000: rejected before any staffing."""
    _, _, path = setting
    forecast = path / "big.csv"
    forecast.write_text(
        "queue,interval_start,volume,aht_seconds\n"
        "phone_presale,2026-11-10 08:00,90000,240\n"
        "phone_presale,2026-11-11 08:00,90000,240\n",
        encoding="utf-8",
    )
    (path / "peak.toml").write_text(PEAK + "multiplier = 2\n", encoding="utf-8")
    code, out = _run_cli(path, path / "peak.toml", forecast)
    assert code == 2
    err = capsys.readouterr().err
    assert 'big.csv with scenario "Double 11", row 3, column "volume": traffic 180,000 contacts' in err
    assert "above the ceiling 20,000 Erlangs" in err
    assert not out.exists()


def test_huge_overtime_is_placed_without_a_loop_per_agent_hour(setting) -> None:
    """120,000 overtime agent-hours a day on one queue: placed in closed form, every hour booked."""
    queues, forecast, _ = setting
    base = base_scheduled_from_requirements(build_requirements(forecast, queues))
    overtime = ExtraStaff("overtime", ("phone_presale",), date(2026, 11, 11), date(2026, 11, 11), total_hours=120_000.0)
    result = run_scenario(forecast, queues, base, Scenario("ot", extra_staff=(overtime,)))
    day = result[result.interval_start.dt.date == date(2026, 11, 11)]
    assert day["extra_agent_intervals"].sum() == 240_000
    assert day["extra_hours_overtime"].sum() == pytest.approx(120_000.0)


def test_extra_staff_on_intervals_longer_than_an_hour(tmp_path: Path) -> None:
    """Two-hour intervals: 4 temps × 8 h are 16 agent-intervals (60 // 120 used to place none)."""
    (tmp_path / "q.csv").write_text(
        "queue,channel,interval_minutes,service_level,answer_seconds\nphone,voice,120,0.8,20\n", encoding="utf-8"
    )
    queues = read_queues(tmp_path / "q.csv")
    starts = pd.date_range("2026-11-11 00:00", periods=12, freq="120min")
    forecast = pd.DataFrame({"queue": "phone", "interval_start": starts, "volume": 200.0, "aht_seconds": 240.0})
    base = base_scheduled_from_requirements(build_requirements(forecast, queues))
    temps = ExtraStaff("temp", ("phone",), date(2026, 11, 11), date(2026, 11, 11), agents=4, hours_per_day=8)
    result = run_scenario(forecast, queues, base, Scenario("t", extra_staff=(temps,)))
    assert result["extra_agent_intervals"].sum() == 16
