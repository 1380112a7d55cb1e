"""The quality pass of large solves: what it hands back is filled once more before the solve ends."""

from __future__ import annotations

import pytest
from conftest import BASE, make_instance, meeting

from scheduler.model import Instance
from scheduler.solver import quality_pass
from scheduler.solver.convert import outcome_to_schedule
from scheduler.solver.pipeline import Pipeline
from scheduler.solver.request import SolveParams, SolveRequest
from scheduler.verify import verify


def ab_cd_placed_ef_waiting(time_limit: float) -> tuple[Instance, Pipeline]:
    """Two tables, one slot taken by a-b and c-d, e-f waiting: a large solve's state as the quality
    pass hands it back (only the fill after it can place e-f)."""
    venue = {**BASE["venues"][0], "rooms": [{"id": "T", "count": 2, "capacity": 2}]}
    people = [{"id": p, "name": p.upper()} for p in "abcdef"]
    instance = make_instance(venues=[venue], participants=people, meetings=[meeting(m, *m) for m in ("ab", "cd", "ef")])
    pipeline = Pipeline(SolveRequest(instance), SolveParams(time_limit, 2, 1, shortcuts=False, quality=True), None)
    pipeline._prepare()
    pipeline.by_date = True
    pipeline.best, _ = pipeline.greedy_from({m: pipeline.options[m] for m in ("ab", "cd")}, {})
    return instance, pipeline


def test_a_time_the_quality_pass_freed_is_filled_before_the_solve_ends(monkeypatch: pytest.MonkeyPatch) -> None:
    """The schedule the quality pass hands back has a-b and c-d and a free table: e-f, waiting,
    fits at once (the pass is stubbed to change nothing, so only the final fill can place it)."""
    instance, pipeline = ab_cd_placed_ef_waiting(time_limit=10)
    monkeypatch.setattr(quality_pass, "quality_pass", lambda pipeline: None)

    outcome = pipeline._with_quality("FEASIBLE")

    assert set(outcome.placements) == {"ab", "cd", "ef"}
    assert verify(instance, outcome_to_schedule(outcome, SolveRequest(instance), "test.yaml", "0" * 64)) == []


def test_a_quality_pass_that_takes_all_its_time_still_leaves_the_fill_a_greedys_time(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """As above, but the pass runs to its deadline (as local moves do on large events): the fill
    after it still runs, because the pass's deadline keeps a greedy's time back (at 3,000 x 20,000
    in 60 s, 14 requests were left out with a place free for them)."""
    import time

    instance, pipeline = ab_cd_placed_ef_waiting(time_limit=3)
    pipeline.greedy_seconds = 0.5

    def to_the_deadline(pipeline: Pipeline) -> None:
        time.sleep(max(0.0, pipeline.deadline - time.monotonic()))

    monkeypatch.setattr(quality_pass, "quality_pass", to_the_deadline)

    outcome = pipeline._with_quality("FEASIBLE")

    assert set(outcome.placements) == {"ab", "cd", "ef"}
    assert verify(instance, outcome_to_schedule(outcome, SolveRequest(instance), "test.yaml", "0" * 64)) == []
