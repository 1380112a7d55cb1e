"""Who interprets which meeting, once the meetings have their times.

A meeting whose people share no language needs an interpreter who speaks a language of
each (`Instance.interpreter_candidates`). The CP model chooses them exactly; every other
stage (greedy, local moves, the final read-back) goes through `InterpreterDesk`, which
keeps each interpreter in one meeting at a time, one city per date, within their
availability and max_meetings.
"""

from __future__ import annotations

import bisect
import datetime as dt
from collections import Counter, defaultdict
from collections.abc import Callable, Mapping

from scheduler.model import Instance, Option
from scheduler.solver.travel import TravelClock

Placements = dict[str, tuple[Option, str]]


class InterpreterDesk:
    """Each interpreter's busy slots, city per date and meeting count, indexed by date, city and
    slot so that choosing among a thousand interpreters is a few set operations, not a loop."""

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
        self.rank = {i.id: k for k, i in enumerate(instance.interpreters)}
        # The index: who is taken at each (date, slot), who is in which city each date, who is at
        # their cap, and (built once per date and city) who is available at each slot.
        self.taken_at: dict[tuple[dt.date, int], set[str]] = defaultdict(set)
        self.in_city: dict[dt.date, dict[str, set[str]]] = defaultdict(lambda: defaultdict(set))
        self.full = {iid for iid, cap in self.caps.items() if cap is not None and cap <= 0}
        self.open_at: dict[tuple[dt.date, str], tuple[set[str], dict[int, set[str]]]] = {}
        self.later: dict[tuple[str, dt.date, str], list[int] | None] = {}
        for (iid, date), (city, minutes) in self.history.items():
            self.in_city[date][city].add(iid)
            for t in minutes:
                self.taken_at[(date, t)].add(iid)

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

    def _available(self, date: dt.date, city: str, ticks: range) -> set[str]:
        """Interpreters whose own availability covers these slots in that city that date."""
        key = (date, city)
        if key not in self.open_at:
            always: set[str] = set()
            at: dict[int, set[str]] = defaultdict(set)
            for iid in self.rank:
                free = self.instance.free_ticks(iid, date, city)
                if free is None:
                    always.add(iid)
                else:
                    for t in free:
                        at[t].add(iid)
            self.open_at[key] = (always, at)
        always, at = self.open_at[key]
        return always | set.intersection(*(at.get(t, set()) for t in ticks))

    def free_for(self, option: Option) -> set[str]:
        """Every interpreter who could sit in a meeting at `option` (travel rules aside)."""
        ticks = range(option.start, option.end, self.step)
        free = self._available(option.date, option.city, ticks)
        free -= self.full
        for city, there in self.in_city[option.date].items():
            if city != option.city:
                free -= there
        for t in ticks:
            free -= self.taken_at.get((option.date, t), set())
        return free

    def pick(self, candidates: list[str], option: Option, preferred: str | None = None) -> str | None:
        """The preferred interpreter if free, else the free candidate with the least time left that
        day after this meeting (a morning-only interpreter before one free all day); None if none is."""
        if preferred is not None and preferred in candidates and self.fits(preferred, option):
            return preferred
        free = self.free_for(option).intersection(candidates)
        if self.clock.rules:
            free = {iid for iid in free if self.clock.clash(iid, option) is None}
        if not free:
            return None
        return min(free, key=lambda iid: (self._time_left(iid, option), self.rank[iid]))

    def _time_left(self, iid: str, option: Option) -> int:
        """Free slots the interpreter still has that day after `option` (in its city), fewer under a cap."""
        key = (iid, option.date, option.city)
        if key not in self.later:
            free = self.instance.free_ticks(iid, option.date, option.city)
            self.later[key] = None if free is None else sorted(free)
        ticks = self.later[key]
        later = 1440 // self.step if ticks is None else len(ticks) - bisect.bisect_left(ticks, option.end)
        cap = self.caps.get(iid)
        return later if cap is None else min(later, cap - self.count[iid])

    def take(self, iid: str, option: Option, mid: str = "") -> None:
        self.clock.take(mid, [iid], option)
        self.city_on[(iid, option.date)] = option.city
        self.in_city[option.date][option.city].add(iid)
        self.count[iid] += 1
        cap = self.caps.get(iid)
        if cap is not None and self.count[iid] >= cap:
            self.full.add(iid)
        for t in range(option.start, option.end, self.step):
            self.busy.add((iid, option.date, t))
            self.taken_at[(option.date, t)].add(iid)


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
