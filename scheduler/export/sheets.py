"""The organisers' workbook (openpyxl) and its first sheet as CSV (the csv module).

Sheets: one row per scheduled meeting and programme item (filters, frozen header, sized
columns), a room-by-time grid per city and day with the programme as bands above the rooms,
the unscheduled requests with reasons (cancelled ones too), a re-solve's changes, and the people
and rooms it cancelled.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from collections.abc import Sequence
from typing import Any

from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from scheduler.csv_cells import not_a_formula
from scheduler.export.views import MeetingView, person
from scheduler.model import Instance, to_clock, to_minutes
from scheduler.solution import Assignment, Schedule
from scheduler.timetable import REMOVED, removed_rooms, venue_room_ids

MEETING_HEADER = [
    "Meeting",
    "Date",
    "Start",
    "End",
    "City",
    "Venue",
    "Room",
    "Participants",
    "Organisations",
    "Topic",
    "Priority",
    "Entry",
]
"""`Entry` tells a meeting ("meeting") from a programme item ("programme": plenary, seminar ...),
whose row gives its id, time, place, attendees and its kind and title under Topic."""
PROGRAMME_NAMES = 20
"""A programme row names at most this many attendees, then gives the count (a plenary takes everyone)."""
HEADER_FONT = Font(bold=True)
HEADER_FILL = PatternFill("solid", fgColor="DDE4EE")
TAKEN_FILL = PatternFill("solid", fgColor="EEF3E2")
PROGRAMME_FILL = PatternFill("solid", fgColor="F3E6F5")


def meeting_rows(instance: Instance, views: list[MeetingView]) -> list[list[Any]]:
    """The first sheet (and meetings.csv): one row per scheduled meeting and per programme item,
    in time order, header first; the last column says which."""
    rows: list[tuple[tuple[str, str, int], list[Any]]] = []
    for v in views:
        people = "; ".join(p.name for p in v.people)
        organisations = "; ".join(p.organisation for p in v.people)
        row = [v.id, v.date, v.start, v.end, v.city, v.venue_name, v.room, people, organisations, v.topic, v.priority]
        rows.append(((v.date, v.start, 1), [*row, "meeting"]))
    for item in instance.programme:
        ids = sorted(instance.programme_attendees[item.id])
        found = [person(instance, pid) for pid in ids]
        if len(found) > PROGRAMME_NAMES:
            people, organisations = f"{len(found)} attendees (see their agendas)", ""
        else:
            people = "; ".join(p.name for p in found)
            organisations = "; ".join(p.organisation for p in found)
        date = item.date.isoformat()
        where = [item.city, item.venue, ""]
        row = [item.id, date, item.start, item.end, *where, people, organisations, item.label, "", "programme"]
        rows.append(((date, item.start, 0), row))
    rows.sort(key=lambda r: r[0])  # stable: meetings keep their room order within a start
    return [list(MEETING_HEADER), *(row for _, row in rows)]


def meetings_csv(rows: list[list[Any]]) -> bytes:
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\r\n").writerows([[not_a_formula(value) for value in row] for row in rows])
    return buffer.getvalue().encode("utf-8-sig")  # the BOM lets spreadsheet apps read UTF-8 names


def _place(a: Assignment | None) -> str:
    return "" if a is None else f"{a.date} {a.start}-{a.end} {a.city} {a.room}"


def grids(instance: Instance, views: list[MeetingView]) -> dict[str, list[list[str]]]:
    """Sheet title -> rows: rooms x times for each city and day, with who meets in each cell."""
    step = instance.event.slot_minutes
    sheets: dict[str, list[list[str]]] = {}
    for city in instance.cities:
        dates = sorted({d.date.isoformat() for v in instance.venues if v.city == city for d in v.days})
        for date in dates:
            venues = [v for v in instance.venues if v.city == city and any(d.date.isoformat() == date for d in v.days)]
            ticks = sorted(
                {
                    t
                    for v in venues
                    for d in v.days
                    if d.date.isoformat() == date
                    for w in d.sessions
                    for t in range(w.start_min, w.end_min, step)
                }
            )
            cells: dict[tuple[str, str], str] = {}
            for view in views:
                if view.city == city and view.date == date:
                    who = " / ".join(p.name for p in view.people)
                    cells[(view.room, view.start)] = f"{view.id}: {who}"
                    hours, minutes = (int(x) for x in view.start.split(":"))
                    for t in range(hours * 60 + minutes + step, hours * 60 + minutes + view.slots * step, step):
                        cells[(view.room, to_clock(t))] = "〃"
            rows = [["Room", *(to_clock(t) for t in ticks)]]
            rows += _programme_band(instance, city, date, ticks, step)
            removed = removed_rooms(instance, ((v.venue, v.room) for v in views if v.city == city and v.date == date))
            for venue in venues:
                for room in venue_room_ids(instance, venue.id, removed):
                    label = f"{room} ({REMOVED})" if room in removed.get(venue.id, []) else room
                    rows.append([label, *(cells.get((room, to_clock(t)), "") for t in ticks)])
            sheets[_sheet_title(f"{city} {date}")] = rows
    return sheets


def _programme_band(instance: Instance, city: str, date: str, ticks: list[int], step: int) -> list[list[str]]:
    """A grid row per programme item of the city and date, above the rooms: 'Programme: <id>', its
    kind and title in its first slot, 〃 through the rest."""
    rows = []
    for item in sorted(instance.programme, key=lambda i: (i.start, i.id)):
        if item.city != city or item.date.isoformat() != date:
            continue
        start, end = to_minutes(item.start), to_minutes(item.end)
        covered = [t for t in ticks if start < t + step and t < end]
        if covered:
            attending = len(instance.programme_attendees[item.id])
            text = f"{item.label} ({item.start}-{item.end}, {attending} attending)"
            rows.append([f"Programme: {item.id}", *(_band_cell(t, covered, text) for t in ticks)])
    return rows


def _band_cell(tick: int, covered: list[int], text: str) -> str:
    if tick == covered[0]:
        return text
    return "〃" if tick in covered else ""


def unscheduled_rows(instance: Instance, schedule: Schedule) -> list[list[Any]]:
    rows: list[list[Any]] = [["Meeting", "Participants", "Priority", "Topic", "Reason", "In words"]]
    for item in schedule.unscheduled:
        meeting = instance.meeting_by_id.get(item.meeting)
        people = "; ".join(person(instance, p).label for p in meeting.participants) if meeting else ""
        priority = meeting.priority if meeting else ""
        topic = (meeting.topic or "") if meeting else ""
        rows.append([item.meeting, people, priority, topic, item.reason, item.detail or ""])
    gone = {c.id for c in schedule.cancelled if c.kind == "participant"}
    for cancelled in schedule.cancelled:
        meeting = instance.meeting_by_id.get(cancelled.id) if cancelled.kind == "meeting" else None
        if meeting is None:
            continue  # (a person or a room: the Cancelled sheet)
        people = "; ".join(person(instance, p).label for p in meeting.participants)
        left = [person(instance, p).label for p in meeting.participants if p in gone]
        why = f"{'; '.join(left)} can no longer attend" if left else "the request was cancelled"
        reason = "cancelled" + _since(cancelled.from_)
        rows.append([meeting.id, people, meeting.priority, meeting.topic or "", reason, why])
    return rows


def cancelled_rows(instance: Instance, schedule: Schedule) -> list[list[Any]]:
    """Everything a re-solve cancelled: people who can no longer attend, rooms closed, requests
    (also in the Unscheduled sheet, with their reasons), each from when."""
    rows: list[list[Any]] = [["Cancelled", "Id", "Name", "From"]]
    for cancelled in schedule.cancelled:
        if cancelled.kind == "participant":
            name = person(instance, cancelled.id).label
        elif cancelled.kind == "room":
            room = instance.room_by_id.get(cancelled.id)
            name = (
                f"{room.id} ({instance.venue_by_id[room.venue].name or room.venue})"
                if room is not None
                else cancelled.id
            )
        else:
            meeting = instance.meeting_by_id.get(cancelled.id)
            people = "; ".join(person(instance, p).label for p in meeting.participants) if meeting else ""
            name = f"request with {people}" if people else cancelled.id
        since = cancelled.from_.replace("T", " ") if cancelled.from_ else "the start"
        rows.append([cancelled.kind, cancelled.id, name, since])
    return rows


def _since(moment: str | None) -> str:
    return f" from {moment.replace('T', ' ')}" if moment else ""


def change_rows(instance: Instance, schedule: Schedule) -> list[list[Any]]:
    rows: list[list[Any]] = [["Meeting", "Change", "Why", "Before", "After", "Notify"]]
    for change in schedule.changes:
        notify = "; ".join(person(instance, p).label for p in change.notify)
        rows.append(
            [change.meeting, change.change, change.cause or "", _place(change.before), _place(change.after), notify]
        )
    return rows


def _sheet_title(text: str) -> str:
    """Excel's rules: at most 31 characters, none of []:*?/\\ (nor control characters)."""
    return re.sub(r"[\[\]:*?/\\]", "-", cell_value(text))[:31]


