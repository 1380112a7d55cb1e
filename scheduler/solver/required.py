"""Solving with some meetings required: the full CP model alone, for `schedule explain`."""

from __future__ import annotations

from scheduler.solver.ortools.model import ScheduleModel
from scheduler.solver.prepared import Prepared
from scheduler.solver.request import SolveOutcome, SolveParams, SolveRequest


def solve_with_required(request: SolveRequest, params: SolveParams) -> SolveOutcome:
    """The best schedule that holds every meeting of `request.required` (NoSchedule if none does).

    The pipeline's draft, bound and decomposition do not know `required` (a draft without
    the meeting would win as the fallback), so only the full model runs, from the request's hint.
    """
    model = ScheduleModel(request, Prepared(request))
    model.add_hint(request.hint)
    outcome = model.solve(params)
    outcome.stages = ["cp-sat"]
    return outcome
