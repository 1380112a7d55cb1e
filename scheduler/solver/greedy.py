"""A fast, room-exact greedy schedule, used as CP-SAT's starting point (a complete hint).

The solver starts from this, so its answer is never worse than the greedy. Fixed placements
(pins, hints) go first, each only if it breaks nothing already taken; then meetings in order
of priority (then scarcity of options), each into its first option where every participant
is free, in one city that date, under their cap, and a real room is free for all its slots.
Rooms are tried smallest first, lowest-numbered first (T-3 before T-10).
"""

from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field

from scheduler.model import Instance, Meeting, Option, Room
from scheduler.solver.interpreters import InterpreterDesk
from scheduler.solver.rooms import natural_key
from scheduler.solver.travel import TravelClock

Placements = dict[str, tuple[Option, str]]


@dataclass
class Draft:
    placements: Placements = field(default_factory=dict)
    """Meeting id -> (option, room) for the meetings the greedy placed."""
    refused: dict[str, str] = field(default_factory=dict)
    """Fixed meeting id -> why it could not be kept where given."""
    interpreters: dict[str, str] = field(default_factory=dict)
    """Placed meeting id -> its interpreter, where it needs one."""


class _Occupancy:
    """Who and which rooms are busy when, each person's city per date and meeting count."""

    def __init__(
        self, instance: Instance, rooms: Iterable[Room], closed: set[str], caps: Callable[[str], int | None] | None
    ) -> None:
        self.step = instance.event.slot_minutes
        self.max_consecutive = instance.event.max_consecutive
        self.caps = {p.id: caps(p.id) if caps is not None else p.max_meetings for p in instance.participants}
        self.busy: set[tuple[str, dt.date, int]] = set()
        self.city_on: dict[tuple[str, dt.date], str] = {}
        self.count: Counter[str] = Counter()
        self.room_busy: set[tuple[str, dt.date, int]] = set()
        self.room_of = {room.id: room for room in rooms}
        # Free rooms per (venue, date, tick, capacity): a set, and a stack of ids lowest on top
        # whose taken entries are skipped lazily, so the first free room costs O(1), not O(rooms).
        self.ids_of_class: dict[tuple[str, int], list[str]] = defaultdict(list)
        in_order = sorted(self.room_of.values(), key=lambda r: (r.capacity, natural_key(r.id)))
        self.rank = {room.id: k for k, room in enumerate(in_order)}
        """Room id -> its place in that order: the lowest free room of many without re-parsing ids."""
        for room in in_order:
            if room.id not in closed:
                self.ids_of_class[(room.venue, room.capacity)].append(room.id)
        self.capacities: dict[str, list[int]] = defaultdict(list)
        for venue, capacity in self.ids_of_class:
            self.capacities[venue].append(capacity)
        self.free_sets: dict[tuple[str, dt.date, int, int], set[str]] = {}
        self.free_stacks: dict[tuple[str, dt.date, int, int], list[str]] = {}

    def ticks(self, option: Option) -> range:
        return range(option.start, option.end, self.step)

    def free_set(self, venue: str, date: dt.date, tick: int, capacity: int) -> set[str]:
        key = (venue, date, tick, capacity)
        if key not in self.free_sets:
            self.free_sets[key] = set(self.ids_of_class[(venue, capacity)])
            self.free_stacks[key] = self.ids_of_class[(venue, capacity)][::-1]
        return self.free_sets[key]

    def first_free_room(self, option: Option, size: int) -> str | None:
        ticks = self.ticks(option)
        for capacity in self.capacities[option.venue]:
            if capacity < size:
                continue
            if len(ticks) == 1:
                free = self.free_set(option.venue, option.date, ticks[0], capacity)
                stack = self.free_stacks[(option.venue, option.date, ticks[0], capacity)]
                while stack and stack[-1] not in free:
                    stack.pop()
                if stack:
                    return stack[-1]
            else:
                common = set.intersection(*(self.free_set(option.venue, option.date, t, capacity) for t in ticks))
                if common:
                    return min(common, key=self.rank.__getitem__)
        return None

    def people_fit(self, people: list[str], option: Option) -> str | None:
        """Why these people cannot meet at `option`, or None if they can."""
        for p in people:
            cap = self.caps[p]
            if cap is not None and self.count[p] >= cap:
                return f"{p} already has max_meetings ({cap})"
            if self.city_on.get((p, option.date), option.city) != option.city:
                return f"{p} is in {self.city_on[(p, option.date)]} that date"
            if any((p, option.date, t) in self.busy for t in self.ticks(option)):
                return f"{p} is in another meeting then"
            if self.without_break(p, option):
                return f"{p} would have more than max_consecutive ({self.max_consecutive}) slots in a row"
        return None

    def without_break(self, pid: str, option: Option) -> bool:
        """Whether taking `option` gives the person more than max_consecutive slots in a row."""
        limit = self.max_consecutive
        if limit is None:
            return False
        run = (option.end - option.start) // self.step
        t = option.start - self.step
        while (pid, option.date, t) in self.busy:
            run, t = run + 1, t - self.step
        t = option.end
        while (pid, option.date, t) in self.busy:
            run, t = run + 1, t + self.step
        return run > limit

    def room_fits(self, option: Option, room_id: str, size: int) -> str | None:
        """Why `room_id` cannot hold these people at `option`, or None if it can."""
        room = self.room_of.get(room_id)
        if room is None or room.venue != option.venue:
            return f"room {room_id} is not a room of venue {option.venue}"
        if room.capacity < size:
            return f"room {room_id} holds {room.capacity}, not {size}"
        if any((room_id, option.date, t) in self.room_busy for t in self.ticks(option)):
            return f"room {room_id} holds another meeting then"
        return None

    def take(self, people: list[str], option: Option, room_id: str) -> None:
        ticks = self.ticks(option)
        for pid in people:
            self.city_on[(pid, option.date)] = option.city
            self.count[pid] += 1
            self.busy.update((pid, option.date, t) for t in ticks)
        room = self.room_of[room_id]
        for t in ticks:
            self.room_busy.add((room_id, option.date, t))
            self.free_set(option.venue, option.date, t, room.capacity).discard(room_id)


