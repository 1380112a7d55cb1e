"""Why a request is where it is, or why it is not scheduled, in sentences an organiser can repeat.

The reasons are read from the instance and the schedule: whose availability rules a time
out, which meeting holds a person or a room then, whose `max_meetings` is used up and by
what, who is in another city that day. What forcing an unscheduled request in would cost
comes from a solve with it required (`scheduler.forcing`); only that solve loads OR-Tools,
and only when asked for.
"""

from __future__ import annotations

import itertools
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING

from scheduler.explain_resources import LISTED, and_join, interpreters_taken, programme_holds
from scheduler.model import Instance, Meeting, Option, Session, to_clock
from scheduler.occupancy import Block, Occupancy, name_of
from scheduler.solution import Schedule

if TYPE_CHECKING:
    from scheduler.forcing import Forced

CANCELLED = "cancelled"
NO_PLACE = "no session fits it"
NO_ROOM = "no room large enough"
NO_COMMON_TIME = "no common availability"
FROZEN = "only before the frozen time"
MAX_MEETINGS = "max_meetings reached"
ONE_CITY = "one city per date"
LOST = "lost to higher-priority meetings"
TAKEN = "its times are taken"
BREAKS = "a break is due"
FITS = "a place is free"
NO_INTERPRETER = "no interpreter free"
PROGRAMME = "at programme items"
TRAVEL = "no time to travel"
SCHEDULED = "scheduled"
KINDS = (
    CANCELLED,
    NO_PLACE,
    NO_ROOM,
    NO_COMMON_TIME,
    PROGRAMME,
    FROZEN,
    MAX_MEETINGS,
    ONE_CITY,
    LOST,
    TAKEN,
    BREAKS,
    NO_INTERPRETER,
    TRAVEL,
    FITS,
)
"""Why a request is unscheduled, from the request alone (first six) to the schedule around it."""


@dataclass(frozen=True)
class Explanation:
    meeting: str
    kind: str
    headline: str
    """One sentence: the reason, or where the meeting is."""
    details: list[str] = field(default_factory=list)
    forced: Forced | None = None
    sentences: list[str] = field(default_factory=list)
    """The forced solve's outcome in words (empty when not solved)."""
    promised: list[str] = field(default_factory=list)
    """Its people given fewer meetings than their min_meetings promised, in words."""
    impossible: bool = False
    """No schedule can hold it whatever the other meetings do (the instance alone rules it out)."""

    @property
    def in_short(self) -> str:
        """The headline and any broken promise: what a timetable or a schedule file says."""
        return " ".join([self.headline, *self.promised])


