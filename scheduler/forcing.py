"""What forcing an unscheduled request in would do: a solve with it required, compared with the schedule.

Only the schedule's meetings and the forced one take part (no other waiting request is added
on the way); history stays pinned; every other meeting may move (each changed date or start
costs a tie-break point below priority) or drop. The solve starts from `repair`: the schedule less
the cheapest meetings in the request's way, checked by the independent verifier, which is
also the answer if CP-SAT finds nothing better in time. Every answer shown is checked.
"""

from __future__ import annotations

import datetime as dt
import time
from dataclasses import dataclass, field, replace

from scheduler.explain import Explainer
from scheduler.explanation import (
    BREAKS,
    FITS,
    LOST,
    MAX_MEETINGS,
    NO_INTERPRETER,
    ONE_CITY,
    TAKEN,
    TRAVEL,
    Explanation,
)
from scheduler.model import Option, to_minutes
from scheduler.solution import Assignment, Unscheduled


@dataclass(frozen=True)
class Forced:
    """What a solve with the meeting required does to the schedule."""

    place: Assignment | None
    dropped: list[str] = field(default_factory=list)
    moved: list[tuple[Assignment, Assignment]] = field(default_factory=list)
    """Meetings at another date or start (a change of table alone is not counted)."""
    priority_before: int = 0
    priority_after: int = 0
    proven: bool = False
    """The solve proved that no schedule holding the meeting keeps more priority."""
    impossible: str | None = None
    """Why no schedule can hold it at all (history, a required place), if so."""


def force(ex: Explainer, mid: str, time_limit: float = 20.0, workers: int = 2, seed: int = 0) -> Explanation:
    """`explain`, plus what a solve with the meeting required does: drops, moves, priority."""
    explanation = ex.explain(mid)
    if explanation.kind not in (MAX_MEETINGS, ONE_CITY, LOST, TAKEN, BREAKS, FITS, NO_INTERPRETER, TRAVEL):
        return explanation
    if explanation.impossible:
        sentence = (
            "It cannot be scheduled at all: moving or dropping other meetings cannot change that (no solve needed)."
        )
        return replace(explanation, sentences=[sentence])
    barred = [p for p in ex.request_people(ex.instance.meeting_by_id[mid]) if _cap(ex, p) == 0]
    if barred:
        sentence = f"It cannot be scheduled at all while {ex.names(barred)} may have no meetings (max_meetings 0)."
        return replace(explanation, sentences=[sentence])
    forced = forced_solve(ex, mid, time_limit, workers, seed)
    return replace(explanation, forced=forced, sentences=_words(ex, mid, forced))


