"""The city hull: a tighter bound where the LP splits a person's day between two cities, and
never below the best schedule."""

from __future__ import annotations

import time
from dataclasses import replace
from typing import Any

import pytest
from conftest import make_instance, meeting, solve_and_verify
from hypothesis import HealthCheck, given, settings
from test_aggregate import aggregate_of
from test_property import instances

from scheduler.background import Background
from scheduler.model import Instance
from scheduler.solver.ortools.aggregate import Aggregate, lp_of, pdlp_iterate, solve_lp, weak_duality_bound
from scheduler.solver.ortools.city_hull import hull_bound, split_people, with_city_hull
from scheduler.solver.pipeline import Pipeline, _load_or_tools
from scheduler.solver.request import Pin, SolveParams, SolveRequest

D1, D2 = "2025-11-13", "2025-11-14"


def half_in_each_city() -> Instance:
    """a and b, free anywhere, may meet in Hangzhou (h, priority 2: one slot there, on the 13th
    only) or in Beijing (w, x, y, z, priority 1 each: four slots on the 13th, two on the 14th).

    In Hangzhou on the 13th they hold h and two Beijing meetings on the 14th (4); in Beijing,
    all four Beijing meetings (4): the optimum is 4. The LP puts them half in each city on the
    13th: h at one half (1), each Beijing meeting half on the 13th (no more than their half
    there) and half on the 14th (two slots hold four halves): 5.
    """
    day = [{"date": D1, "sessions": [{"start": "09:00", "end": "11:00"}]}]
    beijing_days = [*day, {"date": D2, "sessions": [{"start": "09:00", "end": "10:00"}]}]
    hangzhou_days = [{"date": D1, "sessions": [{"start": "09:00", "end": "09:30"}]}]
    table = [{"id": "T", "count": 1, "capacity": 2}]
    beijing_meetings: list[dict[str, Any]] = [{**meeting(m, "a", "b"), "city": "Beijing"} for m in "wxyz"]
    return make_instance(
        venues=[
            {"id": "bj", "city": "Beijing", "days": beijing_days, "rooms": table},
            {"id": "hz", "city": "Hangzhou", "days": hangzhou_days, "rooms": [{**table[0], "id": "H"}]},
        ],
        participants=[{"id": "a", "name": "A"}, {"id": "b", "name": "B"}],
        meetings=[{**meeting("h", "a", "b", priority=2), "city": "Hangzhou"}, *beijing_meetings],
    )


def hull_of_everyone(agg: Aggregate) -> int | None:
    """The hull's bound with every person who has a choice of city in it, split by the LP or not."""
    hull = with_city_hull(agg, sorted({pid for pid, _, _ in agg.flag_column}))
    qp, rows = lp_of(hull)
    primal, dual = pdlp_iterate(qp, 10, 1)
    return weak_duality_bound(hull, rows, primal, dual)


def test_a_day_split_between_cities_no_longer_inflates_the_bound() -> None:
    instance = half_in_each_city()
    agg, _, _ = aggregate_of(instance)
    lp = solve_lp(agg, time_limit=10)
    assert lp is not None and lp.bound == 5
    assert split_people(agg, lp.values) == ["a", "b"]
    assert hull_bound(agg, lp.values, 10) == 4
    assert solve_and_verify(instance).objective == 4


def test_a_person_too_large_for_the_hull_is_left_out_and_the_next_taken(monkeypatch: pytest.MonkeyPatch) -> None:
    """a also meets c (Beijing only), so a's copies outnumber b's; with room for b's alone, a is
    left out and b taken (one large person first in line ended the hull for all: the attacker).
    With room for nobody, no LP is solved: it would prove what the aggregate's did."""
    from scheduler.solver.ortools import city_hull

    base = half_in_each_city()
    instance = base.model_copy(
        update={
            "participants": [*base.participants, *make_instance(participants=[{"id": "c", "name": "C"}]).participants],
            "meetings": [*base.meetings, *make_instance(meetings=[meeting("ac", "a", "c")]).meetings],
        }
    )
    instance = Instance.model_validate(instance.model_dump(exclude_none=True))
    agg, _, _ = aggregate_of(instance)
    grows = {pid: len(with_city_hull(agg, [pid]).cost) - len(agg.cost) for pid in ("a", "b")}
    assert grows["a"] > grows["b"] > 0
    monkeypatch.setattr(city_hull, "MAX_GROWTH", (len(agg.cost) + grows["b"]) / len(agg.cost))
    assert len(with_city_hull(agg, ["a", "b"]).cost) == len(agg.cost) + grows["b"]
    monkeypatch.setattr(city_hull, "MAX_GROWTH", 1)

    def not_called(*_: object) -> None:
        raise AssertionError("PDLP solved an LP the hull added nothing to")

    monkeypatch.setattr(city_hull, "pdlp_iterate", not_called)
    lp = solve_lp(agg, time_limit=10)
    assert lp is not None and split_people(agg, lp.values)
    assert hull_bound(agg, lp.values, 10) is None


