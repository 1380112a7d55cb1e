"""The independent checker: every FORMAT.md rule, re-derived from the raw instance fields,
and the optional ones: programme items (and buffers), interpreters, travel rules.

It deliberately shares no code with the solver, with resolve.py, nor with model.py's derived
look-ups (room expansion, availability, options, attendance): a checker that reuses the
model's code would share its bugs. It reads only the validated input fields and the schedule.

History: a meeting that starts before the schedule's `frozen_until` happened. An instance
edited afterwards (availability narrowed, a room removed, a cap lowered) cannot undo it, so
for such meetings the rules about the instance's own data (1, 2, 5, 7's excess, 8) become
warnings; the rules between meetings (3, 4, 6) hold for history too. A cancellation counts
from its `from` moment: a meeting before it had that person, room or request.
"""

from __future__ import annotations

import bisect
import datetime as dt
import functools
from collections import Counter, defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field

from scheduler.model import Instance, Interpreter, Meeting, Participant, ProgrammeItem, Venue
from scheduler.solution import Assignment, Schedule

_MOMENT = "%Y-%m-%dT%H:%M"
Complain = Callable[..., None]
"""bad(rule, message, history=False): a violation, or a warning when it concerns history."""
CancelledAt = Callable[[str, str, dt.datetime], bool]


@dataclass(frozen=True)
class Violation:
    rule: str
    message: str

    def __str__(self) -> str:
        return f"[{self.rule}] {self.message}"


@dataclass
class Report:
    """What `check` found: violations (the schedule is wrong) and warnings (history vs edits)."""

    violations: list[Violation] = field(default_factory=list)
    warnings: list[Violation] = field(default_factory=list)
    """History that an edit since makes break a rule (it happened: nothing to do)."""
    notes: list[Violation] = field(default_factory=list)
    """Allowed but worth a look: meetings without a common language and no interpreters listed."""
    frozen_until: str | None = None
    """The frozen moment the history rules relied on (the schedule's own `frozen_until`)."""
    history: int = 0
    """How many assignments were treated as history."""


@functools.lru_cache(maxsize=4096)  # bounded: the texts come from a file
def _minutes(clock: str) -> int | None:
    """'09:30' -> 570, None if not a clock time (a few hundred distinct texts in any schedule)."""
    parts = clock.split(":")
    if len(parts) != 2 or not all(p.isascii() and p.isdigit() for p in parts):
        return None
    hours, minutes = int(parts[0]), int(parts[1])
    if minutes >= 60 or hours * 60 + minutes > 24 * 60:
        return None
    return hours * 60 + minutes


def _moment(text: str | None) -> dt.datetime | None:
    if text is None:
        return None
    try:
        return dt.datetime.strptime(text, _MOMENT)
    except ValueError:
        return None


def _start_of(a: Assignment) -> dt.datetime | None:
    return _moment_of(a.date, a.start)


@functools.lru_cache(maxsize=4096)  # bounded: the texts come from a file
def _moment_of(date: str, clock: str) -> dt.datetime | None:
    start = _minutes(clock)
    try:
        day = dt.date.fromisoformat(date)
    except ValueError:
        return None
    if start is None:
        return None
    return dt.datetime.combine(day, dt.time()) + dt.timedelta(minutes=start)


def verify(instance: Instance, schedule: Schedule) -> list[Violation]:
    """All violations of the rules by `schedule`; empty means the schedule is valid."""
    return review(instance, schedule).violations


