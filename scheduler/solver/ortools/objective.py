"""What the CP model optimises, as lexicographic phases.

Phase 1 is total priority, with the re-solve tie-breaks (fewer moves, then fewer time
changes) folded in below it by weight: weight x priority - penalties, where weight exceeds
every penalty together, so no tie-break ever costs a point of priority, and a move
outweighs every time change together. Later phases (the quality
objectives of the next issue: idle gaps, fairness) are `ObjectivePhase`s: the model solves
phase 1, then holds its value and optimises each later phase in turn from the previous
phase's schedule, holding each phase's result in turn. `later_phases` lists them:

1. **Fairness** (`fair_levels`): meetings promised by `min_meetings`, then leximin over the
   number of meetings of everyone with a request. With y[p, k] = "p has k meetings or more"
   (y[p, k+1] <= y[p, k], sum_k y[p, k] <= p's meetings), the sorted vector of meetings
   per person compares as the vector N_k = sum_p y[p, k] compares lexicographically: first
   nobody left with none (N_1), then the fewest raised. Levels beyond FAIR_LEVELS count only
   toward `min_meetings`. One phase each (promises, N_1, N_2, ...), like the idle gaps below:
   one sum weighted so each level outweighs every lower one found its best on the 2025
   instance in a second and never proved it.
2. **Idle gaps** (`gap_terms`), after Bofill et al. (JAIR 2022): per person and session
   window, busy[t] = sum of the literals covering slot t; block starts b[t] >= busy[t] -
   busy[t-1]; holes = sum b - y with y <= sum busy; before[t] / after[t] (monotone, >= busy)
   mark the span, so idle slots = sum(before + after) - n y - sum busy. Minimised in three
   phases, each holding the one before: holes, then idle slots, then the meetings' start
   slots within their session. (One weighted sum of the three, tried first, kept CP-SAT
   busy for 35 s to close the 2025 instance's holes; holes alone reach 0, proven, in 1.5 s.)
   Built only for people with 2+ requests whose options share a session.
"""

from __future__ import annotations

import datetime as dt
import math
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from functools import partial

from ortools.sat.python import cp_model
from ortools.sat.python.cp_model import LinearExpr

from scheduler.solver.ortools.variables import Variables
from scheduler.solver.rooms import windows_of


@dataclass(frozen=True)
class ObjectivePhase:
    """An objective optimised after total priority, which it never lowers."""

    name: str
    """In an organiser's words, shown as progress ("spreading meetings evenly")."""
    expression: Callable[[Variables], cp_model.LinearExprT | None]
    """Built on the model's variables (once); maximised. None: nothing to optimise here."""
    share: float = 1.0
    """Its weight when the time left is shared among the phases still to run."""
    same_meetings: bool = False
    """Schedule the very meetings the phase before did, each on the same date, only moving them
    in time, venue and room: a far smaller search (2025: 6 holes left in 40 s, where the free
    model left 45-57)."""
    at_most: float | None = None
    """Seconds it may take at most, if it has not stopped by then (a last tie-break, not worth a long wait)."""
    follows_zero: bool = False
    """Nothing to gain here when the phase before reached 0 (no holes: no idle slots either)."""
    applies: Callable[[Variables], bool] = lambda _v: True
    """Whether the instance asks for this goal at all (no min_meetings: no promises to keep);
    cheap, unlike `expression`, so a goal with no time left is only reported if it applies."""
    build_per_literal: float = 0.0
    """Seconds building `expression` takes per literal of the model, where that is long: a phase
    with less time left than that is not begun (it cannot be stopped once begun)."""


EARLY_START_SECONDS = 5.0
"""At most this long for meetings early in their session (on the 2025 instance it improves in small
steps for 15 s and more; what it gains after the first seconds is a slot here and there)."""
HOLES_BUILD_PER_LITERAL = 1.5e-5
"""Building the idle-gap objective on a whole model: 7.6 s for 597,444 literals in a re-solve of
12,000 requests (2 cores, 2026-11-27), begun with no time left: the command overran -t 40 by 3 s
and 2,005 reasons kept the solver's short form."""
FAIR_LEVELS = 3
"""Leximin is pursued up to this many meetings per person (beyond: only `min_meetings`)."""


