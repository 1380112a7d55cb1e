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
