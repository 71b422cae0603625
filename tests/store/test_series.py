"""History, forecasts and requirements: contract frames in and out, replacement by span, atomic failures."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from sqlalchemy import func, select

from forecasting.csv_input import read_table
from forecasting.history import read_history
from wfm.errors import InputError
from wfm.store import (
    Session,
    get_forecast,
    get_history,
    get_requirements,
    list_forecast_runs,
    save_forecast,
    save_history,
    save_queues,
    save_requirements,
    save_scenario,
)
from wfm.store.models import ForecastRun, HistoryRow

from .conftest import DATA


@pytest.fixture
def queued(engine):
    """An engine whose database knows the test queues."""
    with Session(engine) as s, s.begin():
        save_queues(s, read_table(DATA / "queues.csv", required=["queue"]).frame)
    return engine


def _history() -> pd.DataFrame:
    frame = read_history(DATA / "history.csv")
    frame.attrs = {}
    return frame


def _forecast(periods: int = 8) -> pd.DataFrame:
    stamps = pd.date_range("2026-11-11 08:00", periods=periods, freq="15min")
    return pd.DataFrame(
        {
            "queue": ["phone_presale"] * periods + ["chat_aftersale"] * periods,
            "interval_start": list(stamps) * 2,
            "volume": np.arange(2 * periods, dtype=float) + 0.5,
            "aht_seconds": 180.0,
            "volume_lo": np.arange(2 * periods, dtype=float),
            "volume_hi": np.nan,
        }
    )


def test_history_round_trip(queued):
    history = _history()
    with Session(queued) as s, s.begin():
        assert save_history(s, history) == len(history)
    with Session(queued) as s:
        back = get_history(s)
    expected = history.reindex(columns=back.columns).sort_values(["queue", "interval_start"]).reset_index(drop=True)
    pd.testing.assert_frame_equal(back, expected)


def test_history_filters(queued):
    with Session(queued) as s, s.begin():
        save_history(s, _history())
    with Session(queued) as s:
        part = get_history(s, queues=["chat_aftersale"], start="2026-11-02 09:00", end="2026-11-02 10:00")
    assert part["queue"].unique().tolist() == ["chat_aftersale"]
    assert part["interval_start"].dt.strftime("%H:%M").tolist() == ["09:00", "09:15", "09:30", "09:45"]


def test_saving_history_again_replaces_only_that_span(queued):
    history = _history()
    with Session(queued) as s, s.begin():
        save_history(s, history)
    newer = history[history["interval_start"] >= "2026-11-03"].copy()
    newer["offered"] = 999.0
    with Session(queued) as s, s.begin():
        save_history(s, newer)
    with Session(queued) as s:
        back = get_history(s)
    assert len(back) == len(history)
    late = back["interval_start"] >= "2026-11-03"
    assert (back.loc[late, "offered"] == 999).all()
    assert (back.loc[~late, "offered"] < 999).all()


def test_history_of_an_unknown_queue_writes_nothing(queued):
    history = _history()
    history.loc[100, "queue"] = "no_such_queue"
    unknown = 'queue "no_such_queue" is not in the database'
    with pytest.raises(InputError, match=unknown) as err, Session(queued) as s, s.begin():
        save_history(s, history)
    assert err.value.row == 102
    with Session(queued) as s:
        assert s.scalar(select(func.count()).select_from(HistoryRow)) == 0


def test_failure_after_a_successful_save_rolls_both_back(queued):
    """A bad row in the middle of the second save undoes the first save of the same transaction."""
    history = _history()
    bad = _forecast().astype({"volume": object})
    bad.loc[5, "volume"] = "lots"
    with pytest.raises(InputError, match='"lots" is not a number') as err, Session(queued) as s, s.begin():
        save_history(s, history)
        save_forecast(s, bad, label="bad")
    assert (err.value.row, err.value.column) == (7, "volume")
    with Session(queued) as s:
        assert s.scalar(select(func.count()).select_from(HistoryRow)) == 0
        assert s.scalar(select(func.count()).select_from(ForecastRun)) == 0


def test_duplicate_intervals_are_refused_with_their_row(queued):
    frame = _forecast()
    frame.loc[9, "interval_start"] = frame.loc[8, "interval_start"]
    with pytest.raises(InputError, match="appears twice") as err, Session(queued) as s, s.begin():
        save_forecast(s, frame)
    assert err.value.row == 11


def test_forecast_and_requirements_round_trip(queued):
    forecast = _forecast()
    requirements = forecast[["queue", "interval_start", "volume", "aht_seconds"]].assign(
        required_agents=np.arange(len(forecast), dtype=float), service_level=0.8, model="erlang-a"
    )
    with Session(queued) as s, s.begin():
        save_scenario(s, "double_11_x3", {"uplift": 3.0})
        run_id = save_forecast(s, forecast, label="nov", model="seasonal", scenario="double_11_x3", user="ann")
        save_requirements(s, run_id, requirements)
    with Session(queued) as s:
        back = get_forecast(s, run_id)
        reqs = get_requirements(s, run_id)
        runs = list_forecast_runs(s)
    expected = forecast.sort_values(["queue", "interval_start"]).reset_index(drop=True)
    pd.testing.assert_frame_equal(back[expected.columns], expected)
    assert reqs["required_agents"].sum() == requirements["required_agents"].sum()
    assert reqs["model"].unique().tolist() == ["erlang-a"]
    assert reqs["p_abandon"].isna().all()
    assert runs.loc[0, ["label", "scenario", "created_by", "forecast_rows", "requirement_rows"]].tolist() == [
        "nov",
        "double_11_x3",
        "ann",
        16,
        16,
    ]


def test_unknown_forecast_run_is_a_clear_error(queued):
    with pytest.raises(InputError, match="forecast run 42 is not in the database"), Session(queued) as s:
        get_forecast(s, 42)
