"""A SolveOutcome as a plain Schedule (the file format), meetings in instance order."""

from __future__ import annotations

import datetime as dt

from scheduler.model import Option, to_clock
from scheduler.solution import Assignment, MinMeetingsMissed, Schedule, Unscheduled
from scheduler.solver.request import SolveOutcome, SolveRequest


def to_assignment(
    meeting_id: str,
    option: Option,
    room: str,
    participants: list[str] | None = None,
    interpreter: str | None = None,
) -> Assignment:
    return Assignment(
        meeting=meeting_id,
        date=option.date.isoformat(),
        start=to_clock(option.start),
        end=to_clock(option.end),
        city=option.city,
        venue=option.venue,
        room=room,
        participants=None if participants is None else list(participants),
        interpreter=interpreter,
    )


def outcome_to_schedule(
    outcome: SolveOutcome, request: SolveRequest, instance_path: str, instance_sha256: str
) -> Schedule:
    """A plain Schedule, meetings in instance order, each with the people the request gave it."""
    meetings = request.instance.meetings
    assignments = [
        to_assignment(
            m.id,
            *outcome.placements[m.id],
            participants=request.meeting_participants(m),
            interpreter=outcome.interpreters.get(m.id),
        )
        for m in meetings
        if m.id in outcome.placements
    ]
    unscheduled = [
        Unscheduled(meeting=m.id, reason=outcome.unscheduled[m.id]) for m in meetings if m.id in outcome.unscheduled
    ]
    return Schedule(
        instance=instance_path,
        instance_sha256=instance_sha256,
        event=request.instance.event.name,
        created=dt.datetime.now(dt.UTC).astimezone().isoformat(timespec="seconds"),
        status="OPTIMAL" if outcome.status == "OPTIMAL" else "FEASIBLE",
        objective=outcome.objective,
        bound=outcome.bound,
        assignments=assignments,
        unscheduled=unscheduled,
        solve_seconds=round(outcome.seconds, 2),
        first_schedule_seconds=_rounded(outcome.first_schedule_seconds),
        goals=dict(outcome.goals) or None,
        min_meetings_missed=[
            MinMeetingsMissed(participant=pid, meetings=given, min_meetings=promised)
            for pid, (given, promised) in outcome.min_meetings_missed.items()
        ]
        or None,
    )


def _rounded(seconds: float | None) -> float | None:
    return None if seconds is None else round(seconds, 2)
