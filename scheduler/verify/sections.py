"""The checker's rules for the optional sections: programme items (and buffers), interpreters,
travel rules between cities, and breaks (max_consecutive)."""

from __future__ import annotations

import bisect
import datetime as dt
from collections import Counter, defaultdict

from scheduler.model import Instance, Meeting, ProgrammeItem
from scheduler.verify.clock import _available, _clock, _minutes, _overlaps
from scheduler.verify.report import Attended, Complain, Report, Violation


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
