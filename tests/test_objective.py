"""Objective phases: a later phase optimises among schedules of equal total priority, never below it."""

from __future__ import annotations

import pytest
from conftest import make_instance, meeting, solve_outcome_and_verify
from hypothesis import HealthCheck, given, settings
from ortools.sat.python.cp_model import LinearExpr
from test_property import instances

from scheduler.model import Instance
from scheduler.solver.convert import outcome_to_schedule
from scheduler.solver.ortools.model import ScheduleModel
from scheduler.solver.ortools.objective import ObjectivePhase, total_priority
from scheduler.solver.ortools.variables import Variables
from scheduler.solver.prepared import Prepared
from scheduler.solver.request import SolveOutcome, SolveParams, SolveRequest
from scheduler.verify import verify


def solved(instance: Instance, *phases: ObjectivePhase) -> SolveOutcome:
    request = SolveRequest(instance)
    outcome = ScheduleModel(request, Prepared(request), phases=phases).solve(SolveParams(10, 2, 1))
    assert verify(instance, outcome_to_schedule(outcome, request, "x.yaml", "0" * 64)) == []
    return outcome


def favour(weights: dict[str, int]) -> ObjectivePhase:
    """A phase preferring some meetings by id, whatever their priority."""

    def expression(v: Variables) -> LinearExpr:
        ids = [v.prepared.meetings[choice.meeting].id for choice in v.choices]
        return LinearExpr.weighted_sum(v.literals, [weights.get(mid, 0) for mid in ids])

    return ObjectivePhase("favouring some meetings", expression)


def big_and_two_small() -> Instance:
    """One table, two slots: big (2) and one of s1, s2 (1 each) is the best total, 3."""
    people = [{"id": p, "name": p} for p in "abcdef"]
    return make_instance(
        participants=people,
        meetings=[meeting("big", "a", "b", priority=2), meeting("s1", "c", "d"), meeting("s2", "e", "f")],
    )


def test_a_later_phase_chooses_among_equal_totals_only() -> None:
    """The later phase prefers s2 over s1 and both over big (s1 + s2 would score it highest):
    it may swap s1 for s2, but never give up big, which would lower the total to 2.
    """
    instance = big_and_two_small()
    outcome = solved(instance, favour({"s1": 2, "s2": 3}))
    assert set(outcome.placements) == {"big", "s2"}
    assert outcome.objective == outcome.bound == 3


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(instances())
def test_a_phase_against_priority_never_lowers_it(instance: Instance) -> None:
    """Even a phase minimising total priority keeps the phase-1 optimum."""
    against = ObjectivePhase("against priority", lambda v: -total_priority(v))
    assert solved(instance, against).objective == solved(instance).objective


def test_the_pipeline_runs_the_phases_listed_by_later_phases(monkeypatch: pytest.MonkeyPatch) -> None:
    """The hook is wired: a phase listed there steers the full solve, at the same total."""
    from scheduler.solver import pipeline

    monkeypatch.setattr(pipeline, "later_phases", lambda v: [favour({"s1": 3, "s2": 2})])
    instance = big_and_two_small()
    outcome, _ = solve_outcome_and_verify(instance)
    assert "cp-sat" in outcome.stages
    assert set(outcome.placements) == {"big", "s1"} and outcome.objective == 3
