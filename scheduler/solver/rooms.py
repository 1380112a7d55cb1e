"""Rooms: interchangeable room groups for the model, and the exact room assignment after it.

Pure functions, no OR-Tools. The CP model never picks a room for a single-slot meeting: it
only counts, per venue and slot, the meetings needing each capacity level or more against
the rooms of that level or more (Hall's condition for nested sets), so a room per meeting
always exists. A multi-slot meeting must keep one room throughout, so it picks a *room
group* (rooms of one venue with equal capacity); with at most |group| of its meetings
overlapping at any slot, interval colouring in start order always fits them. A room that
holds a pinned meeting, or is cancelled, is a group of its own. `assign_rooms` is therefore
exact by construction, never a greedy pass that can drop a meeting.
"""

from __future__ import annotations

import datetime as dt
import re
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

from scheduler.model import Option, Room


def natural_key(room_id: str) -> tuple[tuple[int, int | str], ...]:
    """Order ids as people count: BJ-T-3 before BJ-T-10 (digits compare as numbers)."""
    return tuple(
        (0, int(part)) if part.isascii() and part.isdigit() else (1, part)
        for part in re.split(r"([0-9]+)", room_id)
        if part
    )


@dataclass(frozen=True)
class Group:
    venue: str
    capacity: int
    rooms: tuple[str, ...]
    level: int
    """Index of this capacity among the venue's distinct capacities."""
    cancelled: bool = False
    """A cancelled room: only its frozen (pinned, forced) meetings may use it."""


@dataclass
class RoomGroups:
    """The venues' rooms as capacity levels and groups of interchangeable rooms."""

    venue_capacities: dict[str, list[int]] = field(default_factory=dict)
    """Venue -> its distinct room capacities, ascending (level k = the k-th)."""
    rooms_at_level: dict[str, list[int]] = field(default_factory=dict)
    """Venue -> per level, how many rooms hold at least that level's capacity."""
    groups: list[Group] = field(default_factory=list)
    group_of_room: dict[str, int] = field(default_factory=dict)

    def need_level(self, venue: str, size: int) -> int | None:
        """Smallest capacity level of the venue that holds `size` people."""
        for level, cap in enumerate(self.venue_capacities.get(venue, [])):
            if cap >= size:
                return level
        return None

    def level_of(self, room: Room) -> int:
        return self.venue_capacities[room.venue].index(room.capacity)


def build_room_groups(rooms: Iterable[Room], alone: set[str], cancelled: set[str]) -> RoomGroups:
    """Group interchangeable rooms; a room in `alone` (pinned or cancelled) stands alone."""
    by_venue: dict[str, list[Room]] = defaultdict(list)
    for room in rooms:
        by_venue[room.venue].append(room)
    result = RoomGroups(
        venue_capacities={v: sorted({r.capacity for r in rs}) for v, rs in by_venue.items()},
    )
    result.rooms_at_level = {
        v: [sum(1 for r in rs if r.capacity >= cap) for cap in result.venue_capacities[v]] for v, rs in by_venue.items()
    }

    def add(venue: str, capacity: int, ids: tuple[str, ...]) -> None:
        for room_id in ids:
            result.group_of_room[room_id] = len(result.groups)
        level = result.venue_capacities[venue].index(capacity)
        closed = any(room_id in cancelled for room_id in ids)
        result.groups.append(Group(venue, capacity, ids, level, closed))

    for venue, venue_rooms in by_venue.items():
        pooled: dict[int, list[str]] = defaultdict(list)
        for room in venue_rooms:
            if room.id in alone or room.id in cancelled:
                add(venue, room.capacity, (room.id,))
            else:
                pooled[room.capacity].append(room.id)
        for capacity, ids in sorted(pooled.items()):
            add(venue, capacity, tuple(sorted(ids, key=natural_key)))
    return result


@dataclass(frozen=True)
class Placed:
    """A meeting the model placed, still without its room."""

    meeting: str
    option: Option
    size: int
    group: int | None
    """The room group it holds, or None: a single-slot meeting counted per slot."""


class RoomsRunOut(AssertionError):
    """The counts the model allowed could not be coloured into rooms: model and assignment disagree."""


def assign_rooms(placed: Iterable[Placed], groups: RoomGroups, rooms: Iterable[Room], step: int) -> dict[str, str]:
    """Meeting id -> room: groups by interval colouring, then single slots by capacity.

    `rooms` are those open to new meetings (cancelled ones left out).
    """
    result: dict[str, str] = {}
    busy: dict[tuple[str, dt.date, int], set[str]] = defaultdict(set)
    singles: dict[tuple[str, dt.date, int], list[Placed]] = defaultdict(list)
    grouped: dict[int, list[Placed]] = defaultdict(list)
    for item in placed:
        if item.group is None:
            singles[(item.option.venue, item.option.date, item.option.start)].append(item)
        else:
            grouped[item.group].append(item)
    for g, members in grouped.items():
        for item, room_id in colour_intervals(groups.groups[g].rooms, members):
            result[item.meeting] = room_id
            for tick in range(item.option.start, item.option.end, step):
                busy[(item.option.venue, item.option.date, tick)].add(room_id)
    by_venue: dict[str, list[Room]] = defaultdict(list)
    for room in sorted(rooms, key=lambda r: (r.capacity, natural_key(r.id))):
        by_venue[room.venue].append(room)
    for (venue, date, start), members in singles.items():
        taken = busy[(venue, date, start)]
        # Largest first, each into the smallest free room that holds it: by Hall's
        # condition (enforced per slot and level in the model) this never runs out.
        for item in sorted(members, key=lambda p: (-p.size, p.meeting)):
            free = next((r for r in by_venue[venue] if r.capacity >= item.size and r.id not in taken), None)
            if free is None:
                raise RoomsRunOut(f"no room left at {venue} {date} {start}: model and assignment disagree")
            taken.add(free.id)
            result[item.meeting] = free.id
    return result


def colour_intervals(rooms: tuple[str, ...], members: list[Placed]) -> list[tuple[Placed, str]]:
    """Rooms for meetings of one group, in start order: never more overlap than rooms."""
    free_at: dict[str, tuple[dt.date, int]] = {}
    result = []
    for item in sorted(members, key=lambda p: (p.option.date, p.option.start, p.meeting)):
        when = (item.option.date, item.option.start)
        room_id = next((r for r in rooms if free_at.get(r, when) <= when), None)
        if room_id is None:
            raise RoomsRunOut(f"room group {rooms} over-full: model and assignment disagree")
        free_at[room_id] = (item.option.date, item.option.end)
        result.append((item, room_id))
    return result
