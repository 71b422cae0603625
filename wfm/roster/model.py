"""Building the CP-SAT model from the registered rules, reading its solution, and evaluating a fixed roster."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass

import numpy as np
from ortools.sat.python import cp_model

from wfm.roster.context import MINUTES_PER_UNIT, ModelContext, PenaltyTerm
from wfm.roster.domain import Assignment, Config, Instance, PenaltyLine
from wfm.roster.options import InstanceFacts
from wfm.roster.rules import RULES, Rule
from wfm.roster.variables import Cell, Choice, RosterVars


@dataclass(frozen=True, eq=False)
class BuiltModel:
    """A model with its variable container, its named penalty terms and (diagnosis mode) one literal per rule."""

    model: cp_model.CpModel
    vars: RosterVars
    penalties: tuple[PenaltyTerm, ...]
    assumptions: dict[str, cp_model.IntVar] | None


def build_model(
    instance: Instance,
    config: Config,
    facts: InstanceFacts,
    free: Iterable[Cell],
    fixed: Mapping[Cell, Choice],
    *,
    diagnose: bool = False,
    rules: Iterable[Rule] = RULES,
    hint: Mapping[Cell, Choice] | None = None,
) -> BuiltModel:
    """Decisions for the `free` cells, constants for the `fixed` ones; the objective is the sum of all penalties."""
    model = cp_model.CpModel()
    options: Mapping[Cell, Iterable[Choice]] = facts.options
    if diagnose:
        options = {cell: [*allowed, *facts.blocked[cell]] for cell, allowed in facts.options.items()}
    roster_vars = RosterVars(model, options, free, fixed)
    ctx = ModelContext(model, instance, config, roster_vars, facts, assumptions={} if diagnose else None)
    penalties = tuple(p for rule in rules for p in rule(ctx))
    model.minimize(objective(penalties))
    if hint is not None:
        add_hint(model, roster_vars, hint)
    return BuiltModel(model, roster_vars, penalties, ctx.assumptions)


def objective(penalties: Iterable[PenaltyTerm]) -> cp_model.LinearExpr:
    """Σ weight × (constant + Σ coef·var) over all penalty terms (in weight × minutes)."""
    variables, coefs, constant = [], [], 0
    for p in penalties:
        constant += p.weight * p.constant
        variables.extend(p.variables)
        coefs.extend(p.weight * c for c in p.coefs)
    return cp_model.LinearExpr.weighted_sum(variables, coefs) + constant


def add_hint(model: cp_model.CpModel, roster_vars: RosterVars, hint: Mapping[Cell, Choice]) -> None:
    """Hint every free literal with the incumbent (1 for its choice, 0 otherwise)."""
    for cell, options in roster_vars.cells.items():
        chosen = hint.get(cell)
        for choice, term in options.items():
            if not isinstance(term, int):
                model.add_hint(term, choice == chosen)


def read_choices(solver: cp_model.CpSolver, roster_vars: RosterVars) -> dict[Cell, Choice]:
    """The chosen (shift, queue) of every working cell, free or fixed."""
    chosen: dict[Cell, Choice] = {}
    for cell, options in roster_vars.cells.items():
        for choice, term in options.items():
            if (term == 1) if isinstance(term, int) else solver.boolean_value(term):
                chosen[cell] = choice
    return chosen


def penalty_lines(penalties: Iterable[PenaltyTerm], value: Callable[[cp_model.IntVar], int]) -> list[PenaltyLine]:
    """Penalty report by rule name: amounts summed per rule (hours or occurrences)."""
    totals: dict[str, tuple[int, float, str, float, bool]] = {}
    for p in penalties:
        minutes = p.constant + sum(c * value(v) for c, v in zip(p.coefs, p.variables, strict=True))
        weight, before, _, total, mixed = totals.get(p.rule, (p.weight, 0.0, p.unit, 0.0, False))
        amount = minutes / MINUTES_PER_UNIT
        totals[p.rule] = (weight, before + amount, p.unit, total + p.weight * amount, mixed or p.weight != weight)
    return [
        PenaltyLine(rule, weight, amount, unit, total if mixed else None)
        for rule, (weight, amount, unit, total, mixed) in totals.items()
    ]


def evaluate(
    instance: Instance, config: Config, facts: InstanceFacts, chosen: Mapping[Cell, Choice]
) -> list[PenaltyLine]:
    """Penalty report of a complete roster, computed by the same rules with every cell fixed (no solver)."""
    built = build_model(instance, config, facts, (), chosen)
    for p in built.penalties:
        if p.variables:
            raise AssertionError(f"rule {p.rule} left decisions in a fully fixed roster")
    return penalty_lines(built.penalties, lambda v: 0)


def to_assignments(chosen: Mapping[Cell, Choice]) -> tuple[Assignment, ...]:
    """Sorted assignments from chosen cells."""
    return tuple(Assignment(a, d, s, q) for (a, d), (s, q) in sorted(chosen.items()))


def scheduled_agents(instance: Instance, facts: InstanceFacts, chosen: Mapping[Cell, Choice]) -> np.ndarray:
    """Agents scheduled per queue and interval (lunch excluded), same shape as instance.required."""
    scheduled = np.zeros(instance.required.shape, dtype=np.int64)
    for (_, d), (s, q) in chosen.items():
        idx = d * instance.intervals_per_day + facts.offsets[s]
        np.add.at(scheduled[q], idx[idx < instance.n_intervals], 1)
    return scheduled
