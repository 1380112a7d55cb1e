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
    programme_of,
    view_of,
)
from scheduler.model import Instance
from scheduler.reasons import with_reasons
from scheduler.solution import Schedule, local_moment
from scheduler.store import read_bytes, replace_bytes_atomically, sha256_of

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


def _read_state(
    instance: Instance, schedule: Schedule, schedule_sha: str | None, directory: Path
) -> tuple[dict[str, EventState], dict[str, str], list[str], dict[str, str]] | None:
    """What the directory last held: calendar states, file digests, the schedules the exported one replaced,
    and each agenda's 'as of' line.

    Refuses another event's directory, and an older schedule than the one exported there
    (by `created`, or because the exported one was re-solved from it): that would bring
    its cancelled meetings back to the calendars.
    """
    path = directory / STATE_FILE
    if not path.exists():
        return None
    try:
        raw = json.loads(path.read_text(encoding="utf-8"))
        if raw.get("format") != STATE_FORMAT:
            raise ValueError("unknown format")
        events = {mid: EventState(**record) for mid, record in raw["events"].items()}
        files = {str(k): str(v) for k, v in raw["files"].items()}
        replaced = [str(sha) for sha in raw.get("replaced_schedules", [])]
        as_of = {str(k): str(v) for k, v in raw.get("agenda_as_of", {}).items()}
    except (OSError, ValueError, KeyError, TypeError, AttributeError) as error:
        raise InputError(
            [Problem((), f"not a readable export record ({error}); delete it to export afresh")], str(path)
        ) from None
    if not _same_event(instance, schedule, raw.get("event"), events):
        raise InputError(
            [Problem((), f"this directory holds an export of {raw.get('event')!r}; choose another --to")], str(path)
        )
    exported = _moment(str(raw.get("schedule_created", "")))
    newer = exported is not None and exported > (_moment(schedule.created) or exported)
    if newer or (schedule_sha is not None and schedule_sha in replaced):
        when = local_moment(str(raw["schedule_created"]), instance.event.timezone)
        mine = local_moment(schedule.created, instance.event.timezone)
        message = (
            f"this directory holds the export of a newer schedule (created {when}) than this one (created {mine}); "
            "exporting it here would undo that schedule's changes in the calendars; use another --to"
        )
        raise InputError([Problem((), message)], str(path))
    return events, files, replaced, as_of


def _same_event(instance: Instance, schedule: Schedule, name: object, events: dict[str, EventState]) -> bool:
    """The same event even when renamed: the meetings and people the directory was told about mostly still are.

    As changes.same_event decides for a previous schedule: at least half of the meetings the
    export recorded are in this schedule or the instance, and half of the people it named.
    """
    if name == instance.event.name:
        return True
    if not events:
        return False  # nothing recorded to compare: only the name can tell
    ours = set(instance.meeting_by_id) | {a.meeting for a in schedule.assignments}
    kept = len(set(events) & ours) * 2 >= len(events)
    people = {p for state in events.values() for p in (*state.attendees, *state.former)}
    known = not people or len(people & set(instance.participant_by_id)) * 2 >= len(people)
    return kept and known


def _moment(text: str) -> dt.datetime | None:
    """An ISO time, as an aware datetime (UTC when it has no offset); None when it is not one."""
    try:
        moment = dt.datetime.fromisoformat(text)
    except ValueError:
        return None
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=dt.UTC)


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


def _agendas_of_the_removed(
    instance: Instance,
    schedule: Schedule,
    state: dict[str, EventState],
    mine: dict[str, list[MeetingView]],
    prior: dict[str, EventState],
) -> list[html.Agenda]:
    """An agenda for each person the calendars knew and the instance no longer lists.

    Their calendar cancels what they no longer attend; their printed agenda must say so too
    instead of keeping the meetings it last listed. Name and role come from what the export
    recorded, or (a fresh directory) from the re-solve's change list.
    """
    listed = set(instance.participant_by_id) | set(instance.interpreter_by_id)
    interpreted = {c.before.interpreter for c in schedule.changes if c.before is not None and c.before.interpreter}
    known: dict[str, Person] = {}
    for record in [*state.values(), *prior.values()]:  # the earlier views still name who left them
        for pid, name, organisation in record.view["people"]:
            known.setdefault(pid, Person(pid, name, organisation))
    removed = sorted({pid for record in state.values() for pid in (*record.attendees, *record.former)} - listed)
    agendas = []
    for pid in removed:
        who = known.get(pid, Person(pid, pid, ""))
        role = "interpreters" if who.organisation == "interpreter" or pid in interpreted else "participants"
        agenda = html.agenda_of(instance, who, mine.get(pid, []))
        agenda.notice = f"{who.name} is no longer among the {role} of {instance.event.name}."
        agendas.append(agenda)
    return agendas


def _views_within_calendar_years(instance: Instance, schedule: Schedule, source: Path | None) -> list[MeetingView]:
    """The meetings' views, refused when a time falls outside the years 1-9999 a calendar can hold.

    A meeting late on 9999-12-31 west of Greenwich is in the year 10000 in UTC, which no
    datetime (nor .ics file) can say.
    """
    for assignment in schedule.assignments:
        try:
            for clock in (assignment.start, assignment.end):
                local_time(instance, assignment.date, clock).astimezone(dt.UTC)
        except OverflowError:
            when = f"{assignment.date} {assignment.start}-{assignment.end} ({instance.event.timezone})"
            message = (
                f"meeting {assignment.meeting} on {when} is outside the years 1-9999 in UTC; calendars cannot hold it"
            )
            raise InputError([Problem((), message)], str(source) if source else None) from None
    return meeting_views(instance, schedule)


