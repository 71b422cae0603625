"""`wfm staff` and `wfm requirements` through the real console entry point: answers and error paths."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest

from wfm.cli import main

QUEUES = """queue,channel,interval_minutes,service_level,answer_seconds,response_hours,max_occupancy,shrinkage,patience_seconds,concurrency,aht_factors,min_agents,open,close
phone_presale,voice,30,0.8,20,,0.85,0.3,,,,1,08:00,24:00
phone_aftersale,voice,30,0.8,20,,0.85,0.3,240,,,0,08:00,24:00
chat_presale,chat,30,0.8,30,,0.85,0.3,,3,1;1.25;1.6,0,08:00,24:00
email_aftersale,email,30,0.96,0,2,0.9,0.2,,,,0,,
"""


def _forecast(path: Path) -> Path:
    starts = pd.date_range("2026-11-11 07:00", periods=8, freq="30min")
    rows = []
    for queue, volume, aht in [
        ("phone_presale", 100, 180),
        ("phone_aftersale", 60, 240),
        ("chat_presale", 80, 300),
        ("email_aftersale", 40, 420),
    ]:
        rows += [{"queue": queue, "interval_start": s, "volume": volume, "aht_seconds": aht} for s in starts]
    pd.DataFrame(rows).to_csv(path, index=False)
    return path


def test_staff_json_reference(capsys: pytest.CaptureFixture[str]) -> None:
    code = main(
        [
            "staff",
            "--volume",
            "100",
            "--interval-minutes",
            "30",
            "--aht-seconds",
            "180",
            "--service-level",
            "0.8",
            "--answer-seconds",
            "20",
            "--max-occupancy",
            "0.85",
            "--shrinkage",
            "0.3",
            "--json",
        ]
    )
    out = json.loads(capsys.readouterr().out)
    assert code == 0
    assert out["agents"] == 14 and out["scheduled"] == 20
    assert round(out["service_level"], 4) == 0.8884 and round(out["p_wait"], 4) == 0.1741
    assert round(out["asa_seconds"], 1) == 7.8 and round(out["occupancy"], 3) == 0.714
    assert "p_abandon" not in out


def test_staff_erlang_a_reports_abandonment(capsys: pytest.CaptureFixture[str]) -> None:
    main(
        [
            "staff",
            "--volume",
            "100",
            "--interval-minutes",
            "30",
            "--aht-seconds",
            "180",
            "--patience-seconds",
            "300",
            "--json",
        ]
    )
    out = json.loads(capsys.readouterr().out)
    assert out["model"] == "erlang-a" and 0 < out["p_abandon"] < 0.05 and out["agents"] == 13


@pytest.mark.parametrize(
    ("args", "message"),
    [
        ("--volume -5 --interval-minutes 30 --aht-seconds 180", "--volume"),
        ("--volume 10 --interval-minutes 0 --aht-seconds 180", "--interval-minutes"),
        ("--volume 10 --interval-minutes 30 --aht-seconds 180 --service-level 1.2", "--service-level"),
        ("--volume 10 --interval-minutes 30 --aht-seconds 180 --shrinkage 1", "--shrinkage"),
        ("--volume nan --interval-minutes 30 --aht-seconds 180", "--volume"),
        (
            "--volume 10 --interval-minutes 30 --aht-seconds 180 --concurrency 3 --aht-factors 1;x",
            "--aht-factors",
        ),
        ("--volume ten --interval-minutes 30 --aht-seconds 180", "--volume"),
    ],
)
def test_staff_bad_arguments_exit_2_with_one_line(args: str, message: str, capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exc:
        code = main(["staff", *args.split()])
        raise SystemExit(code)
    assert exc.value.code == 2
    err = capsys.readouterr().err.strip().splitlines()[-1]
    assert err.startswith("wfm: error:") and message in err


def test_requirements_end_to_end(tmp_path: Path) -> None:
    queues = tmp_path / "queues.csv"
    queues.write_text(QUEUES, encoding="utf-8")
    out = tmp_path / "req.csv"
    assert (
        main(
            [
                "requirements",
                "--forecast",
                str(_forecast(tmp_path / "f.csv")),
                "--queues",
                str(queues),
                "--out",
                str(out),
            ]
        )
        == 0
    )
    table = pd.read_csv(out, encoding="utf-8-sig", parse_dates=["interval_start"])
    assert list(table.columns[:5]) == ["queue", "interval_start", "volume", "aht_seconds", "required_agents"]
    presale = table[table.queue == "phone_presale"].set_index("interval_start")
    # 07:00 is before opening: volume still needs agents, 100 calls / 30 min / 180 s → 14 net → 20 scheduled
    assert presale["net_agents"].eq(14).all() and presale["required_agents"].eq(20).all()
    assert set(table["model"]) == {"erlang-c", "erlang-a", "chat", "email"}
    assert (table.loc[table.queue == "phone_aftersale", "p_abandon"] > 0).all()
    email = table[table.queue == "email_aftersale"]
    assert (email["service_level"] >= 0.96).all()


@pytest.mark.parametrize(
    ("queues_text", "expected"),
    [
        (QUEUES.replace("chat_presale,chat", "chat_presale,sms"), 'queues.csv, row 4, column "channel"'),
        (
            QUEUES.replace("phone_presale,voice,30,0.8", "phone_presale,voice,30,eighty"),
            'queues.csv, row 2, column "service_level"',
        ),
        (
            QUEUES.replace("service_level", "servce_level"),
            'column "service_level": required column is missing; the header has "servce_level"',
        ),
        (QUEUES.replace("0.96,0,2,0.9", "0.96,0,,0.9"), 'queues.csv, row 5, column "response_hours"'),
        (QUEUES.replace("3,1;1.25;1.6", "3,1;1.25"), 'queues.csv, row 4, column "aht_factors"'),
        (
            QUEUES.replace("08:00,24:00\nphone_after", "8h,24:00\nphone_after"),
            'queues.csv, row 2, column "open"',
        ),
        ("", "queues.csv, row 1: the file is empty"),
    ],
)
def test_requirements_bad_queue_file(
    tmp_path: Path, queues_text: str, expected: str, capsys: pytest.CaptureFixture[str]
) -> None:
    queues = tmp_path / "queues.csv"
    queues.write_text(queues_text, encoding="utf-8")
    out = tmp_path / "req.csv"
    code = main(
        [
            "requirements",
            "--forecast",
            str(_forecast(tmp_path / "f.csv")),
            "--queues",
            str(queues),
            "--out",
            str(out),
        ]
    )
    assert code == 2
    assert expected in capsys.readouterr().err
    assert not out.exists()


@pytest.mark.parametrize(
    ("edit", "expected"),
    [
        (
            lambda f: f.replace("phone_presale,2026-11-11 07:00:00,100", "phone_presale,2026-11-11 07:00:00,-3"),
            'f.csv, row 2, column "volume"',
        ),
        (
            lambda f: f.replace("phone_presale,2026-11-11 07:30:00", "phone_presale,2026-11-11 07:00:00"),
            'f.csv, row 3, column "interval_start": this queue and interval appear twice',
        ),
        (
            lambda f: f.replace("phone_presale,2026-11-11 07:30:00", "phone_presale,2026-11-11 07:40:00"),
            'f.csv, row 3, column "interval_start": interval start is off',
        ),
        (
            lambda f: f.replace("phone_presale,2026-11-11 08:00:00", "phone_presale,11/31/2026"),
            'f.csv, row 4, column "interval_start"',
        ),
        (lambda f: f.replace("phone_aftersale,", "phone_unknown,", 1), 'f.csv, row 10, column "queue"'),
        (lambda f: f.replace("aht_seconds", "aht"), 'column "aht_seconds": required column is missing'),
    ],
)
def test_requirements_bad_forecast_file(tmp_path: Path, edit, expected: str, capsys) -> None:
    queues = tmp_path / "queues.csv"
    queues.write_text(QUEUES, encoding="utf-8")
    forecast = _forecast(tmp_path / "f.csv")
    forecast.write_text(edit(forecast.read_text()), encoding="utf-8")
    out = tmp_path / "req.csv"
    code = main(["requirements", "--forecast", str(forecast), "--queues", str(queues), "--out", str(out)])
    assert code == 2
    assert expected in capsys.readouterr().err
    assert not out.exists()


@pytest.mark.parametrize(
    ("args", "message"),
    [
        ("--volume 1e308 --interval-minutes 30 --aht-seconds 180", "--volume: 1e+308"),
        ("--volume 10 --interval-minutes 30 --aht-seconds inf", "--aht-seconds: inf"),
        ("--volume 10 --interval-minutes 30 --aht-seconds 1e7", "--aht-seconds"),
        ("--volume 10 --interval-minutes 2000 --aht-seconds 180", "--interval-minutes"),
        ("--volume 10 --interval-minutes 30 --aht-seconds 180 --answer-seconds 1e12", "--answer-seconds"),
        ("--volume 10 --interval-minutes 30 --aht-seconds 180 --patience-seconds 1e300", "--patience-seconds"),
        ("--volume 10 --interval-minutes 30 --aht-seconds 180 --shrinkage nan", "--shrinkage"),
        ("--volume 10 --interval-minutes 30 --aht-seconds 180 --concurrency 1000", "--concurrency"),
        ("--volume 10 --interval-minutes 30 --aht-seconds 180 --concurrency 2 --aht-factors 1;1e308", "--aht-factors"),
        ("--volume 1000000 --interval-minutes 1 --aht-seconds 3600", "above the ceiling 20,000 Erlangs"),
        (
            "--volume 50000 --interval-minutes 30 --aht-seconds 600 --max-occupancy 0.1",
            "above the ceiling 50,000",
        ),
    ],
)
def test_staff_out_of_range_options_exit_2(args: str, message: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["staff", *args.split()]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and err[0].startswith("wfm: error:") and message in err[0]


def _requirements(tmp_path: Path, queues_text: str, forecast: Path) -> tuple[int, Path]:
    queues = tmp_path / "queues.csv"
    queues.write_text(queues_text, encoding="utf-8")
    out = tmp_path / "req.csv"
    code = main(["requirements", "--forecast", str(forecast), "--queues", str(queues), "--out", str(out)])
    return code, out


@pytest.mark.parametrize(
    ("old", "new", "expected"),
    [
        ("07:00:00,100,180", "07:00:00,10000000,180", 'f.csv, row 2, column "volume": 10,000,000 contacts is above'),
        ("07:30:00,100,180", "07:30:00,100,1e7", 'f.csv, row 3, column "aht_seconds": 10,000,000 s is above'),
        ("07:30:00,100,180", "07:30:00,100,inf", 'f.csv, row 3, column "aht_seconds"'),
        ("07:30:00,100,180", "07:30:00,nan,180", 'f.csv, row 3, column "volume"'),
        ("07:30:00,100,180", "07:30:00,100,0", 'f.csv, row 3, column "aht_seconds": volume without a handle time'),
        (
            "08:00:00,100,180",
            "08:00:00,1000000,3600",
            'f.csv, row 4, column "volume": traffic 1e+06 contacts × 3,600 s in 30 min = 2,000,000 Erlangs',
        ),
    ],
)
def test_requirements_rejects_implausible_forecasts(tmp_path: Path, old: str, new: str, expected: str, capsys) -> None:
    forecast = _forecast(tmp_path / "f.csv")
    text = forecast.read_text()
    forecast.write_text(text.replace(f"phone_presale,2026-11-11 {old}", f"phone_presale,2026-11-11 {new}", 1))
    code, out = _requirements(tmp_path, QUEUES, forecast)
    assert code == 2
    assert expected in capsys.readouterr().err
    assert not out.exists()


@pytest.mark.parametrize(
    ("old", "new", "expected"),
    [
        ("phone_presale,voice,30,", "phone_presale,voice,7,", 'row 2, column "interval_minutes": 7 minutes'),
        ("phone_presale,voice,30,", "phone_presale,voice,2880,", 'row 2, column "interval_minutes"'),
        ("voice,30,0.8,20,,0.85,0.3,240", "voice,30,0.8,1e9,,0.85,0.3,240", 'row 3, column "answer_seconds"'),
        ("0.85,0.3,240,", "0.85,0.3,1e12,", 'row 3, column "patience_seconds": 1,000,000,000,000 s is above'),
        ("0.3,,3,1;1.25;1.6", "0.3,,300,1;1.25;1.6", 'row 4, column "concurrency": 300 chats is above the ceiling 20'),
        ("3,1;1.25;1.6", "3,1;nan;1.6", 'row 4, column "aht_factors"'),
        ("3,1;1.25;1.6", "3,1;1.25;1e308", 'row 4, column "aht_factors"'),
        ("0.96,0,2,0.9", "0.96,0,1e6,0.9", 'row 5, column "response_hours"'),
        (",,,1,08:00", ",,,1000000,08:00", 'row 2, column "min_agents"'),
    ],
)
def test_requirements_rejects_implausible_queue_settings(tmp_path: Path, old: str, new: str, expected: str, capsys):
    assert old in QUEUES
    code, out = _requirements(tmp_path, QUEUES.replace(old, new, 1), _forecast(tmp_path / "f.csv"))
    assert code == 2
    assert f"queues.csv, {expected}" in capsys.readouterr().err
    assert not out.exists()


def test_requirements_beyond_the_agent_ceiling_names_the_row(tmp_path: Path, capsys) -> None:
    """15,000 Erlangs at a 10 % occupancy cap needs 150,000 agents: a clear error, nothing written."""
    forecast = _forecast(tmp_path / "f.csv")
    text = forecast.read_text().replace(
        "phone_presale,2026-11-11 08:30:00,100,180", "phone_presale,2026-11-11 08:30:00,100000,270"
    )
    forecast.write_text(text)
    code, out = _requirements(tmp_path, QUEUES.replace("20,,0.85,0.3,,,,1", "20,,0.1,0.3,,,,1", 1), forecast)
    assert code == 2
    err = capsys.readouterr().err
    assert 'f.csv, row 5, column "volume": queue "phone_presale" at 2026-11-11 08:30' in err
    assert "above the ceiling 50,000" in err
    assert not out.exists()
