"""Reading good history files: encodings, offsets, gzip, adapters for the real bank data, interval and gaps."""

from __future__ import annotations

import gzip
import os
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from forecasting.history import find_gaps, load_history, read_history
from forecasting.real_data import read_anonbank_6min, read_anonbank_15min, read_bank_calls

REAL = Path(os.environ.get("WFM_REAL_DATA", Path(__file__).resolve().parents[3] / "shared" / "data" / "real"))
needs_real = pytest.mark.skipif(not REAL.is_dir(), reason="real data folder not found (set WFM_REAL_DATA)")

HEADER = "queue,interval_start,offered,answered,abandoned,aht_seconds\n"


def _write(tmp_path: Path, name: str, text: str, encoding: str = "utf-8") -> Path:
    path = tmp_path / name
    data = text.encode(encoding)
    path.write_bytes(gzip.compress(data) if name.endswith(".gz") else data)
    return path


def test_bom_crlf_upper_case_headers_and_extra_columns(tmp_path: Path) -> None:
    text = (
        "\ufeffQueue, Interval_Start ,OFFERED,answered,note\r\n"
        "chat_presale,2026-03-02 08:15:00,7,7,late\r\n"
        "chat_presale,2026-03-02 08:00:00,5,4,\r\n"
        "phone_presale,2026-03-02 08:00:00,3,3,x\r\n"
    )
    frame = read_history(_write(tmp_path, "bom.csv", text))
    assert list(frame.columns) == ["queue", "interval_start", "offered", "answered"]
    assert frame["queue"].tolist() == ["chat_presale", "chat_presale", "phone_presale"]
    assert (
        frame["interval_start"].tolist()
        == pd.to_datetime(["2026-03-02 08:00", "2026-03-02 08:15", "2026-03-02 08:00"]).tolist()
    )
    assert frame["offered"].tolist() == [5.0, 7.0, 3.0]
    assert frame["interval_start"].dtype == "datetime64[ns]"
    assert frame["offered"].dtype == float
    assert frame.attrs["interval_minutes"] == 15


def test_gbk_file_with_chinese_queue_names(tmp_path: Path) -> None:
    text = HEADER + "电话售前,2026-03-02 08:00,10,9,1,200\n电话售前,2026-03-02 08:30,12,12,0,210\n"
    frame = read_history(_write(tmp_path, "gbk.csv", text, "gbk"))
    assert frame["queue"].unique().tolist() == ["电话售前"]
    assert frame.attrs["interval_minutes"] == 30
    assert frame["aht_seconds"].tolist() == [200.0, 210.0]


def test_utc_offsets_keep_the_wall_clock_time(tmp_path: Path) -> None:
    text = (
        "queue,interval_start,offered\n"
        "q,2026-03-02T08:00:00+08:00,1\n"
        "q,2026-03-02T08:15:00+0800,2\n"
        "q,2026-03-02T08:30:00Z,3\n"
        "q,2026-03-02 08:45-05:00,4\n"
    )
    frame = read_history(_write(tmp_path, "offsets.csv", text))
    assert frame["interval_start"].dt.tz is None
    assert frame["interval_start"].dt.strftime("%H:%M").tolist() == ["08:00", "08:15", "08:30", "08:45"]


def test_gzip_and_loose_date_spellings(tmp_path: Path) -> None:
    text = "queue,interval_start,offered\nq,2026/3/2 8:00,1\nq,2026-03-02 09:00:00.000,2\nq,2026-03-02T10:00,3\n"
    frame = read_history(_write(tmp_path, "loose.csv.gz", text))
    assert frame["interval_start"].dt.hour.tolist() == [8, 9, 10]
    assert frame.attrs["interval_minutes"] == 60


def test_default_queue_rename_and_explicit_interval(tmp_path: Path) -> None:
    path = _write(tmp_path, "one.csv", "When,Calls\n2026-03-02 08:00,4\n")
    frame = read_history(
        path, default_queue="bank", rename={"when": "interval_start", "calls": "offered"}, interval_minutes=15
    )
    assert frame[["queue", "offered"]].values.tolist() == [["bank", 4.0]]
    assert frame.attrs["interval_minutes"] == 15


def test_gaps_separate_weekly_closed_hours_from_missing_data(tmp_path: Path) -> None:
    days = [d for d in pd.date_range("2026-03-02", "2026-03-22") if d.weekday() < 5]
    stamps = [d + pd.Timedelta(minutes=m) for d in days for m in range(8 * 60, 10 * 60, 30)]
    lost = pd.Timestamp("2026-03-11 09:00")
    stamps = [s for s in stamps if s != lost]
    frame = pd.DataFrame({"queue": "q", "interval_start": stamps, "offered": 1.0})
    gaps = find_gaps(frame, 30)
    missing = gaps[gaps["kind"] == "missing"]
    assert missing[["start", "end", "intervals"]].values.tolist() == [[lost, lost + pd.Timedelta(minutes=30), 1]]
    closed = gaps[gaps["kind"] == "closed"]
    assert len(closed) == len(days) - 1  # every night / weekend between two working days
    assert closed["intervals"].sum() + 1 + len(stamps) == (stamps[-1] - stamps[0]) / pd.Timedelta(minutes=30) + 1


