"""Each meeting's people and free options, computed once and shared by every stage of a solve."""

from __future__ import annotations

import datetime as dt
import time
from collections import Counter
from collections.abc import Mapping

from scheduler.model import Option
from scheduler.solver.request import NoSchedule, SolveOutcome, SolveRequest


class Prepared:
    """Each meeting's participants, free options and, when it has none, why: computed once.

    Shared by the greedy, the LP bound, the decomposition and the CP-SAT models, and the
    one place where a schedule's placements become a SolveOutcome with reasons.
    """

    def __init__(self, request: SolveRequest) -> None:
        self.request = request
        instance = self.instance = request.instance
        self.meetings = [m for m in instance.meetings if m.id not in request.excluded_meetings]
        self.by_id = {m.id: m for m in self.meetings}
        self.index = {m.id: i for i, m in enumerate(self.meetings)}
        self.participants = [request.meeting_participants(m) for m in self.meetings]
        self.options: list[list[Option]] = []
        self.reasons: dict[int, str] = {}
        frozen_until = request.frozen_until
        for idx, meeting in enumerate(self.meetings):
            people = self.participants[idx]
            effective = meeting.with_participants(people)
            pin = request.pins.get(meeting.id)
            if pin is not None and (pin.forced or request.max_moves == 0):
                self.options.append([])  # it can only stay where it is: other places are dead weight
                continue
            options = instance.meeting_options(effective)
            if request.busy:
                options = [o for o in options if request.fits_busy(people, o)]
            free = options if frozen_until is None else [o for o in options if starts_at(o) >= frozen_until]
            self.options.append(free)
            if not free and pin is None:
                self.reasons[idx] = (
                    "every possible time is before the frozen time" if options else instance.why_impossible(effective)
                )
        self._check_required()

    def _check_required(self) -> None:
        """A required meeting that cannot be placed at all makes the request impossible: say why."""
        for mid in sorted(self.request.required):
            idx = self.index.get(mid)
            if idx is None:
                raise NoSchedule(f"required meeting {mid} is cancelled or not in the instance")
            if idx in self.reasons:
                raise NoSchedule(f"required meeting {mid} cannot be placed: {self.reasons[idx]}")

    def options_by_id(self) -> dict[str, list[Option]]:
        return {m.id: self.options[i] for i, m in enumerate(self.meetings)}

    def people_by_id(self) -> dict[str, list[str]]:
        return {m.id: self.participants[i] for i, m in enumerate(self.meetings)}

    def value(self, placements: Mapping[str, object]) -> int:
        """Total priority of the meetings keyed in `placements` (a schedule's, or a choice of days)."""
        return sum(self.by_id[mid].priority for mid in placements)

    def total(self) -> int:
        """Every request's priority: the trivial bound."""
        return sum(m.priority for m in self.meetings)

    def outcome(
        self, placements: dict[str, tuple[Option, str]], status: str, bound: int, moves: int, started: float
    ) -> SolveOutcome:
        objective = self.value(placements)
        if bound < objective:
            # A bound below a schedule we hold cannot be a proof: never report it, never call it optimal.
            status, bound = "FEASIBLE", self.total()
        attending = Counter(pid for mid in placements for pid in self.participants[self.index[mid]])
        missed = self.min_meetings_missed(attending)
        unscheduled = {
            m.id: self.unscheduled_reason(i, attending, missed)
            for i, m in enumerate(self.meetings)
            if m.id not in placements
        }
        # OPTIMAL means the objective reached a proven bound, whatever a stage called its own result.
        status = "OPTIMAL" if bound == objective else "FEASIBLE" if status == "OPTIMAL" else status
        return SolveOutcome(
            status=status,
            objective=objective,
            bound=bound,
            placements=placements,
            unscheduled=unscheduled,
            moves=moves,
            seconds=time.monotonic() - started,
            min_meetings_missed=missed,
        )

    def min_meetings_missed(self, attending: Counter[str]) -> dict[str, tuple[int, int]]:
        """Participant -> (meetings given, min_meetings promised), where fewer were given."""
        missed = {}
        for person in self.instance.participants:
            given = attending[person.id] + self.request.meetings_elsewhere.get(person.id, 0)
            if person.min_meetings is not None and given < person.min_meetings:
                missed[person.id] = (given, person.min_meetings)
        return missed

    def unscheduled_reason(
        self, idx: int, attending: Counter[str], missed: dict[str, tuple[int, int]] | None = None
    ) -> str:
        """Why a request stayed out, given how many meetings each person attends (and who got
        fewer than their min_meetings)."""
        missed = missed or {}
        if idx in self.reasons:
            return self.reasons[idx]
        for pid in self.participants[idx]:
            limit = self.request.max_meetings(pid)
            if limit is not None and attending[pid] >= limit:
                return f"{pid} already has max_meetings ({limit})"
        short = [pid for pid in self.participants[idx] if pid in missed]
        promise = "".join(f"; {pid} got {missed[pid][0]} of min_meetings {missed[pid][1]}" for pid in short)
        return "no time left with all participants and a room free" + promise


def starts_at(option: Option) -> dt.datetime:
    """The option's local start as a naive date-time (compared with `frozen_until`)."""
    return dt.datetime.combine(option.date, dt.time(option.start // 60, option.start % 60))
