"""The instance's rules that span fields: unique ids, known ids and cities, the slot grid, and the
programme, interpreter and travel sections' references. `Instance` runs them when it is built."""

from __future__ import annotations

import itertools
from collections import Counter
from collections.abc import Callable

from scheduler.errors import Problem
from scheduler.model import AttendeeFilter, Availability, Instance, to_minutes


def cross_reference_problems(instance: Instance) -> list[Problem]:
    """Rules that span fields: unique ids, known ids and cities, the slot grid."""
    problems: list[Problem] = []
    step = instance.event.slot_minutes

    def on_grid(loc: tuple[str | int, ...], window_start: str | None, window_end: str | None) -> None:
        for name, value in (("start", window_start), ("end", window_end)):
            if value is not None and to_minutes(value) % step:
                problems.append(Problem((*loc, name), f"{value} is not on the {step}-minute grid"))
        if window_start is not None and window_end is not None and to_minutes(window_end) <= to_minutes(window_start):
            when = "as" if to_minutes(window_end) == to_minutes(window_start) else "before"
            problems.append(Problem(loc, f"ends ({window_end}) {when} it starts ({window_start})"))

    def unique(kind: str, items: list[tuple[tuple[str | int, ...], str]]) -> None:
        seen: dict[str, tuple[str | int, ...]] = {}
        for loc, ident in items:
            if ident in seen:
                problems.append(Problem(loc, f"duplicate {kind} id {ident!r} (first at {_place(seen[ident])})"))
            else:
                seen[ident] = loc

    unique("venue", [(("venues", i, "id"), v.id) for i, v in enumerate(instance.venues)])
    unique(
        "room",
        [
            (("venues", i, "rooms", j, "id"), room_id)
            for i, v in enumerate(instance.venues)
            for j, spec in enumerate(v.rooms)
            for room_id in spec.room_ids
        ],
    )
    unique("participant", [(("participants", i, "id"), p.id) for i, p in enumerate(instance.participants)])
    unique("meeting", [(("meetings", i, "id"), m.id) for i, m in enumerate(instance.meetings)])

    for i, venue in enumerate(instance.venues):
        dates = Counter(day.date for day in venue.days)
        for j, day in enumerate(venue.days):
            if dates[day.date] > 1:
                problems.append(Problem(("venues", i, "days", j, "date"), f"date {day.date} appears more than once"))
            windows = sorted((w.start_min, w.end_min, k) for k, w in enumerate(day.sessions))
            for k, window in enumerate(day.sessions):
                on_grid(("venues", i, "days", j, "sessions", k), window.start, window.end)
            for (_, end_a, _), (start_b, _, k) in itertools.pairwise(windows):
                if start_b < end_a:
                    problems.append(Problem(("venues", i, "days", j, "sessions", k), "overlaps another session"))

    cities = set(instance.cities)
    participant_ids = {p.id for p in instance.participants}
    for i, person in enumerate(instance.participants):
        problems += _window_problems(("participants", i), person.available, cities, on_grid)
    for i, meeting in enumerate(instance.meetings):
        people = meeting.participants
        # (all known and none twice, the usual case, is found at C speed: one by one took 0.1 s more at 60,000)
        if not participant_ids.issuperset(people) or len(set(people)) != len(people):
            for j, pid in enumerate(people):
                if pid not in participant_ids:
                    problems.append(Problem(("meetings", i, "participants", j), f"unknown participant {pid!r}"))
                elif people.index(pid) != j:
                    problems.append(Problem(("meetings", i, "participants", j), f"participant {pid!r} is listed twice"))
        if meeting.city is not None and meeting.city not in cities:
            problems.append(Problem(("meetings", i, "city"), f"no venue is in city {meeting.city!r}"))
        limit = instance.event.max_consecutive
        if limit is not None and meeting.slots > limit:
            message = f"lasts {meeting.slots} slots, more than the event's max_consecutive {limit} without a break"
            problems.append(Problem(("meetings", i, "slots"), message))
    problems.extend(_programme_problems(instance, cities, participant_ids, on_grid))
    problems.extend(_interpreter_problems(instance, cities, participant_ids, on_grid))
    unique("programme item", [(("programme", i, "id"), p.id) for i, p in enumerate(instance.programme)])
    problems.extend(_travel_problems(instance, cities))
    return problems


