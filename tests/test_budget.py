"""The wall-clock budget of a command: what the solve gets once the work after it is set aside."""

from __future__ import annotations

import time

import pytest

from scheduler import budget
from scheduler.budget import MIN_SOLVE_SECONDS, Budget


def test_the_solve_gets_what_is_left_after_the_reserves() -> None:
    clock = Budget(600, started=time.monotonic() - 20)  # 20 s spent reading
    requests = 90_000
    kept = clock.check_reserve(requests) + clock.reasons_reserve(requests)
    assert 0 < kept < 60  # a few per cent of ten minutes at the largest size
    assert clock.for_solve(requests) == pytest.approx(600 - 20 - kept, abs=0.5)
    assert clock.reasons_deadline(requests) == pytest.approx(clock.deadline - clock.check_reserve(requests))
    assert clock.reasons_deadline(requests, interrupted=True) == 0.0  # after Ctrl-C: no reasons at all


def test_reasons_take_at_most_a_quarter_of_a_short_limit_and_at_least_two_seconds() -> None:
    """800 requests at -t 10 kept 0.08 s for the reasons, and every one stayed in short form."""
    assert Budget(10).reasons_reserve(60_000) == pytest.approx(2.5)
    assert Budget(600).reasons_reserve(1_000) == pytest.approx(budget.MIN_REASONS_SECONDS)
    assert Budget(10).reasons_reserve(800) == pytest.approx(2.0)
    assert Budget(4).reasons_reserve(800) == pytest.approx(1.0)  # a quarter of 4 s


def test_the_overrun_is_what_passed_the_deadline() -> None:
    assert Budget(600).overrun() == 0.0
    assert Budget(1, started=time.monotonic() - 3).overrun() == pytest.approx(2.0, abs=0.1)


def test_a_spent_budget_still_lets_the_solve_find_a_first_schedule() -> None:
    assert Budget(5, started=time.monotonic() - 60).for_solve(100) == MIN_SOLVE_SECONDS


def test_only_the_first_budget_of_a_process_counts_from_its_start() -> None:
    """`schedule` counts its imports in the limit; tests running many commands in one process do not."""
    earlier = time.monotonic() - 3
    budget.started_at(earlier)
    assert Budget(60).started == earlier
    assert Budget(60).started > earlier + 2
