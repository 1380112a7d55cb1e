"""Why a request can have no place at all, from the instance alone: no session in its city or
long enough, no room large enough, programme items, its people's availability, no interpreter.
No schedule can change these; only an edit of the instance can (`cannot_at_all` says which)."""

from __future__ import annotations

import itertools
from dataclasses import replace
from typing import TYPE_CHECKING

from scheduler.explain_resources import LISTED, programme_holds
from scheduler.explanation import NO_COMMON_TIME, NO_INTERPRETER, NO_PLACE, NO_ROOM, PROGRAMME, Explanation
from scheduler.model import Meeting, Session

if TYPE_CHECKING:
    from scheduler.explain import Explainer


def no_place(explainer: Explainer, meeting: Meeting, people: list[str]) -> Explanation:
    """Why the request has no possible time at all, from the instance alone.

    Session length first, then room size, then whose availability: each test only over
    the sessions the earlier ones leave, so the sentence names what really stands in the way.
    """
    instance = explainer.instance
    size = len(people)
    length = meeting.slots * explainer.step
    sessions = [s for s in instance.sessions if meeting.city is None or s.city == meeting.city]
    where = f" in {meeting.city}" if meeting.city else ""
    if not sessions:
        return Explanation(meeting.id, NO_PLACE, f"The event has no session in {meeting.city}, where it must be.")
    long_enough = [s for s in sessions if s.end - s.start >= length]
    if not long_enough:
        longest = max(s.end - s.start for s in sessions)
        return Explanation(
            meeting.id, NO_PLACE, f"It lasts {length} min, longer than any session{where} (at most {longest} min)."
        )
    roomy = [s for s in long_enough if instance.largest_room[s.venue] >= size]
    if not roomy:
        biggest = max((r for s in long_enough for r in instance.venue_rooms[s.venue]), key=lambda r: r.capacity)
        among = "" if len(long_enough) == len(sessions) else f" in a session of {length} min or more"
        return Explanation(
            meeting.id,
            NO_ROOM,
            f"No room is large enough: it needs seats for {size} people and the largest room{where}{among} "
            f"({biggest.id} at {biggest.venue}) seats {biggest.capacity}.",
            [f"Its people: {explainer.names(people)}."],
        )
    details = (
        []
        if explainer.headlines_only
        else [f"{explainer.who(p)}: {_availability(explainer, p)}." for p in people[:LISTED]]
    )
    if len(people) > LISTED and not explainer.headlines_only:
        details.append(f"… and {len(people) - LISTED} more people.")
    held, free_times, ways = programme_holds(explainer, meeting, people, roomy)
    if held and not free_times:
        because = {
            "time": "one of them is at a programme item",
            "city": "a programme item keeps one of them in another city that date"
            + (" (one city per date)" if len(ways) > 1 else ""),
        }
        headline = (
            ("One city per date: " if ways == {"city"} else "At programme items: ")
            + "at every time its people are otherwise free together, "
            + " or ".join(because[w] for w in ("time", "city") if w in ways)
            + f": {held}."
        )
        return Explanation(meeting.id, PROGRAMME, headline, details)
    stretch = f" for {length} min at a stretch" if meeting.slots > 1 else ""
    alone = [p for p in people if not _has_time(explainer, meeting, [p], long_enough)]
    if alone:
        verb = "is" if len(alone) == 1 else "are"
        headline = f"No common availability: {explainer.names(alone)} {verb} not free{stretch} in any session{where}."
        return Explanation(meeting.id, NO_COMMON_TIME, headline, details)
    pairs = [p for p in itertools.combinations(people, 2) if not _has_time(explainer, meeting, list(p), long_enough)]
    if pairs:
        apart = "; ".join(f"{explainer.who(p)} and {explainer.who(q)}" for p, q in pairs[:LISTED])
        more = f"; and {len(pairs) - LISTED} more pairs" if len(pairs) > LISTED else ""
        headline = f"No common availability: {apart}{more} are never free at the same time and place{where}"
        return Explanation(meeting.id, NO_COMMON_TIME, headline + stretch + ".", details)
    if explainer.instance.interpreters and explainer.instance.needs_interpreter(people):
        missing = _no_interpreter(explainer, meeting, people, long_enough)
        if missing is not None:
            return missing
    together = [s for s in long_enough if _has_time(explainer, meeting, people, [s])]
    if together:
        largest = max(instance.largest_room[s.venue] for s in together)
        return Explanation(
            meeting.id,
            NO_ROOM,
            f"No room is large enough where they are all free: it needs seats for {size} people, and where "
            f"all {size} are free{stretch} the largest room seats {largest}.",
            details,
        )
    headline = f"No common availability: the {size} people are never all free at the same time{where}{stretch}."
    return Explanation(meeting.id, NO_COMMON_TIME, headline, details)