def later_phases(v: Variables) -> list[ObjectivePhase]:
    """The quality phases after total priority, in order."""
    return [
        ObjectivePhase(
            "keeping min_meetings promises",
            promised_meetings,
            share=0.5,
            applies=lambda v: any(p.min_meetings for p in v.request.instance.participants),
        ),
        ObjectivePhase("giving everyone a meeting", people_with_at_least(1), share=0.5),
        *(
            ObjectivePhase("sharing meetings fairly", people_with_at_least(k), share=0.5)
            for k in range(2, FAIR_LEVELS + 1)
        ),
        ObjectivePhase(
            "closing idle gaps", fewer_holes, share=2.0, same_meetings=True, build_per_literal=HOLES_BUILD_PER_LITERAL
        ),
        ObjectivePhase("shortening waits", fewer_idle_slots, share=1.0, same_meetings=True, follows_zero=True),
        ObjectivePhase(
            "starting days early", earlier_starts, share=1.0, same_meetings=True, at_most=EARLY_START_SECONDS
        ),
    ]


def fair_levels(v: Variables) -> list[tuple[cp_model.IntVar, int, bool]]:
    """(y[p, k], k, whether k is within p's min_meetings), built once per model (module docstring)."""
    if "fair" in v.built:
        known = v.built["fair"]
        assert isinstance(known, list)
        return known
    request, model = v.request, v.model
    lits_of: dict[str, list[cp_model.IntVar]] = defaultdict(list)
    choices_of: dict[str, list[int]] = defaultdict(list)
    for idx, choice_ids in enumerate(v.meeting_choices):
        for pid in v.prepared.participants[idx]:
            lits_of[pid].extend(v.literals[c] for c in choice_ids)
            choices_of[pid].extend(choice_ids)
    meetings_of: dict[str, int] = defaultdict(int)
    for idx, choice_ids in enumerate(v.meeting_choices):
        if choice_ids:
            for pid in v.prepared.participants[idx]:
                meetings_of[pid] += 1
    levels: list[tuple[cp_model.IntVar, int, bool]] = []
    """(y[p, k], k, whether k is within p's min_meetings)"""
    for pid, lits in lits_of.items():
        if not lits:
            continue
        elsewhere = request.meetings_elsewhere.get(pid, 0)
        promised = request.instance.participant_by_id[pid].min_meetings or 0
        top = elsewhere + meetings_of[pid]
        cap = request.max_meetings(pid)
        if cap is not None:
            top = min(top, elsewhere + cap)
        top = min(top, max(FAIR_LEVELS, promised))
        ys = [model.new_bool_var("") for _ in range(elsewhere + 1, top + 1)]
        if not ys:
            continue
        for higher, lower in zip(ys[1:], ys, strict=False):
            model.add_implication(higher, lower)
        model.add(LinearExpr.sum(ys) <= LinearExpr.sum(lits))
        v.completions.append(partial(_levels_hint, ys, choices_of[pid]))
        levels.extend((y, k, k <= promised) for k, y in enumerate(ys, start=elsewhere + 1))
    v.built["fair"] = levels
    return levels


def promised_meetings(v: Variables) -> cp_model.LinearExprT | None:
    """Meetings toward people's min_meetings, counted up to each promise."""
    ys = [y for y, _, is_promised in fair_levels(v) if is_promised]
    return LinearExpr.sum(ys) if ys else None


def people_with_at_least(k: int) -> Callable[[Variables], cp_model.LinearExprT | None]:
    """N_k: how many people have k meetings or more (maximised for k = 1, 2, ... in turn: leximin)."""

    def expression(v: Variables) -> cp_model.LinearExprT | None:
        ys = [y for y, level, _ in fair_levels(v) if level == k]
        return LinearExpr.sum(ys) if ys else None

    return expression