def test_no_split_no_hull() -> None:
    """Where the LP splits nobody's day, there is nothing to tighten and no LP is solved."""
    instance = make_instance(meetings=[meeting("ab", "a", "b")])
    agg, _, _ = aggregate_of(instance)
    lp = solve_lp(agg, time_limit=10)
    assert lp is not None and split_people(agg, lp.values) == []
    assert hull_bound(agg, lp.values, 10) is None


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(instances())
def test_the_hull_never_falls_below_the_optimum(instance: Instance) -> None:
    """On random small instances, with every person who has a choice of city in the hull: its
    bound is at least the proven optimum, and no looser than the LP's."""
    schedule = solve_and_verify(instance)
    assert schedule.status == "OPTIMAL"
    agg, _, _ = aggregate_of(instance)
    lp = solve_lp(agg, time_limit=10)
    assert lp is not None
    hull = hull_of_everyone(agg)
    assert hull is not None and schedule.objective <= hull <= lp.bound + 1  # (PDLP's accuracy: a point either way)


def pipeline_with_bound(instance: Instance) -> Pipeline:
    """A pipeline of `instance` past its first draft and LP bound, as `solve` leaves it there."""
    pipeline = Pipeline(SolveRequest(instance), SolveParams(60, 2, 1, False, True, True), None)
    pipeline._prepare()
    pipeline._first_draft()
    _load_or_tools()
    pipeline._bound()
    return pipeline


def pipeline_without_its_hull() -> Pipeline:
    """As `pipeline_with_bound` of `half_in_each_city` (LP bound 5, draft 4), its hull's child
    stopped, for a test to put its own in its place."""
    pipeline = pipeline_with_bound(half_in_each_city())
    assert pipeline.bound == 5 and pipeline.value(pipeline.best) == 4 and pipeline.city_hull is not None
    pipeline.city_hull.close()
    pipeline.city_hull = None
    return pipeline


def taken_when_ready(pipeline: Pipeline) -> None:
    """Wait for the hull's child to be done (at most 30 s), then take its answer."""
    waited = time.monotonic()
    while pipeline.city_hull is not None and not pipeline.city_hull.ready():
        assert time.monotonic() - waited < 30
        time.sleep(0.05)
    pipeline.take_city_hull()


def test_the_pipeline_works_the_hull_out_in_a_child_and_takes_its_bound() -> None:
    pipeline = pipeline_with_bound(half_in_each_city())
    assert pipeline.bound == 5 and pipeline.city_hull is not None
    taken_when_ready(pipeline)
    assert pipeline.bound == 4 and pipeline.city_hull is None


def test_a_hull_not_done_when_the_search_ends_is_stopped_and_the_lp_bound_stands() -> None:
    pipeline = pipeline_without_its_hull()
    pipeline.city_hull = Background(lambda: time.sleep(30))
    started = time.monotonic()
    pipeline.take_city_hull(or_stop=True)
    assert time.monotonic() - started < 2
    assert pipeline.city_hull is None and pipeline.bound == 5


@pytest.mark.parametrize("answer", [None, 3])
def test_a_hull_that_gave_nothing_or_less_than_a_schedule_held_proves_nothing(answer: int | None) -> None:
    """3 is below the draft's 4: a bug to report, never a proof."""
    pipeline = pipeline_without_its_hull()
    pipeline.city_hull = Background(lambda: answer)
    taken_when_ready(pipeline)
    assert pipeline.bound == 5


def test_a_hull_whose_fork_is_refused_leaves_the_lp_bound_and_the_solve_goes_on(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Out of memory or processes at the hull's fork: the LP bound stands, the solve finishes."""
    pipeline = pipeline_without_its_hull()

    def refused() -> int:
        raise OSError(12, "Cannot allocate memory")

    monkeypatch.setattr("os.fork", refused)
    pipeline._start_city_hull()
    assert pipeline.city_hull is not None and pipeline.city_hull.ready()
    pipeline.take_city_hull()
    assert pipeline.bound == 5 and pipeline.city_hull is None


def test_a_re_solve_does_not_start_the_hull() -> None:
    """Re-solves keep their meetings where they stand: the residual bound is theirs (`residual`)."""
    pipeline = pipeline_without_its_hull()
    kept = Pin(meeting="h", option=pipeline.options["h"][0], room="H", forced=False)
    pipeline.request = replace(pipeline.request, pins={"h": kept})
    pipeline._start_city_hull()
    assert pipeline.city_hull is None