def review(instance: Instance, schedule: Schedule, previous: Schedule | None = None) -> Report:
    """Violations and warnings; with `previous`, also that history is exactly as it recorded.

    What history excuses (an edit made after it happened) is a warning only where `previous`,
    the schedule this one was re-solved from, confirms that history: without it, a frozen
    moment alone would turn any violation into a warning.
    """
    report = Report(frozen_until=schedule.frozen_until)
    found = report.violations
    unconfirmed = " (history no earlier schedule confirms: check with --previous)"

    def bad(rule: str, message: str, history: bool = False) -> None:
        if history and previous is None:
            found.append(Violation(rule, message + unconfirmed))
        else:
            (report.warnings if history else found).append(Violation(rule, message))

    step = instance.event.slot_minutes
    meetings = {m.id: m for m in instance.meetings}
    people = {p.id: p for p in instance.participants}
    frozen = _moment(schedule.frozen_until)
    if schedule.frozen_until is not None and frozen is None:
        bad("history", f"frozen_until {schedule.frozen_until!r} is not a local date-time YYYY-MM-DDTHH:MM")
    since: dict[tuple[str, str], dt.datetime | None] = {}
    rooms_known = {
        spec.id if spec.count is None else f"{spec.id}-{k + 1}"
        for venue in instance.venues
        for spec in venue.rooms
        for k in range(spec.count or 1)
    }
    for c in schedule.cancelled:
        moment = _moment(c.from_)
        if c.from_ is not None and moment is None:
            bad("cancel", f"cancellation of {c.kind} {c.id}: 'from' {c.from_!r} is not YYYY-MM-DDTHH:MM")
        if (c.kind, c.id) in since:
            bad("cancel", f"{c.kind} {c.id} is cancelled twice; one cancellation, one moment")
        if c.kind == "room" and c.id not in rooms_known:
            bad("ids", f"cancelled room {c.id!r} is not in the instance")
        if moment is not None and (frozen is None or frozen < moment):
            # A cancellation is recorded at the frozen moment of its re-solve, which only grows.
            bad("history", f"cancellation of {c.kind} {c.id} counts from {c.from_}, after frozen_until")
        since[(c.kind, c.id)] = moment

    def has_moment(pid: str) -> bool:
        return since.get(("participant", pid)) is not None

    def cancelled_at(kind: str, ident: str, start: dt.datetime) -> bool:
        """Whether that cancellation was in force when a meeting starting at `start` began."""
        if (kind, ident) not in since:
            return False
        moment = since[(kind, ident)]
        return moment is None or moment <= start

    # Rooms, by their own expansion of `count`.
    room_home: dict[str, tuple[str, int]] = {}
    for each_venue in instance.venues:
        for spec in each_venue.rooms:
            names = [spec.id] if spec.count is None else [spec.id + "-" + str(k + 1) for k in range(spec.count)]
            for name in names:
                room_home[name] = (each_venue.id, spec.capacity)
    venues = {v.id: v for v in instance.venues}
    session_spans: dict[tuple[str, str], list[tuple[int, int]] | None] = {}

    # Every meeting exactly once.
    listed = Counter(
        [a.meeting for a in schedule.assignments]
        + [u.meeting for u in schedule.unscheduled]
        + [c.id for c in schedule.cancelled if c.kind == "meeting"]
    )
    happened = {a.meeting for a in schedule.assignments if _is_history(a, frozen)}
    for mid, times in listed.items():
        if mid not in meetings:
            # A request deleted after its meeting happened: the meeting stays, as history.
            gone = "was removed from the instance after it happened" if mid in happened else ""
            bad("ids", f"meeting {mid!r} {gone or 'is not in the instance'}", bool(gone))
        if times > 1:
            bad("9", f"meeting {mid} appears {times} times across assignments, unscheduled and cancelled")
    for mid in meetings:
        if mid not in listed:
            bad("ids", f"meeting {mid} is missing: it must be assigned, unscheduled or cancelled")

    # Real minute intervals, not grid ticks: a meeting off the grid must not slip between them.
    person_busy: dict[tuple[str, str], list[tuple[int, int, str]]] = defaultdict(list)
    room_busy: dict[tuple[str, str], list[tuple[int, int, str]]] = defaultdict(list)
    person_cities: dict[tuple[str, str], set[str]] = defaultdict(set)
    person_count: Counter[str] = Counter()
    history_count: Counter[str] = Counter()
    total_priority = 0
    past: set[str] = set()
    attended: list[tuple[Assignment, list[str], int, int, bool]] = []
    windows: Windows = {}

    for a in schedule.assignments:
        meeting = meetings.get(a.meeting)
        if meeting is None and not _is_history(a, frozen):
            continue  # reported above
        total_priority += meeting.priority if meeting is not None else 0
        requested = meeting.participants if meeting is not None else list(a.participants or [])
        label = f"meeting {a.meeting} ({a.date} {a.start}-{a.end}, {a.room})"
        begins = _start_of(a)
        start, end = _minutes(a.start), _minutes(a.end)
        if begins is None or start is None or end is None:
            bad("1", f"{label} has an unreadable date, start or end time")
            continue
        history = _is_history(a, frozen)
        if history:
            report.history += 1
            past.add(a.meeting)
        who = _attendees(a, requested, begins, history, cancelled_at, has_moment, bad, label, people)
        if cancelled_at("meeting", a.meeting, begins):
            bad("cancel", f"{label} is cancelled but still assigned")
        if len(who) < 2:
            bad("cancel", f"{label} has fewer than two participants left after cancellations", history)
        venue = venues.get(a.venue)
        if venue is None:
            bad("1", f"{label} is at unknown venue {a.venue!r}", history)
        else:
            if a.city != venue.city:
                bad("1", f"{label} says city {a.city} but venue {a.venue} is in {venue.city}", history)
            opening = _session_spans(venue, a.date, session_spans)
            if opening is None:
                bad("1", f"{label}: venue {a.venue} is not open on {a.date}", history)
            elif not any(lo <= start and end <= hi for lo, hi in opening):
                bad("1", f"{label} is not inside one session of {a.venue} on {a.date}", history)
        if meeting is not None and end - start != meeting.slots * step:
            bad("1", f"{label} lasts {end - start} min, not {meeting.slots} slot(s) of {step} min", history)
        if start % step:
            bad("1", f"{label} does not start on the {step}-minute grid", history)
        home = room_home.get(a.room)
        if home is None:
            bad("1", f"{label} is in unknown room {a.room!r}", history)
        else:
            if home[0] != a.venue:
                bad("1", f"{label}: room {a.room} belongs to venue {home[0]}, not {a.venue}", history)
            seats = len(who) + (a.interpreter is not None)
            if home[1] < seats:
                with_interpreter = " and an interpreter" if a.interpreter is not None else ""
                message = f"{label} has {len(who)} participants{with_interpreter} but room {a.room} holds {home[1]}"
                bad("2", message, history)
        if cancelled_at("room", a.room, begins):
            bad("cancel", f"{label} uses room {a.room}, closed by then")
        if meeting is not None and meeting.city is not None and a.city != meeting.city:
            bad("8", f"{label} must be in {meeting.city}, not {a.city}", history)
        room_busy[(a.room, a.date)].append((start, end, a.meeting))
        attended.append((a, who, start, end, history))
        for pid in who:
            person_count[pid] += 1
            if history:
                history_count[pid] += 1
            person_cities[(pid, a.date)].add(a.city)
            person_busy[(pid, a.date)].append((start, end, a.meeting))
            if pid in people and not _available(people[pid], step, a, start, end, windows):
                bad("5", f"{pid} is not available for {label} in {a.city}", history)

    for (room, date), spans in sorted(room_busy.items()):
        for t, mids in _overlaps(spans):
            bad("3", f"room {room} holds {len(mids)} meetings at once on {date} at {_clock(t)}: {', '.join(mids)}")
    for (pid, date), spans in sorted(person_busy.items()):
        for t, mids in _overlaps(spans):
            bad("4", f"{pid} is in {len(mids)} meetings at once on {date} at {_clock(t)}: {', '.join(mids)}")
    if instance.event.max_consecutive is not None:
        _breaks(instance.event.max_consecutive, step, person_busy, past, bad)
    for (pid, date), cities in sorted(person_cities.items()):
        if len(cities) > 1:
            bad("6", f"{pid} is in {len(cities)} cities on {date}: {', '.join(sorted(cities))}")
    for pid, count in sorted(person_count.items()):
        limit = people[pid].max_meetings if pid in people else None
        if limit is None or count <= limit:
            continue
        if count > max(limit, history_count[pid]):
            bad("7", f"{pid} attends {count} meetings, more than max_meetings {limit}")
        else:
            bad("7", f"{pid} attended {history_count[pid]} meetings before max_meetings became {limit}", True)
    _programme(instance, attended, report, bad)
    _interpreters(instance, attended, meetings, step, report, bad)
    _travel(instance, attended, bad)
    for c in schedule.cancelled:
        if c.kind == "participant" and c.id not in people:
            bad("ids", f"cancelled participant {c.id!r} is not in the instance")

    if schedule.objective != total_priority:
        bad(
            "objective", f"objective {schedule.objective} is not the total priority {total_priority} of the assignments"
        )
    if schedule.bound < schedule.objective:
        bad("objective", f"bound {schedule.bound} is below objective {schedule.objective}")
    if schedule.status == "OPTIMAL" and schedule.bound != schedule.objective:
        bad("objective", f"status OPTIMAL but bound {schedule.bound} differs from objective {schedule.objective}")
    if previous is not None:
        _same_history(instance, previous, schedule, frozen, bad)
    return report


