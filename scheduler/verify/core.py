"""The checker's rules on the schedule file itself: every meeting once, each assignment's place,
time, room and people, no clashes, caps and cities, the objective and bound, and history as the
previous file recorded it. The optional sections' rules are in `sections`."""

from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict
from collections.abc import Callable

from scheduler.model import Instance, Participant
from scheduler.solution import Assignment, Schedule
from scheduler.verify.clock import (
    Windows,
    _available,
    _clock,
    _is_history,
    _minutes,
    _moment,
    _overlaps,
    _session_spans,
    _start_of,
)
from scheduler.verify.report import CancelledAt, Complain, Report, Violation
from scheduler.verify.sections import _breaks, _interpreters, _programme, _travel


def verify(instance: Instance, schedule: Schedule) -> list[Violation]:
    """All violations of the rules by `schedule`; empty means the schedule is valid."""
    return review(instance, schedule).violations


def review(instance: Instance, schedule: Schedule, previous: Schedule | None = None) -> Report:
    """Violations and warnings; with `previous`, also that history is exactly as it recorded.

    What history excuses (an edit made after it happened) is a warning only where `previous`,
    the schedule this one was re-solved from, confirms that history: without it, a frozen
    moment alone would turn any violation into a warning.
    """
    report = Report(frozen_until=schedule.frozen_until)
    found = report.violations
    unconfirmed = " (history no earlier schedule confirms: check with --previous)"

    def bad(rule: str, message: str, history: bool = False) -> None:
        if history and previous is None:
            found.append(Violation(rule, message + unconfirmed))
            report.unconfirmed.append(found[-1])
        else:
            (report.warnings if history else found).append(Violation(rule, message))

    step = instance.event.slot_minutes
    meetings = {m.id: m for m in instance.meetings}
    people = {p.id: p for p in instance.participants}
    frozen = _moment(schedule.frozen_until)
    if schedule.frozen_until is not None and frozen is None:
        bad("history", f"frozen_until {schedule.frozen_until!r} is not a local date-time YYYY-MM-DDTHH:MM")
    since: dict[tuple[str, str], dt.datetime | None] = {}
    rooms_known = {
        spec.id if spec.count is None else f"{spec.id}-{k + 1}"
        for venue in instance.venues
        for spec in venue.rooms
        for k in range(spec.count or 1)
    }
    for c in schedule.cancelled:
        moment = _moment(c.from_)
        if c.from_ is not None and moment is None:
            bad("cancel", f"cancellation of {c.kind} {c.id}: 'from' {c.from_!r} is not YYYY-MM-DDTHH:MM")
        if (c.kind, c.id) in since:
            bad("cancel", f"{c.kind} {c.id} is cancelled twice; one cancellation, one moment")
        if c.kind == "room" and c.id not in rooms_known:
            bad("ids", f"cancelled room {c.id!r} is not in the instance")
        if moment is not None and (frozen is None or frozen < moment):
            # A cancellation is recorded at the frozen moment of its re-solve, which only grows.
            bad("history", f"cancellation of {c.kind} {c.id} counts from {c.from_}, after frozen_until")
        since[(c.kind, c.id)] = moment

    def has_moment(pid: str) -> bool:
        return since.get(("participant", pid)) is not None

    def cancelled_at(kind: str, ident: str, start: dt.datetime) -> bool:
        """Whether that cancellation was in force when a meeting starting at `start` began."""
        if (kind, ident) not in since:
            return False
        moment = since[(kind, ident)]
        return moment is None or moment <= start

    # Rooms, by their own expansion of `count`.
    room_home: dict[str, tuple[str, int]] = {}
    for each_venue in instance.venues:
        for spec in each_venue.rooms:
            names = [spec.id] if spec.count is None else [spec.id + "-" + str(k + 1) for k in range(spec.count)]
            for name in names:
                room_home[name] = (each_venue.id, spec.capacity)
    venues = {v.id: v for v in instance.venues}
    session_spans: dict[tuple[str, str], list[tuple[int, int]] | None] = {}

    # Every meeting exactly once.
    listed = Counter(
        [a.meeting for a in schedule.assignments]
        + [u.meeting for u in schedule.unscheduled]
        + [c.id for c in schedule.cancelled if c.kind == "meeting"]
    )
    happened = {a.meeting for a in schedule.assignments if _is_history(a, frozen)}
    for mid, times in listed.items():
        if mid not in meetings:
            # A request deleted after its meeting happened: the meeting stays, as history.
            gone = "was removed from the instance after it happened" if mid in happened else ""
            bad("ids", f"meeting {mid!r} {gone or 'is not in the instance'}", bool(gone))
        if times > 1:
            bad("9", f"meeting {mid} appears {times} times across assignments, unscheduled and cancelled")
    for mid in meetings:
        if mid not in listed:
            bad("ids", f"meeting {mid} is missing: it must be assigned, unscheduled or cancelled")

    # Real minute intervals, not grid ticks: a meeting off the grid must not slip between them.
    person_busy: dict[tuple[str, str], list[tuple[int, int, str]]] = defaultdict(list)
    room_busy: dict[tuple[str, str], list[tuple[int, int, str]]] = defaultdict(list)
    person_cities: dict[tuple[str, str], set[str]] = defaultdict(set)
    person_count: Counter[str] = Counter()
    history_count: Counter[str] = Counter()
    total_priority = 0
    past: set[str] = set()
    attended: list[tuple[Assignment, list[str], int, int, bool]] = []
    windows: Windows = {}

    for a in schedule.assignments:
        meeting = meetings.get(a.meeting)
        if meeting is None and not _is_history(a, frozen):
            continue  # reported above
        total_priority += meeting.priority if meeting is not None else 0
        requested = meeting.participants if meeting is not None else list(a.participants or [])
        label = f"meeting {a.meeting} ({a.date} {a.start}-{a.end}, {a.room})"
        begins = _start_of(a)
        start, end = _minutes(a.start), _minutes(a.end)
        if begins is None or start is None or end is None:
            bad("1", f"{label} has an unreadable date, start or end time")
            continue
        history = _is_history(a, frozen)
        if history:
            report.history += 1
            past.add(a.meeting)
        who = _attendees(a, requested, begins, history, cancelled_at, has_moment, bad, label, people)
        if cancelled_at("meeting", a.meeting, begins):
            bad("cancel", f"{label} is cancelled but still assigned")
        if len(who) < 2:
            bad("cancel", f"{label} has fewer than two participants left after cancellations", history)
        venue = venues.get(a.venue)
        if venue is None:
            bad("1", f"{label} is at unknown venue {a.venue!r}", history)
        else:
            if a.city != venue.city:
                bad("1", f"{label} says city {a.city} but venue {a.venue} is in {venue.city}", history)
            opening = _session_spans(venue, a.date, session_spans)
            if opening is None:
                bad("1", f"{label}: venue {a.venue} is not open on {a.date}", history)
            elif not any(lo <= start and end <= hi for lo, hi in opening):
                bad("1", f"{label} is not inside one session of {a.venue} on {a.date}", history)
        if meeting is not None and end - start != meeting.slots * step:
            bad("1", f"{label} lasts {end - start} min, not {meeting.slots} slot(s) of {step} min", history)
        if start % step:
            bad("1", f"{label} does not start on the {step}-minute grid", history)
        home = room_home.get(a.room)
        if home is None:
            bad("1", f"{label} is in unknown room {a.room!r}", history)
        else:
            if home[0] != a.venue:
                bad("1", f"{label}: room {a.room} belongs to venue {home[0]}, not {a.venue}", history)
            seats = len(who) + (a.interpreter is not None)
            if home[1] < seats:
                with_interpreter = " and an interpreter" if a.interpreter is not None else ""
                message = f"{label} has {len(who)} participants{with_interpreter} but room {a.room} holds {home[1]}"
                bad("2", message, history)
        if cancelled_at("room", a.room, begins):
            bad("cancel", f"{label} uses room {a.room}, closed by then")
        if meeting is not None and meeting.city is not None and a.city != meeting.city:
            bad("8", f"{label} must be in {meeting.city}, not {a.city}", history)
        room_busy[(a.room, a.date)].append((start, end, a.meeting))
        attended.append((a, who, start, end, history))
        for pid in who:
            person_count[pid] += 1
            if history:
                history_count[pid] += 1
            person_cities[(pid, a.date)].add(a.city)
            person_busy[(pid, a.date)].append((start, end, a.meeting))
            if pid in people and not _available(people[pid], step, a, start, end, windows):
                bad("5", f"{pid} is not available for {label} in {a.city}", history)

    for (room, date), spans in sorted(room_busy.items()):
        for t, mids in _overlaps(spans):
            bad("3", f"room {room} holds {len(mids)} meetings at once on {date} at {_clock(t)}: {', '.join(mids)}")
    for (pid, date), spans in sorted(person_busy.items()):
        for t, mids in _overlaps(spans):
            bad("4", f"{pid} is in {len(mids)} meetings at once on {date} at {_clock(t)}: {', '.join(mids)}")
    if instance.event.max_consecutive is not None:
        _breaks(instance.event.max_consecutive, step, person_busy, past, bad)
    for (pid, date), cities in sorted(person_cities.items()):
        if len(cities) > 1:
            bad("6", f"{pid} is in {len(cities)} cities on {date}: {', '.join(sorted(cities))}")
    for pid, count in sorted(person_count.items()):
        limit = people[pid].max_meetings if pid in people else None
        if limit is None or count <= limit:
            continue
        if count > max(limit, history_count[pid]):
            bad("7", f"{pid} attends {count} meetings, more than max_meetings {limit}")
        else:
            bad("7", f"{pid} attended {history_count[pid]} meetings before max_meetings became {limit}", True)
    _programme(instance, attended, report, bad)
    _interpreters(instance, attended, meetings, step, report, bad)
    _travel(instance, attended, bad)
    for c in schedule.cancelled:
        if c.kind == "participant" and c.id not in people:
            bad("ids", f"cancelled participant {c.id!r} is not in the instance")

    if schedule.objective != total_priority:
        bad(
            "objective", f"objective {schedule.objective} is not the total priority {total_priority} of the assignments"
        )
    if schedule.bound < schedule.objective:
        bad("objective", f"bound {schedule.bound} is below objective {schedule.objective}")
    if schedule.status == "OPTIMAL" and schedule.bound != schedule.objective:
        bad("objective", f"status OPTIMAL but bound {schedule.bound} differs from objective {schedule.objective}")
    if previous is not None:
        _same_history(instance, previous, schedule, frozen, bad)
    return report


