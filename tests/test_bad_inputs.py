"""The bad-input corpus (tests/bad_inputs/): every file and option value is refused by the `wfm` command that
reads it with one line naming the file, row and column, exit code 2, and nothing written."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from wfm.cli import main

ROOT = Path(__file__).resolve().parents[1]
CORPUS = ROOT / "tests" / "bad_inputs"
GOOD = CORPUS / "good"
DATA = ROOT / "data"

# file → the words its message must hold (besides the file's name), lower-case.
EXPECTED: dict[str, tuple[str, ...]] = {
    "history_time_only.csv": ("row 5", '"interval_start"', "time without a date"),
    "history_nan_offered.csv": ("row 5", '"offered"', "not a number"),
    "history_inf_aht.csv": ("row 5", '"aht_seconds"', "not a number"),
    "history_huge_offered.csv": ("row 5", '"offered"', "above"),
    "history_huge_aht.csv": ("row 5", '"aht_seconds"', "above"),
    "history_negative_aht.csv": ("row 5", '"aht_seconds"', "below"),
    "history_hour_25.csv": ("row 5", '"interval_start"', "not a valid date and time"),
    "history_day_first.csv": ("row 5", '"interval_start"', "not a valid date and time"),
    "history_empty_header_cell.csv": ("row 1", "header cell 2 is empty"),
    "history_binary.csv": ("binary data",),
    "history_undecodable.csv": ("row 5", "cannot be decoded", "utf-8"),
    "history_truncated.csv.gz": ("gzip data is damaged",),
    "history_nested.csv.gz": ("another compressed file",),
    "history_bzip2_nested.csv.bz2": ("another compressed file",),
    "history_workbook.csv": ("excel",),
    "history_two_members.zip": ("holds 2 files",),
    "history_gzip_bomb.csv.gz": ("inflates past", "limit"),
    "contacts_time_only.csv": ("row 4", '"arrival_ts"', "time without a date"),
    "contacts_huge_wait.csv": ("row 4", '"wait_seconds"', "above"),
    "contacts_inf_handle.csv": ("row 4", '"handle_seconds"', "not a number"),
    "forecast_huge_volume.csv": ("row 4", '"volume"'),
    "forecast_inf_aht.csv": ("row 4", '"aht_seconds"'),
    "forecast_huge_aht.csv": ("row 4", '"aht_seconds"'),
    "forecast_time_only.csv": ("row 4", '"interval_start"', "time without a date"),
    "forecast_nan_volume.csv": ("row 4", '"volume"'),
    "queues_zero_interval.csv": ("row 3", '"interval_minutes"'),
    "queues_negative_interval.csv": ("row 3", '"interval_minutes"'),
    "queues_nan_service_level.csv": ("row 3", '"service_level"'),
    "queues_huge_concurrency.csv": ("row 3", '"concurrency"'),
    "queues_inf_patience.csv": ("row 3", '"patience_seconds"'),
    "agents_unknown_skill.csv": ("row 3", '"skills"', "chta_presale"),
    "agents_huge_hours.csv": ("row 3", '"max_hours_week"', "above"),
    "agents_eight_days.csv": ("row 3", '"max_days_week"', "above"),
    "time_off_unknown_agent.csv": ("row 3", '"agent_id"', "a999"),
    "time_off_time_only.csv": ("row 2", '"date"'),
    "shifts_zero_length.csv": ("row 3", '"length_minutes"'),
    "shifts_nan_length.csv": ("row 3", '"length_minutes"', "not a number"),
    "rules_inf.toml": ('"max_consecutive_days"', "inf"),
    "rules_nan_weight.toml": ('"under_coverage"', "nan"),
    "rules_nested_too_deeply.toml": ("nested too deeply",),
    "rules_huge_weight.toml": ('"under_coverage"', "1e+308"),
    "requirements_time_only.csv": ("row 4", '"interval_start"', "time without a date"),
    "requirements_inf.csv": ("row 4", '"required_agents"', "not a number"),
    "requirements_huge.csv": ("row 4", '"required_agents"', "above"),
    "roster_bad_clock.csv": ("row 3", '"start"'),
    "roster_unknown_agent.csv": ("row 3", '"agent_id"', "z999"),
    "roster_day_first.csv": ("row 3", '"date"'),
    "events_end_before_start.csv": ("row 3", '"end"', "before the start"),
    "events_huge_uplift.csv": ("row 3", '"uplift"', "above"),
    "events_inf_uplift.csv": ("row 3", '"uplift"', "not a number"),
    "scenario_huge_multiplier.toml": ("multiplier",),
    "scenario_negative_multiplier.toml": ("multiplier",),
    "scenario_nan_multiplier.toml": ("multiplier",),
    "scenario_nested_too_deeply.toml": ("nested too deeply",),
    "scenario_peak_backwards.toml": ("end",),
}


def _roster_args(out: Path, report: Path, **files: Path) -> list[str]:
    """`wfm roster` on the good companions, with some files replaced."""
    chosen = {
        "requirements": GOOD / "good_requirements.csv",
        "agents": GOOD / "good_agents.csv",
        "shifts": GOOD / "good_shifts.csv",
        "rules": GOOD / "good_rules.toml",
        "queues": GOOD / "good_queues.csv",
        **files,
    }
    args = ["roster", *(f"--{k.replace('_', '-')}={v}" for k, v in chosen.items())]
    return [
        *args,
        "--start",
        "2026-11-02",
        "--days",
        "1",
        "--time-limit",
        "5",
        "--out",
        str(out),
        "--report",
        str(report),
    ]


def command_for(path: Path, out: Path, second: Path) -> list[str]:
    """The `wfm` command that reads this corpus file, writing to out (and second where it writes two files)."""
    kind = re.match(
        r"(history|contacts|forecast|queues|agents|time_off|shifts|rules|requirements|roster|events|scenario)_",
        path.name,
    )
    assert kind, path.name
    forecast_args = ["--start", "2026-03-03", "--days", "1", "--model", "seasonal_naive", "--out", str(out)]
    match kind.group(1):
        case "history":
            return ["forecast", "--history", str(path), *forecast_args, "--backtest", str(second)]
        case "events":
            return ["forecast", "--history", str(GOOD / "good_history.csv"), "--events", str(path), *forecast_args]
        case "contacts":
            return ["fidelity", "--contacts", str(path), "--interval-minutes", "30", "--answer-seconds", "20",
                    "--train-until", "2026-03-02", "--out", str(out), "--report", str(second)]  # fmt: skip
        case "forecast":
            return [
                "requirements",
                "--forecast",
                str(path),
                "--queues",
                str(GOOD / "good_queues.csv"),
                "--out",
                str(out),
            ]
        case "queues":
            return [
                "requirements",
                "--forecast",
                str(GOOD / "good_forecast.csv"),
                "--queues",
                str(path),
                "--out",
                str(out),
            ]
        case "roster":
            return ["check-roster", "--roster", str(path), "--agents", str(DATA / "agents.csv"),
                    "--shifts", str(DATA / "shifts.csv")]  # fmt: skip
        case "scenario":
            return ["scenario", "--forecast", str(GOOD / "good_forecast.csv"), "--queues", str(GOOD / "good_queues.csv"),
                    "--scenarios", str(path), "--out", str(out), "--details", str(second)]  # fmt: skip
        case other:
            return _roster_args(out, second, **{other: path})


def corpus_files() -> list[Path]:
    """Every bad file of the corpus."""
    return sorted(p for p in CORPUS.iterdir() if p.is_file() and p.suffix != ".py")


def test_the_corpus_is_complete_and_every_file_has_its_expectation() -> None:
    names = {p.name for p in corpus_files()}
    assert len(names) >= 40
    assert names == set(EXPECTED), sorted(names ^ set(EXPECTED))


@pytest.mark.parametrize("path", corpus_files(), ids=lambda p: p.name)
def test_bad_file_is_refused_with_file_row_column_exit_2_and_nothing_written(path: Path, tmp_path, capsys) -> None:
    out, second = tmp_path / "out.csv", tmp_path / "second.json"
    code = main(command_for(path, out, second))
    err = capsys.readouterr().err
    lines = [line for line in err.splitlines() if line.startswith("wfm: error:")]
    assert code == 2, err
    assert len(lines) == 1, err
    assert "Traceback" not in err
    message = lines[0].lower()
    assert path.name.lower() in message, message
    for words in EXPECTED[path.name]:
        assert words in message, (words, message)
    assert list(tmp_path.iterdir()) == [], "nothing may be written"


OPTION_CASES = [
    (["forecast", "--history", "{good}/good_history.csv", "--start", "2026-03-03", "--days", "0", "--out", "{out}"], "--days"),
    (["forecast", "--history", "{good}/good_history.csv", "--start", "2026-03-03", "--days", "100000", "--out", "{out}"], "--days"),
    (["forecast", "--history", "{good}/good_history.csv", "--start", "08:00", "--days", "1", "--out", "{out}"], "--start"),
    (["forecast", "--history", "{good}/good_history.csv", "--start", "2026-03-03", "--days", "1", "--aht-seconds", "nan", "--out", "{out}"], "--aht-seconds"),
    (["roster", "--requirements", "{good}/good_requirements.csv", "--agents", "{good}/good_agents.csv", "--shifts", "{good}/good_shifts.csv",
      "--start", "2026-11-02", "--days", "1", "--time-limit", "nan", "--out", "{out}"], "--time-limit"),
    (["roster", "--requirements", "{good}/good_requirements.csv", "--agents", "{good}/good_agents.csv", "--shifts", "{good}/good_shifts.csv",
      "--start", "2026-11-02", "--days", "1", "--time-limit", "1e308", "--out", "{out}"], "--time-limit"),
    (["roster", "--requirements", "{good}/good_requirements.csv", "--agents", "{good}/good_agents.csv", "--shifts", "{good}/good_shifts.csv",
      "--start", "2026-11-02", "--days", "1", "--time-limit", "-1", "--out", "{out}"], "--time-limit"),
    (["roster", "--requirements", "{good}/good_requirements.csv", "--agents", "{good}/good_agents.csv", "--shifts", "{good}/good_shifts.csv",
      "--start", "2026-11-02", "--days", "1000", "--time-limit", "5", "--out", "{out}"], "--days"),
    (["benchmark", "curtois", "{curtois}", "--time-limit", "inf", "--out", "{out}"], "--time-limit"),
]  # fmt: skip


@pytest.mark.parametrize(
    ("argv", "option"), OPTION_CASES, ids=[f"{a[0]}-{o}-{i}" for i, (a, o) in enumerate(OPTION_CASES)]
)
def test_bad_option_value_is_refused_naming_the_option(argv, option, tmp_path, capsys) -> None:
    curtois = ROOT.parent / "shared" / "data" / "benchmarks" / "curtois" / "Instance1.txt"
    values = {"good": str(GOOD), "out": str(tmp_path / "out.csv"), "curtois": str(curtois)}
    code = main([a.format(**values) for a in argv])
    err = capsys.readouterr().err
    assert code == 2, err
    assert option in err.splitlines()[-1], err
    assert list(tmp_path.iterdir()) == []
