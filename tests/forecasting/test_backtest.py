"""Metrics, rolling-origin backtests, automatic model choice, and the `wfm forecast` command (incl. errors)."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from forecasting.backtest import rolling_origins, run_backtest
from forecasting.metrics import bias, coverage, mase, seasonal_naive_scale, wape
from forecasting.models import DS, Y, make_model
from tests.forecasting.synthetic import weekly_history
from wfm.cli import main


def test_metrics_on_known_numbers() -> None:
    actual, forecast = np.array([10.0, 20.0, 30.0]), np.array([12.0, 18.0, 33.0])
    assert wape(actual, forecast) == pytest.approx(7 / 60)
    assert bias(actual, forecast) == pytest.approx(3 / 60)
    assert mase(actual, forecast, scale=2.0) == pytest.approx((7 / 3) / 2)
    assert seasonal_naive_scale(np.array([1.0, 2.0, 4.0, 8.0]), 2) == pytest.approx(4.5)
    assert coverage(actual, actual - 1, actual + 1) == 1.0


def test_rolling_origins_end_with_a_full_horizon() -> None:
    frame = weekly_history(weeks=6)
    origins = rolling_origins(frame, horizon_days=7, count=3)
    assert origins == [pd.Timestamp("2024-01-20"), pd.Timestamp("2024-01-27"), pd.Timestamp("2024-02-03")]


def test_backtest_picks_the_model_that_fits_an_exactly_weekly_series() -> None:
    frame = weekly_history(weeks=8, noise=False)
    models = [make_model("seasonal_naive"), make_model("calendar")]
    frame.loc[frame[DS] < "2024-01-15", Y] *= 3  # an old level change hurts a model that averages long history
    result = run_backtest(frame, models, rolling_origins(frame, 7, 2), 7)
    table = result.metrics.set_index(["model", "horizon"])
    assert table.loc[("seasonal_naive", "all"), "wape"] == pytest.approx(0.0, abs=1e-9)
    assert result.chosen == "seasonal_naive"
    assert {"day-ahead", "week-ahead", "all"} <= set(result.metrics["horizon"])
    report = result.to_dict()
    assert json.loads(json.dumps(report))["chosen"] == "seasonal_naive"
    assert len(report["origins"]) == 2


def _history_csv(tmp_path: Path, with_aht: bool = True) -> Path:
    frame = weekly_history(weeks=5, queues=("电话售前", "chat"))
    out = pd.DataFrame({"queue": frame["unique_id"], "interval_start": frame[DS], "offered": frame[Y]})
    if with_aht:
        out["aht_seconds"] = 180.0
    path = tmp_path / "history.csv"
    out.to_csv(path, index=False)
    return path


def test_cli_forecast_writes_the_contract(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out, report = tmp_path / "f.csv", tmp_path / "report.json"
    code = main(
        [
            "forecast", "--history", str(_history_csv(tmp_path)), "--start", "2024-02-05", "--days", "7",
            "--out", str(out), "--backtest", str(report), "--model", "same_slot_mean",
        ]
    )  # fmt: skip
    assert code == 0
    frame = pd.read_csv(out, encoding="utf-8-sig")
    assert list(frame.columns) == [
        "queue",
        "interval_start",
        "volume",
        "aht_seconds",
        "volume_lo",
        "volume_hi",
        "model",
    ]
    assert set(frame["queue"]) == {"电话售前", "chat"} and (frame["model"] == "same_slot_mean").all()
    assert len(frame) == 2 * 5 * 10 and (frame["aht_seconds"] == 180.0).all()
    assert (frame["volume_lo"] <= frame["volume"]).all() and (frame["volume"] <= frame["volume_hi"]).all()
    assert json.loads(report.read_text())["chosen"] == "same_slot_mean"
    assert "backtest origin" in capsys.readouterr().err


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        (["--days", "0"], "--days"),
        (["--model", "prophet"], "--model"),
        (["--start", "someday"], "--start"),
        (["--start", "2023-01-01"], "no data before"),
        (["--holidays", "XX"], "unknown holiday calendar"),
        (["--events", "EVENTS"], 'column "kind"'),
        (["--history", "MISSING"], "file not found"),
        (["--history", "NOAHT"], "aht_seconds"),
    ],
)
def test_cli_forecast_bad_input_exits_2_and_writes_nothing(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], extra: list[str], message: str
) -> None:
    history = _history_csv(tmp_path)
    events = tmp_path / "events.csv"
    events.write_text("event,start,end,kind\nsale,2024-02-06,2024-02-06,flash\n", encoding="utf-8")
    (tmp_path / "plain").mkdir()
    no_aht = _history_csv(tmp_path / "plain", with_aht=False)
    swap = {"EVENTS": str(events), "MISSING": str(tmp_path / "nope.csv"), "NOAHT": str(no_aht)}
    args = {"--history": str(history), "--start": "2024-02-05", "--days": "7", "--out": str(tmp_path / "f.csv")}
    for key, value in zip(extra[::2], extra[1::2], strict=True):
        args[key] = swap.get(value, value)
    argv = ["forecast", *[part for pair in args.items() for part in pair]]
    assert main(argv) == 2
    assert message in capsys.readouterr().err
    assert not (tmp_path / "f.csv").exists()