Attended = list[tuple[Assignment, list[str], int, int, bool]]
"""Each assignment, who attended it, its start and end in minutes, and whether it is history."""


def _programme_attendees(instance: Instance) -> dict[str, set[str]]:
    """Programme item id -> participant ids, from the raw `attendees` field (`all` and filters:
    those with no availability given or an entry in the item's city that date)."""
    found: dict[str, set[str]] = {}
    for item in instance.programme:
        who = item.attendees
        if isinstance(who, list):
            found[item.id] = set(who)
            continue
        present = [
            p
            for p in instance.participants
            if p.available is None or (str(item.date), item.city) in {(str(w.date), w.city) for w in p.available}
        ]
        found[item.id] = {
            p.id
            for p in present
            if who == "all"
            or (
                (who.organisation is None or p.organisation == who.organisation)
                and (who.country is None or p.country == who.country)
            )
        }
    return found


def _programme(instance: Instance, attended: Attended, report: Report, bad: Complain) -> None:
    """No attendee of a programme item meets during it or its buffer (which may cross midnight),
    nor in another city that date (one city per date: they could not reach the item)."""
    if not instance.programme:
        return
    attendees = _programme_attendees(instance)
    held: dict[str, list[tuple[int, int, ProgrammeItem]]] = defaultdict(list)
    on_date: dict[tuple[str, str], list[ProgrammeItem]] = defaultdict(list)
    for item in instance.programme:
        day = item.date.toordinal() * 1440
        lo = day + (_minutes(item.start) or 0) - item.buffer_minutes
        span = (lo, day + (_minutes(item.end) or 0) + item.buffer_minutes, item)  # shared by every attendee
        for pid in attendees[item.id]:
            held[pid].append(span)
            on_date[(pid, item.date.isoformat())].append(item)
    longest: dict[str, int] = {}
    for pid, spans in held.items():
        spans.sort(key=lambda span: span[0])
        longest[pid] = max(hi - lo for lo, hi, _ in spans)
    for a, who, start, end, history in attended:
        day = dt.date.fromisoformat(a.date).toordinal() * 1440
        for pid in sorted(set(who)):
            spans = held.get(pid, [])
            # Only spans that begin less than the longest span before the meeting can reach it.
            first = bisect.bisect_right(spans, day + start - longest.get(pid, 0), key=lambda span: span[0])
            last = bisect.bisect_left(spans, day + end, key=lambda span: span[0])
            during = set()
            for _, hi, item in spans[first:last]:
                if hi > day + start:
                    during.add(item.id)
                    when = (
                        f"{item.start}-{item.end}"
                        if item.date.isoformat() == a.date
                        else f"{item.date} {item.start}-{item.end}"
                    )
                    buffer = f" with {item.buffer_minutes} min either side" if item.buffer_minutes else ""
                    message = (
                        f"{pid} has meeting {a.meeting} ({a.date} {a.start}-{a.end}) during programme item "
                        f"{item.id} ({item.title!r}, {when}{buffer})"
                    )
                    bad("programme", message, history)
            for item in on_date.get((pid, a.date), []):
                if item.city != a.city and item.id not in during:
                    message = (
                        f"{pid} meets in {a.city} on {a.date} ({a.meeting}) but attends {item.id} in {item.city} "
                        "that date (one city per date)"
                    )
                    bad("programme", message, history)


