"""Objective phases: a later phase optimises among schedules of equal total priority, never below it."""

from __future__ import annotations

import pytest
from conftest import make_instance, meeting, solve_and_verify, solve_outcome_and_verify
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
from scheduler.stats import holes, idle_slots
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
    from scheduler.solver.ortools import objective

    monkeypatch.setattr(objective, "later_phases", lambda v: [favour({"s1": 3, "s2": 2})])  # (imported by stage)
    instance = big_and_two_small()
    outcome, _ = solve_outcome_and_verify(instance)
    assert "cp-sat" in outcome.stages
    assert set(outcome.placements) == {"big", "s1"} and outcome.objective == 3


# ---- the quality phases (issue 11): min_meetings, fairness, idle gaps; never at priority's cost ----

FOUR_SLOTS_TWO_TABLES = [
    {
        "id": "bj",
        "city": "Beijing",
        "days": [{"date": "2025-11-13", "sessions": [{"start": "09:00", "end": "11:00"}]}],
        "rooms": [{"id": "T", "count": 2, "capacity": 2}],
    }
]
TWO_SLOTS_ONE_TABLE = [{**FOUR_SLOTS_TWO_TABLES[0], "rooms": [{"id": "T", "count": 1, "capacity": 2}]}]
TWO_SLOTS_ONE_TABLE[0]["days"] = [{"date": "2025-11-13", "sessions": [{"start": "09:00", "end": "10:00"}]}]


def only(start: str, end: str) -> list[dict[str, str]]:
    return [{"date": "2025-11-13", "city": "Beijing", "start": start, "end": end}]


def people(*ids: str, **fields: dict[str, object]) -> list[dict[str, object]]:
    return [{"id": p, "name": p.upper(), **fields.get(p, {})} for p in ids]


def test_holes_are_minimised_to_the_count_by_hand() -> None:
    """a meets b (free 09:00 only), d (free 10:30 only) and c (free all morning): a's day has one
    hole whatever happens, and the fewest idle slots and earliest start put ac at 09:30. c also
    meets e: right before, at 09:00, c has no hole. So: 1 hole, 1 idle slot, ac 09:30, ce 09:00."""
    instance = make_instance(
        venues=FOUR_SLOTS_TWO_TABLES,
        participants=people(
            "a", "b", "c", "d", "e", b={"available": only("09:00", "09:30")}, d={"available": only("10:30", "11:00")}
        ),
        meetings=[meeting("ab", "a", "b"), meeting("ac", "a", "c"), meeting("ad", "a", "d"), meeting("ce", "c", "e")],
    )
    _, schedule = solve_outcome_and_verify(instance)
    assert schedule.objective == 4 and (holes(instance, schedule), idle_slots(instance, schedule)) == (1, 1)
    starts = {a.meeting: a.start for a in schedule.assignments}
    assert starts == {"ab": "09:00", "ac": "09:30", "ce": "09:00", "ad": "10:30"}


def test_fairness_gives_everyone_a_meeting_at_the_same_total() -> None:
    """One table, two slots, all priority 1: {ab1, ab2} and {ab1, cd} both total 2; the fair one
    leaves nobody without a meeting."""
    instance = make_instance(
        venues=TWO_SLOTS_ONE_TABLE,
        meetings=[meeting("ab1", "a", "b"), meeting("ab2", "a", "b"), meeting("cd", "c", "d")],
    )
    outcome, schedule = solve_outcome_and_verify(instance)
    assert schedule.objective == schedule.bound == 2
    assert "cd" in outcome.placements and len(set(outcome.placements) & {"ab1", "ab2"}) == 1


def test_priority_outranks_fairness() -> None:
    """As above but ab1 and ab2 weigh 5: 10 beats 6, so c and d rightly get nothing."""
    instance = make_instance(
        venues=TWO_SLOTS_ONE_TABLE,
        meetings=[meeting("ab1", "a", "b", priority=5), meeting("ab2", "a", "b", priority=5), meeting("cd", "c", "d")],
    )
    outcome, schedule = solve_outcome_and_verify(instance)
    assert set(outcome.placements) == {"ab1", "ab2"} and schedule.objective == 10


def test_min_meetings_come_before_fairness() -> None:
    """Two slots, one table, ab, ac, de: fairness alone would seat d and e; a's package promises 2."""
    instance = make_instance(
        venues=TWO_SLOTS_ONE_TABLE,
        participants=people("a", "b", "c", "d", "e", a={"min_meetings": 2}),
        meetings=[meeting("ab", "a", "b"), meeting("ac", "a", "c"), meeting("de", "d", "e")],
    )
    outcome, schedule = solve_outcome_and_verify(instance)
    assert set(outcome.placements) == {"ab", "ac"} and schedule.objective == 2
    assert outcome.min_meetings_missed == {} and schedule.min_meetings_missed is None


