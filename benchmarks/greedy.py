"""The baseline to beat: a plain greedy, written apart from the solver (shares none of its code).

Requests in order of priority (then file order) each take the first date, start and room,
in file order, where all participants are free and available, stay in one city that date,
are under their cap, and the room is free and large enough. This is what an organiser's
spreadsheet macro does; the solver must never do worse.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter

from scheduler.model import Instance
from scheduler.solution import Assignment, Schedule, Unscheduled


def _clock(minutes: int) -> str:
    return f"{minutes // 60:02d}:{minutes % 60:02d}"


def _minutes(clock: str) -> int:
    hours, minutes = clock.split(":")
    return int(hours) * 60 + int(minutes)


def greedy_schedule(instance: Instance, instance_path: str = "", sha256: str = "0" * 64) -> Schedule:
    step = instance.event.slot_minutes
    people = {p.id: p for p in instance.participants}
    person_busy: set[tuple[str, dt.date, int]] = set()
    person_city: dict[tuple[str, dt.date], str] = {}
    person_count: Counter[str] = Counter()
    room_busy: set[tuple[str, dt.date, int]] = set()

    def free_window(pid: str, date: dt.date, city: str, start: int, end: int) -> bool:
        person = people[pid]
        if person.available is None:
            return True
        for entry in person.available:
            if entry.date == date and entry.city == city:
                lo = _minutes(entry.start) if entry.start else 0
                hi = _minutes(entry.end) if entry.end else 24 * 60
                if lo <= start and end <= hi:
                    return True
        return False

    slots = []  # (venue, city, date, start, end-of-session)
    for venue in instance.venues:
        for day in venue.days:
            for window in day.sessions:
                slots.append((venue, day.date, _minutes(window.start), _minutes(window.end)))

    assignments: list[Assignment] = []
    unscheduled: list[Unscheduled] = []
    order = sorted(range(len(instance.meetings)), key=lambda i: (-instance.meetings[i].priority, i))
    for i in order:
        meeting = instance.meetings[i]
        who = meeting.participants
        length = meeting.slots * step
        placed = None
        if any(people[p].max_meetings is not None and person_count[p] >= people[p].max_meetings for p in who):
            unscheduled.append(Unscheduled(meeting=meeting.id, reason="a participant is at max_meetings"))
            continue
        for venue, date, session_start, session_end in slots:
            if meeting.city is not None and venue.city != meeting.city:
                continue
            if any(person_city.get((p, date), venue.city) != venue.city for p in who):
                continue
            for start in range(session_start, session_end - length + 1, step):
                ticks = range(start, start + length, step)
                if any((p, date, t) in person_busy for p in who for t in ticks):
                    continue
                if not all(free_window(p, date, venue.city, start, start + length) for p in who):
                    continue
                room = None
                for spec in venue.rooms:
                    if spec.capacity < len(who):
                        continue
                    names = [spec.id] if spec.count is None else [f"{spec.id}-{k}" for k in range(1, spec.count + 1)]
                    room = next((r for r in names if all((r, date, t) not in room_busy for t in ticks)), None)
                    if room is not None:
                        break
                if room is not None:
                    placed = (venue, date, start, room, ticks)
                    break
            if placed is not None:
                break
        if placed is None:
            unscheduled.append(Unscheduled(meeting=meeting.id, reason="greedy found no place"))
            continue
        venue, date, start, room, ticks = placed
        for p in who:
            person_city[(p, date)] = venue.city
            person_count[p] += 1
            person_busy.update((p, date, t) for t in ticks)
        room_busy.update((room, date, t) for t in ticks)
        assignments.append(
            Assignment(
                meeting=meeting.id,
                date=date.isoformat(),
                start=_clock(start),
                end=_clock(start + length),
                city=venue.city,
                venue=venue.id,
                room=room,
            )
        )
    total = sum(instance.meeting_by_id[a.meeting].priority for a in assignments)
    return Schedule(
        instance=instance_path,
        instance_sha256=sha256,
        created=dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        status="FEASIBLE",
        objective=total,
        bound=sum(m.priority for m in instance.meetings),
        assignments=assignments,
        unscheduled=unscheduled,
    )
