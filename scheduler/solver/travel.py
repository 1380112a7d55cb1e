"""Travel rules between cities (`travel:`): a meeting in `to` starts at least `min_hours` after
the end of any earlier meeting or programme item of the same person in `from`.

One city per date stays a rule of its own; these rules reach across dates (an afternoon in
Beijing, then a morning in Hangzhou the next day). The CP model states them as constraints;
the greedy and the final read-back go through `TravelClock`.
"""

from __future__ import annotations

import bisect
import datetime as dt
from collections import defaultdict
from collections.abc import Mapping

from scheduler.model import Instance, Option, to_minutes

Placements = dict[str, tuple[Option, str]]


def absolute(date: dt.date, minutes: int) -> int:
    """Minutes since the start of the calendar: spans on different dates compare directly."""
    return date.toordinal() * 1440 + minutes


def travel_minutes(instance: Instance) -> dict[tuple[str, str], int]:
    """(from city, to city) -> the minutes that must pass (one rule per pair: the input refuses two)."""
    return {(rule.from_, rule.to): rule.min_hours * 60 for rule in instance.travel}


Span = tuple[int, int, str, str | None, str | None]
"""(start, end) in absolute minutes, city, and the meeting id or (for a programme item) the item id."""


class TravelClock:
    """Each person's spans (meetings and programme items) in absolute minutes, per city, sorted by
    end and by start: the nearest span in each city decides a rule (log n per check, not n)."""

    def __init__(self, instance: Instance) -> None:
        self.rules = travel_minutes(instance)
        self.into: dict[str, list[tuple[str, int]]] = defaultdict(list)
        self.out_of: dict[str, list[tuple[str, int]]] = defaultdict(list)
        for (origin, destination), gap in self.rules.items():
            self.into[destination].append((origin, gap))
            self.out_of[origin].append((destination, gap))
        self.ends: dict[tuple[str, str], list[Span]] = defaultdict(list)
        """(person, city) -> spans there, by end."""
        self.starts: dict[tuple[str, str], list[Span]] = defaultdict(list)
        """(person, city) -> spans there, by start."""
        if self.rules:
            for item in instance.programme:
                begins, ends = absolute(item.date, to_minutes(item.start)), absolute(item.date, to_minutes(item.end))
                for pid in instance.programme_attendees[item.id]:
                    span: Span = (begins, ends, item.city, None, item.id)
                    self.ends[(pid, item.city)].append(span)
                    self.starts[(pid, item.city)].append(span)
            for spans in self.ends.values():
                spans.sort(key=_end)
            for spans in self.starts.values():
                spans.sort()

    def clash(self, pid: str, option: Option) -> str | None:
        """The meeting (or "" for a programme item) that `option` would leave too little travel time
        from or to; None if every rule holds."""
        span = self.too_close(pid, option)
        return None if span is None else span[3] or ""

    def too_close(self, pid: str, option: Option, ignore: str | None = None) -> Span | None:
        """The person's nearest span (meeting or programme item; not the meeting `ignore`) that
        `option` would leave too little travel time from or to; None if every rule holds."""
        if not self.rules:
            return None
        start, end = absolute(option.date, option.start), absolute(option.date, option.end)
        for city, gap in self.into.get(option.city, ()):
            ends = self.ends.get((pid, city), [])
            k = bisect.bisect_right(ends, start, key=_end)  # spans before k end by `start`
            while k and ends[k - 1][3] is not None and ends[k - 1][3] == ignore:
                k -= 1
            if k and start - ends[k - 1][1] < gap:
                return ends[k - 1]
        for city, gap in self.out_of.get(option.city, ()):
            starts = self.starts.get((pid, city), [])
            k = bisect.bisect_left(starts, end, key=_start)  # spans from k start at `end` or later
            while k < len(starts) and starts[k][3] is not None and starts[k][3] == ignore:
                k += 1
            if k < len(starts) and starts[k][0] - end < gap:
                return starts[k]
        return None

    def fits(self, people: list[str], option: Option) -> bool:
        return not self.rules or all(self.too_close(pid, option) is None for pid in people)

    def take(self, mid: str, people: list[str], option: Option) -> None:
        if self.rules:
            span: Span = (
                absolute(option.date, option.start),
                absolute(option.date, option.end),
                option.city,
                mid,
                None,
            )
            for pid in people:
                bisect.insort(self.ends[(pid, option.city)], span, key=_end)
                bisect.insort(self.starts[(pid, option.city)], span, key=_start)


def _end(span: Span) -> int:
    return span[1]


def _start(span: Span) -> int:
    return span[0]


def keep_travel_rules(
    instance: Instance,
    placements: Placements,
    people: Mapping[str, list[str]],
    priority: Mapping[str, int],
    history: set[str] | frozenset[str] = frozenset(),
) -> list[str]:
    """The meetings to drop so that every travel rule holds: most important first, each kept
    only if it keeps the rules with those kept before it (nothing to drop without rules).
    `history` happened: kept whatever a rule tightened since says (give it the top priority)."""
    clock = TravelClock(instance)
    if not clock.rules:
        return []
    dropped = []
    order = sorted(placements, key=lambda mid: (-priority[mid], placements[mid][0].date, placements[mid][0].start, mid))
    for mid in order:
        option = placements[mid][0]
        if mid in history or clock.fits(people[mid], option):
            clock.take(mid, people[mid], option)
        else:
            dropped.append(mid)
    return dropped
