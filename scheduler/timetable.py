"""Which meetings a `timetable` call asks for, and the same rows for scripts (CSV, JSON, Markdown).

The filters narrow one list: a person, a room or a group of tables (`BJ-T` means BJ-T-1 ..
BJ-T-n), a date; given together they combine. Programme items come along unless a room is
asked for (they are in no room): a person's own, or every item. The terminal views in
render.py and the machine formats here read the same selection, so they never disagree.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
from collections.abc import Iterable
from dataclasses import dataclass

from scheduler.attendance import attendees, programme_attended
from scheduler.csv_cells import not_a_formula
from scheduler.model import Instance, ProgrammeItem
from scheduler.solution import Assignment, Schedule

FORMATS = ("table", "markdown", "csv", "json")
COLUMNS = (
    "meeting",
    "date",
    "start",
    "end",
    "city",
    "venue",
    "room",
    "participants",
    "names",
    "organisations",
    "topic",
    "interpreter",
    "entry",
    "item",
    "kind",
    "title",
)
"""The columns of the script formats; `entry` says whether a row is a meeting or a programme
item (`item`, `kind`, `title` then describe it; `meeting`, `room` and `topic` stay empty)."""


@dataclass(frozen=True)
class Selection:
    person: str | None
    rooms: list[str] | None
    """The rooms asked for (a group expanded), or None for every room."""
    date: str | None
    assignments: list[Assignment]
    programme: list[ProgrammeItem]
    """The programme items shown beside the meetings: the person's, or all; none for a room."""

    @property
    def is_group(self) -> bool:
        return self.rooms is not None and len(self.rooms) > 1


REMOVED = "no longer in the instance"
"""How views mark a room the schedule's history uses but the instance has since lost."""


def removed_rooms(instance: Instance, used: Iterable[tuple[str, str]]) -> dict[str, list[str]]:
    """Venue id -> rooms that (venue, room) pairs in use name but the instance no longer has.

    A room removed after meetings were held in it keeps those meetings as history; every
    view shows it (marked) rather than losing the meetings.
    """
    known = set(instance.room_by_id)
    found: dict[str, set[str]] = {}
    for venue, room in used:
        if room not in known:
            found.setdefault(venue, set()).add(room)
    return {venue: sorted(rooms) for venue, rooms in found.items()}


def venue_room_ids(instance: Instance, venue: str, removed: dict[str, list[str]]) -> list[str]:
    """A venue's rooms in the instance's order, then its removed rooms still in use."""
    return [room.id for room in instance.venue_rooms.get(venue, [])] + removed.get(venue, [])


def room_groups(instance: Instance, schedule: Schedule | None = None) -> dict[str, list[str]]:
    """Every name `--room` accepts: each room, each `count` group as all its tables, and rooms the schedule uses."""
    groups = {room.id: [room.id] for room in instance.rooms}
    for venue in instance.venues:
        for spec in venue.rooms:
            groups.setdefault(spec.id, spec.room_ids)
    for a in schedule.assignments if schedule is not None else []:
        groups.setdefault(a.room, [a.room])
    return groups


def named_in(schedule: Schedule) -> set[str]:
    """Everyone the schedule's assignments name, people and interpreters: `--person` also
    finds someone removed from the instance after their meetings were held (kept as history)."""
    named = {a.interpreter for a in schedule.assignments if a.interpreter is not None}
    return named.union(*(a.participants or [] for a in schedule.assignments))


def is_date(text: str) -> bool:
    """Whether `--date` was written as YYYY-MM-DD and names a real day."""
    try:
        return len(text) == 10 and dt.date.fromisoformat(text).isoformat() == text
    except ValueError:
        return False


def dates(instance: Instance) -> list[str]:
    return sorted({day.date.isoformat() for venue in instance.venues for day in venue.days})


