"""Build an instance from spreadsheets as matchmaking platforms export them (CSV or XLSX).

Two sheets and a small YAML: participants (one row per person, availability as one column
per date and city), meeting requests (requester, requested, priority, topic, city), and the
event with its venues. Every problem names the file, sheet, row and column, so an organiser
can find the cell; nothing is written unless the whole instance validates.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from scheduler.errors import InputError, Problem
from scheduler.model import Instance, Meeting, Participant
from scheduler.parsing import Lines
from scheduler.store import parse_yaml, problems_from_validation, read_bytes

PRIORITY_WORDS = {"must meet": 3, "must": 3, "should meet": 2, "would like": 1, "would like to meet": 1, "nice": 1}
"""Words platforms use for how much a meeting matters, as priorities."""
WHOLE_NUMBER = re.compile(r"^[+-]?[0-9]+(?:\.0*)?$")
"""A count as a sheet holds it: CSV text '3', or an XLSX number cell read as 3 or 3.0."""

WHOLE_DAY = {"x", "yes", "y", "all day", "whole day", "✓", "1", "true"}
NOT_THERE = {"", "no", "n", "-", "0", "false"}

PARTICIPANT_COLUMNS = {
    "id": ("id", "participant id", "participant"),
    "name": ("name", "full name"),
    "organisation": ("organisation", "organization", "company", "institution"),
    "country": ("country", "country code"),
    "languages": ("languages", "language"),
    "max_meetings": ("max meetings", "max_meetings"),
}
REQUEST_COLUMNS = {
    "id": ("id", "request id", "meeting id"),
    "requester": ("requester", "from", "requested by"),
    "requested": ("requested", "to", "with"),
    "priority": ("priority", "interest"),
    "topic": ("topic", "subject"),
    "city": ("city",),
    "slots": ("slots",),
}
AVAILABILITY_HEADER = re.compile(r"^([0-9]{4}-[0-9]{2}-[0-9]{2})\s+(.+)$")
WINDOW = re.compile(r"^([0-9]{1,2}:[0-9]{2})\s*[-–]\s*([0-9]{1,2}:[0-9]{2})$")
"""ASCII digits only: str.isdigit and \\d accept '²' and other digits that int() refuses."""
MAX_ROWS = 200_000
MAX_COLUMNS = 200
"""Sheet bounds: far beyond any event, and small enough that a stray far-away cell cannot fill memory."""


@dataclass
class Sheet:
    """A sheet's header and rows as text, with where it came from."""

    path: Path
    name: str
    header: list[str]
    rows: list[list[str]]

    def place(self, row: int, column: int | None = None) -> str:
        """'sheet participants, row 4, column D (country)': rows count the header as row 1."""
        where = f"sheet {self.name}, row {row}"
        if column is not None:
            label = self.header[column] if column < len(self.header) else ""
            where += f", column {_column_letter(column)}" + (f" ({label})" if label else "")
        return where


@dataclass
class ImportReport:
    """What an import built, for the summary line."""

    instance: Instance
    data: dict[str, Any]
    requests_read: int = 0
    mutual_merged: int = 0
    ignored_columns: list[str] = field(default_factory=list)
    duplicates: list[str] = field(default_factory=list)
    """Requests given more than once, each saying which rows and which topic was kept."""


def _column_letter(index: int) -> str:
    letters = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(ord("A") + rest) + letters
    return letters


def _cell_text(value: object) -> str:
    """A spreadsheet cell as the text a person sees in it."""
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time() else value.isoformat(timespec="minutes")
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, dt.time):
        return value.strftime("%H:%M")
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def read_sheet(path: Path, kind: str) -> Sheet:
    """The sheet of a CSV file, or of an XLSX workbook (the sheet named `kind`, else the first)."""
    data = read_bytes(path, f"{kind} sheet")
    if path.suffix.lower() in (".xlsx", ".xlsm"):
        return _read_xlsx(path, data, kind)
    if path.suffix.lower() not in (".csv", ".txt", ".tsv"):
        raise InputError([Problem((), "expected a .csv or .xlsx file")], str(path)) from None
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise InputError(
            [Problem((), f"not UTF-8 text (byte {error.start}); save the sheet as CSV UTF-8")], str(path)
        ) from None
    try:
        dialect: type[csv.Dialect] | csv.Dialect = csv.Sniffer().sniff(text[:4096], delimiters=",;\t")
    except csv.Error:
        dialect = csv.excel
    try:
        table = _bounded_rows(path, kind, csv.reader(io.StringIO(text), dialect))
    except csv.Error as error:
        raise InputError([Problem((), f"not a readable CSV file: {error}")], str(path)) from None
    return _sheet(path, kind, table)


