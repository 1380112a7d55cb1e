"""Travel rules between cities (`travel:`): a meeting in `to` starts at least `min_hours` after
the end of any earlier meeting or programme item of the same person in `from`.

One city per date stays a rule of its own; these rules reach across dates (an afternoon in
Beijing, then a morning in Hangzhou the next day). The CP model states them as constraints;
the greedy and the final read-back go through `TravelClock`.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Mapping

from scheduler.model import Instance, Option, to_minutes

Placements = dict[str, tuple[Option, str]]
Span = tuple[int, int, str, str | None, str | None]
"""(start, end) in absolute minutes, city, and the meeting id or (for a programme item) the item id."""


def absolute(date: dt.date, minutes: int) -> int:
    """Minutes since the start of the calendar: spans on different dates compare directly."""
    return date.toordinal() * 1440 + minutes


def travel_minutes(instance: Instance) -> dict[tuple[str, str], int]:
    """(from city, to city) -> the minutes that must pass, per travel rule (the longest if repeated)."""
    rules: dict[tuple[str, str], int] = {}
    for rule in instance.travel:
        key = (rule.from_, rule.to)
        rules[key] = max(rules.get(key, 0), rule.min_hours * 60)
    return rules


class TravelClock:
    """Each person's spans (meetings and programme items) in absolute minutes, by city."""

    def __init__(self, instance: Instance) -> None:
        self.rules = travel_minutes(instance)
        self.spans: dict[str, list[Span]] = defaultdict(list)
        if self.rules:
            for item in instance.programme:
                span = (absolute(item.date, to_minutes(item.start)), absolute(item.date, to_minutes(item.end)))
                for pid in instance.programme_attendees[item.id]:
                    self.spans[pid].append((*span, item.city, None, item.id))

    def clash(self, pid: str, option: Option) -> str | None:
        """The meeting (or "" for a programme item) that `option` would leave too little travel time
        from or to; None if every rule holds."""
        span = self.too_close(pid, option)
        return None if span is None else span[3] or ""

    def too_close(self, pid: str, option: Option, ignore: str | None = None) -> Span | None:
        """The person's first span (meeting or programme item; not the meeting `ignore`) that `option`
        would leave too little travel time from or to; None if every rule holds."""
        if not self.rules:
            return None
        start, end = absolute(option.date, option.start), absolute(option.date, option.end)
        for span in self.spans.get(pid, ()):
            s, e, city = span[0], span[1], span[2]
            if ignore is not None and span[3] == ignore:
                continue
            if e <= start and start - e < self.rules.get((city, option.city), 0):
                return span
            if end <= s and s - end < self.rules.get((option.city, city), 0):
                return span
        return None

    def fits(self, people: list[str], option: Option) -> bool:
        return not self.rules or all(self.clash(pid, option) is None for pid in people)

    def take(self, mid: str, people: list[str], option: Option) -> None:
        if self.rules:
            span = (absolute(option.date, option.start), absolute(option.date, option.end))
            for pid in people:
                self.spans[pid].append((*span, option.city, mid, None))


def keep_travel_rules(
    instance: Instance, placements: Placements, people: Mapping[str, list[str]], priority: Mapping[str, int]
) -> list[str]:
    """The meetings to drop so that every travel rule holds: most important first, each kept
    only if it keeps the rules with those kept before it (nothing to drop without rules)."""
    clock = TravelClock(instance)
    if not clock.rules:
        return []
    dropped = []
    order = sorted(placements, key=lambda mid: (-priority[mid], placements[mid][0].date, placements[mid][0].start, mid))
    for mid in order:
        option = placements[mid][0]
        if clock.fits(people[mid], option):
            clock.take(mid, people[mid], option)
        else:
            dropped.append(mid)
    return dropped
