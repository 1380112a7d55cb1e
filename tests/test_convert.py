"""Outcome to schedule: assignments carry the people the request gave each meeting."""

from __future__ import annotations

from conftest import make_instance, meeting

from scheduler.solver.convert import outcome_to_schedule
from scheduler.solver.request import SolveOutcome, SolveRequest


def test_assignments_name_the_requests_people_after_a_removal() -> None:
    instance = make_instance(meetings=[meeting("abc", "a", "b", "c"), meeting("cd", "c", "d")])
    request = SolveRequest(instance, participants_of={"abc": ["a", "b"]})
    option, cd_option = instance.meeting_options(instance.meeting_by_id["cd"])  # 09:00 and 09:30
    outcome = SolveOutcome("FEASIBLE", 2, 2, {"abc": (option, "T-1"), "cd": (cd_option, "T-1")}, {}, 0, 0.0)
    schedule = outcome_to_schedule(outcome, request, "x.yaml", "0" * 64)
    assert [(a.meeting, a.participants) for a in schedule.assignments] == [("abc", ["a", "b"]), ("cd", ["c", "d"])]


def test_a_meeting_placed_as_before_is_written_as_its_earlier_assignment_and_any_change_anew() -> None:
    """A re-solve passes the previous assignments: one placed just as there is that very object;
    a change of time, room or people (a cancellation) gives a new one."""
    instance = make_instance(meetings=[meeting("ab", "a", "b"), meeting("cd", "c", "d"), meeting("abc", "a", "b", "c")])
    first, second = instance.meeting_options(instance.meeting_by_id["cd"])  # 09:00 and 09:30
    request = SolveRequest(instance)
    before = outcome_to_schedule(
        SolveOutcome(
            "FEASIBLE", 2, 2, {"ab": (first, "T-1"), "cd": (second, "T-1"), "abc": (first, "T-1")}, {}, 0, 0.0
        ),
        request,
        "x.yaml",
        "0" * 64,
    ).assignment_by_meeting
    fewer = SolveRequest(instance, participants_of={"abc": ["a", "b"]})
    placed = {"ab": (first, "T-1"), "cd": (first, "T-1"), "abc": (first, "T-1")}
    after = outcome_to_schedule(SolveOutcome("FEASIBLE", 2, 2, placed, {}, 0, 0.0), fewer, "x.yaml", "0" * 64, before)
    now = after.assignment_by_meeting
    assert now["ab"] is before["ab"]
    assert now["cd"] is not before["cd"] and now["cd"].start == "09:00"
    assert now["abc"] is not before["abc"] and now["abc"].participants == ["a", "b"]
