"""What changed between two schedules of one event, whom to tell, and why, in an organiser's words.

Read by `resolve` (its change list), `diff` and the exports; plain Python, no solver. Causes
name people as organisers say them, so a change can be passed on as it stands.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping

from scheduler.attendance import attendees
from scheduler.model import Instance, Option, ProgrammeItem, to_clock, to_minutes
from scheduler.solution import Cancellation, Change, Schedule


def same_event(instance: Instance, previous: Schedule) -> bool:
    """An edited (even renamed) instance keeps its event; a schedule of another event is refused.

    The name alone cannot decide: organisers rename events. The requests and the people
    can: at least half of the previous schedule's meetings must still be in the instance,
    and at least half of the people it names.
    """
    ids = {a.meeting for a in previous.assignments} | {u.meeting for u in previous.unscheduled}
    ids |= {c.id for c in previous.cancelled if c.kind == "meeting"}
    if not ids:
        return previous.event in (None, instance.event.name)
    kept = len(ids & set(instance.meeting_by_id)) * 2 >= len(ids)
    people = {p for a in previous.assignments for p in a.participants or []}
    people |= {c.id for c in previous.cancelled if c.kind == "participant"}
    known = not people or len(people & set(instance.participant_by_id)) * 2 >= len(people)
    return kept and known


def name_of(instance: Instance, pid: str) -> str:
    """The name an organiser says aloud; the id only where the instance no longer has the person."""
    person = instance.participant_by_id.get(pid) or instance.interpreter_by_id.get(pid)
    return person.name if person is not None else pid


def cause_of(instance: Instance, cancellation: Cancellation) -> str:
    if cancellation.kind == "participant":
        return f"{name_of(instance, cancellation.id)} can no longer attend"
    if cancellation.kind == "room":
        return f"room {cancellation.id} closed"
    return "the meeting was cancelled"


def too_close_to_travel(
    instance: Instance,
    who: str,
    option: Option,
    span: tuple[int, int, str, str | None, str | None],
    rules: Mapping[tuple[str, str], int],
) -> str:
    """Why `option` is too close to `who`'s other `span` (a meeting or programme item; absolute
    minutes, `scheduler.solver.travel`) under the travel `rules`: 'the travel rule Beijing ->
    Hangzhou asks 20 h between, Zhou Lei is in Beijing until 2025-11-14 18:00
    (meeting r0123), and this meeting is in Hangzhou from 2025-11-15 09:00'."""
    start, end, city, mid, item_id = span
    other = f"meeting {mid}" if mid else "a programme item"
    item = next((i for i in instance.programme if i.id == item_id), None)
    if item is not None:
        other = item.named
    day = dt.date.fromordinal
    here_start = f"{option.date} {to_clock(option.start)}"
    here_end = f"{option.date} {to_clock(option.end)}"
    if end <= option.date.toordinal() * 1440 + option.start:  # the other span comes first
        route = (city, option.city)
        there = f"in {city} until {day(end // 1440)} {to_clock(end % 1440)} ({other})"
        here = f"and this meeting is in {option.city} from {here_start}"
    else:
        route = (option.city, city)
        there = f"in {city} from {day(start // 1440)} {to_clock(start % 1440)} ({other})"
        here = f"and this meeting is in {option.city} until {here_end}"
    hours = rules.get(route, 0) / 60
    return f"the travel rule {route[0]} -> {route[1]} asks {hours:g} h between, {who} is {there}, {here}"


def not_free_because(instance: Instance, pid: str, option: Option) -> str:
    """Why `pid` cannot be at `option` though they could before: a programme item they attend
    ('at the seminar 'Energy' (2025-11-14 09:00-10:00)', its buffer named where only the buffer
    touches it), or their own availability."""
    window = instance.window_ticks(pid, option.date, option.city)
    step = instance.event.slot_minutes
    if window is None or all(t in window for t in range(option.start, option.end, step)):
        start = option.date.toordinal() * 1440 + option.start
        end = start + option.end - option.start
        near = [(option.date + dt.timedelta(days=d), d) for d in (0, -1, 1)]
        items = [(item, d) for date, d in near for item in instance.programme_of.get((pid, date), [])]
        for item, days in items:
            if days == 0 and item.city != option.city:
                return f"at {_item_text(item)} in {item.city} that day"
        for buffered in (False, True):
            for item, _ in items:
                begins = item.date.toordinal() * 1440 + to_minutes(item.start)
                ends = item.date.toordinal() * 1440 + to_minutes(item.end)
                extra = item.buffer_minutes if buffered else 0
                if start < ends + extra and begins - extra < end:
                    buffer = f", with its {extra}-minute buffer" if buffered else ""
                    return f"at {_item_text(item, buffer)}"
    return "no longer available at that time"


def _item_text(item: ProgrammeItem, extra: str = "") -> str:
    """ "the seminar 'Energy' (2025-11-14 09:00-10:00)", or "'Seminar: quantum sensing' (...)" when
    the title already says its kind (never 'seminar 'Seminar: ...'')."""
    return f"{item.named} ({item.date} {item.start}-{item.end}{extra})"


def people_text(instance: Instance, pids: list[str]) -> str:
    names = [name_of(instance, p) for p in pids]
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]


def _no_longer(instance: Instance, pids: list[str]) -> str:
    return f"{people_text(instance, pids)} no longer {'attends' if len(pids) == 1 else 'attend'}"


def _joins(instance: Instance, pids: list[str]) -> str:
    return f"{people_text(instance, pids)} now {'joins' if len(pids) == 1 else 'join'} this meeting"


