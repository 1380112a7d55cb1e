"""Repairing a packed date: CP-SAT places what the greedy left out, with the meetings of their
people free to move (`around`: one step wider each round) and the rest held."""

from __future__ import annotations

import time
from collections import Counter, defaultdict
from collections.abc import Mapping
from dataclasses import replace
from typing import TYPE_CHECKING

from scheduler.model import Option

if TYPE_CHECKING:
    from scheduler.solver.pipeline import Pipeline, Placements


def around(free: set[str], placed: Mapping[str, object], people: Mapping[str, list[str]]) -> set[str]:
    """`free` and every placed meeting that shares a person with one of them: one step wider.

    Moving a left-out meeting's people's other meetings is what frees a slot they share; the
    meetings of those meetings' people come in at the next step, if this one is not enough.
    """
    by_person: dict[str, list[str]] = defaultdict(list)
    for mid in placed:
        for pid in people[mid]:
            by_person[pid].append(mid)
    touched = {pid for mid in free for pid in people[mid]}
    return free | {mid for pid in touched for mid in by_person[pid]}


def repair(
    pipeline: Pipeline, options: dict[str, list[Option]], placed: Placements, seconds: float, interpreted: Counter[str]
) -> tuple[Placements, bool]:
    """One date's meetings the greedy left out, placed by CP-SAT with only the meetings of their
    people free to move and the rest held; the free set widens while a proven optimum still
    leaves some out. At 15,000 x 90,000 the first round placed all 186 left out, in 25 s for
    three dates, where each date's whole model in 47 s had placed none more than the greedy."""
    from scheduler.solver.ortools.model import ScheduleModel

    deadline = time.monotonic() + seconds
    request = replace(pipeline.request, meetings_elsewhere={**pipeline.request.meetings_elsewhere, **interpreted})
    free: set[str] = set()
    while len(placed) < len(options) and len(free) < len(options):
        # (left out now may include a held meeting the last round gave up for a better one)
        wider = around(free | (set(options) - set(placed)), placed, pipeline.people)
        free = wider if wider != free else set(options)  # (a room, not a person, may be what is short)
        narrowed = {mid: opts if mid in free else [placed[mid][0]] for mid, opts in options.items()}
        building = pipeline.build_seconds(narrowed)
        if deadline - time.monotonic() < building + 1.0:
            break
        model = ScheduleModel(request, pipeline.prepared, options=narrowed)
        model.add_hint(placed, pipeline.interpreters)
        outcome = model.solve(pipeline.params_for(deadline - time.monotonic() - building), fallback=placed)
        del model  # (before the wider one is built: two at once would double the peak)
        placed = outcome.placements
        pipeline.interpreters.update(outcome.interpreters)
        if outcome.interrupted:
            return placed, True
        if outcome.status != "OPTIMAL":
            break  # out of time: a wider neighbourhood would have less
    return placed, False
