"""The change list between two schedules: kinds, whom to tell, and causes in plain words."""

from __future__ import annotations

import datetime as dt
from typing import Any

from conftest import make_instance, meeting

from scheduler.changes import diff, not_free_because, same_event
from scheduler.model import Option
from scheduler.solution import Assignment, Cancellation, Schedule

PEOPLE: list[dict[str, Any]] = [{"id": p, "name": p.upper()} for p in "abcd"]
VENUES = [
    {
        "id": "bj",
        "city": "Beijing",
        "days": [{"date": "2025-11-13", "sessions": [{"start": "09:00", "end": "11:00"}]}],
        "rooms": [{"id": "R", "capacity": 4}],
    }
]
INSTANCE = make_instance(venues=VENUES, participants=PEOPLE, meetings=[meeting("abc", "a", "b", "c")])


def at(start: str, end: str, people: list[str]) -> Assignment:
    return Assignment(
        meeting="abc",
        date="2025-11-13",
        start=start,
        end=end,
        city="Beijing",
        venue="bj",
        room="R",
        participants=people,
    )


def schedule(*assignments: Assignment, cancelled: list[Cancellation] | None = None) -> Schedule:
    return Schedule(
        instance="x.yaml",
        instance_sha256="0" * 64,
        created="2026-01-01T10:00:00+08:00",
        status="FEASIBLE",
        objective=len(assignments),
        bound=9,
        assignments=list(assignments),
        cancelled=cancelled or [],
        event="Test week",
    )


def test_someone_leaving_a_meeting_that_keeps_its_place_is_told_to_the_others() -> None:
    before = schedule(at("09:00", "09:30", ["a", "b", "c"]))
    gone = Cancellation(kind="participant", id="c", from_="2025-11-13T08:00")
    after = schedule(at("09:00", "09:30", ["a", "b"]), cancelled=[gone])
    [change] = diff(INSTANCE, before, after)
    assert (change.change, change.notify, change.cause) == ("left", ["a", "b"], "C can no longer attend")


def test_someone_joining_is_told_and_so_are_the_others() -> None:
    before = schedule(at("09:00", "09:30", ["a", "b"]))
    after = schedule(at("09:00", "09:30", ["a", "b", "c"]))
    [change] = diff(INSTANCE, before, after)
    assert (change.change, change.notify, change.cause) == ("added", ["a", "b", "c"], "C now joins this meeting")


def test_a_longer_meeting_at_the_same_start_is_resized() -> None:
    before = schedule(at("09:00", "09:30", ["a", "b"]))
    after = schedule(at("09:00", "10:00", ["a", "b"]))
    [change] = diff(INSTANCE, before, after)
    assert (change.change, change.cause) == ("resized", "now ends at 10:00 instead of 09:30")


def test_two_people_leaving_read_as_one_sentence() -> None:
    before = schedule(at("09:00", "09:30", ["a", "b", "c"]))
    after = schedule(at("09:30", "10:00", ["a"]))
    [change] = diff(INSTANCE, before, after, {"abc": "moved to fit the changes"})
    assert change.cause == "moved to fit the changes; B and C no longer attend"
    assert change.notify == ["a", "b", "c"]


def test_a_renamed_event_is_the_same_event_another_one_is_not() -> None:
    previous = schedule(at("09:00", "09:30", ["a", "b"])).model_copy(update={"event": "Old name"})
    assert same_event(INSTANCE, previous)
    other = make_instance(
        participants=[{"id": "x", "name": "X"}, {"id": "y", "name": "Y"}], meetings=[meeting("xy", "x", "y")]
    )
    assert not same_event(other, previous)


def test_why_someone_is_not_free_names_the_item_its_buffer_or_its_city_else_their_availability() -> None:
    """a: a Hangzhou visit on the 13th (all day in another city); b: a seminar 09:00-09:30 with a
    15-minute buffer; c: free only from 10:00 (their own availability)."""
    item = {"date": "2025-11-13", "start": "09:00", "end": "09:30"}
    people = [
        *PEOPLE[:2],
        {
            "id": "c",
            "name": "C",
            "available": [{"date": "2025-11-13", "city": "Beijing", "start": "10:00", "end": "11:00"}],
        },
    ]
    programme = [
        {**item, "id": "v", "title": "Labs", "kind": "visit", "city": "Hangzhou", "attendees": ["a"]},
        {**item, "id": "s", "title": "AI", "city": "Beijing", "attendees": ["b"], "buffer_minutes": 15},
    ]
    hangzhou = {**VENUES[0], "id": "hz", "city": "Hangzhou", "rooms": [{"id": "H", "capacity": 4}]}
    instance = make_instance(venues=[*VENUES, hangzhou], participants=people, programme=programme)
    day = dt.date(2025, 11, 13)
    nine, half_past = Option("bj", "Beijing", day, 540, 570), Option("bj", "Beijing", day, 570, 600)
    assert (
        not_free_because(instance, "a", half_past)
        == "at the visit 'Labs' (2025-11-13 09:00-09:30) in Hangzhou that day"
    )
    assert not_free_because(instance, "b", nine) == "at the seminar 'AI' (2025-11-13 09:00-09:30)"
    assert (
        not_free_because(instance, "b", half_past)
        == "at the seminar 'AI' (2025-11-13 09:00-09:30, with its 15-minute buffer)"
    )
    assert not_free_because(instance, "c", nine) == "no longer available at that time"
    # A title that already says its kind is not preceded by it again ('seminar 'Seminar: ...'').
    titled = [{**item, "id": "s", "title": "Seminar: quantum sensing", "city": "Beijing", "attendees": ["b"]}]
    named = make_instance(venues=[*VENUES, hangzhou], participants=people, programme=titled)
    assert not_free_because(named, "b", nine) == "at 'Seminar: quantum sensing' (2025-11-13 09:00-09:30)"


def test_the_very_same_assignment_is_no_change_unless_its_people_are_read_from_cancellations() -> None:
    """A re-solve writes an unmoved meeting as its previous assignment object: no change. An old
    file's assignment names no people, who are then read through the cancellations: someone
    cancelled since has left it, even though the assignment object is the same."""
    same = at("09:00", "09:30", ["a", "b", "c"])
    assert diff(INSTANCE, schedule(same), schedule(same)) == []
    old_style = same.model_copy(update={"participants": None})
    gone = [Cancellation(kind="participant", id="c")]
    changes = diff(INSTANCE, schedule(old_style), schedule(old_style, cancelled=gone))
    assert [(c.change, c.notify) for c in changes] == [("left", ["a", "b"])]


def test_a_meeting_dropped_without_a_cause_gave_way_to_more_priority_in_all() -> None:
    """With --max-moves an unaffected meeting may give way to two that together count for more,
    neither of higher priority: it said "higher-priority meetings" (the organiser trial)."""
    [change] = diff(INSTANCE, schedule(at("09:00", "09:30", ["a", "b", "c"])), schedule())
    assert (change.change, change.notify) == ("dropped", ["a", "b", "c"])
    assert change.cause == "its place went to other meetings that together have more priority"