def cannot_at_all(found: Explanation) -> Explanation:
    """A reason from the instance alone: no schedule can hold it, so 'if it had to be scheduled'
    needs no solve: only an edit of the instance (what it names) can make room for it."""
    edit = {
        PROGRAMME: "its people's availability or the programme items' attendees",
        NO_COMMON_TIME: "its people's availability",
        NO_ROOM: "a larger room, or fewer people",
        NO_PLACE: "a longer session, or fewer slots",
        NO_INTERPRETER: "an interpreter who speaks a language of each side and is free when they are",
    }.get(found.kind, "the instance")
    sentence = (
        "It cannot be scheduled at all: moving or dropping other meetings cannot change that (no solve needed); "
        f"only an edit of the instance can ({edit})."
    )
    return replace(found, impossible=True, sentences=[sentence])


def _no_interpreter(
    explainer: Explainer, meeting: Meeting, people: list[str], sessions: list[Session]
) -> Explanation | None:
    """Why no interpreter can ever sit in: none speaks a language of each, or none is free when
    the people are (None when one could: the cause is elsewhere)."""
    spoken = "; ".join(f"{explainer.who(p)}: {', '.join(sorted(explainer.instance.languages_of(p)))}" for p in people)
    candidates = explainer.instance.interpreter_candidates(meeting, people)
    if meeting.interpreter is not None and meeting.interpreter not in explainer.instance.interpreter_by_id:
        candidates = []
    if not candidates:
        return Explanation(
            meeting.id,
            NO_INTERPRETER,
            f"No interpreter speaks a language of each of them ({spoken}).",
            [f"{i.name}: {', '.join(i.languages)}." for i in explainer.instance.interpreters[:LISTED]],
        )
    if any(_has_time(explainer, meeting, [*people, iid], sessions) for iid in candidates):
        return None
    named = " (the one the request names)" if meeting.interpreter is not None else ""
    return Explanation(
        meeting.id,
        NO_INTERPRETER,
        f"No interpreter who could sit in{named} is available when all its people are.",
        [f"{explainer.who(i)}: {_availability(explainer, i)}." for i in candidates[:LISTED]],
    )


def _has_time(explainer: Explainer, meeting: Meeting, people: list[str], sessions: list[Session]) -> bool:
    """Whether these people are all free for the meeting's length in one of the sessions."""
    for session in sessions:
        limits = [explainer.instance.free_ticks(p, session.date, session.city) for p in people]
        known = [free for free in limits if free is not None]
        common = frozenset.intersection(*known) if known else None
        if common is not None and not common:
            continue  # nobody's windows meet in this session: skip its slot starts
        for start in explainer.instance.slot_starts(session, meeting.slots):
            if all(
                explainer.instance.is_available(
                    p, session.date, session.city, start, start + meeting.slots * explainer.step
                )
                for p in people
            ):
                return True
    return False


def _availability(explainer: Explainer, pid: str) -> str:
    person = explainer.instance.participant_by_id.get(pid) or explainer.instance.interpreter_by_id[pid]
    if person.available is None:
        return "available at any time"
    if not person.available:
        return "available at no time"
    windows = [
        f"{w.date} {w.city} {w.start}-{w.end}" if w.start else f"{w.date} {w.city} all day"
        for w in sorted(person.available, key=lambda w: (w.date, w.start or ""))
    ]
    return "available only " + ", ".join(windows)
