"""The CP-SAT model of FORMAT.md's nine rules, and its conversion to a plain Schedule.

Scale comes from aggregation. A single-slot meeting chooses only (venue, date, start):
rooms are counted per slot by capacity threshold, and Hall's theorem for nested sets
makes a room assignment per slot always exist. A multi-slot meeting must keep one room
for all its slots, so it also chooses a *room group* (rooms of one venue with equal
capacity and nothing pinned in them); within a group, intervals with at most |group|
overlapping at any slot can always be coloured with |group| rooms. A room that holds a
pinned meeting (re-solve) is a group of its own. The second stage (`_assign_rooms`) is
therefore exact by construction, never a greedy pass that can drop a meeting.
"""

from __future__ import annotations

import datetime as dt
import math
import time
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field

from ortools.sat.python import cp_model
from ortools.sat.python.cp_model import LinearExpr

from scheduler.aggregate import Block, block_of, build_aggregate, lp_support, round_lp, solve_aggregate, solve_lp
from scheduler.cpsat import solve_interruptibly
from scheduler.model import Instance, Meeting, Option, Room, to_clock
from scheduler.solution import Assignment, Schedule, Unscheduled
from scheduler.warmstart import greedy_placements

MAX_LP_LITERALS = 60_000
"""Above this many literals the full model runs without max_lp: its LP costs more than it proves."""
OPTIONS_BUILT_PER_SECOND = 35_000
"""Measured model-building speed (1,000 x 5,000: 126k options in 3.5 s), to budget the polish."""
STAGE_A_COLUMNS_PER_SECOND = 6_000
"""Stage A gets going (presolve, first LP) at about this many aggregate columns per second
(3,000 x 20,000: 42k columns, 7 s); with less time left, the rounded LP is packed directly."""
RESTRICT_ABOVE_COLUMNS = 20_000
"""Above this many aggregate columns stage A searches only the LP's support (`lp_support`);
below it, the full aggregate's own bound is worth having: it proves small instances optimal."""
MAX_POLISH_LITERALS = 300_000
"""Above this many options a decomposed solve skips the full-model polish (memory, little gain)."""


@dataclass(frozen=True)
class Pin:
    """A meeting's previous place (venue, date, start, room) in a re-solve."""

    meeting: str
    option: Option
    room: str
    forced: bool
    """True: it must stay (frozen history). False: it stays unless a move is allowed."""


@dataclass
class SolveRequest:
    """What to solve: the instance plus the re-solve adjustments (all empty for `solve`)."""

    instance: Instance
    participants_of: dict[str, list[str]] = field(default_factory=dict)
    """Meeting id -> participants, where a re-solve removed some; others as in the instance."""
    excluded_meetings: set[str] = field(default_factory=set)
    excluded_rooms: set[str] = field(default_factory=set)
    pins: dict[str, Pin] = field(default_factory=dict)
    max_moves: int = 0
    prefer_time: dict[str, tuple[dt.date, int]] = field(default_factory=dict)
    """Displaced meetings: a different date or start than this costs one tie-break point."""
    frozen_until: dt.datetime | None = None
    hint: dict[str, tuple[Option, str]] = field(default_factory=dict)
    max_meetings_of: dict[str, int] = field(default_factory=dict)
    """Participant id -> cap raised to what history already holds (an edit cannot undo the past)."""
    busy: dict[tuple[str, dt.date], tuple[str, frozenset[int]]] = field(default_factory=dict)
    """(participant, date) -> (city, minutes) taken by history the solver does not hold as a pin."""

    def meeting_participants(self, meeting: Meeting) -> list[str]:
        return self.participants_of.get(meeting.id, meeting.participants)

    def max_meetings(self, pid: str) -> int | None:
        return self.max_meetings_of.get(pid, self.instance.participant_by_id[pid].max_meetings)

    def fits_busy(self, people: list[str], option: Option) -> bool:
        """Whether an option avoids the city and time history took from these people."""
        for pid in people:
            taken = self.busy.get((pid, option.date))
            if taken is not None and (
                taken[0] != option.city or any(t in taken[1] for t in range(option.start, option.end))
            ):
                return False
        return True


@dataclass(frozen=True)
class Progress:
    elapsed: float
    objective: int | None
    bound: int | None
    placed: int | None
    phase: str


@dataclass
class SolveParams:
    time_limit: float = 60.0
    workers: int = 2
    seed: int = 0
    log: bool = False


@dataclass(frozen=True)
class _Group:
    venue: str
    capacity: int
    rooms: tuple[str, ...]
    level: int
    """Index of this capacity among the venue's distinct capacities."""
    cancelled: bool = False
    """A cancelled room: only its frozen (pinned, forced) meetings may use it."""


@dataclass(frozen=True)
class _Choice:
    meeting: int
    option: Option
    group: int | None
    """None: a single-slot meeting counted per slot; else the room group it holds."""
    pinned: bool = False


