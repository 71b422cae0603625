"""The `ray` engine (wfm.engines.RayEngine): on a Ray head of 2 CPUs started by the test on 127.0.0.1 (`ray start
--head --block`, ended by its process id) and on a local Ray instance that `wfm roster --engine ray --workers 2`
starts in its own process. The forecast equals the one-process forecast bit for bit, a `--by team` roster passes
the independent checker as on Dask, and a bad --address is one line and exit 2. Ray is an optional extra
(`pip install 'wfm[ray]'`, ~200 MB, not in `dev`): without it these tests are skipped, except the one-line error
that says how to install it."""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from forecasting.engines import build_forecast_on
from forecasting.pipeline import build_forecast
from tests.forecasting.test_engines import CALENDAR, START, assert_same, forecast_args, history, write_history
from tests.roster.test_teams import check_merged_and_per_team, files, roster_args  # noqa: F401 (fixture)
from wfm import engines
from wfm.cli import main
from wfm.engines import LocalEngine, open_engine

SKIP = "ray is not installed (optional extra: pip install 'wfm[ray]'); the Ray engine tests are skipped"


def free_port() -> int:
    """A TCP port free on 127.0.0.1 now."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def ray_head() -> Iterator[str]:
    """A Ray head with 2 CPUs on 127.0.0.1 only (no dashboard, no usage statistics, no token: loopback), its own
    temp folder; stopped with SIGTERM to its process group (its own session) after the module."""
    pytest.importorskip("ray", reason=SKIP)
    port, temp = free_port(), tempfile.mkdtemp(prefix="wfmray")
    env = dict(
        os.environ,
        RAY_ENABLE_WINDOWS_OR_OSX_CLUSTER="0",
        RAY_USAGE_STATS_ENABLED="0",
        RAY_AUTH_MODE="disabled",
        RAY_GRACEFUL_SHUTDOWN_DRAIN_TIMEOUT_S="0",
    )
    command = [os.path.join(os.path.dirname(sys.executable), "ray"), "start", "--head", "--block"]
    command += ["--node-ip-address=127.0.0.1", f"--port={port}", "--num-cpus=2", "--include-dashboard=false"]
    command += ["--disable-usage-stats", f"--temp-dir={temp}"]
    head = subprocess.Popen(
        command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True
    )
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                if head.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError(f"the Ray head did not start (exit code {head.poll()})") from None
                time.sleep(0.2)
        yield f"127.0.0.1:{port}"
    finally:
        if head.poll() is None:
            os.killpg(head.pid, signal.SIGTERM)  # the head's own session: `ray start` and what it started
            try:
                head.wait(60)
            except subprocess.TimeoutExpired:
                os.killpg(head.pid, signal.SIGKILL)
                head.wait(10)
        shutil.rmtree(temp, ignore_errors=True)


def test_ray_engine_on_the_head(ray_head: str) -> None:
    """map in input order with one progress line per part, put reused by two maps, the first failing part's error
    (input order), peak memory per worker, and the batched forecast equal to one process."""
    with open_engine("ray", address=ray_head) as engine:
        assert engine.name == "ray" and engine.workers == 2
        lines: list[str] = []
        parts = engine.put(["1", "2 + 2", "3 * 3"])
        assert engine.map(eval, parts, labels=["a", "b", "c"], progress=lines.append) == [1, 4, 9]
        assert engine.map(eval, parts) == [1, 4, 9]
        assert len(lines) == 3 and all(" on 127.0.0.1 pid " in line for line in lines), lines
        with pytest.raises(ValueError, match="invalid literal"):
            engine.map(eval, ["1", "__import__('time').sleep(1) or int('x')", "3", "1 / 0"])
        assert engine.map(eval, ["1", "2 + 2"]) == [1, 4]
        peaks = engine.peak_memory_mib()
        assert len(peaks) >= 1 and all(p > 0 and " pid " in k for k, p in peaks.items())

        frame = history()
        kwargs = {"model": "calendar", "calendar": CALENDAR, "backtest": True, "aht_seconds": 300.0}
        assert_same(build_forecast(frame, START, 7, **kwargs), build_forecast_on(engine, frame, START, 7, **kwargs))
        nothing = history(queues=4)  # q02 has no AHT and no --aht-seconds: the same one-line InputError
        with pytest.raises(ValueError) as local:
            build_forecast_on(LocalEngine(), nothing, START, 7, model="same_slot_mean", batches=2)
        with pytest.raises(ValueError) as remote:
            build_forecast_on(engine, nothing, START, 7, model="same_slot_mean", batches=2)
        assert type(remote.value) is type(local.value) and str(remote.value) == str(local.value)
    import ray

    assert not ray.is_initialized()


def test_cli_forecast_on_the_head_writes_the_same_bytes(
    ray_head: str, tmp_path: Path, capsys: pytest.CaptureFixture
) -> None:
    path = write_history(tmp_path)
    local, remote = tmp_path / "local.csv", tmp_path / "remote.csv"
    assert main(forecast_args(path, local)) == 0
    capsys.readouterr()
    assert main(forecast_args(path, remote, "--engine", "ray", "--address", ray_head)) == 0
    err = capsys.readouterr().err
    assert remote.read_bytes() == local.read_bytes()
    assert remote.with_suffix(".json").read_bytes() == local.with_suffix(".json").read_bytes()
    assert "forecast q00" in err and " on 127.0.0.1 pid " in err


def test_roster_by_team_on_a_local_ray_instance_of_two_cpus(
    files: dict[str, Path],  # noqa: F811
    tmp_path: Path,
    capsys: pytest.CaptureFixture,
) -> None:
    """`--engine ray --workers 2`: a Ray instance started in this process on loopback and shut down after it."""
    ray = pytest.importorskip("ray", reason=SKIP)
    out = tmp_path / "roster.csv"
    assert main(roster_args(files, out, "--engine", "ray", "--workers", "2")) == 0
    err = capsys.readouterr().err
    assert err.count(" on 127.0.0.1 pid ") == 2 and "by team: 2 teams on the ray engine" in err
    report = check_merged_and_per_team(files, out)
    assert report["phases"] == ["by team: 2 teams on the ray engine"]
    assert all(" pid " in team["worker"] for team in report["teams"])
    assert not ray.is_initialized()


@pytest.mark.parametrize(
    ("address", "message"),
    [
        ("127.0.0.1:9", "no Ray cluster answered within 10 s"),
        ("tcp://127.0.0.1:9", "no Ray cluster answered"),
        ("127.0.0.1", "is not a Ray cluster address"),
    ],
)
def test_bad_ray_address_exits_2_with_one_line(
    tmp_path: Path, capsys: pytest.CaptureFixture, address: str, message: str
) -> None:
    pytest.importorskip("ray", reason=SKIP)
    started = time.monotonic()
    path = write_history(tmp_path)
    out = tmp_path / "f.csv"
    assert main(forecast_args(path, out, "--engine", "ray", "--address", address)) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and err[0].startswith("wfm: error: ") and message in err[0], err
    assert not out.exists() and not out.with_suffix(".json").exists()
    assert time.monotonic() - started < engines.CONNECT_TIMEOUT_SECONDS + 5


def test_without_ray_installed_one_line_says_how_to_install(
    tmp_path: Path, capsys: pytest.CaptureFixture, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(sys.modules, "ray", None)  # `import ray` raises ImportError
    path = write_history(tmp_path)
    out = tmp_path / "f.csv"
    assert main(forecast_args(path, out, "--engine", "ray")) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert err == ["wfm: error: --engine ray needs Ray: install the project's extra, pip install 'wfm[ray]'"]
    assert not out.exists()
