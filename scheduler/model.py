"""The instance (FORMAT.md input section): validated pydantic models and derived look-ups.

No solver imports here: the solver, the renderer and re-solve all read these models.
"""

from __future__ import annotations

import datetime as dt
import itertools
import zoneinfo
from collections import Counter, defaultdict
from dataclasses import dataclass
from functools import cached_property
from typing import Annotated

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, Strict, field_validator, model_validator

from scheduler.errors import InputError, Problem

MAX_COUNT = 10_000
MAX_CAPACITY = 10_000
MAX_PRIORITY = 1_000_000
MAX_MEETING_SIZE = 100
MAX_SLOTS = 96

_CONTROLS = r"\x00-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069"
"""C0, DEL and C1 control characters and bidirectional overrides: never in ids or text."""
ID_PATTERN = rf"^[^\s{_CONTROLS}](?:[^{_CONTROLS}]*[^\s{_CONTROLS}])?$"
"""No spaces at either end, no control characters anywhere (they reach terminals, file names, sheets)."""
TEXT_PATTERN = r"^[^\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]*$"  # _CONTROLS less tab and line breaks
"""Free text: tabs and line breaks, but no other control characters (C0, DEL, C1: a name could steer a
terminal) and no bidirectional overrides (they make text read other than it is)."""
Id = Annotated[str, Field(min_length=1, max_length=200, pattern=ID_PATTERN)]
Text = Annotated[str, Field(max_length=2_000, pattern=TEXT_PATTERN)]
ClockTime = Annotated[str, Field(pattern=r"^(?:[01]\d|2[0-3]):[0-5]\d$|^24:00$")]
Integer = Annotated[int, Strict()]
"""Numbers are numbers: `true`, "2" and 2.0 are refused where the format says integer."""


def _date_as_text(value: object) -> object:
    """A date is written YYYY-MM-DD; a bare number would otherwise pass as a Unix time."""
    if isinstance(value, dt.date) or (isinstance(value, str) and len(value) <= 10):
        return value
    raise ValueError(f"{str(value)[:40]!r} is not a date as YYYY-MM-DD")


Date = Annotated[dt.date, BeforeValidator(_date_as_text)]


def to_minutes(clock: str) -> int:
    """'09:30' -> 570: minutes since local midnight."""
    hours, minutes = clock.split(":")
    return int(hours) * 60 + int(minutes)


def to_clock(minutes: int) -> str:
    """570 -> '09:30'."""
    return f"{minutes // 60:02d}:{minutes % 60:02d}"


