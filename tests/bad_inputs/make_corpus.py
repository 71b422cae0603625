"""Writes the bad-input corpus of tests/test_bad_inputs.py (run it again after changing a case).

Each file's name starts with the kind of file it pretends to be (history_, contacts_, forecast_, queues_, agents_,
shifts_, time_off_, rules_, requirements_, roster_, events_, scenario_); good/ holds the valid companions.
Run: .venv/bin/python tests/bad_inputs/make_corpus.py (the same bytes every time)
"""

from __future__ import annotations

import bz2
import gzip
import io
import zipfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
HISTORY_HEADER = "queue,interval_start,offered,aht_seconds"
GOOD_HISTORY_ROWS = [f"phone_presale,2026-03-02 {h:02d}:{m:02d},{20 + h},240" for h in range(8, 12) for m in (0, 30)]


def history(*rows: str) -> str:
    """A history file: the header, three good rows, then the given rows."""
    return "\n".join([HISTORY_HEADER, *GOOD_HISTORY_ROWS[:3], *rows]) + "\n"


def contacts(*rows: str) -> str:
    """A contact log with two good rows, then the given rows."""
    good = ["phone_presale,2026-03-02 08:00:05,answered,12,180", "phone_presale,2026-03-02 08:01:00,abandoned,40,"]
    return "\n".join(["queue,arrival_ts,outcome,wait_seconds,handle_seconds", *good, *rows]) + "\n"


def forecast(*rows: str) -> str:
    """A forecast file with two good rows, then the given rows."""
    good = ["phone_presale,2026-11-02 08:00,30,240", "phone_presale,2026-11-02 08:15,32,240"]
    return "\n".join(["queue,interval_start,volume,aht_seconds", *good, *rows]) + "\n"


QUEUES_HEADER = "queue,channel,interval_minutes,service_level,answer_seconds,concurrency,patience_seconds"


def queues(row: str) -> str:
    """A queues file with one good row, then the given row."""
    return "\n".join([QUEUES_HEADER, "phone_presale,voice,15,0.8,20,,", row]) + "\n"


def agents(*rows: str) -> str:
    """An agents file with one good row, then the given rows."""
    good = "A1,Wang Fang,phone_presale,,0,40,5"
    return "\n".join(["agent_id,name,skills,team,min_hours_week,max_hours_week,max_days_week", good, *rows]) + "\n"


def requirements(*rows: str) -> str:
    """A requirements file with two good rows, then the given rows."""
    good = ["phone_presale,2026-11-02 08:00,2", "phone_presale,2026-11-02 08:15,2"]
    return "\n".join(["queue,interval_start,required_agents", *good, *rows]) + "\n"


def roster(*rows: str) -> str:
    """A roster (segments) with one good row, then the given rows."""
    good = "A001,李雷,2026-11-02,2026-11-02 08:00,2026-11-02 12:00,work,chat_aftersale"
    return "\n".join(["agent_id,name,date,start,end,activity,queue", good, *rows]) + "\n"


def events(*rows: str) -> str:
    """An events file with one good row, then the given rows."""
    return "\n".join(["event,start,end,kind,uplift", "d11,2026-11-11,2026-11-11,promotion,3", *rows]) + "\n"


def scenario(peak: str) -> str:
    """A scenario TOML with one peak table."""
    return f'[[scenario]]\nname = "Double 11"\n[scenario.peak]\n{peak}\n'


def gzip_bomb() -> bytes:
    """A gzip file of a few hundred KiB that inflates to 576 MiB (nine copies of one 64 MiB member)."""
    member = gzip.compress((HISTORY_HEADER + "\n").encode() + b"0" * (64 << 20), compresslevel=9, mtime=0)
    return member * 9