def _attendees(
    a: Assignment,
    requested: list[str],
    begins: dt.datetime,
    history: bool,
    cancelled_at: CancelledAt,
    has_moment: Callable[[str], bool],
    bad: Complain,
    label: str,
    people: dict[str, Participant],
) -> list[str]:
    """Who attended, as the checker derives it, and any disagreement with what the file lists."""
    in_force = [p for p in requested if cancelled_at("participant", p, begins)]
    expected = [p for p in requested if p not in in_force]
    if a.participants is None:
        # Files written before assignments listed their people (and cancellations their moment):
        # there, history kept everyone a cancellation without a moment took out later.
        return [p for p in requested if p not in in_force or (history and not has_moment(p))]
    listed = list(a.participants)
    if len(set(listed)) != len(listed):
        bad("participants", f"{label} lists someone twice: {', '.join(listed)}")
    for pid in listed:
        if pid not in people:
            bad("participants", f"{label} lists {pid!r}, who is not in the instance", history)
        elif cancelled_at("participant", pid, begins):
            bad("cancel", f"{label} lists {pid}, who had cancelled before it began")
    if set(listed) != set(expected):
        message = f"{label} lists {', '.join(listed)}; the request less cancellations is {', '.join(expected)}"
        bad("participants", message, history)
    return [p for p in listed if p in people]


