"""The CP-SAT model of FORMAT.md's rules: built from variables, constraints and objective, solved, read back."""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence

from ortools.sat.python import cp_model

from scheduler.model import Option
from scheduler.solver.ortools.constraints import RULES
from scheduler.solver.ortools.cpsat import solve_interruptibly
from scheduler.solver.ortools.objective import (
    ObjectivePhase,
    PriorityObjective,
    hold_priority_and_set,
    set_priority_objective,
    total_priority,
)
from scheduler.solver.ortools.variables import Choice, choice_variables
from scheduler.solver.prepared import Prepared
from scheduler.solver.request import NoSchedule, Progress, SolveOutcome, SolveParams, SolveRequest
from scheduler.solver.rooms import Placed, assign_rooms

MAX_LP_LITERALS = 60_000
"""Above this many literals the full model runs without max_lp: its LP costs more than it proves."""
IMPROVING = "improving the schedule"
Placements = dict[str, tuple[Option, str]]


class ScheduleModel:
    """The full CP model (or one narrowed to a stage's options), its hint, its solve and read-back."""

    def __init__(
        self,
        request: SolveRequest,
        prepared: Prepared,
        options: dict[str, list[Option]] | None = None,
        phases: Sequence[ObjectivePhase] = (),
    ) -> None:
        """`options`: narrower free options per meeting id (a stage); `phases`: objectives after priority."""
        self.prepared = prepared
        self.vars = v = choice_variables(request, prepared, options)
        for add_rule in RULES:
            add_rule(v)
        self.objective: PriorityObjective = set_priority_objective(v)
        self.phases = list(phases)
        self.model = v.model

    @property
    def size(self) -> int:
        return len(self.vars.literals)

    def add_hint(self, placements: Placements) -> None:
        """Start from a known schedule: each literal hinted, so a complete hint is checked at once."""
        v = self.vars
        chosen: set[int] = set()
        for mid, (option, room) in placements.items():
            idx = self.prepared.index.get(mid)
            if idx is None:
                continue
            group = v.rooms.group_of_room.get(room)
            for c in v.meeting_choices[idx]:
                choice = v.choices[c]
                if choice.option == option and (choice.group is None or choice.group == group):
                    chosen.add(c)
                    break
        self._hint_choices(chosen)

    def _hint_choices(self, chosen: set[int]) -> None:
        v = self.vars
        v.model.clear_hints()
        for c, lit in enumerate(v.literals):
            v.model.add_hint(lit, c in chosen)
        # Complete the hint (city flags, count): CP-SAT checks a complete feasible hint at once.
        busy_cities = {
            (pid, v.choices[c].option.date, v.choices[c].option.city) for c in chosen for pid in v.people(v.choices[c])
        }
        for key, flag in v.in_city.items():
            v.model.add_hint(flag, key in busy_cities)
        assert v.placed is not None
        v.model.add_hint(v.placed, len(chosen))

    def solve(
        self,
        params: SolveParams,
        on_progress: Callable[[Progress], None] | None = None,
        fallback: Placements | None = None,
        extra_bound: int | None = None,
    ) -> SolveOutcome:
        """Solve; never return less than `fallback`; report the tighter of both proven bounds.

        With later objective phases, phase 1 gets two thirds of the time and each later
        phase re-solves from its schedule with total priority held.
        """
        started = time.monotonic()
        share = 1.0 if not self.phases else 2 / 3
        solver = self._solver(params, params.time_limit * share)
        objective = self.objective
        cap = extra_bound
        if cap is not None:
            # A proven bound from elsewhere (LP, aggregate): telling CP-SAT lets it stop as soon
            # as a schedule reaches it instead of searching on for a proof of its own.
            self.model.add(total_priority(self.vars) <= cap)
        state: dict[str, int | None] = {"objective": None, "bound": cap, "placed": None}
        phase_name = [IMPROVING]

        def report() -> None:
            if on_progress is not None:
                elapsed = time.monotonic() - started
                on_progress(Progress(elapsed, state["objective"], state["bound"], state["placed"], phase_name[0]))

        def on_solution(weighted: float, placed: int) -> None:
            if phase_name[0] == IMPROVING:
                state.update(objective=objective.priority_of(weighted))
            state.update(placed=placed)
            report()

        def on_bound(weighted_bound: float) -> None:
            if phase_name[0] == IMPROVING:
                state.update(bound=min_bound(objective.priority_bound(weighted_bound), cap))
                report()

        assert self.vars.placed is not None
        callback = _Callback(on_solution, self.vars.placed)
        if on_progress is not None:
            solver.best_bound_callback = on_bound
        status, interrupted = solve_interruptibly(solver, self.model, callback)
        fallback_value = self.prepared.value(fallback or {})
        has_solution = status in (cp_model.OPTIMAL, cp_model.FEASIBLE)
        chosen = [c for c, on in enumerate(solver.boolean_values(self.vars.literals)) if on] if has_solution else []
        if has_solution and (fallback is None or self._priority(chosen) >= fallback_value):
            bound = min_bound(objective.priority_bound(solver.best_objective_bound), cap)
            # (with a solution in hand, CP-SAT's bound is a real proof)
            status_name = solver.status_name(status)
            remaining = params.time_limit - (time.monotonic() - started)
            for phase in self.phases:
                if interrupted or remaining <= 0.1:
                    break
                phase_name[0] = phase.name
                report()
                chosen, interrupted = self._later_phase(phase, params, chosen, remaining / len(self.phases))
                remaining = params.time_limit - (time.monotonic() - started)
            moves = self._moves(chosen)
            outcome = self.prepared.outcome(self._with_rooms(chosen), status_name, bound, moves, started)
            outcome.interrupted = interrupted
            return outcome
        if fallback is None:
            why = "interrupted" if interrupted else f"{solver.status_name(status)} within the time limit"
            raise NoSchedule(f"CP-SAT found no schedule ({why})")
        # Without a solution (UNKNOWN), CP-SAT reports a bound of 0: it proves nothing.
        cp_bound = (
            objective.priority_bound(solver.best_objective_bound)
            if status == cp_model.FEASIBLE
            else self.prepared.total()
        )
        outcome = self.prepared.outcome(dict(fallback), "FEASIBLE", min_bound(cp_bound, cap), 0, started)
        outcome.interrupted = interrupted
        return outcome

    def _solver(self, params: SolveParams, seconds: float) -> cp_model.CpSolver:
        solver = cp_model.CpSolver()
        solver.parameters.max_time_in_seconds = max(0.1, seconds)
        solver.parameters.num_workers = max(1, params.workers)
        solver.parameters.random_seed = params.seed
        solver.parameters.log_search_progress = params.log
        if params.workers <= 4 and len(self.vars.literals) <= MAX_LP_LITERALS:
            # CP-SAT's default portfolio for few workers leaves out max_lp, whose full
            # linearisation is what proves optimality on these models (2025: 9 s vs none in 60 s).
            solver.parameters.subsolvers.extend(["max_lp", "default_lp"])
        return solver

    def _later_phase(
        self, phase: ObjectivePhase, params: SolveParams, chosen: list[int], seconds: float
    ) -> tuple[list[int], bool]:
        """Optimise `phase` from `chosen` with its total priority held; keep `chosen` if nothing better comes."""
        hold_priority_and_set(self.vars, phase, self._priority(chosen))
        self._hint_choices(set(chosen))
        solver = self._solver(params, seconds)
        status, interrupted = solve_interruptibly(solver, self.model)
        if status in (cp_model.OPTIMAL, cp_model.FEASIBLE):
            return [c for c, on in enumerate(solver.boolean_values(self.vars.literals)) if on], interrupted
        return chosen, interrupted

    def _priority(self, chosen: list[int]) -> int:
        return sum(self.vars.priority(self.vars.choices[c]) for c in chosen)

    def _moves(self, chosen: list[int]) -> int:
        on = set(chosen)
        return sum(1 for c, choice in enumerate(self.vars.choices) if choice.pinned and c not in on)

    def _with_rooms(self, chosen: list[int]) -> Placements:
        """The chosen places with a room each (exact: see `scheduler.solver.rooms`)."""
        v = self.vars
        picked: list[Choice] = [v.choices[c] for c in chosen]
        placed = [
            Placed(self.prepared.meetings[ch.meeting].id, ch.option, len(v.people(ch)), ch.group) for ch in picked
        ]
        open_rooms = [r for r in v.request.instance.rooms if r.id not in v.request.excluded_rooms]
        rooms = assign_rooms(placed, v.rooms, open_rooms, v.step)
        return {p.meeting: (p.option, rooms[p.meeting]) for p in placed}


def min_bound(bound: int, other: int | None) -> int:
    """The tighter of two proven bounds, either possibly missing."""
    return bound if other is None else min(bound, other)


class _Callback(cp_model.CpSolverSolutionCallback):
    def __init__(self, on_solution: Callable[[float, int], None], placed: cp_model.IntVar) -> None:
        super().__init__()
        self._on_solution = on_solution
        self._placed = placed

    def on_solution_callback(self) -> None:
        self._on_solution(self.objective_value, self.value(self._placed))
