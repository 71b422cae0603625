"""The accuracy bench's held-out weeks: test windows that the main evaluation (used for choosing) never touches."""

from __future__ import annotations

import importlib.util
import itertools
import sys
from pathlib import Path

import pandas as pd
import pytest

BENCH = Path(__file__).resolve().parents[2] / "bench" / "forecast_accuracy.py"
HORIZON = pd.Timedelta(days=7)


def _bench():
    spec = importlib.util.spec_from_file_location("forecast_accuracy_bench", BENCH)
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # its dataclasses look their module up
    spec.loader.exec_module(module)
    return module


def _days(origins: list[pd.Timestamp]) -> set[pd.Timestamp]:
    return {day for origin in origins for day in pd.date_range(origin, origin + HORIZON, inclusive="left")}


@pytest.mark.parametrize(
    ("which", "first", "last"), [("anonbank", "1999-01-01", "1999-12-31"), ("bank", "2003-03-03", "2003-10-24")]
)
def test_held_out_test_windows_are_disjoint_from_the_main_ones_and_inside_the_data(
    which: str, first: str, last: str
) -> None:
    bench = _bench()
    main, held = bench.main_origins(which), bench.heldout_origins(which)
    assert held and not _days(main) & _days(held)
    assert min(held) - pd.Timedelta(days=28) >= pd.Timestamp(first)  # at least 4 weeks of history before each
    assert max(held) + pd.Timedelta(days=4) <= pd.Timestamp(last)  # at least the working days of the week after


def test_the_anonymous_bank_halves_together_cover_every_week_of_the_evaluated_span() -> None:
    bench = _bench()
    both = sorted(bench.main_origins("anonbank") + bench.heldout_origins("anonbank"))
    assert all(b - a == HORIZON for a, b in itertools.pairwise(both))
    assert len(bench.heldout_origins("anonbank")) == len(bench.main_origins("anonbank")) == 21
