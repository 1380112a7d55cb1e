"""Stats: holes, idle slots, table changes, meetings per person and room use on hand-checked schedules."""

from __future__ import annotations

import itertools
from pathlib import Path
from typing import Any

from conftest import BASE, hand_made, make_instance, meeting, solve_and_verify
from hypothesis import HealthCheck, given, settings
from test_cli import run
from test_cli import solved as solved_file
from test_property import instances

from scheduler import explanation, stats
from scheduler.model import Instance, to_minutes
from scheduler.solution import Assignment, Schedule, Unscheduled
from scheduler.verify import verify

VENUE: list[dict[str, Any]] = [
    {
        "id": "bj",
        "city": "Beijing",
        "days": [
            {"date": "2025-11-13", "sessions": [{"start": "09:00", "end": "12:00"}, {"start": "14:00", "end": "15:00"}]}
        ],
        "rooms": [{"id": "T", "count": 3, "capacity": 2}],
    }
]
"""One date, a morning of six slots and an afternoon of two, three tables: 24 room-slots."""


def at(mid: str, start: str, end: str, room: str, *people: str) -> Assignment:
    return Assignment(
        meeting=mid,
        date="2025-11-13",
        start=start,
        end=end,
        city="Beijing",
        venue="bj",
        room=room,
        participants=list(people),
    )


def a_busy_morning() -> tuple[Instance, Schedule]:
    """a meets at 09:00 (T-1), 09:30 (T-2), 11:00 (T-2) and 14:30 (T-1).

    Holes: one, a's 10:00-11:00 (two idle slots); 11:30 to 14:30 spans the lunch break, not a
    hole. Table changes: one, a's T-1 -> T-2 at 09:30 (10:00 -> 11:00 is not back to back).
    f is never available (no meeting); d-e could still meet (a place is free).
    """
    people: list[dict[str, Any]] = [{"id": p, "name": p.upper()} for p in "abcde"]
    people.append({"id": "f", "name": "F", "available": [{"date": "2025-11-14", "city": "Beijing"}]})
    instance = make_instance(
        venues=VENUE,
        participants=people,
        meetings=[
            meeting("m1", "a", "b"),
            meeting("m2", "a", "c"),
            meeting("m3", "a", "d"),
            meeting("m4", "a", "e"),
            meeting("m5", "d", "e"),
            meeting("m6", "f", "a"),
        ],
    )
    schedule = hand_made(
        instance,
        at("m1", "09:00", "09:30", "T-1", "a", "b"),
        at("m2", "09:30", "10:00", "T-2", "a", "c"),
        at("m3", "11:00", "11:30", "T-2", "a", "d"),
        at("m4", "14:30", "15:00", "T-1", "a", "e"),
        unscheduled=[Unscheduled(meeting="m5", reason="x"), Unscheduled(meeting="m6", reason="y")],
    )
    assert (schedule.objective, schedule.bound) == (4, 6)
    assert verify(instance, schedule) == []
    return instance, schedule


def test_holes_idle_slots_and_table_changes_on_a_hand_checked_schedule() -> None:
    instance, schedule = a_busy_morning()
    assert stats.hole_list(instance, schedule) == [stats.Hole("a", "2025-11-13", "10:00", "11:00", 2)]
    assert stats.holes(instance, schedule) == 1
    assert stats.idle_slots(instance, schedule) == 2
    changes = stats.table_change_list(instance, schedule)
    assert [(c.person, c.before.meeting, c.after.meeting) for c in changes] == [("a", "m1", "m2")]
    assert stats.table_changes(instance, schedule) == 1


def test_meetings_per_person_who_has_none_and_why_room_use_and_reasons() -> None:
    instance, schedule = a_busy_morning()
    figures = stats.stats(instance, schedule)
    assert figures.meetings_of == {"a": 4, "b": 1, "c": 1, "d": 1, "e": 1, "f": 0}
    assert figures.distribution == {0: 1, 1: 4, 4: 1}
    assert (figures.minimum, figures.median) == (0, 1)
    assert figures.without == {"f": {explanation.NO_COMMON_TIME: ["m6"]}}
    assert figures.room_use == [stats.RoomUse("Beijing", "2025-11-13", 4, 24)]
    assert figures.unscheduled == {explanation.FITS: ["m5"], explanation.NO_COMMON_TIME: ["m6"]}


