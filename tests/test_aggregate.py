"""The aggregated relaxation: its bounds must never fall below the true optimum, and be tight."""

from __future__ import annotations

import math
from datetime import date

import pytest
from conftest import A_ANYWHERE_B_IN_BEIJING_C_IN_HANGZHOU, make_instance, meeting, solve_and_verify
from hypothesis import HealthCheck, given, settings
from test_property import instances

from scheduler.model import Instance, Option
from scheduler.solver.ortools.aggregate import (
    Aggregate,
    Block,
    block_of,
    build_aggregate,
    lp_support,
    round_lp,
    solve_aggregate,
    solve_lp,
)
from scheduler.solver.prepared import Prepared
from scheduler.solver.request import SolveRequest

ONE_DAY = [{"date": "2025-11-13", "sessions": [{"start": "09:00", "end": "10:00"}]}]
TWO_VENUES_IN_BEIJING_ONE_IN_HANGZHOU = [
    {"id": "bj1", "city": "Beijing", "days": ONE_DAY, "rooms": [{"id": "B1", "count": 2, "capacity": 2}]},
    {"id": "bj2", "city": "Beijing", "days": ONE_DAY, "rooms": [{"id": "B2", "count": 2, "capacity": 2}]},
    {"id": "hz", "city": "Hangzhou", "days": ONE_DAY, "rooms": [{"id": "H", "count": 2, "capacity": 2}]},
]


def a_meets_b_or_c(ab: int, ac: int) -> Instance:
    """a may meet b (Beijing only, two venues there) or c (Hangzhou only) on one date."""
    return make_instance(
        venues=TWO_VENUES_IN_BEIJING_ONE_IN_HANGZHOU,
        participants=A_ANYWHERE_B_IN_BEIJING_C_IN_HANGZHOU,
        meetings=[meeting("ab", "a", "b", priority=ab), meeting("ac", "a", "c", priority=ac)],
    )


def aggregate_of(instance: Instance) -> tuple[Aggregate, dict[str, list[str]], dict[str, list[Option]]]:
    """The whole instance's aggregate, with each meeting's participants and options."""
    prepared = Prepared(SolveRequest(instance))
    options = prepared.options_by_id()
    people = {m.id: prepared.participants[i] for i, m in enumerate(prepared.meetings)}
    return build_aggregate(instance, prepared.meetings, options, people, list(instance.rooms)), people, options


def bounds(instance: Instance) -> tuple[int | None, int | None, int | None]:
    """(LP bound, stage A's proven bound, stage A's objective) for the whole instance."""
    agg, people, options = aggregate_of(instance)
    lp = solve_lp(agg, time_limit=10)
    assert lp is not None
    rounded = round_lp(agg, lp.values)
    stage_a = solve_aggregate(agg, time_limit=10, workers=2, seed=1, hint=rounded, participants_of=people)
    if stage_a is None:
        return lp.bound, None, None
    # Every chosen venue day is one the meeting really has an option in.
    for blocks in (rounded, stage_a.blocks):
        for mid, block in blocks.items():
            assert block in {block_of(o) for o in options[mid]}
    return lp.bound, stage_a.bound, stage_a.objective


def test_a_meeting_split_over_two_venues_of_one_city_does_not_inflate_the_lp() -> None:
    """a meets b (Beijing only, 1) or c (Hangzhou only, 1) on one date: the optimum is 1.

    With a link row per column, the LP put ab half in each Beijing venue (each <= a's Beijing
    flag of 1/2) and ac half in Hangzhou: 1.5. Summing ab's Beijing columns under the flag
    gives 1, the true optimum.
    """
    instance = a_meets_b_or_c(ab=1, ac=1)
    assert bounds(instance) == (1, 1, 1)
    assert solve_and_verify(instance).objective == 1


