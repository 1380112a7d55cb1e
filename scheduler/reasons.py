"""Reasons for a whole schedule file: every waiting request's kind and sentence, as `explain` gives
them, worked out on two cores, and kept from the previous file where nothing they are made of
changed (a re-solve's waiting list is mostly as it was)."""

from __future__ import annotations

import hashlib
import itertools
import json
import math
import re
import time
from collections import defaultdict
from collections.abc import Callable

from scheduler.attendance import attendees
from scheduler.background import Background
from scheduler.explain import Explainer
from scheduler.explanation import (
    CANCELLED,
    FROZEN,
    KINDS,
    MAX_MEETINGS,
    NO_COMMON_TIME,
    NO_INTERPRETER,
    NO_PLACE,
    NO_ROOM,
    ONE_CITY,
    PROGRAMME,
    SCHEDULED,
    TAKEN,
    TRAVEL,
)
from scheduler.model import Instance, Meeting, Option
from scheduler.solution import Schedule, Unscheduled

DETAIL_CHARS = 2_000
"""A schedule file's `detail` is at most this long (a request of many people can name them all)."""


def with_reasons(
    instance: Instance,
    schedule: Schedule,
    deadline: float | None = None,
    earlier: Schedule | None = None,
    ctrl_c: list[bool] | None = None,
    meanwhile: Callable[[], object] | None = None,
) -> Schedule:
    """The schedule with each unscheduled request's reason as `explain`, `stats` and timetables give it.

    `reason` is the kind (a short phrase to count by), `detail` the sentence to pass on, so the
    solve summary, the file and every later view agree on why a request stayed out. Past
    `deadline` (monotonic clock: the command's time limit) the rest keep only the kind of the
    solver's short reason, without `detail`; `schedule explain` still gives any of them in full. So
    do those after a Ctrl-C: the schedule in hand is still checked and written. A re-solve passes
    the `earlier` schedule: a reason nothing it is made of has changed since is kept as it was
    there (`_KeptReasons`). A Ctrl-C here is appended to `ctrl_c`, so the summary can say so.
    `meanwhile` is other work for this process, done while the child explains its half (a
    re-solve's change list: 0.3 s at 60,000 requests that came after the reasons).
    """
    explainer = Explainer(instance, schedule, headlines_only=True)
    kept = _KeptReasons(explainer, earlier)
    waiting = schedule.unscheduled
    stopped = ctrl_c if ctrl_c is not None else []  # Ctrl-C came: the rest keep the short form, still written

    def reasons(part: list[Unscheduled]) -> list[Unscheduled]:
        done = []
        for item in part:
            try:
                done.append(_reason(explainer, kept, item, LONG_PAST if stopped else deadline))
            except KeyboardInterrupt:
                stopped.append(True)
                done.append(_reason(explainer, kept, item, LONG_PAST))
        return done

    if len(waiting) <= REASONS_IN_TWO_ABOVE:
        items = reasons(waiting)
        if meanwhile is not None:
            meanwhile()
        return schedule.model_copy(update={"unscheduled": items, "reasons_sha256": reasons_digest(items)})
    with Background(lambda: reasons(waiting[1::2])) as odd_ones:
        even = reasons(waiting[0::2])
        if meanwhile is not None:
            meanwhile()
        try:
            # After a Ctrl-C the other half is not waited for, but taken if the child has it.
            odd = odd_ones.result() if not stopped or odd_ones.ready() else reasons(waiting[1::2])
        except KeyboardInterrupt:  # (while waiting for the child: it is stopped on leaving)
            stopped.append(True)
            odd = reasons(waiting[1::2])
    items = [item for pair in itertools.zip_longest(even, odd) for item in pair if item is not None]
    return schedule.model_copy(update={"unscheduled": items, "reasons_sha256": reasons_digest(items)})


