"""`schedule export`: calendars, a workbook and printable agendas from one schedule.

The export directory remembers what it last held (`export-state.json`): each meeting's
calendar SEQUENCE, what its people were told, and a digest of every file. That is how a
re-solve's export tells calendars what moved and what was cancelled, and how
`--changed-only` rewrites just the files whose content changed. Without that memory (a
fresh directory) a re-solve's own change list says what the previous export held.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import json
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import Any

from scheduler.errors import InputError, Problem
from scheduler.export import html, ics, sheets
from scheduler.export.views import (
    MeetingView,
    Person,
    by_person,
    file_stem,
    local_time,
    meeting_views,
    person,
    view_of,
)
from scheduler.model import Instance
from scheduler.solution import Schedule
from scheduler.store import replace_bytes_atomically

STATE_FILE = "export-state.json"
STATE_FORMAT = "schedule-export/1"

Progress = Callable[[int, int], None]


@dataclass
class EventState:
    """What the calendars were last told about one meeting."""

    sequence: int
    fingerprint: str
    stamp: str
    view: dict[str, Any]
    attendees: list[str]
    former: list[str] = field(default_factory=list)
    """People whose copy is cancelled (they left, or the meeting is gone)."""
    cancelled: bool = False


@dataclass
class ExportReport:
    directory: Path
    written: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    updated_events: list[str] = field(default_factory=list)
    cancelled_events: list[str] = field(default_factory=list)


def _view_record(view: MeetingView) -> dict[str, Any]:
    record = dataclasses.asdict(view)
    del record["starts"], record["ends"]
    record["people"] = [[p.id, p.name, p.organisation] for p in view.people]
    return record


def _view_from(instance: Instance, record: dict[str, Any]) -> MeetingView:
    people = tuple(Person(*p) for p in record["people"])
    starts = local_time(instance, record["date"], record["start"])
    ends = local_time(instance, record["date"], record["end"])
    return MeetingView(**{**record, "people": people, "starts": starts, "ends": ends})


def _read_state(instance: Instance, directory: Path) -> tuple[dict[str, EventState], dict[str, str]] | None:
    path = directory / STATE_FILE
    if not path.exists():
        return None
    try:
        raw = json.loads(path.read_text(encoding="utf-8"))
        if raw.get("format") != STATE_FORMAT:
            raise ValueError("unknown format")
        events = {mid: EventState(**record) for mid, record in raw["events"].items()}
        files = {str(k): str(v) for k, v in raw["files"].items()}
    except (OSError, ValueError, KeyError, TypeError, AttributeError) as error:
        raise InputError(
            [Problem((), f"not a readable export record ({error}); delete it to export afresh")], str(path)
        ) from None
    if raw.get("event") != instance.event.name:
        raise InputError(
            [Problem((), f"this directory holds an export of {raw.get('event')!r}; choose another --to")], str(path)
        )
    return events, files


def _state_from_changes(instance: Instance, schedule: Schedule) -> dict[str, EventState]:
    """A fresh directory after a re-solve: assume the previous schedule was exported as it was."""
    events: dict[str, EventState] = {}
    for change in schedule.changes:
        if change.before is None:
            continue
        before = view_of(instance, schedule.model_copy(update={"cancelled": []}), change.before)
        events[change.meeting] = EventState(0, before.fingerprint(), "", _view_record(before), before.ids)
    return events


def _next_state(
    instance: Instance, views: list[MeetingView], prior: dict[str, EventState], stamp: str, report: ExportReport
) -> dict[str, EventState]:
    """Each meeting's new calendar state: SEQUENCE grows when what a calendar shows changes."""
    state: dict[str, EventState] = {}
    for view in views:
        before = prior.get(view.id)
        fingerprint = view.fingerprint()
        if before is None:
            state[view.id] = EventState(0, fingerprint, stamp, _view_record(view), view.ids)
            continue
        gone = sorted((set(before.former) | set(before.attendees)) - set(view.ids))
        changed = before.cancelled or before.fingerprint != fingerprint
        if changed:
            report.updated_events.append(view.id)
        state[view.id] = EventState(
            before.sequence + changed,
            fingerprint,
            stamp if changed or not before.stamp else before.stamp,
            _view_record(view),
            view.ids,
            gone,
        )
    scheduled = {view.id for view in views}
    for mid, before in prior.items():
        if mid in scheduled:
            continue
        if before.cancelled:
            state[mid] = before
            continue
        report.cancelled_events.append(mid)
        former = sorted(set(before.former) | set(before.attendees))
        state[mid] = EventState(before.sequence + 1, before.fingerprint, stamp, before.view, [], former, True)
    return state


