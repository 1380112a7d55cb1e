"""The independent checker: every FORMAT.md rule, re-derived from the raw instance fields.

It deliberately shares no code with solve.py nor with model.py's derived look-ups
(room expansion, availability, options): a checker that reuses the model's code would
share its bugs. It reads only the validated input fields and the schedule.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass

from scheduler.model import Instance, Participant
from scheduler.solution import Assignment, Schedule


@dataclass(frozen=True)
class Violation:
    rule: str
    message: str

    def __str__(self) -> str:
        return f"[{self.rule}] {self.message}"


def _minutes(clock: str) -> int | None:
    parts = clock.split(":")
    if len(parts) != 2 or not all(p.isdigit() for p in parts):
        return None
    hours, minutes = int(parts[0]), int(parts[1])
    if minutes >= 60 or hours * 60 + minutes > 24 * 60:
        return None
    return hours * 60 + minutes


def verify(instance: Instance, schedule: Schedule) -> list[Violation]:
    """All violations of the rules by `schedule`; empty means the schedule is valid."""
    found: list[Violation] = []

    def bad(rule: str, message: str) -> None:
        found.append(Violation(rule, message))

    step = instance.event.slot_minutes
    meetings = {m.id: m for m in instance.meetings}
    people = {p.id: p for p in instance.participants}
    cancelled_people = {c.id for c in schedule.cancelled if c.kind == "participant"}
    cancelled_meetings = {c.id for c in schedule.cancelled if c.kind == "meeting"}
    cancelled_rooms = {c.id for c in schedule.cancelled if c.kind == "room"}

    # Rooms, by their own expansion of `count`.
    room_home: dict[str, tuple[str, int]] = {}
    for venue in instance.venues:
        for spec in venue.rooms:
            names = [spec.id] if spec.count is None else [spec.id + "-" + str(k + 1) for k in range(spec.count)]
            for name in names:
                room_home[name] = (venue.id, spec.capacity)
    venues = {v.id: v for v in instance.venues}

    # Every meeting exactly once.
    listed = Counter(
        [a.meeting for a in schedule.assignments]
        + [u.meeting for u in schedule.unscheduled]
        + [c.id for c in schedule.cancelled if c.kind == "meeting"]
    )
    for mid, times in listed.items():
        if mid not in meetings:
            bad("ids", f"the schedule names meeting {mid!r}, which the instance does not have")
        elif times > 1:
            bad("9", f"meeting {mid} appears {times} times across assignments, unscheduled and cancelled")
    for mid in meetings:
        if mid not in listed:
            bad("ids", f"meeting {mid} is missing: it must be assigned, unscheduled or cancelled")

    history = {a.meeting for a in schedule.assignments if _in_history(a, schedule)}
    who_of: dict[str, list[str]] = {}
    for mid, meeting in meetings.items():
        gone = set() if mid in history else cancelled_people
        who_of[mid] = [p for p in meeting.participants if p not in gone]

    person_busy: dict[tuple[str, str, int], list[str]] = defaultdict(list)
    room_busy: dict[tuple[str, str, int], list[str]] = defaultdict(list)
    person_cities: dict[tuple[str, str], set[str]] = defaultdict(set)
    person_count: Counter[str] = Counter()
    total_priority = 0

    for a in schedule.assignments:
        if a.meeting not in meetings:
            continue
        meeting = meetings[a.meeting]
        total_priority += meeting.priority
        who = who_of[a.meeting]
        label = f"meeting {a.meeting} ({a.date} {a.start}-{a.end}, {a.room})"
        if a.meeting in cancelled_meetings and a.meeting not in history:
            bad("cancel", f"{label} is cancelled but still assigned")
        if len(who) < 2:
            bad("cancel", f"{label} has fewer than two participants left after cancellations")
        start, end = _minutes(a.start), _minutes(a.end)
        if start is None or end is None:
            bad("1", f"{label} has an unreadable start or end time")
            continue
        if a.venue not in venues:
            bad("1", f"{label} is at unknown venue {a.venue!r}")
            continue
        venue = venues[a.venue]
        if a.city != venue.city:
            bad("1", f"{label} says city {a.city} but venue {a.venue} is in {venue.city}")
        if end - start != meeting.slots * step:
            bad("1", f"{label} lasts {end - start} min, not {meeting.slots} slot(s) of {step} min")
        if start % step:
            bad("1", f"{label} does not start on the {step}-minute grid")
        day = next((d for d in venue.days if d.date.isoformat() == a.date), None)
        if day is None:
            bad("1", f"{label}: venue {a.venue} is not open on {a.date}")
        elif not any((_minutes(s.start) or 0) <= start and end <= (_minutes(s.end) or 0) for s in day.sessions):
            bad("1", f"{label} is not inside one session of {a.venue} on {a.date}")
        home = room_home.get(a.room)
        if home is None:
            bad("1", f"{label} is in unknown room {a.room!r}")
        else:
            if home[0] != a.venue:
                bad("1", f"{label}: room {a.room} belongs to venue {home[0]}, not {a.venue}")
            if home[1] < len(who):
                bad("2", f"{label} has {len(who)} participants but room {a.room} holds {home[1]}")
        if a.room in cancelled_rooms and a.meeting not in history:
            bad("cancel", f"{label} uses cancelled room {a.room}")
        if meeting.city is not None and a.city != meeting.city:
            bad("8", f"{label} must be in {meeting.city}, not {a.city}")
        for t in range(start, end, step):
            room_busy[(a.room, a.date, t)].append(a.meeting)
        for pid in who:
            person_count[pid] += 1
            person_cities[(pid, a.date)].add(a.city)
            for t in range(start, end, step):
                person_busy[(pid, a.date, t)].append(a.meeting)
            if not _available(people[pid], step, a, start, end):
                bad("5", f"{pid} is not available for {label} in {a.city}")

    for (room, date, t), mids in sorted(room_busy.items()):
        if len(mids) > 1:
            bad(
                "3",
                f"room {room} holds {len(mids)} meetings at once on {date} at {t // 60:02d}:{t % 60:02d}: "
                f"{', '.join(mids)}",
            )
    for (pid, date, t), mids in sorted(person_busy.items()):
        if len(mids) > 1:
            bad(
                "4",
                f"{pid} is in {len(mids)} meetings at once on {date} at {t // 60:02d}:{t % 60:02d}: {', '.join(mids)}",
            )
    for (pid, date), cities in sorted(person_cities.items()):
        if len(cities) > 1:
            bad("6", f"{pid} is in {len(cities)} cities on {date}: {', '.join(sorted(cities))}")
    for pid, count in sorted(person_count.items()):
        limit = people[pid].max_meetings
        if limit is not None and count > limit:
            bad("7", f"{pid} attends {count} meetings, more than max_meetings {limit}")
    for pid in cancelled_people:
        if pid not in people:
            bad("ids", f"cancelled participant {pid!r} is not in the instance")

    if schedule.objective != total_priority:
        bad(
            "objective", f"objective {schedule.objective} is not the total priority {total_priority} of the assignments"
        )
    if schedule.bound < schedule.objective:
        bad("objective", f"bound {schedule.bound} is below objective {schedule.objective}")
    if schedule.status == "OPTIMAL" and schedule.bound != schedule.objective:
        bad("objective", f"status OPTIMAL but bound {schedule.bound} differs from objective {schedule.objective}")
    return found


def _available(person: Participant, step: int, a: Assignment, start: int, end: int) -> bool:
    """Each slot of [start, end) lies inside one of the person's windows for that date and city."""
    if person.available is None:
        return True
    windows = [
        (_minutes(w.start) if w.start else 0, _minutes(w.end) if w.end else 24 * 60)
        for w in person.available
        if w.date.isoformat() == a.date and w.city == a.city
    ]
    return all(any((lo or 0) <= t and t + step <= (hi or 0) for lo, hi in windows) for t in range(start, end, step))


def _in_history(a: Assignment, schedule: Schedule) -> bool:
    """Meetings that started before the frozen time happened as planned, cancellations or not."""
    if schedule.frozen_until is None:
        return False
    return f"{a.date}T{a.start}" < schedule.frozen_until[:16]