def reasons_digest(items: list[Unscheduled]) -> str:
    """The SHA-256 of the reasons as written (`Schedule.reasons_sha256`); 0.03 s for 27,000."""
    written = json.dumps([[u.meeting, u.reason, u.detail] for u in items], ensure_ascii=False)
    return hashlib.sha256(written.encode()).hexdigest()


LONG_PAST = -math.inf
"""A deadline every moment is past: the short form for all that is left."""
REASONS_IN_TWO_ABOVE = 2_000
"""Above this many waiting requests a child process explains every other one on another core
(`Background`): a re-solve at 60,000 requests has 24,000, about 6 s of reasons in one process."""


def _reason(explainer: Explainer, kept: _KeptReasons, item: Unscheduled, deadline: float | None) -> Unscheduled:
    """One waiting request's reason: kept from the earlier schedule, worked out, or past the
    deadline the kind of the solver's short reason."""
    instance = explainer.instance
    if item.meeting not in instance.meeting_by_id:
        return item
    if (earlier := kept.get(item.meeting)) is not None:
        return earlier
    if deadline is not None and time.monotonic() > deadline:
        return item.model_copy(update={"reason": kind_of_short_reason(item.reason)})
    found = explainer.explain(item.meeting)
    detail = found.in_short if len(found.in_short) <= DETAIL_CHARS else found.in_short[: DETAIL_CHARS - 1] + "…"
    return Unscheduled(meeting=item.meeting, reason=found.kind, detail=detail)


_SHORT_KINDS: list[tuple[re.Pattern[str], str]] = [
    (re.compile(r" already has max_meetings \(\d+\)$"), MAX_MEETINGS),
    (re.compile(r"^no common availability$| is not available in any session$"), NO_COMMON_TIME),
    (re.compile(r"^no room holds \d+ people$"), NO_ROOM),
    (re.compile(r"^longer \(\d+ min\) than any session$|^no session in "), NO_PLACE),
    (
        re.compile(
            r"^no common language, and no interpreter|^no common availability with an interpreter"
            r"|^no interpreter left who speaks"
        ),
        NO_INTERPRETER,
    ),
    (re.compile(r"^every possible time is before the frozen time$"), FROZEN),
    (re.compile(r"^no time left with all participants and a room free"), TAKEN),
]
"""The solver's short reasons and the kind each is (`Prepared.unscheduled_reason`,
`Instance.why_impossible`): 'it-08350 already has max_meetings (6)' counted by person made
the summary list hundreds of 'reasons'."""


def kind_of_short_reason(reason: str) -> str:
    """The kind a solver's short reason is counted as; an unknown phrase stays as it is."""
    return next((kind for pattern, kind in _SHORT_KINDS if pattern.search(reason)), reason)


INSTANCE_KINDS = frozenset({NO_PLACE, NO_ROOM, PROGRAMME, NO_COMMON_TIME, NO_INTERPRETER})
"""The kinds `_no_place` gives: a reason from the instance and the request's people alone."""
KINDS_WITHOUT_ROOMS = frozenset({MAX_MEETINGS, ONE_CITY, TRAVEL})
"""Schedule kinds whose words never look at a room: max_meetings is said before any time is
tried, and at every time of the other two one of its people is held (`blocks` looks at the rooms
only at a time when all its people are free)."""