@dataclass
class SolveOutcome:
    status: str
    objective: int
    bound: int
    placements: dict[str, tuple[Option, str]]
    unscheduled: dict[str, str]
    moves: int
    seconds: float
    interrupted: bool = False
    """The search stopped early (Ctrl-C) rather than at its time limit or optimum."""
    first_schedule_seconds: float | None = None


class Prepared:
    """Each meeting's participants, free options and, when it has none, why: computed once.

    Shared by the greedy, the LP bound, the decomposition and the CP-SAT models, and the
    one place where a schedule's placements become a SolveOutcome with reasons.
    """

    def __init__(self, request: SolveRequest) -> None:
        self.request = request
        instance = self.instance = request.instance
        self.meetings = [m for m in instance.meetings if m.id not in request.excluded_meetings]
        self.by_id = {m.id: m for m in self.meetings}
        self.index = {m.id: i for i, m in enumerate(self.meetings)}
        self.participants = [request.meeting_participants(m) for m in self.meetings]
        self.options: list[list[Option]] = []
        self.reasons: dict[int, str] = {}
        frozen_until = request.frozen_until
        for idx, meeting in enumerate(self.meetings):
            people = self.participants[idx]
            effective = meeting.with_participants(people)
            pin = request.pins.get(meeting.id)
            if pin is not None and (pin.forced or request.max_moves == 0):
                self.options.append([])  # it can only stay where it is: other places are dead weight
                continue
            options = instance.meeting_options(effective)
            if request.busy:
                options = [o for o in options if request.fits_busy(people, o)]
            free = options if frozen_until is None else [o for o in options if _starts_at(o) >= frozen_until]
            self.options.append(free)
            if not free and pin is None:
                self.reasons[idx] = (
                    "every possible time is before the frozen time" if options else instance.why_impossible(effective)
                )

    def options_by_id(self) -> dict[str, list[Option]]:
        return {m.id: self.options[i] for i, m in enumerate(self.meetings)}

    def value(self, placements: Mapping[str, object]) -> int:
        """Total priority of the meetings keyed in `placements` (a schedule's, or a choice of days)."""
        return sum(self.by_id[mid].priority for mid in placements)

    def outcome(
        self, placements: dict[str, tuple[Option, str]], status: str, bound: int, moves: int, started: float
    ) -> SolveOutcome:
        objective = self.value(placements)
        if bound < objective:
            # A bound below a schedule we hold cannot be a proof: never report it, never call it optimal.
            status, bound = "FEASIBLE", sum(m.priority for m in self.meetings)
        attending = Counter(pid for mid in placements for pid in self.participants[self.index[mid]])
        unscheduled = {
            m.id: self.unscheduled_reason(i, attending) for i, m in enumerate(self.meetings) if m.id not in placements
        }
        if bound == objective:
            status = "OPTIMAL"
        return SolveOutcome(
            status=status,
            objective=objective,
            bound=bound,
            placements=placements,
            unscheduled=unscheduled,
            moves=moves,
            seconds=time.monotonic() - started,
        )

    def unscheduled_reason(self, idx: int, attending: Counter[str]) -> str:
        """Why a request stayed out, given how many meetings each person attends."""
        if idx in self.reasons:
            return self.reasons[idx]
        for pid in self.participants[idx]:
            limit = self.request.max_meetings(pid)
            if limit is not None and attending[pid] >= limit:
                return f"{pid} already has max_meetings ({limit})"
        return "no time left with all participants and a room free"


