"""Repairing a packed date: the neighbourhood, and CP-SAT placing what the greedy left out."""

from __future__ import annotations

from collections import Counter

from conftest import BASE, make_instance, meeting

from scheduler.solver.convert import outcome_to_schedule
from scheduler.solver.pipeline import _Pipeline
from scheduler.solver.repair import around
from scheduler.solver.request import SolveParams, SolveRequest
from scheduler.verify import verify


def test_around_adds_the_placed_meetings_of_the_free_meetings_people() -> None:
    people = {"ab": ["a", "b"], "bc": ["b", "c"], "cd": ["c", "d"], "de": ["d", "e"]}
    placed = {"ab": None, "cd": None, "de": None}
    assert around({"bc"}, placed, people) == {"bc", "ab", "cd"}
    assert around({"bc", "ab", "cd"}, placed, people) == {"bc", "ab", "cd", "de"}


def test_a_meeting_the_greedy_left_out_is_placed_by_moving_a_neighbour() -> None:
    # b-c can meet only if a-b and c-d share a slot; the packed date has them in different ones.
    venues = [{**BASE["venues"][0], "rooms": [{"id": "T", "count": 2, "capacity": 2}]}]
    instance = make_instance(
        venues=venues, meetings=[meeting("ab", "a", "b"), meeting("bc", "b", "c"), meeting("cd", "c", "d")]
    )
    pipeline = _Pipeline(SolveRequest(instance), SolveParams(10, 2, 1, shortcuts=False, quality=False), None)
    pipeline._prepare()
    at_nine = {mid: [o for o in opts if o.start == 9 * 60] for mid, opts in pipeline.options.items()}
    at_half_past = {mid: [o for o in opts if o.start == 9 * 60 + 30] for mid, opts in pipeline.options.items()}
    packed, _ = pipeline._greedy_from({"ab": at_nine["ab"], "cd": at_half_past["cd"]}, {})
    assert set(packed) == {"ab", "cd"}

    repaired, interrupted = pipeline._repair(pipeline.options, packed, 10.0, Counter())

    assert not interrupted and set(repaired) == {"ab", "bc", "cd"}
    assert repaired["ab"][0].start == repaired["cd"][0].start != repaired["bc"][0].start
    outcome = pipeline.prepared.outcome(repaired, "FEASIBLE", 3, 0, pipeline.started, {})
    assert verify(instance, outcome_to_schedule(outcome, SolveRequest(instance), "test.yaml", "0" * 64)) == []
