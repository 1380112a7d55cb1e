"""A re-solve's bound from the time its kept meetings leave: hand-checked, and never below the optimum."""

from __future__ import annotations

import copy
import datetime as dt
from typing import Any

import pytest
from conftest import make_instance, meeting, resolve_and_verify, solve_and_verify, solve_outcome_and_verify
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from test_property import instance_data

from scheduler.cancellations import parse_cancel
from scheduler.model import Instance, Option
from scheduler.resolve import plan
from scheduler.solver import pipeline
from scheduler.solver.convert import outcome_to_schedule
from scheduler.solver.prepared import Prepared
from scheduler.solver.request import Pin, SolveParams, SolveRequest
from scheduler.solver.residual import pins_stay, residual_bound
from scheduler.verify import verify

DAY = dt.date(2025, 11, 13)
TWO_TABLES: list[dict[str, Any]] = [
    {
        "id": "bj",
        "city": "Beijing",
        "days": [{"date": "2025-11-13", "sessions": [{"start": "09:00", "end": "10:00"}]}],
        "rooms": [{"id": "T", "count": 2, "capacity": 2}],
    }
]


def a_s_morning_kept() -> tuple[Instance, SolveRequest]:
    """a keeps ab at 09:00 and ac at 09:30, the whole hour; ad (10) waits and cannot fit."""
    instance = make_instance(
        venues=TWO_TABLES,
        meetings=[meeting("ab", "a", "b"), meeting("ac", "a", "c"), meeting("ad", "a", "d", priority=10)],
    )
    pins = {
        "ab": Pin("ab", Option("bj", "Beijing", DAY, 9 * 60, 9 * 60 + 30), "T-1", forced=False),
        "ac": Pin("ac", Option("bj", "Beijing", DAY, 9 * 60 + 30, 10 * 60), "T-1", forced=False),
    }
    return instance, SolveRequest(instance, pins=pins)


def test_time_the_kept_meetings_fill_holds_nothing_more() -> None:
    """Split evenly, ad's share would count for d, and for a beside the kept ones: the capacity
    bound is 11 (a: 5 + 0.5, b and c 0.5, d 5). Around the kept meetings a has no slot left, so
    ad fits nowhere: 2, the optimum."""
    instance, request = a_s_morning_kept()
    prepared = Prepared(request)
    assert prepared._capacity_bound == 11
    assert residual_bound(prepared) == 2
    assert prepared.total() == 2
    assert solve_and_verify(instance, request).objective == 2


def test_a_kept_meeting_fixes_its_people_s_city_for_the_day() -> None:
    """a's kept meeting with c is in Hangzhou; b can only be in Beijing: ab (5) cannot be added."""
    instance = make_instance(
        venues=[
            TWO_TABLES[0],
            {**TWO_TABLES[0], "id": "hz", "city": "Hangzhou", "rooms": [{"id": "H", "count": 2, "capacity": 2}]},
        ],
        participants=[
            {"id": "a", "name": "A"},
            {"id": "b", "name": "B", "available": [{"date": "2025-11-13", "city": "Beijing"}]},
            {"id": "c", "name": "C"},
        ],
        meetings=[meeting("ac", "a", "c"), meeting("ab", "a", "b", priority=5)],
    )
    pin = Pin("ac", Option("hz", "Hangzhou", DAY, 9 * 60, 9 * 60 + 30), "H-1", forced=False)
    request = SolveRequest(instance, pins={"ac": pin})
    assert residual_bound(Prepared(request)) == 1
    assert solve_and_verify(instance, request).objective == 1


def test_shares_count_up_to_each_person_s_slots_and_cap_left() -> None:
    """ab (1) kept at 09:00. Waiting, all of which fit at 09:30: ac (4), bc (2), ad (2).
    Shares: a 2 and 1, one slot left: 2; b 1; c 2 and 1, two slots: 3; d 1. So 1 + 7 = 8.
    With c's cap at 1: c takes 2 only, 1 + 6 = 7. The optimum is 5 (ac, or bc and ad)."""
    people: list[dict[str, Any]] = [{"id": p, "name": p.upper()} for p in "abcd"]
    waiting = [
        meeting("ac", "a", "c", priority=4),
        meeting("bc", "b", "c", priority=2),
        meeting("ad", "a", "d", priority=2),
    ]
    pin = Pin("ab", Option("bj", "Beijing", DAY, 9 * 60, 9 * 60 + 30), "T-1", forced=False)
    for cap, expected in ((None, 8), (1, 7)):
        people[2] = {"id": "c", "name": "C"} | ({"max_meetings": cap} if cap else {})
        instance = make_instance(venues=TWO_TABLES, participants=people, meetings=[meeting("ab", "a", "b"), *waiting])
        request = SolveRequest(instance, pins={"ab": pin})
        assert residual_bound(Prepared(request)) == expected
        assert solve_and_verify(instance, request).objective == 5


