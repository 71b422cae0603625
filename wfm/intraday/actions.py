"""Suggested intraday actions on a roster, each with its effect on the projected service level and its cost, and
each re-checked by the independent roster checker before it is offered (never applied here).

Kinds: `move` (a multi-skilled agent works another of its queues for some intervals: `reassign` rows inside the
shift, which keeps its home queue; a shift not yet started moves whole), `break` (the rest of a
shift's breaks and lunch re-planned within its break rule), `training` (a session moved within the shift),
`overtime` (a shift extended to a longer template: same start, later end; or, not yet started, same end, earlier
start) and `early_leave` (voluntary: a shorter template, only where every interval it empties stays at or above
its requirement). Only the future changes: nothing that starts before the cut-off moves. Each action changes one
agent, so its effect is exact per interval (one agent more or less). Each action's own effect is against the current
roster; the list is then ordered greedily (apply the best, recompute the gap, re-score the rest, next), so the
`joint_*` and `cumulative_*` figures do not count the same gap twice.
"""

from __future__ import annotations

import math
from collections import Counter
from dataclasses import dataclass, field, replace
from datetime import date, datetime

import numpy as np
import pandas as pd

from wfm.intraday.gap import AT_WORK, project
from wfm.roster.breaks import pause_plans
from wfm.roster.checker import check_roster, parse_roster
from wfm.roster.domain import Agent, Config, ShiftTemplate, TimeOff
from wfm.staffing.queues import QueueSettings
from wfm.staffing.requirements import metrics_at_agents

TIME_FORMAT = "%Y-%m-%d %H:%M"
KIND_ORDER = ("move", "break", "training", "overtime", "early_leave")
ACTION_COLUMNS = (
    "action_id",
    "kind",
    "agent_id",
    "name",
    "date",
    "queue_from",
    "queue_to",
    "start",
    "end",
    "description",
    "answered_in_target_change",
    "abandoned_change",
    "service_level_before",
    "service_level_after",
    "queue_service_level_before",
    "queue_service_level_after",
    "paid_minutes_change",
    "cost",
    "sequence",
    "joint_answered_in_target_change",
    "cumulative_answered_in_target_change",
    "cumulative_service_level",
    "cumulative_cost",
)
PAUSES = ("break", "lunch")
CHECKS_PER_ACTION = 4  # candidates of a kind the checker may look at per action offered


@dataclass(frozen=True)
class Costs:
    """Prices of an hour of paid time and the overtime premium (overtime costs hourly × (1 + premium))."""

    hourly: float = 30.0
    overtime_premium: float = 0.5


@dataclass(frozen=True)
class Action:
    """One suggestion: what changes (the agent-day's new roster rows) and what it does to the rest of the day."""

    action_id: int
    kind: str
    agent_id: str
    name: str
    day: date
    queue_from: str
    queue_to: str
    start: datetime
    end: datetime
    description: str
    rows: tuple[dict, ...] = field(repr=False)
    answered_in_target_change: float
    abandoned_change: float
    service_level_before: float
    service_level_after: float
    queue_service_level_before: float
    queue_service_level_after: float
    paid_minutes_change: int
    cost: float
    # the greedy sequence: position (0: left out, its gain is gone once the earlier ones are applied, or it changes
    # an agent an earlier one changes), gain after the earlier ones, and totals of the sequence up to this one
    sequence: int = 0
    joint_answered_in_target_change: float = 0.0
    cumulative_answered_in_target_change: float = 0.0
    cumulative_service_level: float = float("nan")
    cumulative_cost: float = 0.0

    def record(self) -> dict:
        """The action as one row of actions.csv."""
        out = {name: getattr(self, name) for name in ACTION_COLUMNS if hasattr(self, name)}
        out["date"] = self.day.isoformat()
        out["start"] = self.start.strftime(TIME_FORMAT)
        out["end"] = self.end.strftime(TIME_FORMAT)
        for key in (
            "answered_in_target_change",
            "abandoned_change",
            "service_level_before",
            "service_level_after",
            "queue_service_level_before",
            "queue_service_level_after",
            "cost",
            "joint_answered_in_target_change",
            "cumulative_answered_in_target_change",
            "cumulative_service_level",
            "cumulative_cost",
        ):
            out[key] = round(float(out[key]), 4)
        return out

    def summary(self) -> str:
        """One line for the terminal."""
        return (
            f"#{self.action_id} {self.kind}: {self.description}; service level {self.service_level_before:.1%} → "
            f"{self.service_level_after:.1%} ({self.answered_in_target_change:+.1f} answered in time), "
            f"cost {self.cost:+.2f}"
        )