def _travel_problems(instance: Instance, cities: set[str]) -> list[Problem]:
    """Known cities, two different ones, and one rule per (from, to): with two, which would hold?"""
    problems = []
    first_of: dict[tuple[str, str], int] = {}
    for i, rule in enumerate(instance.travel):
        for name, city in (("from", rule.from_), ("to", rule.to)):
            if city not in cities:
                problems.append(Problem(("travel", i, name), f"no venue is in city {city!r}"))
        if rule.from_ == rule.to:
            problems.append(Problem(("travel", i), "from and to are the same city"))
        pair = (rule.from_, rule.to)
        if pair in first_of:
            message = (
                f"a second rule from {rule.from_} to {rule.to} (first at {_place(('travel', first_of[pair]))}): "
                "keep one"
            )
            problems.append(Problem(("travel", i), message))
        else:
            first_of[pair] = i
    return problems


OnGrid = Callable[[tuple[str | int, ...], str | None, str | None], None]


def _programme_problems(instance: Instance, cities: set[str], known: set[str], on_grid: OnGrid) -> list[Problem]:
    problems = []
    for i, item in enumerate(instance.programme):
        if item.city not in cities:
            problems.append(Problem(("programme", i, "city"), f"no venue is in city {item.city!r}"))
        start, end = to_minutes(item.start), to_minutes(item.end)
        if end <= start:
            when = "as" if end == start else "before"
            problems.append(Problem(("programme", i), f"ends ({item.end}) {when} it starts ({item.start})"))
        if item.attendees == []:
            message = "lists nobody: give participant ids, `all`, or a filter by organisation or country"
            problems.append(Problem(("programme", i, "attendees"), message))
        if isinstance(item.attendees, list):
            for j, pid in enumerate(item.attendees):
                if pid not in known:
                    problems.append(Problem(("programme", i, "attendees", j), f"unknown participant {pid!r}"))
                elif item.attendees.index(pid) != j:
                    problems.append(Problem(("programme", i, "attendees", j), f"participant {pid!r} is listed twice"))
        elif isinstance(item.attendees, AttendeeFilter) and not instance.programme_attendees[item.id]:
            problems.append(Problem(("programme", i, "attendees"), "no participant matches this filter"))
    return problems


def _interpreter_problems(instance: Instance, cities: set[str], known: set[str], on_grid: OnGrid) -> list[Problem]:
    problems = []
    interpreter_ids = set()
    for i, person in enumerate(instance.interpreters):
        if person.id in known:
            problems.append(Problem(("interpreters", i, "id"), f"{person.id!r} is already a participant's id"))
        if person.id in interpreter_ids:
            problems.append(Problem(("interpreters", i, "id"), f"duplicate interpreter id {person.id!r}"))
        interpreter_ids.add(person.id)
        problems += _window_problems(("interpreters", i), person.available, cities, on_grid)
    for i, meeting in enumerate(instance.meetings):
        if meeting.interpreter is None:
            continue
        if meeting.interpreter not in interpreter_ids:
            problems.append(Problem(("meetings", i, "interpreter"), f"unknown interpreter {meeting.interpreter!r}"))
            continue
        spoken = instance.languages_of(meeting.interpreter)
        for pid in meeting.participants:
            theirs = instance.languages_of(pid)
            if pid in known and theirs and not spoken & theirs:
                message = f"interpreter {meeting.interpreter} speaks none of {pid}'s languages"
                problems.append(Problem(("meetings", i, "interpreter"), message))
    return problems


def _window_problems(
    owner: tuple[str | int, ...], available: list[Availability] | None, cities: set[str], on_grid: OnGrid
) -> list[Problem]:
    """A participant's or interpreter's availability windows: known cities, whole days or both ends, on the grid."""
    problems = []
    for j, entry in enumerate(available or []):
        loc: tuple[str | int, ...] = (*owner, "available", j)
        if entry.city not in cities:
            problems.append(Problem((*loc, "city"), f"no venue is in city {entry.city!r}"))
        if (entry.start is None) != (entry.end is None):
            problems.append(Problem(loc, "give both start and end, or neither for the whole day"))
        on_grid(loc, entry.start, entry.end)
    return problems


def _place(loc: tuple[str | int, ...]) -> str:
    return Problem(loc, "").place