def test_person_slots_per_day_bound_the_lp() -> None:
    """One date, two slots; a has four requests of priority 2, 2, 1, 1: the optimum (and LP) is 4."""
    instance = make_instance(
        participants=[{"id": p, "name": p.upper()} for p in "abcde"],
        venues=[{"id": "bj", "city": "Beijing", "days": ONE_DAY, "rooms": [{"id": "T", "count": 4, "capacity": 2}]}],
        meetings=[
            meeting("ab", "a", "b", priority=2),
            meeting("ac", "a", "c", priority=2),
            meeting("ad", "a", "d", priority=1),
            meeting("ae", "a", "e", priority=1),
        ],
    )
    assert bounds(instance) == (4, 4, 4)
    assert solve_and_verify(instance).objective == 4


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(instances())
def test_bounds_never_fall_below_the_optimum(instance: Instance) -> None:
    """On random small instances: LP bound and stage A's bound >= the proven optimum."""
    schedule = solve_and_verify(instance)
    assert schedule.status == "OPTIMAL"
    lp, stage_a_bound, stage_a_objective = bounds(instance)
    assert lp is not None and lp >= schedule.objective
    if stage_a_bound is not None:
        assert stage_a_bound >= schedule.objective
        assert stage_a_objective is not None and stage_a_objective <= stage_a_bound
    # Why the bounds hold: the optimal schedule's own venue days satisfy every row of the relaxation.
    agg, people, _ = aggregate_of(instance)
    placed = {a.meeting: (a.venue, date.fromisoformat(a.date)) for a in schedule.assignments}
    assert broken_rows(agg, people, placed) == []


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(instances())
def test_rounding_the_lp_satisfies_every_row(instance: Instance) -> None:
    """The rounded LP may be packed directly (short time limits): it must break no row, caps included."""
    agg, people, _ = aggregate_of(instance)
    lp = solve_lp(agg, time_limit=10)
    assert lp is not None
    assert broken_rows(agg, people, round_lp(agg, lp.values)) == []


def broken_rows(agg: Aggregate, people: dict[str, list[str]], blocks: dict[str, Block]) -> list[object]:
    """The aggregate's rows that a choice of venue day per meeting breaks (flags set where needed)."""
    value = [0] * len(agg.cost)
    for j, (mid, block, city) in zip(agg.meeting_column, agg.columns, strict=True):
        if blocks.get(mid) == block:
            value[j] = 1
            for pid in people[mid]:
                flag = agg.flag_column.get((pid, block[1], city))
                if flag is not None:
                    value[flag] = 1
    return [key for key, terms in agg.entries.items() if sum(coef * value[j] for j, coef in terms) > agg.rhs[key]]


def test_stage_a_restricted_to_some_columns_uses_only_those_and_claims_no_bound() -> None:
    """Keeping only ac's columns: stage A may place ac alone (1), and its bound proves nothing."""
    instance = a_meets_b_or_c(ab=2, ac=1)
    agg, participants, _ = aggregate_of(instance)
    keep = {j for j, (mid, _, _) in zip(agg.meeting_column, agg.columns, strict=True) if mid == "ac"}
    stage_a = solve_aggregate(agg, time_limit=10, workers=2, seed=1, participants_of=participants, keep=keep)
    assert stage_a is not None
    assert stage_a.blocks == {"ac": ("hz", date(2025, 11, 13))}
    assert stage_a.objective == 1 and stage_a.bound is None
    lp = solve_lp(agg, time_limit=10)
    assert lp is not None
    # The LP puts ab (2) fully in Beijing and leaves ac (1) at zero: only ab's columns are kept.
    mid_of = dict(zip(agg.meeting_column, (mid for mid, _, _ in agg.columns), strict=True))
    assert {mid_of[j] for j in lp_support(agg, lp.values, {})} == {"ab"}


def test_ctrl_c_during_the_relaxation_takes_effect_at_once(monkeypatch: pytest.MonkeyPatch) -> None:
    """PDLP holds the GIL for its whole limit; run in a child process, Ctrl-C stops the wait at once."""
    import os
    import signal
    import threading
    import time

    from ortools.pdlp.python import pdlp

    from scheduler.solver.ortools import aggregate

    monkeypatch.setattr(pdlp, "primal_dual_hybrid_gradient", lambda *_: time.sleep(30))  # a slow relaxation
    signal.signal(signal.SIGINT, signal.default_int_handler)
    timer = threading.Timer(0.5, os.kill, (os.getpid(), signal.SIGINT))
    started = time.monotonic()
    timer.start()
    with pytest.raises(KeyboardInterrupt):
        aggregate._pdlp(pdlp.QuadraticProgram(), 30, 1)
    assert time.monotonic() - started < 3


