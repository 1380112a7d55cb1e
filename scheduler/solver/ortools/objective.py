"""What the CP model optimises, as lexicographic phases.

Phase 1 is total priority, with the re-solve tie-breaks (fewer moves, fewer time changes)
folded in below it by weight: weight x priority - penalties, where weight exceeds every
penalty together, so no tie-break ever costs a point of priority. Later phases (the quality
objectives of the next issue: idle gaps, fairness) are `ObjectivePhase`s: the model solves
phase 1, then holds its total priority (`priority >= best`) and optimises each later phase
in turn from the previous phase's schedule. `later_phases` is where they are listed.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

from ortools.sat.python import cp_model
from ortools.sat.python.cp_model import LinearExpr

from scheduler.solver.ortools.variables import Variables


@dataclass(frozen=True)
class ObjectivePhase:
    """An objective optimised after total priority, which it never lowers."""

    name: str
    """In an organiser's words, shown as progress ("spreading meetings evenly")."""
    expression: Callable[[Variables], cp_model.LinearExprT]
    """Built on the model's variables; maximised."""


def later_phases(v: Variables) -> list[ObjectivePhase]:
    """The phases after total priority, in order; none yet (the hook for quality objectives)."""
    return []


def total_priority(v: Variables) -> cp_model.LinearExprT:
    """Sum of the priorities of the scheduled meetings."""
    return LinearExpr.weighted_sum(v.literals, [v.priority(choice) for choice in v.choices])


def tie_break_penalties(v: Variables) -> list[cp_model.IntVar]:
    """One literal per moved pin and per displaced meeting placed at another date or start."""
    penalties = []
    for c, choice in enumerate(v.choices):
        wanted = v.request.prefer_time.get(v.prepared.meetings[choice.meeting].id)
        if wanted is not None and wanted != (choice.option.date, choice.option.start):
            penalties.append(v.literals[c])
    return [*penalties, *v.move_literals]


@dataclass(frozen=True)
class PriorityObjective:
    """Phase 1 as set on the model, and how to read a priority total back from its values."""

    weight: int
    max_penalty: int

    def priority_of(self, weighted: float) -> int:
        """The total priority of a solution whose weighted objective is `weighted`."""
        return math.ceil(round(weighted) / self.weight) if self.weight > 1 else round(weighted)

    def priority_bound(self, weighted_bound: float) -> int:
        """A proven bound on total priority from a bound on weight x priority - penalties."""
        return math.floor((math.floor(weighted_bound + 1e-6) + self.max_penalty) / self.weight)


def set_priority_objective(v: Variables) -> PriorityObjective:
    """Total priority first; among equals, fewer moves and fewer time changes (lexicographic)."""
    penalties = tie_break_penalties(v)
    weight = len(penalties) + 1
    priorities = [v.priority(choice) for choice in v.choices]
    v.model.maximize(
        LinearExpr.weighted_sum([*v.literals, *penalties], [weight * p for p in priorities] + [-1] * len(penalties))
    )
    return PriorityObjective(weight, len(penalties))


def hold_priority_and_set(v: Variables, phase: ObjectivePhase, best_priority: int) -> None:
    """Keep total priority at least `best_priority` and maximise `phase` instead."""
    v.model.add(total_priority(v) >= best_priority)
    v.model.maximize(phase.expression(v))