class _Input(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid", coerce_numbers_to_str=True)


class Event(_Input):
    name: Text
    timezone: str = "Asia/Shanghai"
    slot_minutes: Integer = Field(30, ge=1, le=720)
    max_consecutive: Integer | None = Field(None, ge=1, le=MAX_SLOTS)
    """At most this many meeting slots in a row for anyone, then a free slot (a break)."""

    @field_validator("timezone")
    @classmethod
    def _known_timezone(cls, value: str) -> str:
        try:
            zoneinfo.ZoneInfo(value)
        except (zoneinfo.ZoneInfoNotFoundError, ValueError):
            raise ValueError(f"unknown time zone {value!r} (use an IANA name such as Asia/Shanghai)") from None
        return value

    @field_validator("slot_minutes")
    @classmethod
    def _divides_day(cls, value: int) -> int:
        if 1440 % value:
            raise ValueError(f"slot_minutes {value} does not divide a day of 1440 minutes")
        return value


class Window(_Input):
    """A half-open window [start, end) of local clock time."""

    start: ClockTime
    end: ClockTime

    @property
    def start_min(self) -> int:
        return to_minutes(self.start)

    @property
    def end_min(self) -> int:
        return to_minutes(self.end)


class VenueDay(_Input):
    date: Date
    sessions: list[Window] = Field(min_length=1, max_length=48)


class RoomSpec(_Input):
    id: Id
    capacity: Integer = Field(ge=1, le=MAX_CAPACITY)
    count: Integer | None = Field(None, ge=1, le=MAX_COUNT)

    @property
    def room_ids(self) -> list[str]:
        """BJ-T with count 3 -> BJ-T-1, BJ-T-2, BJ-T-3; without count just the id."""
        if self.count is None:
            return [self.id]
        return [f"{self.id}-{k}" for k in range(1, self.count + 1)]


class Venue(_Input):
    id: Id
    city: Id
    name: Text = ""
    days: list[VenueDay] = Field(min_length=1, max_length=366)
    rooms: list[RoomSpec] = Field(min_length=1)


class Availability(_Input):
    date: Date
    city: Id
    start: ClockTime | None = None
    end: ClockTime | None = None


class Participant(_Input):
    id: Id
    name: Text
    organisation: Text = ""
    country: Annotated[str, Field(pattern=r"^[A-Z]{2}$")] | None = None
    languages: list[Annotated[str, Field(min_length=1, max_length=20)]] = Field(default_factory=list, max_length=50)
    max_meetings: Integer | None = Field(None, ge=0, le=MAX_COUNT)
    min_meetings: Integer | None = Field(None, ge=0, le=MAX_COUNT)
    """Meetings promised (a paid package): pursued right after total priority, reported when missed."""
    host: Annotated[bool, Strict()] = False
    """Keeps one table for the whole session; visitors come to it."""
    available: list[Availability] | None = None

    @model_validator(mode="after")
    def _min_within_max(self) -> Participant:
        if self.min_meetings is not None and self.max_meetings is not None and self.min_meetings > self.max_meetings:
            raise ValueError(f"min_meetings {self.min_meetings} is more than max_meetings {self.max_meetings}")
        return self


class Meeting(_Input):
    id: Id
    participants: list[Id] = Field(min_length=2, max_length=MAX_MEETING_SIZE)
    priority: Integer = Field(1, ge=1, le=MAX_PRIORITY)
    slots: Integer = Field(1, ge=1, le=MAX_SLOTS)
    topic: Text | None = None
    city: Id | None = None

    def with_participants(self, people: list[str]) -> Meeting:
        """The same request with fewer people (after cancellations); itself if unchanged."""
        return self if people == self.participants else self.model_copy(update={"participants": people})


@dataclass(frozen=True)
class Room:
    id: str
    venue: str
    capacity: int


@dataclass(frozen=True, slots=True)
class Option:
    """A place in time a meeting could start: venue, date and the minutes it spans."""

    venue: str
    city: str
    date: dt.date
    start: int
    end: int


@dataclass(frozen=True)
class Session:
    venue: str
    city: str
    date: dt.date
    start: int
    end: int


class Instance(_Input):
    event: Event
    venues: list[Venue] = Field(min_length=1)
    participants: list[Participant] = Field(min_length=1)
    meetings: list[Meeting]
    """Required, like venues and participants; `meetings: []` is an event with no requests yet."""

    @model_validator(mode="after")
    def _cross_references(self) -> Instance:
        problems = _cross_reference_problems(self)
        if problems:
            raise InputError(problems)
        return self

    def availability_warnings(self) -> list[Problem]:
        """Availability on a date when no venue in that city is open: allowed, but likely a slip."""
        open_days = {(venue.city, day.date) for venue in self.venues for day in venue.days}
        return [
            Problem(
                ("participants", i, "available", j),
                f"no venue in {entry.city} is open on {entry.date}: this entry gives no time to meet",
            )
            for i, person in enumerate(self.participants)
            for j, entry in enumerate(person.available or [])
            if (entry.city, entry.date) not in open_days
        ]

    # ---- derived look-ups (computed once; the model is frozen) ----

    @cached_property
    def venue_by_id(self) -> dict[str, Venue]:
        return {v.id: v for v in self.venues}

    @cached_property
    def participant_by_id(self) -> dict[str, Participant]:
        return {p.id: p for p in self.participants}

    @cached_property
    def meeting_by_id(self) -> dict[str, Meeting]:
        return {m.id: m for m in self.meetings}

    @cached_property
    def cities(self) -> list[str]:
        return sorted({v.city for v in self.venues})

    @cached_property
    def rooms(self) -> list[Room]:
        """Every physical room, with `count` expanded."""
        return [
            Room(room_id, venue.id, spec.capacity)
            for venue in self.venues
            for spec in venue.rooms
            for room_id in spec.room_ids
        ]

    @cached_property
    def room_by_id(self) -> dict[str, Room]:
        return {r.id: r for r in self.rooms}

    @cached_property
    def venue_rooms(self) -> dict[str, list[Room]]:
        rooms: dict[str, list[Room]] = defaultdict(list)
        for room in self.rooms:
            rooms[room.venue].append(room)
        return dict(rooms)

    @cached_property
    def sessions(self) -> list[Session]:
        return [
            Session(venue.id, venue.city, day.date, window.start_min, window.end_min)
            for venue in self.venues
            for day in venue.days
            for window in day.sessions
        ]

    @cached_property
    def participant_meetings(self) -> dict[str, list[Meeting]]:
        by_person: dict[str, list[Meeting]] = {p.id: [] for p in self.participants}
        for meeting in self.meetings:
            for pid in meeting.participants:
                by_person[pid].append(meeting)
        return by_person

    def slot_starts(self, session: Session, slots: int) -> range:
        """Grid starts at which a meeting of `slots` slots fits inside the session."""
        length = slots * self.event.slot_minutes
        return range(session.start, session.end - length + 1, self.event.slot_minutes)

    @cached_property
    def _availability(self) -> dict[str, dict[tuple[dt.date, str], list[tuple[int, int]]] | None]:
        """Per participant: (date, city) -> windows in minutes; None means always available."""
        table: dict[str, dict[tuple[dt.date, str], list[tuple[int, int]]] | None] = {}
        for person in self.participants:
            if person.available is None:
                table[person.id] = None
                continue
            windows: dict[tuple[dt.date, str], list[tuple[int, int]]] = defaultdict(list)
            for entry in person.available:
                start = to_minutes(entry.start) if entry.start else 0
                end = to_minutes(entry.end) if entry.end else 1440
                windows[(entry.date, entry.city)].append((start, end))
            table[person.id] = dict(windows)
        return table

    @cached_property
    def _free_tick_cache(self) -> dict[tuple[str, dt.date, str], frozenset[int] | None]:
        return {}

    def free_ticks(self, pid: str, date: dt.date, city: str) -> frozenset[int] | None:
        """Slot starts (minutes) the participant is free on that date in that city; None = always."""
        key = (pid, date, city)
        cache = self._free_tick_cache
        if key not in cache:
            windows = self._availability[pid]
            if windows is None:
                cache[key] = None
            else:
                step = self.event.slot_minutes
                cache[key] = frozenset(
                    t
                    for a, b in windows.get((date, city), [])
                    for t in range(a - a % step, b, step)
                    if a <= t and t + step <= b
                )
        return cache[key]

    def is_available(self, pid: str, date: dt.date, city: str, start: int, end: int) -> bool:
        """Whether the participant's windows cover [start, end) on that date in that city."""
        free = self.free_ticks(pid, date, city)
        return free is None or all(t in free for t in range(start, end, self.event.slot_minutes))

    def meeting_options(self, meeting: Meeting) -> list[Option]:
        """Every (venue, date, start) where rules 1, 2, 5 and 8 allow the meeting."""
        size = len(meeting.participants)
        step = self.event.slot_minutes
        length = meeting.slots * step
        options = []
        for session in self.sessions:
            if meeting.city is not None and session.city != meeting.city:
                continue
            if self.largest_room[session.venue] < size:
                continue
            common: frozenset[int] | None = None  # None: nobody restricts this session
            for pid in meeting.participants:
                free = self.free_ticks(pid, session.date, session.city)
                if free is not None:
                    common = free if common is None else common & free
                    if not common:
                        break
            if common is not None and not common:
                continue
            for start in self.slot_starts(session, meeting.slots):
                if common is None or all(t in common for t in range(start, start + length, step)):
                    options.append(Option(session.venue, session.city, session.date, start, start + length))
        return options

    @cached_property
    def largest_room(self) -> dict[str, int]:
        return {venue: max(r.capacity for r in rooms) for venue, rooms in self.venue_rooms.items()}

    def why_impossible(self, meeting: Meeting) -> str:
        """Plain reason a meeting has no option at all (call only when it has none)."""
        size = len(meeting.participants)
        sessions = [s for s in self.sessions if meeting.city is None or s.city == meeting.city]
        if not sessions:
            return f"no session in {meeting.city}"
        if all(self.largest_room[s.venue] < size for s in sessions):
            return f"no room holds {size} people"
        length = meeting.slots * self.event.slot_minutes
        if all(s.end - s.start < length for s in sessions):
            return f"longer ({length} min) than any session"
        for pid in meeting.participants:
            if not any(
                self.is_available(pid, s.date, s.city, t, t + self.event.slot_minutes)
                for s in sessions
                for t in range(s.start, s.end, self.event.slot_minutes)
            ):
                return f"{pid} is not available in any session"
        return "no common availability"


def _cross_reference_problems(instance: Instance) -> list[Problem]:
    """Rules that span fields: unique ids, known ids and cities, the slot grid."""
    problems: list[Problem] = []
    step = instance.event.slot_minutes

    def on_grid(loc: tuple[str | int, ...], window_start: str | None, window_end: str | None) -> None:
        for name, value in (("start", window_start), ("end", window_end)):
            if value is not None and to_minutes(value) % step:
                problems.append(Problem((*loc, name), f"{value} is not on the {step}-minute grid"))
        if window_start is not None and window_end is not None and to_minutes(window_end) <= to_minutes(window_start):
            when = "as" if to_minutes(window_end) == to_minutes(window_start) else "before"
            problems.append(Problem(loc, f"ends ({window_end}) {when} it starts ({window_start})"))

    def unique(kind: str, items: list[tuple[tuple[str | int, ...], str]]) -> None:
        seen: dict[str, tuple[str | int, ...]] = {}
        for loc, ident in items:
            if ident in seen:
                problems.append(Problem(loc, f"duplicate {kind} id {ident!r} (first at {_place(seen[ident])})"))
            else:
                seen[ident] = loc

    unique("venue", [(("venues", i, "id"), v.id) for i, v in enumerate(instance.venues)])
    unique(
        "room",
        [
            (("venues", i, "rooms", j, "id"), room_id)
            for i, v in enumerate(instance.venues)
            for j, spec in enumerate(v.rooms)
            for room_id in spec.room_ids
        ],
    )
    unique("participant", [(("participants", i, "id"), p.id) for i, p in enumerate(instance.participants)])
    unique("meeting", [(("meetings", i, "id"), m.id) for i, m in enumerate(instance.meetings)])

    for i, venue in enumerate(instance.venues):
        dates = Counter(day.date for day in venue.days)
        for j, day in enumerate(venue.days):
            if dates[day.date] > 1:
                problems.append(Problem(("venues", i, "days", j, "date"), f"date {day.date} appears more than once"))
            windows = sorted((w.start_min, w.end_min, k) for k, w in enumerate(day.sessions))
            for k, window in enumerate(day.sessions):
                on_grid(("venues", i, "days", j, "sessions", k), window.start, window.end)
            for (_, end_a, _), (start_b, _, k) in itertools.pairwise(windows):
                if start_b < end_a:
                    problems.append(Problem(("venues", i, "days", j, "sessions", k), "overlaps another session"))

    cities = set(instance.cities)
    participant_ids = {p.id for p in instance.participants}
    for i, person in enumerate(instance.participants):
        for j, entry in enumerate(person.available or []):
            loc: tuple[str | int, ...] = ("participants", i, "available", j)
            if entry.city not in cities:
                problems.append(Problem((*loc, "city"), f"no venue is in city {entry.city!r}"))
            if (entry.start is None) != (entry.end is None):
                problems.append(Problem(loc, "give both start and end, or neither for the whole day"))
            on_grid(loc, entry.start, entry.end)
    for i, meeting in enumerate(instance.meetings):
        counts = Counter(meeting.participants)
        for j, pid in enumerate(meeting.participants):
            if pid not in participant_ids:
                problems.append(Problem(("meetings", i, "participants", j), f"unknown participant {pid!r}"))
            elif counts[pid] > 1 and meeting.participants.index(pid) != j:
                problems.append(Problem(("meetings", i, "participants", j), f"participant {pid!r} is listed twice"))
        if meeting.city is not None and meeting.city not in cities:
            problems.append(Problem(("meetings", i, "city"), f"no venue is in city {meeting.city!r}"))
        limit = instance.event.max_consecutive
        if limit is not None and meeting.slots > limit:
            message = f"lasts {meeting.slots} slots, more than the event's max_consecutive {limit} without a break"
            problems.append(Problem(("meetings", i, "slots"), message))
    return problems


def _place(loc: tuple[str | int, ...]) -> str:
    return Problem(loc, "").place
