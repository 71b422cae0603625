"""The Curtois–Qu benchmark: instance 1 to its published optimum, independent scoring, malformed files, the CLI."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

from wfm.benchmarks.curtois import hard_violations, read_curtois, roster_rows, score, to_engine
from wfm.errors import InputError
from wfm.roster.solve import SolveSettings, solve_roster

CURTOIS = Path(__file__).resolve().parents[3] / "shared" / "data" / "benchmarks" / "curtois"
INSTANCE_1 = CURTOIS / "Instance1.txt"
pytestmark = pytest.mark.skipif(not INSTANCE_1.exists(), reason="benchmark files are in ../shared")


def wfm(*args: str) -> subprocess.CompletedProcess[str]:
    """Run the CLI."""
    return subprocess.run([sys.executable, "-m", "wfm.cli", *args], capture_output=True, text=True, check=False)


def test_instance_1_reaches_the_published_optimum_607() -> None:
    ci = read_curtois(INSTANCE_1)
    instance, config = to_engine(ci)
    solution = solve_roster(instance, config, SolveSettings(time_limit_seconds=30))
    roster = roster_rows(instance, solution.assignments)
    parts = score(ci, roster)
    assert parts.objective == 607
    assert solution.stats is not None and solution.stats.objective == pytest.approx(607)
    assert solution.stats.lower_bound == pytest.approx(607)  # proven optimal
    assert hard_violations(ci, roster) == []
    engine = {p.rule: p.penalty for p in solution.penalties}
    assert engine["shift_requests"] == parts.requests
    assert engine["under_coverage"] == parts.cover_under
    assert engine.get("over_coverage", 0) == parts.cover_over


def test_instance_parse_reads_every_section() -> None:
    ci = read_curtois(CURTOIS / "Instance10.txt")
    assert (ci.days, len(ci.shifts), len(ci.staff)) == (28, 5, 40)
    assert ci.shifts[3].shift_id == "L" and ci.shifts[3].not_followed_by == ("E", "d1", "d2")
    staff = ci.staff[0]
    assert (staff.staff_id, staff.max_shifts["d1"], staff.max_total_minutes, staff.max_weekends) == ("A", 28, 8640, 2)
    assert len(ci.cover) == 28 * 5


def test_the_independent_score_and_checks_see_a_broken_roster() -> None:
    ci = read_curtois(INSTANCE_1)
    roster = pd.DataFrame({"employee": ["A"] * 7, "day": list(range(7)), "shift": ["D"] * 7})
    problems = hard_violations(ci, roster)
    assert any("fixed day off 0" in p for p in problems)  # A has day 0 off
    assert any("6 working days" in p or "7 working days" in p for p in problems)  # max 5 in a row
    parts = score(ci, roster)
    assert parts.requests == 5 * 3 + 5 * 1 + 2 * 2 + 2 * 2 + 5 * 1  # B, C, D, F, H's on-requests; A's granted
    assert parts.cover_under == 100 * ((37 - 7) + 34)  # one agent on days 0–6 of 37 required, none on 7–13


BAD_FILES = {
    "unknown_section": ("SECTION_HORIZON\n14\nSECTION_BOGUS\nx\n", "SECTION_BOGUS", 3),
    "data_before_sections": ("14\nSECTION_HORIZON\n", "-", 1),
    "horizon_text": ("SECTION_HORIZON\nfourteen\nSECTION_SHIFTS\nSECTION_STAFF\nSECTION_COVER\n", "SECTION_HORIZON", 2),
    "shift_fields": (
        "SECTION_HORIZON\n14\nSECTION_SHIFTS\nD,480\nSECTION_STAFF\nSECTION_COVER\n",
        "SECTION_SHIFTS",
        4,
    ),
    "staff_max_shifts": (
        "SECTION_HORIZON\n14\nSECTION_SHIFTS\nD,480,\nSECTION_STAFF\nA,X=3,4320,3360,5,2,2,1\nSECTION_COVER\n",
        "SECTION_STAFF",
        6,
    ),
    "cover_day": (
        "SECTION_HORIZON\n14\nSECTION_SHIFTS\nD,480,\nSECTION_STAFF\nA,D=14,4320,3360,5,2,2,1\n"
        "SECTION_COVER\n# comment\n20,D,5,100,1\n",
        "SECTION_COVER",
        9,
    ),
}


@pytest.mark.parametrize("name", sorted(BAD_FILES))
def test_malformed_instance_names_section_and_line(tmp_path: Path, name: str) -> None:
    text, section, line = BAD_FILES[name]
    path = tmp_path / f"{name}.txt"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(InputError, match=f"line {line} \\({section}\\)"):
        read_curtois(path)
    if name == "cover_day":  # the CLI path once: one line on stderr, exit 2
        result = wfm("benchmark", "curtois", str(path), "--time-limit", "1")
        assert result.returncode == 2
        assert f"line {line} ({section})" in result.stderr
        assert "Traceback" not in result.stderr


def test_missing_section_is_named(tmp_path: Path) -> None:
    path = tmp_path / "short.txt"
    path.write_text("SECTION_HORIZON\n14\n", encoding="utf-8")
    with pytest.raises(InputError, match="missing SECTION_SHIFTS"):
        read_curtois(path)


def test_cli_solves_writes_and_the_checker_verifies(tmp_path: Path) -> None:
    out, report = tmp_path / "roster.csv", tmp_path / "report.json"
    result = wfm(
        "benchmark", "curtois", str(INSTANCE_1), "--time-limit", "20", "--out", str(out), "--report", str(report)
    )
    assert result.returncode == 0, result.stderr
    # Instance 1 has several optima (607 = 7 + 600 + 0 or 6 + 600 + 1): the parts must add up to the proven optimum.
    parts = re.search(
        r"objective (\d+) \(requests (\d+), cover under (\d+), cover over (\d+)\); bound 607;", result.stdout
    )
    assert parts, result.stdout
    objective, requests, under, over = (int(g) for g in parts.groups())
    assert objective == 607 == requests + under + over
    assert json.loads(report.read_text(encoding="utf-8"))["objective"] == 607
    roster = pd.read_csv(out, encoding="utf-8-sig")
    assert list(roster.columns) == ["employee", "day", "shift"]
    checked = wfm("check-roster", "--curtois", str(INSTANCE_1), "--roster", str(out))
    assert checked.returncode == 0, checked.stdout + checked.stderr
    # break it: employee A works its fixed day off and a lone day in the middle
    broken = pd.concat([roster, pd.DataFrame({"employee": ["A"], "day": [0], "shift": ["D"]})])
    broken = broken.drop_duplicates(["employee", "day"])
    broken.to_csv(tmp_path / "broken.csv", index=False)
    checked = wfm("check-roster", "--curtois", str(INSTANCE_1), "--roster", str(tmp_path / "broken.csv"))
    assert checked.returncode == 1
    assert "time_off" in checked.stdout


def test_check_roster_rejects_an_unknown_employee(tmp_path: Path) -> None:
    path = tmp_path / "bad.csv"
    path.write_text("employee,day,shift\nZZ,0,D\n", encoding="utf-8")
    result = wfm("check-roster", "--curtois", str(INSTANCE_1), "--roster", str(path))
    assert result.returncode == 2
    assert "row 2" in result.stderr and "employee" in result.stderr


@pytest.mark.parametrize("number", range(1, 25))
def test_every_published_instance_reads_and_maps(number: int) -> None:
    ci = read_curtois(CURTOIS / f"Instance{number}.txt")
    instance, _config = to_engine(ci)
    assert len(instance.agents) == len(ci.staff) and ci.days >= 14


def _cover_file(tmp_path: Path, requirement: str) -> Path:
    path = tmp_path / "cover.txt"
    path.write_text(
        "SECTION_HORIZON\n14\nSECTION_SHIFTS\nD,480,\nSECTION_STAFF\nA,D=14,4320,3360,5,2,2,1\n"
        f"SECTION_COVER\n0,D,{requirement},100,1\n",
        encoding="utf-8",
    )
    return path


def test_a_signed_zero_requirement_reads_as_zero(tmp_path: Path) -> None:
    """Instance15 as published writes one requirement as "-0"."""
    assert read_curtois(_cover_file(tmp_path, "-0")).cover[0].requirement == 0
    assert read_curtois(_cover_file(tmp_path, "+3")).cover[0].requirement == 3


@pytest.mark.parametrize("requirement", ["-1", "٣", "2.0", "", "- 0"])
def test_a_negative_or_non_ascii_requirement_is_named(tmp_path: Path, requirement: str) -> None:
    with pytest.raises(InputError, match=r"line 8 \(SECTION_COVER\)"):
        read_curtois(_cover_file(tmp_path, requirement))