def _speaks(languages: list[str]) -> set[str]:
    return {lang.lower() for lang in languages}


def _interpreters(
    instance: Instance,
    attended: Attended,
    meetings: dict[str, Meeting],
    step: int,
    report: Report,
    bad: Complain,
) -> None:
    """A meeting whose attendees share no language has an interpreter who speaks a language of each;
    an interpreter sits in one meeting at a time, in one city per date, within their availability
    and max_meetings."""
    people = {p.id: p for p in instance.participants}
    interpreters = {i.id: i for i in instance.interpreters}
    busy: dict[tuple[str, str], list[tuple[int, int, str]]] = defaultdict(list)
    cities: dict[tuple[str, str], set[str]] = defaultdict(set)
    count: Counter[str] = Counter()
    history_count: Counter[str] = Counter()
    for a, who, start, end, history in attended:
        label = f"meeting {a.meeting} ({a.date} {a.start}-{a.end}, {a.room})"
        spoken = [_speaks(people[pid].languages) for pid in who if pid in people]
        common = set.intersection(*spoken) if spoken else set()
        needs = len(spoken) == len(who) and all(spoken) and not common
        if a.interpreter is None:
            if needs and interpreters:
                bad("interpreters", f"{label}: {', '.join(who)} share no language and no interpreter sits in", history)
            elif needs:
                report.notes.append(Violation("interpreters", f"{label}: no common language ({', '.join(who)})"))
            continue
        if not needs:
            bad("interpreters", f"{label} has interpreter {a.interpreter}, but its people share a language", history)
        interpreter = interpreters.get(a.interpreter)
        if interpreter is None:
            bad("interpreters", f"{label} names interpreter {a.interpreter!r}, who is not in the instance", history)
            continue
        named = meetings[a.meeting].interpreter if a.meeting in meetings else None
        if named is not None and named != a.interpreter:
            bad("interpreters", f"{label} asks for interpreter {named}, not {a.interpreter}", history)
        theirs = _speaks(interpreter.languages)
        for pid in who:
            if pid in people and people[pid].languages and not theirs & _speaks(people[pid].languages):
                bad("interpreters", f"interpreter {a.interpreter} speaks none of {pid}'s languages in {label}", history)
        if not _available(interpreter, step, a, start, end):
            bad("interpreters", f"interpreter {a.interpreter} is not available for {label} in {a.city}", history)
        busy[(a.interpreter, a.date)].append((start, end, a.meeting))
        cities[(a.interpreter, a.date)].add(a.city)
        count[a.interpreter] += 1
        history_count[a.interpreter] += history
    for (iid, date), spans in sorted(busy.items()):
        for t, mids in _overlaps(spans):
            bad(
                "interpreters",
                f"interpreter {iid} is in {len(mids)} meetings at once on {date} at {_clock(t)}: {', '.join(mids)}",
            )
    for (iid, date), where in sorted(cities.items()):
        if len(where) > 1:
            bad("interpreters", f"interpreter {iid} is in {len(where)} cities on {date}: {', '.join(sorted(where))}")
    for iid, n in sorted(count.items()):
        limit = interpreters[iid].max_meetings
        if limit is None or n <= limit:
            continue
        if n > max(limit, history_count[iid]):
            bad("interpreters", f"interpreter {iid} sits in {n} meetings, more than max_meetings {limit}")
        else:  # as rule 7: what happened before the cap was lowered stands
            message = f"interpreter {iid} sat in {history_count[iid]} meetings before max_meetings became {limit}"
            bad("interpreters", message, True)


