"""The per-queue forecast on an engine equals the one-process forecast bit for bit: in batches in this process, and
on a real Dask LocalCluster of two worker processes started here; bad engine options exit 2 with one line."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from forecasting.engines import build_forecast_on, queue_batches, split_history
from forecasting.events import Event, EventCalendar
from forecasting.pipeline import ForecastRun, build_forecast
from wfm import engines
from wfm.cli import main
from wfm.engines import DaskEngine, LocalEngine

distributed = pytest.importorskip("distributed")

START = pd.Timestamp("2026-03-02")


def history(queues: int = 7, weeks: int = 9, seed: int = 5) -> pd.DataFrame:
    """30-minute history: queues of different sizes and open hours; q01 ends a week early, q02 has no AHT (the
    --aht-seconds fallback), q03 is closed on Sundays, q06 is tiny and starts late."""
    rng = np.random.default_rng(seed)
    stamps = pd.date_range(START - pd.Timedelta(weeks=weeks), START, freq="30min", inclusive="left")
    hour = stamps.hour + stamps.minute / 60
    frames = []
    for q in range(queues):
        mean = (5 + 7 * q) * np.exp(-(((hour - 12 - q % 3) / 4) ** 2)) * np.where(stamps.weekday < 5, 1.0, 0.7)
        keep = np.ones(len(stamps), bool)
        if q == 1:
            keep &= stamps < START - pd.Timedelta(weeks=1)
        if q == 3:
            keep &= stamps.weekday != 6
        if q == 6:
            keep &= stamps >= START - pd.Timedelta(days=12)
        aht = rng.normal(240 + 10 * q, 15, len(stamps))
        frames.append(
            pd.DataFrame(
                {
                    "queue": f"q{q:02d}",
                    "interval_start": stamps[keep],
                    "offered": rng.poisson(mean)[keep].astype(float),
                    "aht_seconds": np.full(keep.sum(), np.nan) if q == 2 else aht[keep],
                }
            )
        )
    frame = pd.concat(frames, ignore_index=True)
    return frame.sample(frac=1.0, random_state=1).reset_index(drop=True)  # rows in no particular order


CALENDAR = EventCalendar(
    (
        Event("promo", date(2026, 2, 13), date(2026, 2, 13), "promotion"),
        Event("promo", date(2026, 3, 5), date(2026, 3, 5), "promotion"),
    )
)


def assert_same(a: ForecastRun, b: ForecastRun) -> None:
    """Same forecast frame, model, warnings and backtest (forecasts, metrics, choice), exactly."""
    pd.testing.assert_frame_equal(a.frame, b.frame, check_exact=True)
    assert (a.model, a.warnings) == (b.model, b.warnings)
    assert (a.backtest is None) == (b.backtest is None)
    if a.backtest is not None and b.backtest is not None:
        pd.testing.assert_frame_equal(a.backtest.forecasts, b.backtest.forecasts, check_exact=True)
        pd.testing.assert_frame_equal(a.backtest.metrics, b.backtest.metrics, check_exact=True)
        assert a.backtest.to_dict() == b.backtest.to_dict()


@pytest.fixture(scope="module")
def cluster_address() -> Iterator[str]:
    """A real Dask LocalCluster: two single-threaded worker processes, closed after the module."""
    cluster = distributed.LocalCluster(
        n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None, silence_logs=40
    )
    try:
        yield cluster.scheduler_address
    finally:
        cluster.close()


def test_queue_batches_are_contiguous_and_complete() -> None:
    batches = queue_batches(["c", "a", "e", "b", "d"], 2)
    assert batches == [["a", "b", "c"], ["d", "e"]]
    assert queue_batches(["a"], 8) == [["a"]]
    frame = history(queues=3, weeks=1)
    parts = split_history(frame, [["q00"], ["q01", "q02"]])
    assert sum(len(p) for p in parts) == len(frame)
    assert set(parts[0]["queue"]) == {"q00"} and list(parts[1].index) == sorted(parts[1].index)


@pytest.mark.parametrize("batches", [1, 3, 7])
def test_batched_in_process_equals_one_process(batches: int) -> None:
    frame = history()
    kwargs = {"model": "calendar", "calendar": CALENDAR, "backtest": True, "aht_seconds": 300.0}
    expected = build_forecast(frame, START, 7, **kwargs)
    lines: list[str] = []
    got = build_forecast_on(LocalEngine(), frame, START, 7, batches=batches, progress=lines.append, **kwargs)
    assert_same(expected, got)
    assert sum("done" in line for line in lines) == 2 * batches  # backtest and forecast, one line per batch


def test_auto_choice_on_baselines_equals_one_process(monkeypatch: pytest.MonkeyPatch) -> None:
    """`auto` over several models (the statistical ones left out for time): same metrics and same choice."""
    import forecasting.engines as fe
    import forecasting.pipeline as fp

    aliases = ("seasonal_naive", "same_slot_mean", "calendar")
    monkeypatch.setattr(fp, "AUTO_ALIASES", aliases)
    monkeypatch.setattr(fe, "AUTO_ALIASES", aliases)
    frame = history(queues=4)
    expected = build_forecast(frame, START, 14, aht_seconds=300.0)
    got = build_forecast_on(LocalEngine(), frame, START, 14, batches=2, aht_seconds=300.0)
    assert_same(expected, got)
    assert set(got.backtest.metrics["model"]) == set(aliases)


def test_dask_cluster_equals_one_process(cluster_address: str) -> None:
    frame = history()
    kwargs = {"model": "calendar", "calendar": CALENDAR, "backtest": True, "aht_seconds": 300.0}
    expected = build_forecast(frame, START, 7, **kwargs)
    lines: list[str] = []
    client = distributed.Client(cluster_address)
    try:
        engine = DaskEngine(client)
        assert engine.workers == 2
        got = build_forecast_on(engine, frame, START, 7, batches=4, progress=lines.append, **kwargs)
        peaks = engine.peak_memory_mib()
    finally:
        client.close()
    assert_same(expected, got)
    assert len(peaks) == 2 and all(p > 0 for p in peaks.values())
    assert sum(" on tcp://" in line for line in lines) == 8


def test_dask_raises_the_first_batch_input_error(cluster_address: str) -> None:
    """A queue without AHT and no --aht-seconds: the same one-line InputError as in one process."""
    frame = history(queues=4)
    with pytest.raises(ValueError) as local:
        build_forecast(frame, START, 7, model="same_slot_mean")
    client = distributed.Client(cluster_address)
    try:
        with pytest.raises(ValueError) as remote:
            build_forecast_on(DaskEngine(client), frame, START, 7, model="same_slot_mean", batches=2)
    finally:
        client.close()
    assert str(remote.value) == str(local.value) and "q02" in str(remote.value)


def test_dask_map_raises_the_error_of_the_first_failing_part(cluster_address: str) -> None:
    """Part 3 fails at once, part 1 a second later: part 1's error is raised (input order, as in one process)."""
    parts = ["1", "__import__('time').sleep(1) or int('x')", "3", "1 / 0"]
    client = distributed.Client(cluster_address)
    try:
        with pytest.raises(ValueError, match="invalid literal"):
            DaskEngine(client).map(eval, parts)
        assert DaskEngine(client).map(eval, ["1", "2 + 2"]) == [1, 4]
    finally:
        client.close()
    with pytest.raises(ValueError, match="invalid literal"):
        LocalEngine().map(eval, parts)