def _read_xlsx(path: Path, data: bytes, kind: str) -> Sheet:
    import zipfile
    import zlib

    from openpyxl import load_workbook

    # what zipfile, zlib and the XML parsers (ParseError and lxml's errors are SyntaxErrors) raise on a damaged file
    unreadable = (zipfile.BadZipFile, zlib.error, EOFError, KeyError, ValueError, TypeError, OSError, SyntaxError)
    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
        names = {name.lower(): name for name in workbook.sheetnames}
        if not names:
            raise InputError([Problem((), "the workbook has no sheets")], str(path))
        worksheet = workbook[names.get(kind, workbook.sheetnames[0])]
        worksheet.reset_dimensions()  # its recorded size: one stray cell at XFD1048576 pads every row to it
        table = _bounded_rows(path, worksheet.title, worksheet.iter_rows(values_only=True))
        workbook.close()
    except unreadable as error:
        reason = " ".join(str(error).split())[:200]
        raise InputError([Problem((), f"not a readable .xlsx workbook ({reason})")], str(path)) from None
    return _sheet(path, worksheet.title, table)


def _bounded_rows(path: Path, sheet: str, rows: Iterable[Sequence[object]]) -> list[list[str]]:
    """The cells as text, one row at a time, trimmed of trailing blanks, within MAX_ROWS x MAX_COLUMNS.

    Blank rows after the last value are dropped, so a stray far-away cell is refused as soon as
    it is read instead of being padded into a grid.
    """
    table: list[list[str]] = []
    blank_rows = 0
    for number, values in enumerate(rows, 1):
        last = next((index for index in range(len(values) - 1, -1, -1) if _cell_text(values[index])), -1)
        if last < 0:
            blank_rows += 1
            continue
        if number > MAX_ROWS:
            raise _too_big(path, sheet, f"a value on row {number:,}; at most {MAX_ROWS:,} rows are read")
        if last >= MAX_COLUMNS:
            where = f"a value in column {_column_letter(last)} on row {number:,}"
            raise _too_big(path, sheet, f"{where}; at most {MAX_COLUMNS} columns are read")
        table.extend([] for _ in range(blank_rows))
        blank_rows = 0
        table.append([_cell_text(value) for value in values[: last + 1]])
    return table


def _too_big(path: Path, sheet: str, detail: str) -> InputError:
    message = f"sheet {sheet} is too big: {detail} (delete stray cells far from the table)"
    return InputError([Problem((), message)], str(path))


def _sheet(path: Path, name: str, table: list[list[str]]) -> Sheet:
    """Rows (from _bounded_rows: no trailing blanks) under their header, each padded to its width."""
    if not table:
        raise InputError([Problem((), f"sheet {name} is empty: expected a header row")], str(path)) from None
    header = table[0]
    width = len(header)
    rows = [row + [""] * (width - len(row)) for row in table[1:]]
    return Sheet(path, name, header, rows)


def _columns(sheet: Sheet, wanted: dict[str, tuple[str, ...]], required: tuple[str, ...]) -> dict[str, int]:
    """Field -> column index, by header name (case and spacing ignored)."""
    found: dict[str, int] = {}
    for index, label in enumerate(sheet.header):
        key = " ".join(label.lower().replace("_", " ").split())
        for name, aliases in wanted.items():
            if key in aliases and name not in found:
                found[name] = index
    missing = [name for name in required if name not in found]
    if missing:
        heard = ", ".join(repr(h) for h in sheet.header if h) or "none"
        raise InputError([_problem(sheet, 1, None, f"no column {m!r} (the header has {heard})") for m in missing])
    return found


def _rows(sheet: Sheet) -> Iterator[tuple[int, list[str]]]:
    """(spreadsheet row number, cells) of each non-empty data row."""
    for offset, row in enumerate(sheet.rows):
        if any(row):
            yield offset + 2, row