def zip_of(names: list[str], payload: bytes) -> bytes:
    """A zip archive with the given member names, each holding payload."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name in names:
            archive.writestr(zipfile.ZipInfo(name, date_time=(2026, 1, 1, 0, 0, 0)), payload, zipfile.ZIP_DEFLATED)
    return buffer.getvalue()


TEXT_FILES: dict[str, str] = {
    "history_time_only.csv": history("phone_presale,08:00,20,240"),
    "history_nan_offered.csv": history("phone_presale,2026-03-02 09:30,nan,240"),
    "history_inf_aht.csv": history("phone_presale,2026-03-02 09:30,20,inf"),
    "history_huge_offered.csv": history("phone_presale,2026-03-02 09:30,1e308,240"),
    "history_huge_aht.csv": history("phone_presale,2026-03-02 09:30,20,1e9"),
    "history_negative_aht.csv": history("phone_presale,2026-03-02 09:30,20,-5"),
    "history_hour_25.csv": history("phone_presale,2026-03-02 25:00,20,240"),
    "history_day_first.csv": history("phone_presale,11/03/2026 09:30,20,240"),
    "history_empty_header_cell.csv": "queue,,offered\nphone_presale,2026-03-02 08:00,20\n",
    "contacts_time_only.csv": contacts("phone_presale,08:02,answered,5,200"),
    "contacts_huge_wait.csv": contacts("phone_presale,2026-03-02 08:02:00,answered,1e12,200"),
    "contacts_inf_handle.csv": contacts("phone_presale,2026-03-02 08:02:00,answered,5,inf"),
    "forecast_huge_volume.csv": forecast("phone_presale,2026-11-02 08:30,10000000,240"),
    "forecast_inf_aht.csv": forecast("phone_presale,2026-11-02 08:30,30,inf"),
    "forecast_huge_aht.csv": forecast("phone_presale,2026-11-02 08:30,30,1e7"),
    "forecast_time_only.csv": forecast("phone_presale,08:30,30,240"),
    "forecast_nan_volume.csv": forecast("phone_presale,2026-11-02 08:30,NaN,240"),
    "queues_zero_interval.csv": queues("chat_presale,chat,0,0.8,30,3,"),
    "queues_negative_interval.csv": queues("chat_presale,chat,-15,0.8,30,3,"),
    "queues_nan_service_level.csv": queues("chat_presale,chat,15,nan,30,3,"),
    "queues_huge_concurrency.csv": queues("chat_presale,chat,15,0.8,30,1000,"),
    "queues_inf_patience.csv": queues("phone_aftersale,voice,15,0.8,20,,inf"),
    "agents_unknown_skill.csv": agents("A2,Li Na,phone_presale;chta_presale,,0,40,5"),
    "agents_huge_hours.csv": agents("A2,Li Na,phone_presale,,0,1e308,5"),
    "agents_eight_days.csv": agents("A2,Li Na,phone_presale,,0,40,8"),
    "time_off_unknown_agent.csv": "agent_id,date,start,end\nA1,2026-11-02,,\nA999,2026-11-02,,\n",
    "time_off_time_only.csv": "agent_id,date,start,end\nA1,09:00,,\n",
    "shifts_zero_length.csv": "shift,start,length_minutes\nD0800,08:00,480\nZ,09:00,0\n",
    "shifts_nan_length.csv": "shift,start,length_minutes\nD0800,08:00,480\nZ,09:00,nan\n",
    "rules_inf.toml": "[rules]\ninterval_minutes = 15\nmax_consecutive_days = inf\n",
    "rules_nan_weight.toml": "[rules]\ninterval_minutes = 15\n[weights]\nunder_coverage = nan\n",
    "rules_nested_too_deeply.toml": "[rules]\ninterval_minutes = " + "[" * 5000 + "]" * 5000 + "\n",
    "rules_huge_weight.toml": "[rules]\ninterval_minutes = 15\n[weights]\nunder_coverage = 1e308\n",
    "requirements_time_only.csv": requirements("phone_presale,08:30,2"),
    "requirements_inf.csv": requirements("phone_presale,2026-11-02 08:30,inf"),
    "requirements_huge.csv": requirements("phone_presale,2026-11-02 08:30,1e9"),
    "roster_bad_clock.csv": roster("A001,李雷,2026-11-02,2026-11-02 25:99,2026-11-02 26:00,work,chat_aftersale"),
    "roster_unknown_agent.csv": roster("Z999,Nobody,2026-11-02,2026-11-02 08:00,2026-11-02 12:00,work,chat_aftersale"),
    "roster_day_first.csv": roster("A001,李雷,02/11/2026,2026-11-02 13:00,2026-11-02 17:00,work,chat_aftersale"),
    "events_end_before_start.csv": events("d12,2026-12-12,2026-12-01,promotion,2"),
    "events_huge_uplift.csv": events("d12,2026-12-12,2026-12-12,promotion,1e308"),
    "events_inf_uplift.csv": events("d12,2026-12-12,2026-12-12,promotion,inf"),
    "scenario_huge_multiplier.toml": scenario('start = "2026-11-02"\nend = "2026-11-02"\nmultiplier = 1e308'),
    "scenario_negative_multiplier.toml": scenario('start = "2026-11-02"\nend = "2026-11-02"\nmultiplier = -2'),
    "scenario_nan_multiplier.toml": scenario('start = "2026-11-02"\nend = "2026-11-02"\nmultiplier = nan'),
    "scenario_nested_too_deeply.toml": "[[scenario]]\nname = " + "[" * 5000 + "]" * 5000 + "\n",
    "scenario_peak_backwards.toml": scenario('start = "2026-11-03"\nend = "2026-11-02"\nmultiplier = 3'),
}

BINARY_FILES: dict[str, bytes] = {
    "history_binary.csv": bytes(range(256)) * 8,
    "history_undecodable.csv": history().encode() + b"phone_presale,2026-03-02 09:30,2\x81\x7f,240\n",
    "history_truncated.csv.gz": gzip.compress(history().encode(), mtime=0)[:-12],
    "history_nested.csv.gz": gzip.compress(gzip.compress(history().encode(), mtime=0), mtime=0),
    "history_bzip2_nested.csv.bz2": bz2.compress(gzip.compress(history().encode(), mtime=0)),
    "history_workbook.csv": zip_of(["[Content_Types].xml", "xl/workbook.xml"], b"<xml/>"),
    "history_two_members.zip": zip_of(["a.csv", "b.csv"], history().encode()),
    "history_gzip_bomb.csv.gz": gzip_bomb(),
}

GOOD_FILES: dict[str, str] = {
    "good/good_history.csv": "\n".join([HISTORY_HEADER, *GOOD_HISTORY_ROWS]) + "\n",
    "good/good_forecast.csv": forecast(),
    "good/good_queues.csv": queues("chat_presale,chat,15,0.8,30,3,"),
    "good/good_agents.csv": agents(),
    "good/good_shifts.csv": "shift,start,length_minutes\nD0800,08:00,480\n",
    "good/good_requirements.csv": requirements(),
    "good/good_rules.toml": "[rules]\ninterval_minutes = 15\n",
}


def main() -> None:
    """Write every corpus file next to this script."""
    (HERE / "good").mkdir(exist_ok=True)
    for name, text in {**TEXT_FILES, **GOOD_FILES}.items():
        (HERE / name).write_text(text, encoding="utf-8")
    for name, data in BINARY_FILES.items():
        (HERE / name).write_bytes(data)
    print(f"wrote {len(TEXT_FILES) + len(BINARY_FILES)} bad files and {len(GOOD_FILES)} good ones to {HERE}")


if __name__ == "__main__":
    main()