def _levels_hint(ys: list[cp_model.IntVar], choices: list[int], on: list[bool]) -> list[tuple[cp_model.IntVar, int]]:
    """y[p, k] for the schedule whose choices are `on`: 1 for as many levels as p has meetings here."""
    count = sum(1 for c in choices if on[c])
    return [(y, int(k < count)) for k, y in enumerate(ys)]


def session_windows(v: Variables) -> dict[tuple[str, dt.date], list[tuple[int, int]]]:
    """(venue, date) -> its session windows (start, end) in minutes."""
    return windows_of(v.request.instance)


@dataclass(frozen=True)
class GapTerms:
    """One person-session's gap variables summed: each minimised in turn, as a phase of its own."""

    holes: cp_model.LinearExprT
    idle: cp_model.LinearExprT
    late: cp_model.LinearExprT


def gap_terms(v: Variables) -> GapTerms | None:
    """Holes, idle slots and start slots (module docstring), built once per model."""
    if "gaps" in v.built:
        known = v.built["gaps"]
        assert known is None or isinstance(known, GapTerms)
        return known
    model, step = v.model, v.step
    windows = session_windows(v)
    per_session: dict[tuple[str, dt.date, int, int], dict[int, list[int]]] = defaultdict(lambda: defaultdict(list))
    meetings_in: dict[tuple[str, dt.date, int, int], set[int]] = defaultdict(set)
    late: dict[int, int] = {}
    for c, choice in enumerate(v.choices):
        option = choice.option
        inside = [
            (s, e) for s, e in windows.get((option.venue, option.date), []) if s <= option.start and option.end <= e
        ]
        if not inside:
            continue  # history held where an edit has since closed the session: it happened, no gap to close
        start, end = inside[0]
        if option.start > start:
            late[c] = (option.start - start) // step
        for pid in v.people(choice):
            key = (pid, option.date, start, end)
            meetings_in[key].add(choice.meeting)
            for tick in v.ticks(option):
                per_session[key][tick].append(c)
    holes: list[cp_model.IntVar] = []
    idle: list[cp_model.IntVar] = []
    for key, ticks in per_session.items():
        if len(meetings_in[key]) < 2:
            continue
        span = list(range(min(ticks), max(ticks) + 1, step))
        session = _SessionGaps(
            model, [[v.literals[c] for c in ticks.get(t, [])] for t in span], [ticks.get(t, []) for t in span]
        )
        v.completions.append(session.hint)
        holes.append(session.holes)
        idle.append(session.idle)
    terms = None
    if holes or late:
        late_sum = LinearExpr.weighted_sum([v.literals[c] for c in late], list(late.values()))
        terms = GapTerms(LinearExpr.sum(holes), LinearExpr.sum(idle), late_sum)
    v.built["gaps"] = terms
    return terms


def fewer_holes(v: Variables) -> cp_model.LinearExprT | None:
    terms = gap_terms(v)
    return None if terms is None else -terms.holes


def fewer_idle_slots(v: Variables) -> cp_model.LinearExprT | None:
    terms = gap_terms(v)
    return None if terms is None else -terms.idle


def earlier_starts(v: Variables) -> cp_model.LinearExprT | None:
    terms = gap_terms(v)
    return None if terms is None else -terms.late