def test_a_solved_schedule_without_gaps_has_no_holes() -> None:
    """One table, one hour, a in both requests: back to back at the same table, no hole, no change."""
    instance = make_instance(meetings=[meeting("m1", "a", "b"), meeting("m2", "a", "c")])
    schedule = solve_and_verify(instance)
    assert (stats.holes(instance, schedule), stats.table_changes(instance, schedule)) == (0, 0)


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(instances())
def test_meetings_and_idle_slots_fill_each_persons_session_from_first_to_last(instance: Instance) -> None:
    """Per person and session: slots in meetings + idle slots == the span from first start to last end."""
    schedule = solve_and_verify(instance, time_limit=5)
    step = instance.event.slot_minutes
    idle: dict[tuple[str, str, str], int] = {}
    for hole in stats.hole_list(instance, schedule):
        assert hole.slots >= 1
        idle[(hole.person, hole.date, hole.start)] = hole.slots
    for pid, mine in stats.person_meetings(instance, schedule).items():
        sessions = itertools.groupby(mine, key=lambda a: _session(instance, a))
        for _, group in sessions:
            run = list(group)
            span = (to_minutes(run[-1].end) - to_minutes(run[0].start)) // step
            busy = sum((to_minutes(a.end) - to_minutes(a.start)) // step for a in run)
            gaps = sum(idle.get((pid, a.date, a.end), 0) for a in run)
            assert busy + gaps == span


def _session(instance: Instance, a: Assignment) -> tuple[str, str, int]:
    """The session window holding `a`, found from the venue's own days (not stats' helper)."""
    venue = instance.venue_by_id[a.venue]
    day = next(d for d in venue.days if d.date.isoformat() == a.date)
    window = next(w for w in day.sessions if w.start_min <= to_minutes(a.start) < w.end_min)
    return (a.venue, a.date, window.start_min)


def test_cli_stats_shows_every_section(sample_copy: Path) -> None:
    schedule_path = solved_file(sample_copy)
    code, output = run("stats", str(sample_copy), str(schedule_path))
    assert code == 0, output
    for heading in ("Meetings per person", "Idle gaps:", "Table changes", "Room use", "Unscheduled requests by reason"):
        assert heading in output, heading
    assert "max_meetings reached" in output and "r08" in output


def test_a_break_max_consecutive_requires_is_told_apart_from_idle_time() -> None:
    """max_consecutive 2, four slots; a meets b, c, d and e: two, a break, two. The break is a hole
    the rule requires; with max_consecutive 4 the same hole would not be."""
    venues = [{**BASE["venues"][0], "days": [{"date": "2025-11-13", "sessions": [{"start": "09:00", "end": "11:30"}]}]}]
    people = [{"id": p, "name": p.upper()} for p in "abcde"]
    meetings = [meeting(f"m{p}", "a", p) for p in "bcde"]
    at: dict[str, Any] = {"date": "2025-11-13", "city": "Beijing", "venue": "bj", "room": "T-1"}
    starts = [("09:00", "09:30"), ("09:30", "10:00"), ("10:30", "11:00"), ("11:00", "11:30")]
    assignments = [Assignment(meeting=f"m{p}", start=s, end=e, **at) for p, (s, e) in zip("bcde", starts, strict=True)]
    for limit, required in ((2, True), (4, False)):
        instance = make_instance(
            event={**BASE["event"], "max_consecutive": limit}, venues=venues, participants=people, meetings=meetings
        )
        schedule = solve_and_verify(instance).model_copy(
            update={"assignments": assignments, "unscheduled": [], "objective": 4, "status": "FEASIBLE"}
        )
        assert verify(instance, schedule) == []
        found = [h for h in stats.hole_list(instance, schedule) if h.person == "a"]
        assert [(h.start, h.end, h.required_break) for h in found] == [("10:00", "10:30", required)]
