"""Re-solving after cancellations and edits: keep what still stands, fill, and say what changed.

The previous schedule is the starting point. Meetings before the frozen moment are history:
they stay exactly as they happened, with the people they had. Every other meeting whose place
is still valid, alone and together with the others, is pinned there; by default pins cannot
move (`max_moves` lets the solver move a few when that schedules more priority, fewer moves
winning ties). Freed capacity goes to the waiting list, highest priority first, because the
objective is still total priority. No ortools here: planning and diffs are plain Python.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass, field

from scheduler.attendance import attendees, starts_at
from scheduler.cancellations import People, format_moment, merge_cancellations, read_moment
from scheduler.changes import diff, name_of, not_free_because, people_text, too_close_to_travel
from scheduler.errors import InputError, Problem
from scheduler.model import Instance, Interpreter, Option, Participant, to_clock, to_minutes
from scheduler.reasons import with_reasons
from scheduler.solution import Assignment, Cancellation, Change, Schedule
from scheduler.solver.convert import outcome_to_schedule
from scheduler.solver.request import Pin, SolveOutcome, SolveRequest
from scheduler.solver.travel import TravelClock


@dataclass
class ResolvePlan:
    request: SolveRequest
    cancelled: list[Cancellation]
    affected: dict[str, str]
    """Previously placed meeting id -> why it cannot stay where it was (its change's cause)."""
    frozen_until: dt.datetime | None = None
    """The frozen moment in force: the later of the previous file's and the new one."""
    history: dict[str, Assignment] = field(default_factory=dict)
    """Meetings that started before the frozen moment, exactly as they happened."""
    causes: dict[str, str] = field(default_factory=dict)
    """Why a meeting's people changed (cancellations, edits), for 'left' and 'cancelled' changes."""
    notes: list[str] = field(default_factory=list)
    """Warnings for the organiser: dropped stale cancellations, edits that contradict history."""


def _option_of(a: Assignment) -> Option:
    return Option(a.venue, a.city, dt.date.fromisoformat(a.date), to_minutes(a.start), to_minutes(a.end))


def _starts_before(a: Assignment, moment: dt.datetime | None) -> bool:
    return moment is not None and starts_at(a) < format_moment(moment)  # type: ignore[operator]


def plan(
    instance: Instance,
    previous: Schedule,
    cancels: list[Cancellation],
    frozen_until: dt.datetime | None = None,
    max_moves: int = 0,
    vouched: bool = False,
) -> ResolvePlan:
    """The solve request for a re-solve: history, pins, exclusions and reduced participant lists.

    `vouched`: `previous` was made for this very instance and the checker is reviewing it (a
    re-solve does so on another core). Then a placement still stands unless its room closed or
    its interpreter is no longer wanted: its people can only have lost members, and a valid
    placement stays valid for fewer people (fewer seats, a superset of common free times and
    interpreters), as does a clash-free set of them. Looking again took 1 s at 60,000 requests.
    If the checker rejects the file, the caller must plan again without it.
    """
    earlier = read_moment(previous.frozen_until)
    frozen = max((m for m in (earlier, frozen_until) if m is not None), default=None)
    all_cancels, notes = merge_cancellations(instance, previous, cancels, frozen)
    if earlier is not None and (frozen_until is None or frozen_until < earlier):
        given = "no --frozen-until" if frozen_until is None else f"--frozen-until {format_moment(frozen_until)}"
        notes.append(
            f"{given}: history stays frozen until {format_moment(earlier)}, as the previous schedule had it "
            "(it only moves forward); cancellations count from then"
        )
    last = max(
        (dt.datetime.combine(s.date, dt.time()) + dt.timedelta(minutes=s.end) for s in instance.sessions), default=None
    )
    if frozen is not None and last is not None and frozen >= last:
        notes.append(
            f"frozen until {format_moment(frozen)}, after the event's last session ends ({format_moment(last)}): "
            "every meeting is history, so nothing can change"
        )
    history, history_people = _history(instance, previous, cancels, frozen, notes)
    people = People(instance, previous, cancels, all_cancels, frozen)
    people.apply(history_people)

    affected: dict[str, str] = {}
    candidates: list[tuple[str, Option, str, list[str]]] = []
    for mid, a in previous.assignment_by_meeting.items():
        if mid in history or mid in people.gone_meetings:
            continue
        if mid not in instance.meeting_by_id:
            affected[mid] = "the request was withdrawn (removed from the event's requests)"
        elif why := (
            _why_room_gone(instance, a, people.gone_rooms)
            if vouched
            else _why_invalid(instance, a, people.of(mid), people.gone_rooms)
        ):
            affected[mid] = why
        else:
            candidates.append((mid, _option_of(a), a.room, people.of(mid)))

    pins: dict[str, Pin] = {
        mid: Pin(mid, _option_of(a), a.room, forced=True)
        for mid, a in history.items()
        if mid in instance.meeting_by_id
        and a.room in instance.room_by_id
        and a.venue == instance.room_by_id[a.room].venue
    }
    ledger = _Ledger(instance)
    for mid, a in history.items():
        ledger.take(_option_of(a), a.room, people.of(mid), a.interpreter, mid)
    caps = ledger.caps_after_history(frozen, notes)
    # Pins that stand alone may still clash with each other after an edit: keep the most valuable.
    candidates.sort(key=lambda c: (-instance.meeting_by_id[c[0]].priority, c[0]))
    hint: dict[str, tuple[Option, str]] = {}
    interpreter_of = {a.meeting: a.interpreter for a in previous.assignments if a.interpreter is not None}
    for mid, option, room, who in candidates:
        interpreter, lost = _interpreter_kept(instance, mid, who, interpreter_of.get(mid))
        if vouched:  # (the checker found no clash among them, and fewer people clash with less)
            clash = lost
        else:
            clash = ledger.clash(option, room, who, caps) or lost or ledger.interpreter_clash(option, interpreter)
        if clash is not None:
            affected[mid] = clash
            continue
        if not vouched:
            ledger.take(option, room, who, interpreter, mid)
        pins[mid] = Pin(mid, option, room, forced=False)
        hint[mid] = (option, room)
    as_it_happened = {
        mid for mid, a in history.items() if mid in pins and not _seated_again(instance, a, people.of(mid))
    }
    # Their interpreter, where still one of the event's, keeps that time and that meeting taken.
    unseated = {mid: a for mid, a in history.items() if mid not in pins or mid in as_it_happened}
    request = SolveRequest(
        instance=instance,
        participants_of=people.participants_of,
        # History the solver cannot hold as a pin (its room is gone) is not the solver's to place.
        excluded_meetings=(people.gone_meetings - set(history)) | (set(history) - set(pins)),
        excluded_rooms=people.gone_rooms,
        pins=pins,
        max_moves=max_moves,
        frozen_until=frozen,
        hint=hint,
        prefer_time={
            mid: (_option_of(a).date, _option_of(a).start)
            for mid, a in previous.assignment_by_meeting.items()
            if mid in affected and mid in instance.meeting_by_id
        },
        max_meetings_of=_solver_caps(instance, caps, history, pins, people, as_it_happened),
        busy=ledger.history_busy(unseated, people.participants_of, as_it_happened),
        interpreter_of=interpreter_of,
        interpreted_as_it_happened=as_it_happened,
        pins_vouched=vouched,
    )
    return ResolvePlan(request, people.all_cancels, affected, frozen, history, people.causes, notes)


def _history(
    instance: Instance, previous: Schedule, cancels: list[Cancellation], frozen: dt.datetime | None, notes: list[str]
) -> tuple[dict[str, Assignment], dict[str, list[str]]]:
    """Meetings before the frozen moment, as they happened, and who attended each."""
    history = {a.meeting: a for a in previous.assignments if _starts_before(a, frozen)}
    for c in cancels:
        if c.kind == "meeting" and c.id in history:
            raise InputError(
                [Problem(("--cancel",), f"meeting {c.id} started before {format_moment(frozen)}: it is history")]
            )
    people = {mid: attendees(instance, previous.cancelled, a, previous.frozen_until) for mid, a in history.items()}
    _refuse_unusable_history(instance, history, people)
    for mid, a in history.items():
        when = f"meeting {mid} ({a.date} {a.start}) happened"
        if mid not in instance.meeting_by_id:
            notes.append(f"{when}; its request was removed from the instance since: it stays, as history")
            continue
        if why := _why_invalid(instance, a, people[mid], set()):
            notes.append(f"{when} before the edit that now says: {why}")
        if a.interpreter in instance.interpreter_by_id and not instance.is_available(
            a.interpreter, dt.date.fromisoformat(a.date), a.city, to_minutes(a.start), to_minutes(a.end)
        ):
            busy = not_free_because(instance, a.interpreter, _option_of(a))
            notes.append(
                f"{when} before the edit that now says: interpreter {name_of(instance, a.interpreter)} is {busy}"
            )
        joined = [p for p in instance.meeting_by_id[mid].participants if p not in people[mid]]
        joined = [p for p in joined if not any(c.kind == "participant" and c.id == p for c in previous.cancelled)]
        if joined:
            notes.append(f"{when} without {people_text(instance, joined)}, whom the request now lists: it stays so")
    return history, people


def _refuse_unusable_history(instance: Instance, history: dict[str, Assignment], people: dict[str, list[str]]) -> None:
    """History the re-solve cannot build on: off the event's grid (slot_minutes edited after it
    began), or clashing with itself (a previous file edited by hand). Refused before solving."""
    step = instance.event.slot_minutes
    problems = [
        Problem(
            ("--previous",),
            f"meeting {mid} ({a.date} {a.start}-{a.end}) happened off the {step}-minute grid: "
            f"slot_minutes cannot change once the event has begun",
        )
        for mid, a in history.items()
        if to_minutes(a.start) % step or to_minutes(a.end) % step
    ]
    if not problems:
        taken: dict[tuple[str, str, str, int], str] = {}
        for mid, a in sorted(history.items(), key=lambda item: starts_at(item[1])):
            for t in range(to_minutes(a.start), to_minutes(a.end), step):
                for key in [("room", a.room), *(("person", p) for p in people[mid])]:
                    other = taken.setdefault((key[0], key[1], a.date, t), mid)
                    if other != mid:
                        problems.append(
                            Problem(
                                ("--previous",),
                                f"before the frozen moment, {key[0]} {key[1]} is in "
                                f"both {other} and {mid} on {a.date} at {to_clock(t)}",
                            )
                        )
    if problems:
        problems.append(Problem(("--previous",), "check it with `schedule check`; re-solve from a valid schedule"))
        raise InputError(problems[:20])


def _seated_again(instance: Instance, a: Assignment, people: list[str]) -> bool:
    """Whether the solver can seat history's interpreter again as it was (or it needs none)."""
    meeting = instance.meeting_by_id[a.meeting]
    wanted = instance.interpreter_candidates(meeting, people)
    if a.interpreter is None or a.interpreter not in wanted:
        return not wanted and a.interpreter is None
    option = _option_of(a)
    return instance.is_available(a.interpreter, option.date, option.city, option.start, option.end)


def _solver_caps(
    instance: Instance,
    caps: dict[str, int],
    history: dict[str, Assignment],
    pins: dict[str, Pin],
    people: People,
    as_it_happened: set[str],
) -> dict[str, int]:
    """Caps as the solver sees them: history it cannot hold as a pin (its room is gone) uses them
    up, and so does history whose interpreter it does not seat again (`as_it_happened`)."""
    solver_caps = dict(caps)
    unpinned = Counter(pid for mid in history if mid not in pins for pid in people.of(mid))
    unseated = [a for mid, a in history.items() if (mid not in pins or mid in as_it_happened)]
    unpinned.update(a.interpreter for a in unseated if a.interpreter)
    for pid, used in unpinned.items():
        person = instance.participant_by_id.get(pid) or instance.interpreter_by_id.get(pid)
        if person is None:
            continue  # an interpreter no longer in the instance: nobody to cap
        limit = caps.get(pid, person.max_meetings)
        if limit is not None:
            solver_caps[pid] = max(0, limit - used)
    return solver_caps


def _interpreter_kept(
    instance: Instance, mid: str, people: list[str], before: str | None
) -> tuple[str | None, str | None]:
    """The interpreter a kept meeting goes on with: its previous one while still a candidate, or
    None where it needs none; else (None, why it cannot keep its place with them)."""
    meeting = instance.meeting_by_id[mid]
    wanted = instance.interpreter_candidates(meeting, people)
    if not wanted:
        return None, None
    if before in wanted:
        return before, None
    if before is None:
        return None, "its people now need an interpreter"
    if before not in instance.interpreter_by_id:
        return None, f"its interpreter {before} can no longer attend (no longer among the event's interpreters)"
    if meeting.interpreter is not None:
        return None, f"the request now names interpreter {name_of(instance, meeting.interpreter)}"
    return None, f"its interpreter {name_of(instance, before)} no longer speaks a language of each of its people"


class _Ledger:
    """What accepted placements occupy, to validate previous placements as a set, not one by one."""

    def __init__(self, instance: Instance) -> None:
        self.instance = instance
        self.step = instance.event.slot_minutes
        self.person_at: dict[tuple[str, dt.date, int], str] = {}
        self.room_at: dict[tuple[str, dt.date, int], str] = {}
        self.city_of: dict[tuple[str, dt.date], str] = {}
        self.count: Counter[str] = Counter()
        self.clock = TravelClock(instance)
        """Travel rules between the accepted placements (and programme items): a rule tightened
        since the previous schedule unpins the less valuable of two meetings too close."""

    def interpreter_clash(self, option: Option, interpreter: str | None) -> str | None:
        """Why the meeting cannot keep its interpreter there (None: it needs none, or keeps them)."""
        if interpreter is None:
            return None
        if not self.instance.is_available(interpreter, option.date, option.city, option.start, option.end):
            why = not_free_because(self.instance, interpreter, option)
            return f"interpreter {name_of(self.instance, interpreter)} is {why}"
        return self.clash(option, "", [interpreter], {})

    def take(self, option: Option, room: str, people: list[str], interpreter: str | None = None, mid: str = "") -> None:
        if interpreter:
            people = [*people, interpreter]
        self.clock.take(mid, people, option)
        for t in range(option.start, option.end, self.step):
            self.room_at[(room, option.date, t)] = room
            for pid in people:
                self.person_at[(pid, option.date, t)] = room
        for pid in people:
            self.city_of.setdefault((pid, option.date), option.city)
            self.count[pid] += 1

    def caps_after_history(self, frozen: dt.datetime | None, notes: list[str]) -> dict[str, int]:
        """max_meetings never below what already happened (an edit cannot undo history), for
        participants and interpreters alike; each cap raised so is a note for the organiser."""
        caps: dict[str, int] = {}
        people: list[Participant | Interpreter] = [*self.instance.participants, *self.instance.interpreters]
        for person in people:
            held = self.count[person.id]
            if person.max_meetings is not None and held > person.max_meetings:
                caps[person.id] = held
                role = "interpreter " if person.id in self.instance.interpreter_by_id else ""
                did = "sat in" if role else "attended"
                meetings = "meeting" if held == 1 else "meetings"
                notes.append(
                    f"{role}{person.name} {did} {held} {meetings} before {format_moment(frozen)}, more than "
                    f"max_meetings {person.max_meetings} now: those stand as history, and no more are given"
                )
        return caps

    def clash(self, option: Option, room: str, people: list[str], caps: dict[str, int]) -> str | None:
        """Why this placement cannot join those already accepted, or None."""
        for t in range(option.start, option.end, self.step):
            if room and (room, option.date, t) in self.room_at:
                return f"room {room} is needed for another meeting at that time"
            for pid in people:
                if (pid, option.date, t) in self.person_at:
                    return f"{name_of(self.instance, pid)} is now in another meeting at that time"
        for pid in people:
            city = self.city_of.get((pid, option.date))
            if city is not None and city != option.city:
                return f"{name_of(self.instance, pid)} is in {city} that day"
            person = self.instance.participant_by_id.get(pid) or self.instance.interpreter_by_id[pid]
            limit = caps.get(pid, person.max_meetings)
            if limit is not None and self.count[pid] >= limit:
                return f"{name_of(self.instance, pid)} can take no more meetings (at most {limit} now)"
            in_a_row = self._run_with(pid, option)
            most = self.instance.event.max_consecutive
            if most is not None and in_a_row > most:
                return f"{name_of(self.instance, pid)} would have {in_a_row} meeting slots in a row (at most {most})"
            span = self.clock.too_close(pid, option)
            if span is not None:
                why = too_close_to_travel(self.instance, name_of(self.instance, pid), option, span, self.clock.rules)
                return f"no time to travel: {why}"
        return None

    def _run_with(self, pid: str, option: Option) -> int:
        """How many slots in a row the person would meet with this placement added."""
        first, last = option.start, option.end
        while (pid, option.date, first - self.step) in self.person_at:
            first -= self.step
        while (pid, option.date, last) in self.person_at:
            last += self.step
        return (last - first) // self.step

    def history_busy(
        self, history: dict[str, Assignment], participants_of: dict[str, list[str]], interpreter_only: set[str]
    ) -> dict[tuple[str, dt.date], tuple[str, frozenset[int]]]:
        """For history the solver does not hold as a pin: the people's (and interpreters') city and
        busy ticks; for `interpreter_only` (pinned, their interpreter not seated again), the interpreter's."""
        busy: dict[tuple[str, dt.date], tuple[str, set[int]]] = {}
        for mid, a in history.items():
            option = _option_of(a)
            people = [] if mid in interpreter_only else participants_of[mid]
            for pid in [*people, *([a.interpreter] if a.interpreter else [])]:
                _, ticks = busy.setdefault((pid, option.date), (option.city, set()))
                ticks.update(range(option.start, option.end, self.step))
        return {key: (city, frozenset(ticks)) for key, (city, ticks) in busy.items()}


def _why_room_gone(instance: Instance, a: Assignment, gone_rooms: set[str]) -> str | None:
    """Why a previous placement's room can no longer hold it, or None."""
    room = instance.room_by_id.get(a.room)
    if room is None or room.venue != a.venue:
        return f"room {a.room} is no longer available (removed from the venue)"
    if a.room in gone_rooms:
        return f"room {a.room} closed"
    return None


def _why_invalid(instance: Instance, a: Assignment, people: list[str], gone_rooms: set[str]) -> str | None:
    """Why a previous placement no longer stands on its own, or None if it still does."""
    if gone := _why_room_gone(instance, a, gone_rooms):
        return gone
    room = instance.room_by_id[a.room]
    meeting = instance.meeting_by_id[a.meeting]
    unknown = [pid for pid in people if pid not in instance.participant_by_id]
    if unknown:  # (history kept with someone an edit took out of the event: nothing to look up for them)
        return f"{', '.join(unknown)} {'is' if len(unknown) == 1 else 'are'} no longer among the event's participants"
    if room.capacity < instance.seats(meeting, people):
        return f"room {a.room} is too small for {instance.seats(meeting, people)} people"
    option = _option_of(a)
    if option.end - option.start != meeting.slots * instance.event.slot_minutes:
        return f"it now lasts {meeting.slots * instance.event.slot_minutes} minutes (the request changed)"
    if meeting.city is not None and meeting.city != a.city:
        return f"it must now take place in {meeting.city} (the request changed)"
    for pid in people:
        if not instance.is_available(pid, option.date, a.city, option.start, option.end):
            return f"{name_of(instance, pid)} is {not_free_because(instance, pid, option)}"
    if instance.seats(meeting, people) > len(people) and not any(
        instance.is_available(i, option.date, a.city, option.start, option.end)
        for i in instance.interpreter_candidates(meeting, people)
    ):
        return "no interpreter who speaks a language of each of its people is available then any more"
    if option not in instance.meeting_options(meeting.with_participants(people)):
        return "its time or place is no longer possible (the venue's sessions changed)"
    return None


def _first_solve_of(previous: Schedule, instance_sha256: str) -> bool:
    """Whether `previous` is a first solve of this very instance: nothing cancelled or frozen, so
    the problem it bounded holds every problem a re-solve of it poses."""
    return (
        previous.instance_sha256 == instance_sha256
        and not previous.cancelled
        and previous.frozen_until is None
        and previous.previous is None
    )


def _first_solve_bound(
    instance: Instance, previous: Schedule, instance_sha256: str, resolve_plan: ResolvePlan
) -> int | None:
    """A proven bound on this re-solve from the first solve of this very instance, or None.

    Every schedule now, less the requests a cancellation took people from, is one the first
    solve's problem allowed too (the same requests and people, fewer of them and fewer rooms,
    history as it happened), so it is worth at most the first solve's bound. A request that
    lost a person but stands is another request: it may fit now where it could not (the one
    who left was the one never free), so its priority is added.
    """
    if not _first_solve_of(previous, instance_sha256):
        return None
    gone = {c.id for c in resolve_plan.cancelled if c.kind == "participant"}
    aside = resolve_plan.request.excluded_meetings | resolve_plan.history.keys()  # (cancelled; as it happened)
    fewer = sum(m.priority for m in instance.meetings if m.id not in aside and not gone.isdisjoint(m.participants))
    return previous.bound + fewer


def resolved_schedule(
    instance: Instance,
    previous: Schedule,
    resolve_plan: ResolvePlan,
    outcome: SolveOutcome,
    instance_path: str,
    instance_sha256: str,
    reasons_deadline: float | None = None,
) -> Schedule:
    """The re-solved schedule: history as it happened, cancellations recorded, changes explained."""
    placed, causes = resolved_placements(instance, previous, resolve_plan, outcome, instance_path, instance_sha256)
    return explained(instance, previous, placed, causes, reasons_deadline)


def resolved_placements(
    instance: Instance,
    previous: Schedule,
    resolve_plan: ResolvePlan,
    outcome: SolveOutcome,
    instance_path: str,
    instance_sha256: str,
) -> tuple[Schedule, dict[str, str]]:
    """The re-solved schedule before its words (waiting requests' reasons, the changes), and the
    cause of each change the plan knows: all the checker reads is final here, so the command
    checks it on another core while the words are worked out (`CheckAhead`)."""
    schedule = outcome_to_schedule(
        outcome, resolve_plan.request, instance_path, instance_sha256, previous.assignment_by_meeting
    )
    excluded = resolve_plan.request.excluded_meetings
    history = resolve_plan.history
    placed = {a.meeting for a in schedule.assignments}
    # History is copied as it was, also where the solver could not hold it (its room was removed).
    assignments = [history.get(a.meeting, a) for a in schedule.assignments]
    assignments += [a for mid, a in history.items() if mid not in placed]
    order = {m.id: i for i, m in enumerate(instance.meetings)}
    assignments.sort(key=lambda a: (order.get(a.meeting, len(order)), a.meeting))
    # History the solver did not hold counts as it happened; a deleted request has no priority left.
    history_value = sum(
        instance.meeting_by_id[mid].priority for mid in history if mid not in placed and mid in instance.meeting_by_id
    )
    objective, bound = schedule.objective + history_value, schedule.bound + history_value
    inherited = _first_solve_bound(instance, previous, instance_sha256, resolve_plan)
    if inherited is not None and objective <= inherited < bound:
        bound = inherited  # (a re-solve that keeps its draft has only the capacity bound)
    schedule = schedule.model_copy(
        update={
            "assignments": assignments,
            "objective": objective,
            "bound": bound,
            "cancelled": resolve_plan.cancelled,
            "unscheduled": [u for u in schedule.unscheduled if u.meeting not in excluded and u.meeting not in history],
            "frozen_until": format_moment(resolve_plan.frozen_until),
        }
    )
    for mid, why in outcome.refused_fixed.items():
        pin = resolve_plan.request.pins.get(mid)
        if pin is not None and not pin.forced:  # a clash the plan let through: the solve let the pin go
            resolve_plan.affected.setdefault(mid, why)
    causes = {
        mid: "; ".join(why for why in (resolve_plan.affected.get(mid), resolve_plan.causes.get(mid)) if why)
        for mid in {*resolve_plan.causes, *resolve_plan.affected}
    }
    return schedule, causes


def explained(
    instance: Instance,
    previous: Schedule,
    schedule: Schedule,
    causes: dict[str, str],
    reasons_deadline: float | None = None,
    ctrl_c: list[bool] | None = None,
) -> Schedule:
    """The placed schedule with each waiting request's reason and each change from `previous`
    (a Ctrl-C while the reasons are worked out is appended to `ctrl_c`). The changes need only
    the placements: they are listed while another core explains (`with_reasons`'s `meanwhile`)."""
    changes: list[Change] = []
    stopped = ctrl_c if ctrl_c is not None else []
    placed = schedule

    def list_changes() -> None:
        try:
            changes[:] = diff(instance, previous, placed, causes)
        except KeyboardInterrupt:  # the schedule stands: listed once more, the rest of the reasons short
            stopped.append(True)
            changes[:] = diff(instance, previous, placed, causes)

    schedule = with_reasons(instance, schedule, reasons_deadline, previous, stopped, list_changes)
    return schedule.model_copy(update={"changes": changes})