def select(instance: Instance, schedule: Schedule, person: str | None, room: str | None, date: str | None) -> Selection:
    """The scheduled meetings matching every filter given, in time order (ids already known to exist)."""
    rooms = room_groups(instance, schedule)[room] if room is not None else None
    chosen = []
    for a in sorted(schedule.assignments, key=lambda a: (a.date, a.start, a.room)):
        if rooms is not None and a.room not in rooms:
            continue
        if date is not None and a.date != date:
            continue
        if person is not None and person not in attendees(instance, schedule.cancelled, a) and a.interpreter != person:
            continue
        chosen.append(a)
    programme = (
        sorted(instance.programme, key=lambda item: (item.date, item.start, item.id))
        if person is None
        else programme_attended(instance, schedule.cancelled, person)
    )
    items = [item for item in programme if room is None and (date is None or item.date.isoformat() == date)]
    return Selection(person, rooms, date, chosen, items)


def rows(instance: Instance, schedule: Schedule, selection: Selection) -> list[dict[str, str | list[str]]]:
    """One record per meeting with the people who attend, and one per programme item, in time
    order: what scripts read. An item's people are the person asked for, else all its attendees."""
    records: list[dict[str, str | list[str]]] = []
    for a in selection.assignments:
        meeting = instance.meeting_by_id.get(a.meeting)
        records.append(
            {
                "meeting": a.meeting,
                "date": a.date,
                "start": a.start,
                "end": a.end,
                "city": a.city,
                "venue": a.venue,
                "room": a.room,
                **_people(instance, attendees(instance, schedule.cancelled, a)),
                "topic": (meeting.topic or "") if meeting else "",
                "interpreter": a.interpreter or "",
                "entry": "meeting",
                "item": "",
                "kind": "",
                "title": "",
            }
        )
    for item in selection.programme:
        people = [selection.person] if selection.person else sorted(instance.programme_attendees[item.id])
        records.append(
            {
                "meeting": "",
                "date": item.date.isoformat(),
                "start": item.start,
                "end": item.end,
                "city": item.city,
                "venue": item.venue,
                "room": "",
                **_people(instance, people),
                "topic": "",
                "interpreter": "",
                "entry": "programme",
                "item": item.id,
                "kind": item.kind,
                "title": item.title,
            }
        )
    return sorted(records, key=lambda r: (str(r["date"]), str(r["start"]), r["entry"] == "meeting"))


def _people(instance: Instance, people: list[str]) -> dict[str, str | list[str]]:
    """Ids, names and organisations; an id the instance no longer lists stands for its name."""
    found = [instance.participant_by_id.get(p) for p in people]
    return {
        "participants": people,
        "names": [f.name if f else p for f, p in zip(found, people, strict=True)],
        "organisations": [f.organisation if f else "" for f in found],
    }


def _flat(value: str | list[str]) -> str:
    return "; ".join(value) if isinstance(value, list) else value


def as_json(records: list[dict[str, str | list[str]]]) -> str:
    return json.dumps(records, ensure_ascii=False, indent=2)


def as_csv(records: list[dict[str, str | list[str]]]) -> str:
    """One row per meeting; a cell that a spreadsheet app would run as a formula keeps a leading
    apostrophe, as in the export's meetings.csv (organisers open this one too)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(COLUMNS)
    for record in records:
        writer.writerow([not_a_formula(_flat(record[c])) for c in COLUMNS])
    return buffer.getvalue()


def as_markdown(records: list[dict[str, str | list[str]]]) -> str:
    """A GitHub-style pipe table; pipes and line breaks inside cells are escaped."""

    def cell(value: str | list[str]) -> str:
        return _flat(value).replace("\\", "\\\\").replace("|", "\\|").replace("\n", " ")

    lines = ["| " + " | ".join(COLUMNS) + " |", "|" + "---|" * len(COLUMNS)]
    lines += ["| " + " | ".join(cell(record[c]) for c in COLUMNS) + " |" for record in records]
    return "\n".join(lines) + "\n"
