"""Bootstrap tasks that need only Python 3.11+: create .venv, install the project, run the app or the tests."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent
VENV = ROOT / ".venv"
BIN = VENV / ("Scripts" if os.name == "nt" else "bin")


def _run(*cmd: str | Path) -> None:
    """Run one command from the repository root, stopping on failure."""
    result = subprocess.run([str(c) for c in cmd], cwd=ROOT)
    if result.returncode != 0:
        sys.exit(result.returncode)


def setup(extras: str = "dev") -> None:
    """Create .venv (if missing) and install the project with its extras, using uv for speed."""
    if not (BIN / "python").exists():
        _run(sys.executable, "-m", "venv", VENV)
    if not (BIN / "uv").exists():
        _run(BIN / "python", "-m", "pip", "install", "--quiet", "--upgrade", "pip", "uv")
    _run(BIN / "uv", "pip", "install", "--quiet", "--python", BIN / "python", "-e", f".[{extras}]")


def run_app() -> None:
    """Set up, write the sample data if it is missing, and start the Streamlit app."""
    setup()
    _run(BIN / "streamlit", "run", ROOT / "app.py", *sys.argv[2:])


def run_tests() -> None:
    """Set up and run the whole test suite."""
    setup()
    _run(BIN / "python", "-m", "pytest", *sys.argv[2:])


TASKS = {"setup": setup, "run": run_app, "test": run_tests}

if __name__ == "__main__":
    if len(sys.argv) < 2 or sys.argv[1] not in TASKS:
        sys.exit(f"usage: python3 tasks.py {{{'|'.join(TASKS)}}} [extra arguments]")
    TASKS[sys.argv[1]]()