def test_it_only_covers_re_solves_whose_kept_meetings_stay() -> None:
    """With moves allowed, a kept meeting may give way: the bound says nothing then (None)."""
    instance, request = a_s_morning_kept()
    assert pins_stay(Prepared(request))
    moving = SolveRequest(instance, pins=request.pins, max_moves=1)
    assert not pins_stay(Prepared(moving)) and residual_bound(Prepared(moving)) is None
    forced = {mid: Pin(pin.meeting, pin.option, pin.room, forced=True) for mid, pin in request.pins.items()}
    assert residual_bound(Prepared(SolveRequest(instance, pins=forced, max_moves=1))) == 2
    assert residual_bound(Prepared(SolveRequest(instance))) is None  # a first solve has no kept meetings


def test_worked_out_on_another_core_it_is_the_same(monkeypatch: pytest.MonkeyPatch) -> None:
    """Above BOUNDS_AHEAD_ABOVE requests a child works the bounds out during the draft: same answer,
    and no child is left behind."""
    instance, request = a_s_morning_kept()
    here, _ = solve_outcome_and_verify(instance, request)
    children: list[pipeline.Background[tuple[int, ...]]] = []

    class Counted(pipeline.Background):
        def __init__(self, *args: Any, **kwargs: Any) -> None:
            children.append(self)
            super().__init__(*args, **kwargs)

    monkeypatch.setattr(pipeline, "BOUNDS_AHEAD_ABOVE", 0)
    monkeypatch.setattr(pipeline, "Background", Counted)
    ahead, _ = solve_outcome_and_verify(instance, request)
    assert len(children) == 1 and children[0]._child is None  # (reaped)
    assert (
        (ahead.objective, ahead.bound, ahead.status) == (here.objective, here.bound, here.status) == (2, 2, "OPTIMAL")
    )


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.data())
def test_never_below_what_a_re_solve_can_reach(data: st.DataObject) -> None:
    """Random events, solved, one participant cancelled: CP-SAT's own optimum of the re-solve
    (shortcuts off, so it proves it without our bounds) is never above the residual bound."""
    raw = copy.deepcopy(data.draw(instance_data()))
    instance = Instance.model_validate(raw)
    first = solve_and_verify(instance, time_limit=10)
    gone = data.draw(st.sampled_from([p.id for p in instance.participants]))
    resolve_plan = plan(instance, first, [parse_cancel(f"participant:{gone}")])
    bound = residual_bound(Prepared(resolve_plan.request))
    schedule, _ = resolve_and_verify(instance, first, [f"participant:{gone}"])
    if bound is None:
        assert not resolve_plan.request.pins
        return
    assert schedule.status == "OPTIMAL"
    assert bound >= schedule.objective


def test_a_failed_bounds_child_leaves_this_process_at_its_own_priority(monkeypatch: pytest.MonkeyPatch) -> None:
    """The child is niced; when it died, its work was done again here through the same niced
    wrapper, and the whole command went on at nice +10 (the attacker's)."""
    import os

    from scheduler.solver import residual

    instance, request = a_s_morning_kept()
    parent, real = os.getpid(), residual.residual_bound

    def dies_in_the_child(prepared: Prepared) -> int | None:
        if os.getpid() != parent:
            os._exit(1)
        return real(prepared)

    monkeypatch.setattr(pipeline, "BOUNDS_AHEAD_ABOVE", 0)
    monkeypatch.setattr("scheduler.solver.prepared.residual_bound", dies_in_the_child)
    before = os.nice(0)
    outcome, _ = solve_outcome_and_verify(instance, request)
    assert os.nice(0) == before
    assert (outcome.objective, outcome.bound) == (2, 2)


def test_ctrl_c_while_waiting_for_the_bounds_child_finishes_with_the_capacity_bound(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The draft stands, interrupted; the bounds are not worked out again here (0.5 s at 60,000
    requests, the attacker's): the capacity bound is, a valid one that costs less."""
    instance, request = a_s_morning_kept()
    calls: list[str] = []

    class Interrupted(pipeline.Background):
        def result(self) -> Any:
            calls.append("waited")
            raise KeyboardInterrupt

    monkeypatch.setattr(pipeline, "BOUNDS_AHEAD_ABOVE", 0)
    monkeypatch.setattr(pipeline, "Background", Interrupted)
    real = Prepared.search_free_bounds

    def counted(self: Prepared) -> tuple[int, ...]:
        calls.append("here")
        return real(self)

    monkeypatch.setattr(Prepared, "search_free_bounds", counted)
    params = SolveParams(time_limit=10, workers=1, seed=1, shortcuts=False)
    outcome = pipeline.solve(request, params)
    schedule = outcome_to_schedule(outcome, request, "test.yaml", "0" * 64)
    assert verify(instance, schedule) == []
    assert calls == ["waited"] and outcome.interrupted
    assert (outcome.objective, outcome.bound) == (2, 11)  # the capacity bound (see the first test)