def forced_solve(ex: Explainer, mid: str, time_limit: float, workers: int, seed: int) -> Forced:
    from scheduler.resolve import plan
    from scheduler.solver.convert import to_assignment
    from scheduler.solver.pipeline import solve
    from scheduler.solver.request import NoSchedule, SolveParams

    resolve_plan = plan(ex.instance, ex.schedule, [], None)
    request = resolve_plan.request
    request.required = {mid}
    # The smallest change that holds it: the schedule's meetings and this one, nothing else, so
    # the answer is what this request costs, not a better schedule found on the way.
    request.excluded_meetings |= {u.meeting for u in ex.schedule.unscheduled if u.meeting != mid}
    # Movable pins would give every pinned room a group of its own (a model several times
    # larger): only history stays pinned; any other meeting may move, and each date or
    # start it changes costs a tie-break point below priority.
    movable = {m: pin for m, pin in request.pins.items() if not pin.forced}
    request.pins = {m: pin for m, pin in request.pins.items() if pin.forced}
    request.prefer_time = {
        **request.prefer_time,
        **{m: (pin.option.date, pin.option.start) for m, pin in movable.items()},
    }
    repaired = repair(ex, mid)
    if repaired is not None:  # a complete schedule holding it: CP-SAT starts from there
        option, room, drop = repaired
        request.hint = {a.meeting: (_option(a), a.room) for a in ex.schedule.assignments if a.meeting not in drop}
        request.hint[mid] = (option, room)
    before = ex.priority(a.meeting for a in ex.schedule.assignments)
    interpreters = {a.meeting: a.interpreter for a in ex.schedule.assignments if a.interpreter}
    started = time.monotonic()
    try:
        outcome = solve(request, SolveParams(time_limit, workers, seed))
    except NoSchedule as error:
        if error.proven or repaired is None or not _holds(ex, mid, request.hint, set(), interpreters):
            why = _no_schedule(error, time.monotonic() - started, time_limit)
            return Forced(None, priority_before=before, priority_after=before, impossible=why)
        placements, proven = request.hint, False  # CP-SAT had no time to start: the repair itself, checked
    else:
        placements, proven = outcome.placements, outcome.status == "OPTIMAL"
        interpreters = outcome.interpreters
    unheld = {m for m in resolve_plan.history if m not in request.pins}  # history the solver cannot hold
    if not _holds(ex, mid, placements, unheld, interpreters):  # never a schedule the checker rejects
        why = "the solver's answer breaks a rule (a bug: please report it with the files)"
        return Forced(None, priority_before=before, priority_after=before, impossible=why)
    placed = {m: to_assignment(m, o, room, None, interpreters.get(m)) for m, (o, room) in placements.items()}
    dropped = [a.meeting for a in ex.schedule.assignments if a.meeting not in placed and a.meeting not in unheld]
    moved = [
        (a, placed[a.meeting])
        for a in ex.schedule.assignments
        if a.meeting in placed and (a.date, a.start) != (placed[a.meeting].date, placed[a.meeting].start)
    ]
    priority = ex.instance.meeting_by_id
    after = before - sum(priority[m].priority for m in dropped) + priority[mid].priority
    return Forced(placed[mid], dropped, moved, before, after, proven)


def _holds(
    ex: Explainer,
    mid: str,
    placements: dict[str, tuple[Option, str]],
    unheld: set[str],
    interpreters: dict[str, str],
) -> bool:
    """Whether the independent checker accepts the schedule with these placements, their
    interpreters (and `unheld` history), as a re-solve of the explained schedule: what its
    history is excused from (an edit made after it happened) is excused here too, as in
    `resolve` and `check --previous`, and that history must stay exactly as it was."""
    from scheduler.solver.convert import to_assignment
    from scheduler.verify import review

    def people(m: str) -> list[str]:
        return ex.occupancy.people.get(m) or ex.request_people(ex.instance.meeting_by_id[m])

    assignments = [to_assignment(m, o, room, people(m), interpreters.get(m)) for m, (o, room) in placements.items()]
    assignments += [a for a in ex.schedule.assignments if a.meeting in unheld]
    left_out = [u for u in ex.schedule.unscheduled if u.meeting != mid]
    left_out += [Unscheduled(meeting=a.meeting, reason="displaced") for a in ex.schedule.assignments]
    left_out = [u for u in left_out if u.meeting not in placements and u.meeting not in unheld]
    total = ex.priority([a.meeting for a in assignments])
    update = {"assignments": assignments, "unscheduled": left_out, "objective": total, "status": "FEASIBLE"}
    update["bound"] = max(total, ex.schedule.bound)
    return not review(ex.instance, ex.schedule.model_copy(update=update), ex.schedule).violations


