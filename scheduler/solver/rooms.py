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

import bisect
import datetime as dt
import re
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import NamedTuple

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
    _seating: dict[tuple[str, int], list[int]] = field(default_factory=dict, repr=False)

    def need_level(self, venue: str, size: int) -> int | None:
        """Smallest capacity level of the venue that holds `size` people."""
        for level, cap in enumerate(self.venue_capacities.get(venue, [])):
            if cap >= size:
                return level
        return None

    def seating(self, venue: str, size: int) -> list[int]:
        """The open groups of the venue whose rooms seat `size`: a longer meeting's choices there."""
        key = (venue, size)
        if key not in self._seating:
            self._seating[key] = [
                g
                for g, group in enumerate(self.groups)
                if group.venue == venue and group.capacity >= size and not group.cancelled
            ]
        return self._seating[key]

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


Session = tuple[str, dt.date, int]
"""(venue, date, session start)."""


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


Windows = Mapping[tuple[str, dt.date], Sequence[tuple[int, int]]]
"""(venue, date) -> its session windows (start, end) in minutes."""


def windows_of(instance: Instance) -> dict[tuple[str, dt.date], list[tuple[int, int]]]:
    """The instance's session windows per venue and date."""
    windows: dict[tuple[str, dt.date], list[tuple[int, int]]] = defaultdict(list)
    for session in instance.sessions:
        windows[(session.venue, session.date)].append((session.start, session.end))
    return windows


def assign_rooms(
    placed: Iterable[Placed],
    groups: RoomGroups,
    rooms: Iterable[Room],
    step: int,
    hosts: frozenset[str] | set[str] = frozenset(),
    windows: Windows | None = None,
) -> dict[str, str]:
    """Meeting id -> room, in time order: a multi-slot meeting takes a free room of its group
    (interval colouring), a single slot a free room by capacity; each prefers a room someone
    in it already sits at (steady tables).

    `rooms` are those open to new meetings (cancelled ones left out). A host keeps one table for
    the whole session (`windows`; without them, the day), chosen at their first meeting there
    large enough for their largest meeting that session and no other host's; visitors come to
    it; in a meeting of two hosts, the one with more meetings that session stays. Anyone else
    stays at the table of the meeting they come straight from. For a single slot a preference is
    granted only when the slot's other meetings still fit the rooms left (Hall's condition for
    nested capacities), so it never costs a meeting; within a room group any free room will do,
    so a multi-slot meeting takes its wish when free, and otherwise avoids hosts' tables.
    """
    steady = _Steady(hosts, windows or {})
    singles: dict[tuple[str, dt.date, int], list[Placed]] = defaultdict(list)
    starting: dict[tuple[str, dt.date, int], list[Placed]] = defaultdict(list)
    for item in placed:
        key = (item.option.venue, item.option.date, item.option.start)
        (singles if item.group is None else starting)[key].append(item)
        steady.count(item)
    result: dict[str, str] = {}
    busy: dict[tuple[str, dt.date, int], set[str]] = defaultdict(set)
    by_venue: dict[str, list[_FreeRoom]] = defaultdict(list)
    for room in sorted(rooms, key=lambda r: (r.capacity, natural_key(r.id))):
        by_venue[room.venue].append(_FreeRoom(room.capacity, room.id))
    for venue, date, start in sorted({*singles, *starting}):
        # Rooms of a group are alike, so which one a multi-slot meeting takes never changes what
        # is left for the single slots; in start order, one is always free (at most |group| overlap).
        for item in sorted(starting.get((venue, date, start), []), key=lambda p: p.meeting):
            assert item.group is not None
            group = groups.groups[item.group].rooms
            ticks = range(item.option.start, item.option.end, step)
            held = set().union(*(busy[(venue, date, t)] for t in ticks))
            free = [r for r in group if r not in held]
            if not free:
                raise RoomsRunOut(f"room group {group} over-full: model and assignment disagree")
            wishes = steady.wishes(item)
            avoid = steady.tables_of_hosts_meeting(item)
            room_id = next((r for r in wishes if r in free), None) or next((r for r in free if r not in avoid), free[0])
            result[item.meeting] = room_id
            for tick in ticks:
                busy[(venue, date, tick)].add(room_id)
        taken = busy[(venue, date, start)]
        members = singles.get((venue, date, start), [])
        free_rooms = [r for r in by_venue[venue] if r.id not in taken]
        free_by_id = {r.id: r for r in free_rooms}
        free_caps = Counter(r.capacity for r in free_rooms)
        waiting = Counter(p.size for p in members)  # sizes of this slot's meetings still without a room
        for item in sorted(members, key=steady.order):
            for room_id in steady.wishes(item):
                wanted = free_by_id.get(room_id)
                if wanted is None or wanted.capacity < item.size:
                    continue
                if _fits_counted(waiting - Counter({item.size: 1}), free_caps, wanted.capacity):
                    result[item.meeting] = wanted.id
                    free_rooms.remove(wanted)
                    del free_by_id[wanted.id]
                    free_caps[wanted.capacity] -= 1
                    waiting[item.size] -= 1
                    break
        # Largest first, each into the smallest free room that holds it (a host's first meeting
        # of the session: one that holds their largest, and no other host's table): by Hall's
        # condition (enforced per slot and level in the model) this never runs out.
        for item in sorted(members, key=lambda p: (-p.size, p.meeting)):
            if item.meeting in result:
                continue
            smallest = bisect.bisect_left(free_rooms, item.size, key=lambda r: r.capacity)  # by capacity
            if smallest == len(free_rooms):
                raise RoomsRunOut(f"no room left at {venue} {date} {start}: model and assignment disagree")
            chosen = free_rooms[smallest]
            homeless = steady.new_host(item)
            if homeless is not None:
                fitting = free_rooms[smallest:]
                rest = waiting - Counter({item.size: 1})
                need, claimed = steady.need(homeless, item), steady.claimed(item)
                for candidate in [r for r in fitting if r.capacity >= need] + fitting:
                    if candidate.id not in claimed and _fits_counted(rest, free_caps, candidate.capacity):
                        chosen = candidate
                        break
            free_rooms.remove(chosen)
            free_caps[chosen.capacity] -= 1
            waiting[item.size] -= 1
            result[item.meeting] = chosen.id
        for item in [*members, *starting.get((venue, date, start), [])]:
            steady.sat(item, result[item.meeting])
    return result


