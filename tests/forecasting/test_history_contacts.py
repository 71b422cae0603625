"""Per-contact logs: reading, and aggregation to interval history (checked against the real bank's own file)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from forecasting.contacts import aggregate_contacts, read_contacts
from forecasting.real_data import read_anonbank_15min, read_anonbank_contacts
from tests.forecasting.test_history import REAL, needs_real
from wfm.errors import InputError


def test_read_and_aggregate_a_small_log(tmp_path: Path) -> None:
    path = tmp_path / "log.csv"
    path.write_text(
        "queue,arrival_ts,outcome,wait_seconds,handle_seconds,agent_id\n"
        "chat_presale,2026-03-02 08:14:59,ANSWERED,25,300,A001\n"
        "chat_presale,2026-03-02 08:00:00,answered,35,200,A002\n"
        "chat_presale,2026-03-02 08:20:00,abandoned,50,,\n",
        encoding="utf-8",
    )
    log = read_contacts(path)
    assert log["outcome"].tolist() == ["answered", "answered", "abandoned"]
    assert log["arrival_ts"].is_monotonic_increasing
    history = aggregate_contacts(log, 15, answer_seconds=30)
    assert len(history) == 96  # the whole day of the queue's contacts, zeros where nothing arrived
    first, second = history.iloc[32], history.iloc[33]
    assert first["interval_start"] == pd.Timestamp("2026-03-02 08:00")
    assert first[["offered", "answered", "abandoned", "answered_in_target"]].tolist() == [2, 2, 0, 1]
    assert (first["aht_seconds"], first["asa_seconds"]) == (250.0, 30.0)
    assert second[["offered", "answered", "abandoned"]].tolist() == [1, 0, 1]
    assert np.isnan(second["aht_seconds"])
    assert history["offered"].sum() == 3


def test_aggregate_rejects_an_interval_that_does_not_divide_a_day() -> None:
    log = pd.DataFrame({"queue": ["q"], "arrival_ts": [pd.Timestamp("2026-03-02 08:00")], "outcome": ["answered"]})
    with pytest.raises(InputError, match="divide a day"):
        aggregate_contacts(log, 7, answer_seconds=20)


@needs_real
def test_real_per_call_log_aggregates_to_the_banks_15_minute_file() -> None:
    log = read_anonbank_contacts(REAL / "anonbank_1999_calls.csv.gz")
    assert len(log) == 94196
    ours = aggregate_contacts(log, 15, answer_seconds=20)
    theirs = read_anonbank_15min(REAL / "anonbank_1999_15min.csv")
    assert len(ours) == len(theirs)
    for column in ("queue", "interval_start", "offered", "answered", "abandoned", "answered_in_target"):
        assert ours[column].tolist() == theirs[column].tolist(), column
    for column in ("aht_seconds", "asa_seconds"):
        np.testing.assert_allclose(ours[column], theirs[column], atol=0.01)


_logs = st.lists(
    st.tuples(
        st.sampled_from(["a", "b"]),
        st.integers(0, 3 * 86400 - 1),
        st.booleans(),
        st.floats(0, 600, allow_nan=False),
        st.floats(1, 1200, allow_nan=False),
    ),
    min_size=1,
    max_size=60,
)


@settings(max_examples=60, deadline=None)
@given(rows=_logs, minutes=st.sampled_from([5, 15, 30, 60]), target=st.sampled_from([0, 20, 60]))
def test_aggregation_conserves_contacts(rows, minutes: int, target: int) -> None:
    log = pd.DataFrame(
        {
            "queue": [r[0] for r in rows],
            "arrival_ts": pd.Timestamp("2026-03-02") + pd.to_timedelta([r[1] for r in rows], unit="s"),
            "outcome": ["answered" if r[2] else "abandoned" for r in rows],
            "wait_seconds": [r[3] for r in rows],
            "handle_seconds": [r[4] if r[2] else np.nan for r in rows],
        }
    )
    history = aggregate_contacts(log, minutes, answer_seconds=target)
    assert history["offered"].sum() == len(log)
    assert (history["answered"] + history["abandoned"] == history["offered"]).all()
    assert (history["answered_in_target"] <= history["answered"]).all()
    expected_in_target = ((log["outcome"] == "answered") & (log["wait_seconds"] <= target)).sum()
    assert history["answered_in_target"].sum() == expected_in_target
    per_queue_days = log.groupby("queue")["arrival_ts"].apply(lambda s: s.dt.normalize().nunique())
    assert len(history) == per_queue_days.sum() * (1440 // minutes)
    handled = history["aht_seconds"] * history["answered"]
    assert np.isclose(handled.sum(), log["handle_seconds"].sum())