def test_the_relaxation_in_a_child_process_gives_the_same_bound_as_in_this_one(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """a's four requests over two slots (optimum 4): forked or not, PDLP proves the same bound."""
    instance = make_instance(
        participants=[{"id": p, "name": p.upper()} for p in "abcde"],
        venues=[{"id": "bj", "city": "Beijing", "days": ONE_DAY, "rooms": [{"id": "T", "count": 4, "capacity": 2}]}],
        meetings=[meeting(f"a{p}", "a", p, priority=2 if p in "bc" else 1) for p in "bcde"],
    )
    options = {m.id: instance.meeting_options(m) for m in instance.meetings}
    people = {m.id: m.participants for m in instance.meetings}
    agg = build_aggregate(instance, instance.meetings, options, people, list(instance.rooms))
    forked = solve_lp(agg, 5)
    monkeypatch.delattr("os.fork")
    here = solve_lp(agg, 5)
    assert forked is not None and here is not None and forked.bound == here.bound == 4


def test_stage_a_by_neighbourhood_search_alone_improves_its_hint() -> None:
    """The largest events' stage A (no full model after it): every worker improves the hint, a
    meets c (1), by large neighbourhood search, and finds a meets b (2), telling each better value
    on as it goes; a restriction claims no bound."""
    instance = a_meets_b_or_c(ab=2, ac=1)
    agg, participants, _ = aggregate_of(instance)
    every = set(agg.meeting_column)
    hint = {"ac": ("hz", date(2025, 11, 13))}
    told: list[int] = []
    stage_a = solve_aggregate(agg, 10, 2, 1, hint, participants, keep=every, lns_only=True, on_value=told.append)
    assert stage_a is not None and stage_a.objective == 2 and stage_a.bound is None
    assert told and told[-1] == 2 and told == sorted(told)  # (the progress line follows each better choice)
    assert set(stage_a.blocks) == {"ab"} and stage_a.blocks["ab"][0] in {"bj1", "bj2"}
    assert broken_rows(agg, participants, stage_a.blocks) == []


@pytest.mark.parametrize("workers", [1, 2])
def test_stage_a_by_neighbourhood_search_runs_neighbourhoods_with_any_number_of_workers(
    monkeypatch: pytest.MonkeyPatch, workers: int
) -> None:
    """With one worker CP-SAT runs one sequential search and no neighbourhoods unless asked to
    interleave them in that thread (`--workers 1` then left stage A's start as it was). A generated
    instance, so that presolve leaves something to search; CP-SAT's log names what ran."""
    from ortools.sat.python import cp_model

    from scheduler.generate import generate

    logged: list[str] = []
    original = cp_model.CpSolver.solve

    def solve(self: cp_model.CpSolver, *args: object, **kwargs: object) -> object:
        self.parameters.log_search_progress = True
        self.parameters.log_to_stdout = False
        self.log_callback = logged.append
        return original(self, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(cp_model.CpSolver, "solve", solve)
    instance = Instance.model_validate(generate(60, 240, seed=2))
    agg, participants, _ = aggregate_of(instance)
    lp = solve_lp(agg, time_limit=10)
    assert lp is not None
    start = round_lp(agg, lp.values)
    stage_a = solve_aggregate(agg, 1, workers, 1, start, participants, keep=set(agg.meeting_column), lns_only=True)
    assert stage_a is not None and broken_rows(agg, participants, stage_a.blocks) == []
    # (CP-SAT's summary has a table of neighbourhood statistics only where some ran)
    assert any(line.startswith("LNS stats") for line in logged), "\n".join(logged[-30:])


def test_stage_a_lets_the_pipeline_collect_a_childs_answer_while_it_searches() -> None:
    """`meanwhile` runs on the waiting thread about ten times a second during stage A's search: the
    city hull's bound is shown as soon as it is proven, and its finished child reaped, where before
    it waited for stage A's end as a zombie (the organiser trial saw `<defunct>` for 100 s)."""
    from scheduler.generate import generate

    instance = Instance.model_validate(generate(60, 240, seed=2))
    agg, participants, _ = aggregate_of(instance)
    lp = solve_lp(agg, time_limit=10)
    assert lp is not None
    calls: list[float] = []
    start = round_lp(agg, lp.values)
    every = set(agg.meeting_column)
    stage_a = solve_aggregate(
        agg, 1.5, 2, 1, start, participants, keep=every, lns_only=True, meanwhile=lambda: calls.append(1)
    )
    assert stage_a is not None and broken_rows(agg, participants, stage_a.blocks) == []
    assert len(calls) >= 5


def test_an_infinite_dual_proves_nothing() -> None:
    """An infinite dual could turn a reduced cost into NaN, which max(0, NaN) would drop from the
    sum: no bound at all rather than one that may be too low (the attacker, on reading)."""
    from scheduler.solver.ortools.aggregate import lp_of, weak_duality_bound

    agg, _, _ = aggregate_of(a_meets_b_or_c(ab=1, ac=1))
    _, rows = lp_of(agg)
    primal = [0.0] * len(agg.cost)
    assert weak_duality_bound(agg, rows, primal, [0.0] * len(rows)) is not None
    for bad in (math.inf, -math.inf, math.nan):
        assert weak_duality_bound(agg, rows, primal, [bad] + [0.0] * (len(rows) - 1)) is None
