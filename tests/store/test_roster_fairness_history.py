"""Fairness carried across horizons in the app: the stored rosters' newest published versions before the start count
(drafts and later dates do not), on SQLite and PostgreSQL."""

from __future__ import annotations

import sys
from dataclasses import replace
from datetime import timedelta
from pathlib import Path

from wfm.roster.domain import Assignment, FairCounts, Weights
from wfm.roster.fair_share import fair_tables
from wfm.roster.options import instance_facts
from wfm.roster.outputs import roster_frame
from wfm.store import Session, publish_roster, save_roster
from wfm.workspace import fairness_history

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "roster"))
from roster_fixtures import DAY, LATE, MONDAY, agent, config, instance


def _store(engine, name: str, frame, *, publish: bool) -> None:
    """Save a roster frame as a new roster (and publish it)."""
    with Session(engine) as s, s.begin():
        save_roster(s, name, frame, expected_version=0, user="alice")
        if publish:
            publish_roster(s, name, expected_version=1, user="lead")


def test_published_rosters_before_the_start_are_carried(engine) -> None:
    agents = (agent("A1"), agent("A2"), agent("A3"))
    earlier = instance(agents, (DAY, LATE), days=14)
    earlier = replace(earlier, start=MONDAY - timedelta(days=14))
    # A1: both Saturdays late; A2: one Sunday; A3 not in the roster at all (a new joiner)
    worked = [Assignment(0, 5, 1, 0), Assignment(0, 12, 1, 0), Assignment(1, 6, 0, 0)]
    frame = roster_frame(earlier, worked)
    _store(engine, "october", frame[frame["agent_id"] != "A3"], publish=True)
    # a draft that would give A2 two more weekends: not published, so it does not count
    _store(engine, "draft", roster_frame(earlier, [Assignment(1, 5, 0, 0), Assignment(1, 12, 0, 0)]), publish=False)
    current = instance(agents, (DAY, LATE), days=7)
    cfg = config(Weights(weekend_fairness=10, late_fairness=10))
    history = fairness_history(engine, current, cfg)
    assert history.carried == {"A1": FairCounts(2, 2, 0), "A2": FairCounts(1, 0, 0)}
    tables = fair_tables(history, cfg, instance_facts(history, cfg).options)
    assert tables.carried.tolist() == [[2, 2, 0], [1, 0, 0], [2, 1, 0]]  # A3: the rounded means (1.5 → 2, 1)
    # nothing before the start: nothing carried
    assert fairness_history(engine, replace(current, start=MONDAY - timedelta(days=30)), cfg).carried == {}