def cell_value(value: Any) -> Any:
    """Text without the control characters an .xlsx cannot hold (openpyxl refuses them); other values as they are."""
    return ILLEGAL_CHARACTERS_RE.sub("\ufffd", value) if isinstance(value, str) else value


def _fill(sheet: Worksheet, rows: Sequence[Sequence[Any]], widest: int = 60, freeze: str = "A2") -> None:
    """Rows in, header bold and frozen, filters on, columns as wide as their text (up to `widest`)."""
    for row in rows:
        sheet.append([cell_value(value) for value in row])
        for cell in sheet[sheet.max_row]:
            if cell.data_type == "f":  # text from registration sheets, never a formula ("=HYPERLINK(...)")
                cell.data_type = "s"
    for cell in sheet[1]:
        cell.font = HEADER_FONT
        cell.fill = HEADER_FILL
    sheet.freeze_panes = freeze
    if len(rows) > 1:
        sheet.auto_filter.ref = sheet.dimensions
    for index in range(1, (max(len(r) for r in rows) if rows else 0) + 1):
        longest = max(
            (len(str(r[index - 1])) for r in rows if index - 1 < len(r) and r[index - 1] is not None), default=0
        )
        sheet.column_dimensions[get_column_letter(index)].width = min(widest, max(8, longest + 2))


