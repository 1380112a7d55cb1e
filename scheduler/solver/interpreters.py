"""Who interprets which meeting, once the meetings have their times.

A meeting whose people share no language needs an interpreter who speaks a language of
each (`Instance.interpreter_candidates`). The CP model chooses them exactly; every other
stage (greedy, local moves, the final read-back) goes through `InterpreterDesk`, which
keeps each interpreter in one meeting at a time, one city per date, within their
availability and max_meetings.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Callable, Mapping

from scheduler.model import Instance, Option
from scheduler.solver.travel import TravelClock

Placements = dict[str, tuple[Option, str]]


class InterpreterDesk:
    """Each interpreter's busy slots, city per date and meeting count."""

    def __init__(
        self,
        instance: Instance,
        cap_of: Callable[[str], int | None] | None = None,
        busy: Mapping[tuple[str, dt.date], tuple[str, frozenset[int]]] | None = None,
    ) -> None:
        """`busy`: (interpreter, date) -> city and minutes taken by history the solver does not hold."""
        self.instance = instance
        self.history = busy or {}
        self.step = instance.event.slot_minutes
        self.caps = {i.id: cap_of(i.id) if cap_of is not None else i.max_meetings for i in instance.interpreters}
        self.busy: set[tuple[str, dt.date, int]] = set()
        self.city_on: dict[tuple[str, dt.date], str] = {}
        self.count: Counter[str] = Counter()
        self.clock = TravelClock(instance)

    def fits(self, iid: str, option: Option) -> bool:
        cap = self.caps.get(iid)
        if cap is not None and self.count[iid] >= cap:
            return False
        if self.city_on.get((iid, option.date), option.city) != option.city:
            return False
        ticks = range(option.start, option.end, self.step)
        if any((iid, option.date, t) in self.busy for t in ticks):
            return False
        if self.clock.clash(iid, option) is not None:
            return False
        taken = self.history.get((iid, option.date))
        if taken is not None and (taken[0] != option.city or any(t in taken[1] for t in ticks)):
            return False
        return self.instance.is_available(iid, option.date, option.city, option.start, option.end)

    def pick(self, candidates: list[str], option: Option, preferred: str | None = None) -> str | None:
        """The preferred interpreter if free, else the free candidate with the least time left that
        day after this meeting (a morning-only interpreter before one free all day); None if none is."""
        if preferred is not None and preferred in candidates and self.fits(preferred, option):
            return preferred
        free = [iid for iid in candidates if self.fits(iid, option)]
        if len(free) <= 1:
            return free[0] if free else None
        return min(free, key=lambda iid: (self._time_left(iid, option), candidates.index(iid)))

    def _time_left(self, iid: str, option: Option) -> int:
        """Free slots the interpreter still has that day after `option` (in its city), fewer under a cap."""
        ticks = self.instance.free_ticks(iid, option.date, option.city)
        later = 1440 // self.step if ticks is None else sum(1 for t in ticks if t >= option.end)
        cap = self.caps.get(iid)
        return later if cap is None else min(later, cap - self.count[iid])

    def take(self, iid: str, option: Option, mid: str = "") -> None:
        self.clock.take(mid, [iid], option)
        self.city_on[(iid, option.date)] = option.city
        self.count[iid] += 1
        self.busy.update((iid, option.date, t) for t in range(option.start, option.end, self.step))


def assign_interpreters(
    instance: Instance,
    placements: Placements,
    candidates: Mapping[str, list[str]],
    preferred: Mapping[str, str] | None = None,
    first: Mapping[str, str] | None = None,
    cap_of: Callable[[str], int | None] | None = None,
    busy: Mapping[tuple[str, dt.date], tuple[str, frozenset[int]]] | None = None,
) -> tuple[dict[str, str], list[str]]:
    """An interpreter for each placed meeting that needs one: (meeting -> interpreter, meetings left
    without). `first`: assignments kept before all others (frozen history); then in order of start,
    each meeting's `preferred` interpreter when free, else the first free candidate (in order of
    start, identical interpreters always suffice when at most that many meetings run at once)."""
    desk = InterpreterDesk(instance, cap_of, busy)
    assigned: dict[str, str] = {}
    for mid, iid in (first or {}).items():
        if mid in placements and mid in candidates:
            desk.take(iid, placements[mid][0], mid)
            assigned[mid] = iid
    preferred = preferred or {}
    order = sorted(
        (mid for mid in placements if candidates.get(mid) and mid not in assigned),
        key=lambda mid: (placements[mid][0].date, placements[mid][0].start, -placements[mid][0].end, mid),
    )
    missing: list[str] = []
    for mid in order:
        option = placements[mid][0]
        found = desk.pick(candidates[mid], option, preferred.get(mid))
        if found is None:
            missing.append(mid)
        else:
            desk.take(found, option, mid)
            assigned[mid] = found
    return assigned, missing