def test_daily_history_with_a_missing_day_is_daily(tmp_path: Path) -> None:
    text = "queue,interval_start,offered\nq,2026-03-02,1\nq,2026-03-03,2\nq,2026-03-05,2\n"
    frame = read_history(_write(tmp_path, "daily.csv", text))
    assert frame.attrs["interval_minutes"] == 1440


def test_load_history_bundles_interval_and_gaps(tmp_path: Path) -> None:
    text = "queue,interval_start,offered\nq,2026-03-02 08:00,1\nq,2026-03-02 08:15,1\nq,2026-03-02 09:00,1\n"
    history = load_history(_write(tmp_path, "h.csv", text))
    assert history.interval_minutes == 15
    assert history.gaps["intervals"].tolist() == [2]


@needs_real
def test_real_anonbank_15min() -> None:
    frame = read_anonbank_15min(REAL / "anonbank_1999_15min.csv")
    assert len(frame) == 8448
    assert frame.attrs["interval_minutes"] == 15
    assert set(frame.columns) >= {"answered", "abandoned", "aht_seconds", "asa_seconds", "answered_in_target"}
    gaps = find_gaps(frame, 15)
    assert gaps[["start", "end", "kind"]].values.tolist() == [
        [pd.Timestamp("1999-01-11"), pd.Timestamp("1999-01-13"), "missing"],
        [pd.Timestamp("1999-03-01"), pd.Timestamp("1999-10-01"), "missing"],
    ]


@needs_real
def test_real_bank_calls_5min() -> None:
    frame = read_bank_calls(REAL / "bank_calls_5min.csv")
    assert len(frame) == 27716
    assert frame.attrs["interval_minutes"] == 5
    assert frame["interval_start"].iloc[0] == pd.Timestamp("2003-03-03 07:00")
    gaps = find_gaps(frame, 5)
    missing_days = gaps.loc[gaps["kind"] == "missing", "start"].dt.date.astype(str).tolist()
    assert "2003-07-04" in missing_days  # a weekday holiday: missing, not a weekly closure
    closed = gaps[gaps["kind"] == "closed"]
    assert (closed["start"].dt.hour == 21).all()  # nights and weekends start at 21:05 → closed
    assert len(missing_days) + len(closed) == len(gaps)


@needs_real
def test_real_anonbank_6min_full_year() -> None:
    frame = read_anonbank_6min(REAL / "anonbank_1999_6min_fullyear.csv")
    assert (len(frame), frame.attrs["interval_minutes"]) == (87600, 6)
    assert find_gaps(frame, 6).empty


@st.composite
def _histories(draw: st.DrawFn) -> pd.DataFrame:
    minutes = draw(st.sampled_from([5, 6, 10, 15, 30, 60]))
    queues = draw(st.lists(st.sampled_from(["a", "b_2", "电话"]), min_size=1, max_size=3, unique=True))
    parts = []
    for queue in queues:
        first, count = draw(st.integers(0, 300)), draw(st.integers(2, 30))
        slots = list(range(first, first + count))
        dropped = draw(st.sets(st.sampled_from(slots[2:]), max_size=count // 4)) if count > 2 else set()
        slots = [s for s in slots if s not in dropped]  # a few gaps; most steps stay one interval
        starts = pd.Timestamp("2026-01-05") + pd.to_timedelta(np.array(slots) * minutes, unit="min")
        offered = draw(st.lists(st.integers(0, 400), min_size=len(slots), max_size=len(slots)))
        parts.append(pd.DataFrame({"queue": queue, "interval_start": starts, "offered": np.array(offered, float)}))
    frame = pd.concat(parts, ignore_index=True)
    frame["answered"] = np.floor(frame["offered"] * 0.9)
    frame.attrs["interval_minutes"] = minutes
    return frame


@settings(max_examples=40, deadline=None)
@given(frame=_histories(), gz=st.booleans(), encoding=st.sampled_from(["utf-8", "utf-8-sig", "gbk"]))
def test_written_history_reads_back_unchanged(tmp_path_factory, frame: pd.DataFrame, gz: bool, encoding: str):
    path = tmp_path_factory.mktemp("h") / ("h.csv.gz" if gz else "h.csv")
    shuffled = frame.sample(frac=1.0, random_state=0)
    text = shuffled.to_csv(index=False, date_format="%Y-%m-%d %H:%M:%S")
    data = text.encode(encoding)
    path.write_bytes(gzip.compress(data) if gz else data)
    back = read_history(path)
    expected = frame.sort_values(["queue", "interval_start"]).reset_index(drop=True)
    pd.testing.assert_frame_equal(back, expected, check_like=False)
    assert back.attrs["interval_minutes"] == frame.attrs["interval_minutes"]