def write_history(tmp_path: Path) -> Path:
    """The test history as a CSV file."""
    path = tmp_path / "history.csv"
    history(queues=5).to_csv(path, index=False)
    return path


def forecast_args(path: Path, out: Path, *extra: str) -> list[str]:
    """`wfm forecast` arguments."""
    return [
        "forecast",
        "--history",
        str(path),
        "--start",
        str(START.date()),
        "--days",
        "7",
        "--model",
        "calendar",
        "--aht-seconds",
        "300",
        "--out",
        str(out),
        "--backtest",
        str(out.with_suffix(".json")),
        *extra,
    ]


def test_cli_on_the_cluster_writes_the_same_bytes(
    cluster_address: str, tmp_path: Path, capsys: pytest.CaptureFixture
) -> None:
    path = write_history(tmp_path)
    local, remote = tmp_path / "local.csv", tmp_path / "remote.csv"
    assert main(forecast_args(path, local)) == 0
    capsys.readouterr()
    assert main(forecast_args(path, remote, "--engine", "dask", "--address", cluster_address)) == 0
    err = capsys.readouterr().err
    assert remote.read_bytes() == local.read_bytes()
    assert json.loads(remote.with_suffix(".json").read_text()) == json.loads(local.with_suffix(".json").read_text())
    assert "forecast q00" in err and " on tcp://" in err


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        (("--engine", "spark"), '--engine "spark" is unknown'),
        (("--address", "tcp://127.0.0.1:9"), "--address needs --engine dask"),
        (("--engine", "dask", "--workers", "0"), "--workers 0 is out of range"),
        (("--engine", "dask", "--address", "tcp://127.0.0.1:9"), "no Dask scheduler answered"),
    ],
)
def test_bad_engine_options_exit_2_with_one_line(
    tmp_path: Path, capsys: pytest.CaptureFixture, monkeypatch: pytest.MonkeyPatch, extra: tuple[str, ...], message: str
) -> None:
    monkeypatch.setattr(engines, "CONNECT_TIMEOUT_SECONDS", 2)
    path = write_history(tmp_path)
    out = tmp_path / "f.csv"
    assert main(forecast_args(path, out, *extra)) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and err[0].startswith("wfm: error: ") and message in err[0], err
    assert not out.exists() and not out.with_suffix(".json").exists()
