"""The build context handed to every rule function, with helpers that fold constants out of linear terms."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

import numpy as np
from ortools.sat.python import cp_model

from wfm.roster.domain import Config, Instance
from wfm.roster.options import InstanceFacts
from wfm.roster.variables import RosterVars, Term

LinTerms = Iterable[tuple[int, Term]]
MINUTES_PER_UNIT = 60  # penalty amounts are reported per hour or per occurrence; the objective is in minutes


@dataclass(frozen=True)
class PenaltyTerm:
    """A named soft-goal term: objective = weight × (constant + Σ coef·var); amount = that sum / 60."""

    rule: str
    weight: int
    constant: int
    coefs: tuple[int, ...]
    variables: tuple[cp_model.IntVar, ...]
    unit: str


@dataclass
class ModelContext:
    """What rules need while the model is built; `assumptions` holds one literal per hard rule in diagnosis mode."""

    model: cp_model.CpModel
    instance: Instance
    config: Config
    vars: RosterVars
    facts: InstanceFacts
    assumptions: dict[str, cp_model.IntVar] | None = None
    cache: dict[str, object] = field(default_factory=dict)

    def hard(self, rule: str, terms: LinTerms, lower: int | None, upper: int | None) -> None:
        """lower ≤ Σ coef·term ≤ upper as a hard part of `rule`; skipped when every term is a constant."""
        constant, coefs, variables = split_terms(terms)
        if not variables:
            return
        lo = cp_model.INT_MIN if lower is None else lower - constant
        hi = cp_model.INT_MAX if upper is None else upper - constant
        ct = self.model.add_linear_constraint(cp_model.LinearExpr.weighted_sum(variables, coefs), lo, hi)
        if self.assumptions is not None:
            ct.only_enforce_if(self.assumption(rule))

    def clause(self, rule: str, positive: Iterable[Term], negative: Iterable[Term]) -> None:
        """At least one of `positive` is 1 or one of `negative` is 0 (constants folded), as a hard part of `rule`."""
        literals: list = []
        for term in positive:
            if isinstance(term, int | np.integer):
                if term:
                    return
            else:
                literals.append(term)
        for term in negative:
            if isinstance(term, int | np.integer):
                if not term:
                    return
            else:
                literals.append(term.Not())
        if not literals:
            literals = [self.model.new_constant(0)]  # a fixed roster that breaks the rule: the model is infeasible
        ct = self.model.add_bool_or(literals)
        if self.assumptions is not None:
            ct.only_enforce_if(self.assumption(rule))

    def works(self, agent: int, day: int) -> Term:
        """1 when the agent works on `day`: a constant for fixed or empty cells, else one literal (built once)."""
        key = ("works", agent, day)
        if key not in self.cache:
            terms = self.vars.day_terms(agent, day)
            if all(isinstance(t, int) for t in terms):
                self.cache[key] = int(sum(terms))
            elif len(terms) == 1:
                self.cache[key] = terms[0]
            else:
                literal = self.model.new_bool_var(f"works_a{agent}_d{day}")
                self.model.add(sum(terms) == literal)
                self.cache[key] = literal
        return self.cache[key]  # type: ignore[return-value]

    def assumption(self, rule: str) -> cp_model.IntVar:
        """The literal that switches `rule` on in diagnosis mode."""
        assert self.assumptions is not None
        if rule not in self.assumptions:
            self.assumptions[rule] = self.model.new_bool_var(f"rule_{rule}")
        return self.assumptions[rule]

    def penalty(self, rule: str, weight: int, terms: LinTerms, unit: str) -> PenaltyTerm:
        """A named penalty from (minutes coefficient, term) pairs."""
        constant, coefs, variables = split_terms(terms)
        return PenaltyTerm(rule, weight, constant, tuple(coefs), tuple(variables), unit)


def split_terms(terms: LinTerms) -> tuple[int, list[int], list[cp_model.IntVar]]:
    """(constant, coefficients, variables) of Σ coef·term, with integer terms folded into the constant."""
    constant = 0
    coefs: list[int] = []
    variables: list[cp_model.IntVar] = []
    for coef, term in terms:
        if isinstance(term, int | np.integer):
            constant += coef * int(term)
        elif coef:
            coefs.append(coef)
            variables.append(term)
    return constant, coefs, variables