DATE_FORMAT = "yyyy-mm-dd"
TIME_FORMAT = "hh:mm"


def _clock_cell(clock: str) -> dt.time | dt.timedelta:
    """'09:30' as a time cell; '24:00' (a session ending at midnight) as one whole day, shown as 24:00."""
    hours, minutes = (int(x) for x in clock.split(":"))
    return dt.timedelta(hours=hours, minutes=minutes) if hours >= 24 else dt.time(hours, minutes)


def _typed_meetings(sheet: Worksheet, rows: list[list[Any]]) -> list[list[Any]]:
    """The meeting rows with real date and time cells, so a spreadsheet sorts and filters them by time."""
    typed = [rows[0]]
    for row in rows[1:]:
        date, start, end = row[1:4]
        typed.append([row[0], dt.date.fromisoformat(date), _clock_cell(start), _clock_cell(end), *row[4:]])
    _fill(sheet, typed)
    for cells in sheet.iter_rows(min_row=2, min_col=2, max_col=4):
        cells[0].number_format = DATE_FORMAT
        for cell in cells[1:]:
            cell.number_format = "[hh]:mm" if isinstance(cell.value, dt.timedelta) else TIME_FORMAT
    sheet.column_dimensions["B"].width = 12
    return typed


def workbook(instance: Instance, schedule: Schedule, views: list[MeetingView]) -> tuple[bytes, list[list[list[Any]]]]:
    """The .xlsx bytes, and every sheet's rows (what decides whether the file changed)."""
    book = Workbook()
    meetings_sheet = book.active
    assert meetings_sheet is not None
    meetings_sheet.title = "Meetings"
    content = [_typed_meetings(meetings_sheet, meeting_rows(instance, views))]
    for title, rows in grids(instance, views).items():
        sheet = book.create_sheet(title)
        _fill(sheet, rows, widest=28, freeze="B2")
        for row in sheet.iter_rows(min_row=2):
            programme = str(row[0].value).startswith("Programme: ")
            for cell in row[1:]:
                cell.alignment = Alignment(wrap_text=True, vertical="top")
                if cell.value:
                    cell.fill = PROGRAMME_FILL if programme else TAKEN_FILL
        content.append(rows)
    for title, rows in (
        ("Unscheduled", unscheduled_rows(instance, schedule)),
        ("Changes", change_rows(instance, schedule)),
        *([("Cancelled", cancelled_rows(instance, schedule))] if schedule.cancelled else []),
    ):
        _fill(book.create_sheet(title), rows)
        content.append(rows)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue(), content
