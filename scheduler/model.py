"""The instance (FORMAT.md input section): validated pydantic models and derived look-ups.

No solver imports here: the solver, the renderer and re-solve all read these models.
"""

from __future__ import annotations

import datetime as dt
import functools
import re
import zoneinfo
from collections import defaultdict
from dataclasses import dataclass
from functools import cached_property
from typing import Annotated, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    Strict,
    field_validator,
    model_validator,
)

from scheduler.errors import InputError

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
    """A date is written YYYY-MM-DD; a number, or text of digits ('86400', and since fractions are
    kept as written, '86400.0'), would otherwise pass as a Unix time (1970-01-02, without a word)."""
    if isinstance(value, dt.date) or (isinstance(value, str) and _ISO_DATE.fullmatch(value)):
        return value
    raise ValueError(f"{str(value)[:40]!r} is not a date as YYYY-MM-DD")


_ISO_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")


Date = Annotated[dt.date, BeforeValidator(_date_as_text)]


def _each_language_once(languages: list[str]) -> list[str]:
    """Languages compare without regard to case (`it` is `IT`): one written twice is a slip."""
    seen: dict[str, str] = {}
    for language in languages:
        if language.lower() in seen:
            raise ValueError(f"{language!r} is listed twice (as {seen[language.lower()]!r} too; case does not matter)")
        seen[language.lower()] = language
    return languages


LANGUAGE_PATTERN = r"^[A-Za-z][A-Za-z0-9-]*$"
"""A language code such as it, zh or zh-Hans: no spaces (a stray one made an interpreter useless)."""
Languages = Annotated[
    list[Annotated[str, Strict(), Field(min_length=1, max_length=20, pattern=LANGUAGE_PATTERN)]],
    AfterValidator(_each_language_once),
]
"""Languages spoken, compared without regard to case everywhere (model, solver and checker)."""


@functools.lru_cache(maxsize=2_048)  # a few hundred distinct clock times; millions of calls at 60,000 requests
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
    languages: Languages = Field(default_factory=list, max_length=50)
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
    interpreter: Id | None = None
    """A named interpreter for this meeting (when its people share no language)."""

    def with_participants(self, people: list[str]) -> Meeting:
        """The same request with fewer people (after cancellations); itself if unchanged."""
        return self if people == self.participants else self.model_copy(update={"participants": people})


class AttendeeFilter(_Input):
    """Everyone of one organisation, or of one country."""

    organisation: Text | None = None
    country: Annotated[str, Field(pattern=r"^[A-Z]{2}$")] | None = None

    @model_validator(mode="after")
    def _exactly_one(self) -> AttendeeFilter:
        if (self.organisation is None) == (self.country is None):
            raise ValueError("give exactly one of organisation or country")
        return self


class ProgrammeItem(_Input):
    """A plenary, seminar, workshop or visit: its attendees have no meetings during it (and its buffer)."""

    id: Id
    title: Text
    kind: Literal["plenary", "seminar", "workshop", "visit"] = "seminar"
    city: Id
    venue: Text = ""
    date: Date
    start: ClockTime
    end: ClockTime
    attendees: Literal["all"] | list[Id] | AttendeeFilter = "all"
    buffer_minutes: Integer = Field(0, ge=0, le=720)

    @property
    def label(self) -> str:
        """'seminar: Energy', or the title alone when it already starts with its kind
        ('Seminar: space science', not 'seminar: Seminar: space science')."""
        return self.title if self.title_says_kind else f"{self.kind}: {self.title}"

    @property
    def named(self) -> str:
        """For a sentence: "the seminar 'Energy'", or "'Seminar: space science'" when the title
        already says what it is."""
        return repr(self.title) if self.title_says_kind else f"the {self.kind} {self.title!r}"

    @property
    def title_says_kind(self) -> bool:
        """Whether the title already starts with the kind ("Seminar: space science")."""
        return self.title.casefold().startswith(self.kind.casefold())


class Interpreter(_Input):
    """A scarce resource: sits in at most one meeting at a time, in one city per date, takes a seat."""

    id: Id
    name: Text
    languages: Languages = Field(min_length=2, max_length=50)
    max_meetings: Integer | None = Field(None, ge=0, le=MAX_COUNT)
    available: list[Availability] | None = None


