"""A fast, room-exact greedy schedule, used as CP-SAT's starting point (a complete hint).

The solver starts from this, so its answer is never worse than the greedy. Meetings go in
order of priority (then scarcity of options), each into its first option where every
participant is free, in one city that date, under their cap, and a real room is free for
all its slots.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict
from collections.abc import Callable

from scheduler.model import Instance, Meeting, Option, Room


def greedy_placements(
    instance: Instance,
    meetings: list[Meeting],
    options_of: Callable[[Meeting], list[Option]],
    participants_of: Callable[[Meeting], list[str]],
    rooms: list[Room],
    fixed: dict[str, tuple[Option, str]] | None = None,
    caps: Callable[[str], int | None] | None = None,
) -> dict[str, tuple[Option, str]]:
    """Meeting id -> (option, room) for the meetings the greedy could place."""
    step = instance.event.slot_minutes
    busy: set[tuple[str, dt.date, int]] = set()
    city_on: dict[tuple[str, dt.date], str] = {}
    count: Counter[str] = Counter()
    # Free rooms per (venue, date, tick, capacity): a set, and a stack of ids smallest on top
    # whose taken entries are skipped lazily, so the first free room costs O(1), not O(rooms).
    ids_of_class: dict[tuple[str, int], list[str]] = defaultdict(list)
    for room in sorted(rooms, key=lambda r: (r.capacity, r.id)):
        ids_of_class[(room.venue, room.capacity)].append(room.id)
    capacities: dict[str, list[int]] = defaultdict(list)
    for venue, capacity in ids_of_class:
        capacities[venue].append(capacity)
    room_of = {room.id: room for room in rooms}
    free_sets: dict[tuple[str, dt.date, int, int], set[str]] = {}
    free_stacks: dict[tuple[str, dt.date, int, int], list[str]] = {}

    def free_set(venue: str, date: dt.date, tick: int, capacity: int) -> set[str]:
        key = (venue, date, tick, capacity)
        if key not in free_sets:
            free_sets[key] = set(ids_of_class[(venue, capacity)])
            free_stacks[key] = ids_of_class[(venue, capacity)][::-1]
        return free_sets[key]

    def first_free_room(option: Option, size: int) -> str | None:
        ticks = range(option.start, option.end, step)
        for capacity in capacities[option.venue]:
            if capacity < size:
                continue
            if len(ticks) == 1:
                free = free_set(option.venue, option.date, ticks[0], capacity)
                stack = free_stacks[(option.venue, option.date, ticks[0], capacity)]
                while stack and stack[-1] not in free:
                    stack.pop()
                if stack:
                    return stack[-1]
            else:
                common = set.intersection(*(free_set(option.venue, option.date, t, capacity) for t in ticks))
                if common:
                    return min(common)
        return None

    cap_of = {p.id: (caps(p.id) if caps is not None else p.max_meetings) for p in instance.participants}
    placements: dict[str, tuple[Option, str]] = {}

    def take(meeting: Meeting, option: Option, room_id: str) -> None:
        ticks = range(option.start, option.end, step)
        for pid in participants_of(meeting):
            city_on[(pid, option.date)] = option.city
            count[pid] += 1
            busy.update((pid, option.date, t) for t in ticks)
        room = room_of.get(room_id)
        if room is not None:
            for t in ticks:
                free_set(option.venue, option.date, t, room.capacity).discard(room_id)
        placements[meeting.id] = (option, room_id)

    by_id = {m.id: m for m in meetings}
    for mid, (option, room_id) in (fixed or {}).items():
        if mid in by_id:
            take(by_id[mid], option, room_id)

    options = {m.id: options_of(m) for m in meetings if m.id not in placements}
    order = sorted(
        (m for m in meetings if m.id not in placements),
        key=lambda m: (-m.priority, len(options[m.id]), m.id),
    )
    for meeting in order:
        people = participants_of(meeting)
        if any((cap := cap_of[p]) is not None and count[p] >= cap for p in people):
            continue
        for option in options[meeting.id]:
            ticks = range(option.start, option.end, step)
            if any(city_on.get((p, option.date), option.city) != option.city for p in people):
                continue
            if any((p, option.date, t) in busy for p in people for t in ticks):
                continue
            free_room = first_free_room(option, len(people))
            if free_room is not None:
                take(meeting, option, free_room)
                break
    return placements