def greedy_placements(
    instance: Instance,
    meetings: list[Meeting],
    options_of: Callable[[Meeting], list[Option]],
    participants_of: Callable[[Meeting], list[str]],
    rooms: list[Room],
    fixed: Placements | None = None,
    closed_rooms: set[str] | frozenset[str] = frozenset(),
    cap_of: Callable[[str], int | None] | None = None,
    candidates_of: Callable[[Meeting], list[str]] | None = None,
    preferred_interpreters: Mapping[str, str] | None = None,
    history_busy: Mapping[tuple[str, dt.date], tuple[str, frozenset[int]]] | None = None,
    history: frozenset[str] | set[str] = frozenset(),
    vouched: frozenset[str] | set[str] = frozenset(),
) -> Draft:
    """A draft schedule: fixed placements first, each checked against those before it, then greedy.

    `rooms`: every room, `closed_rooms` (cancelled) excepted for new placements only: a fixed
    placement may still sit in one (frozen history). Each person's max_meetings where a
    re-solve changes it (`cap_of`, default: the instance's). A meeting with interpreter
    `candidates_of` takes the first of them free then, and a seat more in its room. Fixed
    `history` happened: a travel rule tightened since does not refuse it (it comes first).
    `vouched` fixed placements are known to fit together (a checked previous schedule): taken
    without checking each against those before it (0.3 s for 30,000 at 60,000 requests).
    """
    state = _Occupancy(instance, rooms, set(closed_rooms), cap_of)
    desk = InterpreterDesk(instance, cap_of, history_busy)
    clock = TravelClock(instance)
    draft = Draft()
    by_id = {m.id: m for m in meetings}

    def candidates(meeting: Meeting) -> list[str]:
        return candidates_of(meeting) if candidates_of is not None else []

    def take(meeting: Meeting, people: list[str], option: Option, room_id: str, interpreter: str | None) -> None:
        state.take(people, option, room_id)
        clock.take(meeting.id, people, option)
        if interpreter is not None:
            desk.take(interpreter, option, meeting.id)
            draft.interpreters[meeting.id] = interpreter
        draft.placements[meeting.id] = (option, room_id)

    for mid, (option, room_id) in (fixed or {}).items():
        if mid not in by_id or mid in draft.placements:
            continue
        people = participants_of(by_id[mid])
        wanted = candidates(by_id[mid])
        kept = (preferred_interpreters or {}).get(mid)
        if mid in history and kept in wanted:
            interpreter: str | None = kept  # it happened with them (a rule tightened since aside)
        else:
            interpreter = desk.pick(wanted, option, kept) if wanted else None
        why = None
        if mid not in vouched:
            why = state.room_fits(option, room_id, len(people) + bool(wanted)) or state.people_fit(people, option)
            if why is None and mid not in history and not clock.fits(people, option):
                why = "no time to travel between cities (travel rules)"
        if why is None and wanted and interpreter is None:
            why = "no interpreter free then"
        if why is None:
            take(by_id[mid], people, option, room_id, interpreter)
        else:
            draft.refused[mid] = why

    options = {m.id: options_of(m) for m in meetings if m.id not in draft.placements}
    order = sorted(
        (m for m in meetings if m.id not in draft.placements),
        key=lambda m: (-m.priority, len(options[m.id]), m.id),
    )
    step, caps, count, city_on, busy = state.step, state.caps, state.count, state.city_on, state.busy  # hot loop
    breaks = state.max_consecutive is not None
    for meeting in order:
        people = participants_of(meeting)
        if any(caps[p] is not None and count[p] >= caps[p] for p in people):  # type: ignore[operator]
            continue
        for option in options[meeting.id]:
            if any(city_on.get((p, option.date), option.city) != option.city for p in people):
                continue
            if any((p, option.date, t) in busy for p in people for t in range(option.start, option.end, step)):
                continue
            if breaks and any(state.without_break(p, option) for p in people):
                continue
            if not clock.fits(people, option):
                continue
            wanted = candidates(meeting)
            interpreter = desk.pick(wanted, option) if wanted else None
            if wanted and interpreter is None:
                continue
            free_room = state.first_free_room(option, len(people) + bool(wanted))
            if free_room is not None:
                take(meeting, people, option, free_room, interpreter)
                break
    return draft
