"""Why a request is where it is, or why it is not scheduled, in sentences an organiser can repeat.

The reasons are read from the instance and the schedule: whose availability rules a time
out, which meeting holds a person or a room then, whose `max_meetings` is used up and by
what, who is in another city that day. What forcing an unscheduled request in would cost
comes from a solve with it required (`scheduler.forcing`); only that solve loads OR-Tools,
and only when asked for.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import replace

from scheduler.changes import name_of
from scheduler.explain_instance import cannot_at_all, no_place
from scheduler.explain_resources import LISTED, and_join, interpreters_taken, programme_holds
from scheduler.explanation import (
    BREAKS,
    CANCELLED,
    FITS,
    FROZEN,
    LOST,
    MAX_MEETINGS,
    NO_INTERPRETER,
    NO_ROOM,
    ONE_CITY,
    SCHEDULED,
    TAKEN,
    TRAVEL,
    Explanation,
)
from scheduler.model import Instance, Meeting, Option, to_clock
from scheduler.occupancy import Block, Occupancy
from scheduler.solution import Schedule


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
            return cannot_at_all(no_place(self, meeting, people))
        options = self.open_options(meeting)
        if not options:
            return Explanation(
                mid,
                FROZEN,
                f"Every time its people share is before the frozen time {self.schedule.frozen_until}: "
                "that part of the event has happened.",
            )
        if (reached := self._max_meetings_reached(meeting, people)) is not None:
            return reached
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
        return self._held_at_every_time(meeting, people, seated)

    def _max_meetings_reached(self, meeting: Meeting, people: list[str]) -> Explanation | None:
        """One of its people already has max_meetings (None if nobody does): said before any time."""
        meetings_of = self.occupancy.held
        full = []
        for pid in people:
            cap = self.instance.participant_by_id[pid].max_meetings
            if cap is not None and len(meetings_of[pid]) >= cap:
                full.append((pid, cap))
        if not full:
            return None
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
        return Explanation(meeting.id, MAX_MEETINGS, f"max_meetings reached: {reached}.", details)

    def _held_at_every_time(self, meeting: Meeting, people: list[str], seated: list[Option]) -> Explanation:
        """What keeps each time it could have (a room seats it there) from it, said as one kind:
        a free place, travel, interpreters, breaks, another city, or the meetings holding it."""
        mid = meeting.id
        per_option = list(zip(seated, self.occupancy.blocks_at(meeting, people, seated), strict=True))
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
