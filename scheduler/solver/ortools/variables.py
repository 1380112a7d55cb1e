"""The CP model's decision variables: one literal per feasible (meeting, place[, room group]).

`Variables` also carries what the constraint and objective functions read (the request, its
prepared options, the room groups), so each of those is a small function of it alone.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

from ortools.sat.python import cp_model

from scheduler.model import Option
from scheduler.solver.prepared import Prepared
from scheduler.solver.request import SolveRequest
from scheduler.solver.rooms import RoomGroups, build_room_groups


@dataclass(frozen=True)
class Choice:
    meeting: int
    option: Option
    group: int | None
    """None: a single-slot meeting counted per slot; else the room group it holds."""
    pinned: bool = False


@dataclass
class Variables:
    request: SolveRequest
    prepared: Prepared
    rooms: RoomGroups
    model: cp_model.CpModel = field(default_factory=cp_model.CpModel)
    choices: list[Choice] = field(default_factory=list)
    literals: list[cp_model.IntVar] = field(default_factory=list)
    meeting_choices: list[list[int]] = field(default_factory=list)
    """Per meeting (prepared index): the indices of its choices."""
    in_city: dict[tuple[str, dt.date, str], cp_model.IntVar] = field(default_factory=dict)
    """(person, date, city) -> 'in this city that date', where a person has more than one city."""
    move_literals: list[cp_model.IntVar] = field(default_factory=list)
    """One per movable pin: true when it moves."""
    placed: cp_model.IntVar | None = None
    """How many meetings are placed (reported as progress)."""
    completions: list[Callable[[list[bool]], list[tuple[cp_model.IntVar, int]]]] = field(default_factory=list)
    """Each gives the values of some auxiliary (objective) variables for a schedule given by which
    choices are on: so a later phase's hint is complete, and CP-SAT checks it at once."""
    interpreter_literals: list[tuple[int, str, cp_model.IntVar]] = field(default_factory=list)
    """(choice index, interpreter id, 'this interpreter sits in this choice')."""
    interpreter_in_city: dict[tuple[str, dt.date, str], cp_model.IntVar] = field(default_factory=dict)
    """(interpreter, date, city) -> 'in this city that date', where they have more than one city."""
    kept_interpreter_literals: dict[int, cp_model.IntVar] = field(default_factory=dict)
    """Pinned choice index -> 'its kept interpreter sits in it' (`SolveRequest.kept_interpreter`)."""
    preferred_interpreters: dict[str, str] = field(default_factory=dict)
    """Meeting id -> interpreter a hint's schedule had (its completion keeps them where it can)."""
    built: dict[str, object] = field(default_factory=dict)
    """Objective terms built once and shared by several phases (`objective.gap_terms`)."""
    _person_ticks: dict[tuple[str, dt.date], dict[int, list[tuple[int, cp_model.IntVar]]]] | None = None

    @property
    def step(self) -> int:
        return self.request.instance.event.slot_minutes

    def ticks(self, option: Option) -> range:
        return range(option.start, option.end, self.step)

    def people(self, choice: Choice) -> list[str]:
        return self.prepared.participants[choice.meeting]

    def priority(self, choice: Choice) -> int:
        return self.prepared.meetings[choice.meeting].priority

    def person_ticks(self) -> dict[tuple[str, dt.date], dict[int, list[tuple[int, cp_model.IntVar]]]]:
        """(person, date) -> tick -> the (choice index, literal) pairs that keep them busy then."""
        if self._person_ticks is None:
            table: dict[tuple[str, dt.date], dict[int, list[tuple[int, cp_model.IntVar]]]] = {}
            for c, choice in enumerate(self.choices):
                for pid in self.people(choice):
                    ticks = table.setdefault((pid, choice.option.date), {})
                    for tick in self.ticks(choice.option):
                        ticks.setdefault(tick, []).append((c, self.literals[c]))
            self._person_ticks = table
        return self._person_ticks

    def interpreter_values(self, on: list[bool]) -> list[tuple[cp_model.IntVar, int]]:
        """Interpreter literals and city flags for the schedule given by which choices are on (a
        hint's completion: interpreters chosen in order of start, as the read-back does)."""
        if not self.interpreter_literals:
            return []
        from scheduler.solver.interpreters import assign_interpreters

        placed = {
            self.prepared.meetings[choice.meeting].id: (choice.option, "")
            for c, choice in enumerate(self.choices)
            if on[c]
        }
        assigned, _ = assign_interpreters(
            self.request.instance,
            placed,
            self.prepared.candidates_by_id(),
            self.preferred_interpreters,
            cap_of=self.request.max_meetings,
            busy=self.request.busy,
        )
        values = []
        cities = set()
        for c, iid, lit in self.interpreter_literals:
            choice = self.choices[c]
            sits = on[c] and assigned.get(self.prepared.meetings[choice.meeting].id) == iid
            values.append((lit, int(sits)))
            if sits:
                cities.add((iid, choice.option.date, choice.option.city))
        values.extend((flag, int(key in cities)) for key, flag in self.interpreter_in_city.items())
        return values

    def level(self, choice: Choice) -> int:
        """The capacity level a choice uses: its group's, or the smallest that holds its people."""
        if choice.group is not None:
            return self.rooms.groups[choice.group].level
        level = self.rooms.need_level(choice.option.venue, self.prepared.seats[choice.meeting])
        assert level is not None
        return level