def _travel(instance: Instance, attended: Attended, bad: Complain) -> None:
    """Between anyone's meeting (or programme item) in one city and a later one in another, at
    least the travel rule's hours pass.

    Per person, in time order: for each start, the latest span ended by then in each other city
    is the closest; if it leaves enough time, every earlier one does (so n log n, not n squared).
    """
    if not instance.travel:
        return
    need = {(rule.from_, rule.to): rule.min_hours * 60 for rule in instance.travel}
    Span = tuple[int, int, str, str, bool, bool]  # start, end, city, what, history, programme item
    spans: dict[str, list[Span]] = defaultdict(list)

    def moment(date: str, minutes: int) -> int:
        return dt.date.fromisoformat(date).toordinal() * 1440 + minutes

    for a, who, start, end, history in attended:
        what = f"meeting {a.meeting} ({a.date} {a.start}-{a.end})"
        span = (moment(a.date, start), moment(a.date, end), a.city, what, history, False)
        for pid in [*who, *([a.interpreter] if a.interpreter else [])]:
            spans[pid].append(span)
    attendees = _programme_attendees(instance)
    for item in instance.programme:
        date = item.date.isoformat()
        what = f"programme item {item.id} ({item.date} {item.start}-{item.end})"
        begins, ends = moment(date, _minutes(item.start) or 0), moment(date, _minutes(item.end) or 0)
        shared = (begins, ends, item.city, what, True, True)  # one tuple for every attendee
        for pid in attendees[item.id]:
            if pid in spans:
                spans[pid].append(shared)
    for pid, theirs in sorted(spans.items()):
        # Ends before starts at one moment: a span ending as another starts leaves 0 h between them.
        events = sorted(
            [(e, 0, k) for k, (_, e, *_) in enumerate(theirs)] + [(s, 1, k) for k, (s, *_) in enumerate(theirs)]
        )
        ended: dict[tuple[str, bool], Span] = {}  # (city, any span or meetings only) -> the latest ended there
        for _, starts, k in events:
            span = theirs[k]
            if not starts:
                ended[(span[2], True)] = span
                if not span[5]:
                    ended[(span[2], False)] = span
                continue
            s2, _, city2, what2, past2, item2 = span
            for (city1, any_kind), before in ended.items():
                gap = need.get((city1, city2))
                # Two programme items too close are the instance's own clash, not the schedule's:
                # the organiser is warned when the instance is read.
                if gap is None or any_kind == item2 or s2 - before[1] >= gap:
                    continue
                message = (
                    f"{pid} has {what2} in {city2} only {(s2 - before[1]) / 60:g} h after {before[3]} in {city1}: "
                    f"travel from {city1} to {city2} takes {gap / 60:g} h"
                )
                bad("travel", message, before[4] and past2)


