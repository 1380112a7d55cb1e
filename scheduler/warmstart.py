"""A fast, room-exact greedy schedule, used as CP-SAT's starting point (a complete hint).

The solver starts from this, so its answer is never worse than the greedy. Meetings go in
order of priority (then scarcity of options, then the LP's preference where given), each
into its first option where every participant is free, in one city that date, under their
cap, and a real room is free for all its slots.
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
    preference: dict[str, float] | None = None,
    fixed: dict[str, tuple[Option, str]] | None = None,
) -> dict[str, tuple[Option, str]]:
    """Meeting id -> (option, room) for the meetings the greedy could place."""
    step = instance.event.slot_minutes
    busy: set[tuple[str, dt.date, int]] = set()
    city_on: dict[tuple[str, dt.date], str] = {}
    count: Counter[str] = Counter()
    room_busy: set[tuple[str, dt.date, int]] = set()
    by_venue: dict[str, list[Room]] = defaultdict(list)
    for room in sorted(rooms, key=lambda r: (r.capacity, r.id)):
        by_venue[room.venue].append(room)
    caps = {p.id: p.max_meetings for p in instance.participants}
    placements: dict[str, tuple[Option, str]] = {}

    def take(meeting: Meeting, option: Option, room_id: str) -> None:
        ticks = range(option.start, option.end, step)
        for pid in participants_of(meeting):
            city_on[(pid, option.date)] = option.city
            count[pid] += 1
            busy.update((pid, option.date, t) for t in ticks)
        room_busy.update((room_id, option.date, t) for t in ticks)
        placements[meeting.id] = (option, room_id)

    by_id = {m.id: m for m in meetings}
    for mid, (option, room_id) in (fixed or {}).items():
        if mid in by_id:
            take(by_id[mid], option, room_id)

    prefer = preference or {}
    options = {m.id: options_of(m) for m in meetings if m.id not in placements}
    order = sorted(
        (m for m in meetings if m.id not in placements),
        key=lambda m: (-m.priority, -prefer.get(m.id, 0.0), len(options[m.id]), m.id),
    )
    for meeting in order:
        people = participants_of(meeting)
        if any(caps[p] is not None and count[p] >= caps[p] for p in people):  # type: ignore[operator]
            continue
        for option in options[meeting.id]:
            ticks = range(option.start, option.end, step)
            if any(city_on.get((p, option.date), option.city) != option.city for p in people):
                continue
            if any((p, option.date, t) in busy for p in people for t in ticks):
                continue
            free_room = next(
                (
                    r
                    for r in by_venue[option.venue]
                    if r.capacity >= len(people) and all((r.id, option.date, t) not in room_busy for t in ticks)
                ),
                None,
            )
            if free_room is not None:
                take(meeting, option, free_room.id)
                break
    return placements
