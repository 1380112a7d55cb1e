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
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from ortools.sat.python import cp_model
from ortools.sat.python.cp_model import LinearExpr

from scheduler.model import Instance, Meeting, Option, Room, to_clock
from scheduler.solution import Assignment, Schedule, Unscheduled

Tick = tuple[dt.date, int]


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

    def meeting_participants(self, meeting: Meeting) -> list[str]:
        return self.participants_of.get(meeting.id, meeting.participants)


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


class ScheduleModel:
    """Builds the CP-SAT model one rule at a time, solves it, and reads the answer back."""

    def __init__(self, request: SolveRequest) -> None:
        self.request = request
        self.instance = request.instance
        self.step = self.instance.event.slot_minutes
        self.model = cp_model.CpModel()
        self.meetings = [m for m in self.instance.meetings if m.id not in request.excluded_meetings]
        self.participants = [request.meeting_participants(m) for m in self.meetings]
        self.rooms = list(self.instance.rooms)
        self.choices: list[_Choice] = []
        self.literals: list[cp_model.IntVar] = []
        self.meeting_choices: list[list[int]] = [[] for _ in self.meetings]
        self.no_option_reason: dict[int, str] = {}
        self.move_literals: list[cp_model.LinearExprT] = []
        self.penalties: list[cp_model.LinearExprT] = []
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
        frozen_until = self.request.frozen_until
        for idx, meeting in enumerate(self.meetings):
            people = self.participants[idx]
            effective = (
                meeting if people == meeting.participants else meeting.model_copy(update={"participants": people})
            )
            pin = self.request.pins.get(meeting.id)
            if pin is not None:
                self._new_choice(_Choice(idx, pin.option, self.group_of_room[pin.room], pinned=True))
            if pin is not None and pin.forced:
                continue
            options = self.instance.meeting_options(effective)
            if frozen_until is not None:
                options = [o for o in options if _starts_at(o) >= frozen_until]
            usable = 0
            for option in options:
                level = self._need_level(option.venue, len(people))
                if level is None:
                    continue
                if meeting.slots == 1:
                    self._new_choice(_Choice(idx, option, None))
                    usable += 1
                    continue
                for g, group in enumerate(self.groups):
                    if group.venue == option.venue and group.capacity >= len(people) and not group.cancelled:
                        self._new_choice(_Choice(idx, option, g))
                        usable += 1
            if usable == 0 and not self.meeting_choices[idx]:
                if options:
                    self.no_option_reason[idx] = "no usable room"
                elif frozen_until is not None and self.instance.meeting_options(effective):
                    self.no_option_reason[idx] = "every possible time is before the frozen time"
                else:
                    self.no_option_reason[idx] = self.instance.why_impossible(effective)

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
        in_city: dict[tuple[str, dt.date, str], cp_model.IntVar] = {}
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
            limit = self.instance.participant_by_id[pid].max_meetings
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
        index = {m.id: i for i, m in enumerate(self.meetings)}
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

    # ---- solving and reading back ----

    def solve(self, params: SolveParams, on_progress: Callable[[Progress], None] | None = None) -> SolveOutcome:
        started = time.monotonic()
        solver = cp_model.CpSolver()
        solver.parameters.max_time_in_seconds = max(0.1, params.time_limit)
        solver.parameters.num_workers = max(1, params.workers)
        solver.parameters.random_seed = params.seed
        solver.parameters.log_search_progress = params.log
        if params.workers <= 4:
            # CP-SAT's default portfolio for few workers leaves out max_lp, whose full
            # linearisation is what proves optimality on these models (2025: 9 s vs none in 60 s).
            solver.parameters.subsolvers.extend(["max_lp", "default_lp"])
        placed_var = self.model.new_int_var(0, len(self.meetings), "placed")
        self.model.add(placed_var == LinearExpr.sum(self.literals))
        state: dict[str, int | None] = {"objective": None, "bound": None, "placed": None}

        def report(phase: str) -> None:
            if on_progress is not None:
                on_progress(
                    Progress(time.monotonic() - started, state["objective"], state["bound"], state["placed"], phase)
                )

        weight, max_penalty = self.weight, len(self.penalties)

        def on_solution(weighted: float, placed: int) -> None:
            state.update(objective=_priority_of(weighted, weight), placed=placed)
            report("solving")

        def on_bound(weighted_bound: float) -> None:
            state.update(bound=_priority_bound(weighted_bound, weight, max_penalty))
            report("solving")

        callback = _Callback(on_solution, placed_var)
        if on_progress is not None:
            solver.best_bound_callback = on_bound
        status = solver.solve(self.model, callback)
        seconds = time.monotonic() - started
        if status not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
            raise NoSchedule(f"CP-SAT found no schedule ({solver.status_name(status)}) within the time limit")
        values = solver.boolean_values(self.literals)
        chosen = [self.choices[c] for c, on in enumerate(values) if on]
        placements = self._assign_rooms(chosen)
        objective = sum(self.meetings[c.meeting].priority for c in chosen)
        bound = _priority_bound(solver.best_objective_bound, weight, max_penalty)
        moves = sum(1 for c, on in enumerate(values) if self.choices[c].pinned and not on)
        placed_idx = {c.meeting for c in chosen}
        unscheduled = {
            m.id: self._unscheduled_reason(i, placements) for i, m in enumerate(self.meetings) if i not in placed_idx
        }
        return SolveOutcome(
            status=solver.status_name(status),
            objective=objective,
            bound=max(bound, objective),
            placements=placements,
            unscheduled=unscheduled,
            moves=moves,
            seconds=seconds,
        )

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

    def _unscheduled_reason(self, idx: int, placements: dict[str, tuple[Option, str]]) -> str:
        if idx in self.no_option_reason:
            return self.no_option_reason[idx]
        for pid in self.participants[idx]:
            limit = self.instance.participant_by_id[pid].max_meetings
            if limit is not None:
                count = sum(1 for m in self.instance.participant_meetings[pid] if m.id in placements)
                if count >= limit:
                    return f"{pid} already has max_meetings ({limit})"
        return "no time left with all participants and a room free"


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