def room_groups_for(request: SolveRequest) -> RoomGroups:
    """The instance's room groups; rooms holding a pin or cancelled stand alone."""
    alone = {pin.room for pin in request.pins.values()}
    return build_room_groups(request.instance.rooms, alone, request.excluded_rooms)


def choice_count(request: SolveRequest, prepared: Prepared, options: Mapping[str, list[Option]]) -> int:
    """How many literals `choice_variables` makes for these options, without making them: what
    building the model costs. A longer meeting takes one per room group that seats it, and a
    room holding a pin is a group of its own: a re-solve at 12,000 requests made 529,000 of its
    31,000 options, and took 9 s to build where counting options promised 1."""
    groups = room_groups_for(request)
    count = sum(1 for meeting in prepared.meetings if meeting.id in request.pins)
    for mid, opts in options.items():
        idx = prepared.index[mid]
        size = prepared.seats[idx]
        if prepared.meetings[idx].slots == 1:  # (an option is only where a room seats it)
            count += len(opts)
            continue
        count += sum(len(groups.seating(option.venue, size)) for option in opts)
    return count


def choice_variables(
    request: SolveRequest, prepared: Prepared, narrowed: dict[str, list[Option]] | None = None
) -> Variables:
    """One literal per feasible (meeting, start, venue[, room group]) (rules 1, 2, 5, 8).

    `narrowed`: narrower free options per meeting id (a stage); default all of `prepared`'s.
    """
    v = Variables(request, prepared, room_groups_for(request))
    v.meeting_choices = [[] for _ in prepared.meetings]

    def new(choice: Choice) -> None:
        v.meeting_choices[choice.meeting].append(len(v.choices))
        v.choices.append(choice)
        v.literals.append(v.model.new_bool_var(""))

    for idx, meeting in enumerate(prepared.meetings):
        size = prepared.seats[idx]
        pin = request.pins.get(meeting.id)
        if pin is not None:
            new(Choice(idx, pin.option, v.rooms.group_of_room[pin.room], pinned=True))
        options = narrowed.get(meeting.id, []) if narrowed is not None else prepared.options[idx]
        for option in options:
            if v.rooms.need_level(option.venue, size) is None:
                continue
            if meeting.slots == 1:
                new(Choice(idx, option, None))
                continue
            for g in v.rooms.seating(option.venue, size):
                new(Choice(idx, option, g))
    return v
