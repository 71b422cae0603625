"""The app's Streamlit settings: the upload limit is the documented one and errors never show a traceback."""

from __future__ import annotations

import subprocess
import sys
import tomllib
from pathlib import Path

from streamlit import config

from wfm import limits

ROOT = Path(__file__).resolve().parents[2]
CONFIG = ROOT / ".streamlit" / "config.toml"


def _settings() -> dict:
    return tomllib.loads(CONFIG.read_text(encoding="utf-8"))


def test_upload_limit_is_the_documented_limit() -> None:
    assert _settings()["server"]["maxUploadSize"] == limits.MAX_UPLOAD_MEGABYTES
    # Streamlit counts the limit in MiB, so the browser never accepts a file the readers would refuse for its size.
    assert limits.MAX_UPLOAD_MEGABYTES * 2**20 <= limits.MAX_FILE_BYTES


def test_uncaught_errors_show_no_details() -> None:
    value = _settings()["client"]["showErrorDetails"]
    accepted = {option.value for option in config.ShowErrorDetailsConfigOptions}
    assert value in accepted  # a value this Streamlit version knows (the legacy false would show the traceback)
    assert value == config.ShowErrorDetailsConfigOptions.NONE.value


def test_streamlit_run_from_the_root_reads_the_settings() -> None:
    """`python3 tasks.py run` starts Streamlit with the repository root as working directory."""
    shown = subprocess.run(
        [sys.executable, "-m", "streamlit", "config", "show"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    ).stdout
    lines = {line.strip() for line in shown.splitlines()}
    assert f"maxUploadSize = {limits.MAX_UPLOAD_MEGABYTES}" in lines
    assert 'showErrorDetails = "none"' in lines