class _SessionGaps:
    """One person's session: block starts b[t] >= busy[t] - busy[t-1], holes = sum b - y, and the
    span (before/after) for idle slots; with integer domains from 0, what every schedule gives and
    what lets CP-SAT's bound see it."""

    def __init__(self, model: cp_model.CpModel, lits: list[list[cp_model.IntVar]], choices: list[list[int]]) -> None:
        self.choices = choices
        busy = [LinearExpr.sum(at) for at in lits]
        self.any = model.new_bool_var("")
        model.add(self.any <= LinearExpr.sum([lit for at in lits for lit in at]))
        self.before = [model.new_bool_var("") for _ in lits]
        self.after = [model.new_bool_var("") for _ in lits]
        self.starts: dict[int, cp_model.IntVar] = {}
        for i, at in enumerate(lits):
            if at:
                self.starts[i] = block_start = model.new_bool_var("")
                model.add(block_start >= busy[i] - (busy[i - 1] if i else 0))
                model.add(self.before[i] >= busy[i])
                model.add(self.after[i] >= busy[i])
                model.add(self.any >= busy[i])
            if i:
                model.add_implication(self.before[i - 1], self.before[i])
                model.add_implication(self.after[i], self.after[i - 1])
        self.holes = model.new_int_var(0, max(0, len(self.starts) - 1), "")
        model.add(self.holes == LinearExpr.sum(list(self.starts.values())) - self.any)
        n = len(lits)
        self.idle = model.new_int_var(0, n, "")
        model.add(
            self.idle == LinearExpr.sum(self.before) + LinearExpr.sum(self.after) - n * self.any - LinearExpr.sum(busy)
        )

    def hint(self, on: list[bool]) -> list[tuple[cp_model.IntVar, int]]:
        """These variables' values for the schedule whose choices are `on`."""
        busy = [int(any(on[c] for c in at)) for at in self.choices]
        n, anything = len(busy), int(any(busy))
        before = [int(any(busy[: i + 1])) for i in range(n)]
        after = [int(any(busy[i:])) for i in range(n)]
        starts = {i: int(busy[i] and not (i and busy[i - 1])) for i in self.starts}
        values = [(self.any, anything), *zip(self.before, before, strict=True), *zip(self.after, after, strict=True)]
        values.extend((self.starts[i], starts[i]) for i in self.starts)
        values.append((self.holes, sum(starts.values()) - anything))
        values.append((self.idle, sum(before) + sum(after) - n * anything - sum(busy)))
        return values


def total_priority(v: Variables) -> cp_model.LinearExprT:
    """Sum of the priorities of the scheduled meetings."""
    return LinearExpr.weighted_sum(v.literals, [v.priority(choice) for choice in v.choices])


def time_change_penalties(v: Variables) -> list[cp_model.IntVar]:
    """One literal per displaced meeting placed at another date or start than it had."""
    penalties = []
    for c, choice in enumerate(v.choices):
        wanted = v.request.prefer_time.get(v.prepared.meetings[choice.meeting].id)
        if wanted is not None and wanted != (choice.option.date, choice.option.start):
            penalties.append(v.literals[c])
    return penalties


@dataclass(frozen=True)
class PriorityObjective:
    """Phase 1 as set on the model, and how to read a priority total back from its values."""

    weight: int
    max_penalty: int
    expression: cp_model.LinearExprT
    """weight x priority - penalties: what phase 1 maximises, and what later phases hold."""

    def priority_of(self, weighted: float) -> int:
        """The total priority of a solution whose weighted objective is `weighted`."""
        return math.ceil(round(weighted) / self.weight) if self.weight > 1 else round(weighted)

    def priority_bound(self, weighted_bound: float) -> int:
        """A proven bound on total priority from a bound on weight x priority - penalties."""
        return math.floor((math.floor(weighted_bound + 1e-6) + self.max_penalty) / self.weight)


def set_priority_objective(v: Variables) -> PriorityObjective:
    """Total priority first; among equals, fewer moves; then fewer time changes (lexicographic).

    A move weighs more than every time change together, and a point of priority more than
    every tie-break together, so one more moved meeting never buys a better time elsewhere.
    """
    time_changes = time_change_penalties(v)
    move_weight = len(time_changes) + 1
    tie_breaks = [*time_changes, *v.move_literals]
    tie_weights = [1] * len(time_changes) + [move_weight] * len(v.move_literals)
    max_penalty = sum(tie_weights)
    weight = max_penalty + 1
    priorities = [v.priority(choice) for choice in v.choices]
    expression = LinearExpr.weighted_sum(
        [*v.literals, *tie_breaks], [weight * p for p in priorities] + [-w for w in tie_weights]
    )
    v.model.maximize(expression)
    return PriorityObjective(weight, max_penalty, expression)


def hold_and_set(v: Variables, held: cp_model.LinearExprT, reached: int, phase: cp_model.LinearExprT) -> None:
    """Keep `held` (an earlier phase's objective) at least `reached`, and maximise `phase` instead."""
    v.model.add(held >= reached)
    v.model.maximize(phase)