def to_assignment(meeting_id: str, option: Option, room: str) -> Assignment:
    return Assignment(
        meeting=meeting_id,
        date=option.date.isoformat(),
        start=to_clock(option.start),
        end=to_clock(option.end),
        city=option.city,
        venue=option.venue,
        room=room,
    )


def outcome_to_schedule(
    outcome: SolveOutcome, request: SolveRequest, instance_path: str, instance_sha256: str
) -> Schedule:
    """A plain Schedule, meetings in instance order."""
    assignments = [
        to_assignment(m.id, *outcome.placements[m.id]) for m in request.instance.meetings if m.id in outcome.placements
    ]
    unscheduled = [
        Unscheduled(meeting=m.id, reason=outcome.unscheduled[m.id])
        for m in request.instance.meetings
        if m.id in outcome.unscheduled
    ]
    return Schedule(
        instance=instance_path,
        instance_sha256=instance_sha256,
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
    """Build, warm-start and solve; `params.time_limit` covers all of it."""
    started = time.monotonic()

    def report(phase: str) -> None:
        if on_progress is not None:
            on_progress(Progress(time.monotonic() - started, None, None, None, phase))

    report("building model")
    builder = ScheduleModel(request)
    if request.hint:
        builder.add_hint(request.hint)
    remaining = params.time_limit - (time.monotonic() - started)
    offset = time.monotonic() - started

    def shifted(progress: Progress) -> None:
        if on_progress is not None:
            on_progress(
                Progress(progress.elapsed + offset, progress.objective, progress.bound, progress.placed, progress.phase)
            )

    outcome = builder.solve(SolveParams(max(0.5, remaining), params.workers, params.seed, params.log), shifted)
    outcome.seconds = time.monotonic() - started
    return outcome
