"""What the solve knows before any search: each meeting's options and a bound from people's time."""

from __future__ import annotations

from conftest import make_instance, meeting, solve_and_verify
from hypothesis import HealthCheck, given, settings
from test_property import instances

from scheduler.model import Instance
from scheduler.solver.prepared import Prepared
from scheduler.solver.request import SolveRequest


def test_people_s_caps_bound_the_total_before_any_search() -> None:
    """a may have one meeting: ab (4) or ac (2). Split evenly, a's shares are 2 and 1 and a takes
    one (2); b's is 2 and c's 1: the bound is 5 where every priority together is 6; the optimum is 4."""
    instance = make_instance(
        participants=[{"id": "a", "name": "A", "max_meetings": 1}, {"id": "b", "name": "B"}, {"id": "c", "name": "C"}],
        meetings=[meeting("ab", "a", "b", priority=4), meeting("ac", "a", "c", priority=2)],
    )
    assert Prepared(SolveRequest(instance)).total() == 5
    assert solve_and_verify(instance).objective == 4


def test_free_slots_bound_the_total_too() -> None:
    """The day has two slots; a is in three requests of 2 each: a's shares are 1, 1, 1, two count."""
    instance = make_instance(
        venues=[
            {
                "id": "bj",
                "city": "Beijing",
                "days": [{"date": "2025-11-13", "sessions": [{"start": "09:00", "end": "10:00"}]}],
                "rooms": [{"id": "T", "count": 3, "capacity": 2}],
            }
        ],
        meetings=[meeting(f"a{p}", "a", p, priority=2) for p in "bcd"],
    )
    assert Prepared(SolveRequest(instance)).total() == 2 + 3  # a: 1 + 1; b, c, d: 1 each
    assert solve_and_verify(instance).objective == 4


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(instances())
def test_the_bound_before_search_is_never_below_the_optimum(instance: Instance) -> None:
    optimum = solve_and_verify(instance, time_limit=10)
    assert optimum.status == "OPTIMAL"
    assert Prepared(SolveRequest(instance)).total() >= optimum.objective