class _FreeRoom(NamedTuple):
    """A room as assign_rooms tracks it: a tuple, so taking it from a list of thousands compares in C."""

    capacity: int
    id: str


class _Steady:
    """Who sits where: hosts' tables per session, and everyone's last table, as rooms are chosen."""

    def __init__(self, hosts: frozenset[str] | set[str], windows: Windows) -> None:
        self.hosts = hosts
        self.windows = windows
        self.last: dict[tuple[str, str, dt.date], tuple[str, int]] = {}
        """(person, venue, date) -> the room they were last in and when that meeting ended."""
        self.home: dict[tuple[str, Session], str] = {}
        """(host, session) -> their table that session."""
        self.homes_in: dict[Session, set[str]] = defaultdict(set)
        self.meetings: Counter[tuple[str, Session]] = Counter()
        self.largest: dict[tuple[str, Session], int] = defaultdict(int)
        self.host_spans: dict[Session, dict[str, list[tuple[int, int]]]] = defaultdict(lambda: defaultdict(list))

    def session(self, option: Option) -> Session:
        start = next(
            (s for s, e in self.windows.get((option.venue, option.date), ()) if s <= option.start < e),
            -1,
        )
        return (option.venue, option.date, start)

    def count(self, item: Placed) -> None:
        session = self.session(item.option)
        for pid in item.people:
            if pid in self.hosts:
                self.meetings[(pid, session)] += 1
                self.largest[(pid, session)] = max(self.largest[(pid, session)], item.size)
                self.host_spans[session][pid].append((item.option.start, item.option.end))

    def my_hosts(self, item: Placed) -> list[str]:
        """The meeting's hosts, the one with more meetings this session first."""
        session = self.session(item.option)
        mine = [pid for pid in item.people if pid in self.hosts]
        return sorted(mine, key=lambda pid: (-self.meetings[(pid, session)], pid))

    def order(self, item: Placed) -> tuple[bool, int, str]:
        """Meetings with a host choose first, then larger ones."""
        return (not self.my_hosts(item), -item.size, item.meeting)

    def wishes(self, item: Placed) -> list[str]:
        """Rooms the meeting's people would rather stay at: hosts' tables first, then back-to-back ones."""
        session = self.session(item.option)
        venue, date = item.option.venue, item.option.date
        wishes = [self.home[(pid, session)] for pid in self.my_hosts(item) if (pid, session) in self.home]
        for pid in item.people:
            last = self.last.get((pid, venue, date))
            if last is not None and last[1] == item.option.start:
                wishes.append(last[0])
        return list(dict.fromkeys(wishes))

    def new_host(self, item: Placed) -> str | None:
        """The meeting's host who has no table yet this session (when none of them has one)."""
        session = self.session(item.option)
        mine = self.my_hosts(item)
        if not mine or any((pid, session) in self.home for pid in mine):
            return None
        return mine[0]

    def need(self, host: str, item: Placed) -> int:
        return self.largest[(host, self.session(item.option))]

    def claimed(self, item: Placed) -> set[str]:
        return self.homes_in[self.session(item.option)]

    def tables_of_hosts_meeting(self, item: Placed) -> set[str]:
        """Tables of hosts not in `item` who meet during it: a multi-slot meeting leaves them free."""
        session = self.session(item.option)
        start, end = item.option.start, item.option.end
        return {
            self.home[(pid, session)]
            for pid, spans in self.host_spans[session].items()
            if pid not in item.people and (pid, session) in self.home and any(s < end and start < e for s, e in spans)
        }

    def sat(self, item: Placed, room: str) -> None:
        """Record that `item`'s people sat in `room`; a host without a table this session keeps it."""
        session = self.session(item.option)
        for pid in item.people:
            self.last[(pid, item.option.venue, item.option.date)] = (room, item.option.end)
        host = self.new_host(item)
        if host is not None and room not in self.homes_in[session]:
            self.home[(host, session)] = room
            self.homes_in[session].add(room)


def _fits_counted(need: Counter[int], free_caps: Counter[int], taken: int) -> bool:
    """Whether meetings of these sizes (counted by size) fit the free rooms (counted by capacity,
    one of capacity `taken` taken away), one each. The sets are nested, so Hall's condition is
    that for every size as many rooms hold it as meetings need it; counting, not sorting every
    room for every meeting, saves seconds where a venue has thousands of tables."""
    rooms_left = meetings_left = 0
    for capacity in sorted({*free_caps, *need}, reverse=True):
        rooms_left += free_caps.get(capacity, 0) - (1 if capacity == taken else 0)
        meetings_left += need.get(capacity, 0)
        if meetings_left > rooms_left:
            return False
    return True


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
    chosen = assign_rooms(placed, groups, rooms, instance.event.slot_minutes, hosts, windows_of(instance))
    return {mid: (option, chosen[mid]) for mid, (option, _) in placements.items()}
