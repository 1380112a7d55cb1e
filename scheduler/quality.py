"""How good a schedule is for the people in it: idle gaps, meetings per person, steady tables.

Pure functions of an instance and a schedule (no solver): the benchmarks, the timetable and
the tests read a schedule's quality the same way. A *hole* is a maximal run of free slots
between two of one person's meetings inside one session window (a session break is not a
hole); its slots are *idle* slots.
"""

from __future__ import annotations

import datetime as dt
import itertools
from collections import Counter, defaultdict
from dataclasses import dataclass

from scheduler.model import Instance, to_minutes
from scheduler.solution import Assignment, Schedule

SessionKey = tuple[str, dt.date, int, int]
"""(person, date, session start, session end), minutes."""


@dataclass(frozen=True)
class Quality:
    holes: int
    idle_slots: int
    table_changes: int
    """Back-to-back meetings of one person in different rooms."""
    with_requests: int
    """People with at least one request."""
    without_meeting: int
    """People with requests but no meeting."""
    min_meetings: int
    """The fewest meetings of anyone with requests."""
    min_meetings_missed: int
    """People given fewer meetings than their `min_meetings`."""


def people_of(instance: Instance, assignment: Assignment) -> list[str]:
    """Who attends: as the schedule lists them, else the request's people."""
    if assignment.participants is not None:
        return list(assignment.participants)
    meeting = instance.meeting_by_id.get(assignment.meeting)
    return list(meeting.participants) if meeting is not None else []


def _window_of(instance: Instance) -> dict[tuple[str, dt.date], list[tuple[int, int]]]:
    windows: dict[tuple[str, dt.date], list[tuple[int, int]]] = defaultdict(list)
    for session in instance.sessions:
        windows[(session.venue, session.date)].append((session.start, session.end))
    return windows


def person_sessions(instance: Instance, schedule: Schedule) -> dict[SessionKey, list[tuple[int, int, Assignment]]]:
    """Each person's meetings per session window, in time order: (start, end, assignment)."""
    windows = _window_of(instance)
    by_session: dict[SessionKey, list[tuple[int, int, Assignment]]] = defaultdict(list)
    for a in schedule.assignments:
        date = dt.date.fromisoformat(a.date)
        start, end = to_minutes(a.start), to_minutes(a.end)
        window = next(((s, e) for s, e in windows.get((a.venue, date), []) if s <= start and end <= e), (start, end))
        for pid in people_of(instance, a):
            by_session[(pid, date, *window)].append((start, end, a))
    for meetings in by_session.values():
        meetings.sort(key=lambda item: (item[0], item[1]))
    return dict(by_session)


def holes_and_idle(instance: Instance, schedule: Schedule) -> tuple[int, int]:
    """Total holes and idle slots over everyone's sessions."""
    step = instance.event.slot_minutes
    holes = idle = 0
    for meetings in person_sessions(instance, schedule).values():
        for (_, end, _), (start, _, _) in itertools.pairwise(meetings):
            if start > end:
                holes += 1
                idle += (start - end) // step
    return holes, idle


def steady_rooms(instance: Instance, schedule: Schedule, pid: str) -> dict[str, str]:
    """Meeting id -> room, for the person's meetings right after one of theirs in the same room."""
    stays: dict[str, str] = {}
    for (person, *_), meetings in person_sessions(instance, schedule).items():
        if person != pid:
            continue
        for (_, end, before), (start, _, after) in itertools.pairwise(meetings):
            if start == end and before.room == after.room:
                stays[after.meeting] = after.room
    return stays


def meetings_per_person(instance: Instance, schedule: Schedule) -> Counter[str]:
    """Meetings per person with at least one request (zeros included)."""
    counts: Counter[str] = Counter({pid: 0 for pid, asked in instance.participant_meetings.items() if asked})
    for a in schedule.assignments:
        for pid in people_of(instance, a):
            if pid in counts:
                counts[pid] += 1
    return counts


def min_meetings_missed(instance: Instance, counts: Counter[str]) -> dict[str, tuple[int, int]]:
    """Person -> (meetings given, min_meetings promised), where fewer were given."""
    return {
        p.id: (counts[p.id], p.min_meetings)
        for p in instance.participants
        if p.min_meetings is not None and counts[p.id] < p.min_meetings
    }


def measure(instance: Instance, schedule: Schedule) -> Quality:
    holes, idle = holes_and_idle(instance, schedule)
    changes = 0
    for meetings in person_sessions(instance, schedule).values():
        for (_, end, before), (start, _, after) in itertools.pairwise(meetings):
            if start == end and before.room != after.room:
                changes += 1
    counts = meetings_per_person(instance, schedule)
    return Quality(
        holes=holes,
        idle_slots=idle,
        table_changes=changes,
        with_requests=len(counts),
        without_meeting=sum(1 for n in counts.values() if n == 0),
        min_meetings=min(counts.values(), default=0),
        min_meetings_missed=len(min_meetings_missed(instance, counts)),
    )