DEFAULT_COSTS = Costs()


def actions_frame(actions: list[Action]) -> pd.DataFrame:
    """actions.csv rows."""
    return pd.DataFrame([a.record() for a in actions], columns=list(ACTION_COLUMNS))


def apply_action(roster: pd.DataFrame, action: Action) -> pd.DataFrame:
    """The roster (export rows as text) with the action's agent-day replaced by its new rows."""
    mine = (roster["agent_id"].astype(str) == action.agent_id) & (
        roster["date"].astype(str).str[:10] == action.day.isoformat()
    )
    new = pd.DataFrame(list(action.rows), columns=list(roster.columns))
    out = pd.concat([roster[~mine], new], ignore_index=True)
    return out.sort_values(["agent_id", "date", "start"], kind="stable", ignore_index=True)


def _minutes(stamps) -> np.ndarray:
    """Minutes since 1970 of timestamps (int64)."""
    return pd.to_datetime(pd.Series(stamps)).to_numpy().astype("datetime64[m]").astype(np.int64)


def _m(moment) -> int:
    """Minutes since 1970 of a timestamp."""
    return int(pd.Timestamp(moment).value // 60_000_000_000)


def _t(minutes: int) -> pd.Timestamp:
    """The timestamp of minutes since 1970."""
    return pd.Timestamp(minutes * 60_000_000_000)


Seg = tuple[int, int, str, str]  # (start, end) in minutes since 1970, activity, queue (or training name)


def work_spans(segs: list[Seg]) -> list[tuple[str, int, int]]:
    """(queue, start, end) of an agent-day's work segments (work on the home queue, reassign on another)."""
    return [(q, a, b) for a, b, activity, q in segs if activity in AT_WORK]


@dataclass(frozen=True, eq=False)
class _Board:
    """The rest-of-day gap with the metrics one agent more or less would give, per gap row."""

    gap: pd.DataFrame
    lo: dict[str, np.ndarray]  # per queue: interval starts (minutes since 1970)
    hi: dict[str, np.ndarray]
    at: dict[str, np.ndarray]  # per queue: its gap rows
    answered: np.ndarray  # (3, rows): answered in time at scheduled − 1, +0, +1
    abandoned: np.ndarray
    total_volume: float
    # queues whose service level in one interval depends on the agents in others (email: the backlog is worked
    # within the response time), projected whole whenever an action touches them
    linked: dict[str, QueueSettings]

    @staticmethod
    def of(gap: pd.DataFrame, queues: dict[str, QueueSettings]) -> _Board:
        """Tables for the gap rows."""
        requirements = gap.assign(model=gap["queue"].map(lambda q: queues[q].model))
        answered, abandoned = [], []
        for k in (-1, 0, 1):
            projected = project(requirements, np.clip(gap["scheduled_agents"].to_numpy() + k, 0, None), queues)
            answered.append(gap["volume"].to_numpy() * projected["service_level"].to_numpy())
            abandoned.append(gap["volume"].to_numpy() * projected["p_abandon"].fillna(0.0).to_numpy())
        starts = _minutes(gap["interval_start"])
        names = gap["queue"].astype(str).to_numpy()
        lo, hi, at = {}, {}, {}
        for queue in np.unique(names):
            rows = np.flatnonzero(names == queue)
            lo[str(queue)], at[str(queue)] = starts[rows], rows
            hi[str(queue)] = starts[rows] + queues[str(queue)].interval_minutes
        linked = {q: queues[q] for q in lo if queues[q].channel == "email"}
        return _Board(gap, lo, hi, at, np.array(answered), np.array(abandoned), float(gap["volume"].sum()), linked)

    def presence(self, spans: list[tuple[str, int, int]]) -> np.ndarray:
        """Agents present per gap row from work spans (fractions of the interval)."""
        out = np.zeros(len(self.gap))
        for queue, a, b in spans:
            if queue not in self.lo:
                continue
            lo, hi = self.lo[queue], self.hi[queue]
            out[self.at[queue]] += np.clip(np.minimum(hi, b) - np.maximum(lo, a), 0, None) / (hi - lo)
        return out

    def effect(
        self, before: list[tuple[str, int, int]], after: list[tuple[str, int, int]]
    ) -> tuple[float, float, np.ndarray]:
        """(answered-in-time change, abandoned change, change of whole agents per gap row) when one agent's work
        spans `before` become `after`."""
        delta = self.presence(after) - self.presence(before)
        base = self.gap["on_phones"].to_numpy(float)
        step = np.floor(base + delta + 1e-6) - np.floor(base + 1e-6)
        step = np.clip(step, -1, 1).astype(int)
        answered, abandoned = self.changes(step)
        return float(answered.sum()), float(abandoned.sum()), step

    def changes(self, step: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Change of answered-in-time and abandoned contacts per gap row when the whole agents change by `step`
        (−1, 0, +1 per row); a linked queue's rows are projected together."""
        rows = np.arange(len(step))
        answered = self.answered[step + 1, rows] - self.answered[1]
        abandoned = self.abandoned[step + 1, rows] - self.abandoned[1]
        for queue, settings in self.linked.items():
            at = self.at[queue]
            abandoned[at] = 0.0
            answered[at] = 0.0
            if step[at].any():
                answered[at] = self._linked_answered(settings, at, step[at]) - self.answered[1][at]
        return answered, abandoned

    def _linked_answered(self, settings: QueueSettings, at: np.ndarray, step: np.ndarray) -> np.ndarray:
        """Answered in time per row of a linked queue at its scheduled agents + step (as projected_service)."""
        scheduled = np.clip(self.gap["scheduled_agents"].to_numpy()[at] + step, 0, None)
        net = np.floor(scheduled * (1.0 - settings.shrinkage) + 1e-9).astype(np.int64)
        volume = self.gap["volume"].to_numpy(float)[at]
        metrics = metrics_at_agents(settings, volume, self.gap["aht_seconds"].to_numpy(float)[at], net)
        return volume * metrics.service_level

    def service_level(self, extra: float = 0.0) -> float:
        """Volume-weighted rest-of-day service level (with `extra` contacts answered in time)."""
        return (float(self.answered[1].sum()) + extra) / self.total_volume if self.total_volume > 0 else 1.0

    def queue_level(self, queue: str, extra: float = 0.0) -> float:
        """The same for one queue."""
        mask = self.gap["queue"].to_numpy() == queue
        volume = float(self.gap["volume"].to_numpy()[mask].sum())
        return (float(self.answered[1][mask].sum()) + extra) / volume if volume > 0 else 1.0


@dataclass
class _Day:
    """One agent's worked day: its segments, shift span (minutes since 1970), queue and template."""

    agent: Agent
    day: date
    segs: list[Seg]
    start: int
    end: int
    queue: str
    template: ShiftTemplate | None

    @property
    def items(self) -> list[Seg]:
        """The pauses, training and reassignments."""
        return [x for x in self.segs if x[2] != "work"]


@dataclass(frozen=True)
class _Candidate:
    kind: str
    day: _Day
    segs: list[Seg]
    queue_to: str
    window: tuple[int, int]
    description: str
    answered: float
    abandoned: float
    paid_change: int


def suggest_actions(
    roster: pd.DataFrame,
    gap: pd.DataFrame,
    queues: dict[str, QueueSettings],
    agents: tuple[Agent, ...],
    shifts: tuple[ShiftTemplate, ...],
    time_off: tuple[TimeOff, ...],
    config: Config,
    until: pd.Timestamp,
    *,
    training: tuple = (),
    costs: Costs = DEFAULT_COSTS,
    per_kind: int = 5,
) -> tuple[list[Action], list[str]]:
    """The best actions of each kind for the rest of the day at `until` that the independent checker accepts
    (no violation the roster did not already have), and notes on candidates it refused (by rule)."""
    until = pd.Timestamp(until)
    board = _Board.of(gap, queues)
    typed = parse_roster(roster.astype(str))
    days = _worked_days(typed, agents, shifts, time_off, until)
    step = config.rules.interval_minutes
    now = _m(until)
    room = CapRoom(typed, until.date(), config)
    candidates = (
        _moves(board, days, now, step)
        + _pause_plans(board, days, config, now, step, room)
        + _training_moves(board, days, now, step)
        + _template_switches(board, days, shifts, config, now, step, room)
    )
    first_day, n_days = min(typed["date"]), (max(typed["date"]) - min(typed["date"])).days + 1
    context = (agents, shifts, time_off, config, training, first_day, n_days)
    baseline = _violation_keys(
        check_roster(typed, agents, shifts, time_off, config, training=training, first_day=first_day, n_days=n_days)
    )
    accepted: list[_Candidate] = []
    refused: Counter[str] = Counter()
    for kind in KIND_ORDER:
        mine = [c for c in candidates if c.kind == kind]
        if kind == "early_leave":
            mine.sort(key=lambda c: (c.paid_change, -c.answered))
        else:
            mine = [c for c in mine if c.answered > 1e-6]
            mine.sort(key=lambda c: (-c.answered, c.paid_change))
        taken, agents_used = 0, set()
        for c in mine[: per_kind * CHECKS_PER_ACTION]:
            if taken >= per_kind:
                break
            if c.day.agent.agent_id in agents_used:
                continue
            broken = _new_violations(typed, c, baseline, context)
            if broken:
                refused.update(broken)
                continue
            accepted.append(c)
            agents_used.add(c.day.agent.agent_id)
            taken += 1
    accepted.sort(key=lambda c: (c.kind == "early_leave", -c.answered if c.kind != "early_leave" else c.paid_change))
    steps, jointly = _greedy(accepted, gap, queues, typed, baseline, context)
    order = [c for c, _ in steps] + [c for c in accepted if all(c is not d for d, _ in steps)]
    actions = [_action(n + 1, c, board, costs) for n, c in enumerate(order)]
    cumulative, cost = 0.0, 0.0
    for n, (_c, gain) in enumerate(steps):
        cumulative, cost = cumulative + gain, cost + actions[n].cost
        actions[n] = replace(
            actions[n],
            sequence=n + 1,
            joint_answered_in_target_change=gain,
            cumulative_answered_in_target_change=cumulative,
            cumulative_service_level=board.service_level(cumulative),
            cumulative_cost=round(cost, 2),
        )
    notes = [f"{count} candidate(s) refused by the checker: {rule}" for rule, count in sorted(refused.items())]
    left = len(order) - len(steps) - sum(jointly.values())
    notes += [
        f"{n} action(s) out of the sequence: refused by the checker with the ones before ({rule})"
        for rule, n in sorted(jointly.items())
    ]
    if left:
        notes.append(
            f"{left} action(s) out of the sequence: nothing to add once the ones before are applied, or their agent "
            "is changed by one before"
        )
    return actions, notes


def _greedy(
    accepted: list[_Candidate],
    gap: pd.DataFrame,
    queues: dict[str, QueueSettings],
    typed: pd.DataFrame,
    baseline: set[tuple],
    context: tuple,
) -> tuple[list[tuple[_Candidate, float]], Counter[str]]:
    """(candidate, gain after the ones before it) in greedy order: the largest gain in answered-in-time contacts
    on the gap as it is after the earlier ones, until none gains; then the early leaves that still keep every
    interval they give up at its requirement (their small loss counted), largest saving first. One action per
    agent; each is checked again on the roster with the earlier ones applied (the break cap and training seats are
    shared); and the rules of those it refused then."""
    refused: Counter[str] = Counter()
    on_phones = gap["on_phones"].to_numpy(float).copy()
    board = _Board.of(gap, queues)
    left = list(accepted)
    steps: list[tuple[_Candidate, float]] = []
    while left:
        scored = [(board.effect(work_spans(c.day.segs), work_spans(c.segs))[0], c) for c in left]
        gains = [(value, c) for value, c in scored if c.kind != "early_leave" and value > 1e-6]
        if gains:
            value, best = max(gains, key=lambda x: (x[0], -x[1].paid_change))
        else:
            leaves = [(v, c) for v, c in scored if c.kind == "early_leave" and _stays_covered(board, c.day, c.segs)]
            if not leaves:
                break
            value, best = min(leaves, key=lambda x: x[1].paid_change)
        left = [c for c in left if c.day.agent.agent_id != best.day.agent.agent_id]
        broken = _new_violations(typed, best, baseline, context) if steps else []
        if broken:
            refused[broken[0]] += 1
            continue
        mine = (typed["agent_id"] == best.day.agent.agent_id) & (typed["date"] == best.day.day)
        typed = pd.concat([typed[~mine], _typed_rows(best.day, best.segs)], ignore_index=True)
        on_phones += board.presence(work_spans(best.segs)) - board.presence(work_spans(best.day.segs))
        whole = np.floor(on_phones + 1e-6).astype(np.int64)
        board = _Board.of(gap.assign(on_phones=on_phones, scheduled_agents=whole), queues)
        steps.append((best, value))
    return steps, refused


def _violation_keys(violations: list) -> set[tuple]:
    """Comparable keys of checker violations."""
    return {_key(v) for v in violations}


def _key(v) -> tuple:
    """A violation's identity: the checker names only the first over-cap time of a queue and date, so a break cap
    violation is the same one when its queue and date are (the cap pre-filter keeps new pauses under the cap)."""
    if v.rule == "break_cap":
        return (v.rule, v.day, v.message.split(":", 1)[0])
    return (v.rule, v.agent_id, v.day, v.message)


def _typed_rows(day: _Day, segs: list[Seg]) -> pd.DataFrame:
    """The segments as typed roster rows (what parse_roster returns)."""
    return pd.DataFrame(
        {
            "agent_id": [day.agent.agent_id] * len(segs),
            "name": [day.agent.name] * len(segs),
            "date": [day.day] * len(segs),
            "start": [_t(a) for a, *_ in segs],
            "end": [_t(b) for _a, b, *_ in segs],
            "activity": [x[2] for x in segs],
            "queue": [x[3] for x in segs],
        }
    )


def _new_violations(typed: pd.DataFrame, c: _Candidate, baseline: set[tuple], context: tuple) -> list[str]:
    """Rules the candidate breaks that the roster did not already break (the agent's own, and the queue-level
    break cap and training seats), checked on that day's rows plus all of the agent's rows."""
    agents, shifts, time_off, config, training, first_day, n_days = context
    agent_id, day = c.day.agent.agent_id, c.day.day
    keep = ~((typed["agent_id"] == agent_id) & (typed["date"] == day))
    subset = typed[keep & ((typed["date"] == day) | (typed["agent_id"] == agent_id))]
    frame = pd.concat([subset, _typed_rows(c.day, c.segs)], ignore_index=True)
    found = check_roster(frame, agents, shifts, time_off, config, training=training, first_day=first_day, n_days=n_days)
    relevant = [v for v in found if v.agent_id == agent_id or v.rule in ("break_cap", "training_capacity")]
    return [v.rule for v in relevant if _key(v) not in baseline]


def _worked_days(
    typed: pd.DataFrame,
    agents: tuple[Agent, ...],
    shifts: tuple[ShiftTemplate, ...],
    time_off: tuple[TimeOff, ...],
    until: pd.Timestamp,
) -> list[_Day]:
    """Agents working one queue on the cut-off's date and still on shift after it (none with time off that day)."""
    by_id = {a.agent_id: a for a in agents}
    day = until.date()
    now = _m(until)
    midnight = _m(pd.Timestamp(day))
    away = {t.agent_id for t in time_off if t.day == day}
    today = typed[(typed["date"] == day) & (typed["activity"] != "off")]
    starts, ends = _minutes(today["start"]), _minutes(today["end"])
    records = zip(
        today["agent_id"].astype(str), starts.tolist(), ends.tolist(), today["activity"], today["queue"], strict=True
    )
    grouped: dict[str, list[Seg]] = {}
    for agent_id, a, b, activity, queue in records:
        grouped.setdefault(agent_id, []).append((a, b, str(activity), str(queue)))
    out = []
    for agent_id, segs in sorted(grouped.items()):
        agent = by_id.get(agent_id)
        segs.sort()
        queues = {q for _a, _b, activity, q in segs if activity == "work"}
        start, end = segs[0][0], max(b for _a, b, *_ in segs)
        if agent is None or agent_id in away or len(queues) != 1 or end <= now:
            continue
        template = next(
            (
                t
                for t in shifts
                if t.start_minute == start - midnight
                and t.length_minutes == end - start
                and day.weekday() in t.weekdays
            ),
            None,
        )
        out.append(_Day(agent, day, segs, start, end, next(iter(queues)), template))
    return out


def _rows_around(start: int, end: int, items: list[Seg], queue_of) -> list[Seg]:
    """Segments of a shift [start, end) with `items` inside it and work between; queue_of(a, b) splits a work
    span into (a, b, queue) pieces."""
    segs: list[Seg] = []
    cursor = start
    for a, b, activity, label in sorted(items):
        if a > cursor:
            segs += [(x, y, "work", q) for x, y, q in queue_of(cursor, a)]
        segs.append((a, b, activity, label))
        cursor = b
    if end > cursor:
        segs += [(x, y, "work", q) for x, y, q in queue_of(cursor, end)]
    return segs


def _same_queue(queue: str):
    """A work splitter that keeps the whole span on one queue."""
    return lambda x, y: [(x, y, queue)]


def _grid_up(moment: int, origin: int, step: int) -> int:
    """The first grid time (origin + k × step minutes) at or after `moment`."""
    return origin + step * max(0, -((origin - moment) // step))


def _candidate(board: _Board, kind: str, day: _Day, segs: list[Seg], queue_to: str, window, text: str) -> _Candidate:
    """A candidate with its effect and paid-time change."""
    answered, abandoned, _ = board.effect(work_spans(day.segs), work_spans(segs))
    return _Candidate(kind, day, segs, queue_to, window, text, answered, abandoned, _paid(segs) - _paid(day.segs))


def _paid(segs: list[Seg]) -> int:
    """Paid minutes of an agent-day's segments (lunch unpaid)."""
    return sum(b - a for a, b, activity, _ in segs if activity != "lunch")


def _clock(minutes: int) -> str:
    """HH:MM of a moment in minutes since 1970."""
    return f"{_t(minutes):%H:%M}"


def _moves(board: _Board, days: list[_Day], now: int, step: int) -> list[_Candidate]:
    """Multi-skilled agents on another of their queues: for the rest of the shift (the whole shift when it has
    not started), or for each run of intervals where that queue is short."""
    out = []
    gap = board.gap["gap"].to_numpy()
    for day in days:
        others = [q for q in day.agent.skills if q != day.queue and q in board.lo]
        lo = max(day.start, _grid_up(now, _m(pd.Timestamp(day.day)), step))
        for queue in others:
            windows = [(lo, day.end)]
            short = [*(gap[board.at[queue]] < 0), False]
            run_start = None
            for i, is_short in enumerate(short):
                if is_short and run_start is None:
                    run_start = i
                if not is_short and run_start is not None:
                    a = max(int(board.lo[queue][run_start]), lo)
                    b = min(int(board.hi[queue][i - 1]), day.end)
                    if b > a and (a, b) != (lo, day.end):
                        windows.append((a, b))
                    run_start = None
            for a, b in windows:

                def split(x, y, a=a, b=b, queue=queue, home=day.queue):
                    parts = [(x, min(y, a), home), (max(x, a), min(y, b), queue), (max(x, b), y, home)]
                    return [p for p in parts if p[1] > p[0]]

                whole = (a, b) == (day.start, day.end)  # a shift not started moves whole: its home queue changes
                segs = [
                    (x, y, "reassign" if activity == "work" and not whole and q != day.queue else activity, q)
                    for x, y, activity, q in _rows_around(day.start, day.end, day.items, split)
                ]
                text = f"{day.agent.agent_id} {day.agent.name}: {day.queue} → {queue} {_clock(a)}–{_clock(b)}"
                out.append(_candidate(board, "move", day, segs, queue, (a, b), text))
    return out


def _pause_plans(
    board: _Board, days: list[_Day], config: Config, now: int, step: int, room: CapRoom
) -> list[_Candidate]:
    """Per shift, the best re-plan of its breaks and lunch that have not started, within its break rule (every
    pattern the rule allows that keeps the pauses already taken)."""
    out = []
    for day in days:
        if day.template is None:
            continue
        found = _best_pattern(
            board, day, day.template, day.start, day.end, config, now, step, room, exclude_current=True
        )
        if found is None:
            continue
        segs, moved = found
        text = f"{day.agent.agent_id} {day.agent.name} ({day.queue}): {moved}"
        out.append(_candidate(board, "break", day, segs, day.queue, (max(now, day.start), day.end), text))
    return out


def _complement(queue: str, start: int, end: int, taken: list[tuple[int, int]]) -> list[tuple[str, int, int]]:
    """Work spans of [start, end) around the taken spans."""
    spans, cursor = [], start
    for a, b in sorted(taken):
        if a > cursor:
            spans.append((queue, cursor, a))
        cursor = max(cursor, b)
    if end > cursor:
        spans.append((queue, cursor, end))
    return spans


class CapRoom:
    """Room under the break cap per queue and roster step on the day (a pre-filter; the checker decides)."""

    def __init__(self, typed: pd.DataFrame, day: date, config: Config) -> None:
        self.cap = config.breaks.cap
        self.step = config.rules.interval_minutes
        self.room: dict[tuple[str, int], float] = {}
        if self.cap is None:
            return
        rows = typed[(typed["date"] == day) & (typed["activity"] != "off")]
        on_shift: Counter[tuple[str, int]] = Counter()
        paused: Counter[tuple[str, int]] = Counter()
        for _agent, mine in rows.groupby("agent_id"):
            queues = set(mine.loc[mine["activity"] == "work", "queue"])
            if len(queues) != 1:
                continue
            queue = next(iter(queues))
            for m in range(_m(mine["start"].min()), _m(mine["end"].max()), self.step):
                on_shift[(queue, m)] += 1
            for r in mine[mine["activity"].isin(PAUSES)].itertuples():
                for m in range(_m(r.start), _m(r.end), self.step):
                    paused[(queue, m)] += 1
        for key, n in on_shift.items():
            limit = max(self.cap.min_agents, math.floor(self.cap.share(key[0]) * n + 1e-9))
            self.room[key] = limit - paused[key]

    def fits(self, queue: str, new: list[tuple[int, int]], old_steps: set[int]) -> bool:
        """Whether pauses over the new spans keep the cap (steps the agent already pauses in are free)."""
        if self.cap is None:
            return True
        return all(m in old_steps or self.room.get((queue, m), 0) >= 1 for a, b in new for m in range(a, b, self.step))


def _best_pattern(
    board: _Board,
    day: _Day,
    template: ShiftTemplate,
    lo: int,
    hi: int,
    config: Config,
    now: int,
    step: int,
    room: CapRoom,
    *,
    exclude_current: bool,
) -> tuple[list[Seg], str] | None:
    """The segments of the best pause pattern of `template` over [lo, hi) that keeps the pauses started before
    the cut-off and the training and fits the cap, and a description of the pauses moved; None when there is
    none."""
    try:
        plans = pause_plans(template, config.breaks, step)
    except Exception:  # a template whose pauses cannot be enumerated gets no re-plan
        return None
    items = day.items
    fixed = {(a, b, kind) for a, b, kind, _ in items if kind in PAUSES and a < now}
    training = [x for x in items if x[2] in ("training", "reassign")]  # kept where they are
    if any(a < lo or b > hi for a, b, *_ in training):
        return None
    current = {(a, b, kind) for a, b, kind, _ in items if kind in PAUSES}
    old_steps = {m for a, b, _ in current for m in range(a, b, step)}
    before = work_spans(day.segs)
    best, best_value = None, -math.inf
    for pauses in plans.pauses:
        placed = {(lo + o * step, lo + (o + u) * step, kind) for o, u, kind in pauses}
        if exclude_current and placed == current:
            continue
        if not fixed <= placed or any(a < now for a, _b, _k in placed - fixed):
            continue
        if any(a < tb and ta < b for a, b, _ in placed for ta, tb, *_ in training):
            continue
        if not room.fits(day.queue, [(a, b) for a, b, _ in placed - current], old_steps):
            continue
        spans = _complement(day.queue, lo, hi, [(a, b) for a, b, _ in placed] + [(a, b) for a, b, *_ in training])
        spans += [(q, a, b) for a, b, kind, q in training if kind == "reassign"]
        value = board.effect(before, spans)[0]
        if value > best_value + 1e-9:
            best, best_value = placed, value
    if best is None:
        return None
    segs = _rows_around(lo, hi, [(a, b, k, "") for a, b, k in best] + training, _same_queue(day.queue))
    moved = sorted(best - current)
    text = ", ".join(f"{k} {_clock(a)}" for a, _b, k in moved) or "pauses unchanged"
    return segs, text


def _training_moves(board: _Board, days: list[_Day], now: int, step: int) -> list[_Candidate]:
    """Training sessions that have not started, moved to the best other time inside the shift after the cut-off
    (the checker keeps them in their requirement's window and slots)."""
    out = []
    for day in days:
        items = day.items
        before = work_spans(day.segs)
        for a, b, kind, label in items:
            if kind != "training" or a < now:
                continue
            others = [x for x in items if x[0] != a]
            length = b - a
            best = None
            t = max(_grid_up(now, _m(pd.Timestamp(day.day)), step), day.start)
            while t + length <= day.end:
                if t != a and not any(t < y and x < t + length for x, y, *_ in others):
                    segs = _rows_around(
                        day.start, day.end, [*others, (t, t + length, kind, label)], _same_queue(day.queue)
                    )
                    value = board.effect(before, work_spans(segs))[0]
                    if best is None or value > best[0] + 1e-9:
                        best = (value, segs, t)
                t += step
            if best is not None:
                value, segs, t = best
                text = f"{day.agent.agent_id} {day.agent.name}: {label} {_clock(a)} → {_clock(t)}"
                out.append(_candidate(board, "training", day, segs, day.queue, (min(a, t), max(b, t + length)), text))
    return out


def _template_switches(
    board: _Board,
    days: list[_Day],
    shifts: tuple[ShiftTemplate, ...],
    config: Config,
    now: int,
    step: int,
    room: CapRoom,
) -> list[_Candidate]:
    """Longer shifts (overtime) and, where every interval given up stays covered, shorter ones (early leave):
    templates with the same start (not yet started: or the same end), pauses re-planned around the ones taken."""
    out = []
    for day in days:
        midnight = _m(pd.Timestamp(day.day))
        for template in shifts:
            if day.day.weekday() not in template.weekdays or template is day.template:
                continue
            start = midnight + template.start_minute
            end = start + template.length_minutes
            same_start = start == day.start and end != day.end and end > now
            same_end = end == day.end and start != day.start and day.start >= now and start >= now
            if not (same_start or same_end):
                continue
            found = _best_pattern(board, day, template, start, end, config, now, step, room, exclude_current=False)
            if found is None:
                continue
            segs, _ = found
            kind = "overtime" if end - start > day.end - day.start else "early_leave"
            text = (
                f"{day.agent.agent_id} {day.agent.name} ({day.queue}): {_clock(day.start)}–{_clock(day.end)} → "
                f"{template.name} {_clock(start)}–{_clock(end)}"
            )
            candidate = _candidate(board, kind, day, segs, day.queue, (min(start, day.start), max(end, day.end)), text)
            if kind == "early_leave" and not _stays_covered(board, day, segs):
                continue
            out.append(candidate)
    return out


def _stays_covered(board: _Board, day: _Day, segs: list[Seg]) -> bool:
    """Whether every interval the change takes the agent from keeps at least its required agents."""
    _, _, change = board.effect(work_spans(day.segs), work_spans(segs))
    after = board.gap["scheduled_agents"].to_numpy() + change
    lost = change < 0
    return bool((after[lost] >= board.gap["required_agents"].to_numpy()[lost]).all())


def _action(action_id: int, c: _Candidate, board: _Board, costs: Costs) -> Action:
    """The public form of an accepted candidate."""
    hours = c.paid_change / 60
    cost = hours * costs.hourly * (1 + costs.overtime_premium) if hours > 0 else hours * costs.hourly
    _, _, change = board.effect(work_spans(c.day.segs), work_spans(c.segs))
    mask = board.gap["queue"].to_numpy() == c.queue_to
    target_gain = float(board.changes(change)[0][mask].sum())
    rows = tuple(
        {
            "agent_id": c.day.agent.agent_id,
            "name": c.day.agent.name,
            "date": c.day.day.isoformat(),
            "start": _t(a).strftime(TIME_FORMAT),
            "end": _t(b).strftime(TIME_FORMAT),
            "activity": activity,
            "queue": queue,
        }
        for a, b, activity, queue in c.segs
    )
    return Action(
        action_id=action_id,
        kind=c.kind,
        agent_id=c.day.agent.agent_id,
        name=c.day.agent.name,
        day=c.day.day,
        queue_from=c.day.queue,
        queue_to=c.queue_to,
        start=_t(c.window[0]).to_pydatetime(),
        end=_t(c.window[1]).to_pydatetime(),
        description=c.description,
        rows=rows,
        answered_in_target_change=c.answered,
        abandoned_change=c.abandoned,
        service_level_before=board.service_level(),
        service_level_after=board.service_level(c.answered),
        queue_service_level_before=board.queue_level(c.queue_to),
        queue_service_level_after=board.queue_level(c.queue_to, target_gain),
        paid_minutes_change=c.paid_change,
        cost=round(cost, 2),
    )
