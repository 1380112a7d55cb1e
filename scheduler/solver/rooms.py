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

from scheduler.model import Instance, Option, Room


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
    people: tuple[str, ...] = ()
    """Who attends: steadiness (staying at one's table) is about them."""


class RoomsRunOut(AssertionError):
    """The counts the model allowed could not be coloured into rooms: model and assignment disagree."""


def assign_rooms(
    placed: Iterable[Placed],
    groups: RoomGroups,
    rooms: Iterable[Room],
    step: int,
    hosts: frozenset[str] | set[str] = frozenset(),
) -> dict[str, str]:
    """Meeting id -> room: groups by interval colouring, then single slots by capacity, in time
    order, each preferring a room someone in it already sits at (steady tables).

    `rooms` are those open to new meetings (cancelled ones left out). A host keeps the first
    table they use at a venue that day; anyone else stays at the table of the meeting they
    come straight from. A preference is granted only when the slot's other meetings still fit
    the rooms left (Hall's condition for nested capacities), so it never costs a meeting.
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
    table_at: dict[tuple[str, str, dt.date], tuple[str, int]] = {}
    """(person, venue, date) -> the room they were last in and when that meeting ended."""
    host_table: dict[tuple[str, str, dt.date], str] = {}
    for g, members in grouped.items():
        for item, room_id in colour_intervals(groups.groups[g].rooms, members):
            result[item.meeting] = room_id
            for tick in range(item.option.start, item.option.end, step):
                busy[(item.option.venue, item.option.date, tick)].add(room_id)
    by_venue: dict[str, list[Room]] = defaultdict(list)
    for room in sorted(rooms, key=lambda r: (r.capacity, natural_key(r.id))):
        by_venue[room.venue].append(room)
    moments = sorted(
        {*singles, *((p.option.venue, p.option.date, p.option.start) for ps in grouped.values() for p in ps)}
    )
    group_starting: dict[tuple[str, dt.date, int], list[Placed]] = defaultdict(list)
    for members in grouped.values():
        for item in members:
            group_starting[(item.option.venue, item.option.date, item.option.start)].append(item)
    for venue, date, start in moments:
        taken = busy[(venue, date, start)]
        members = singles.get((venue, date, start), [])
        free_rooms = [r for r in by_venue[venue] if r.id not in taken]
        wishes = {item.meeting: _wishes(item, table_at, host_table, hosts) for item in members}
        left = sorted(members, key=lambda p: (not any(pid in hosts for pid in p.people), -p.size, p.meeting))
        for item in [p for p in left if wishes[p.meeting]]:
            for room_id in wishes[item.meeting]:
                wanted = next((r for r in free_rooms if r.id == room_id and r.capacity >= item.size), None)
                if wanted is None:
                    continue
                rest = [p.size for p in members if p.meeting not in result and p is not item]
                if _fits(rest, [r.capacity for r in free_rooms if r is not wanted]):
                    result[item.meeting] = wanted.id
                    free_rooms.remove(wanted)
                    break
        # Largest first, each into the smallest free room that holds it: by Hall's
        # condition (enforced per slot and level in the model) this never runs out.
        for item in sorted(members, key=lambda p: (-p.size, p.meeting)):
            if item.meeting in result:
                continue
            free = next((r for r in free_rooms if r.capacity >= item.size), None)
            if free is None:
                raise RoomsRunOut(f"no room left at {venue} {date} {start}: model and assignment disagree")
            free_rooms.remove(free)
            result[item.meeting] = free.id
        for item in [*members, *group_starting.get((venue, date, start), [])]:
            for pid in item.people:
                table_at[(pid, venue, date)] = (result[item.meeting], item.option.end)
                if pid in hosts:
                    host_table.setdefault((pid, venue, date), result[item.meeting])
    return result


def _wishes(
    item: Placed,
    table_at: dict[tuple[str, str, dt.date], tuple[str, int]],
    host_table: dict[tuple[str, str, dt.date], str],
    hosts: frozenset[str] | set[str],
) -> list[str]:
    """Rooms the meeting's people would rather stay at: hosts' tables first, then back-to-back ones."""
    venue, date = item.option.venue, item.option.date
    wishes = [host_table[(pid, venue, date)] for pid in item.people if (pid, venue, date) in host_table]
    for pid in item.people:
        last = table_at.get((pid, venue, date))
        if last is not None and last[1] == item.option.start:
            wishes.append(last[0])
    return list(dict.fromkeys(wishes))


def _fits(sizes: list[int], capacities: list[int]) -> bool:
    """Whether meetings of these sizes fit rooms of these capacities, one each (nested sets:
    Hall's condition is that for every size, as many rooms hold it as meetings need it)."""
    caps = sorted(capacities, reverse=True)
    return len(sizes) <= len(caps) and all(
        cap >= size for cap, size in zip(caps, sorted(sizes, reverse=True), strict=False)
    )


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


def with_steady_rooms(
    instance: Instance, placements: dict[str, tuple[Option, str]], people: dict[str, list[str]], rooms: list[Room]
) -> dict[str, tuple[Option, str]]:
    """A fresh solve's schedule with its rooms chosen again by `assign_rooms` (steady tables).

    Valid for any schedule with real rooms: a multi-slot meeting keeps its room's group,
    which then holds no more of them at once than rooms, and per slot the meetings already fit.
    """
    groups = build_room_groups(instance.rooms, set(), {r.id for r in instance.rooms} - {r.id for r in rooms})
    placed = [
        Placed(
            mid,
            option,
            len(people[mid]),
            None if option.end - option.start == instance.event.slot_minutes else groups.group_of_room[room],
            tuple(people[mid]),
        )
        for mid, (option, room) in placements.items()
    ]
    hosts = {p.id for p in instance.participants if p.host}
    chosen = assign_rooms(placed, groups, rooms, instance.event.slot_minutes, hosts)
    return {mid: (option, chosen[mid]) for mid, (option, _) in placements.items()}
