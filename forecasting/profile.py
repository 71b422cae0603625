"""Intraday profiles: weekday-specific shares of the day, recent weeks weighted, shrunk toward a pooled shape."""

from __future__ import annotations

import numpy as np

from forecasting.grid import DayGrid

MIN_COVERAGE = 0.9
SAME_SHAPE_L1 = 0.4


def complete_days(grid: DayGrid, open_slots: np.ndarray) -> np.ndarray:
    """Rows whose weekday's open intervals are (almost) all observed and whose total is positive."""
    mask = open_slots[grid.weekdays]
    seen = ~np.isnan(grid.values) & mask
    wanted = mask.sum(axis=1)
    covered = np.divide(seen.sum(axis=1), wanted, out=np.zeros(len(wanted)), where=wanted > 0)
    totals = np.nansum(np.where(mask, grid.values, np.nan), axis=1)
    return (covered >= MIN_COVERAGE) & (totals > 0)


def open_slots_by_weekday(grid: DayGrid, lookback_weeks: int = 8, max_weeks: int = 26) -> np.ndarray:
    """(7, slots) mask of the intervals with data on each weekday, judged on its last `lookback_weeks` days
    with any data within the last `max_weeks` weeks (so blanked event weeks do not close a weekday)."""
    recent = grid.values[-7 * max_weeks :]
    weekdays = grid.weekdays[-7 * max_weeks :]
    observed = ~np.isnan(recent).all(axis=1)
    mask = np.zeros((7, grid.slots_per_day), dtype=bool)
    for weekday in range(7):
        rows = recent[(weekdays == weekday) & observed][-lookback_weeks:]
        if rows.size and np.nansum(rows) > 0:
            mask[weekday] = (~np.isnan(rows)).mean(axis=0) >= 0.5
    return mask


def _group_weekdays(own: dict[int, np.ndarray], max_distance: float = SAME_SHAPE_L1) -> list[list[int]]:
    """Weekdays grouped by similar shape (L1 distance of their own shares below `max_distance`), so that
    only like days (not a short Friday with a full Sunday) share a pooled shape."""
    groups: list[list[int]] = []
    for weekday, shares in own.items():
        for group in groups:
            if np.abs(own[group[0]] - shares).sum() < max_distance:
                group.append(weekday)
                break
        else:
            groups.append([weekday])
    return groups


def weekday_profiles(
    grid: DayGrid,
    open_slots: np.ndarray,
    *,
    usable: np.ndarray | None = None,
    half_life_weeks: float = 6.0,
    lookback_weeks: int = 16,
    shrink_weeks: float | None = None,
) -> np.ndarray:
    """(7, slots) shares of the day per weekday (rows sum to 1 on open weekdays).

    Each weekday's shape is the recency-weighted mean of its days' shares, shrunk toward the pooled shape of
    the weekdays with a similar shape: by default with the positive-part James-Stein weight (how far the
    weekday's own shape is from the pooled one beyond its sampling noise), or n/(n + shrink_weeks) with
    n = the effective number of days.
    """
    usable = complete_days(grid, open_slots) if usable is None else usable
    n_rows = grid.values.shape[0]
    age_weeks = (n_rows - 1 - np.arange(n_rows)) / 7.0
    recent = usable & (age_weeks < lookback_weeks)
    weight = np.where(recent, 0.5 ** (age_weeks / half_life_weeks), 0.0)
    weekdays = grid.weekdays
    sums, counts, own = {}, {}, {}
    for weekday in range(7):
        rows = recent & (weekdays == weekday)
        if not open_slots[weekday].any() or not rows.any():
            continue
        values = np.where(open_slots[weekday], np.nan_to_num(grid.values[rows]), 0.0)
        shares = values / values.sum(axis=1, keepdims=True)
        w = weight[rows]
        sums[weekday] = (shares * w[:, None]).sum(axis=0)
        own[weekday] = sums[weekday] / w.sum()
        n_eff = (w.sum() ** 2) / max((w**2).sum(), 1e-12)
        spread = (w[:, None] * (shares - own[weekday]) ** 2).sum(axis=0) / w.sum()
        counts[weekday] = (w.sum(), n_eff, float(spread.sum() / max(n_eff - 1, 1.0)))
    profiles = np.zeros((7, grid.slots_per_day))
    for group in _group_weekdays(own):
        pooled = sum(sums[d] for d in group) / sum(counts[d][0] for d in group)
        for weekday in group:
            _, effective_days, noise = counts[weekday]
            if shrink_weeks is not None:
                keep = effective_days / (effective_days + shrink_weeks)
            else:
                signal = max(float(((own[weekday] - pooled) ** 2).sum()) - noise, 0.0)
                keep = signal / (signal + noise) if signal + noise > 0 else 1.0
            shape = np.where(open_slots[weekday], keep * own[weekday] + (1 - keep) * pooled, 0.0)
            profiles[weekday] = shape / shape.sum()
    for weekday in range(7):
        if open_slots[weekday].any() and weekday not in own:
            profiles[weekday] = open_slots[weekday] / open_slots[weekday].sum()
    return profiles


def slot_dispersion(grid: DayGrid, profiles: np.ndarray, usable: np.ndarray, weeks: int = 8) -> float:
    """Variance-to-mean ratio of interval counts around day total × profile (≥ 1: at least Poisson noise)."""
    rows = usable.copy()
    rows[: max(0, len(rows) - 7 * weeks)] = False
    if not rows.any():
        return 1.0
    values = np.nan_to_num(grid.values[rows])
    expected = values.sum(axis=1, keepdims=True) * profiles[grid.weekdays[rows]]
    keep = expected > 0.5
    if not keep.any():
        return 1.0
    ratio = ((values - expected) ** 2)[keep].sum() / expected[keep].sum()
    return float(max(1.0, ratio))