def repair(ex: Explainer, mid: str) -> tuple[Option, str, set[str]] | None:
    """The cheapest place for the meeting by dropping meetings in its way (never history).

    Cheapest by the priority dropped: the people's meetings at that time or elsewhere that
    day, a room's meetings if none is free, then their lowest-priority meetings over a cap.
    """
    meeting = ex.instance.meeting_by_id[mid]
    people = ex.request_people(meeting)
    frozen = ex.schedule.frozen_until
    fixed = {a.meeting for a in ex.schedule.assignments if frozen is not None and f"{a.date}T{a.start}" < frozen[:16]}
    best: tuple[int, Option, str, set[str]] | None = None
    for option in ex.open_options(meeting):
        date = option.date.isoformat()
        drop: set[str] = set()
        for pid in people:
            for city, mids in ex.occupancy.cities.get((pid, date), {}).items():
                if city != option.city:
                    drop.update(mids)
            drop.update(
                m for t in ex.occupancy.ticks(option) if (m := ex.occupancy.person_at.get((pid, date, t))) is not None
            )
        rooms = []
        for r in ex.instance.venue_rooms[option.venue]:
            if r.capacity >= len(people) and r.id not in ex.occupancy.closed_rooms:
                holders = {
                    m
                    for t in ex.occupancy.ticks(option)
                    if (m := ex.occupancy.room_at.get((r.id, date, t))) is not None
                }
                rooms.append((ex.priority(holders - drop), r.id, holders))
        if not rooms:
            continue
        _, room, holders = min(rooms)
        drop |= holders
        for pid in people:
            cap = ex.instance.participant_by_id[pid].max_meetings
            kept = sorted(
                (m for m in ex.occupancy.held[pid] if m not in drop), key=lambda m: (m in fixed, ex.priority({m}))
            )
            if cap is not None and len(kept) >= cap:
                drop.update(kept[: len(kept) - cap + 1])
        if drop & fixed:
            continue
        cost = ex.priority(drop)
        if best is None or cost < best[0]:
            best = (cost, option, room, drop)
    return None if best is None else best[1:]


def _words(ex: Explainer, mid: str, forced: Forced) -> list[str]:
    if forced.place is None:
        return [f"It cannot be placed even if every meeting still to come moves: {forced.impossible}."]
    p = forced.place
    words = [
        f"Forcing it in (a solve with it required and no other waiting request added, the schedule's "
        f"meetings free to move, most priority kept then fewest time changes, tables reassigned freely) puts it at "
        f"{p.date} {p.start}-{p.end} in {p.city}, room {p.room}."
    ]
    if forced.dropped:
        words.append("It would drop " + "; ".join(ex.brief(m) for m in forced.dropped) + ".")
    for before, after in forced.moved:
        words.append(f"It would move {before.meeting} from {before.date} {before.start} to {after.date} {after.start}.")
    change = forced.priority_after - forced.priority_before
    if change == 0:
        words.append(
            "It costs no priority: the schedule left it out for a goal after priority (a fairer share of "
            "meetings, fewer idle gaps, earlier starts), or the solve did not find this place."
        )
    elif change > 0:
        words.append(
            "It even raises total priority: the solve that made this schedule stopped before it found this "
            "(a longer --time-limit may do better)."
        )
    if change > 0:
        words.append(f"Total priority {forced.priority_before} -> {forced.priority_after} ({change:+d}).")
    else:
        words.append(
            f"Total priority {forced.priority_before} -> {forced.priority_after} ({change:+d})."
            + (
                " No change that holds it keeps more of the schedule's priority."
                if forced.proven
                else " (Best found in the time allowed; a longer --time-limit may find a cheaper way.)"
            )
        )
    return words


def _no_schedule(error: Exception, elapsed: float, time_limit: float) -> str:
    """Why the forced solve gave nothing, as it happened: proven, ruled out before solving, or
    stopped (early or at the time limit) without proof."""
    if getattr(error, "proven", False):
        return "no schedule holds it with every rule kept and what has happened as it was (proven)"
    message = str(error)
    if message.startswith("required meeting "):  # refused before any search: it has no place at all
        return f"it has no possible place at all ({message.split(': ', 1)[-1]})"
    if elapsed < 0.9 * time_limit:
        return f"the solve stopped after {elapsed:.1f} s without one, not proving there is none ({message})"
    return f"no schedule holding it was found in the {time_limit:g} s allowed (not proven impossible)"


def _cap(ex: Explainer, pid: str) -> int | None:
    return ex.instance.participant_by_id[pid].max_meetings


def _option(a: Assignment) -> Option:
    return Option(a.venue, a.city, dt.date.fromisoformat(a.date), to_minutes(a.start), to_minutes(a.end))
