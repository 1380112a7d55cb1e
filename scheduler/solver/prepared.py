"""Each meeting's people and free options, computed once and shared by every stage of a solve."""

from __future__ import annotations

import datetime as dt
import math
import time
from collections import Counter, defaultdict
from collections.abc import Mapping
from functools import cached_property

from scheduler.background import Background
from scheduler.model import Option
from scheduler.solver.interpreters import assign_interpreters
from scheduler.solver.request import NoSchedule, SolveOutcome, SolveRequest
from scheduler.solver.residual import residual_bound
from scheduler.solver.travel import TravelClock, keep_travel_rules


class Prepared:
    """Each meeting's participants, free options and, when it has none, why: computed once.

    Shared by the greedy, the LP bound, the decomposition and the CP-SAT models, and the
    one place where a schedule's placements become a SolveOutcome with reasons.
    """

    def __init__(self, request: SolveRequest) -> None:
        self.request = request
        instance = self.instance = request.instance
        self.meetings = [m for m in instance.meetings if m.id not in request.excluded_meetings]
        self.by_id = {m.id: m for m in self.meetings}
        self.index = {m.id: i for i, m in enumerate(self.meetings)}
        self.participants = [request.meeting_participants(m) for m in self.meetings]
        self.candidates = [
            [i for i in instance.interpreter_candidates(m, people) if i not in request.excluded_interpreters]
            for m, people in zip(self.meetings, self.participants, strict=True)
        ]
        """Per meeting: the interpreters who could sit in (empty: it needs none, or it is history
        interpreted as it happened)."""
        for idx, meeting in enumerate(self.meetings):
            if meeting.id in request.interpreted_as_it_happened:
                self.candidates[idx] = []
        self.seats = [instance.seats(m, people) for m, people in zip(self.meetings, self.participants, strict=True)]
        """Per meeting: the chairs it takes (its people, and an interpreter where it needs one)."""
        self.options: list[list[Option]] = []
        self.reasons: dict[int, str] = {}
        self._caps: dict[str, int | None] = {}
        frozen_until = request.frozen_until
        items_clock = TravelClock(instance)  # programme items only: no time to travel to or from them
        for idx, meeting in enumerate(self.meetings):
            people = self.participants[idx]
            effective = meeting.with_participants(people)
            pin = request.pins.get(meeting.id)
            if pin is not None and (pin.forced or request.max_moves == 0):
                self.options.append([])  # it can only stay where it is: other places are dead weight
                continue
            options = instance.meeting_options(effective)
            if self.seats[idx] > len(people) and not self.candidates[idx]:
                options = []  # it needs an interpreter and every one who could come is cancelled
            if request.busy:
                options = [o for o in options if request.fits_busy(people, o)]
            if items_clock.rules:
                options = [o for o in options if items_clock.fits(people, o)]
            free = options if frozen_until is None else [o for o in options if starts_at(o) >= frozen_until]
            self.options.append(free)
            if not free and pin is None:
                self.reasons[idx] = (
                    "every possible time is before the frozen time"
                    if options
                    else "no interpreter left who speaks a language of each participant"
                    if self.seats[idx] > len(people) and not self.candidates[idx]
                    else instance.why_impossible(effective)
                )
        self._check_required()

    def _check_required(self) -> None:
        """A required meeting that cannot be placed at all makes the request impossible: say why."""
        for mid in sorted(self.request.required):
            idx = self.index.get(mid)
            if idx is None:
                raise NoSchedule(f"required meeting {mid} is cancelled or not in the instance")
            if idx in self.reasons:
                raise NoSchedule(f"required meeting {mid} cannot be placed: {self.reasons[idx]}")

    def candidates_by_id(self) -> dict[str, list[str]]:
        return {m.id: self.candidates[i] for i, m in enumerate(self.meetings) if self.candidates[i]}

    def people_with_interpreters(self, interpreters: Mapping[str, str]) -> dict[str, list[str]]:
        """Each meeting's people, its interpreter among them where it needs one (for stages that only
        know people: local moves, steady rooms); one not yet known holds the seat by a name no one has."""
        return {
            m.id: [*self.participants[i], interpreters.get(m.id, f"(interpreter of {m.id})")]
            if self.seats[i] > len(self.participants[i])
            else self.participants[i]
            for i, m in enumerate(self.meetings)
        }

    def with_interpreters(
        self, placements: dict[str, tuple[Option, str]], preferred: Mapping[str, str] | None = None
    ) -> tuple[dict[str, tuple[Option, str]], dict[str, str], dict[str, str]]:
        """`placements` less what breaks a travel rule or finds no interpreter free, an interpreter
        for each meeting that needs one, and why each dropped meeting was dropped. Frozen history
        goes first and keeps its interpreter."""
        request = self.request
        forced = {mid for mid, pin in request.pins.items() if pin.forced}
        priority = {mid: self.by_id[mid].priority + (10**9 if mid in forced else 0) for mid in placements}
        people = self.people_by_id()
        kept = dict(placements)
        why: dict[str, str] = {}
        for mid in keep_travel_rules(self.instance, kept, people, priority, forced):
            why[mid] = "no time to travel between cities (travel rules)"
            del kept[mid]
        candidates = self.candidates_by_id()
        if not candidates:
            return kept, {}, why
        first = {mid: iid for mid, iid in request.interpreter_of.items() if mid in forced and mid in candidates}
        preferred = {**request.interpreter_of, **(preferred or {})}
        assigned, missing = assign_interpreters(
            self.instance, kept, candidates, preferred, first, cap_of=request.max_meetings, busy=request.busy
        )
        for mid in missing:
            why[mid] = "no interpreter free then"
            del kept[mid]
        return kept, assigned, why

    def options_by_id(self) -> dict[str, list[Option]]:
        return {m.id: self.options[i] for i, m in enumerate(self.meetings)}

    def people_by_id(self) -> dict[str, list[str]]:
        return {m.id: self.participants[i] for i, m in enumerate(self.meetings)}

    def value(self, placements: Mapping[str, object]) -> int:
        """Total priority of the meetings keyed in `placements` (a schedule's, or a choice of days)."""
        return sum(self.by_id[mid].priority for mid in placements)

    def total(self) -> int:
        """A proven bound without any search: the smallest of every placeable request's priority,
        what people's time and caps allow (`capacity_bound`) and, in a re-solve whose kept
        meetings stay, those plus what the time they leave could hold (`residual_bound`)."""
        return min(self.placeable_total, *self._search_free_bounds)

    bounds_ahead: Background[tuple[int, ...]] | None = None
    """A child working out `search_free_bounds` while the draft is made (the pipeline's choice)."""

    bounds_cut_short = False
    """Ctrl-C came while waiting for `bounds_ahead`: the capacity bound alone, not its work again here."""

    @cached_property
    def _search_free_bounds(self) -> tuple[int, ...]:
        ahead, self.bounds_ahead = self.bounds_ahead, None
        if ahead is None:
            return (self._capacity_bound,) if self.bounds_cut_short else self.search_free_bounds()
        with ahead:
            try:
                return ahead.result()
            except KeyboardInterrupt:  # (the schedule in hand is finished with the quicker bound)
                self.bounds_cut_short = True
                raise

    def search_free_bounds(self) -> tuple[int, ...]:
        """The residual bound where it applies (a re-solve's kept meetings stay: it is the tighter,
        79,443 where the capacity bound is 87,759 at 60,000 requests), else the capacity bound."""
        residual = residual_bound(self)
        return (self._capacity_bound,) if residual is None else (residual,)

    @cached_property
    def session_ticks(self) -> dict[dt.date, dict[str, frozenset[int]]]:
        """Date -> city -> the slot starts of its sessions, a city's venues together (a person is
        in one place at a time): what people's free slots are counted in."""
        step = self.instance.event.slot_minutes
        found: dict[dt.date, dict[str, set[int]]] = defaultdict(lambda: defaultdict(set))
        for session in self.instance.sessions:
            found[session.date][session.city].update(range(session.start, session.end, step))
        return {date: {city: frozenset(ticks) for city, ticks in by_city.items()} for date, by_city in found.items()}

    @cached_property
    def placeable_total(self) -> int:
        """Every request's priority that has a place it could go (or is kept): the loosest proof."""
        pins = self.request.pins
        return sum(m.priority for i, m in enumerate(self.meetings) if self.options[i] or m.id in pins)

    @cached_property
    def _capacity_bound(self) -> int:
        """Split each request's priority evenly among its people: a schedule's total is then the sum,
        over people, of their shares in the meetings they attend, and nobody attends more than their
        max_meetings or their free slots (one city per date). So the sum over people of their
        largest shares, as many as that, bounds every schedule: in a second at 60,000 requests,
        where the LP needs far longer (a 10 s limit gets a real bound from it)."""
        instance, request = self.instance, self.request
        shares: dict[str, list[float]] = defaultdict(list)
        pinned: Counter[str] = Counter()  # kept places count whatever the availability says now
        session_ticks = self.session_ticks
        outside: Counter[str] = Counter()
        """History at a time not among the person's free slots now (an edit narrowed their
        availability after it happened): counted on top of those slots, not among them."""
        for i, meeting in enumerate(self.meetings):
            pin = request.pins.get(meeting.id)
            if self.options[i] or pin is not None:
                for pid in self.participants[i]:
                    shares[pid].append(meeting.priority / len(self.participants[i]))
                if pin is None:
                    continue
                where = pin.option
                for pid in self.participants[i]:
                    pinned[pid] += 1
                    if not pin.forced:
                        continue  # (a kept place the plan let stand is within its people's times now)
                    free = instance.free_ticks(pid, where.date, where.city)
                    if where.start not in session_ticks.get(where.date, {}).get(where.city, ()) or (
                        free is not None and where.start not in free
                    ):
                        outside[pid] += 1
        slots_of: dict[int, int] = {}  # people free at the same times share their count (`free_slots`)

        def free_slots(pid: str) -> int:
            """Per date, the slots free in the better city (its venues together: one place at a time)."""
            slots = 0
            for date, by_city in session_ticks.items():
                best = 0
                for city, ticks in by_city.items():
                    free = instance.free_ticks(pid, date, city)
                    best = max(best, len(ticks if free is None else ticks & free))
                slots += best
            return slots

        total = 0.0
        for pid, values in shares.items():
            profile = instance.profile_of(pid)
            if profile not in slots_of:
                slots_of[profile] = free_slots(pid)
            slots = slots_of[profile]
            cap = request.max_meetings(pid) if pid in instance.participant_by_id else None
            room = outside[pid] + slots
            most = max(pinned[pid], min(len(values), room if cap is None else min(cap, room)))
            total += sum(sorted(values, reverse=True)[:most])
        return math.floor(total + 1e-6)

    def outcome(
        self,
        placements: dict[str, tuple[Option, str]],
        status: str,
        bound: int,
        moves: int,
        started: float,
        interpreters: Mapping[str, str] | None = None,
    ) -> SolveOutcome:
        """The SolveOutcome of a schedule; `interpreters`: those a stage chose (preferred)."""
        placements, chosen, dropped = self.with_interpreters(placements, interpreters)
        objective = self.value(placements)
        if bound < objective:
            # A bound below a schedule we hold cannot be a proof: never report it, never call it optimal.
            status, bound = "FEASIBLE", self.placeable_total
        attending = Counter(pid for mid in placements for pid in self.participants[self.index[mid]])
        missed = self.min_meetings_missed(attending)
        unscheduled = {
            m.id: dropped.get(m.id) or self.unscheduled_reason(i, attending, missed)
            for i, m in enumerate(self.meetings)
            if m.id not in placements
        }
        # OPTIMAL means the objective reached a proven bound, whatever a stage called its own result.
        status = "OPTIMAL" if bound == objective else "FEASIBLE" if status == "OPTIMAL" else status
        return SolveOutcome(
            status=status,
            objective=objective,
            bound=bound,
            placements=placements,
            unscheduled=unscheduled,
            moves=moves,
            seconds=time.monotonic() - started,
            min_meetings_missed=missed,
            interpreters=chosen,
        )

    def min_meetings_missed(self, attending: Counter[str]) -> dict[str, tuple[int, int]]:
        """Participant -> (meetings given, min_meetings promised), where fewer were given."""
        missed = {}
        for person in self.instance.participants:
            given = attending[person.id] + self.request.meetings_elsewhere.get(person.id, 0)
            if person.min_meetings is not None and given < person.min_meetings:
                missed[person.id] = (given, person.min_meetings)
        return missed

    def _cap(self, pid: str) -> int | None:
        """The request's cap for a person, looked up once: asked for each waiting request's people."""
        if pid not in self._caps:
            self._caps[pid] = self.request.max_meetings(pid)
        return self._caps[pid]

    def unscheduled_reason(
        self, idx: int, attending: Counter[str], missed: dict[str, tuple[int, int]] | None = None
    ) -> str:
        """Why a request stayed out, given how many meetings each person attends (and who got
        fewer than their min_meetings)."""
        missed = missed or {}
        if idx in self.reasons:
            return self.reasons[idx]
        for pid in self.participants[idx]:
            limit = self._cap(pid)
            if limit is not None and attending[pid] >= limit:
                return f"{pid} already has max_meetings ({limit})"
        short = [pid for pid in self.participants[idx] if pid in missed]
        promise = "".join(f"; {pid} got {missed[pid][0]} of min_meetings {missed[pid][1]}" for pid in short)
        return "no time left with all participants and a room free" + promise


def starts_at(option: Option) -> dt.datetime:
    """The option's local start as a naive date-time (compared with `frozen_until`)."""
    return dt.datetime.combine(option.date, dt.time(option.start // 60, option.start % 60))
