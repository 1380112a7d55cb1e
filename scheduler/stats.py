"""Figures about a schedule's quality for people: meetings each, idle gaps, table changes, room use.

Pure functions of an instance and a schedule returning plain data (the benchmarks read
`holes` and `idle_slots`; the terminal view is `scheduler.reports.stats_view`). A *hole* is
a maximal run of free slots between two of one participant's meetings inside one session:
a session break is not a hole; its *idle slots* are the slots it spans.
"""

from __future__ import annotations

import datetime as dt
import itertools
import statistics
from collections import Counter, defaultdict
from dataclasses import dataclass, field

from scheduler.attendance import attendees
from scheduler.model import Instance, to_minutes
from scheduler.solution import Assignment, Schedule


@dataclass(frozen=True)
class Hole:
    person: str
    date: str
    start: str
    end: str
    slots: int
    required_break: bool = False
    """A one-slot hole the event's max_consecutive requires: without it the meetings either side
    would make too long a run."""


@dataclass(frozen=True)
class TableChange:
    """Back-to-back meetings of one person in different rooms."""

    person: str
    before: Assignment
    after: Assignment


@dataclass(frozen=True)
class RoomUse:
    city: str
    date: str
    used: int
    """Room-slots holding a meeting."""
    available: int
    """Room-slots open: each room times each slot of its venue's sessions that day."""

    @property
    def percent(self) -> float:
        return 100.0 * self.used / self.available if self.available else 0.0


@dataclass(frozen=True)
class Stats:
    meetings_of: dict[str, int]
    """Participant (with at least one request still standing) -> meetings they attend."""
    requests_of: dict[str, int]
    without: dict[str, dict[str, list[str]]]
    """People with requests but no meeting: person -> reason kind -> their request ids."""
    holes: list[Hole]
    table_changes: list[TableChange]
    room_use: list[RoomUse]
    unscheduled: dict[str, list[str]] = field(default_factory=dict)
    """Reason kind (see `scheduler.explanation.KINDS`) -> request ids."""
    no_common_language: list[str] = field(default_factory=list)
    """Scheduled meetings whose people share no language and have no interpreter."""
    interpreted: dict[str, int] = field(default_factory=dict)
    """Interpreter id -> meetings they sit in."""
    programme_elsewhere: list[str] = field(default_factory=list)
    """Sentences: an attendee meets in another city on the date of a programme item of theirs."""
    promises_missed: dict[str, tuple[int, int]] = field(default_factory=dict)
    """Participant -> (meetings given, min_meetings promised), where fewer were given."""

    @property
    def idle_slots(self) -> int:
        return sum(h.slots for h in self.holes)

    @property
    def distribution(self) -> dict[int, int]:
        """Meetings per person -> how many people have that many."""
        return dict(sorted(Counter(self.meetings_of.values()).items()))

    @property
    def minimum(self) -> int:
        return min(self.meetings_of.values(), default=0)

    @property
    def median(self) -> float:
        return statistics.median(self.meetings_of.values()) if self.meetings_of else 0.0


def _people_of(instance: Instance, schedule: Schedule) -> dict[str, list[str]]:
    return {a.meeting: attendees(instance, schedule.cancelled, a, schedule.frozen_until) for a in schedule.assignments}


@dataclass(frozen=True)
class Headline:
    """The figures a solve summary leads with (`schedule stats` gives them all): small, so a
    command can work them out in another process while it explains the waiting requests."""

    people: int
    """People with a request still standing, or a meeting (0: no rows to show)."""
    fewest: int = 0
    median: float = 0.0
    most: int = 0
    without: int = 0
    holes: int = 0
    idle_minutes: int = 0
    required_breaks: int = 0


def headline(instance: Instance, schedule: Schedule) -> Headline:
    """Meetings per person, people left out and idle gaps: placements alone, never words."""
    mine = person_meetings(instance, schedule)
    counts = list(meetings_per_person(instance, schedule, mine).values())
    if not counts:
        return Headline(0)
    found = hole_list(instance, schedule, mine)
    return Headline(
        people=len(counts),
        fewest=min(counts),
        median=statistics.median(counts),
        most=max(counts),
        without=sum(1 for n in counts if n == 0),
        holes=len(found),
        idle_minutes=sum(h.slots for h in found) * instance.event.slot_minutes,
        required_breaks=sum(1 for h in found if h.required_break),
    )