def _problem(sheet: Sheet, row: int, column: int | None, message: str) -> Problem:
    return Problem((), f"{sheet.path}: {sheet.place(row, column)}: {message}")


def _availability(
    sheet: Sheet, row: int, cells: list[str], columns: dict[int, tuple[str, str]], problems: list[Problem]
) -> list[tuple[int, dict[str, str]]] | None:
    """(column, window) from the date/city columns; None when every such cell is blank (available everywhere)."""
    if not any(cells[index] for index in columns):
        return None
    entries: list[tuple[int, dict[str, str]]] = []
    for index, (date, city) in columns.items():
        value = cells[index].strip()
        if value.lower() in NOT_THERE:
            continue
        if value.lower() in WHOLE_DAY:
            entries.append((index, {"date": date, "city": city}))
            continue
        for part in re.split(r"[,;]", value):
            match = WINDOW.match(part.strip())
            if match is None:
                problems.append(
                    _problem(
                        sheet, row, index, f"{part.strip()!r} is not 'x' (whole day) nor a window like 09:30-12:30"
                    )
                )
                continue
            start, end = (f"{int(t.split(':')[0]):02d}:{t.split(':')[1]}" for t in match.groups())
            entries.append((index, {"date": date, "city": city, "start": start, "end": end}))
    return entries


def read_participants(
    sheet: Sheet, cities: set[str]
) -> tuple[list[dict[str, Any]], list[str], list[Problem], list[list[int]]]:
    """Participant records, the ignored columns, every problem found, and each record's availability columns.

    The last is parallel to the records: the sheet column each `available` entry came from, so a
    window the model refuses later (off the grid, not a time) is pointed back at its cell.
    """
    columns = _columns(sheet, PARTICIPANT_COLUMNS, ("id", "name"))
    availability: dict[int, tuple[str, str]] = {}
    problems: list[Problem] = []
    for index, label in enumerate(sheet.header):
        match = AVAILABILITY_HEADER.match(label.strip())
        if match is None:
            continue
        try:
            dt.date.fromisoformat(match.group(1))
        except ValueError:
            problems.append(_problem(sheet, 1, index, f"{match.group(1)!r} is not a date"))
            continue
        if match.group(2).strip() not in cities:
            known = ", ".join(sorted(cities))
            problems.append(_problem(sheet, 1, index, f"no venue is in city {match.group(2).strip()!r} ({known})"))
            continue
        availability[index] = (match.group(1), match.group(2).strip())
    used = set(columns.values()) | set(availability)
    ignored = [label for index, label in enumerate(sheet.header) if index not in used and label]
    people: list[dict[str, Any]] = []
    entry_columns: list[list[int]] = []
    seen: dict[str, int] = {}
    for row, cells in _rows(sheet):
        record: dict[str, Any] = {name: cells[index] for name, index in columns.items() if cells[index]}
        if "languages" in record:
            record["languages"] = [x.strip() for x in re.split(r"[,;/]", record["languages"]) if x.strip()]
        if len(record.get("country", "")) == 2:
            record["country"] = record["country"].upper()
        if "max_meetings" in record:
            count = _whole_number(record["max_meetings"])
            if count is None:
                problems.append(_not_whole(sheet, row, columns["max_meetings"], record.pop("max_meetings")))
            else:
                record["max_meetings"] = count
        windows = _availability(sheet, row, cells, availability, problems)
        if windows is not None:
            record["available"] = [window for _, window in windows]
        entry_columns.append([column for column, _ in windows or []])
        ident = record.get("id", "")
        if ident in seen:
            problems.append(_problem(sheet, row, columns["id"], f"participant {ident!r} already on row {seen[ident]}"))
        seen.setdefault(ident, row)
        try:
            Participant.model_validate(record)
        except ValidationError as error:
            for found in problems_from_validation(error):
                column = _column_of(found.loc, columns, entry_columns[-1])
                problems.append(_problem(sheet, row, column, found.message))
        people.append(record)
    return people, ignored, problems, entry_columns


def _column_of(loc: tuple[str | int, ...], columns: dict[str, int], entry_columns: list[int]) -> int | None:
    """The sheet column a participant field came from: ('available', 2, 'start') -> that window's date/city column."""
    if len(loc) > 1 and loc[0] == "available" and isinstance(loc[1], int) and loc[1] < len(entry_columns):
        return entry_columns[loc[1]]
    return columns.get(str(loc[0])) if loc else None


