"""Reading the roster inputs: requirements onto the grid, rules.toml defaults and errors."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from wfm.errors import InputError
from wfm.roster.inputs import read_requirements, read_rules


def test_hourly_requirements_fill_quarter_hours(tmp_path: Path) -> None:
    path = tmp_path / "r.csv"
    path.write_text(
        "queue,interval_start,required_agents\nchat,2026-11-02 09:00,2.2\nchat,2026-11-02 10:00,1\n", encoding="utf-8"
    )
    queues, grid = read_requirements(path, date(2026, 11, 2), 1, 15)
    assert queues == ("chat",)
    assert grid[0, 36:44].tolist() == [3, 3, 3, 3, 1, 1, 1, 1]
    assert grid.sum() == 16


def test_requirements_outside_horizon_are_an_error(tmp_path: Path) -> None:
    path = tmp_path / "r.csv"
    path.write_text("queue,interval_start,required_agents\nchat,2026-01-01 09:00,1\n", encoding="utf-8")
    with pytest.raises(InputError, match="no requirement rows"):
        read_requirements(path, date(2026, 11, 2), 7, 15)


def test_rules_defaults_and_overrides(tmp_path: Path) -> None:
    assert read_rules(None).rules.min_rest_hours == 11
    path = tmp_path / "rules.toml"
    path.write_text("[rules]\nmin_rest_hours = 12\n[weights]\nunder_coverage = 200\n", encoding="utf-8")
    config = read_rules(path)
    assert (config.rules.min_rest_hours, config.weights.under_coverage, config.weights.paid_hours) == (12, 200, 1)


@pytest.mark.parametrize(
    "text",
    [
        "[rule]\n",
        "[weights]\nunder = 1\n",
        "[rules]\ndays_off_per_week = 1.5\n",
        "[rules]\ninterval_minutes = 7\n",
        "not toml [",
    ],
)
def test_bad_rules(tmp_path: Path, text: str) -> None:
    path = tmp_path / "rules.toml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(InputError):
        read_rules(path)


def test_rotation_rules_read_lists_and_switches(tmp_path: Path) -> None:
    path = tmp_path / "rules.toml"
    path.write_text(
        '[rules]\nforbidden_successions = ["Late>Early"]\nforward_rotation = 1\nmax_weekends_per_4_weeks = 2\n'
        'late_categories = ["late"]\nmax_consecutive_queue_days = 3\n[weights]\nweekend_fairness = 50\n',
        encoding="utf-8",
    )
    config = read_rules(path)
    assert config.rules.forbidden_successions == ("Late>Early",)
    assert config.rules.forward_rotation is True  # 1 as the database keeps it
    assert (config.rules.max_weekends_per_4_weeks, config.rules.max_consecutive_queue_days) == (2, 3)
    assert config.weights.weekend_fairness == 50


@pytest.mark.parametrize(
    ("text", "column"),
    [
        ('[rules]\nforbidden_successions = "Late>Early"\n', "forbidden_successions"),
        ('[rules]\nforward_rotation = "yes"\n', "forward_rotation"),
        ("[rules]\nmin_consecutive_days = 1.5\n", "min_consecutive_days"),
    ],
)
def test_bad_rotation_rules(tmp_path: Path, text: str, column: str) -> None:
    path = tmp_path / "rules.toml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(InputError) as caught:
        read_rules(path)
    assert caught.value.column == column