def person_meetings(instance: Instance, schedule: Schedule) -> dict[str, list[Assignment]]:
    """Each participant's meetings in time order."""
    people = _people_of(instance, schedule)
    mine: dict[str, list[Assignment]] = defaultdict(list)
    for a in sorted(schedule.assignments, key=lambda a: (a.date, a.start)):
        for pid in people[a.meeting]:
            mine[pid].append(a)
    return dict(mine)


def meetings_per_person(
    instance: Instance, schedule: Schedule, mine: dict[str, list[Assignment]] | None = None
) -> dict[str, int]:
    """Everyone with a request still standing (not cancelled) -> meetings attended, in instance
    order; `mine` is `person_meetings` where the caller has it already."""
    gone = {c.id for c in schedule.cancelled if c.kind == "participant"}
    cancelled = {c.id for c in schedule.cancelled if c.kind == "meeting"}
    mine = person_meetings(instance, schedule) if mine is None else mine
    counts = {}
    for person in instance.participants:
        pid = person.id
        if pid in mine or (pid not in gone and any(m.id not in cancelled for m in instance.participant_meetings[pid])):
            counts[pid] = len(mine.get(pid, []))
    return counts


def _session_of(instance: Instance, a: Assignment) -> tuple[str, str, int]:
    """(venue, date, session start) of the session holding an assignment."""
    start = to_minutes(a.start)
    venue = instance.venue_by_id.get(a.venue)
    for day in venue.days if venue is not None else []:
        if day.date.isoformat() == a.date:
            for window in day.sessions:
                if window.start_min <= start < window.end_min:
                    return (a.venue, a.date, window.start_min)
    return (a.venue, a.date, -1)


