"""`wfm requirements` → `wfm roster --queues` on a tiny email + phone centre: the report's projected email service
level is the deferred-work measure at the rostered agents, its limits section names the cause, the checker agrees."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from wfm.cli import main
from wfm.roster.inputs import load_instance
from wfm.roster.service import deferred_queues
from wfm.staffing.deferred import deferred_outcome, spread_capacity

QUEUES = (
    "queue,channel,interval_minutes,service_level,answer_seconds,response_hours,max_occupancy,shrinkage,"
    "patience_seconds,concurrency,aht_factors,min_agents,open,close\n"
    "phone,voice,30,0.8,20,,0.85,0.0,,,,1,09:00,17:00\n"
    "email,email,30,0.9,7200,2,1.0,0.0,,,,0,09:00,17:00\n"
)
AGENTS = (
    "agent_id,name,skills,min_hours_week,max_hours_week,max_days_week\n"
    "A1,Wang,phone,0,40,5\nA2,Li,phone;email,0,40,5\nA3,Zhao,phone,0,40,5\n"
)
SHIFTS = "shift,start,length_minutes,days,lunch_minutes,breaks,category\nD,09:00,480,,0,,day\n"
RULES = "[rules]\ninterval_minutes = 30\n"


def _forecast(days: int) -> str:
    lines = ["queue,interval_start,volume,aht_seconds"]
    for d in range(days):
        for half in range(48):
            stamp = f"2026-11-{2 + d:02d} {half // 2:02d}:{30 * (half % 2):02d}"
            phone = 12 if 18 <= half < 34 else 0
            email = 6 if half < 18 else 3  # emails arrive all night too: a backlog at the 09:00 opening
            lines += [f"phone,{stamp},{phone},300", f"email,{stamp},{email},600"]
    return "\n".join(lines) + "\n"


def test_report_service_level_of_email_is_the_deferred_measure(tmp_path: Path) -> None:
    files = {}
    for name, text in (("queues", QUEUES), ("agents", AGENTS), ("shifts", SHIFTS), ("rules", RULES)):
        files[name] = tmp_path / (name + (".toml" if name == "rules" else ".csv"))
        files[name].write_text(text, encoding="utf-8")
    forecast = tmp_path / "forecast.csv"
    forecast.write_text(_forecast(2), encoding="utf-8")
    req = tmp_path / "req.csv"
    assert main(["requirements", "--forecast", str(forecast), "--queues", str(files["queues"]), "--out", str(req)]) == 0
    required = pd.read_csv(req, parse_dates=["interval_start"])
    email = required[required["queue"] == "email"]
    # the night's backlog (18 half-hours × 6 × 600 s, due at 11:00) is spread over the 4 half-hours after opening,
    # 16,200 s each, plus the day's arrivals (1,800 s a half-hour) spread over their 2 h: 9.25, 9.5, 9.75, 10 → 10
    # agents each, then 1 agent; not dumped into 09:00
    first_day = email[email["interval_start"].dt.day == 2].set_index("interval_start")["required_agents"]
    assert first_day["2026-11-02 09:00":"2026-11-02 11:00"].tolist() == [10, 10, 10, 10, 1]
    assert first_day[:"2026-11-02 08:30"].sum() == 0
    out = tmp_path / "roster.csv"
    args = [
        "roster", "--requirements", str(req), "--agents", str(files["agents"]), "--shifts", str(files["shifts"]),
        "--rules", str(files["rules"]), "--start", "2026-11-02", "--days", "2", "--time-limit", "5",
        "--out", str(out), "--report", str(tmp_path / "report.json"), "--queues", str(files["queues"]),
    ]  # fmt: skip
    assert main(args) == 0
    check = ["check-roster", "--roster", str(out), "--agents", str(files["agents"]), "--shifts", str(files["shifts"])]
    assert main([*check, "--rules", str(files["rules"])]) == 0
    report = json.loads((tmp_path / "report.json").read_text(encoding="utf-8"))
    assert report["violations"] == []
    service = pd.DataFrame(report["service_level"])
    mail = service[service["queue"] == "email"]
    is_open = pd.to_datetime(mail["interval_start"]).dt.hour.between(9, 16).to_numpy()
    work = mail["volume"].to_numpy(float) * 600.0
    _grid, tail = spread_capacity(work, is_open, 1800, 7200)
    capacity = mail["scheduled_agents"].to_numpy(float) * 1800
    expected = deferred_outcome(work, capacity, is_open, 1800, 7200, tail_capacity=tail).service_level
    assert np.allclose(mail["service_level"].to_numpy(float), expected)
    limits = pd.DataFrame(report["service_limits"])
    daily = service.assign(day=pd.to_datetime(service["interval_start"]).dt.date.astype(str))
    daily = daily.assign(ok=daily["volume"] * daily["service_level"]).groupby(["queue", "day"])[["ok", "volume"]].sum()
    below = {(q, d) for (q, d), row in daily.iterrows() if row["ok"] / row["volume"] < {"phone": 0.8, "email": 0.9}[q]}
    assert {(q, d) for q, d in zip(limits.get("queue", []), limits.get("date", []), strict=True)} == below
    assert below  # 3 agents cannot carry both queues all day: some queue-days fall short
    for row in report["service_limits"]:
        assert row["service_level"] < row["target"] and row["explanation"]
    # the search hook measures the same thing: late work of the rostered heads = Σ work × (1 − SL) of the report
    instance, _config = load_instance(
        requirements=req, agents=files["agents"], shifts=files["shifts"], time_off=None, rules=files["rules"],
        start=date(2026, 11, 2), days=2,
    )  # fmt: skip
    hook = deferred_queues(instance, req, files["queues"])
    assert set(hook) == {"email"}
    heads = mail["scheduled_agents"].to_numpy(float)
    late = (work * (1 - mail["service_level"].to_numpy(float))).sum()
    assert hook["email"].late_seconds(heads) == pytest.approx(late)
    assert late > 0
