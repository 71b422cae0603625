"""Adapters that load the real bank data sets (../shared/data/real) in contract form."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from forecasting.history import read_history

BANK_CALLS_QUEUE = "bank_calls"
ANONBANK_QUEUE = "anonbank"


def read_bank_calls(path: str | Path, *, queue: str = BANK_CALLS_QUEUE) -> pd.DataFrame:
    """`bank_calls_5min.csv` (`DateTime,Calls`) as history: one queue, 5-minute `offered`."""
    return read_history(path, default_queue=queue, rename={"DateTime": "interval_start", "Calls": "offered"})


def read_anonbank_15min(path: str | Path, *, queue: str = ANONBANK_QUEUE) -> pd.DataFrame:
    """`anonbank_1999_15min.csv` as history: offered, answered, abandoned, AHT, ASA, answered within 20 s."""
    rename = {"aht_s": "aht_seconds", "asa_s": "asa_seconds", "answered_within_20s": "answered_in_target"}
    return read_history(path, default_queue=queue, rename=rename)


def read_anonbank_6min(path: str | Path, *, queue: str = ANONBANK_QUEUE) -> pd.DataFrame:
    """`anonbank_1999_6min_fullyear.csv` (`interval_start,calls,...`) as history of 6-minute `offered`."""
    return read_history(path, default_queue=queue, rename={"calls": "offered"})


def read_anonbank_contacts(path: str | Path, *, queue: str = ANONBANK_QUEUE) -> pd.DataFrame:
    """`anonbank_1999_calls.csv.gz` as a contact log: the calls that asked for an agent, by queue-entry time.

    outcome is answered (served by an agent) or abandoned (hung up in the queue); wait_seconds is the queue
    time, handle_seconds the service time and agent_id the agent's name, as read_contacts returns them.
    """
    calls = pd.read_csv(
        path,
        usecols=["queue_arrival_ts", "to_agent", "answered", "q_time", "ser_time", "server"],
        dtype={"server": str},
    )
    calls = calls[calls["to_agent"].astype(bool)]
    answered = calls["answered"].astype(bool)
    log = pd.DataFrame(
        {
            "queue": queue,
            "arrival_ts": pd.to_datetime(calls["queue_arrival_ts"], format="%Y-%m-%d %H:%M:%S"),
            "outcome": answered.map({True: "answered", False: "abandoned"}),
            "wait_seconds": calls["q_time"].astype(float),
            "handle_seconds": calls["ser_time"].astype(float).where(answered),
            "agent_id": calls["server"].where(answered, ""),
        }
    )
    return log.sort_values(["queue", "arrival_ts"], kind="stable").reset_index(drop=True)