class Explainer:
    """A request's reason in words, read from the instance and the schedule's occupancy."""

    def __init__(self, instance: Instance, schedule: Schedule, headlines_only: bool = False) -> None:
        self.instance = instance
        self.schedule = schedule
        self.headlines_only = headlines_only
        """Leave out the details: a schedule file or a count keeps only kind and headline (`in_short`)."""
        self.step = instance.event.slot_minutes
        self.occupancy = Occupancy(instance, schedule)
        self._programme_people: set[str] | None = None

    def beyond_cap(self, held: list[str], cap: int) -> str:
        """Words for more meetings held than max_meetings allows: history from before an edit
        lowered it (a re-solve gives no more), said with how many had happened."""
        happened = sum(1 for m in held if m in self.occupancy.history)
        return (
            f"more than max_meetings {cap} allows now ({happened} happened before "
            f"{self.schedule.frozen_until}: they stand as history, and no more are given)"
        )

    # ---- words ----

    def who(self, pid: str) -> str:
        return self.instance.who(pid)

    def names(self, pids: Iterable[str]) -> str:
        """Names joined with 'and'; a long list named in part ('… and 92 others')."""
        names = [self.who(p) for p in pids]
        if len(names) > LISTED:
            names = [*names[: LISTED - 1], f"{len(names) - LISTED + 1} others"]
        return and_join(names)

    # ---- the request alone ----

    def request_people(self, meeting: Meeting) -> list[str]:
        """The request's people less those cancelled."""
        return [p for p in meeting.participants if p not in self.occupancy.gone_people]

    def options(self, meeting: Meeting) -> list[Option]:
        """Where the request could go by the instance alone (people, rooms, availability)."""
        return self.instance.meeting_options(meeting.with_participants(self.request_people(meeting)))

    def open_options(self, meeting: Meeting) -> list[Option]:
        frozen = self.schedule.frozen_until
        options = self.options(meeting)
        if frozen is None:
            return options
        return [o for o in options if f"{o.date.isoformat()}T{to_clock(o.start)}" >= frozen[:16]]

    def _no_place(self, meeting: Meeting, people: list[str]) -> Explanation:
        """Why the request has no possible time at all, from the instance alone.

        Session length first, then room size, then whose availability: each test only over
        the sessions the earlier ones leave, so the sentence names what really stands in the way.
        """
        instance = self.instance
        size = len(people)
        length = meeting.slots * self.step
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
                [f"Its people: {self.names(people)}."],
            )
        details = [] if self.headlines_only else [f"{self.who(p)}: {self._availability(p)}." for p in people[:LISTED]]
        if len(people) > LISTED and not self.headlines_only:
            details.append(f"… and {len(people) - LISTED} more people.")
        held, free_times, ways = programme_holds(self, meeting, people, roomy)
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
        alone = [p for p in people if not self._has_time(meeting, [p], long_enough)]
        if alone:
            verb = "is" if len(alone) == 1 else "are"
            headline = f"No common availability: {self.names(alone)} {verb} not free{stretch} in any session{where}."
            return Explanation(meeting.id, NO_COMMON_TIME, headline, details)
        pairs = [p for p in itertools.combinations(people, 2) if not self._has_time(meeting, list(p), long_enough)]
        if pairs:
            apart = "; ".join(f"{self.who(p)} and {self.who(q)}" for p, q in pairs[:LISTED])
            more = f"; and {len(pairs) - LISTED} more pairs" if len(pairs) > LISTED else ""
            headline = f"No common availability: {apart}{more} are never free at the same time and place{where}"
            return Explanation(meeting.id, NO_COMMON_TIME, headline + stretch + ".", details)
        if self.instance.interpreters and self.instance.needs_interpreter(people):
            missing = self._no_interpreter(meeting, people, long_enough)
            if missing is not None:
                return missing
        together = [s for s in long_enough if self._has_time(meeting, people, [s])]
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

    def _cannot_at_all(self, found: Explanation) -> Explanation:
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

    def _no_interpreter(self, meeting: Meeting, people: list[str], sessions: list[Session]) -> Explanation | None:
        """Why no interpreter can ever sit in: none speaks a language of each, or none is free when
        the people are (None when one could: the cause is elsewhere)."""
        spoken = "; ".join(f"{self.who(p)}: {', '.join(sorted(self.instance.languages_of(p)))}" for p in people)
        candidates = self.instance.interpreter_candidates(meeting, people)
        if meeting.interpreter is not None and meeting.interpreter not in self.instance.interpreter_by_id:
            candidates = []
        if not candidates:
            return Explanation(
                meeting.id,
                NO_INTERPRETER,
                f"No interpreter speaks a language of each of them ({spoken}).",
                [f"{i.name}: {', '.join(i.languages)}." for i in self.instance.interpreters[:LISTED]],
            )
        if any(self._has_time(meeting, [*people, iid], sessions) for iid in candidates):
            return None
        named = " (the one the request names)" if meeting.interpreter is not None else ""
        return Explanation(
            meeting.id,
            NO_INTERPRETER,
            f"No interpreter who could sit in{named} is available when all its people are.",
            [f"{self.who(i)}: {self._availability(i)}." for i in candidates[:LISTED]],
        )

    def _has_time(self, meeting: Meeting, people: list[str], sessions: list[Session]) -> bool:
        """Whether these people are all free for the meeting's length in one of the sessions."""
        for session in sessions:
            limits = [self.instance.free_ticks(p, session.date, session.city) for p in people]
            known = [free for free in limits if free is not None]
            common = frozenset.intersection(*known) if known else None
            if common is not None and not common:
                continue  # nobody's windows meet in this session: skip its slot starts
            for start in self.instance.slot_starts(session, meeting.slots):
                if all(
                    self.instance.is_available(p, session.date, session.city, start, start + meeting.slots * self.step)
                    for p in people
                ):
                    return True
        return False

    def _availability(self, pid: str) -> str:
        person = self.instance.participant_by_id.get(pid) or self.instance.interpreter_by_id[pid]
        if person.available is None:
            return "available at any time"
        if not person.available:
            return "available at no time"
        windows = [
            f"{w.date} {w.city} {w.start}-{w.end}" if w.start else f"{w.date} {w.city} all day"
            for w in sorted(person.available, key=lambda w: (w.date, w.start or ""))
        ]
        return "available only " + ", ".join(windows)

    # ---- the schedule around it ----

    def explain(self, mid: str) -> Explanation:
        """The reason in words, without solving: where it is, or why it is not scheduled."""
        if mid not in self.instance.meeting_by_id and mid in self.occupancy.by_id:
            return self._deleted(mid)
        found = self._explain(mid)
        short = self.short_of_promise(mid) if found.kind != SCHEDULED else []
        return replace(found, promised=short) if short else found

    def short_of_promise(self, mid: str) -> list[str]:
        """A sentence per person of the request who has fewer meetings than min_meetings promised."""
        lines = []
        for pid in self.request_people(self.instance.meeting_by_id[mid]):
            person = self.instance.participant_by_id[pid]
            if person.min_meetings is not None and len(self.occupancy.held[pid]) < person.min_meetings:
                lines.append(
                    f"{self.who(pid)} was promised {person.min_meetings} meeting(s) (min_meetings) and has "
                    f"{len(self.occupancy.held[pid])}."
                )
        return lines

    def _explain(self, mid: str) -> Explanation:
        """The reason in words, without solving: where it is, or why it is not scheduled."""
        meeting = self.instance.meeting_by_id[mid]
        meetings_of = self.occupancy.held
        if mid in self.occupancy.by_id:
            return self._scheduled(meeting)
        people = self.request_people(meeting)
        if mid in self.occupancy.cancelled_meetings or len(people) < 2:
            gone = [p for p in meeting.participants if p in self.occupancy.gone_people]
            why = (
                f"Cancelled: {self.names(gone)} can no longer attend, which leaves fewer than two people."
                if len(people) < 2
                else "The meeting was cancelled."
            )
            return Explanation(mid, CANCELLED, why)
        if not self.options(meeting):
            return self._cannot_at_all(self._no_place(meeting, people))
        options = self.open_options(meeting)
        if not options:
            return Explanation(
                mid,
                FROZEN,
                f"Every time its people share is before the frozen time {self.schedule.frozen_until}: "
                "that part of the event has happened.",
            )
        full = []
        for pid in people:
            cap = self.instance.participant_by_id[pid].max_meetings
            if cap is not None and len(meetings_of[pid]) >= cap:
                full.append((pid, cap))
        if full:
            details = [
                f"{self.who(pid)} may have at most {cap} meeting(s) and has: "
                + ", ".join(self.brief(m, pid) for m in meetings_of[pid])
                + "."
                if cap
                else f"{self.who(pid)} may have no meetings at all (max_meetings 0)."
                for pid, cap in ([] if self.headlines_only else full)
            ]
            reached = "; ".join(
                f"{self.who(pid)} already has {len(meetings_of[pid])}, {self.beyond_cap(meetings_of[pid], cap)}"
                if len(meetings_of[pid]) > cap
                else f"{self.who(pid)} already has {cap}, the most allowed"
                if cap
                else f"{self.who(pid)} may have none"
                for pid, cap in full
            )
            return Explanation(mid, MAX_MEETINGS, f"max_meetings reached: {reached}.", details)
        seated = [o for o in options if self.occupancy.open_room(o.venue, len(people))]
        if not seated:
            closed = sorted(
                r.id
                for o in options
                for r in self.instance.venue_rooms[o.venue]
                if r.capacity >= len(people) and r.id in self.occupancy.closed_rooms
            )
            return Explanation(
                mid,
                NO_ROOM,
                f"No room large enough is open: it needs seats for {len(people)} and "
                f"{and_join(sorted(set(closed)))} {'was' if len(set(closed)) == 1 else 'were'} closed.",
            )
        per_option = [(o, self.occupancy.blocks(meeting, people, o)) for o in seated]
        free = [o for o, found in per_option if not found]
        if free:
            return Explanation(
                mid,
                FITS,
                f"A place is free for it now ({_spans(free, self.step)}): the solve did not reach it "
                "(the schedule is not proven optimal) or the schedule changed since.",
            )
        details = [] if self.headlines_only else self._block_lines(per_option)
        if not self.headlines_only and self._on_programme(people):
            sessions = [s for s in self.instance.sessions if meeting.city is None or s.city == meeting.city]
            if held := programme_holds(self, meeting, people, sessions)[0]:
                details.append(f"At the other times they are otherwise free together: {held}.")
        # Its own people's travel before the interpreter's: with no time to travel, no interpreter helps.
        if all(any(b.what == "travel" for b in found) for _, found in per_option):
            fixed = all(any(b.what == "travel" and not b.meetings for b in found) for _, found in per_option)
            first = next(
                b.why for _, found in per_option for b in found if b.what == "travel" and (not fixed or not b.meetings)
            )
            headline = (
                "No time to travel: it cannot happen at all. At every time its people are free, a programme item "
                "holds one of them in another city too close to it under the travel rules, and no change of "
                f"meetings can move a programme item; for one, {first}."
                if fixed
                else "No time to travel: at every time its people are free, a travel rule leaves one of them too "
                f"little time to come from or go on to another city; for one, {first}."
            )
            return Explanation(mid, TRAVEL, headline, details, impossible=fixed)
        if all(any(b.what == "interpreter" for b in found) for _, found in per_option):
            return Explanation(mid, NO_INTERPRETER, interpreters_taken(self, meeting, people, per_option), details)
        rested = [(o, found) for o, found in per_option if all(b.what == "breaks" for b in found)]
        if rested:
            limit = self.instance.event.max_consecutive
            tired = sorted({b.person for _, found in rested for b in found if b.person is not None})
            verb = "would" if len(tired) == 1 else "would each"
            return Explanation(
                mid,
                BREAKS,
                f"A break is due: at {_spans([o for o, _ in rested], self.step)} its people are free, but "
                f"{self.names(tired)} {verb} then have more than {limit} meeting slots in a row "
                "(the event's max_consecutive).",
                details,
            )
        if all(any(b.what == "elsewhere" for b in found) for _, found in per_option):
            return Explanation(
                mid,
                ONE_CITY,
                "One city per date: on every date it could happen, one of its people is in another city "
                "for other meetings.",
                details,
            )
        blockers = {m for _, found in per_option for b in found if b.what in ("busy", "rooms") for m in b.meetings}
        # On some dates one of its people is in another city for other meetings (not on all: that
        # is one city per date, above): those meetings hold it off as much, and count alike.
        away = {m for _, found in per_option for b in found if b.what == "elsewhere" for m in b.meetings}
        blockers |= away
        if blockers and blockers <= self.occupancy.history:
            return Explanation(
                mid,
                TAKEN,
                f"Its times are held by meetings that have already started ({', '.join(sorted(blockers))}): "
                "what happened cannot move.",
                details,
            )
        known = self.instance.meeting_by_id  # (a history meeting whose request was deleted counts 0)
        lower = sorted(
            m for m in blockers - self.occupancy.history if (known[m].priority if m in known else 0) < meeting.priority
        )
        if lower or not blockers:
            headline = "Its times are all taken by other meetings or full rooms."
            if lower:
                headline = (
                    f"Its times are all taken by other meetings, some of lower priority than its {meeting.priority} "
                    f"({', '.join(lower)}): making room for it moves or drops others."
                )
            return Explanation(mid, TAKEN, headline, details)
        where = " (on some dates in another city)" if away else ""
        return Explanation(
            mid,
            LOST,
            f"Lost to meetings of equal or higher priority: at every time its people are free, they{where} or "
            f"every room large enough are in meetings of priority {meeting.priority} or more "
            f"({len(blockers)} meeting(s) in all).",
            details,
        )

    def _on_programme(self, people: list[str]) -> bool:
        """Whether a programme item holds any of them on some date (none: nothing to name, and at
        60,000 requests without a programme, looking took 2.7 s of a re-solve's reasons)."""
        if self._programme_people is None:
            self._programme_people = {pid for pid, _ in self.instance.programme_of}
        return any(pid in self._programme_people for pid in people)

    def _block_lines(self, per_option: list[tuple[Option, list[Block]]]) -> list[str]:
        """Per person, the meetings that hold them (or the city they are in); then the full rooms."""
        busy: dict[str, set[str]] = defaultdict(set)
        away: dict[tuple[str, str], set[str]] = defaultdict(set)
        tired: dict[str, list[Option]] = defaultdict(list)
        full: list[Option] = []
        interpreting: set[str] = set()
        travelling: set[str] = set()
        holders: set[str] = set()
        for option, found in per_option:
            for b in found:
                if b.what == "busy" and b.person is not None:
                    busy[b.person].update(b.meetings)
                elif b.what == "elsewhere" and b.person is not None:
                    away[(b.person, option.date.isoformat())].update(b.meetings)
                elif b.what == "breaks" and b.person is not None:
                    tired[b.person].append(option)
                elif b.what == "interpreter":
                    interpreting.update(b.meetings)
                elif b.what == "travel":
                    travelling.add(b.why)
                else:
                    full.append(option)
                    holders.update(b.meetings)
        by_id = self.occupancy.by_id
        lines = []
        for (pid, date), mids in sorted(away.items(), key=lambda kv: (kv[0][1], kv[0][0])):
            city = by_id[min(mids)].city
            lines.append(
                f"On {date} {self.who(pid)} is in {city} for "
                + ", ".join(self.brief(m, pid) for m in sorted(mids))
                + "."
            )
        for pid, mids in busy.items():
            ordered = sorted(mids, key=lambda m: (by_id[m].date, by_id[m].start))
            lines.append(f"{self.who(pid)} is then in " + ", ".join(self.brief(m, pid) for m in ordered) + ".")
        limit = self.instance.event.max_consecutive
        for pid, options in tired.items():
            lines.append(
                f"{self.who(pid)} would have more than {limit} meeting slots in a row without a break at "
                f"{_spans(options, self.step)}."
            )
        if full:
            line = f"Every room large enough is taken or closed at {_spans(full, self.step)}"
            ordered = sorted(holders, key=lambda m: (by_id[m].date, by_id[m].start, m))
            lines.append(line + (", by " + "; ".join(self.brief(m) for m in ordered) if ordered else "") + ".")
        if interpreting:
            ordered = sorted(interpreting, key=lambda m: (by_id[m].date, by_id[m].start, m))
            more = f" and {len(ordered) - LISTED} more meetings" if len(ordered) > LISTED else ""
            lines.append(
                "The interpreters who could sit in are then in "
                + ", ".join(self.brief(m) for m in ordered[:LISTED])
                + more
                + "."
            )
        for why in sorted(travelling)[:LISTED]:
            lines.append(why[0].upper() + why[1:] + ".")
        if len(travelling) > LISTED:
            lines.append(f"… and {len(travelling) - LISTED} more times too close to travel.")
        return lines

    def brief(self, mid: str, pid: str | None = None) -> str:
        """'r7 (priority 3, 2025-11-13 10:00, with Zhou Lei)': the others than `pid`, by name."""
        a = self.occupancy.by_id[mid]
        others = [name_of(self.instance, p) for p in self.occupancy.people.get(mid, []) if p != pid]
        known = self.instance.meeting_by_id.get(mid)
        priority = f"priority {known.priority}" if known is not None else "request deleted"
        return f"{mid} ({priority}, {a.date} {a.start}, with {and_join(others)})"

    def _scheduled(self, meeting: Meeting) -> Explanation:
        a = self.occupancy.by_id[meeting.id]
        people = self.occupancy.people[meeting.id]
        headline = f"Scheduled {a.date} {a.start}-{a.end} in {a.city}, {a.venue}, room {a.room}."
        if meeting.id in self.occupancy.history:
            return Explanation(
                meeting.id,
                SCHEDULED,
                headline,
                [f"It started before the frozen time {self.schedule.frozen_until}: it happened as it stands."],
            )
        options = self.open_options(meeting)
        details = [f"Its {len(people)} people ({self.names(people)}) are all free at: {_spans(options, self.step)}."]
        room = self.instance.room_by_id.get(a.room)
        rooms = self.instance.venue_rooms.get(a.venue, [])
        if a.interpreter is not None:
            details.append(f"{self.who(a.interpreter)} interprets (its people share no language).")
        if room is not None:
            seats = len(people) + (a.interpreter is not None)
            with_interpreter = " with the interpreter" if a.interpreter is not None else ""
            smallest = min((r.capacity for r in rooms if r.capacity >= seats), default=room.capacity)
            details.append(
                f"It needs seats for {seats}{with_interpreter}: room {a.room} seats {room.capacity} "
                f"(the smallest large enough at {a.venue} seats {smallest})."
            )
        others = [
            (o, self.occupancy.blocks(meeting, people, o))
            for o in options
            if not (o.date.isoformat() == a.date and to_clock(o.start) == a.start and o.venue == a.venue)
        ]
        details += ["At other times it could have had, " + _sentence_inside(line) for line in self._block_lines(others)]
        free = [o for o, found in others if not found]
        if free:
            details.append(f"Also free, and as good for total priority: {_spans(free, self.step)}.")
        return Explanation(meeting.id, SCHEDULED, headline, details)

    def _deleted(self, mid: str) -> Explanation:
        """A meeting the schedule holds whose request is no longer in the instance."""
        a = self.occupancy.by_id[mid]
        kept = "kept as history: it had already started" if mid in self.occupancy.history else "still in this schedule"
        return Explanation(
            mid,
            SCHEDULED,
            f"Scheduled {a.date} {a.start}-{a.end} in {a.city}, {a.venue}, room {a.room}; its request is no "
            f"longer in the instance ({kept}).",
            [f"Its people: {self.names(self.occupancy.people.get(mid, []))}."],
        )

    # ---- forcing it in (scheduler.forcing; loads OR-Tools) ----

    def force(self, mid: str, time_limit: float = 20.0, workers: int = 2, seed: int = 0) -> Explanation:
        """`explain`, plus what a solve with the meeting required does: drops, moves, priority."""
        from scheduler.forcing import force

        return force(self, mid, time_limit, workers, seed)

    def priority(self, mids: Iterable[str]) -> int:
        """Total priority; a meeting kept as history after its request was deleted counts 0."""
        known = self.instance.meeting_by_id
        return sum(known[m].priority for m in mids if m in known)


def _sentence_inside(line: str) -> str:
    """A sentence continued after a comma: 'The travel rule ...' -> 'the travel rule ...' (a
    sentence that starts with a name or an id keeps its capital)."""
    first = line.split(" ", 1)[0]
    return line[0].lower() + line[1:] if first in ("The", "Every", "On") else line


def _spans(options: list[Option], step: int) -> str:
    """Start times as runs per date and city: '2025-11-13 Beijing 09:00-10:30, 14:00-14:30'."""
    by_day: dict[tuple[str, str], list[Option]] = defaultdict(list)
    for o in sorted(options, key=lambda o: (o.date, o.city, o.start)):
        by_day[(o.date.isoformat(), o.city)].append(o)
    parts = []
    for (date, city), day in by_day.items():
        runs: list[list[int]] = []
        for o in day:
            if runs and o.start <= runs[-1][1]:
                runs[-1][1] = max(runs[-1][1], o.end)
            else:
                runs.append([o.start, o.end])
        parts.append(f"{date} {city} " + ", ".join(f"{to_clock(a)}-{to_clock(b)}" for a, b in runs))
    return "; ".join(parts)
