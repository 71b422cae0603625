"""The variable container: one literal per (agent, day, shift, queue) option, or a constant where a cell is fixed."""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from ortools.sat.python import cp_model

Term = cp_model.IntVar | int
Choice = tuple[int, int]  # (shift index, queue index)
Cell = tuple[int, int]  # (agent index, day index)


class RosterVars:
    """Literals of the free cells and constants (1 for the chosen option, nothing else) of the fixed cells."""

    def __init__(
        self,
        model: cp_model.CpModel,
        options: Mapping[Cell, Iterable[Choice]],
        free: Iterable[Cell],
        fixed: Mapping[Cell, Choice],
    ) -> None:
        self.cells: dict[Cell, dict[Choice, Term]] = {}
        self.free_agents: set[int] = set()
        for a, d in free:
            self.free_agents.add(a)
            self.cells[(a, d)] = {
                (s, q): model.new_bool_var(f"w_a{a}_d{d}_s{s}_q{q}") for s, q in options.get((a, d), ())
            }
        for cell, choice in fixed.items():
            if cell not in self.cells:
                self.cells[cell] = {choice: 1}

    def cell(self, agent: int, day: int) -> dict[Choice, Term]:
        """The options of one cell (empty when the agent is off or absent that day)."""
        return self.cells.get((agent, day), {})

    def day_terms(self, agent: int, day: int) -> list[Term]:
        """Terms whose sum is 1 when the agent works on `day`."""
        return list(self.cell(agent, day).values())

    def shift_terms(self, agent: int, day: int, shift: int) -> list[Term]:
        """Terms whose sum is 1 when the agent works `shift` on `day` (on any queue)."""
        return [term for (s, _), term in self.cell(agent, day).items() if s == shift]

    def is_free(self, agent: int) -> bool:
        """Whether any cell of the agent is a decision."""
        return agent in self.free_agents