class TravelRule(_Input):
    """Going from one city to another takes time: between a person's last meeting in `from` and
    their next one in `to` (a later date; one city per date stays) at least `min_hours` pass."""

    from_: Id = Field(alias="from")
    """Written `from` in the file (a Python keyword here); `from_` in a file is an unknown field."""
    to: Id
    min_hours: Integer = Field(ge=0, le=240)


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
    programme: list[ProgrammeItem] = Field(default_factory=list)
    interpreters: list[Interpreter] = Field(default_factory=list)
    travel: list[TravelRule] = Field(default_factory=list)

    @model_validator(mode="after")
    def _cross_references(self) -> Instance:
        from scheduler.crossref import cross_reference_problems  # (it reads these models: imported once they exist)

        problems = cross_reference_problems(self)
        if problems:
            raise InputError(problems)
        return self

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

    @cached_property
    def interpreter_by_id(self) -> dict[str, Interpreter]:
        return {i.id: i for i in self.interpreters}

    @cached_property
    def programme_attendees(self) -> dict[str, frozenset[str]]:
        """Programme item id -> the participant ids who attend it (a list, or `all` or a filter of
        those in the item's city that date)."""
        table = {}
        for item in self.programme:
            who = item.attendees
            if isinstance(who, list):
                table[item.id] = frozenset(who)
                continue
            # `all` and filters mean those in the item's city that date: someone whose availability
            # has no entry there is not there, and a Beijing plenary must not cost people in Hangzhou
            # their day (a list names people whatever their availability; a warning says where).
            there = [
                p
                for p in self.participants
                if p.available is None or any(a.date == item.date and a.city == item.city for a in p.available)
            ]
            if who == "all":
                ids = {p.id for p in there}
            else:
                assert isinstance(who, AttendeeFilter)
                ids = {
                    p.id
                    for p in there
                    if (who.organisation is None or p.organisation == who.organisation)
                    and (who.country is None or p.country == who.country)
                }
            table[item.id] = frozenset(ids)
        return table

    @cached_property
    def programme_of(self) -> dict[tuple[str, dt.date], list[ProgrammeItem]]:
        """(participant, date) -> the programme items they attend that date."""
        table: dict[tuple[str, dt.date], list[ProgrammeItem]] = defaultdict(list)
        for item in self.programme:
            for pid in self.programme_attendees[item.id]:
                table[(pid, item.date)].append(item)
        return dict(table)

    @staticmethod
    def _buffered(item: ProgrammeItem, date: dt.date) -> tuple[int, int]:
        """The item with its buffer, in minutes from the start of `date` (it may reach into the
        date before or after: a buffer crosses midnight)."""
        offset = (item.date - date).days * 1440
        return offset + to_minutes(item.start) - item.buffer_minutes, offset + to_minutes(
            item.end
        ) + item.buffer_minutes

    @cached_property
    def _buffer_spill(self) -> dict[tuple[str, dt.date], list[tuple[int, int]]]:
        """(participant, date) -> buffers of their items on the date before or after that cross
        midnight into it, in minutes of that date (they take time, not the city)."""
        table: dict[tuple[str, dt.date], list[tuple[int, int]]] = defaultdict(list)
        for item in self.programme:
            for other in (item.date - dt.timedelta(days=1), item.date + dt.timedelta(days=1)):
                lo, hi = self._buffered(item, other)
                if lo < 1440 and hi > 0:
                    for pid in self.programme_attendees[item.id]:
                        table[(pid, other)].append((lo, hi))
        return dict(table)

    @cached_property
    def _spoken(self) -> dict[str, frozenset[str]]:
        """Participant or interpreter id -> their languages, lower case (a participant's where an
        interpreter wrongly shares the id: that is reported as an input error)."""
        table: dict[str, frozenset[str]] = {}
        people: list[Participant | Interpreter] = [*self.participants, *self.interpreters]
        for person in people:
            table.setdefault(person.id, frozenset(lang.lower() for lang in person.languages))
        return table

    def languages_of(self, pid: str) -> frozenset[str]:
        """A participant's or interpreter's languages, lower case (empty: not given)."""
        return self._spoken.get(pid, frozenset())

    @cached_property
    def _speakers(self) -> dict[str, set[str]]:
        """Language (lower case) -> the interpreters who speak it."""
        table: dict[str, set[str]] = defaultdict(set)
        for interpreter in self.interpreters:
            for language in self.languages_of(interpreter.id):
                table[language].add(interpreter.id)
        return table

    @cached_property
    def _able_cache(self) -> dict[frozenset[frozenset[str]], list[str]]:
        return {}

    def _able_interpreters(self, people: list[str]) -> list[str]:
        """Interpreters who speak a language of each of these people, in the instance's order;
        found once per combination of languages (an IT-ZH pair is like every other)."""
        key = frozenset(self.languages_of(pid) for pid in people)
        cache = self._able_cache
        if key not in cache:
            able: set[str] | None = None
            for spoken in key:
                theirs = set().union(*(self._speakers.get(language, set()) for language in spoken))
                able = theirs if able is None else able & theirs
            cache[key] = [i.id for i in self.interpreters if able and i.id in able]
        return list(cache[key])

    def needs_interpreter(self, people: list[str]) -> bool:
        """Whether these people, all of whom list languages, share none."""
        spoken = [self.languages_of(pid) for pid in people]
        return len(spoken) > 1 and all(spoken) and not frozenset.intersection(*spoken)

    def interpreter_candidates(self, meeting: Meeting, people: list[str] | None = None) -> list[str]:
        """Interpreters who speak a language of each of the people (the named one only, where named);
        empty when the meeting needs none or no interpreters are listed."""
        people = meeting.participants if people is None else people
        if not self.interpreters or not self.needs_interpreter(people):
            return []
        if meeting.interpreter is not None:
            return [meeting.interpreter]
        return self._able_interpreters(people)

    def who(self, pid: str) -> str:
        """A person as an organiser reads them: 'Name (Organisation)', an interpreter as such, else the id."""
        person = self.participant_by_id.get(pid)
        if person is None:
            interpreter = self.interpreter_by_id.get(pid)
            return f"{interpreter.name} (interpreter)" if interpreter is not None else pid
        return f"{person.name} ({person.organisation})" if person.organisation else person.name

    def seats(self, meeting: Meeting, people: list[str] | None = None) -> int:
        """Chairs the meeting takes: its people, and its interpreter where it needs one."""
        people = meeting.participants if people is None else people
        extra = 1 if self.interpreters and self.needs_interpreter(people) else 0
        return len(people) + extra

    def slot_starts(self, session: Session, slots: int) -> range:
        """Grid starts at which a meeting of `slots` slots fits inside the session."""
        length = slots * self.event.slot_minutes
        return range(session.start, session.end - length + 1, self.event.slot_minutes)

    @cached_property
    def _availability(self) -> dict[str, dict[tuple[dt.date, str], list[tuple[int, int]]] | None]:
        """Per participant: (date, city) -> windows in minutes; None means always available."""
        table: dict[str, dict[tuple[dt.date, str], list[tuple[int, int]]] | None] = {}
        people: list[Participant | Interpreter] = [*self.participants, *self.interpreters]
        for person in people:
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
        """Slot starts (minutes) the participant (or interpreter) is free on that date in that city;
        None = always. Programme items they attend take their time (and buffer) and keep them in
        the items' city that date."""
        key = (pid, date, city)
        cache = self._free_tick_cache
        if key not in cache:
            free = self.window_ticks(pid, date, city)
            step = self.event.slot_minutes
            items = self.programme_of.get((pid, date), [])
            if any(item.city != city for item in items):
                free = frozenset()
            spans = [*(self._buffered(item, date) for item in items), *self._buffer_spill.get((pid, date), [])]
            if spans and free != frozenset():
                free = frozenset(range(0, 1440, step)) if free is None else free
                free = free - {t for lo, hi in spans for t in free if t < hi and t + step > lo}
            cache[key] = free
        return cache[key]

    @cached_property
    def _window_tick_cache(self) -> dict[tuple[str, dt.date, str], frozenset[int] | None]:
        return {}

    def window_ticks(self, pid: str, date: dt.date, city: str) -> frozenset[int] | None:
        """As `free_ticks`, from the person's `available` alone (programme items not taken off)."""
        key = (pid, date, city)
        cache = self._window_tick_cache
        if key not in cache:
            windows = self._availability[pid]
            step = self.event.slot_minutes
            cache[key] = (
                None
                if windows is None
                else frozenset(
                    t
                    for a, b in windows.get((date, city), [])
                    for t in range(a - a % step, b, step)
                    if a <= t and t + step <= b
                )
            )
        return cache[key]

    def is_available(self, pid: str, date: dt.date, city: str, start: int, end: int) -> bool:
        """Whether the participant's windows cover [start, end) on that date in that city."""
        free = self.free_ticks(pid, date, city)
        return free is None or all(t in free for t in range(start, end, self.event.slot_minutes))

    def profile_of(self, pid: str) -> int:
        """A number shared by everyone free at exactly the same times in every session."""
        return self._profiles[pid]

    @cached_property
    def _profiles(self) -> dict[str, int]:
        """Per person, a number shared by everyone free at exactly the same times in every session."""
        return self._profile_table[0]

    def _like(self, pid: str) -> str:
        """The first person of the same profile: free at the same times in every session, so their
        free times, already worked out, stand for this person's there (10,000 people, 33 profiles)."""
        profiles, first = self._profile_table
        return first[profiles[pid]]

    @cached_property
    def _profile_table(self) -> tuple[dict[str, int], list[str]]:
        """`_profiles`, and per profile number the first person who has it."""
        numbers: dict[tuple[frozenset[int] | None, ...], int] = {}
        first: list[str] = []
        on_programme = {pid for pid, _ in self.programme_of} | {pid for pid, _ in self._buffer_spill}
        by_windows: dict[object, int] = {}
        """Who lists the same windows and attends no programme item is free at the same times:
        their free times are worked out once (0.26 -> 0.05 s for 10,000 people and 12 sessions)."""
        profiles: dict[str, int] = {}
        everyone: list[Participant | Interpreter] = [*self.participants, *self.interpreters]
        for person in everyone:
            windows = (
                None if person.id in on_programme else "always" if person.available is None else tuple(person.available)
            )
            known = by_windows.get(windows) if windows is not None else None
            if known is None:
                free = tuple(self.free_ticks(person.id, s.date, s.city) for s in self.sessions)
                known = numbers.setdefault(free, len(numbers))
                if known == len(first):
                    first.append(person.id)
                if windows is not None:
                    by_windows[windows] = known
            profiles[person.id] = known
        return profiles, first

    @cached_property
    def _options_cache(self) -> dict[tuple[object, ...], list[Option]]:
        return {}

    def meeting_options(self, meeting: Meeting) -> list[Option]:
        """Every (venue, date, start) where rules 1, 2, 5 and 8 allow the meeting (and, where it
        needs an interpreter, one who could be there is free then).

        Meetings whose people share free times, length, city and size share one computation:
        at 90,000 requests among 15,000 people most do, and preparing takes seconds, not minutes.
        """
        size = self.seats(meeting)
        needs = bool(self.interpreters) and self.needs_interpreter(meeting.participants)
        if needs:
            return self._meeting_options(meeting, size, needs)
        profiles = self._profiles
        key = (frozenset(profiles[pid] for pid in meeting.participants), meeting.slots, meeting.city, size)
        cached = self._options_cache.get(key)
        if cached is None:
            cached = self._options_cache[key] = self._meeting_options(meeting, size, needs)
        return list(cached)

    def _meeting_options(self, meeting: Meeting, size: int, needs: bool) -> list[Option]:
        interpreters = self.interpreter_candidates(meeting) if needs else []
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
                free = self.free_ticks(self._like(pid), session.date, session.city)
                if free is not None:
                    common = free if common is None else common & free
                    if not common:
                        break
            if common is not None and not common:
                continue
            for start in self.slot_starts(session, meeting.slots):
                if common is None or all(t in common for t in range(start, start + length, step)):
                    if needs and not any(
                        self.is_available(i, session.date, session.city, start, start + length) for i in interpreters
                    ):
                        continue
                    options.append(Option(session.venue, session.city, session.date, start, start + length))
        return options

    @cached_property
    def largest_room(self) -> dict[str, int]:
        return {venue: max(r.capacity for r in rooms) for venue, rooms in self.venue_rooms.items()}

    @cached_property
    def _free_somewhere_cache(self) -> dict[tuple[int, str | None], bool]:
        return {}

    def _free_somewhere(self, pid: str, city: str | None) -> bool:
        """Whether the person has at least one free slot in some session (of that city)."""
        key = (self._profiles[pid], city)
        known = self._free_somewhere_cache.get(key)
        if known is None:
            step = self.event.slot_minutes
            known = self._free_somewhere_cache[key] = any(
                (free := self.free_ticks(pid, s.date, s.city)) is None
                or any(t in free for t in range(s.start, s.end, step))
                for s in self.sessions
                if city is None or s.city == city
            )
        return known

    def why_impossible(self, meeting: Meeting) -> str:
        """Plain reason a meeting has no option at all (call only when it has none)."""
        size = self.seats(meeting)
        if (
            self.interpreters
            and not self.interpreter_candidates(meeting)
            and self.needs_interpreter(meeting.participants)
        ):
            return "no common language, and no interpreter speaks a language of each participant"
        sessions = [s for s in self.sessions if meeting.city is None or s.city == meeting.city]
        if not sessions:
            return f"no session in {meeting.city}"
        if all(self.largest_room[s.venue] < size for s in sessions):
            return f"no room holds {size} people"
        length = meeting.slots * self.event.slot_minutes
        if all(s.end - s.start < length for s in sessions):
            return f"longer ({length} min) than any session"
        for pid in meeting.participants:
            if not self._free_somewhere(pid, meeting.city):
                return f"{pid} is not available in any session"
        if self.interpreters and self.needs_interpreter(meeting.participants):
            return "no common availability with an interpreter who could attend"
        return "no common availability"