def hole_list(instance: Instance, schedule: Schedule, mine: dict[str, list[Assignment]] | None = None) -> list[Hole]:
    """Every hole of every participant, by person then time (`mine` as for `meetings_per_person`)."""
    step = instance.event.slot_minutes
    limit = instance.event.max_consecutive
    found = []
    sessions: dict[tuple[str, str, str], tuple[str, str, int]] = {}  # one look-up per place and time

    def session_of(a: Assignment) -> tuple[str, str, int]:
        key = (a.venue, a.date, a.start)
        if key not in sessions:
            sessions[key] = _session_of(instance, a)
        return sessions[key]

    for pid, meetings in sorted((person_meetings(instance, schedule) if mine is None else mine).items()):
        runs: tuple[list[int], list[int]] | None = None  # (worked out only where a one-slot hole asks)
        for k, (before, after) in enumerate(itertools.pairwise(meetings)):
            if before.date != after.date or before.end == after.start or session_of(before) != session_of(after):
                continue  # (back to back is no hole)
            gap = to_minutes(after.start) - to_minutes(before.end)
            if gap > 0:
                required = False
                if gap == step and limit is not None:
                    ending, starting = runs = runs or _runs(meetings, step)
                    required = ending[k] + starting[k + 1] > limit
                found.append(Hole(pid, before.date, before.end, after.start, gap // step, required))
    return found


def _runs(meetings: list[Assignment], step: int) -> tuple[list[int], list[int]]:
    """For each of one person's meetings (in time order): the slots of the back-to-back run
    ending with it, and of the run starting with it."""

    def slots(a: Assignment) -> int:
        return (to_minutes(a.end) - to_minutes(a.start)) // step

    def joined(a: Assignment, b: Assignment) -> bool:
        return a.date == b.date and a.end == b.start

    ending = [slots(a) for a in meetings]
    for k in range(1, len(meetings)):
        if joined(meetings[k - 1], meetings[k]):
            ending[k] += ending[k - 1]
    starting = [slots(a) for a in meetings]
    for k in range(len(meetings) - 2, -1, -1):
        if joined(meetings[k], meetings[k + 1]):
            starting[k] += starting[k + 1]
    return ending, starting


def holes(instance: Instance, schedule: Schedule) -> int:
    """How many holes the schedule leaves in people's sessions."""
    return len(hole_list(instance, schedule))


def idle_slots(instance: Instance, schedule: Schedule) -> int:
    """How many slots its holes span, over all participants."""
    return sum(h.slots for h in hole_list(instance, schedule))


def table_change_list(instance: Instance, schedule: Schedule) -> list[TableChange]:
    """Each back-to-back pair of one person's meetings in different rooms."""
    changes = []
    for pid, meetings in sorted(person_meetings(instance, schedule).items()):
        for before, after in itertools.pairwise(meetings):
            if before.date == after.date and before.end == after.start and before.room != after.room:
                changes.append(TableChange(pid, before, after))
    return changes


def table_changes(instance: Instance, schedule: Schedule) -> int:
    return len(table_change_list(instance, schedule))


def stays(instance: Instance, schedule: Schedule, pid: str) -> set[str]:
    """The person's meetings right after one of theirs in the same room: "stay at the table"."""
    mine = person_meetings(instance, schedule).get(pid, [])
    return {
        after.meeting
        for before, after in itertools.pairwise(mine)
        if before.date == after.date and before.end == after.start and before.room == after.room
    }


def room_use(instance: Instance, schedule: Schedule) -> list[RoomUse]:
    """Share of room-slots used, per city and date."""
    step = instance.event.slot_minutes
    available: Counter[tuple[str, str]] = Counter()
    for venue in instance.venues:
        rooms = len(instance.venue_rooms[venue.id])
        for day in venue.days:
            slots = sum((w.end_min - w.start_min) // step for w in day.sessions)
            available[(venue.city, day.date.isoformat())] += rooms * slots
    used: Counter[tuple[str, str]] = Counter()
    for a in schedule.assignments:
        used[(a.city, a.date)] += (to_minutes(a.end) - to_minutes(a.start)) // step
    return [RoomUse(city, date, used[(city, date)], n) for (city, date), n in sorted(available.items())]


def language_figures(instance: Instance, schedule: Schedule) -> tuple[list[str], dict[str, int]]:
    """(meetings without a common language nor an interpreter, interpreter -> meetings they sit in)."""
    alone = [
        a.meeting
        for a in schedule.assignments
        if a.interpreter is None and instance.needs_interpreter(attendees(instance, schedule.cancelled, a))
    ]
    return alone, dict(sorted(Counter(a.interpreter for a in schedule.assignments if a.interpreter).items()))


def programme_elsewhere(instance: Instance, schedule: Schedule) -> list[str]:
    """Attendees who meet in another city on the date of a programme item of theirs."""
    found = []
    for a in schedule.assignments:
        for pid in attendees(instance, schedule.cancelled, a):
            for item in instance.programme_of.get((pid, dt.date.fromisoformat(a.date)), []):
                if item.city != a.city:
                    found.append(
                        f"{pid} meets in {a.city} ({a.meeting}) on {a.date}, the day of {item.id} in {item.city}"
                    )
    return found


def stats(instance: Instance, schedule: Schedule) -> Stats:
    """Every figure of `schedule stats`, unscheduled requests classified by reason (no solve)."""
    from scheduler.explain import Explainer

    explainer = Explainer(instance, schedule, headlines_only=True)
    known = instance.meeting_by_id
    kind_of = {u.meeting: explainer.explain(u.meeting).kind for u in schedule.unscheduled if u.meeting in known}
    unscheduled: dict[str, list[str]] = defaultdict(list)
    for mid, kind in kind_of.items():
        unscheduled[kind].append(mid)
    counts = meetings_per_person(instance, schedule)
    requests = {pid: len(instance.participant_meetings[pid]) for pid in counts}
    without: dict[str, dict[str, list[str]]] = {}
    for pid, n in counts.items():
        if n == 0:
            why: dict[str, list[str]] = defaultdict(list)
            for m in instance.participant_meetings[pid]:
                why[kind_of.get(m.id) or explainer.explain(m.id).kind].append(m.id)
            without[pid] = dict(why)
    return Stats(
        meetings_of=counts,
        requests_of=requests,
        without=without,
        holes=hole_list(instance, schedule),
        table_changes=table_change_list(instance, schedule),
        room_use=room_use(instance, schedule),
        unscheduled=dict(unscheduled),
        no_common_language=language_figures(instance, schedule)[0],
        interpreted=language_figures(instance, schedule)[1],
        programme_elsewhere=programme_elsewhere(instance, schedule),
        promises_missed=promises_missed(instance, counts),
    )


def promises_missed(instance: Instance, counts: dict[str, int]) -> dict[str, tuple[int, int]]:
    """Who (with a request standing) got fewer meetings than min_meetings promised: person -> (given, promised)."""
    return {
        p.id: (counts[p.id], p.min_meetings)
        for p in instance.participants
        if p.min_meetings is not None and p.id in counts and counts[p.id] < p.min_meetings
    }
