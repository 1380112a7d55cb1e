"""What the solve knows before any search: each meeting's options and a bound from people's time."""

from __future__ import annotations

from conftest import make_instance, meeting, resolve_and_verify, solve_and_verify
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


def test_history_outside_a_narrowed_availability_counts_on_top_of_the_free_slots() -> None:
    """H (p, s) happened at 09:00; p was then narrowed to 09:30-10:30. Kept K (q, r) at 09:30;
    W1 (p, q) and W2 (p, r) wait. With one move (K to 10:30) p has H, W1 and W2: 4 in all. The
    bound counted p's meetings as at most p's two free slots, proved 3, and a re-solve with
    --max-moves 1 stopped there, OPTIMAL (the second attacker's)."""
    import datetime as dt

    from conftest import hand_made

    from scheduler.resolve import plan
    from scheduler.solution import Assignment

    venue = [
        {
            "id": "bj",
            "city": "Beijing",
            "days": [{"date": "2025-11-13", "sessions": [{"start": "09:00", "end": "11:00"}]}],
            "rooms": [{"id": "T", "count": 2, "capacity": 2}],
        }
    ]
    people = [{"id": x, "name": x.upper()} for x in "pqrs"]
    meetings = [meeting("H", "p", "s"), meeting("K", "q", "r"), meeting("W1", "p", "q"), meeting("W2", "p", "r")]

    def at(mid: str, start: str, end: str) -> Assignment:
        return Assignment(meeting=mid, venue="bj", city="Beijing", room="T-1", date="2025-11-13", start=start, end=end)

    previous = hand_made(
        make_instance(venues=venue, participants=people, meetings=meetings),
        at("H", "09:00", "09:30"),
        at("K", "09:30", "10:00"),
    )
    narrowed = {"date": "2025-11-13", "city": "Beijing", "start": "09:30", "end": "10:30"}
    instance = make_instance(
        venues=venue, participants=[people[0] | {"available": [narrowed]}, *people[1:]], meetings=meetings
    )
    frozen = "2025-11-13T09:30"
    request = plan(instance, previous, [], dt.datetime.fromisoformat(frozen), max_moves=1).request
    assert Prepared(request).total() + (1 if "H" not in request.pins else 0) >= 4
    schedule, _ = resolve_and_verify(instance, previous, [], frozen, max_moves=1, shortcuts=True)  # (the command's)
    assert (schedule.objective, schedule.status) == (4, "OPTIMAL")
