"""Required meetings: the solve holds them even where that costs priority, and says when it cannot."""

from __future__ import annotations

import pytest
from conftest import make_instance, meeting, solve_outcome_and_verify

from scheduler.solver.request import NoSchedule, SolveRequest


def one_slot_two_requests() -> SolveRequest:
    """One table, one half-hour (the session is cut to 09:00-09:30): hi (5) or lo (1), not both."""
    venues = [
        {
            "id": "bj",
            "city": "Beijing",
            "days": [{"date": "2025-11-13", "sessions": [{"start": "09:00", "end": "09:30"}]}],
            "rooms": [{"id": "T", "capacity": 2}],
        }
    ]
    instance = make_instance(venues=venues, meetings=[meeting("hi", "a", "b", priority=5), meeting("lo", "c", "d")])
    return SolveRequest(instance, required={"lo"})


def test_a_required_meeting_is_placed_even_at_the_cost_of_priority() -> None:
    """Without `required` hi wins (5 > 1); with lo required, lo takes the only slot and hi stays out."""
    request = one_slot_two_requests()
    outcome, _ = solve_outcome_and_verify(request.instance, request)
    assert set(outcome.placements) == {"lo"}
    assert outcome.objective == 1
    assert outcome.stages == ["cp-sat"]  # the full model ran: the draft does not know `required`
    free_outcome, _ = solve_outcome_and_verify(request.instance)
    assert set(free_outcome.placements) == {"hi"}


def test_a_required_meeting_with_no_place_at_all_is_refused_with_its_reason() -> None:
    """A meeting of three where the only table seats two cannot be required."""
    instance = make_instance(meetings=[meeting("g", "a", "b", "c")])
    with pytest.raises(NoSchedule, match="required meeting g cannot be placed: no room holds 3 people"):
        solve_outcome_and_verify(instance, SolveRequest(instance, required={"g"}))
