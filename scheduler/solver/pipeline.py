"""The staged solve: first draft, bound, decomposition for large fresh solves (`decompose.py`), then the full CP model.

A fresh solve whose first draft falls short of the LP bound decomposes: the aggregate LP
(PDLP) gives a proven bound and, rounded, a choice of venue day per meeting; stage A
(CP-SAT on the aggregate, whose optimum is also a proven bound) improves that choice; per
date a greedy packs it into exact times and rooms, and CP-SAT repairs what the greedy left
out, moving only the meetings of their people; a greedy fills what is left; the full model
polishes from there when it is small enough. Re-solves (pins) go straight to the full model. Every stage
starts from the best schedule so far, so the result is never worse than the first draft;
Ctrl-C at any stage returns the best schedule found so far.

Quality (fairness, idle gaps; `SolveParams.quality`) never costs priority: where the full
model runs on a model of up to QUALITY_IN_FULL_MODEL literals, its later phases pursue it
with the priority total held; on larger solves a final pass re-solves one date at a time
(`quality_pass.py`) with that date's priority held and the other dates fixed, in the last
QUALITY_SHARE of the time, then local moves; where the dates' models would get too little
time to search, only the local moves run, in the last MOVES_ONLY_SHARE.

OR-Tools is imported by the stage that first needs it: with pandas, which it loads, that takes
0.4 s, and a re-solve too large for the full model (its pins, then the greedy) never needs it.
"""

from __future__ import annotations

import datetime as dt
import os
import time
from collections import defaultdict
from collections.abc import Callable, Mapping
from dataclasses import replace
from functools import partial

from scheduler.background import Background
from scheduler.model import Option
from scheduler.solution import NOT_PURSUED
from scheduler.solver.greedy import greedy_placements
from scheduler.solver.prepared import Prepared
from scheduler.solver.request import NoSchedule, Pin, Progress, SolveOutcome, SolveParams, SolveRequest
from scheduler.solver.residual import pins_stay
from scheduler.solver.travel import TravelClock
from scheduler.termination import ctrl_c_held

OPTIONS_BUILT_PER_SECOND = 35_000
INTERPRETER_PAIRS_PER_OPTION = 4
"""An option costs about as much to build as this many (option, interpreter) pairs (1,000 x 5,000
with 20 interpreters: 111,800 options, 703,640 pairs, 9.2 s to build against 4.4 s without)."""
"""Measured model-building speed (1,000 x 5,000: 126k options in 3.5 s), to budget the polish."""
MAX_POLISH_LITERALS = 300_000
"""Above this many options a decomposed solve skips the full-model polish (memory, little gain)."""
MAX_RE_SOLVE_MEETINGS = 25_000
"""Above this many requests a re-solve keeps its draft (pins plus the waiting list filled by
priority) rather than build the full model; 5,000 re-solve to proven optima in seconds."""
BOUNDS_AHEAD_ABOVE = 10_000
"""A re-solve of more requests works out its bounds without search on the other core while the
draft is made (about 0.5 s of the child's at 60,000 requests, about as long as the draft)."""
HULL_TIME_FACTOR = 3.0
"""The city hull starts only with this many times its own estimated time left: sharing the cores
with the search, it must still be done before the decomposition ends."""
HULL_SHARE = 0.5
"""Of the time left, what the city hull's PDLP may take at most (stopped short, its bound is
valid but looser)."""
RELAXATION_SECONDS_PER_OPTION = 3e-6
"""Building the aggregated relaxation and PDLP's model, per option: 1.4 M options took 3.7 s (2 shared cores)."""
QUALITY_IN_FULL_MODEL = 60_000
"""Up to this many options the full model's later phases pursue quality; above, a pass per date."""
QUALITY_SHARE = 0.2
"""The share of the time limit kept for the per-date quality pass on large solves (0.3 until the
phases learnt to stop when stalled; at 3,000 x 20,000 in 300 s that left priority 99.85%)."""
MIN_LOCAL_MOVES_SECONDS = 2.0
MIN_QUALITY_PASS_SECONDS = 1.0
"""Less time than this left for the quality pass (local moves, then steady rooms, about a second
at 60,000 requests): it is skipped rather than overrun the command's --time-limit."""
MOVES_ONLY_SHARE = 0.05
"""Without them, the share of the time limit kept for local moves alone."""
FILL_MARGIN_SECONDS = 0.5
"""Kept beyond a greedy's time for the fill after the quality pass (at 3,000 x 20,000 in 60 s,
without it the pass took the fill's time and 14 requests stayed out with a place free)."""

