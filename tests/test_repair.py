"""Repairing a packed date: its neighbourhood, and CP-SAT placing what the greedy left out."""

from __future__ import annotations

from collections import Counter

from conftest import BASE, make_instance, meeting

from scheduler.solver.convert import outcome_to_schedule
from scheduler.solver.pipeline import Pipeline
from scheduler.solver.repair import around, repair
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
    pipeline = Pipeline(SolveRequest(instance), SolveParams(10, 2, 1, shortcuts=False, quality=False), None)
    pipeline._prepare()
    at_nine = {mid: [o for o in opts if o.start == 9 * 60] for mid, opts in pipeline.options.items()}
    at_half_past = {mid: [o for o in opts if o.start == 9 * 60 + 30] for mid, opts in pipeline.options.items()}
    packed, _ = pipeline.greedy_from({"ab": at_nine["ab"], "cd": at_half_past["cd"]}, {})
    assert set(packed) == {"ab", "cd"}

    repaired, interrupted = repair(pipeline, pipeline.options, packed, 10.0, Counter())

    assert not interrupted and set(repaired) == {"ab", "bc", "cd"}
    assert repaired["ab"][0].start == repaired["cd"][0].start != repaired["bc"][0].start
    outcome = pipeline.prepared.outcome(repaired, "FEASIBLE", 3, 0, pipeline.started, {})
    assert verify(instance, outcome_to_schedule(outcome, SolveRequest(instance), "test.yaml", "0" * 64)) == []


def test_a_held_meeting_given_up_for_better_ones_is_free_in_the_next_round() -> None:
    """Two slots, two tables, all taken: a-b and d-e at 09:00, a-x and y-z (priority 2) at 09:30;
    b-c and f-g (priority 3) were left out. The first round frees them and a-b (b's), and gives
    up a-b and the held d-e for both 3s at 09:00 (10 in all; any other choice gives at most 9).
    The next round, still short, widens to a-x (a's) and must treat d-e as left out, not as held."""
    venue = {**BASE["venues"][0], "rooms": [{"id": "T", "count": 2, "capacity": 2}]}
    people = [{"id": p, "name": p.upper()} for p in "abcdefgxyz"]
    pairs = {"ab": 1, "de": 1, "ax": 2, "yz": 2, "bc": 3, "fg": 3}
    instance = make_instance(
        venues=[venue], participants=people, meetings=[meeting(m, *m, priority=k) for m, k in pairs.items()]
    )
    pipeline = Pipeline(SolveRequest(instance), SolveParams(10, 2, 1, shortcuts=False, quality=False), None)
    pipeline._prepare()
    at = {9 * 60: ("ab", "de"), 9 * 60 + 30: ("ax", "yz")}
    held = {m: [o for o in pipeline.options[m] if o.start == start] for start, ms in at.items() for m in ms}
    packed, _ = pipeline.greedy_from(held, {})
    assert set(packed) == set(held)

    repaired, interrupted = repair(pipeline, pipeline.options, packed, 10.0, Counter())

    assert not interrupted and {"bc", "fg"} <= set(repaired) and pipeline.value(repaired) == 10
    outcome = pipeline.prepared.outcome(repaired, "FEASIBLE", 10, 0, pipeline.started, {})
    assert verify(instance, outcome_to_schedule(outcome, SolveRequest(instance), "test.yaml", "0" * 64)) == []