def _same_history(
    instance: Instance, previous: Schedule, schedule: Schedule, frozen: dt.datetime | None, bad: Complain
) -> None:
    """Everything before the frozen moment is exactly as `previous` had it; history only grows."""
    before = _moment(previous.frozen_until)
    if before is not None and (frozen is None or frozen < before):
        if frozen is None:
            bad(
                "history",
                f"frozen_until is missing (null), though the previous file froze history until {previous.frozen_until}",
            )
        else:
            bad("history", f"frozen_until {schedule.frozen_until} is earlier than the previous {previous.frozen_until}")
    if frozen is None:
        return
    meetings = {m.id: m for m in instance.meetings}
    old = {a.meeting: a for a in previous.assignments if _is_history(a, frozen)}
    new = {a.meeting: a for a in schedule.assignments if _is_history(a, frozen)}
    where = f"before {schedule.frozen_until}"
    for mid, a in old.items():
        b = new.get(mid)
        if b is None:
            bad("history", f"meeting {mid} happened {where} ({a.date} {a.start}) but is no longer assigned")
            continue
        if (a.date, a.start, a.end, a.venue, a.room) != (b.date, b.start, b.end, b.venue, b.room):
            bad(
                "history",
                f"meeting {mid} happened {where} at {a.date} {a.start}-{a.end} {a.room}; "
                f"this schedule has it at {b.date} {b.start}-{b.end} {b.room}",
            )
        if a.interpreter != b.interpreter:
            bad(
                "history",
                f"meeting {mid} happened {where} with interpreter {a.interpreter or 'none'}; "
                f"this schedule has {b.interpreter or 'none'}",
            )
        old_people = a.participants
        if old_people is None:
            old_people = _legacy_people(a, meetings.get(mid), previous)
        if b.participants is not None and set(b.participants) != set(old_people):
            bad("history", f"meeting {mid} happened {where} with {', '.join(old_people)}, not as now listed")
    for mid, b in new.items():
        if mid not in old:
            bad("history", f"meeting {mid} is listed {where} ({b.date} {b.start}) but did not happen then")
    kept = {(c.kind, c.id): c.from_ for c in schedule.cancelled}
    for c in previous.cancelled:
        if (c.kind, c.id) in kept and kept[(c.kind, c.id)] != c.from_:
            bad("history", f"cancellation of {c.kind} {c.id} counted from {c.from_}, now from {kept[(c.kind, c.id)]}")


def _legacy_people(a: Assignment, meeting: object, previous: Schedule) -> list[str]:
    """Who attended in a file that did not list people, by the rule `_attendees` applies: a
    cancellation with a moment counts from it; one without (older files) spared history."""
    requested = list(getattr(meeting, "participants", []))
    frozen = _moment(previous.frozen_until)
    begins = _start_of(a)
    history = frozen is not None and begins is not None and begins < frozen
    gone = set()
    for c in previous.cancelled:
        moment = _moment(c.from_)
        if c.kind == "participant" and (
            (moment is None and not history) or (moment is not None and begins is not None and moment <= begins)
        ):
            gone.add(c.id)
    return [p for p in requested if p not in gone]
