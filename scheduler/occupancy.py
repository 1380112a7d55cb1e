"""What a schedule holds: which person and which room each meeting takes at each time, who is
in which city on each date, and so what keeps a given time from a request. Built once per
schedule and read by `scheduler.explain` (its words), `scheduler.reasons` and `scheduler.forcing`.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass
from functools import cached_property
from operator import attrgetter

from scheduler.attendance import attendees
from scheduler.changes import name_of, too_close_to_travel
from scheduler.model import Instance, Meeting, Option, Room, to_minutes
from scheduler.solution import Assignment, Schedule
from scheduler.solver.travel import TravelClock


@dataclass(frozen=True)
class Block:
    """Why one option is not open: a person held by a meeting, a person elsewhere, or full rooms."""

    what: str  # "busy", "elsewhere", "breaks", "rooms", "interpreter", "travel"
    person: str | None
    meetings: tuple[str, ...]
    why: str = ""
    """For "travel": the sentence naming the rule and both places."""


class Occupancy:
    """Who and which room is held when, and by what: built once per schedule."""

    def __init__(self, instance: Instance, schedule: Schedule) -> None:
        self.instance = instance
        self.schedule = schedule
        self.step = instance.event.slot_minutes
        self.by_id = schedule.assignment_by_meeting
        self.gone_people = {c.id for c in schedule.cancelled if c.kind == "participant"}
        self.cancelled_meetings = {c.id for c in schedule.cancelled if c.kind == "meeting"}
        self.closed_rooms = {c.id for c in schedule.cancelled if c.kind == "room"}
        self._seating: dict[tuple[str, int], list[Room]] = {}
        self._iso_dates: dict[dt.date, str] = {}
        self.people: dict[str, list[str]] = {}
        """Meeting id -> who attends it (those cancelled before it are not held by it)."""
        self.person_at: dict[tuple[str, str, int], str] = {}
        self.room_at: dict[tuple[str, str, int], str] = {}
        self.cities: dict[tuple[str, str], dict[str, list[str]]] = defaultdict(lambda: defaultdict(list))
        self.held: dict[str, list[str]] = defaultdict(list)
        frozen = schedule.frozen_until
        self.history = {
            a.meeting for a in schedule.assignments if frozen is not None and f"{a.date}T{a.start}" < frozen[:16]
        }
        """Meetings that started before the frozen time: they happened, nothing can move them."""
        step, cancelled = self.step, schedule.cancelled
        person_at, room_at, cities, held = self.person_at, self.room_at, self.cities, self.held
        for a in sorted(schedule.assignments, key=attrgetter("date", "start", "meeting")):
            mid, date = a.meeting, a.date
            people = self.people[mid] = attendees(instance, cancelled, a, frozen)
            ticks = range(to_minutes(a.start), to_minutes(a.end), step)
            for tick in ticks:
                room_at[(a.room, date, tick)] = mid
            # An interpreter is held like a person (and is not among the meeting's people).
            for pid in people if a.interpreter is None else [*people, a.interpreter]:
                for tick in ticks:
                    person_at[(pid, date, tick)] = mid
                cities[(pid, date)][a.city].append(mid)
                held[pid].append(mid)

    def ticks(self, a: Assignment | Option) -> range:
        if isinstance(a, Option):
            return range(a.start, a.end, self.step)
        return range(to_minutes(a.start), to_minutes(a.end), self.step)

    def blocks(self, meeting: Meeting, people: list[str], option: Option) -> list[Block]:
        """What keeps `option` from the meeting in this schedule (its own place excluded)."""
        return self.blocks_at(meeting, people, [option])[0]

    def blocks_at(self, meeting: Meeting, people: list[str], options: list[Option]) -> list[list[Block]]:
        """`blocks` of each option: who is in another city is looked up once per date and city, not
        once per option (a re-solve at 60,000 requests asks about 110,000 options)."""
        person_at, mid, step = self.person_at, meeting.id, self.step
        away: dict[tuple[str, str, str], list[Block]] = {}
        checks_interpreters = bool(self.instance.interpreter_candidates(meeting, people))
        checks_travel = bool(self.programme_clock.rules)
        checks_breaks = self.instance.event.max_consecutive is not None
        found_at = []
        for option in options:
            date = self._iso_dates.get(option.date) or self._iso_dates.setdefault(option.date, option.date.isoformat())
            found: list[Block] = []
            ticks = range(option.start, option.end, step)
            for pid in people:
                key = (pid, date, option.city)
                elsewhere = away.get(key)
                if elsewhere is None:
                    elsewhere = away[key] = [
                        Block("elsewhere", pid, tuple(mids))
                        for city, mids in (self.cities.get((pid, date)) or {}).items()
                        if city != option.city and any(m != mid for m in mids)
                    ]
                if elsewhere:
                    found.extend(elsewhere)
                    continue
                busy = {held for t in ticks if (held := person_at.get((pid, date, t))) is not None and held != mid}
                if busy:
                    found.append(Block("busy", pid, tuple(sorted(busy))))
                elif checks_breaks and (run := self.run_without_break(pid, date, option, mid)):
                    found.append(Block("breaks", pid, run))
            if checks_interpreters or checks_travel:
                found.extend(self._interpreter_and_travel(meeting, people, option))
            if all(b.what == "breaks" for b in found):
                seats = self.instance.seats(meeting, people)
                rooms = self.rooms_seating(option.venue, seats)
                holders = {self.room_at.get((r.id, date, t)) for r in rooms for t in self.ticks(option)}
                if all(
                    any(self.room_at.get((r.id, date, t)) not in (None, meeting.id) for t in self.ticks(option))
                    for r in rooms
                ):
                    found.append(Block("rooms", None, tuple(sorted(h for h in holders if h and h != meeting.id))))
            found_at.append(found)
        return found_at

    def _interpreter_and_travel(self, meeting: Meeting, people: list[str], option: Option) -> list[Block]:
        """No interpreter who could sit in is free then; a travel rule leaves someone too little time."""
        found = []
        candidates = self.instance.interpreter_candidates(meeting, people)
        if candidates:
            date = option.date.isoformat()
            held: set[str] = set()
            someone_free = False
            for iid in candidates:
                taken = {self.person_at.get((iid, date, t)) for t in self.ticks(option)} - {None, meeting.id}
                away = [m for city, ms in self.cities.get((iid, date), {}).items() if city != option.city for m in ms]
                cap = self.instance.interpreter_by_id[iid].max_meetings
                full = cap is not None and len([m for m in self.held[iid] if m != meeting.id]) >= cap
                free = self.instance.is_available(iid, option.date, option.city, option.start, option.end)
                close = self.travel_clock.too_close(iid, option, ignore=meeting.id) is not None
                someone_free = someone_free or (not (taken or away or full or close) and free)
                held.update(m for m in taken | set(away) if m is not None)
            if not someone_free:
                found.append(Block("interpreter", None, tuple(sorted(held))))
        if not self.programme_clock.rules:
            return found  # (no travel rules: nobody's time is too short)
        clock = self.travel_clock
        for pid in people:
            # The programme first: an item cannot move, so it makes the time impossible, not taken.
            span = self.programme_clock.too_close(pid, option) or clock.too_close(pid, option, ignore=meeting.id)
            if span is not None:
                why = too_close_to_travel(self.instance, name_of(self.instance, pid), option, span, clock.rules)
                found.append(Block("travel", pid, (span[3],) if span[3] else (), why))
        return found

    @cached_property
    def travel_clock(self) -> TravelClock:
        """Everyone's meetings (interpreters' too) and programme items, for the travel rules."""
        clock = TravelClock(self.instance)
        for a in self.schedule.assignments:
            people = [*self.people[a.meeting], *([a.interpreter] if a.interpreter else [])]
            when = dt.date.fromisoformat(a.date), to_minutes(a.start), to_minutes(a.end)
            clock.take(a.meeting, people, Option(a.venue, a.city, *when))
        return clock

    @cached_property
    def programme_clock(self) -> TravelClock:
        """The programme items alone, for the travel rules: what no change of meetings can free."""
        return TravelClock(self.instance)

    def run_without_break(self, pid: str, date: str, option: Option, mid: str) -> tuple[str, ...]:
        """The meetings that, with `option`, would give the person more than max_consecutive
        slots in a row (empty when the event sets no limit or the run is short enough)."""
        limit = self.instance.event.max_consecutive
        if limit is None:
            return ()
        around: set[str] = set()
        slots = (option.end - option.start) // self.step
        for tick, direction in ((option.start - self.step, -self.step), (option.end, self.step)):
            held = self.person_at.get((pid, date, tick))
            while held is not None and held != mid:
                around.add(held)
                slots, tick = slots + 1, tick + direction
                held = self.person_at.get((pid, date, tick))
        return tuple(sorted(around)) if slots > limit else ()

    def rooms_seating(self, venue: str, size: int) -> list[Room]:
        """The venue's open rooms for `size` people (found once per venue and size: venues hold thousands)."""
        key = (venue, size)
        if key not in self._seating:
            rooms = self.instance.venue_rooms[venue]
            self._seating[key] = [r for r in rooms if r.capacity >= size and r.id not in self.closed_rooms]
        return self._seating[key]

    def open_room(self, venue: str, size: int) -> bool:
        """Whether the venue has a room for `size` people that is not closed."""
        return bool(self.rooms_seating(venue, size))