def _breaks(
    limit: int, step: int, person_busy: dict[tuple[str, str], list[tuple[int, int, str]]], past: set[str], bad: Complain
) -> None:
    """Nobody has more than `limit` meeting slots in a row without a free slot (max_consecutive)."""
    for (pid, date), spans in sorted(person_busy.items()):
        runs: list[tuple[int, int, list[str]]] = []
        for start, end, mid in sorted(spans):
            if runs and start <= runs[-1][1]:
                first, last, mids = runs[-1]
                runs[-1] = (first, max(last, end), [*mids, mid])
            else:
                runs.append((start, end, [mid]))
        for first, last, mids in runs:
            if (last - first) // step > limit:
                message = (
                    f"{pid} has {(last - first) // step} meeting slots in a row on {date} from {_clock(first)} to "
                    f"{_clock(last)} ({', '.join(sorted(mids))}) without a break: max_consecutive is {limit}"
                )
                bad("breaks", message, all(m in past for m in mids))


def _attendees(
    a: Assignment,
    requested: list[str],
    begins: dt.datetime,
    history: bool,
    cancelled_at: CancelledAt,
    has_moment: Callable[[str], bool],
    bad: Complain,
    label: str,
    people: dict[str, Participant],
) -> list[str]:
    """Who attended, as the checker derives it, and any disagreement with what the file lists."""
    in_force = [p for p in requested if cancelled_at("participant", p, begins)]
    expected = [p for p in requested if p not in in_force]
    if a.participants is None:
        # Files written before assignments listed their people (and cancellations their moment):
        # there, history kept everyone a cancellation without a moment took out later.
        return [p for p in requested if p not in in_force or (history and not has_moment(p))]
    listed = list(a.participants)
    if len(set(listed)) != len(listed):
        bad("participants", f"{label} lists someone twice: {', '.join(listed)}")
    for pid in listed:
        if pid not in people:
            bad("participants", f"{label} lists {pid!r}, who is not in the instance", history)
        elif cancelled_at("participant", pid, begins):
            bad("cancel", f"{label} lists {pid}, who had cancelled before it began")
    if set(listed) != set(expected):
        message = f"{label} lists {', '.join(listed)}; the request less cancellations is {', '.join(expected)}"
        bad("participants", message, history)
    return [p for p in listed if p in people]


