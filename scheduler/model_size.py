"""How big a model an instance asks for, known before anything is built.

A 16 KB file can ask for hundreds of millions of (meeting, start) options: 366 days
written with one YAML anchor, one-minute slots, whole-day sessions. Building them would
take minutes and gigabytes before the time limit is even looked at, so the count is
bounded from the instance alone (a few passes over sessions and availability) and an
instance over the limit is refused with the numbers that make it big.
"""

from __future__ import annotations

import signal
import threading
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from scheduler.errors import InputError, Problem
from scheduler.model import Instance, to_minutes

MAX_OPTIONS = 10_000_000
"""Most (meeting, place in time) options solved: each costs about 200 bytes before the solver adds its own."""
BYTES_PER_OPTION = 200


@dataclass(frozen=True)
class SizeEstimate:
    options: int
    """Upper bound on the options the solver would build."""
    sessions: int
    starts_per_session: int
    """The most grid starts any one session offers."""

    @property
    def gigabytes(self) -> float:
        return self.options * BYTES_PER_OPTION / 1e9


def estimate(instance: Instance, people: bool = True) -> SizeEstimate:
    """An upper bound on sum over meetings of their options, without listing any.

    A meeting can start at most at every grid start of every session in its city whose
    venue has a room big enough, and at most at every start its most restricted
    participant is free; the smaller of the two counts. Without `people`, the sessions'
    count alone: a looser bound, ten times faster at 60,000 requests.
    """
    step = instance.event.slot_minutes
    # (city, largest room, session length) -> how many such sessions
    shapes: Counter[tuple[str, int, int]] = Counter()
    largest = {v.id: max(r.capacity for r in v.rooms) for v in instance.venues}
    for venue in instance.venues:
        for day in venue.days:
            for window in day.sessions:
                shapes[(venue.city, largest[venue.id], to_minutes(window.end) - to_minutes(window.start))] += 1

    def starts(length: int, slots: int) -> int:
        return max(0, (length - slots * step) // step + 1)

    by_kind: dict[tuple[str | None, int, int], int] = {}

    def session_starts(city: str | None, size: int, slots: int) -> int:
        key = (city, size, slots)
        if key not in by_kind:
            by_kind[key] = sum(
                count * starts(length, slots)
                for (shape_city, capacity, length), count in shapes.items()
                if capacity >= size and (city is None or shape_city == city)
            )
        return by_kind[key]

    longest = max((length for (_, _, length) in shapes), default=0)
    if not people:
        kinds = Counter((m.city, len(m.participants), m.slots) for m in instance.meetings)
        total = sum(n * session_starts(*kind) for kind, n in kinds.items())
        return SizeEstimate(total, sum(shapes.values()), starts(longest, 1))
    # An option is a venue and a start: a person free for one start in a city of twenty venues
    # has twenty (counting starts alone let 28 million options through as 28,000).
    venues_in: Counter[str] = Counter(v.city for v in instance.venues)
    free_starts: dict[str, int] = {}
    for person in instance.participants:
        if person.available is not None:
            spans: dict[tuple[object, str], list[tuple[int, int]]] = {}
            for a in person.available:
                span = (to_minutes(a.start or "00:00"), to_minutes(a.end or "24:00"))
                spans.setdefault((a.date, a.city), []).append(span)
            free_starts[person.id] = sum(
                minutes // step * venues_in[city] for (_, city), found in spans.items() for minutes in _merged(found)
            )
    total = 0
    for meeting in instance.meetings:
        bound = session_starts(meeting.city, len(meeting.participants), meeting.slots)
        for pid in meeting.participants:
            bound = min(bound, free_starts.get(pid, bound))
        total += bound
    return SizeEstimate(total, sum(shapes.values()), starts(longest, 1))


def _merged(spans: list[tuple[int, int]]) -> list[int]:
    """The lengths of the union of these spans: a window listed twice (entries may share a date)
    counted twice, and refused a solvable instance (the second attacker's file)."""
    lengths: list[int] = []
    start, end = None, None
    for lo, hi in sorted(spans):
        if end is not None and lo <= end:
            end = max(end, hi)
            continue
        if start is not None and end is not None:
            lengths.append(max(0, end - start))
        start, end = lo, hi
    if start is not None and end is not None:
        lengths.append(max(0, end - start))
    return lengths


def check_model_size(instance: Instance, source: str, limit: int = MAX_OPTIONS) -> SizeEstimate:
    """The estimate, or an InputError saying why the instance is too big to solve here (the
    people's availability looked at only when the sessions alone allow too many)."""
    size = estimate(instance, people=False)
    if size.options > limit:
        size = estimate(instance)
    if size.options > limit:
        raise InputError(
            [
                Problem(
                    (),
                    f"the model would have up to {size.options:,} meeting options "
                    f"({len(instance.meetings):,} meetings x {size.sessions:,} sessions x up to "
                    f"{size.starts_per_session:,} starts each), about {size.gigabytes:,.1f} GB before solving; "
                    f"the limit is {limit:,}. Use a longer slot_minutes, fewer or shorter sessions, "
                    "or narrow availability",
                )
            ],
            source,
        )
    return size


class BuildTimedOut(Exception):
    """The time limit passed before any schedule was found (still building the model)."""


@contextmanager
def time_limit_while_building(seconds: float, nothing_yet: Callable[[], bool]) -> Iterator[None]:
    """Raise BuildTimedOut if `seconds` pass and `nothing_yet()` still holds.

    The solver keeps its time limit once it searches; before that, building the options
    runs unchecked. A timer signal in the main thread stops it there. Does nothing
    off the main thread or where there is no SIGALRM.
    """
    if threading.current_thread() is not threading.main_thread() or not hasattr(signal, "setitimer"):
        yield
        return

    def on_alarm(_signum: int, _frame: object) -> None:
        if nothing_yet():
            raise BuildTimedOut

    previous = signal.signal(signal.SIGALRM, on_alarm)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)
