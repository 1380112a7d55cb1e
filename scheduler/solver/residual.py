"""A re-solve's bound from what its kept meetings leave free: no solver, no search.

A re-solve that keeps every kept meeting where it stands (`max_moves` 0, or all pins forced)
can only add requests, each at one of its options, into the time its people have left. So its
total is at most the kept meetings' priority plus, for the requests that still fit somewhere
around them, the capacity bound over that leftover time: each request's priority split evenly
among its people, each person taking at most as many shares as their cap and free slots left.

Before this, a re-solve at 10,000 x 60,000 cancelling 5% reported the first solve's capacity
bound, 87,759 against 78,044 placed (gap 11%, read by organisers as a poor schedule); this bound
is 79,443 there (1.8%).
"""

from __future__ import annotations

import datetime as dt
import math
from collections import Counter, defaultdict
from itertools import chain
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from scheduler.solver.prepared import Prepared

_TWO_CITIES = ""
"""A person's city on a date where their kept meetings are in two: nothing more fits that date."""


def pins_stay(prepared: Prepared) -> bool:
    """Whether every pinned meeting stays where it is (the only case this bound covers)."""
    request = prepared.request
    return bool(request.pins) and (request.max_moves == 0 or all(pin.forced for pin in request.pins.values()))


def residual_bound(prepared: Prepared) -> int | None:
    """The kept meetings' priority plus what the time they leave could still hold; None where
    pins may move (`pins_stay`)."""
    if not pins_stay(prepared):
        return None
    request, instance = prepared.request, prepared.instance
    step, participants, options = instance.event.slot_minutes, prepared.participants, prepared.options
    pins = request.pins
    pinned = [(idx, pins[meeting.id]) for idx, meeting in enumerate(prepared.meetings) if meeting.id in pins]
    kept_value = sum(prepared.meetings[idx].priority for idx, _ in pinned)
    kept = Counter(chain.from_iterable(participants[idx] for idx, _ in pinned))
    full = {
        pid for pid in instance.participant_by_id if (cap := request.max_meetings(pid)) is not None and cap <= kept[pid]
    }
    waiting = [
        idx
        for idx, meeting in enumerate(prepared.meetings)
        if options[idx] and meeting.id not in pins and full.isdisjoint(participants[idx])
    ]
    # Where the kept meetings hold the people who could still have more (0.6 s of a child's
    # time at 60,000 requests when it was everyone's, the draft's own length).
    could_add = set(chain.from_iterable(participants[idx] for idx in waiting))
    held: dict[tuple[str, dt.date], set[int]] = defaultdict(set)
    city_on: dict[tuple[str, dt.date], str] = {}
    for idx, pin in pinned:
        option = pin.option
        for pid in participants[idx]:
            if pid in could_add:
                key = (pid, option.date)
                held[key].update(range(option.start, option.end, step))
                city_on[key] = option.city if city_on.get(key, option.city) == option.city else _TWO_CITIES
    shares: dict[str, list[float]] = defaultdict(list)
    for idx in waiting:
        people = participants[idx]
        for option in options[idx]:
            date, city = option.date, option.city
            for pid in people:
                if city_on.get((pid, date), city) != city:
                    break
                taken = held.get((pid, date))
                if taken and any(t in taken for t in range(option.start, option.end, step)):
                    break
            else:  # every one of its people is free there: it could still be added
                share = prepared.meetings[idx].priority / len(people)
                for pid in people:
                    shares[pid].append(share)
                break
    session_ticks = prepared.session_ticks
    total = 0.0
    for pid, values in shares.items():
        most = _slots_left(prepared, pid, session_ticks, held, city_on)
        cap = request.max_meetings(pid)
        if cap is not None:
            most = min(most, cap - kept[pid])
        total += sum(sorted(values, reverse=True)[:most])
    return kept_value + math.floor(total + 1e-6)


def _slots_left(
    prepared: Prepared,
    pid: str,
    session_ticks: dict[dt.date, dict[str, frozenset[int]]],
    held: dict[tuple[str, dt.date], set[int]],
    city_on: dict[tuple[str, dt.date], str],
) -> int:
    """Slots the person has free around their kept meetings: per date, in the city those fix
    (the better city where none does); each added meeting takes at least one."""
    instance = prepared.instance
    slots = 0
    for date, by_city in session_ticks.items():
        fixed = city_on.get((pid, date))
        taken = held.get((pid, date), set())
        best = 0
        for city, ticks in by_city.items():
            if fixed is None or city == fixed:
                free = instance.free_ticks(pid, date, city)
                best = max(best, len((ticks if free is None else ticks & free) - taken))
        slots += best
    return slots
