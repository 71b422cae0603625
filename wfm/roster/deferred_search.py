"""Deferred work (email, tickets) in the roster search: late work costed exactly, one more head priced per interval.

For a deferred queue the search's coverage term is the work finished after its response window (fluid FIFO on
the open-hours clock, `wfm.staffing.deferred`), not heads short per interval. One agent-hour of fully late work
costs what one agent-hour of under-coverage costs: an agent rostered for an interval works `agent_seconds`
(interval × max occupancy × (1 − shrinkage)) of it, so a late work-second costs under_coverage × interval
minutes / agent_seconds (weight × minutes, the objective's unit). Over-coverage stays heads above the requirement.
FIFO is all-or-nothing: once a backlog runs past its window, one more head leaves every item late and saves no
late work, so a search guided by late work alone stalls there. Overdue work (cumulative due − served at each
interval's end) is therefore costed too, at 1 / intervals-per-day of the late rate: a work-second overdue for a
whole day costs what a late work-second costs. Its marginal is positive through such a backlog.
Agents' plans are priced with each interval's marginal saving of one more head (refreshed when the queue's heads
changed, once per descent pass); moves are accepted on the exact difference of that cost.

The search counts an agent on shift as on the phones, but the placement then takes paid breaks and training off
them, and FIFO turns a capacity just below the arrivals into a backlog that never clears. So late work is
counted on the agents expected on the phones: heads × (1 − the templates' paid-break share) in a first round,
and in a re-plan (`wfm.roster.joint`, whose demand is the stated one + the heads the last placement paused) the
heads minus those paused.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

import numpy as np

from wfm.roster.domain import Config, Instance
from wfm.staffing.deferred import DeferredOutcome, DeferredQueue, deferred_outcome

MARGINAL_BUDGET = 500_000  # interval-evaluations per re-pricing of a queue (one week of 15-min intervals: all exact)


@dataclass(eq=False)
class DeferredPricing:
    """The instance's deferred queues (row of `required` each), their cost per late work-second, the prices of one
    more head, and how many rostered heads are expected on the phones."""

    rows: np.ndarray  # queue indices of the deferred queues
    queues: tuple[DeferredQueue, ...]
    cost_per_second: np.ndarray  # weight × minutes per late work-second, per deferred queue
    prices: np.ndarray  # (deferred queues, intervals): objective saved by one more head there
    paused: np.ndarray  # (deferred queues, intervals): heads on a pause or in training (a re-plan), else 0
    on_phone: float  # share of a head's time on the phones (1 − paid breaks the search does not see; 1 in a re-plan)
    overdue_weight: float  # cost of a work-second overdue at an interval's end, per late work-second's cost
    priced_at: np.ndarray | None = None  # the heads the prices were computed at
    refreshes: int = 0
    cache: dict[bytes, float] = field(default_factory=dict)  # late cost by heads (bounded)

    def late_cost(self, scheduled: np.ndarray) -> float:
        """Cost of the late and overdue work of every deferred queue at `scheduled` heads (all queues' rows),
        weight × minutes."""
        heads = np.asarray(scheduled)[self.rows]
        key = heads.astype(np.int64).tobytes()
        if key not in self.cache:
            if len(self.cache) > 4096:
                self.cache.clear()
            total = 0.0
            for c, q, h in zip(self.cost_per_second, self.queues, self.on_phones(heads), strict=True):
                out = _outcome(q, h)
                total += c * (out.late_seconds.sum() + self.overdue_weight * out.overdue_seconds.sum())
            self.cache[key] = float(total)
        return self.cache[key]

    def on_phones(self, heads: np.ndarray) -> np.ndarray:
        """Agents expected on the phones (fractional) for the deferred queues' rostered heads."""
        return np.clip(heads - self.paused, 0, None) * self.on_phone

    def late_seconds(self, scheduled: np.ndarray) -> dict[int, tuple[float, float]]:
        """(late work-seconds, Σ overdue work-seconds at interval ends) per deferred queue row at `scheduled` heads
        (agents on the phones as the search counts them)."""
        heads = self.on_phones(np.asarray(scheduled)[self.rows])
        out = {}
        for r, q, h in zip(self.rows, self.queues, heads, strict=True):
            outcome = _outcome(q, h)
            out[int(r)] = (float(outcome.late_seconds.sum()), float(outcome.overdue_seconds.sum()))
        return out

    def refresh(self, scheduled: np.ndarray) -> bool:
        """Re-price one more head per interval when the deferred queues' heads changed; True when re-priced."""
        heads = np.asarray(scheduled)[self.rows].astype(np.int64)
        if self.priced_at is not None and np.array_equal(heads, self.priced_at):
            return False
        for k, (queue, h) in enumerate(zip(self.queues, self.on_phones(heads), strict=True)):
            overdue = overdue_saved(_outcome(queue, h), queue.agent_seconds * self.on_phone) * queue.is_open
            late = self.on_phone * late_saved(queue, h)
            self.prices[k] = self.cost_per_second[k] * (late + self.overdue_weight * overdue)
        self.priced_at = heads.copy()
        self.refreshes += 1
        return True


def _outcome(queue: DeferredQueue, heads: np.ndarray) -> DeferredOutcome:
    """The fluid FIFO outcome of a deferred queue at `heads` agents on the phones per interval."""
    capacity = np.asarray(heads, dtype=float) * queue.agent_seconds
    return deferred_outcome(
        queue.work_seconds, capacity, queue.is_open, queue.interval_seconds, queue.response_seconds, queue.tail_capacity
    )


def late_saved(queue: DeferredQueue, heads: np.ndarray, budget: int = MARGINAL_BUDGET) -> np.ndarray:
    """Per interval: late work one more head there saves — exact (`DeferredQueue.marginal_seconds`) while the
    intervals where a head can matter × the horizon's intervals fit the budget; beyond it (long horizons short for
    days), exact at evenly spaced ones of them and carried forward to the rest until the next, so one re-pricing
    costs about `budget` interval-evaluations."""
    n = queue.work_seconds.size
    outcome = _outcome(queue, heads)
    if not (outcome.late_seconds > 1e-9).any():
        return np.zeros(n)
    candidates = np.flatnonzero(outcome.backlog_seconds > 1e-9)  # a head elsewhere idles (FIFO works no item early)
    limit = max(16, budget // max(n, 1))
    if candidates.size <= limit:
        return queue.marginal_seconds(heads)
    sampled = np.unique(candidates[np.linspace(0, candidates.size - 1, limit).round().astype(np.int64)])
    base = outcome.on_time_seconds.sum()
    gains = np.zeros(n)
    for t in sampled:
        more = np.asarray(heads, dtype=float).copy()
        more[t] += 1.0
        gains[t] = _outcome(queue, more).on_time_seconds.sum() - base
    gains[candidates] = gains[sampled[np.searchsorted(sampled, candidates, side="right") - 1]]
    return gains


def overdue_saved(outcome: DeferredOutcome, head_seconds: float) -> np.ndarray:
    """Per interval: Σ overdue work-seconds at interval ends one more head there takes off (an estimate): its
    capacity stays ahead of the FIFO backlog until the queue next empties, taking min(head, overdue) off each end."""
    n = outcome.overdue_seconds.size
    busy = outcome.backlog_seconds > 1e-9
    idle_at = np.where(busy, n - 1, np.arange(n))
    next_idle = np.minimum.accumulate(idle_at[::-1])[::-1]  # first interval ≥ t whose end has no backlog
    taken = np.concatenate([[0.0], np.cumsum(np.minimum(outcome.overdue_seconds, head_seconds))])
    return taken[next_idle + 1] - taken[np.arange(n)]


@dataclass(frozen=True, eq=False)
class DeferredWork:
    """What `wfm roster` hands the search: the email/ticket queues by name, and their requirement rows as stated
    (heads per interval; a re-plan's demand above them is the heads its last placement paused)."""

    queues: Mapping[str, DeferredQueue]
    stated: Mapping[str, np.ndarray] = field(default_factory=dict)


def on_phone_share(instance: Instance) -> float:
    """1 − the paid breaks' share of the templates' covered minutes (the search sees the lunch, not the breaks)."""
    covered = sum(max(t.length_minutes - t.lunch_minutes, 0) for t in instance.shifts)
    breaks = sum(sum(t.breaks_minutes) for t in instance.shifts)
    return 1.0 if covered <= 0 else max(0.0, 1.0 - breaks / covered)


def deferred_pricing(instance: Instance, config: Config, work: DeferredWork | None) -> DeferredPricing | None:
    """The pricing of the instance's deferred queues (None without any: the search covers heads only)."""
    if work is None or not work.queues:
        return None
    queues = work.queues
    rows = [q for q, name in enumerate(instance.queues) if name in queues]
    if not rows:
        return None
    chosen = tuple(queues[instance.queues[q]] for q in rows)
    for name in (instance.queues[q] for q in rows):
        if queues[name].work_seconds.size != instance.n_intervals:
            raise ValueError(
                f"deferred queue {name}: work on {queues[name].work_seconds.size} intervals, "
                f"the horizon has {instance.n_intervals}"
            )
    per_minute = config.weights.under_coverage * instance.interval_minutes
    cost = np.array([per_minute / max(q.agent_seconds, 1e-9) for q in chosen])
    paused = np.zeros((len(rows), instance.n_intervals))
    for k, q in enumerate(rows):
        stated = work.stated.get(instance.queues[q])
        if stated is not None and np.shape(stated) == (instance.n_intervals,):
            paused[k] = np.clip(instance.required[q] - np.asarray(stated), 0, None)
    share = 1.0 if paused.any() else on_phone_share(instance)
    return DeferredPricing(
        np.array(rows, dtype=np.int64),
        chosen,
        cost,
        np.zeros_like(paused),
        paused,
        share,
        1.0 / instance.intervals_per_day,
    )


def placed_adjustment(instance: Instance, config: Config, work: DeferredWork | None, on_phones: np.ndarray) -> float:
    """For a placed roster (agents on the phones per queue and interval, e.g. `ActivityPlan.scheduled`): the deferred
    queues' late and overdue work cost minus their heads-short cost, in weight × hours — what a heads-based objective
    after placement (`joint.after_placement_objective`) needs added to count email as the search does. 0 without
    deferred queues."""
    pricing = deferred_pricing(instance, config, work)
    if pricing is None:
        return 0.0
    pricing.paused[:] = 0.0  # the placed agents are the ones on the phones
    pricing.on_phone = 1.0
    heads = np.asarray(on_phones)
    short = np.clip(instance.required[pricing.rows] - heads[pricing.rows], 0, None).sum()
    heads_cost = config.weights.under_coverage * instance.interval_minutes * float(short)
    return (pricing.late_cost(heads) - heads_cost) / 60.0
