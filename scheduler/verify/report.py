"""What the checker says: violations, warnings and notes, and the shapes its rules share."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field

from scheduler.solution import Assignment

Complain = Callable[..., None]
"""bad(rule, message, history=False): a violation, or a warning when it concerns history."""
CancelledAt = Callable[[str, str, dt.datetime], bool]

Attended = list[tuple[Assignment, list[str], int, int, bool]]
"""Each assignment, who attended it, its start and end in minutes, and whether it is history."""


@dataclass(frozen=True)
class Violation:
    rule: str
    message: str

    def __str__(self) -> str:
        return f"[{self.rule}] {self.message}"


@dataclass
class Report:
    """What `check` found: violations (the schedule is wrong) and warnings (history vs edits)."""

    violations: list[Violation] = field(default_factory=list)
    warnings: list[Violation] = field(default_factory=list)
    """History that an edit since makes break a rule (it happened: nothing to do)."""
    notes: list[Violation] = field(default_factory=list)
    """Allowed but worth a look: meetings without a common language and no interpreters listed."""
    frozen_until: str | None = None
    """The frozen moment the history rules relied on (the schedule's own `frozen_until`)."""
    history: int = 0
    """How many assignments were treated as history."""
    unconfirmed: list[Violation] = field(default_factory=list)
    """Of the violations, those about history that an earlier schedule would have to confirm
    (with it, an edit since the meeting happened makes them warnings; `check --previous`)."""