def _calendar_entries(instance: Instance, state: dict[str, EventState]) -> dict[str, list[ics.CalendarEntry]]:
    entries: dict[str, list[ics.CalendarEntry]] = {}
    for record in state.values():
        view = _view_from(instance, record.view)
        for pid in record.attendees:
            entries.setdefault(pid, []).append(ics.CalendarEntry(view, record.sequence, False, record.stamp))
        for pid in record.former:
            entries.setdefault(pid, []).append(ics.CalendarEntry(view, record.sequence, True, record.stamp))
    return entries


def _stamp(schedule: Schedule) -> str:
    """The schedule's creation time in UTC, as the DTSTAMP of what it changed."""
    try:
        moment = dt.datetime.fromisoformat(schedule.created)
    except ValueError:
        moment = dt.datetime.now(dt.UTC)
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=dt.UTC)
    return moment.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def export(
    instance: Instance,
    schedule: Schedule,
    directory: Path,
    changed_only: bool = False,
    on_progress: Progress | None = None,
) -> ExportReport:
    """Write every export file under `directory`; with `changed_only`, only those whose content changed."""
    report = ExportReport(directory)
    views = meeting_views(instance, schedule)
    remembered = _read_state(instance, directory)
    prior, digests = remembered if remembered is not None else (_state_from_changes(instance, schedule), {})
    state = _next_state(instance, views, prior, _stamp(schedule), report)

    files: list[tuple[str, Callable[[], tuple[bytes, str]]]] = []

    def text_file(rel: str, make: Callable[[], str | bytes]) -> None:
        def build() -> tuple[bytes, str]:
            made = make()
            data = made.encode("utf-8") if isinstance(made, str) else made
            return data, hashlib.sha256(data).hexdigest()

        files.append((rel, build))

    for pid, entries in sorted(_calendar_entries(instance, state).items()):
        who = person(instance, pid)
        text_file(f"ics/{file_stem(pid)}.ics", partial(ics.calendar, instance.event.name, who, entries))
    mine = by_person(views)
    agendas = [html.agenda_of(instance, person(instance, p.id), mine.get(p.id, [])) for p in instance.participants]
    for agenda in agendas:
        title = f"{agenda.person.name}: agenda"
        text_file(f"agendas/{file_stem(agenda.person.id)}.html", partial(html.agendas_page, instance, [agenda], title))
    text_file("agendas/all.html", lambda: html.agendas_page(instance, agendas, f"{instance.event.name}: agendas"))
    text_file("index.html", lambda: html.index_page(instance, schedule.created, views))
    rows = sheets.meeting_rows(views)
    text_file("meetings.csv", lambda: sheets.meetings_csv(rows))

    def workbook() -> tuple[bytes, str]:
        data, content = sheets.workbook(instance, schedule, views)
        return data, hashlib.sha256(json.dumps(content, default=str).encode()).hexdigest()

    files.append(("meetings.xlsx", workbook))

    new_digests: dict[str, str] = {}
    for done, (rel, build) in enumerate(files, start=1):
        data, digest = build()
        new_digests[rel] = digest
        target = directory / rel
        if changed_only and digests.get(rel) == digest and target.exists():
            report.unchanged.append(rel)
        else:
            replace_bytes_atomically(target, data)
            report.written.append(rel)
        if on_progress is not None:
            on_progress(done, len(files))
    record = {
        "format": STATE_FORMAT,
        "event": instance.event.name,
        "schedule_created": schedule.created,
        "events": {mid: dataclasses.asdict(s) for mid, s in sorted(state.items())},
        "files": {**digests, **new_digests},
    }
    replace_bytes_atomically(directory / STATE_FILE, (json.dumps(record, indent=1, ensure_ascii=False) + "\n").encode())
    return report
