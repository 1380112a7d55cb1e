"""Warnings about an instance that is valid but likely holds a slip: availability on a date
when no venue in that city is open, programme items some attendees cannot be at or that clash,
a meeting naming an interpreter it will not need. Said on loading; the solve goes on."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict

from scheduler.errors import Problem
from scheduler.model import Availability, Instance, to_minutes

WARNING_NAMES = 8
"""A warning names at most this many people, then says how many more."""


def _counted(items: list[str], noun: str) -> str:
    return f"{len(items)} {noun}" + ("" if len(items) == 1 else "s")


def _listed(items: list[str]) -> str:
    more = f" and {len(items) - WARNING_NAMES} more" if len(items) > WARNING_NAMES else ""
    return ", ".join(items[:WARNING_NAMES]) + more


def _covers(entries: list[Availability], city: str, start: int, end: int) -> bool:
    """Whether these availability entries (one date) cover [start, end) in `city`, adjacent windows joined."""
    reach = start
    windows = sorted(
        (to_minutes(a.start) if a.start else 0, to_minutes(a.end) if a.end else 1440) for a in entries if a.city == city
    )
    for a, b in windows:
        if a <= reach:
            reach = max(reach, b)
    return reach >= end


def instance_warnings(instance: Instance) -> list[Problem]:
    """Availability on a date when no venue in that city is open: allowed, but likely a slip."""
    open_days = {(venue.city, day.date) for venue in instance.venues for day in venue.days}
    return (
        [
            Problem(
                ("participants", i, "available", j),
                f"no venue in {entry.city} is open on {entry.date}: this entry gives no time to meet",
            )
            for i, person in enumerate(instance.participants)
            for j, entry in enumerate(person.available or [])
            if (entry.city, entry.date) not in open_days
        ]
        + programme_warnings(instance)
        + _items_where_nothing_is_open(instance, open_days)
        + _needless_interpreters(instance)
    )


def _items_where_nothing_is_open(instance: Instance, open_days: set[tuple[str, dt.date]]) -> list[Problem]:
    """A programme item in a city with no venue open that date (or outside the event): allowed
    (a visit may be anywhere), but its attendees then meet nobody that date, so say so."""
    return [
        Problem(
            ("programme", i, "date"),
            f"no venue in {item.city} is open on {item.date}: its {len(instance.programme_attendees[item.id])} "
            f"attendee(s) are kept in {item.city} that date and have no meetings then",
        )
        for i, item in enumerate(instance.programme)
        if (item.city, item.date) not in open_days and instance.programme_attendees[item.id]
    ]


def _needless_interpreters(instance: Instance) -> list[Problem]:
    """A meeting that names an interpreter though its people share a language: none will sit in."""
    return [
        Problem(
            ("meetings", i, "interpreter"),
            f"names {m.interpreter}, but its people share a language: it is scheduled without an interpreter",
        )
        for i, m in enumerate(instance.meetings)
        if m.interpreter is not None and not instance.needs_interpreter(list(m.participants))
    ]


def programme_warnings(instance: Instance) -> list[Problem]:
    """Programme items some attendees cannot be at: their availability gives nothing that date,
    puts them in another city, or does not cover the item's time (`attendees: all` takes everyone at
    the event that date). One warning per item and cause, naming a few and counting the rest."""
    found = []
    for i, item in enumerate(instance.programme):
        elsewhere: list[str] = []
        absent: list[str] = []
        uncovered: list[str] = []
        begins, ends = to_minutes(item.start), to_minutes(item.end)
        for pid in sorted(instance.programme_attendees[item.id]):
            person = instance.participant_by_id[pid]
            if person.available is None:
                continue
            there = [a for a in person.available if a.date == item.date]
            if not there:
                absent.append(pid)
            elif all(a.city != item.city for a in there):
                elsewhere.append(f"{pid} ({', '.join(sorted({a.city for a in there}))})")
            elif not _covers(there, item.city, begins, ends):
                uncovered.append(pid)
        where = ("programme", i, "attendees")
        # The remedy depends on how the item names its attendees: a list is edited, 'all' or a filter replaced.
        advice = (
            "take them off its attendees, or widen their availability"
            if isinstance(item.attendees, list)
            else "list its attendees by id instead of "
            + ("'all'" if item.attendees == "all" else "a filter")
            + ", or widen their availability"
        )
        if elsewhere:
            message = (
                f"{_counted(elsewhere, 'attendee')} of {item.id} ({item.city}, {item.date}) "
                f"{'is' if len(elsewhere) == 1 else 'are'} available only in another city that date: "
                f"{_listed(elsewhere)}"
            )
            found.append(Problem(where, message))
        if absent:
            message = (
                f"{_counted(absent, 'attendee')} of {item.id} ({item.city}, {item.date}) "
                f"{'gives' if len(absent) == 1 else 'give'} no availability at all that date, yet their timetables "
                f"show it: {_listed(absent)} ({advice})"
            )
            found.append(Problem(where, message))
        if uncovered:
            message = (
                f"{_counted(uncovered, 'attendee')} of {item.id} ({item.date} {item.start}-{item.end}) "
                f"{'is' if len(uncovered) == 1 else 'are'} not available for all of it, yet their timetables "
                f"show it: {_listed(uncovered)} ({advice})"
            )
            found.append(Problem(where, message))
    return found + _programme_clashes(instance)


def _programme_clashes(instance: Instance) -> list[Problem]:
    """Two programme items of one attendee that overlap, are in two cities on one date, or
    leave less time than a travel rule between them: no schedule can mend that.

    People who attend the same items are read once; in time order, each item is compared with
    the one ending last so far, the last one that date in another city and the last in each
    other city (the nearest clash: an earlier item clashing further is reported once this one
    is mended), so thousands of items cost n log n, not n squared."""
    need = {(rule.from_, rule.to): rule.min_hours * 60 for rule in instance.travel}
    order = sorted(
        range(len(instance.programme)), key=lambda k: (instance.programme[k].date, instance.programme[k].start)
    )
    theirs: dict[str, list[int]] = defaultdict(list)
    for k in order:
        for pid in instance.programme_attendees[instance.programme[k].id]:
            theirs[pid].append(k)
    groups: dict[tuple[int, ...], list[str]] = defaultdict(list)
    for pid, attended in theirs.items():
        groups[tuple(attended)].append(pid)
    clashes: dict[tuple[int, int], tuple[str, set[str]]] = {}

    def moment(k: int, clock: str) -> int:
        return instance.programme[k].date.toordinal() * 1440 + to_minutes(clock)

    for same, pids in groups.items():
        latest: int | None = None  # the item ending last so far
        last_in: dict[str, int] = {}  # city -> the item ending last there so far
        for k in same:
            item = instance.programme[k]
            begins = moment(k, item.start)
            found: list[tuple[int, str]] = []
            if latest is not None and moment(latest, instance.programme[latest].end) > begins:
                found.append((latest, "overlap"))
            for city, j in last_in.items():
                other = instance.programme[j]
                if city == item.city or (found and found[0][0] == j):
                    continue
                apart = begins - moment(j, other.end)
                if other.date == item.date:
                    found.append((j, f"are in {city} and {item.city} on one date"))
                elif apart < need.get((city, item.city), 0):
                    found.append((j, f"leave {apart / 60:g} h to travel from {city} to {item.city}"))
            for j, why in found:
                clashes.setdefault((j, k), (why, set()))[1].update(pids)
            if latest is None or moment(k, item.end) > moment(latest, instance.programme[latest].end):
                latest = k
            if item.city not in last_in or moment(k, item.end) > moment(
                last_in[item.city], instance.programme[last_in[item.city]].end
            ):
                last_in[item.city] = k
    found_problems = []
    position = {k: n for n, k in enumerate(order)}
    for (j, k), (why, both) in sorted(clashes.items(), key=lambda pair: (position[pair[0][0]], position[pair[0][1]])):
        who = ", ".join(sorted(both)[:5]) + (f" and {len(both) - 5} more" if len(both) > 5 else "")
        first, second = instance.programme[j], instance.programme[k]
        found_problems.append(Problem(("programme", j), f"{first.id} and {second.id} {why}, for {who}"))
    return found_problems
