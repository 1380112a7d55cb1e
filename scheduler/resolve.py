"""Re-solving after cancellations and edits: keep what still stands, fill, and say what changed.

The previous schedule is the starting point. Every meeting whose place is still valid is
pinned there; by default pins cannot move (`max_moves` lets the solver move a few when that
schedules more priority, fewer moves winning ties). Meetings before `frozen_until` are
history and never change. Freed capacity goes to the waiting list, highest priority first,
because the objective is still total priority.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass

from scheduler.errors import InputError, Problem
from scheduler.model import Instance, Option, to_minutes
from scheduler.solution import Assignment, Cancellation, Change, Schedule
from scheduler.solver.convert import outcome_to_schedule
from scheduler.solver.request import Pin, SolveOutcome, SolveRequest

KINDS = ("participant", "meeting", "room")


def parse_cancel(text: str) -> Cancellation:
    """'participant:it-enea-01' -> Cancellation; the id may itself contain colons."""
    kind, sep, ident = text.partition(":")
    if not sep or kind not in KINDS or not ident:
        raise InputError([Problem(("--cancel",), f"{text!r}: expected KIND:ID with KIND one of {', '.join(KINDS)}")])
    return Cancellation(kind=kind, id=ident)  # type: ignore[arg-type]


def check_cancellations(instance: Instance, cancels: list[Cancellation]) -> None:
    known: dict[str, Mapping[str, object]] = {
        "participant": instance.participant_by_id,
        "meeting": instance.meeting_by_id,
        "room": instance.room_by_id,
    }
    problems = [Problem(("--cancel",), f"unknown {c.kind} {c.id!r}") for c in cancels if c.id not in known[c.kind]]
    if problems:
        raise InputError(problems)


def same_event(instance: Instance, previous: Schedule) -> bool:
    """An edited instance keeps its event; a schedule of another event must be refused."""
    event = getattr(previous, "event", None)
    if isinstance(event, str):
        return event == instance.event.name
    ids = {a.meeting for a in previous.assignments} | {u.meeting for u in previous.unscheduled}
    return not ids or len(ids & set(instance.meeting_by_id)) * 2 >= len(ids)


@dataclass
class ResolvePlan:
    request: SolveRequest
    cancelled: list[Cancellation]
    affected: dict[str, str]
    """Previously placed meeting id -> why it cannot stay where it was."""


def _option_of(a: Assignment) -> Option:
    return Option(a.venue, a.city, dt.date.fromisoformat(a.date), to_minutes(a.start), to_minutes(a.end))


def _starts_before(a: Assignment, moment: dt.datetime | None) -> bool:
    return moment is not None and dt.datetime.fromisoformat(f"{a.date}T{a.start}") < moment


def plan(
    instance: Instance,
    previous: Schedule,
    cancels: list[Cancellation],
    frozen_until: dt.datetime | None = None,
    max_moves: int = 0,
) -> ResolvePlan:
    """The solve request for a re-solve: pins, exclusions and reduced participant lists."""
    check_cancellations(instance, cancels)
    all_cancels = list(dict.fromkeys([*previous.cancelled, *cancels]))
    gone_people = {c.id for c in all_cancels if c.kind == "participant"}
    gone_rooms = {c.id for c in all_cancels if c.kind == "room"}
    gone_meetings = {c.id for c in all_cancels if c.kind == "meeting"}
    before = previous.assignment_by_meeting
    for c in cancels:
        if c.kind == "meeting" and c.id in before and _starts_before(before[c.id], frozen_until):
            raise InputError([Problem(("--cancel",), f"meeting {c.id} started before --frozen-until: it is history")])

    participants_of: dict[str, list[str]] = {}
    for meeting in instance.meetings:
        history = meeting.id in before and _starts_before(before[meeting.id], frozen_until)
        remaining = [p for p in meeting.participants if p not in gone_people]
        if history:
            continue  # it happened with whoever was there
        if len(remaining) < 2 and meeting.id not in gone_meetings:
            gone_meetings.add(meeting.id)
            all_cancels.append(Cancellation(kind="meeting", id=meeting.id))
        elif remaining != meeting.participants:
            participants_of[meeting.id] = remaining

    pins: dict[str, Pin] = {}
    hint: dict[str, tuple[Option, str]] = {}
    prefer_time: dict[str, tuple[dt.date, int]] = {}
    affected: dict[str, str] = {}
    for mid, a in before.items():
        if mid not in instance.meeting_by_id:
            affected[mid] = "no longer in the instance"
            continue
        meeting = instance.meeting_by_id[mid]
        option = _option_of(a)
        if _starts_before(a, frozen_until):
            pins[mid] = Pin(mid, option, a.room, forced=True)
            continue
        if mid in gone_meetings:
            continue
        why = _why_invalid(instance, meeting.id, a, option, participants_of.get(mid, meeting.participants), gone_rooms)
        if why is None:
            pins[mid] = Pin(mid, option, a.room, forced=False)
            hint[mid] = (option, a.room)
        else:
            affected[mid] = why
            prefer_time[mid] = (option.date, option.start)
    excluded = gone_meetings - set(pins)
    request = SolveRequest(
        instance=instance,
        participants_of=participants_of,
        excluded_meetings=excluded,
        excluded_rooms=gone_rooms,
        pins=pins,
        max_moves=max_moves,
        frozen_until=frozen_until,
        hint=hint,
        prefer_time=prefer_time,
    )
    return ResolvePlan(request, all_cancels, affected)


def resolved_schedule(
    instance: Instance,
    previous: Schedule,
    resolve_plan: ResolvePlan,
    outcome: SolveOutcome,
    instance_path: str,
    instance_sha256: str,
    frozen_until: dt.datetime | None = None,
) -> Schedule:
    """The re-solved schedule: cancellations recorded, cancelled meetings not listed twice, changes."""
    schedule = outcome_to_schedule(outcome, resolve_plan.request, instance_path, instance_sha256)
    excluded = resolve_plan.request.excluded_meetings
    schedule = schedule.model_copy(
        update={
            "cancelled": resolve_plan.cancelled,
            "unscheduled": [u for u in schedule.unscheduled if u.meeting not in excluded],
            "frozen_until": frozen_until.isoformat(timespec="minutes") if frozen_until else None,
        }
    )
    return schedule.model_copy(update={"changes": diff(instance, previous, schedule)})


def _why_invalid(
    instance: Instance, mid: str, a: Assignment, option: Option, people: list[str], gone_rooms: set[str]
) -> str | None:
    """Why a previous placement no longer stands, or None if it still does."""
    room = instance.room_by_id.get(a.room)
    if room is None or room.venue != a.venue:
        return f"room {a.room} is no longer in the instance"
    if a.room in gone_rooms:
        return f"room {a.room} is cancelled"
    if room.capacity < len(people):
        return f"room {a.room} is too small for {len(people)} people"
    meeting = instance.meeting_by_id[mid]
    effective = meeting.with_participants(people)
    if option not in instance.meeting_options(effective):
        return "its time or place is no longer possible (availability, sessions or city changed)"
    return None


def diff(instance: Instance, before: Schedule, after: Schedule) -> list[Change]:
    """What changed from `before` to `after`, and whom to tell, in instance order."""
    old, new = before.assignment_by_meeting, after.assignment_by_meeting
    cancelled_now = {c.id for c in after.cancelled if c.kind == "meeting"}
    gone_people = {c.id for c in after.cancelled if c.kind == "participant"}
    changes = []
    order = [m.id for m in instance.meetings] + sorted(set(old) - set(instance.meeting_by_id))
    for mid in order:
        a, b = old.get(mid), new.get(mid)
        if a is None and b is None:
            continue
        if a is not None and b is not None and a.place_key() == b.place_key():
            continue
        meeting = instance.meeting_by_id.get(mid)
        notify = [p for p in meeting.participants if p not in gone_people] if meeting else []
        if a is None:
            kind = "added"
        elif b is None:
            kind = "cancelled" if mid in cancelled_now else "dropped"
        else:
            kind = "moved"
        changes.append(Change(meeting=mid, change=kind, before=a, after=b, notify=notify))  # type: ignore[arg-type]
    return changes


def moved_without_cause(changes: list[Change], affected: dict[str, str]) -> list[str]:
    """Meetings that moved or vanished though nothing forced them to: zero by default."""
    return [c.meeting for c in changes if c.change in ("moved", "dropped") and c.meeting not in affected]