def _whole_number(text: str) -> int | None:
    """'3', '3.0', ' 3 ' -> 3; '3.5', 'x' -> None (the model checks the range)."""
    text = text.strip()
    return int(float(text)) if WHOLE_NUMBER.match(text) else None


def _not_whole(sheet: Sheet, row: int, column: int, text: str) -> Problem:
    return _problem(sheet, row, column, f"{text!r} is not a whole number")


def _priority(text: str) -> int | None:
    if not text:
        return 1
    number = _whole_number(text)
    if number is not None:
        return number
    return PRIORITY_WORDS.get(" ".join(text.lower().split()))


def priority_words() -> str:
    """Every word the priority column accepts, for messages and help: 'must meet' (3), ..."""
    return ", ".join(f"{word!r} ({value})" for word, value in PRIORITY_WORDS.items())


def read_requests(
    sheet: Sheet, known: set[str], cities: set[str], duplicates: list[str] | None = None
) -> tuple[list[dict[str, Any]], list[int], int, list[Problem]]:
    """Meeting records (mutual requests merged, the higher priority kept), their rows, how many merged, problems.

    A request given twice is merged too, but not silently: `duplicates` gets a line saying
    which rows and which topic was kept, so a topic dropped in the merge can be put back.
    """
    columns = _columns(sheet, REQUEST_COLUMNS, ("requester", "requested"))
    problems: list[Problem] = []
    merged: dict[frozenset[str], tuple[int, dict[str, Any]]] = {}
    mutual = 0
    for row, cells in _rows(sheet):

        def cell(name: str, cells: list[str] = cells) -> str:
            return cells[columns[name]] if name in columns else ""

        requester, requested = cell("requester"), cell("requested")
        bad = False
        for name, ident in (("requester", requester), ("requested", requested)):
            if ident not in known:
                what = "empty" if not ident else f"unknown participant {ident!r}"
                problems.append(_problem(sheet, row, columns[name], what))
                bad = True
        if requester and requester == requested:
            problems.append(_problem(sheet, row, columns["requested"], f"{requester!r} requests a meeting with itself"))
            bad = True
        priority = _priority(cell("priority"))
        if priority is None:
            message = f"{cell('priority')!r} is not a whole number nor one of {priority_words()}"
            problems.append(_problem(sheet, row, columns["priority"], message))
            bad = True
        slots = _whole_number(cell("slots")) if cell("slots") else 1
        if slots is None:
            problems.append(_not_whole(sheet, row, columns["slots"], cell("slots")))
            bad = True
        if cell("city") and cell("city") not in cities:
            problems.append(_problem(sheet, row, columns["city"], f"no venue is in city {cell('city')!r}"))
            bad = True
        if bad:
            continue
        record: dict[str, Any] = {"participants": [requester, requested], "priority": priority}
        for name in ("id", "topic", "city"):
            if cell(name):
                record[name] = cell(name)
        if cell("slots"):
            record["slots"] = slots
        try:
            Meeting.model_validate({"id": "r", **record})
        except ValidationError as error:
            for found in problems_from_validation(error):
                problems.append(
                    _problem(sheet, row, columns.get(str(found.loc[0]) if found.loc else ""), found.message)
                )
            continue
        pair = frozenset((requester, requested))
        if pair not in merged:
            merged[pair] = (row, record)
            continue
        first_row, first = merged[pair]
        is_mutual = first["participants"][0] == requested
        mutual += is_mutual  # the other half of a pair; a repeated row merges too
        topics = (first.get("topic"), record.get("topic"))
        if duplicates is not None and (not is_mutual or (all(topics) and topics[0] != topics[1])):
            what = "is the other half of" if is_mutual else "repeats"
            line = f"{sheet.name} row {row} ({requester} -> {requested}) {what} row {first_row}"
            if topics[0] and topics[1] and topics[0] != topics[1]:
                line += f"; topic {topics[0]!r} kept, {topics[1]!r} dropped"
            duplicates.append(line)
        for name in ("city", "slots"):
            if name in record and name in first and record[name] != first[name]:
                problems.append(
                    _problem(
                        sheet, row, columns[name], f"{record[name]!r} differs from {first[name]!r} on row {first_row}"
                    )
                )
        first["priority"] = max(first["priority"], record["priority"])
        for name in ("topic", "city", "slots"):
            first.setdefault(name, record.get(name))
            if first[name] is None:
                del first[name]
    meetings = [
        {"id": record.pop("id", f"r{number:04d}"), **record} for number, (_, record) in enumerate(merged.values(), 1)
    ]
    return meetings, [row for row, _ in merged.values()], mutual, problems


