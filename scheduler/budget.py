"""One command's wall-clock budget: reading, preparing, solving, explaining and writing share it.

An organiser who asks for ten minutes expects the command to end in ten minutes, not ten
minutes of search plus a minute of reading and writing. The budget starts when the command
starts; the solve gets what is left once the work after it is set aside.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field

MIN_SOLVE_SECONDS = 1.0
"""The solve always gets this much: without a first schedule there is nothing to write."""
CHECK_SECONDS_PER_REQUEST = 15e-6
"""Turning the solve into a schedule, waiting for the check (it runs beside the reasons),
writing and summing it up, per request: measured 0.67 s at 60,000 requests and 0.93 s at
90,000 (2 cores, 2026-11-27), against 2.1 s and 3.2 s kept while this was 35 us."""
REASONS_SECONDS_PER_REQUEST = 85e-6
"""Classifying why each waiting request waits, per request: measured 3.9-4.1 s for the 27,000
that wait after 60 s at 60,000 requests, 5.6-6.7 s for 39,500 at 90,000 (65-75 us per request,
the check beside them; 2 cores, 2026-11-27). At 100 us a 60 s solve ended at 55 s, 4 s kept for
nothing; 70 us had left 18,000 reasons in the solver's short form (the check then ran after them)."""
MIN_REASONS_SECONDS = 2.0
"""The reasons get at least this (within their share): 300 waiting requests of a small event take
about a second, and 100 us each left them none, so every one kept the solver's short form."""
REASONS_SHARE = 0.25
"""At most this share of the budget goes to the reasons; any not reached keep the solver's short form."""
FIXED_SECONDS = 1.0
"""Printing the summary and leaving the process (freeing a large schedule takes a moment)."""


_process_started: list[float] = []


def started_at(moment: float) -> None:
    """When the process began (monotonic clock): the first budget of the process counts from it."""
    _process_started[:] = [moment]


def _start() -> float:
    """The process's start for its first command, now for any later one (tests run many in one process)."""
    return _process_started.pop() if _process_started else time.monotonic()


@dataclass
class Budget:
    seconds: float
    started: float = field(default_factory=_start)

    @property
    def deadline(self) -> float:
        return self.started + self.seconds

    def left(self) -> float:
        return self.deadline - time.monotonic()

    def check_reserve(self, requests: int) -> float:
        """Seconds kept for the independent check and the atomic write at the very end."""
        return FIXED_SECONDS + requests * CHECK_SECONDS_PER_REQUEST

    def reasons_reserve(self, requests: int) -> float:
        wanted = max(MIN_REASONS_SECONDS, requests * REASONS_SECONDS_PER_REQUEST)
        return min(wanted, self.seconds * REASONS_SHARE)

    def overrun(self) -> float:
        """Seconds past the deadline (0 if within it): a limit shorter than reading, a first
        schedule and the check together cannot be kept, and the organiser is told so."""
        return max(0.0, time.monotonic() - self.deadline)

    def for_solve(self, requests: int) -> float:
        """Seconds the solve may take so that reasons, check and write still fit in the budget."""
        kept = self.check_reserve(requests) + self.reasons_reserve(requests)
        return max(MIN_SOLVE_SECONDS, self.left() - kept)

    def reasons_deadline(self, requests: int, interrupted: bool = False) -> float:
        """When classifying reasons must stop (monotonic clock), leaving the check its time; at
        once after Ctrl-C (the organiser wants out: the solver's short reasons, the check, the write)."""
        return 0.0 if interrupted else self.deadline - self.check_reserve(requests)