STAGES = ("first draft", "bound", "days", "packing", "cp-sat", "quality")
"""Names recorded in `SolveOutcome.stages`: greedy, LP bound, stage A, per-date packing, full model,
per-date quality pass."""

Placements = dict[str, tuple[Option, str]]


def solve(
    request: SolveRequest,
    params: SolveParams,
    on_progress: Callable[[Progress], None] | None = None,
) -> SolveOutcome:
    """Draft, bound and solve; `params.time_limit` covers all of it."""
    if request.required:
        with ctrl_c_held():
            from scheduler.solver.required import solve_with_required
        return solve_with_required(request, params)  # the stages before the full model do not know it
    return Pipeline(request, params, on_progress).run()


class Pipeline:
    def __init__(self, request: SolveRequest, params: SolveParams, on_progress: Callable[[Progress], None] | None):
        self.request = request
        self.params = params
        self.on_progress = on_progress
        self.started = time.monotonic()
        self.deadline = self.started + params.time_limit
        self.last: dict[str, int | None] = {"objective": None, "bound": None, "placed": None}
        self.best: Placements = {}
        self.bound: int | None = None
        self.model_refused = False
        self.lp_values: list[float] | None = None
        self.greedy_seconds = 0.0
        self.first_schedule_seconds: float | None = None
        self.stages: list[str] = []
        self.refused: dict[str, str] = {}
        self.unpinned: dict[str, str] = {}
        """Pins let go after the first draft could not keep them (`_unpin_refused`), and why."""
        self.bound_with_moves: int | None = None
        """The proven bound with the moves asked for, where the solve kept every meeting instead."""
        self.moves_asked = request.max_moves
        self.interpreters: dict[str, str] = {}
        """Meeting id -> the interpreter the latest stage chose for it (preferred by the next)."""
        self.city_hull: Background[int | None] | None = None
        """The child working out the city hull's bound (`_start_city_hull`)."""

    def report(self, phase: str, **values: int | None) -> None:
        self.last.update({k: v for k, v in values.items() if v is not None})
        if self.on_progress is not None:
            last = self.last
            elapsed = time.monotonic() - self.started
            self.on_progress(Progress(elapsed, last["objective"], last["bound"], last["placed"], phase))

    def left(self, share: float = 1.0) -> float:
        return max(0.5, (self.deadline - time.monotonic()) * share)

    def remaining(self) -> float:
        return self.deadline - time.monotonic()

    def value(self, placements: Mapping[str, object]) -> int:
        return self.prepared.value(placements)

    def params_for(self, seconds: float) -> SolveParams:
        p = self.params
        return SolveParams(seconds, p.workers, p.seed, p.log, p.shortcuts, p.quality)

    def run(self) -> SolveOutcome:
        try:
            return self._run()
        finally:
            self._stop_bounds_ahead()
            if self.city_hull is not None:
                self.city_hull.close()

    def _run(self) -> SolveOutcome:
        self.report("reading the requests")
        try:
            self._prepare()
            self._first_draft()
            if self._unpin_refused():
                self._prepare()
                self._first_draft()
        except KeyboardInterrupt:
            if self.first_schedule_seconds is None:
                raise NoSchedule(
                    "interrupted before any schedule was found; nothing written", interrupted=True
                ) from None
            return self._interrupted()
        try:
            return self._after_draft()
        except KeyboardInterrupt:  # at any stage after it (building the full model, say): the best so far stands
            return self._interrupted()

    def _interrupted(self) -> SolveOutcome:
        """Ctrl-C: the best schedule so far, marked so that the command finishes quickly with it."""
        outcome = self._finish("FEASIBLE")
        outcome.interrupted = True
        return outcome

    def _prepare(self) -> None:
        from scheduler.solver.quality_pass import date_phases_worth_it

        self._stop_bounds_ahead()
        self.prepared = Prepared(self.request)
        if pins_stay(self.prepared) and len(self.prepared.meetings) > BOUNDS_AHEAD_ABOVE:
            # Niced: it yields to the draft here and to the previous file's check.
            self.prepared.bounds_ahead = Background(self.prepared.search_free_bounds, nice=10)
        self.people = self.prepared.people_by_id()
        self.options = self.prepared.options_by_id()
        self.candidates = self.prepared.candidates_by_id()
        self.size = sum(len(o) for o in self.options.values())
        # Quality in the full model's later phases, or in a pass per date kept for the end.
        self.by_date = self.params.quality and not self.request.pins and self.size > QUALITY_IN_FULL_MODEL
        self.date_phases = self.by_date and date_phases_worth_it(self)
        if self.by_date:
            limit = self.params.time_limit
            kept = limit * QUALITY_SHARE if self.date_phases else max(MIN_LOCAL_MOVES_SECONDS, limit * MOVES_ONLY_SHARE)
            self.deadline = self.started + limit - kept

    def _stop_bounds_ahead(self) -> None:
        """Stop the child of a Prepared no longer used (planned again, or the solve is over)."""
        prepared = getattr(self, "prepared", None)
        if prepared is not None and prepared.bounds_ahead is not None:
            prepared.bounds_ahead.close()
            prepared.bounds_ahead = None

    def _unpin_refused(self) -> bool:
        """Unforced pins the first draft could not keep together (a re-solve's plan let through a
        clash): pinned, they would make the full model infeasible and leave the draft standing, so
        they become free to move or drop, preferring their old time. True if any did."""
        request = self.request
        stuck = {mid for mid in self.refused if mid in request.pins and not request.pins[mid].forced}
        if not stuck:
            return False
        self.request = replace(
            request,
            pins={mid: pin for mid, pin in request.pins.items() if mid not in stuck},
            hint={mid: place for mid, place in request.hint.items() if mid not in stuck},
            prefer_time={
                **request.prefer_time,
                **{mid: (request.pins[mid].option.date, request.pins[mid].option.start) for mid in stuck},
            },
        )
        self.unpinned = {mid: self.refused[mid] for mid in stuck}
        self.stages.clear()
        return True

    def _after_draft(self) -> SolveOutcome:
        from scheduler.solver.decompose import decompose

        shortcuts = self.params.shortcuts
        if self._re_solve_too_large() and not pins_stay(self.prepared):
            return self._without_moves()
        if self._re_solve_too_large():
            # The full model would not fit (a re-solve of 60,000 requests grew past 10 GB building it)
            # and the draft already fills the freed places by priority. The relaxation could only
            # tighten the bound, at 8 s of a live re-solve's time: the capacity bound stands instead.
            proven = self.value(self.best) >= self.prepared.total()
            return self._with_quality("OPTIMAL" if shortcuts and proven else "FEASIBLE")
        try:
            _load_or_tools()
            self._bound()
            if self._worth_decomposing() and not decompose(self):
                return self._interrupted()
            self.take_city_hull(or_stop=True)
        except KeyboardInterrupt:
            return self._interrupted()
        in_full_model = self.params.quality and not self.by_date
        if shortcuts and not in_full_model and self.bound is not None and self.value(self.best) >= self.bound:
            return self._with_quality("OPTIMAL")
        if not self.will_polish() and self._worth_decomposing():
            # The full model would cost more memory and time than it gains.
            return self._with_quality("FEASIBLE")
        if self.deadline - time.monotonic() < 1.0 + self.build_seconds(self.options):
            if not pins_stay(self.prepared) and self.request.pins:
                return self._without_moves()  # (1,500 x 9,000 with moves: 47 s to build, 30 s left)
            return self._with_quality("FEASIBLE")  # no time left to build the full model, let alone search it
        outcome = self._polish()
        if not self.by_date or outcome.interrupted:
            return outcome
        self.best, self.bound = outcome.placements, outcome.bound
        return self._with_quality(outcome.status)

    def _without_moves(self) -> SolveOutcome:
        """Moves are allowed, but a model that could move kept meetings is too large, or could
        not be built in the time left: solve it with every kept meeting staying (a schedule at
        least as good as without moves: at 3,000 x 18,000, `--max-moves 3` gave the bare draft, 3
        less than `--max-moves 0`'s proven optimum). The bound shown stays the one for schedules
        with the moves allowed (`_stamp`)."""
        moves = self.request.max_moves
        self.bound_with_moves = min(b for b in (self.bound, self.prepared.total()) if b is not None)
        self.bound, self.lp_values = None, None  # (proven for the moves allowed: the search below has none)
        first_seconds = self.first_schedule_seconds
        self.request = replace(self.request, max_moves=0)
        self.stages.clear()
        self._prepare()
        self._first_draft()
        self.first_schedule_seconds = first_seconds
        self.moves_asked = moves
        return self._after_draft()

    def _with_quality(self, status: str) -> SolveOutcome:
        """Finish, after the per-date quality pass where this solve has one."""
        from scheduler.solver.quality_pass import fill_what_moves_freed, quality_pass

        if self.by_date:
            end = self.started + self.params.time_limit
            # The fill after the pass keeps a greedy's time (and a margin): the pass would take it all.
            self.deadline = end - self.greedy_seconds - FILL_MARGIN_SECONDS
            if self.deadline - time.monotonic() < MIN_QUALITY_PASS_SECONDS:
                self.deadline = end
                return self._finish(status)  # the time limit is the organiser's: priority's schedule stands
            before = self.best
            try:
                quality_pass(self)
            except KeyboardInterrupt:  # the pass keeps the best schedule so far: finish with it
                outcome = self._finish(status)
                outcome.interrupted = True
                return outcome
            finally:
                self.deadline = end
                if self.value(self.best) < self.value(before):
                    self.best = before  # a safety net: quality never costs priority
            fill_what_moves_freed(self)
        return self._finish(status)

    def build_seconds(self, options: dict[str, list[Option]]) -> float:
        """About how long a model of these options takes to build (interpreter literals included)."""
        from scheduler.solver.ortools.variables import choice_count

        pairs = sum(len(opts) * len(self.candidates.get(mid, ())) for mid, opts in options.items())
        choices = choice_count(self.request, self.prepared, options)
        return (choices + pairs / INTERPRETER_PAIRS_PER_OPTION) / OPTIONS_BUILT_PER_SECOND

    def keeping_travel(self, options: dict[str, list[Option]], fixed: Placements) -> dict[str, list[Option]]:
        """`options` less those that leave too little travel time from or to the `fixed` placements."""
        clock = TravelClock(self.request.instance)
        if not clock.rules:
            return options
        for mid, (option, _) in fixed.items():
            clock.take(mid, self.people[mid], option)
        return {mid: [o for o in opts if clock.fits(self.people[mid], o)] for mid, opts in options.items()}

    def _free_ticks_with_history(self) -> Callable[[str, dt.date, str], frozenset[int] | None]:
        """Each person's free slots, plus those frozen history holds (edits may have narrowed them)."""
        instance = self.request.instance
        held: dict[tuple[str, dt.date, str], set[int]] = defaultdict(set)
        step = instance.event.slot_minutes
        for pin in self.request.pins.values():
            if pin.forced and pin.meeting in self.people:
                for pid in self.people[pin.meeting]:
                    held[(pid, pin.option.date, pin.option.city)].update(range(pin.option.start, pin.option.end, step))

        def free_ticks(pid: str, date: dt.date, city: str) -> frozenset[int] | None:
            free = instance.free_ticks(pid, date, city)
            extra = held.get((pid, date, city))
            return free if free is None or not extra else free | extra

        return free_ticks

    def _first_draft(self) -> None:
        """A first complete schedule in about a second: pins and hint kept where they fit, the rest greedy."""
        self.report("first draft")
        self.stages.append("first draft")
        pins, by_id = self.request.pins, self.prepared.by_id
        # Frozen history first, then by priority: a clash refuses the movable, less important placement.
        order = sorted(pins, key=lambda mid: (not pins[mid].forced, -by_id[mid].priority if mid in by_id else 0, mid))
        fixed = {mid: (pins[mid].option, pins[mid].room) for mid in order}
        fixed.update((mid, place) for mid, place in self.request.hint.items() if mid not in fixed)
        # Each pin with its own interpreter first (else the desk's choice could trade them around).
        kept = {mid: self.request.kept_interpreter(mid) for mid in pins}
        self.interpreters.update({mid: iid for mid, iid in kept.items() if iid is not None})
        began = time.monotonic()
        vouched = set(pins) if self.request.pins_vouched else set()
        self.best, self.refused = self.greedy_from(self.options, fixed, vouched)
        self.greedy_seconds = time.monotonic() - began
        self.first_schedule_seconds = time.monotonic() - self.started
        self.report("first draft", objective=self.value(self.best), placed=len(self.best))

    def greedy_from(
        self, options: dict[str, list[Option]], fixed: Placements, vouched: set[str] | None = None
    ) -> tuple[Placements, dict[str, str]]:
        draft = greedy_placements(
            self.request.instance,
            self.prepared.meetings,
            lambda m: options.get(m.id, []),
            lambda m: self.people[m.id],
            list(self.request.instance.rooms),
            fixed=fixed,
            closed_rooms=self.request.excluded_rooms,
            cap_of=self.request.max_meetings,
            candidates_of=lambda m: self.candidates.get(m.id, []),
            preferred_interpreters=self.interpreters,
            history_busy=self.request.busy,
            history={mid for mid, pin in self.request.pins.items() if pin.forced},
            vouched=vouched or set(),
        )
        self.interpreters.update(draft.interpreters)
        return draft.placements, draft.refused

    def _bound(self) -> None:
        """The aggregated relaxation and its proven LP bound."""
        from scheduler.solver.ortools.aggregate import build_aggregate, solve_lp

        if self.remaining() < 2.0 + self.size * RELAXATION_SECONDS_PER_OPTION:
            return  # no time to build the relaxation and solve it: the draft stands, with the trivial bound
        self.report("estimating the best possible")
        self.stages.append("bound")
        pins = self.request.pins
        self.agg = build_aggregate(
            self.request.instance,
            self.prepared.meetings,
            {mid: _with_pin(opts, pins.get(mid)) for mid, opts in self.options.items()},
            self.people,
            list(self.request.instance.rooms),
            free_ticks_of=self._free_ticks_with_history(),
            cap_of=self.request.max_meetings,
            seats_of={m.id: self.prepared.seats[i] for i, m in enumerate(self.prepared.meetings)},
        )
        lp = solve_lp(self.agg, time_limit=self.left(0.3))
        if lp is not None and lp.bound < self.value(self.best):
            lp = None  # below a schedule we hold: not a proof (a bug to report, never to trust)
        if lp is not None:
            # PDLP stopped short gives a valid but loose bound (177,231 at 60,000 requests in 20 s,
            # where the capacity bound proves 96,931): whichever proves more stands.
            self.bound, self.lp_values = min(lp.bound, self.prepared.total()), lp.values
            self._start_city_hull()
        self.report("estimating the best possible", bound=self.bound)

    def _start_city_hull(self) -> None:
        """The city hull's tighter bound (`city_hull`), worked out in a child on the other core
        while the search goes on, where it has time to finish well within the limit."""
        from scheduler.solver.ortools.city_hull import HULL_SECONDS_PER_COLUMN, hull_bound

        needed = len(self.agg.cost) * HULL_SECONDS_PER_COLUMN
        if self.request.pins or self.lp_values is None or not self._worth_decomposing():
            return  # (a re-solve has its own residual bound; a draft at the LP bound needs no tighter one)
        if self.remaining() < HULL_TIME_FACTOR * needed or not hasattr(os, "fork"):
            return  # (without fork it would hold this process for a minute: it is worth less than that)
        work = partial(hull_bound, self.agg, self.lp_values, self.left(HULL_SHARE))
        self.city_hull = Background(work, on_failure=lambda: None)

    def take_city_hull(self, or_stop: bool = False) -> None:
        """The city hull's bound, if its child is done; `or_stop`: if not, stop it (the cores are
        the next stage's)."""
        if self.city_hull is None:
            return
        if not self.city_hull.ready():
            if or_stop:
                self.city_hull.close()
                self.city_hull = None
            return
        hull, self.city_hull = self.city_hull.result(), None
        if hull is None or hull < self.value(self.best):
            return  # (below a schedule we hold: no proof, as for the LP)
        if self.bound is None or hull < self.bound:
            self.bound = hull
            self.report("estimating the best possible", bound=hull)

    def _worth_decomposing(self) -> bool:
        return not self.request.pins and self.bound is not None and self.value(self.best) < self.bound

    def _re_solve_too_large(self) -> bool:
        """A re-solve whose full model (every kept meeting pinned, every waiting one free) would not
        fit: at 10,000 x 60,000 with 5% cancelled it grew past 10 GB while being built."""
        pins = self.request.pins
        return bool(pins) and (not self.will_polish() or len(self.prepared.meetings) > MAX_RE_SOLVE_MEETINGS)

    def will_polish(self) -> bool:
        """Whether the full model runs after the decomposition (too large: it would cost more than it gains)."""
        return self.size <= MAX_POLISH_LITERALS

    def _polish(self) -> SolveOutcome:
        """The full model from the best schedule so far, for the time that is left."""
        from scheduler.solver.ortools.model import ScheduleModel
        from scheduler.solver.ortools.objective import later_phases

        self.report("setting up the full search")
        self.stages.append("cp-sat")
        full = ScheduleModel(self.request, self.prepared)
        if self.params.quality and not self.by_date:
            full.phases = later_phases(full.vars)
        full.add_hint(self.best, self.interpreters)
        offset = time.monotonic() - self.started

        def shifted(progress: Progress) -> None:
            if self.on_progress is not None:
                self.on_progress(
                    Progress(
                        progress.elapsed + offset, progress.objective, progress.bound, progress.placed, progress.phase
                    )
                )

        at_bound = self.bound is not None and self.value(self.best) >= self.bound
        if self.params.shortcuts and at_bound and full.phases and not self.request.pins:
            # Priority is proven optimal already: straight to the later phases (2025: 3 s saved).
            improved = full.improve(
                self.params_for(self.left()), self.best, lambda name: self.report(name), self.interpreters
            )
            outcome = self.prepared.outcome(
                improved.placements, "OPTIMAL", self.value(self.best), 0, self.started, improved.interpreters
            )
            outcome.interrupted = improved.interrupted
            outcome.goals = improved.goals
            return self._stamp(outcome)
        # With shortcuts off CP-SAT proves optimality on its own, not from our LP bound.
        cap = self.bound if self.params.shortcuts else None
        outcome = full.solve(self.params_for(self.left()), shifted, fallback=self.best, extra_bound=cap)
        self.model_refused = outcome.model_refused
        if cap is None and self.bound is not None and self.bound < outcome.bound:
            interrupted = outcome.interrupted  # our LP bound is tighter, and as much a proof
            outcome = self.prepared.outcome(
                outcome.placements, outcome.status, self.bound, outcome.moves, self.started, outcome.interpreters
            )
            outcome.interrupted = interrupted
        return self._stamp(outcome)

    def _finish(self, status: str) -> SolveOutcome:
        self.take_city_hull()
        bound = self.bound if self.bound is not None else self.prepared.total()
        outcome = self.prepared.outcome(dict(self.best), status, bound, 0, self.started, self.interpreters)
        if self.params.quality:  # (the full model, where it ran, reports each goal itself)
            how = "per date, best found" if self.date_phases else "local moves only"
            reached = self.by_date and "quality" in self.stages
            if self._re_solve_too_large():
                how, reached = NOT_PURSUED, True
            outcome.goals = {"fairness and idle gaps": how if reached else "not reached"}
        return self._stamp(outcome)

    def _bound_with_moves(self, outcome: SolveOutcome) -> None:
        """A solve kept every meeting where the moves asked for were too much (`_without_moves`):
        its own bound is no proof for those moves, the one worked out with them is; the note says
        what holds without moves."""
        moves, with_moves = self.moves_asked, self.bound_with_moves
        assert with_moves is not None
        staying = min(outcome.bound, with_moves) if pins_stay(self.prepared) else None
        if with_moves < outcome.objective:  # below a schedule we hold: no proof (a bug to report, never to trust)
            with_moves = self.prepared.placeable_total
        outcome.bound = with_moves
        if outcome.status == "OPTIMAL" and outcome.objective < outcome.bound:
            outcome.status = "FEASIBLE"
        plural = "" if moves == 1 else "s"
        said = (
            f"--max-moves {moves} was not tried: with kept meetings free to move, this re-solve's model "
            "would be too large for this machine or the time left, so each stayed where it stood."
        )
        if staying == outcome.objective:
            said += " Without moves this schedule is the best possible."
        elif staying is not None:
            said += f" Without moves no schedule can total more than {staying}."
        outcome.moves_not_tried = said + f" The bound shown is for schedules with up to {moves} move{plural}."

    def _stamp(self, outcome: SolveOutcome) -> SolveOutcome:
        if self.bound_with_moves is not None:
            self._bound_with_moves(outcome)
        outcome.seconds = time.monotonic() - self.started
        outcome.first_schedule_seconds = self.first_schedule_seconds
        outcome.stages = list(self.stages)
        outcome.refused_fixed = {**self.unpinned, **self.refused}
        outcome.model_refused = self.model_refused
        return outcome


def _load_or_tools() -> None:
    """OR-Tools, imported for the stages after the first draft, whole: a Ctrl-C while it loads
    comes after (`ctrl_c_held`), and the best schedule so far is kept as at any other moment."""
    with ctrl_c_held():
        import scheduler.solver.ortools.aggregate
        import scheduler.solver.ortools.model  # noqa: F401


def _with_pin(options: list[Option], pin: Pin | None) -> list[Option]:
    return options if pin is None or pin.option in options else [pin.option, *options]
