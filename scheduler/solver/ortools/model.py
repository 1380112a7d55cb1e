"""The CP-SAT model of FORMAT.md's rules: built from variables, constraints and objective, solved, read back."""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence

from ortools.sat.python import cp_model

from scheduler.model import Option
from scheduler.solver.compact import close_gaps
from scheduler.solver.ortools.constraints import RULES
from scheduler.solver.ortools.cpsat import Stall, solve_interruptibly
from scheduler.solver.ortools.objective import (
    ObjectivePhase,
    PriorityObjective,
    hold_and_set,
    set_priority_objective,
    total_priority,
)
from scheduler.solver.ortools.variables import Choice, choice_variables
from scheduler.solver.prepared import Prepared
from scheduler.solver.request import NoSchedule, Progress, SolveOutcome, SolveParams, SolveRequest
from scheduler.solver.rooms import Placed, assign_rooms, windows_of, with_steady_rooms

MAX_LP_LITERALS = 60_000
"""Above this many literals the full model runs without max_lp: its LP costs more than it proves."""
IMPROVING = "improving the schedule"
PROVEN, BEST_FOUND, NOT_REACHED = "proven", "best found", "not reached"
"""How far each goal after priority got: its optimum proven, a best found in its time, or no time left."""
STALL_SECONDS = 2.0
STALL_SHARE = 0.25
"""A later phase ends once no better schedule came for STALL_SECONDS, or for STALL_SHARE of the
time it took to find the last one (whichever is longer), if it has not proven its optimum by then:
on the 2025 instance the fairness phase finds its best in about a second and would otherwise
spend ten more failing to prove it."""
GAP_SEED_SHARE = 0.25
"""At most this share of the idle-gap phases' time goes to local moves (`compact.close_gaps`)
giving CP-SAT a better start (2025: from about 150 holes to 25 in a fraction of a second)."""
LAST_MOVES_SECONDS = 1.0
LAST_MOVES_SHARE = 0.02
"""Where phase 1 takes the whole time limit, local moves alone close gaps, for at most this long
(or this share of the limit) past it."""
MIN_LAST_MOVES_SECONDS = 0.05
"""...and at least this long: 2% of a tiny limit is a millisecond, perhaps too short for one move
(a test with a 0.05 s limit failed once in a full run, its gap not closed; not reproduced since)."""
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
        self.interpreters_found: dict[str, str] = {}
        """Meeting id -> interpreter, as the latest solve of this model chose them."""
        self.goals: dict[str, str] = {}
        """Later phase name -> PROVEN, BEST_FOUND or NOT_REACHED, for the solve summary."""

    @property
    def size(self) -> int:
        return len(self.vars.literals)

    def add_hint(self, placements: Placements, interpreters: dict[str, str] | None = None) -> None:
        """Start from a known schedule (with its `interpreters`): each literal hinted, so a complete
        hint is checked at once."""
        self.vars.preferred_interpreters = dict(interpreters or {})
        self._hint_choices(self._choices_of(placements))

    def _choices_of(self, placements: Placements) -> set[int]:
        """The choices that make up a schedule (those of its places this model has)."""
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
        return chosen

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
        on = [c in chosen for c in range(len(v.literals))]
        for complete in v.completions:  # (the rules' own: interpreters, travel)
            for var, value in complete(on):
                v.model.add_hint(var, value)

    def _read_interpreters(self, solver: cp_model.CpSolver) -> None:
        """Who interprets each chosen meeting, as this solve decided."""
        v = self.vars
        if not v.interpreter_literals:
            return
        values = solver.boolean_values([lit for _, _, lit in v.interpreter_literals])
        self.interpreters_found = {
            self.prepared.meetings[v.choices[c].meeting].id: iid
            for (c, iid, _), on in zip(v.interpreter_literals, values, strict=True)
            if on
        }

    def solve(
        self,
        params: SolveParams,
        on_progress: Callable[[Progress], None] | None = None,
        fallback: Placements | None = None,
        extra_bound: int | None = None,
    ) -> SolveOutcome:
        """Solve; never return less than `fallback`; report the tighter of both proven bounds.

        Phase 1 (priority) gets the whole time, as without later phases, so they never cost it
        priority; each later phase re-solves from its schedule, with total priority held, in the
        time phase 1 leaves (most of it where phase 1 proves its optimum early).
        """
        started = time.monotonic()
        solver = self._solver(params, params.time_limit)
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
        if has_solution:
            self._read_interpreters(solver)
        if has_solution and (fallback is None or self._priority(chosen) >= fallback_value):
            bound = min_bound(objective.priority_bound(solver.best_objective_bound), cap)
            # (with a solution in hand, CP-SAT's bound is a real proof)
            status_name = solver.status_name(status)
            values = list(solver.response_proto.solution)
            held, reached = objective.expression, round(solver.objective_value)

            def announce(name: str) -> None:
                phase_name[0] = name
                report()

            placed, chosen, interrupted = self._phases(
                params, started, chosen, values, (held, reached), announce, interrupted
            )
            outcome = self.prepared.outcome(
                placed, status_name, bound, self._moves(chosen), started, self.interpreters_found
            )
            outcome.interrupted = interrupted
            outcome.goals = dict(self.goals)
            return outcome
        if fallback is None:
            if status == cp_model.INFEASIBLE:
                raise NoSchedule("CP-SAT proved that no schedule keeps every rule", proven=True)
            why = "interrupted" if interrupted else f"{solver.status_name(status)} within the time limit"
            raise NoSchedule(f"CP-SAT found no schedule ({why})")
        # Without a solution (UNKNOWN), CP-SAT reports a bound of 0: it proves nothing.
        cp_bound = (
            objective.priority_bound(solver.best_objective_bound)
            if status == cp_model.FEASIBLE
            else self.prepared.total()
        )
        outcome = self.prepared.outcome(
            dict(fallback), "FEASIBLE", min_bound(cp_bound, cap), 0, started, self.vars.preferred_interpreters
        )
        outcome.interrupted = interrupted
        outcome.model_refused = status == cp_model.INFEASIBLE
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

    def improve(
        self,
        params: SolveParams,
        placements: Placements,
        announce: Callable[[str], None] = lambda _: None,
        interpreters: dict[str, str] | None = None,
    ) -> SolveOutcome:
        """Only the later phases, from `placements` (a schedule of this model's meetings, with its
        `interpreters`) with its total priority held: where priority is already settled (the per-date
        quality pass, or a schedule at a proven bound); `announce` hears each phase's name."""
        started = time.monotonic()
        self.vars.preferred_interpreters = dict(interpreters or {})
        chosen = sorted(self._choices_of(placements))
        held = (total_priority(self.vars), self._priority(chosen))
        placed, _, interrupted = self._phases(params, started, chosen, self._values_of(chosen), held, announce, False)
        chose = {**self.vars.preferred_interpreters, **self.interpreters_found}
        outcome = self.prepared.outcome(placed, "FEASIBLE", self.prepared.total(), 0, started, chose)
        outcome.interrupted = interrupted
        outcome.goals = dict(self.goals)
        return outcome

    def _values_of(self, chosen: list[int]) -> list[int]:
        """Every variable's value in the schedule `chosen` (as far as the rules define them)."""
        v = self.vars
        values = [0] * len(self.model.proto.variables)
        for c in chosen:
            values[v.literals[c].index] = 1
        busy = {
            (pid, v.choices[c].option.date, v.choices[c].option.city) for c in chosen for pid in v.people(v.choices[c])
        }
        for key, flag in v.in_city.items():
            values[flag.index] = int(key in busy)
        assert v.placed is not None
        values[v.placed.index] = len(chosen)
        return values

    def _phases(
        self,
        params: SolveParams,
        started: float,
        chosen: list[int],
        values: list[int],
        held: tuple[cp_model.LinearExprT, int],
        announce: Callable[[str], None],
        interrupted: bool,
    ) -> tuple[Placements, list[int], bool]:
        """Each later phase in turn from the schedule `chosen` (all variables' `values`), every
        earlier objective held at what it reached; the time left shared by the phases' shares.
        The schedule with rooms, its choices here, and whether Ctrl-C stopped it."""
        remaining = params.time_limit - (time.monotonic() - started)
        if self.phases and remaining <= 0.1 and not interrupted and not self.vars.request.pins:
            # Phase 1 took all the time (as much as without later phases): local moves alone.
            share = min(LAST_MOVES_SECONDS, LAST_MOVES_SHARE * params.time_limit)
            until = time.monotonic() + max(MIN_LAST_MOVES_SECONDS, share)
            request = self.vars.request
            open_rooms = [r for r in request.instance.rooms if r.id not in request.excluded_rooms]
            moved = self._closer(self._with_rooms(chosen), until)
            self._not_reached(self.phases)
            self.goals["closing idle gaps"] = "local moves only"
            seated = self.prepared.people_with_interpreters(self.interpreters_found)  # (an interpreter's seat)
            return with_steady_rooms(request.instance, moved, seated, open_rooms), chosen, False
        # A phase's time beyond its search (building its objective, holding the earlier ones, the
        # hint, presolve, reading back): 1.4-5.7 s a phase in a re-solve at 12,000 requests, which
        # overran -t 30 by 2.5 s while the phases shared out all that was left. The most seen so
        # far is set aside for each phase still to come.
        overhead = 0.0
        for n, phase in enumerate(self.phases):
            if interrupted or remaining - overhead <= 0.1:
                self._not_reached(self.phases[n:])
                break
            if phase.same_meetings and not self.vars.request.pins:
                # Same meetings, same dates from here on, so earlier objectives cannot change:
                # the remaining phases run on a far smaller model.
                placed, interrupted = self._in_smaller_model(
                    self.phases[n:], params, chosen, started + params.time_limit, announce
                )
                return placed, chosen, interrupted
            announce(phase.name)
            searching = remaining - overhead * (len(self.phases) - n)
            if searching - phase.build_per_literal * len(self.vars.literals) <= 0.1:
                self._not_reached(self.phases[n:])
                break
            seconds = searching * phase.share / sum(later.share for later in self.phases[n:])
            if phase.at_most is not None:
                seconds = min(seconds, phase.at_most)
            phase_began = time.monotonic()
            expression = phase.expression(self.vars)
            if expression is None:
                continue
            hold_and_set(self.vars, *held, expression)
            if phase.same_meetings:
                self._keep_meetings(chosen)
            # Building it may have taken what it was to search (the idle gaps: 7 s at 12,000 requests).
            left = params.time_limit - (time.monotonic() - started) - overhead * (len(self.phases) - n - 1)
            seconds = min(seconds, left)
            if seconds <= 0.1:
                self._not_reached(self.phases[n:])
                break
            solver, status, interrupted = self._later_phase(params, values, seconds)
            self._record(phase.name, status)
            overhead = max(overhead, time.monotonic() - phase_began - solver.wall_time)
            remaining = params.time_limit - (time.monotonic() - started)
            if status not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
                continue  # no schedule in its time: the next phase starts from the same one
            chosen = [c for c, on in enumerate(solver.boolean_values(self.vars.literals)) if on]
            self._read_interpreters(solver)
            values = list(solver.response_proto.solution)
            held = (expression, round(solver.objective_value))
        return self._with_rooms(chosen), chosen, interrupted

    def _in_smaller_model(
        self,
        phases: Sequence[ObjectivePhase],
        params: SolveParams,
        chosen: list[int],
        deadline: float,
        announce: Callable[[str], None],
    ) -> tuple[Placements, bool]:
        """`phases` in turn on a model of just the meetings of `chosen`, each required, on its date:
        a fraction of this model's size (CP-SAT's presolve alone took most of a few seconds on the
        whole one). It starts from local moves closing the gaps they can (`GAP_SEED_SHARE`)."""
        prepared = self.prepared
        request = self.vars.request
        current = self._with_rooms(chosen)
        announce(phases[0].name)
        current = self._closer(current, time.monotonic() + (deadline - time.monotonic()) * GAP_SEED_SHARE)
        narrowed = {
            mid: [o for o in prepared.options[prepared.index[mid]] if o.date == place[0].date]
            for mid, place in current.items()
        }
        smaller = ScheduleModel(request, prepared, options=narrowed)
        for choice_ids in smaller.vars.meeting_choices:
            if choice_ids:
                smaller.model.add_exactly_one(smaller.vars.literals[c] for c in choice_ids)
        start = sorted(smaller._choices_of(current))
        values = smaller._values_of(start)
        held: tuple[cp_model.LinearExprT, int] | None = None
        interrupted = False
        smaller.goals = self.goals
        for n, phase in enumerate(phases):
            remaining = deadline - time.monotonic()
            if interrupted or remaining <= 0.1:
                self._not_reached(phases[n:])
                break
            if phase.follows_zero and held is not None and held[1] == 0:
                self.goals[phase.name] = PROVEN  # no hole: no idle slot either
                continue
            announce(phase.name)
            expression = phase.expression(smaller.vars)
            if expression is None:
                continue
            if held is None:
                smaller.model.maximize(expression)
            else:
                hold_and_set(smaller.vars, *held, expression)
            seconds = remaining * phase.share / sum(later.share for later in phases[n:])
            if phase.at_most is not None:
                seconds = min(seconds, phase.at_most)
            solver, status, interrupted = smaller._later_phase(params, values, seconds)
            self._record(phase.name, status)
            if status not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
                continue
            start = [c for c, on in enumerate(solver.boolean_values(smaller.vars.literals)) if on]
            smaller._read_interpreters(solver)
            if smaller.interpreters_found:
                self.interpreters_found = smaller.interpreters_found
            values = list(solver.response_proto.solution)
            held = (expression, round(solver.objective_value))
        return smaller._with_rooms(start), interrupted

    def _record(self, name: str, status: object) -> None:
        """A phase's outcome; of phases sharing a name (fairness levels) the least finished counts."""
        found = PROVEN if status == cp_model.OPTIMAL else BEST_FOUND
        if self.goals.get(name) in (None, PROVEN):
            self.goals[name] = found

    def _not_reached(self, phases: Sequence[ObjectivePhase]) -> None:
        for phase in phases:
            if phase.applies(self.vars):
                self.goals[phase.name] = NOT_REACHED

    def _closer(self, placements: Placements, until: float) -> Placements:
        """`placements` after local moves closing idle gaps (`compact.close_gaps`) until `until`."""
        request, prepared = self.vars.request, self.prepared
        open_rooms = [r for r in request.instance.rooms if r.id not in request.excluded_rooms]
        interpreters = {**self.vars.preferred_interpreters, **self.interpreters_found}
        # Interpreted meetings stay put (their interpreter moves with them, and may not be free
        # elsewhere); their interpreter is held like a person so that nothing moves onto them.
        return close_gaps(
            request.instance,
            [m for i, m in enumerate(prepared.meetings) if not prepared.candidates[i]],
            placements,
            prepared.options_by_id(),
            prepared.people_with_interpreters(interpreters),
            open_rooms,
            until,
        )

    def _later_phase(
        self, params: SolveParams, values: list[int], seconds: float
    ) -> tuple[cp_model.CpSolver, object, bool]:
        """Solve the phase now set from a schedule given by all its variables' `values` (those this
        phase adds are computed from the choices: a complete hint, which CP-SAT checks at once)."""
        self.model.clear_hints()
        values = list(values)
        on = [bool(values[lit.index]) for lit in self.vars.literals]
        for complete in self.vars.completions:
            for var, value in complete(on):
                if var.index >= len(values):  # built for this phase: not in the previous solution
                    values.extend([0] * (var.index + 1 - len(values)))
                values[var.index] = value
        hint = self.model.proto.solution_hint
        hint.vars.extend(range(len(values)))
        hint.values.extend(values)
        solver = self._solver(params, seconds)
        # From a complete hint, a light presolve: at 1,000 x 5,000 a date's idle-gap model spent
        # 5 s of a few in full presolve; with one pass it starts in under 2 and ends lower.
        solver.parameters.max_presolve_iterations = 1
        solver.parameters.symmetry_level = 0
        status, interrupted = solve_interruptibly(solver, self.model, stall=Stall(STALL_SECONDS, STALL_SHARE))
        return solver, status, interrupted

    def _keep_meetings(self, chosen: list[int]) -> None:
        """From now on, exactly the meetings of `chosen` are scheduled, each on its date (other times,
        venues and rooms that date stay open)."""
        v = self.vars
        dates = {v.choices[c].meeting: v.choices[c].option.date for c in chosen}
        for idx, choice_ids in enumerate(v.meeting_choices):
            for c in choice_ids:
                if idx not in dates or v.choices[c].option.date != dates[idx]:
                    v.model.add(v.literals[c] == 0)
            if idx in dates:
                v.model.add_exactly_one(v.literals[c] for c in choice_ids)

    def _priority(self, chosen: list[int]) -> int:
        return sum(self.vars.priority(self.vars.choices[c]) for c in chosen)

    def _moves(self, chosen: list[int]) -> int:
        """Pinned meetings not at their place, or there with another interpreter than they had."""
        on, v = set(chosen), self.vars

        def moved(c: int, choice: Choice) -> bool:
            mid = self.prepared.meetings[choice.meeting].id
            kept = v.request.kept_interpreter(mid)
            return c not in on or (c in v.kept_interpreter_literals and self.interpreters_found.get(mid) != kept)

        return sum(1 for c, choice in enumerate(v.choices) if choice.pinned and moved(c, choice))

    def _with_rooms(self, chosen: list[int]) -> Placements:
        """The chosen places with a room each (exact: see `scheduler.solver.rooms`)."""
        v = self.vars
        picked: list[Choice] = [v.choices[c] for c in chosen]
        placed = [
            Placed(
                self.prepared.meetings[ch.meeting].id,
                ch.option,
                self.prepared.seats[ch.meeting],
                ch.group,
                tuple(v.people(ch)),
            )
            for ch in picked
        ]
        instance = v.request.instance
        open_rooms = [r for r in instance.rooms if r.id not in v.request.excluded_rooms]
        hosts = {p.id for p in instance.participants if p.host}
        rooms = assign_rooms(placed, v.rooms, open_rooms, v.step, hosts, windows_of(instance))
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
