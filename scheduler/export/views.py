"""What every export shows about a meeting, read once from the instance and the schedule.

The calendar, the workbook and the printed agendas must agree on who meets whom, when and
where; they all read these views, and attendance always comes from `scheduler.attendance`.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
import zoneinfo
from dataclasses import dataclass

from scheduler.attendance import attendees, cancellation_applies, item_starts_at
from scheduler.model import Instance, ProgrammeItem
from scheduler.solution import Assignment, Cancellation, Schedule


@dataclass(frozen=True)
class Person:
    id: str
    name: str
    organisation: str

    @property
    def label(self) -> str:
        """'Giulia Rossi (ENEA)'."""
        return f"{self.name} ({self.organisation})" if self.organisation else self.name


@dataclass(frozen=True)
class MeetingView:
    """One scheduled meeting, ready to print: local, tz-aware times and the people who attend."""

    id: str
    date: str
    start: str
    end: str
    city: str
    venue: str
    venue_name: str
    room: str
    topic: str
    priority: int
    slots: int
    people: tuple[Person, ...]
    starts: dt.datetime
    ends: dt.datetime

    @property
    def where(self) -> str:
        """'Beijing, Beijing main venue, room BJ-T-3'."""
        return f"{self.city}, {self.venue_name}, room {self.room}"

    def others(self, pid: str) -> list[Person]:
        return [p for p in self.people if p.id != pid]

    def fingerprint(self) -> str:
        """What a participant's calendar must be told about when it changes."""
        return "|".join([self.date, self.start, self.end, self.venue, self.room, self.topic, *sorted(self.ids)])

    @property
    def ids(self) -> list[str]:
        return [p.id for p in self.people]


@dataclass(frozen=True)
class ProgrammeView:
    """A programme item someone attends, ready to print."""

    id: str
    title: str
    kind: str
    label: str
    """'Seminar: Energy', or the title alone when it already starts with its kind."""
    date: str
    start: str
    end: str
    where: str
    starts: dt.datetime
    ends: dt.datetime
    cancelled: bool = False
    """The participant can no longer attend by then (a re-solve's cancellation): a calendar that
    has the item is told, and an agenda leaves it out."""


def programme_of(instance: Instance, pid: str, cancelled: list[Cancellation] | None = None) -> list[ProgrammeView]:
    """The programme items a participant attends, in time order; those from the moment they were
    cancelled (`cancelled`, the schedule's) marked so."""
    gone = next((c for c in cancelled or [] if c.kind == "participant" and c.id == pid), None)

    def after(item: ProgrammeItem) -> bool:
        return gone is not None and cancellation_applies(gone, item_starts_at(item))

    views = [
        ProgrammeView(
            item.id,
            item.title,
            item.kind,
            item.label[0].upper() + item.label[1:],
            item.date.isoformat(),
            item.start,
            item.end,
            f"{item.city}, {item.venue}" if item.venue else item.city,
            local_time(instance, item.date.isoformat(), item.start),
            local_time(instance, item.date.isoformat(), item.end),
            after(item),
        )
        for item in instance.programme
        if pid in instance.programme_attendees[item.id]
    ]
    return sorted(views, key=lambda v: (v.starts, v.id))


def person(instance: Instance, pid: str) -> Person:
    found = instance.participant_by_id.get(pid)
    if found is not None:
        return Person(pid, found.name, found.organisation)
    interpreter = instance.interpreter_by_id.get(pid)
    if interpreter is not None:
        return Person(pid, interpreter.name, "interpreter")
    return Person(pid, pid, "")  # someone a previous schedule knew and the edited instance no longer lists


def local_time(instance: Instance, date: str, clock: str) -> dt.datetime:
    """A local date and clock time ('24:00' allowed) as an aware datetime in the event's zone."""
    hours, minutes = (int(x) for x in clock.split(":"))
    day = dt.datetime.combine(dt.date.fromisoformat(date), dt.time())
    naive = day + dt.timedelta(hours=hours, minutes=minutes)
    return naive.replace(tzinfo=zoneinfo.ZoneInfo(instance.event.timezone))


def view_of(instance: Instance, schedule: Schedule, assignment: Assignment) -> MeetingView:
    meeting = instance.meeting_by_id.get(assignment.meeting)
    venue = instance.venue_by_id.get(assignment.venue)
    # The interpreter sits in: their agenda and calendar hold the meeting, and everyone's name them.
    who = [
        *attendees(instance, schedule.cancelled, assignment),
        *([assignment.interpreter] if assignment.interpreter else []),
    ]
    people = tuple(person(instance, pid) for pid in who)
    return MeetingView(
        id=assignment.meeting,
        date=assignment.date,
        start=assignment.start,
        end=assignment.end,
        city=assignment.city,
        venue=assignment.venue,
        venue_name=(venue.name or venue.id) if venue else assignment.venue,
        room=assignment.room,
        topic=(meeting.topic or "") if meeting else "",
        priority=meeting.priority if meeting else 0,
        slots=meeting.slots if meeting else 1,
        people=people,
        starts=local_time(instance, assignment.date, assignment.start),
        ends=local_time(instance, assignment.date, assignment.end),
    )


def meeting_views(instance: Instance, schedule: Schedule) -> list[MeetingView]:
    """Every scheduled meeting in time order (date, start, room)."""
    ordered = sorted(schedule.assignments, key=lambda a: (a.date, a.start, a.room, a.meeting))
    return [view_of(instance, schedule, a) for a in ordered]


def by_person(views: list[MeetingView]) -> dict[str, list[MeetingView]]:
    """Participant id -> their meetings in time order."""
    table: dict[str, list[MeetingView]] = {}
    for view in views:
        for pid in view.ids:
            table.setdefault(pid, []).append(view)
    return table


FILE_STEM_BYTES = 100
"""File systems allow 255 bytes a name; 100 leaves room for the digest and the extension."""


def file_stem(ident: str) -> str:
    """A participant id as a safe file name: itself when it is plain and short, else cleaned plus a short digest.

    Ids may hold any non-blank text ('../x', 'a/b', a hundred Chinese characters); a file name
    must stay inside its folder, within the file system's length in bytes, and two different
    ids must never share a file.
    """
    cleaned = re.sub(r"[^\w.-]", "_", ident).lstrip(".") or "_"
    if cleaned == ident and len(ident.encode()) <= FILE_STEM_BYTES:
        return ident
    shortened = cleaned.encode()[: FILE_STEM_BYTES - 20].decode(errors="ignore")
    return f"{shortened}-{hashlib.sha256(ident.encode()).hexdigest()[:8]}"
