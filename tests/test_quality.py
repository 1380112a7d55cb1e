"""Quality read from a schedule: holes and idle slots per session, meetings per person, steady tables."""

from __future__ import annotations

from conftest import make_instance, meeting
from test_verify import place

from scheduler.quality import holes_and_idle, measure, steady_rooms
from scheduler.solution import Assignment, Schedule

VENUES = [
    {
        "id": "bj",
        "city": "Beijing",
        "days": [
            {"date": "2025-11-13", "sessions": [{"start": "09:00", "end": "11:00"}, {"start": "14:00", "end": "15:00"}]}
        ],
        "rooms": [{"id": "T", "count": 2, "capacity": 2}],
    }
]
INSTANCE = make_instance(
    venues=VENUES,
    participants=[{"id": p, "name": p, "min_meetings": 2 if p == "d" else None} for p in "abcde"],
    meetings=[
        meeting("ab", "a", "b"),
        meeting("ac", "a", "c"),
        meeting("ad", "a", "d"),
        meeting("ae", "a", "e"),
        meeting("bc", "b", "c"),
    ],
)


def schedule(*assignments: Assignment) -> Schedule:
    return Schedule(
        instance="x.yaml",
        instance_sha256="0" * 64,
        created="now",
        status="FEASIBLE",
        objective=0,
        bound=0,
        assignments=list(assignments),
    )


def test_holes_count_runs_of_free_slots_inside_a_session_only() -> None:
    """a: 09:00, [09:30 free], 10:00, [10:30 free]... then 14:00 after the break: one hole of one
    slot; 10:00 -> 14:00 crosses a session break, which is no hole. b: 09:00 and 10:30 (two idle)."""
    found = schedule(
        place("ab", "09:00", "09:30", "T-1"),
        place("ac", "10:00", "10:30", "T-1"),
        place("ad", "14:00", "14:30", "T-1"),
        place("bc", "10:30", "11:00", "T-2"),
    )
    assert holes_and_idle(INSTANCE, found) == (2, 3)
    quality = measure(INSTANCE, found)
    assert (quality.without_meeting, quality.min_meetings, quality.min_meetings_missed) == (1, 0, 1)  # e; d has 1 of 2


def test_back_to_back_in_one_room_is_a_stay() -> None:
    found = schedule(
        place("ab", "09:00", "09:30", "T-2"), place("ac", "09:30", "10:00", "T-2"), place("ad", "10:00", "10:30", "T-1")
    )
    assert steady_rooms(INSTANCE, found, "a") == {"ac": "T-2"}
    assert measure(INSTANCE, found).table_changes == 1
