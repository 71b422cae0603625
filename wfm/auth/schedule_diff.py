"""What changed between two versions of a roster, per agent and day (who is affected by a publish or a save)."""

from __future__ import annotations

import pandas as pd

SEGMENT_KEY = ["date", "start", "end", "activity", "queue"]
DIFF_COLUMNS = ["agent_id", "date", "before", "after"]


def _text(frame: pd.DataFrame) -> pd.DataFrame:
    """Segments with every key column as text (dates YYYY-MM-DD, times YYYY-MM-DD HH:MM), queue blank when none."""
    if frame is None or frame.empty:
        return pd.DataFrame(columns=["agent_id", *SEGMENT_KEY])
    out = pd.DataFrame({"agent_id": frame["agent_id"].astype(str)})
    out["date"] = pd.to_datetime(frame["date"]).dt.strftime("%Y-%m-%d")
    out["start"] = pd.to_datetime(frame["start"]).dt.strftime("%Y-%m-%d %H:%M")
    out["end"] = pd.to_datetime(frame["end"]).dt.strftime("%Y-%m-%d %H:%M")
    out["activity"] = frame["activity"].astype(str)
    out["queue"] = frame["queue"].fillna("").astype(str)
    return out


def _days(frame: pd.DataFrame) -> dict[tuple[str, str], tuple[tuple[str, ...], ...]]:
    """(agent, date) → the sorted segments of that day."""
    grouped: dict[tuple[str, str], list[tuple[str, ...]]] = {}
    for row in frame.itertuples(index=False):
        grouped.setdefault((row.agent_id, row.date), []).append((row.start, row.end, row.activity, row.queue))
    return {key: tuple(sorted(value)) for key, value in grouped.items()}


def describe_day(segments: tuple[tuple[str, ...], ...]) -> str:
    """One day of one agent in words: the working span and queue, 'off', or '—' when the roster has nothing."""
    if not segments:
        return "—"
    worked = [s for s in segments if s[2] != "off"]
    if not worked:
        return "off"
    queues = sorted({s[3] for s in worked if s[2] == "work" and s[3]})
    span = f"{worked[0][0][11:]}–{max(s[1] for s in worked)[11:]}"
    return f"{span} {'/'.join(queues)}".strip()


def day_changes(before: pd.DataFrame | None, after: pd.DataFrame) -> pd.DataFrame:
    """Per agent and day whose segments differ: agent_id, date, before and after in words."""
    old, new = _days(_text(before)), _days(_text(after))
    rows = [
        (agent, day, describe_day(old.get((agent, day), ())), describe_day(new.get((agent, day), ())))
        for agent, day in sorted(set(old) | set(new))
        if old.get((agent, day), ()) != new.get((agent, day), ())
    ]
    return pd.DataFrame(rows, columns=DIFF_COLUMNS)


def changed_agents(before: pd.DataFrame | None, after: pd.DataFrame) -> set[str]:
    """The agents whose segments differ between the two versions (all of `after`'s when there is no `before`)."""
    return set(day_changes(before, after)["agent_id"])