def test_a_missed_min_meetings_is_reported() -> None:
    """One slot: a gets 1 of the 2 meetings promised; the outcome, file and reasons say so."""
    venues = [
        {**TWO_SLOTS_ONE_TABLE[0], "days": [{"date": "2025-11-13", "sessions": [{"start": "09:00", "end": "09:30"}]}]}
    ]
    instance = make_instance(
        venues=venues,
        participants=people("a", "b", "c", "d", a={"min_meetings": 2}),
        meetings=[meeting("ab", "a", "b", priority=2), meeting("ac", "a", "c")],
    )
    outcome, schedule = solve_outcome_and_verify(instance)
    assert set(outcome.placements) == {"ab"}
    assert outcome.min_meetings_missed == {"a": (1, 2)}
    assert schedule.min_meetings_missed is not None
    assert [(m.participant, m.meetings, m.min_meetings) for m in schedule.min_meetings_missed] == [("a", 1, 2)]
    assert outcome.unscheduled["ac"].endswith("a got 1 of min_meetings 2")


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(instances())
def test_the_quality_phases_never_lower_priority(instance: Instance) -> None:
    """With quality on, the same proven-optimal total as priority only (both checked)."""
    with_quality = solve_and_verify(instance)
    priority_only = solve_and_verify(instance, quality=False)
    assert with_quality.objective == priority_only.objective == with_quality.bound


def test_phase_one_gets_the_whole_time_limit_as_without_quality(monkeypatch: pytest.MonkeyPatch) -> None:
    """Priority's search gets what a priority-only solve would (the later phases take only what
    it leaves), so quality never costs it priority by cutting its time short."""
    given: list[float] = []
    original = ScheduleModel._solver

    def recording(self: ScheduleModel, params: SolveParams, seconds: float) -> object:
        given.append(seconds)
        return original(self, params, seconds)

    monkeypatch.setattr(ScheduleModel, "_solver", recording)
    instance = big_and_two_small()
    without = solved(instance)
    first_alone = given[0]
    given.clear()
    with_phase = solved(instance, favour({"s1": 2, "s2": 3}))
    assert given[0] == first_alone == 10 and len(given) == 2
    assert with_phase.objective == without.objective == 3


def test_a_stalled_search_is_told_to_stop() -> None:
    """No better schedule for longer than the patience (2 s) and a quarter of the time the last
    one took: stalled. A fresh improvement, or none yet (the hint still being checked): not."""
    from scheduler.solver.ortools.cpsat import Stall

    stall = Stall(patience=2.0, share=0.25)
    assert not stall.stalled()
    now = stall.started
    stall.started, stall.last = now - 20.0, now - 1.0
    assert not stall.stalled()  # 19 s to find it: a quarter is 4.75 s of patience
    stall.last = now - 2.5
    assert not stall.stalled()
    stall.started, stall.last = now - 4.0, now - 2.5
    assert stall.stalled()  # 1.5 s to find it: the 2 s patience is over


def test_with_no_time_left_after_priority_local_moves_still_close_a_gap() -> None:
    """Where phase 1 takes the whole limit, the later phases get no CP time: local moves alone
    run. a meets b (free 09:00 only) at 09:00 and c at 10:30: ac moves to 09:30, the checker agrees."""
    from scheduler.solver.ortools.objective import later_phases

    instance = make_instance(
        venues=FOUR_SLOTS_TWO_TABLES,
        participants=people("a", "b", "c", b={"available": only("09:00", "09:30")}),
        meetings=[meeting("ab", "a", "b"), meeting("ac", "a", "c")],
    )
    request = SolveRequest(instance)
    model = ScheduleModel(request, Prepared(request))
    model.phases = later_phases(model.vars)
    options = {m.id: instance.meeting_options(m) for m in instance.meetings}
    ab = next(o for o in options["ab"] if o.start == 540)
    ac = next(o for o in options["ac"] if o.start == 630)
    outcome = model.improve(SolveParams(0.05, 2, 1), {"ab": (ab, "T-1"), "ac": (ac, "T-1")})
    assert outcome.placements["ac"][0].start == 570 and outcome.objective == 2
    assert verify(instance, outcome_to_schedule(outcome, request, "x.yaml", "0" * 64)) == []