class ScheduleModel:
    """Builds the CP-SAT model one rule at a time, solves it, and reads the answer back."""

    def __init__(
        self, request: SolveRequest, prepared: Prepared, options: dict[str, list[Option]] | None = None
    ) -> None:
        """`options`: narrower free options per meeting id (a stage); default all of `prepared`'s."""
        self.request = request
        self.prepared = prepared
        self.narrowed = options
        self.instance = request.instance
        self.step = self.instance.event.slot_minutes
        self.model = cp_model.CpModel()
        self.meetings = prepared.meetings
        self.participants = prepared.participants
        self.rooms = list(self.instance.rooms)
        self.choices: list[_Choice] = []
        self.literals: list[cp_model.IntVar] = []
        self.meeting_choices: list[list[int]] = [[] for _ in self.meetings]
        self.move_literals: list[cp_model.LinearExprT] = []
        self.penalties: list[cp_model.LinearExprT] = []
        self.in_city: dict[tuple[str, dt.date, str], cp_model.IntVar] = {}
        self.weight = 1
        self._build_room_groups()
        self._block_cancelled_rooms()
        self._add_choice_variables()
        self._add_one_place_per_meeting()
        self._add_participant_one_at_a_time_and_one_city_per_day()
        self._add_room_capacity_per_slot()
        self._add_room_group_occupancy()
        self._add_max_meetings()
        self._add_pins()
        self._set_objective()
        self.placed_var = self.model.new_int_var(0, len(self.meetings), "placed")
        self.model.add(self.placed_var == LinearExpr.sum(self.literals))

    # ---- structure ----

    def _build_room_groups(self) -> None:
        """Group interchangeable rooms; a room with a pin, or cancelled, stands alone."""
        pinned_rooms = {pin.room for pin in self.request.pins.values()} | self.request.excluded_rooms
        by_venue: dict[str, list[Room]] = defaultdict(list)
        for room in self.rooms:
            by_venue[room.venue].append(room)
        self.venue_capacities = {v: sorted({r.capacity for r in rooms}) for v, rooms in by_venue.items()}
        self.rooms_at_level = {
            v: [sum(1 for r in rooms if r.capacity >= cap) for cap in self.venue_capacities[v]]
            for v, rooms in by_venue.items()
        }
        self.groups: list[_Group] = []
        self.group_of_room: dict[str, int] = {}
        for venue, rooms in by_venue.items():
            pooled: dict[int, list[str]] = defaultdict(list)
            for room in rooms:
                if room.id in pinned_rooms:
                    self._add_group(venue, room.capacity, (room.id,))
                else:
                    pooled[room.capacity].append(room.id)
            for capacity, ids in sorted(pooled.items()):
                self._add_group(venue, capacity, tuple(ids))

    def _add_group(self, venue: str, capacity: int, rooms: tuple[str, ...]) -> None:
        level = self.venue_capacities[venue].index(capacity)
        for room in rooms:
            self.group_of_room[room] = len(self.groups)
        cancelled = any(room in self.request.excluded_rooms for room in rooms)
        self.groups.append(_Group(venue, capacity, rooms, level, cancelled))

    def _block_cancelled_rooms(self) -> None:
        """A cancelled room counts as occupied at every slot its frozen meetings do not use."""
        forced_ticks: set[tuple[str, dt.date, int]] = {
            (pin.room, pin.option.date, tick)
            for pin in self.request.pins.values()
            if pin.forced
            for tick in self._ticks(pin.option)
        }
        self.blocked_levels: dict[tuple[str, dt.date, int], list[int]] = defaultdict(list)
        room_by_id = self.instance.room_by_id
        for room_id in self.request.excluded_rooms:
            room = room_by_id[room_id]
            level = self.venue_capacities[room.venue].index(room.capacity)
            for session in self.instance.sessions:
                if session.venue != room.venue:
                    continue
                for tick in range(session.start, session.end, self.step):
                    if (room_id, session.date, tick) not in forced_ticks:
                        self.blocked_levels[(room.venue, session.date, tick)].append(level)

    def _need_level(self, venue: str, size: int) -> int | None:
        """Smallest capacity level of the venue that holds `size` people."""
        for level, cap in enumerate(self.venue_capacities.get(venue, [])):
            if cap >= size:
                return level
        return None

    def _ticks(self, option: Option) -> range:
        return range(option.start, option.end, self.step)

    def _new_choice(self, choice: _Choice) -> None:
        lit = self.model.new_bool_var("")
        self.meeting_choices[choice.meeting].append(len(self.choices))
        self.choices.append(choice)
        self.literals.append(lit)

    def _add_choice_variables(self) -> None:
        """One literal per feasible (meeting, start, venue[, room group]) (rules 1, 2, 5, 8)."""
        for idx, meeting in enumerate(self.meetings):
            people = self.participants[idx]
            pin = self.request.pins.get(meeting.id)
            if pin is not None:
                self._new_choice(_Choice(idx, pin.option, self.group_of_room[pin.room], pinned=True))
            options = self.narrowed.get(meeting.id, []) if self.narrowed is not None else self.prepared.options[idx]
            for option in options:
                if self._need_level(option.venue, len(people)) is None:
                    continue
                if meeting.slots == 1:
                    self._new_choice(_Choice(idx, option, None))
                    continue
                for g, group in enumerate(self.groups):
                    if group.venue == option.venue and group.capacity >= len(people) and not group.cancelled:
                        self._new_choice(_Choice(idx, option, g))

    # ---- hard constraints ----

    def _add_one_place_per_meeting(self) -> None:
        """Each meeting is scheduled at most once (rule 9)."""
        self.scheduled = []
        for choice_ids in self.meeting_choices:
            lits = [self.literals[c] for c in choice_ids]
            if len(lits) > 1:
                self.model.add_at_most_one(lits)
            self.scheduled.append(lits)

    def _add_participant_one_at_a_time_and_one_city_per_day(self) -> None:
        """A participant is in one meeting at a time (rule 4) and one city per date (rule 6)."""
        per_tick: dict[tuple[str, dt.date, int], dict[str, list[cp_model.IntVar]]] = defaultdict(
            lambda: defaultdict(list)
        )
        cities_on: dict[tuple[str, dt.date], set[str]] = defaultdict(set)
        for c, choice in enumerate(self.choices):
            option = choice.option
            for pid in self.participants[choice.meeting]:
                cities_on[(pid, option.date)].add(option.city)
                for tick in self._ticks(option):
                    per_tick[(pid, option.date, tick)][option.city].append(self.literals[c])
        in_city = self.in_city
        for (pid, date), cities in cities_on.items():
            if len(cities) > 1:
                flags = []
                for city in sorted(cities):
                    in_city[(pid, date, city)] = flag = self.model.new_bool_var("")
                    flags.append(flag)
                self.model.add_at_most_one(flags)
        for (pid, date, _), by_city in per_tick.items():
            for city, lits in by_city.items():
                city_flag = in_city.get((pid, date, city))
                if city_flag is not None:
                    self.model.add(LinearExpr.sum(lits) <= city_flag)
                elif len(by_city) == 1 and len(lits) > 1:
                    self.model.add_at_most_one(lits)
        # A participant's meetings in one city never overlap the same tick in another
        # city either: the in_city flags above make the two cities exclusive per date.

    def _add_room_capacity_per_slot(self) -> None:
        """Per venue and slot, meetings fit the rooms by capacity (rules 2, 3; Hall's condition)."""
        by_slot: dict[tuple[str, dt.date, int], list[tuple[int, cp_model.IntVar]]] = defaultdict(list)
        for c, choice in enumerate(self.choices):
            option = choice.option
            if choice.group is None:
                level = self._need_level(option.venue, len(self.participants[choice.meeting]))
                assert level is not None
            else:
                level = self.groups[choice.group].level
            for tick in self._ticks(option):
                by_slot[(option.venue, option.date, tick)].append((level, self.literals[c]))
        for (venue, date, tick), entries in by_slot.items():
            blocked = self.blocked_levels.get((venue, date, tick), [])
            for level, rooms_here in enumerate(self.rooms_at_level[venue]):
                rooms = rooms_here - sum(1 for b in blocked if b >= level)
                lits = [lit for lit_level, lit in entries if lit_level >= level]
                if len(lits) > rooms:
                    self.model.add(LinearExpr.sum(lits) <= rooms)

    def _add_room_group_occupancy(self) -> None:
        """Multi-slot meetings in a room group never exceed its rooms at any slot (rules 1, 3)."""
        by_group_slot: dict[tuple[int, dt.date, int], list[cp_model.IntVar]] = defaultdict(list)
        for c, choice in enumerate(self.choices):
            if choice.group is None:
                continue
            for tick in self._ticks(choice.option):
                by_group_slot[(choice.group, choice.option.date, tick)].append(self.literals[c])
        for (g, _, _), lits in by_group_slot.items():
            size = len(self.groups[g].rooms)
            if len(lits) > size:
                if size == 1:
                    self.model.add_at_most_one(lits)
                else:
                    self.model.add(LinearExpr.sum(lits) <= size)

    def _add_max_meetings(self) -> None:
        """A participant attends at most max_meetings meetings (rule 7)."""
        lits_of: dict[str, list[cp_model.IntVar]] = defaultdict(list)
        for idx, lits in enumerate(self.scheduled):
            for pid in self.participants[idx]:
                lits_of[pid].extend(lits)
        for pid, lits in lits_of.items():
            limit = self.request.max_meetings(pid)
            if limit is not None and len(lits) > limit:
                self.model.add(LinearExpr.sum(lits) <= limit)

    def _add_pins(self) -> None:
        """Pinned meetings stay; unforced ones may move, at most max_moves of them."""
        for c, choice in enumerate(self.choices):
            if not choice.pinned:
                continue
            pin = self.request.pins[self.meetings[choice.meeting].id]
            if pin.forced or self.request.max_moves == 0:
                self.model.add(self.literals[c] == 1)
            else:
                self.move_literals.append(~self.literals[c])
        if self.move_literals:
            self.model.add(LinearExpr.sum(self.move_literals) <= self.request.max_moves)

    # ---- objective ----

    def _set_objective(self) -> None:
        """Total priority first; among equals, fewer moves and fewer time changes (lexicographic)."""
        for c, choice in enumerate(self.choices):
            wanted = self.request.prefer_time.get(self.meetings[choice.meeting].id)
            if wanted is not None and wanted != (choice.option.date, choice.option.start):
                self.penalties.append(self.literals[c])
        self.penalties.extend(self.move_literals)
        self.weight = len(self.penalties) + 1
        priorities = [self.meetings[choice.meeting].priority for choice in self.choices]
        self.model.maximize(
            LinearExpr.weighted_sum(
                [*self.literals, *self.penalties],
                [self.weight * p for p in priorities] + [-1] * len(self.penalties),
            )
        )

    # ---- hints ----

    def add_hint(self, placements: dict[str, tuple[Option, str]]) -> None:
        """Start from a known schedule: each literal hinted, so a complete hint is checked at once."""
        index = self.prepared.index
        chosen: set[int] = set()
        for mid, (option, room) in placements.items():
            idx = index.get(mid)
            if idx is None:
                continue
            group = self.group_of_room.get(room)
            for c in self.meeting_choices[idx]:
                choice = self.choices[c]
                if choice.option == option and (choice.group is None or choice.group == group):
                    chosen.add(c)
                    break
        for c, lit in enumerate(self.literals):
            self.model.add_hint(lit, c in chosen)
        # Complete the hint (city flags, count): CP-SAT checks a complete feasible hint at once.
        busy_cities = {
            (pid, self.choices[c].option.date, self.choices[c].option.city)
            for c in chosen
            for pid in self.participants[self.choices[c].meeting]
        }
        for key, flag in self.in_city.items():
            self.model.add_hint(flag, key in busy_cities)
        self.model.add_hint(self.placed_var, len(chosen))

    # ---- solving and reading back ----

    def solve(
        self,
        params: SolveParams,
        on_progress: Callable[[Progress], None] | None = None,
        fallback: dict[str, tuple[Option, str]] | None = None,
        extra_bound: int | None = None,
    ) -> SolveOutcome:
        """Solve; never return less than `fallback`; report the tighter of both proven bounds."""
        started = time.monotonic()
        solver = cp_model.CpSolver()
        solver.parameters.max_time_in_seconds = max(0.1, params.time_limit)
        solver.parameters.num_workers = max(1, params.workers)
        solver.parameters.random_seed = params.seed
        solver.parameters.log_search_progress = params.log
        if params.workers <= 4 and len(self.literals) <= MAX_LP_LITERALS:
            # CP-SAT's default portfolio for few workers leaves out max_lp, whose full
            # linearisation is what proves optimality on these models (2025: 9 s vs none in 60 s).
            solver.parameters.subsolvers.extend(["max_lp", "default_lp"])
        weight, max_penalty = self.weight, len(self.penalties)
        cap = extra_bound
        if cap is not None:
            # A proven bound from elsewhere (LP, aggregate): telling CP-SAT lets it stop as soon
            # as a schedule reaches it instead of searching on for a proof of its own.
            priorities = [self.meetings[choice.meeting].priority for choice in self.choices]
            self.model.add(LinearExpr.weighted_sum(self.literals, priorities) <= cap)
        state: dict[str, int | None] = {"objective": None, "bound": cap, "placed": None}

        def report() -> None:
            if on_progress is not None:
                on_progress(
                    Progress(time.monotonic() - started, state["objective"], state["bound"], state["placed"], "solving")
                )

        def on_solution(weighted: float, placed: int) -> None:
            state.update(objective=_priority_of(weighted, weight), placed=placed)
            report()

        def on_bound(weighted_bound: float) -> None:
            state.update(bound=_min_bound(_priority_bound(weighted_bound, weight, max_penalty), cap))
            report()

        callback = _Callback(on_solution, self.placed_var)
        if on_progress is not None:
            solver.best_bound_callback = on_bound
        status, interrupted = solve_interruptibly(solver, self.model, callback)
        fallback_value = self.prepared.value(fallback or {})
        if status in (cp_model.OPTIMAL, cp_model.FEASIBLE):
            values = solver.boolean_values(self.literals)
            chosen = [self.choices[c] for c, on in enumerate(values) if on]
            if sum(self.meetings[c.meeting].priority for c in chosen) >= fallback_value or fallback is None:
                bound = _min_bound(_priority_bound(solver.best_objective_bound, weight, max_penalty), cap)
                # (with a solution in hand, CP-SAT's bound is a real proof)
                moves = sum(1 for c, on in enumerate(values) if self.choices[c].pinned and not on)
                outcome = self.prepared.outcome(
                    self._assign_rooms(chosen), solver.status_name(status), bound, moves, started
                )
                outcome.interrupted = interrupted
                return outcome
        if fallback is None:
            why = "interrupted" if interrupted else f"{solver.status_name(status)} within the time limit"
            raise NoSchedule(f"CP-SAT found no schedule ({why})")
        # Without a solution (UNKNOWN), CP-SAT reports a bound of 0: it proves nothing.
        trivial = sum(m.priority for m in self.meetings)
        cp_bound = (
            _priority_bound(solver.best_objective_bound, weight, max_penalty)
            if status == cp_model.FEASIBLE
            else trivial
        )
        bound = _min_bound(cp_bound, cap)
        outcome = self.prepared.outcome(dict(fallback), "FEASIBLE", bound, 0, started)
        outcome.interrupted = interrupted
        return outcome

    def _assign_rooms(self, chosen: Iterable[_Choice]) -> dict[str, tuple[Option, str]]:
        """Exact second stage: groups by interval colouring, then single slots by capacity."""
        placements: dict[str, tuple[Option, str]] = {}
        busy: dict[tuple[str, dt.date, int], set[str]] = defaultdict(set)
        singles: dict[tuple[str, dt.date, int], list[_Choice]] = defaultdict(list)
        grouped: dict[int, list[_Choice]] = defaultdict(list)
        for choice in chosen:
            if choice.group is None:
                singles[(choice.option.venue, choice.option.date, choice.option.start)].append(choice)
            else:
                grouped[choice.group].append(choice)
        for g, members in grouped.items():
            for choice, room_id in self._colour_intervals(self.groups[g].rooms, members):
                placements[self.meetings[choice.meeting].id] = (choice.option, room_id)
                for tick in self._ticks(choice.option):
                    busy[(choice.option.venue, choice.option.date, tick)].add(room_id)
        rooms_by_venue: dict[str, list[Room]] = defaultdict(list)
        for room in sorted(self.rooms, key=lambda r: (r.capacity, r.id)):
            if room.id not in self.request.excluded_rooms:
                rooms_by_venue[room.venue].append(room)
        for (venue, date, start), members in singles.items():
            taken = busy[(venue, date, start)]
            # Largest first, each into the smallest free room that holds it: by Hall's
            # condition (enforced per slot and level in the model) this never runs out.
            for choice in sorted(members, key=lambda ch: -len(self.participants[ch.meeting])):
                size = len(self.participants[choice.meeting])
                free = next((r for r in rooms_by_venue[venue] if r.capacity >= size and r.id not in taken), None)
                if free is None:
                    raise AssertionError(f"no room left at {venue} {date} {start}: model and assignment disagree")
                taken.add(free.id)
                placements[self.meetings[choice.meeting].id] = (choice.option, free.id)
        return placements

    @staticmethod
    def _colour_intervals(rooms: tuple[str, ...], members: list[_Choice]) -> list[tuple[_Choice, str]]:
        """Rooms for meetings of one group, in start order: never more overlap than rooms."""
        free_at: dict[str, tuple[dt.date, int]] = {}
        result = []
        for choice in sorted(members, key=lambda ch: (ch.option.date, ch.option.start)):
            when = (choice.option.date, choice.option.start)
            room_id = next((r for r in rooms if free_at.get(r, when) <= when), None)
            if room_id is None:
                raise AssertionError(f"room group {rooms} over-full: model and assignment disagree")
            free_at[room_id] = (choice.option.date, choice.option.end)
            result.append((choice, room_id))
        return result