class _KeptReasons:
    """The earlier schedule's reasons that still hold word for word, so a re-solve need not work
    them out again (7 s at 60,000 requests, most of them unchanged). Each request is looked at
    by the process that explains it (`get`), so both cores share the looking too.

    Only a file whose reasons are as we wrote them (`reasons_sha256`) gives any. A reason from
    the instance alone (`_no_place`) stands while the request has no possible place and its
    people are as they were (and their meetings, where one was promised min_meetings). One from
    the schedule stands where, besides, the frozen moment and the closed rooms are as they were,
    no meeting of its people changed, it needs no interpreter, and at its times no room that
    could seat it changed hands: what its words are made of (`blocks`, `max_meetings`, the
    promise) is then all as it was.
    """

    def __init__(self, explainer: Explainer, earlier: Schedule | None) -> None:
        self.explainer = explainer
        self.earlier: dict[str, Unscheduled] = {}
        self.unchanged: _Unchanged | None = None
        schedule = explainer.schedule
        if earlier is None or earlier.instance_sha256 != schedule.instance_sha256:
            return
        if earlier.reasons_sha256 != reasons_digest(earlier.unscheduled):
            return  # edited by hand since we wrote them, or from a version that did not say
        self.gone_before = {c.id for c in earlier.cancelled if c.kind == "participant"}
        closed_before = {c.id for c in earlier.cancelled if c.kind == "room"}
        same_world = earlier.frozen_until == schedule.frozen_until and closed_before == explainer.occupancy.closed_rooms
        self.unchanged = _Unchanged(explainer, earlier) if same_world else None
        self.earlier = {item.meeting: item for item in earlier.unscheduled}

    def get(self, mid: str) -> Unscheduled | None:
        """The earlier reason of this request, if it still holds word for word."""
        item = self.earlier.get(mid)
        explainer, unchanged = self.explainer, self.unchanged
        instance = explainer.instance
        meeting = instance.meeting_by_id.get(mid)
        if item is None or meeting is None or item.detail is None or item.reason not in KINDS:
            return None  # (a kind we never give: edited by hand, or from another version)
        people = explainer.request_people(meeting)
        if len(people) < 2 or people != [p for p in meeting.participants if p not in self.gone_before]:
            return None
        # A missed min_meetings promise is said with any reason, and counts its person's meetings.
        promised = any(instance.participant_by_id[p].min_meetings is not None for p in people)
        held_as_before = unchanged is not None and unchanged.people(people)
        if item.reason in INSTANCE_KINDS:
            return item if not explainer.options(meeting) and (held_as_before or not promised) else None
        if (
            held_as_before
            and item.reason not in (CANCELLED, FROZEN, SCHEDULED)
            and not instance.interpreter_candidates(meeting, people)
            and unchanged is not None
            and (item.reason in KINDS_WITHOUT_ROOMS or unchanged.rooms(meeting, people, explainer.options(meeting)))
        ):
            return item
        return None


class _Unchanged:
    """What a re-solve left as it was: whose meetings, and which rooms at which times."""

    def __init__(self, explainer: Explainer, earlier: Schedule) -> None:
        instance = explainer.instance
        before = earlier.assignment_by_meeting
        after = explainer.occupancy.by_id
        self.instance = instance
        self.touched_people: set[str] = set()
        self.touched_rooms: dict[tuple[str, str, int], set[str]] = defaultdict(set)
        """(venue, date, tick) -> rooms whose meeting then changed (or whose meeting's people did)."""
        for mid in before.keys() | after.keys():
            old, new = before.get(mid), after.get(mid)
            if old is new and old is not None and old.participants is not None:
                continue  # (written as its very previous assignment, people and all: nothing changed)
            old_people = attendees(instance, earlier.cancelled, old, earlier.frozen_until) if old else []
            if old == new and old_people == explainer.occupancy.people.get(mid, []):
                continue
            self.touched_people.update(old_people, explainer.occupancy.people.get(mid, []))
            for a in (old, new):
                if a is not None:
                    self.touched_people.update([a.interpreter] if a.interpreter else [])
                    for tick in explainer.occupancy.ticks(a):
                        self.touched_rooms[(a.venue, a.date, tick)].add(a.room)

    def people(self, people: list[str]) -> bool:
        return self.touched_people.isdisjoint(people)

    def rooms(self, meeting: Meeting, people: list[str], options: list[Option]) -> bool:
        seats = self.instance.seats(meeting, people)
        step = self.instance.event.slot_minutes
        for o in options:
            date = o.date.isoformat()
            for tick in range(o.start, o.end, step):
                for room in self.touched_rooms.get((o.venue, date, tick), ()):
                    known = self.instance.room_by_id.get(room)
                    if known is None or known.capacity >= seats:
                        return False
        return True