def read_event(path: Path) -> tuple[dict[str, Any], Lines]:
    """The event and venues (YAML) with their line numbers, checked for shape; full checks come with the instance."""
    source = str(path)
    data = read_bytes(path, "event")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise InputError([Problem((), f"not UTF-8 text (byte {error.start})")], source) from None
    raw, lines = parse_yaml(text, source)
    if not isinstance(raw, dict) or "event" not in raw or not isinstance(raw.get("venues"), list):
        raise InputError([Problem((), "expected a mapping with 'event' and 'venues'")], source)
    extra = sorted(set(raw) - {"event", "venues"})
    if extra:
        raise InputError(
            [Problem((name,), "unexpected section (only event and venues go here)") for name in extra], source
        ).with_source(source, lines)
    return raw, lines


def build_instance(participants_path: Path, requests_path: Path, event_path: Path) -> ImportReport:
    """Read all three inputs and validate the instance they make; raises InputError listing every problem."""
    event, event_lines = read_event(event_path)
    people_sheet = read_sheet(participants_path, "participants")
    cities = {str(venue.get("city")) for venue in event["venues"] if isinstance(venue, dict)}
    people, ignored, problems, entry_columns = read_participants(people_sheet, cities)
    requests_sheet = read_sheet(requests_path, "requests")
    known = {str(p["id"]) for p in people if p.get("id")}
    duplicates: list[str] = []
    meetings, meeting_rows, mutual, request_problems = read_requests(requests_sheet, known, cities, duplicates)
    if problems or request_problems:
        raise InputError(problems + request_problems)
    data = {"event": event["event"], "venues": event["venues"], "participants": people, "meetings": meetings}
    sources = _Sources(people_sheet, entry_columns, requests_sheet, meeting_rows, event_path, event_lines)
    try:
        instance = Instance.model_validate(data)
    except ValidationError as error:
        raise InputError(_located(problems_from_validation(error), sources)) from None
    except InputError as error:
        raise InputError(_located(error.problems, sources)) from None
    rows = sum(1 for _ in _rows(requests_sheet))
    return ImportReport(instance, data, rows, mutual, ignored, duplicates)


@dataclass
class _Sources:
    """Where each part of the built instance came from, to point its problems back at cells and lines."""

    people: Sheet
    entry_columns: list[list[int]]
    requests: Sheet
    meeting_rows: list[int]
    event_path: Path
    event_lines: Lines


def _located(problems: list[Problem], sources: _Sources) -> list[Problem]:
    """Cross-checks (cities, grid) found on the whole instance, pointed back at sheet cells or event-file lines."""
    people, requests = sources.people, sources.requests
    people_rows = [row for row, _ in _rows(people)]
    located = []
    for found in problems:
        kind, index = (found.loc[0], found.loc[1]) if len(found.loc) > 1 else (None, None)
        detail = ".".join(str(part) for part in found.loc[2:])
        if kind == "participants" and isinstance(index, int):
            column = _column_of(found.loc[2:], {}, sources.entry_columns[index])
            if column is not None:  # the column names the window: 'start: 09:45 is not on the grid'
                detail = str(found.loc[-1]) if len(found.loc) > 4 else ""
            where = f"{people.path}: {people.place(people_rows[index], column)}"
        elif kind == "meetings" and isinstance(index, int):
            where = f"{requests.path}: {requests.place(sources.meeting_rows[index])}"
        else:
            # the event file's own words and line numbers, as `schedule check` gives them for an instance
            located += [
                Problem((), p.render(str(sources.event_path)))
                for p in InputError([found]).with_source("", sources.event_lines).problems
            ]
            continue
        located.append(Problem((), f"{where}: {detail + ': ' if detail else ''}{found.message}"))
    return located