def diff(
    instance: Instance, before: Schedule, after: Schedule, causes: Mapping[str, str] | None = None
) -> list[Change]:
    """What changed from `before` to `after`, whom to tell and why, in instance order."""
    causes = dict(causes or {})
    for mid, cancellation in _first_cancellation(instance, before, after).items():
        causes.setdefault(mid, cause_of(instance, cancellation))
    gone_people = {c.id for c in after.cancelled if c.kind == "participant"}
    cancelled_now = {c.id for c in after.cancelled if c.kind == "meeting"}
    old, new = before.assignment_by_meeting, after.assignment_by_meeting
    changes: list[Change] = []
    order = [m.id for m in instance.meetings] + sorted(set(old) - set(instance.meeting_by_id))
    for mid in order:
        a, b = old.get(mid), new.get(mid)
        if a is b and (a is None or a.participants is not None):
            continue  # (a re-solve writes an unmoved meeting as its very assignment: nothing changed)
        people_before = attendees(instance, before.cancelled, a, before.frozen_until) if a is not None else []
        people_after = attendees(instance, after.cancelled, b, after.frozen_until) if b is not None else []
        left = [p for p in people_before if p not in people_after]
        joined = [p for p in people_after if p not in people_before]
        interpreters = list(dict.fromkeys(x.interpreter for x in (a, b) if x is not None and x.interpreter))
        if a is not None and b is not None:
            if a.place_key() == b.place_key() and a.end == b.end and not left and not joined:
                if a.interpreter == b.interpreter:
                    continue
                notify = [*people_after, *interpreters]
                cause = causes.get(mid) or interpreter_change(instance, a.interpreter, b.interpreter)
                changes.append(Change(meeting=mid, change="interpreter", before=a, after=b, notify=notify, cause=cause))
                continue
            if a.place_key() != b.place_key():
                kind, cause = "moved", causes.get(mid, "moved to fit the changes")
            elif a.end != b.end:
                kind, cause = "resized", causes.get(mid, f"now ends at {b.end} instead of {a.end}")
            elif left:
                kind = "left"
                cause = causes.get(mid) or _no_longer(instance, left)
            else:
                kind, cause = "added", _joins(instance, joined)
            edited_out = [p for p in left if p not in gone_people]  # cancellations are in the cause already
            if edited_out and kind != "left":
                cause += f"; {_no_longer(instance, edited_out)}"
            if joined and kind != "added":
                cause += f"; {_joins(instance, joined)}"
            notify = people_after + [p for p in left if p not in gone_people and p in instance.participant_by_id]
        elif a is None:
            kind, cause = "added", causes.get(mid, "a place became free")
            notify = people_after
        else:
            kind = "cancelled" if mid in cancelled_now or mid not in instance.meeting_by_id else "dropped"
            # (Not "higher-priority": two of priority 3 and 4 may take the place of one of 4.)
            cause = causes.get(mid, "its place went to other meetings that together have more priority")
            notify = [p for p in people_before if p not in gone_people and p in instance.participant_by_id]
        # Interpreters before and after, also one taken out of the instance: they lose the meeting.
        notify += [i for i in interpreters if i not in notify]
        changes.append(Change(meeting=mid, change=kind, before=a, after=b, notify=notify, cause=cause))  # type: ignore[arg-type]
    return changes


def _first_cancellation(instance: Instance, before: Schedule, after: Schedule) -> dict[str, Cancellation]:
    """Each earlier meeting a new cancellation ends, and each meeting placed now whose request a
    new cancellation took someone from, with the first such cancellation (as given): one pass over
    the schedules, not one per cancellation (500 of them at 60,000 requests)."""
    earlier = {(c.kind, c.id) for c in before.cancelled}
    new_cancels = [c for c in after.cancelled if (c.kind, c.id) not in earlier]
    first: dict[str, int] = {}
    people: dict[str, int] = {}
    rooms: dict[str, int] = {}
    for index, c in enumerate(new_cancels):
        if c.kind == "participant":
            people.setdefault(c.id, index)
        elif c.kind == "room":
            rooms.setdefault(c.id, index)
        elif c.kind == "meeting":
            first.setdefault(c.id, index)
    if people or rooms:
        for held in before.assignments:
            found = [people[p] for p in attendees(instance, before.cancelled, held, before.frozen_until) if p in people]
            if held.room in rooms:
                found.append(rooms[held.room])
            if found:
                first[held.meeting] = min([*found, first.get(held.meeting, len(new_cancels))])
    if people:  # a waiting request placed now that it lost someone: why it changed, as the re-solve says
        held_before = before.assignment_by_meeting
        for placed in after.assignments:
            request = instance.meeting_by_id.get(placed.meeting)
            if placed.meeting not in held_before and request is not None:
                found = [people[p] for p in request.participants if p in people]
                if found:
                    first[placed.meeting] = min(found)
    return {mid: new_cancels[index] for mid, index in first.items()}


def interpreter_change(instance: Instance, before: str | None, after: str | None) -> str:
    """The cause of a change of interpreter alone, where nothing else explains it."""
    if before is None:
        return f"{name_of(instance, after or '')} now interprets"
    if after is None:
        return f"{name_of(instance, before)} no longer interprets: no interpreter is needed"
    return f"{name_of(instance, after)} interprets instead of {name_of(instance, before)}"


def moved_without_cause(changes: list[Change], affected: Mapping[str, str]) -> list[str]:
    """Meetings that moved, vanished or changed interpreter though nothing forced them to: zero by default."""
    return [c.meeting for c in changes if c.change in ("moved", "dropped", "interpreter") and c.meeting not in affected]