def _same_history(
    instance: Instance, previous: Schedule, schedule: Schedule, frozen: dt.datetime | None, bad: Complain
) -> None:
    """Everything before the frozen moment is exactly as `previous` had it; history only grows."""
    before = _moment(previous.frozen_until)
    if before is not None and (frozen is None or frozen < before):
        bad("history", f"frozen_until {schedule.frozen_until} is earlier than the previous {previous.frozen_until}")
    if frozen is None:
        return
    meetings = {m.id: m for m in instance.meetings}
    old = {a.meeting: a for a in previous.assignments if _is_history(a, frozen)}
    new = {a.meeting: a for a in schedule.assignments if _is_history(a, frozen)}
    where = f"before {schedule.frozen_until}"
    for mid, a in old.items():
        b = new.get(mid)
        if b is None:
            bad("history", f"meeting {mid} happened {where} ({a.date} {a.start}) but is no longer assigned")
            continue
        if (a.date, a.start, a.end, a.venue, a.room) != (b.date, b.start, b.end, b.venue, b.room):
            bad(
                "history",
                f"meeting {mid} happened {where} at {a.date} {a.start}-{a.end} {a.room}; "
                f"this schedule has it at {b.date} {b.start}-{b.end} {b.room}",
            )
        old_people = a.participants
        if old_people is None:
            old_people = _legacy_people(a, meetings.get(mid), previous)
        if b.participants is not None and set(b.participants) != set(old_people):
            bad("history", f"meeting {mid} happened {where} with {', '.join(old_people)}, not as now listed")
    for mid, b in new.items():
        if mid not in old:
            bad("history", f"meeting {mid} is listed {where} ({b.date} {b.start}) but did not happen then")
    kept = {(c.kind, c.id): c.from_ for c in schedule.cancelled}
    for c in previous.cancelled:
        if (c.kind, c.id) in kept and kept[(c.kind, c.id)] != c.from_:
            bad("history", f"cancellation of {c.kind} {c.id} counted from {c.from_}, now from {kept[(c.kind, c.id)]}")


def _legacy_people(a: Assignment, meeting: object, previous: Schedule) -> list[str]:
    """Who attended in a file that did not list people, by the rule `_attendees` applies: a
    cancellation with a moment counts from it; one without (older files) spared history."""
    requested = list(getattr(meeting, "participants", []))
    frozen = _moment(previous.frozen_until)
    begins = _start_of(a)
    history = frozen is not None and begins is not None and begins < frozen
    gone = set()
    for c in previous.cancelled:
        moment = _moment(c.from_)
        if c.kind == "participant" and (
            (moment is None and not history) or (moment is not None and begins is not None and moment <= begins)
        ):
            gone.add(c.id)
    return [p for p in requested if p not in gone]


def _is_history(a: Assignment, frozen: dt.datetime | None) -> bool:
    begins = _start_of(a)
    return frozen is not None and begins is not None and begins < frozen


def _overlaps(spans: list[tuple[int, int, str]]) -> list[tuple[int, list[str]]]:
    """Each moment a new meeting starts while others still run: (that minute, all running then)."""
    found = []
    running: list[tuple[int, int, str]] = []
    for start, end, mid in sorted(spans):
        running = [span for span in running if span[1] > start]
        if running:
            found.append((start, [m for _, _, m in running] + [mid]))
        running.append((start, end, mid))
    return found


def _clock(t: int) -> str:
    return f"{t // 60:02d}:{t % 60:02d}"


Windows = dict[tuple[str, str, str], list[tuple[int, int]]]
"""(person, date, city) -> their windows there in minutes, read once per review."""


def _available(
    person: Participant | Interpreter, step: int, a: Assignment, start: int, end: int, read: Windows | None = None
) -> bool:
    """Each slot of [start, end) lies inside one of the person's windows for that date and city."""
    if person.available is None:
        return True
    key = (person.id, a.date, a.city)
    windows = read.get(key) if read is not None else None
    if windows is None:
        windows = [
            ((_minutes(w.start) or 0) if w.start else 0, (_minutes(w.end) or 0) if w.end else 24 * 60)
            for w in person.available
            if w.date.isoformat() == a.date and w.city == a.city
        ]
        if read is not None:
            read[key] = windows
    return all(any(lo <= t and t + step <= hi for lo, hi in windows) for t in range(start, end, step))


def _session_spans(
    venue: Venue, date: str, read: dict[tuple[str, str], list[tuple[int, int]] | None]
) -> list[tuple[int, int]] | None:
    """The venue's sessions on that date in minutes (None: not open), read once per review."""
    key = (venue.id, date)
    if key not in read:
        day = next((d for d in venue.days if d.date.isoformat() == date), None)
        read[key] = None if day is None else [(_minutes(s.start) or 0, _minutes(s.end) or 0) for s in day.sessions]
    return read[key]