def _min_bound(bound: int, other: int | None) -> int:
    return bound if other is None else min(bound, other)


class NoSchedule(Exception):
    """The solver ended without any schedule (exit status 1)."""


class _Callback(cp_model.CpSolverSolutionCallback):
    def __init__(self, on_solution: Callable[[float, int], None], placed: cp_model.IntVar) -> None:
        super().__init__()
        self._on_solution = on_solution
        self._placed = placed

    def on_solution_callback(self) -> None:
        self._on_solution(self.objective_value, self.value(self._placed))


def _priority_of(weighted: float, weight: int) -> int:
    return math.ceil(round(weighted) / weight) if weight > 1 else round(weighted)


def _priority_bound(weighted_bound: float, weight: int, max_penalty: int) -> int:
    """A proven bound on total priority from a bound on weight*priority - penalties."""
    return math.floor((math.floor(weighted_bound + 1e-6) + max_penalty) / weight)


def _starts_at(option: Option) -> dt.datetime:
    return dt.datetime.combine(option.date, dt.time(option.start // 60, option.start % 60))


def to_assignment(meeting_id: str, option: Option, room: str, people: list[str] | None = None) -> Assignment:
    return Assignment(
        meeting=meeting_id,
        date=option.date.isoformat(),
        start=to_clock(option.start),
        end=to_clock(option.end),
        city=option.city,
        venue=option.venue,
        room=room,
        participants=people,
    )


def outcome_to_schedule(
    outcome: SolveOutcome, request: SolveRequest, instance_path: str, instance_sha256: str
) -> Schedule:
    """A plain Schedule, meetings in instance order."""
    assignments = [
        to_assignment(m.id, *outcome.placements[m.id], request.meeting_participants(m))
        for m in request.instance.meetings
        if m.id in outcome.placements
    ]
    unscheduled = [
        Unscheduled(meeting=m.id, reason=outcome.unscheduled[m.id])
        for m in request.instance.meetings
        if m.id in outcome.unscheduled
    ]
    return Schedule(
        instance=instance_path,
        instance_sha256=instance_sha256,
        event=request.instance.event.name,
        created=dt.datetime.now(dt.UTC).astimezone().isoformat(timespec="seconds"),
        status="OPTIMAL" if outcome.status == "OPTIMAL" else "FEASIBLE",
        objective=outcome.objective,
        bound=outcome.bound,
        assignments=assignments,
        unscheduled=unscheduled,
        solve_seconds=round(outcome.seconds, 2),
    )


def solve(
    request: SolveRequest,
    params: SolveParams,
    on_progress: Callable[[Progress], None] | None = None,
) -> SolveOutcome:
    """Bound, warm-start and solve; `params.time_limit` covers all of it.

    A fresh solve whose greedy start falls short of the LP bound decomposes: the aggregate
    LP (PDLP) gives a proven bound and, rounded, a choice of venue day per meeting; stage A
    (CP-SAT on the aggregate, whose optimum is also a proven bound) improves that choice;
    an exact model per date packs it; a greedy fills what is left; the full model
    polishes from there when it is small enough. Re-solves (pins) go straight to the
    full model. Every stage starts from the best schedule so far, so the result is never
    worse than the greedy; Ctrl-C at any stage returns the best schedule found so far.
    """
    return _Pipeline(request, params, on_progress).run()


class _Pipeline:
    def __init__(self, request: SolveRequest, params: SolveParams, on_progress: Callable[[Progress], None] | None):
        self.request = request
        self.params = params
        self.on_progress = on_progress
        self.started = time.monotonic()
        self.deadline = self.started + params.time_limit
        self.last: dict[str, int | None] = {"objective": None, "bound": None, "placed": None}
        self.best: dict[str, tuple[Option, str]] = {}
        self.bound: int | None = None
        self.lp_values: list[float] | None = None
        self.greedy_seconds = 0.0
        self.first_schedule_seconds: float | None = None

    def report(self, phase: str, **values: int | None) -> None:
        self.last.update({k: v for k, v in values.items() if v is not None})
        if self.on_progress is not None:
            last = self.last
            elapsed = time.monotonic() - self.started
            self.on_progress(Progress(elapsed, last["objective"], last["bound"], last["placed"], phase))

    def left(self, share: float = 1.0) -> float:
        return max(0.5, (self.deadline - time.monotonic()) * share)

    def value(self, placements: Mapping[str, object]) -> int:
        return self.prepared.value(placements)

    def params_for(self, share: float) -> SolveParams:
        return SolveParams(self.left(share), self.params.workers, self.params.seed, self.params.log)

    def run(self) -> SolveOutcome:
        self.report("reading requests")
        self.prepared = Prepared(self.request)
        self.people = {m.id: self.prepared.participants[i] for i, m in enumerate(self.prepared.meetings)}
        self.options = self.prepared.options_by_id()
        self.size = sum(len(o) for o in self.options.values())
        try:
            self._greedy()
            self._bound()
            if self._worth_decomposing() and not self._decompose():
                return self._finish("FEASIBLE")
        except KeyboardInterrupt:
            if self.first_schedule_seconds is None:
                raise NoSchedule("interrupted before any schedule was found; nothing written") from None
            return self._finish("FEASIBLE")
        if self.bound is not None and self.value(self.best) >= self.bound:
            return self._finish("OPTIMAL")
        if not self._will_polish() and self._worth_decomposing():
            return self._finish("FEASIBLE")  # the full model would cost more memory and time than it gains
        if self.deadline - time.monotonic() < 1.0 + self.size / OPTIONS_BUILT_PER_SECOND:
            return self._finish("FEASIBLE")  # no time left to build the full model, let alone search it
        return self._polish()

    def remaining(self) -> float:
        return self.deadline - time.monotonic()

    def _bound(self) -> None:
        """The aggregated relaxation and its proven LP bound."""
        if self.remaining() < 2.0:
            return  # no time for the relaxation: the greedy schedule stands, with the trivial bound
        self.report("LP bound")
        pins = self.request.pins
        self.agg = build_aggregate(
            self.request.instance,
            self.prepared.meetings,
            {mid: _with_pin(opts, pins.get(mid)) for mid, opts in self.options.items()},
            self.people,
            list(self.request.instance.rooms),
        )
        lp = solve_lp(self.agg, time_limit=self.left(0.3))
        if lp is not None:
            self.bound, self.lp_values = lp.bound, lp.values
        self.report("LP bound", bound=self.bound)

    def _greedy_from(
        self, options: dict[str, list[Option]], start: dict[str, tuple[Option, str]]
    ) -> dict[str, tuple[Option, str]]:
        free_rooms = [r for r in self.request.instance.rooms if r.id not in self.request.excluded_rooms]
        return greedy_placements(
            self.request.instance,
            self.prepared.meetings,
            lambda m: options.get(m.id, []),
            lambda m: self.people[m.id],
            free_rooms,
            fixed=start,
            caps=self.request.max_meetings,
        )

    def _greedy(self) -> None:
        """A first complete schedule in about a second: pins and hint kept, the rest greedy."""
        self.report("greedy start")
        fixed = {mid: (pin.option, pin.room) for mid, pin in self.request.pins.items()}
        fixed.update(self.request.hint)
        began = time.monotonic()
        self.best = self._greedy_from(self.options, fixed)
        self.greedy_seconds = time.monotonic() - began
        self.first_schedule_seconds = time.monotonic() - self.started
        self.report("greedy start", objective=self.value(self.best), placed=len(self.best))

    def _worth_decomposing(self) -> bool:
        return not self.request.pins and self.bound is not None and self.value(self.best) < self.bound

    def _will_polish(self) -> bool:
        """Whether the full model runs after the decomposition (too large: it would cost more than it gains)."""
        return self.size <= MAX_POLISH_LITERALS

    def _decompose(self) -> bool:
        """Choose venue days (aggregated model), pack each date exactly, fill; False if interrupted."""
        if self.remaining() < 1.0:
            return True
        self.report("rounding the LP")
        blocks = {mid: block_of(option) for mid, (option, _) in self.best.items()}
        if self.lp_values is not None:
            rounded = round_lp(self.agg, self.lp_values)
            if self.value(rounded) > self.value(blocks):
                blocks = rounded
        if self.remaining() >= 2.0 + len(self.agg.cost) / STAGE_A_COLUMNS_PER_SECOND:
            self.report("choosing days")
            # Measured at 3,000 x 20,000: stage A gains most; packing a date gains less per second.
            share = 0.6 if self._will_polish() else 0.8
            keep = None
            if self.lp_values is not None and len(self.agg.meeting_column) > RESTRICT_ABOVE_COLUMNS:
                keep = lp_support(self.agg, self.lp_values, blocks)
            stage_a = solve_aggregate(
                self.agg, self.left(share), self.params.workers, self.params.seed, blocks, self.people, keep
            )
            if stage_a is not None:
                if stage_a.bound is not None:
                    self.bound = _min_bound(stage_a.bound, self.bound)
                if stage_a.interrupted:
                    return False
                if stage_a.objective > self.value(blocks):
                    blocks = stage_a.blocks
        self.report("packing days", bound=self.bound)
        seconds = self.remaining() * (0.6 if self._will_polish() else 1.0) - self.greedy_seconds  # the fill after
        packed, interrupted = self._pack(blocks, seconds)
        filled = self._greedy_from(self.options, packed)
        if self.value(filled) > self.value(self.best):
            self.best = filled
        self.report("days packed", objective=self.value(self.best), placed=len(self.best), bound=self.bound)
        return not interrupted

    def _pack(self, blocks: dict[str, Block], seconds: float) -> tuple[dict[str, tuple[Option, str]], bool]:
        """Exact times and rooms for the chosen venue days, one model per date (dates share only caps,
        which any subset of a choice that fits the aggregate respects); unused time passes on."""
        by_date: dict[dt.date, dict[str, list[Option]]] = defaultdict(dict)
        for mid, block in blocks.items():
            by_date[block[1]][mid] = [o for o in self.options[mid] if block_of(o) == block]
        deadline = time.monotonic() + seconds
        packed: dict[str, tuple[Option, str]] = {}
        for n, date in enumerate(sorted(by_date)):
            narrowed = by_date[date]
            start = self._greedy_from(narrowed, {})
            budget = (deadline - time.monotonic()) / (len(by_date) - n)
            building = sum(len(o) for o in narrowed.values()) / OPTIONS_BUILT_PER_SECOND
            complete = self.value(start) == self.value(narrowed)
            if not complete and budget >= building + 1.0:
                packer = ScheduleModel(self.request, self.prepared, options=narrowed)
                packer.add_hint(start)
                params = SolveParams(budget - building, self.params.workers, self.params.seed, self.params.log)
                outcome = packer.solve(params, fallback=start)
                start = outcome.placements
                if outcome.interrupted:
                    return {**packed, **start}, True
            packed.update(start)
            self.report(f"packing days ({n + 1}/{len(by_date)})")
        return packed, False

    def _polish(self) -> SolveOutcome:
        """The full model from the best schedule so far, for the time that is left."""
        self.report("building model")
        self.full = ScheduleModel(self.request, self.prepared)
        self.full.add_hint(self.best)
        offset = time.monotonic() - self.started

        def shifted(progress: Progress) -> None:
            if self.on_progress is not None:
                self.on_progress(
                    Progress(
                        progress.elapsed + offset, progress.objective, progress.bound, progress.placed, progress.phase
                    )
                )

        outcome = self.full.solve(self.params_for(1.0), shifted, fallback=self.best, extra_bound=self.bound)
        return self._stamp(outcome)

    def _finish(self, status: str) -> SolveOutcome:
        bound = self.bound if self.bound is not None else sum(m.priority for m in self.prepared.meetings)
        return self._stamp(self.prepared.outcome(dict(self.best), status, bound, 0, self.started))

    def _stamp(self, outcome: SolveOutcome) -> SolveOutcome:
        outcome.seconds = time.monotonic() - self.started
        outcome.first_schedule_seconds = self.first_schedule_seconds
        return outcome


def _with_pin(options: list[Option], pin: Pin | None) -> list[Option]:
    return options if pin is None or pin.option in options else [pin.option, *options]