def _stamp(schedule: Schedule) -> str:
    """The schedule's creation time in UTC, as the DTSTAMP of what it changed."""
    moment = _moment(schedule.created) or dt.datetime.now(dt.UTC)
    return moment.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def export(
    instance: Instance,
    schedule: Schedule,
    directory: Path,
    changed_only: bool = False,
    on_progress: Progress | None = None,
    source: Path | None = None,
) -> ExportReport:
    """Write every export file under `directory`; with `changed_only`, only those whose content changed.

    `source` is the schedule file: its name goes on the agendas, its digest into the record
    of what the directory holds (so a later export can tell an older schedule from a newer one).
    """
    report = ExportReport(directory)
    views = _views_within_calendar_years(instance, schedule, source)
    schedule_sha = sha256_of(read_bytes(source, "schedule")) if source is not None else None
    remembered = _read_state(instance, schedule, schedule_sha, directory)
    prior, digests, replaced, prior_as_of = (
        remembered if remembered is not None else (_state_from_changes(instance, schedule), {}, [], {})
    )
    if schedule.previous_sha256 is not None and schedule.previous_sha256 not in replaced:
        replaced = [*replaced, schedule.previous_sha256]
    state = _next_state(instance, views, prior, _stamp(schedule), report)

    files: list[tuple[str, Callable[[], tuple[bytes, str]]]] = []

    def text_file(rel: str, make: Callable[[], str | bytes]) -> None:
        def build() -> tuple[bytes, str]:
            made = make()
            data = made.encode("utf-8") if isinstance(made, str) else made
            return data, hashlib.sha256(data).hexdigest()

        files.append((rel, build))

    calendars = _calendar_entries(instance, state)
    # Someone whose only entries are programme items still gets a calendar that holds them.
    for pid in {pid for ids in instance.programme_attendees.values() for pid in ids}:
        calendars.setdefault(pid, [])
    for pid, entries in sorted(calendars.items()):
        who = person(instance, pid)
        programme = tuple(programme_of(instance, pid, schedule.cancelled))
        text_file(f"ics/{file_stem(pid)}.ics", partial(ics.calendar, instance.event.name, who, entries, programme))
    mine = by_person(views)
    everyone = [p.id for p in instance.participants] + [i.id for i in instance.interpreters]
    agendas = [
        html.agenda_of(instance, person(instance, pid), mine.get(pid, []), schedule.cancelled) for pid in everyone
    ]
    as_of_now = local_moment(schedule.created, instance.event.timezone) + (f" · {source.name}" if source else "")
    as_of: dict[str, str] = {}

    def agenda_file(agenda: html.Agenda, rel: str) -> tuple[bytes, str]:
        """The digest leaves out the 'as of' line: an agenda that did not change keeps its date and is not rewritten."""
        title = f"{agenda.person.name}: agenda"
        agenda.as_of = ""
        digest = hashlib.sha256(html.agendas_page(instance, [agenda], title).encode()).hexdigest()
        kept = prior_as_of.get(rel) if digests.get(rel) == digest else None
        agenda.as_of = as_of[rel] = kept or as_of_now
        return html.agendas_page(instance, [agenda], title).encode("utf-8"), digest

    for agenda in [*agendas, *_agendas_of_the_removed(instance, schedule, state, mine, prior)]:
        rel = f"agendas/{file_stem(agenda.person.id)}.html"
        files.append((rel, partial(agenda_file, agenda, rel)))
    text_file("agendas/all.html", lambda: html.agendas_page(instance, agendas, f"{instance.event.name}: agendas"))
    text_file("index.html", lambda: html.index_page(instance, schedule.created, views))
    rows = sheets.meeting_rows(instance, views)
    text_file("meetings.csv", lambda: sheets.meetings_csv(rows))

    def workbook() -> tuple[bytes, str]:
        # Reasons as `explain` gives them now, not as the file says: a hand edit cannot fake them.
        data, content = sheets.workbook(instance, with_reasons(instance, schedule), views)
        return data, hashlib.sha256(json.dumps(content, default=str).encode()).hexdigest()

    files.append(("meetings.xlsx", workbook))

    # Every file is made before any is written: a failure while making one leaves the directory as it was.
    made: list[tuple[str, bytes, str]] = []
    for done, (rel, build) in enumerate(files, start=1):
        made.append((rel, *build()))
        if on_progress is not None:
            on_progress(done, len(files))
    new_digests: dict[str, str] = {}
    for rel, data, digest in made:
        new_digests[rel] = digest
        target = directory / rel
        if changed_only and digests.get(rel) == digest and target.exists():
            report.unchanged.append(rel)
        else:
            replace_bytes_atomically(target, data)
            report.written.append(rel)
    record = {
        "format": STATE_FORMAT,
        "event": instance.event.name,
        "schedule_created": schedule.created,
        "schedule_sha256": schedule_sha,
        "replaced_schedules": replaced,
        "events": {mid: dataclasses.asdict(s) for mid, s in sorted(state.items())},
        "files": {**digests, **new_digests},
        "agenda_as_of": {**prior_as_of, **as_of},
    }
    replace_bytes_atomically(directory / STATE_FILE, (json.dumps(record, indent=1, ensure_ascii=False) + "\n").encode())
    return report
