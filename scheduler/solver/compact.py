"""Closing idle gaps by local moves, for schedules too large for the CP quality phases in time.

Pure Python, no OR-Tools. Only single-slot meetings move, each to another of its own options
on the same date in the same city (so the same people, cities, caps and priority), into a room free then that
holds it, and only when that lowers the holes, then the idle slots, of the people in it,
without breaking anyone's max_consecutive. Every move keeps the schedule valid, so stopping
at any moment (the deadline) is safe.
"""

from __future__ import annotations

import datetime as dt
import itertools
import time
from collections import defaultdict

from scheduler.model import Instance, Meeting, Option, Room

Placements = dict[str, tuple[Option, str]]
Key = tuple[str, dt.date, int]
"""(person, date, session start)."""


class _Days:
    """Each person's busy slots per session, and each room's, as the moves change them."""

    def __init__(self, instance: Instance, placements: Placements, people: dict[str, list[str]]) -> None:
        self.step = instance.event.slot_minutes
        self.limit = instance.event.max_consecutive
        self.windows: dict[tuple[str, dt.date], list[tuple[int, int]]] = defaultdict(list)
        for session in instance.sessions:
            self.windows[(session.venue, session.date)].append((session.start, session.end))
        self.busy: dict[Key, set[int]] = defaultdict(set)
        self.day_busy: dict[tuple[str, dt.date], set[int]] = defaultdict(set)
        self.room_busy: set[tuple[str, dt.date, int]] = set()
        self.people = people
        for mid, (option, room) in placements.items():
            self.take(mid, option, room)

    def window(self, option: Option) -> int:
        return next(s for s, e in self.windows[(option.venue, option.date)] if s <= option.start and option.end <= e)

    def ticks(self, option: Option) -> range:
        return range(option.start, option.end, self.step)

    def take(self, mid: str, option: Option, room: str) -> None:
        for pid in self.people[mid]:
            self.busy[(pid, option.date, self.window(option))].update(self.ticks(option))
            self.day_busy[(pid, option.date)].update(self.ticks(option))
        self.room_busy.update((room, option.date, t) for t in self.ticks(option))

    def free(self, mid: str, option: Option, room: str) -> None:
        for pid in self.people[mid]:
            self.busy[(pid, option.date, self.window(option))].difference_update(self.ticks(option))
            self.day_busy[(pid, option.date)].difference_update(self.ticks(option))
        self.room_busy.difference_update((room, option.date, t) for t in self.ticks(option))

    def gaps(self, key: Key) -> tuple[int, int]:
        """(holes, idle slots) of one person's session."""
        ticks = sorted(self.busy.get(key, ()))
        holes = idle = 0
        for before, after in itertools.pairwise(ticks):
            if after - before > self.step:
                holes += 1
                idle += (after - before) // self.step - 1
        return holes, idle

    def too_long(self, pid: str, date: dt.date) -> bool:
        if self.limit is None:
            return False
        ticks = sorted(self.day_busy.get((pid, date), ()))
        run = 0
        for n, t in enumerate(ticks):
            run = run + 1 if n and t - ticks[n - 1] == self.step else 1
            if run > self.limit:
                return True
        return False


def close_gaps(
    instance: Instance,
    meetings: list[Meeting],
    placements: Placements,
    options: dict[str, list[Option]],
    people: dict[str, list[str]],
    rooms: list[Room],
    deadline: float,
) -> Placements:
    """`placements` with single-slot meetings moved while that lowers holes, then idle slots."""
    days = _Days(instance, placements, people)
    result = dict(placements)
    by_venue: dict[str, list[Room]] = defaultdict(list)
    for each in sorted(rooms, key=lambda r: r.capacity):
        by_venue[each.venue].append(each)
    movable = [m.id for m in meetings if m.id in result and m.slots == 1]
    improved = True
    while improved and time.monotonic() < deadline:
        improved = False
        for mid in movable:
            if time.monotonic() >= deadline:
                break
            option, room = result[mid]
            who = people[mid]
            keys = {(pid, option.date, days.window(option)) for pid in who}
            if not any(days.gaps(k) != (0, 0) for k in keys):
                continue
            best = _best_move(days, mid, option, room, options[mid], who, by_venue)
            if best is not None:
                days.free(mid, option, room)
                days.take(mid, *best)
                result[mid] = best
                improved = True
    return result


def _best_move(
    days: _Days,
    mid: str,
    option: Option,
    room: str,
    choices: list[Option],
    who: list[str],
    by_venue: dict[str, list[Room]],
) -> tuple[Option, str] | None:
    """The option (and a free room) of the same date that most lowers (holes, idle) for `who`."""
    size = len(who)
    days.free(mid, option, room)
    keys_now = {(pid, option.date, days.window(option)) for pid in who}
    best: tuple[tuple[int, int], Option, str] | None = None
    for target in choices:
        if target.date != option.date or target.city != option.city or target == option:
            continue
        if any(target.start in days.day_busy.get((pid, target.date), ()) for pid in who):
            continue
        free_room = next(
            (
                r.id
                for r in by_venue[target.venue]
                if r.capacity >= size and (r.id, target.date, target.start) not in days.room_busy
            ),
            None,
        )
        if free_room is None:
            continue
        keys = keys_now | {(pid, target.date, days.window(target)) for pid in who}
        after = _total(days, mid, target, keys)
        days.take(mid, target, free_room)
        broken = any(days.too_long(pid, target.date) for pid in who)
        days.free(mid, target, free_room)
        if broken:
            continue
        before_here = _total(days, mid, option, keys)
        if after < before_here and (best is None or after < best[0]):
            best = (after, target, free_room)
    days.take(mid, option, room)
    return None if best is None else (best[1], best[2])


def _total(days: _Days, mid: str, option: Option, keys: set[Key]) -> tuple[int, int]:
    """(holes, idle) over `keys` with `mid` at `option` (it is not in `days` while we ask)."""
    days.take(mid, option, "")
    holes = idle = 0
    for key in keys:
        h, i = days.gaps(key)
        holes, idle = holes + h, idle + i
    days.free(mid, option, "")
    return holes, idle
