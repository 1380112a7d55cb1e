"""Who attends a scheduled meeting: one reading of history for resolve, timetables and exports.

A cancellation counts from the moment it was recorded (`Cancellation.from_`, None = from the
start), so a meeting held before that moment happened with the people it had then. A schedule
written by this version records each assignment's people; older files are read through the
cancellations instead. (The checker re-derives this on its own, on purpose.)
"""

from __future__ import annotations

from scheduler.model import Instance, ProgrammeItem
from scheduler.solution import Assignment, Cancellation


def starts_at(assignment: Assignment) -> str:
    """'2025-11-14T10:30': comparable as text with other local times of the same form."""
    return f"{assignment.date}T{assignment.start}"


def cancellation_applies(cancellation: Cancellation, moment: str) -> bool:
    """Whether a cancellation is in force for a meeting starting at `moment` (local, minutes)."""
    return cancellation.from_ is None or cancellation.from_[:16] <= moment


def attendees(
    instance: Instance, cancelled: list[Cancellation], assignment: Assignment, frozen_until: str | None = None
) -> list[str]:
    """The people of a scheduled meeting, in request order.

    `frozen_until` matters only for files written before assignments carried their people:
    there, a cancellation recorded without its moment spared meetings before the frozen
    moment (that version's rule); one with a moment counts from it, as everywhere.
    """
    if assignment.participants is not None:
        return list(assignment.participants)
    meeting = instance.meeting_by_id.get(assignment.meeting)
    if meeting is None:
        return []
    moment = starts_at(assignment)
    history = frozen_until is not None and moment < frozen_until[:16]
    gone = {
        c.id
        for c in cancelled
        if c.kind == "participant" and cancellation_applies(c, moment) and not (history and c.from_ is None)
    }
    return [p for p in meeting.participants if p not in gone]


def programme_attended(instance: Instance, cancelled: list[Cancellation], pid: str) -> list[ProgrammeItem]:
    """The programme items a participant attends, in time order: none from the moment they were
    cancelled (as their printed agenda leaves them out; a timetable still listed them)."""
    gone = [c for c in cancelled if c.kind == "participant" and c.id == pid]
    return sorted(
        (
            item
            for item in instance.programme
            if pid in instance.programme_attendees[item.id]
            and not any(cancellation_applies(c, item_starts_at(item)) for c in gone)
        ),
        key=lambda item: (item.date, item.start, item.id),
    )


def item_starts_at(item: ProgrammeItem) -> str:
    """'2025-11-14T09:30', as `starts_at` gives a meeting's."""
    return f"{item.date.isoformat()}T{item.start}"
