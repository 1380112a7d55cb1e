"""The sentences for the event's scarce resources beyond rooms: which programme items take the
times a request's people share, and why each interpreter who could sit in cannot.

Read by `scheduler.explain` (what the schedule holds is its `occupancy`, `scheduler.occupancy`); plain Python.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from scheduler.changes import too_close_to_travel
from scheduler.model import Meeting, Option, ProgrammeItem, Session, to_minutes

if TYPE_CHECKING:
    from scheduler.explain import Explainer
    from scheduler.occupancy import Block

LISTED = 8
"""Sentences name at most this many people, pairs or items, then say how many more."""


@dataclass
class _Hold:
    """One programme item's hold on a request's people: at its time (or buffer), or by its city that date."""

    item: ProgrammeItem
    people: set[str] = field(default_factory=set)
    buffered: bool = False
    at_time: bool = False
    elsewhere: bool = False


def programme_holds(
    explainer: Explainer, meeting: Meeting, people: list[str], sessions: list[Session]
) -> tuple[str, bool, set[str]]:
    """The programme items that take times its people's `available` leave them together (in
    words, '' if none), whether some such time is free of every item, and how they hold them:
    "time" (at the item or its buffer), "city" (the item keeps someone in another city that date)."""
    instance, step = explainer.instance, explainer.step
    holds: dict[str, _Hold] = {}
    free_times = False
    for session in sessions:
        items_of = {pid: instance.programme_of.get((pid, session.date), []) for pid in people}
        if free_times and not any(items_of.values()):
            continue  # nothing on the programme for them that date, and a free time is already known
        windows = [w for p in people if (w := instance.window_ticks(p, session.date, session.city)) is not None]
        for start in instance.slot_starts(session, meeting.slots):
            end = start + meeting.slots * step
            if any(any(t not in w for t in range(start, end, step)) for w in windows):
                continue
            blocking = [
                (pid, item, item.city == session.city and not overlaps(item, start, end, 0))
                for pid in people
                for item in items_of[pid]
                if item.city != session.city or overlaps(item, start, end, item.buffer_minutes)
            ]
            free_times = free_times or not blocking
            for pid, item, by_buffer in blocking:
                hold = holds.setdefault(item.id, _Hold(item))
                hold.people.add(pid)
                hold.buffered = hold.buffered or by_buffer
                if item.city == session.city:
                    hold.at_time = True
                else:
                    hold.elsewhere = True
    phrases = []
    for hold in sorted(holds.values(), key=lambda h: (h.item.date, h.item.start, h.item.id)):
        item = hold.item
        names = explainer.names([p for p in people if p in hold.people])
        when = f"{item.date} {item.start}-{item.end}"
        if not hold.at_time:
            phrases.append(f"{item.named} ({when}) keeps {names} in {item.city} that date")
            continue
        where = f", in {item.city}" if any(s.city != item.city for s in sessions) else ""
        buffer = f", including its {item.buffer_minutes}-minute buffer" if hold.buffered else ""
        also = f", and in {item.city} that date" if hold.elsewhere else ""
        phrases.append(f"{item.named} ({when}{where}) holds {names}{buffer}{also}")
    if len(phrases) > LISTED:
        phrases = [*phrases[: LISTED - 1], f"{len(phrases) - LISTED + 1} more items"]
    ways = {"time" for h in holds.values() if h.at_time} | {"city" for h in holds.values() if h.elsewhere}
    return "; ".join(phrases), free_times, ways


def interpreters_taken(
    explainer: Explainer, meeting: Meeting, people: list[str], per_option: list[tuple[Option, list[Block]]]
) -> str:
    """Why each interpreter who could sit in cannot, in one sentence: max_meetings used up, or at
    the times its people are free (all its times where they never are), in other meetings, in
    another city, or not available."""
    own = {"busy", "elsewhere", "breaks", "travel"}
    free = [o for o, found in per_option if not any(b.what in own and b.person in people for b in found)]
    times = free or [o for o, _ in per_option]
    spoken = frozenset().union(*(explainer.instance.languages_of(p) for p in people))
    candidates = explainer.instance.interpreter_candidates(meeting, people)

    def name(iid: str) -> str:
        return explainer.instance.interpreter_by_id[iid].name

    reasons = []
    for iid in candidates:
        used = [m for m in explainer.occupancy.held[iid] if m != meeting.id]
        cap = explainer.instance.interpreter_by_id[iid].max_meetings
        if cap is not None and len(used) >= cap:
            if len(used) > cap:  # history before an edit lowered the cap: it stands, no more are given
                reasons.append(
                    f"{name(iid)} already interprets {plural(len(used), 'meeting')}, " + explainer.beyond_cap(used, cap)
                )
            else:
                reasons.append(
                    f"{name(iid)} already interprets {plural(len(used), 'meeting')}, as many as max_meetings allows"
                    if cap
                    else f"{name(iid)} may interpret none (max_meetings 0)"
                )
            continue
        busy: set[str] = set()
        away: dict[str, str] = {}
        unavailable = False
        travelling = ""
        for o in times:
            date = o.date.isoformat()
            cities = [c for c in explainer.occupancy.cities.get((iid, date), {}) if c != o.city]
            if cities:
                away[date] = cities[0]
            elif not explainer.instance.is_available(iid, o.date, o.city, o.start, o.end):
                unavailable = True
            else:
                held = {
                    m for t in explainer.occupancy.ticks(o) if (m := explainer.occupancy.person_at.get((iid, date, t)))
                } - {meeting.id}
                busy.update(held)
                span = (
                    None
                    if held or travelling
                    else explainer.occupancy.travel_clock.too_close(iid, o, ignore=meeting.id)
                )
                if span is not None:
                    rules = explainer.occupancy.travel_clock.rules
                    travelling = too_close_to_travel(explainer.instance, name(iid), o, span, rules)
        parts = []
        if busy:
            ordered = sorted(
                busy, key=lambda m: (explainer.occupancy.by_id[m].date, explainer.occupancy.by_id[m].start, m)
            )
            named = [
                f"{m} ({explainer.occupancy.by_id[m].date} {explainer.occupancy.by_id[m].start})" for m in ordered[:2]
            ]
            more = f" and {len(ordered) - 2} more" if len(ordered) > 2 else ""
            parts.append(f"in other meetings ({', '.join(named)}{more})")
        parts += [f"in {city} on {date}" for date, city in sorted(away.items())]
        if unavailable:
            parts.append("not available")
        if travelling:
            parts.append(f"too close to its meetings in another city under the travel rules (for one, {travelling})")
        when = "time its people are free" if free else "time it could have"
        if parts == ["not available"]:
            reasons.append(f"{name(iid)} is not available at any {when}")
        elif not parts:  # (never: the block says each is held then) no reason of theirs to give
            reasons.append(f"{name(iid)} is not free at every {when}")
        elif len(parts) == 1:
            reasons.append(f"{name(iid)} is {parts[0]} at every {when}")
        else:
            reasons.append(f"{name(iid)} is {', '.join(parts[:-1])} or {parts[-1]} at each {when}")
    who = [f"{name(i)} ({', '.join(sorted(explainer.instance.languages_of(i) & spoken))})" for i in candidates[:LISTED]]
    if len(candidates) > LISTED:
        who.append(f"{len(candidates) - LISTED} more")
    verb = "speaks" if len(candidates) == 1 else "speak"
    headline = (
        f"No interpreter free: {and_join(who)} {verb} a language of each of its people, and "
        f"{'none can' if len(candidates) > 1 else 'cannot'} sit in: {'; '.join(reasons[:LISTED])}"
        + (f"; and {len(reasons) - LISTED} more" if len(reasons) > LISTED else "")
        + "."
    )
    return headline


def overlaps(item: ProgrammeItem, start: int, end: int, buffer: int) -> bool:
    """Whether [start, end) meets the item widened by `buffer` minutes each side."""
    return start < to_minutes(item.end) + buffer and to_minutes(item.start) - buffer < end


def plural(count: int, noun: str) -> str:
    """'1 meeting', '8 meetings'."""
    return f"{count} {noun}" + ("" if count == 1 else "s")


def and_join(items: list[str]) -> str:
    """'a', 'a and b', 'a, b and c'."""
    if len(items) <= 1:
        return "".join(items)
    return ", ".join(items[:-1]) + " and " + items[-1]
