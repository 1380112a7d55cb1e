"""What the solver is asked (SolveRequest, Pin, SolveParams) and what it answers (SolveOutcome).

Plain data, no OR-Tools: `resolve` builds requests and `diff` reads outcomes without loading it.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from scheduler.model import Instance, Meeting, Option


@dataclass(frozen=True)
class Pin:
    """A meeting's previous place (venue, date, start, room) in a re-solve."""

    meeting: str
    option: Option
    room: str
    forced: bool
    """True: it must stay (frozen history). False: it stays unless a move is allowed."""


@dataclass
class SolveRequest:
    """What to solve: the instance plus the re-solve adjustments (all empty for `solve`)."""

    instance: Instance
    participants_of: dict[str, list[str]] = field(default_factory=dict)
    """Meeting id -> participants, where a re-solve removed some; others as in the instance."""
    excluded_meetings: set[str] = field(default_factory=set)
    excluded_rooms: set[str] = field(default_factory=set)
    pins: dict[str, Pin] = field(default_factory=dict)
    max_moves: int = 0
    prefer_time: dict[str, tuple[dt.date, int]] = field(default_factory=dict)
    """Displaced meetings: a different date or start than this costs one tie-break point."""
    frozen_until: dt.datetime | None = None
    hint: dict[str, tuple[Option, str]] = field(default_factory=dict)
    max_meetings_of: dict[str, int] = field(default_factory=dict)
    """Participant id -> cap where a re-solve changes it: never below what history already holds
    (an edit cannot undo the past), less the history the solver does not hold as a pin."""
    busy: dict[tuple[str, dt.date], tuple[str, frozenset[int]]] = field(default_factory=dict)
    """(participant, date) -> (city, minutes) taken by history the solver does not hold as a pin."""
    required: set[str] = field(default_factory=set)
    """Meeting ids that must be scheduled (`schedule explain` forces one in to see what it displaces)."""

    excluded_interpreters: set[str] = field(default_factory=set)
    """Interpreters taken out by a re-solve."""
    interpreter_of: dict[str, str] = field(default_factory=dict)
    """Meeting id -> its interpreter in the previous schedule: kept for pinned meetings (frozen
    history, and kept ones: `kept_interpreter`), preferred for the rest."""
    interpreted_as_it_happened: set[str] = field(default_factory=set)
    """Frozen history whose interpreter the solver does not seat again (an edit removed them, took
    a language away or narrowed their available; or it had none and now would need one): it
    stands as it happened, and no other interpreter is chosen for it."""

    pins_vouched: bool = False
    """The pins are a previous schedule's placements that the checker is vouching for, on the
    instance it was made for (`resolve.plan(vouched=True)`): they fit together, and the first
    draft takes them without checking each against the others."""

    meetings_elsewhere: dict[str, int] = field(default_factory=dict)
    """Participant id -> meetings they keep outside this request's model (a per-date pass: their
    other dates): counted by fairness, and taken off their max_meetings."""

    def kept_interpreter(self, mid: str) -> str | None:
        """The interpreter a pinned meeting keeps: part of its place, like its room and time (held
        where the pin stays; changing them counts as a move where moves are allowed)."""
        return self.interpreter_of.get(mid) if mid in self.pins else None

    def meeting_participants(self, meeting: Meeting) -> list[str]:
        """The meeting's people in this request: the instance's, less any a re-solve removed."""
        return self.participants_of.get(meeting.id, meeting.participants)

    def max_meetings(self, pid: str) -> int | None:
        """The participant's cap in this request (less what they keep elsewhere)."""
        person = self.instance.participant_by_id.get(pid) or self.instance.interpreter_by_id[pid]
        cap = self.max_meetings_of.get(pid, person.max_meetings)
        return None if cap is None else max(0, cap - self.meetings_elsewhere.get(pid, 0))

    def fits_busy(self, people: list[str], option: Option) -> bool:
        """Whether an option avoids the city and time that history took from these people."""
        for pid in people:
            taken = self.busy.get((pid, option.date))
            if taken is not None and (
                taken[0] != option.city or any(t in taken[1] for t in range(option.start, option.end))
            ):
                return False
        return True


@dataclass(frozen=True)
class Progress:
    elapsed: float
    objective: int | None
    bound: int | None
    placed: int | None
    phase: str
    """What the solver is doing, in an organiser's words."""


@dataclass
class SolveParams:
    time_limit: float = 60.0
    workers: int = 2
    seed: int = 0
    log: bool = False
    shortcuts: bool = True
    """False: never stop early because the first draft already meets the bound, and let CP-SAT
    prove optimality on its own (no external bound given to it): tests use this to reach the model."""
    quality: bool = True
    """After total priority (never at its cost): min_meetings, fairness, fewer idle gaps, steady
    tables. False: total priority only (the benchmark's baseline)."""


@dataclass
class SolveOutcome:
    status: str
    objective: int
    bound: int
    placements: dict[str, tuple[Option, str]]
    unscheduled: dict[str, str]
    moves: int
    seconds: float
    interrupted: bool = False
    """The search stopped early (Ctrl-C) rather than at its time limit or optimum."""
    first_schedule_seconds: float | None = None
    stages: list[str] = field(default_factory=list)
    """The stages that ran, in order (see `scheduler.solver.pipeline.STAGES`)."""
    min_meetings_missed: dict[str, tuple[int, int]] = field(default_factory=dict)
    """Participant id -> (meetings given, min_meetings promised), where fewer were given."""
    interpreters: dict[str, str] = field(default_factory=dict)
    """Placed meeting id -> its interpreter, for each that needs one."""
    refused_fixed: dict[str, str] = field(default_factory=dict)
    """Pinned or hinted meeting id -> why the first draft could not keep it where given (a clash
    with one taken before it: forced pins first, then by priority)."""
    goals: dict[str, str] = field(default_factory=dict)
    """Each goal after priority (a later phase's name) -> how far it got: "proven", "best found",
    "not reached", or how a large solve pursued it ("per date", "local moves only")."""
    moves_not_tried: str | None = None
    """Why a re-solve with moves allowed kept every meeting where it stood (its model with moves
    was too large), in words for the organiser; None where it did not."""
    model_refused: bool = False
    """CP-SAT proved the full model infeasible while a schedule that keeps every rule was in hand:
    the model and the rules disagree (a bug to report). The schedule in hand is the one kept."""


class NoSchedule(Exception):
    """The solver ended without any schedule (exit status 1)."""

    def __init__(self, message: str, proven: bool = False, interrupted: bool = False) -> None:
        super().__init__(message)
        self.proven = proven
        """True when the solver proved that no schedule exists (not merely none found in time)."""
        self.interrupted = interrupted
        """True when Ctrl-C came before any schedule (exit status 130, not 1)."""
