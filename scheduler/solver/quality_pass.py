"""Quality on large solves, where the full model is too large to pursue it: each date re-solved
with the others fixed (its priority held, the fairness and idle-gap phases run), then local moves
closing gaps and steady rooms, then the greedy once more for any time the moves freed.
"""

from __future__ import annotations

import datetime as dt
import time
from collections import Counter, defaultdict
from dataclasses import replace
from typing import TYPE_CHECKING

from scheduler.model import Option
from scheduler.solver.compact import close_gaps
from scheduler.solver.pipeline import (
    MIN_LOCAL_MOVES_SECONDS,
    OPTIONS_BUILT_PER_SECOND,
    QUALITY_SHARE,
)
from scheduler.solver.rooms import with_steady_rooms

if TYPE_CHECKING:
    from scheduler.solver.pipeline import Pipeline

LOCAL_MOVES_SHARE = 0.1
"""Of that, the share kept for local moves closing gaps (`compact.close_gaps`) after the CP phases:
at 1,000 x 5,000 they converge in under a second, from about 1,000 holes to 130."""
MIN_DATE_PHASES_SECONDS = 15.0
"""The per-date CP phases run only if each date's model would get this long to search once built
(at 3,000 x 20,000 in 300 s they got about 8 s a date: "no meeting" 26 -> 24, but priority 99.86%
of a priority-only run, short of the 99.9% we hold to, on two shared cores)."""


def fill_what_moves_freed(pipeline: Pipeline) -> None:
    """The greedy once more after the quality pass: a meeting moved to close a gap can free a
    time a waiting request fits (at 10,000 x 60,000, 9 were left out with "a place is free")."""
    if pipeline.deadline - time.monotonic() < pipeline.greedy_seconds:
        return  # (the pass left it this much: only a Ctrl-C or a slow machine leaves less)
    filled, _ = pipeline.greedy_from(pipeline.options, pipeline.best)
    if pipeline.value(filled) > pipeline.value(pipeline.best):
        pipeline.best = filled


def date_phases_worth_it(pipeline: Pipeline) -> bool:
    """Whether the per-date CP phases would get time to search after building each date's model
    (at 1,000 x 5,000 in 60 s they got under a second each, found nothing, and cost priority
    the 13 s they took): if not, only local moves run, in a smaller share of the time."""
    options_on: Counter[dt.date] = Counter(o.date for opts in pipeline.options.values() for o in opts)
    if not options_on:
        return False
    per_date = pipeline.params.time_limit * QUALITY_SHARE * (1 - LOCAL_MOVES_SHARE) / len(options_on)
    building = 2 * max(options_on.values()) / OPTIONS_BUILT_PER_SECOND
    return per_date - building >= MIN_DATE_PHASES_SECONDS


def quality_pass(pipeline: Pipeline) -> None:
    """Each date re-solved with the others fixed: its priority held, the quality phases run.

    A date's model holds the meetings placed that date, and the unscheduled requests with a
    place that date whose people are short of meetings (fairness may swap one in).
    """
    pipeline.report("giving everyone a better day")
    pipeline.stages.append("quality")
    # The CP phases per date first (fairness, then gaps), then local moves close the gaps
    # left: they never touch which meetings happen, so they never undo fairness.
    if pipeline.date_phases:
        final_deadline = pipeline.deadline
        moves = max(MIN_LOCAL_MOVES_SECONDS, (pipeline.deadline - time.monotonic()) * LOCAL_MOVES_SHARE)
        pipeline.deadline -= moves
        try:
            _per_date_phases(pipeline)
        finally:
            pipeline.deadline = final_deadline
    instance = pipeline.request.instance
    open_rooms = [r for r in instance.rooms if r.id not in pipeline.request.excluded_rooms]
    kept, chosen, _ = pipeline.prepared.with_interpreters(pipeline.best, pipeline.interpreters)
    if len(kept) < len(pipeline.best):
        return  # (never: every stage keeps interpreters) local moves would not know who interprets
    pipeline.interpreters = chosen
    people = pipeline.prepared.people_with_interpreters(chosen)  # they move with their meetings
    moved = close_gaps(
        instance,
        pipeline.prepared.meetings,
        pipeline.best,
        pipeline.options,
        people,
        open_rooms,
        pipeline.deadline - 0.5,
    )
    moved = with_steady_rooms(instance, moved, people, open_rooms)
    if len(pipeline.prepared.with_interpreters(moved, chosen)[0]) == len(moved):
        pipeline.best = moved  # (else a move took a meeting where its interpreter is not available)


def _per_date_phases(pipeline: Pipeline) -> None:
    """Each date's model with the other dates fixed: the later phases from its schedule."""
    from scheduler.solver.ortools.model import ScheduleModel
    from scheduler.solver.ortools.objective import later_phases

    short = _short_of_meetings(pipeline)
    by_date: dict[dt.date, dict[str, list[Option]]] = defaultdict(dict)
    for mid, options in pipeline.options.items():
        placed = pipeline.best.get(mid)
        if placed is None and not any(pid in short for pid in pipeline.people[mid]):
            continue
        for option in options:
            if placed is None or option.date == placed[0].date:
                by_date[option.date].setdefault(mid, []).append(option)
    dates = sorted(by_date)
    for n, date in enumerate(dates):
        # (a request fairness placed on an earlier date is no candidate here any more)
        narrowed = {mid: opts for mid, opts in by_date[date].items() if not _placed_elsewhere(pipeline, mid, date)}
        budget = (pipeline.deadline - time.monotonic()) / (len(dates) - n)
        building = 2 * pipeline.build_seconds(narrowed)
        if budget < building + 1.0:
            continue
        current = {mid: place for mid, place in pipeline.best.items() if place[0].date == date}
        others = {mid: place for mid, place in pipeline.best.items() if place[0].date != date}
        elsewhere: Counter[str] = Counter(pid for mid in others for pid in pipeline.people[mid])
        elsewhere.update(pipeline.interpreters[mid] for mid in others if mid in pipeline.interpreters)
        narrowed = pipeline.keeping_travel(narrowed, others)
        request = replace(pipeline.request, meetings_elsewhere=dict(elsewhere))
        model = ScheduleModel(request, pipeline.prepared, options=narrowed)
        model.phases = later_phases(model.vars)
        outcome = model.improve(pipeline.params_for(budget - building), current, interpreters=pipeline.interpreters)
        if pipeline.value(outcome.placements) >= pipeline.value(current):
            pipeline.interpreters.update(outcome.interpreters)
            others = {mid: place for mid, place in pipeline.best.items() if place[0].date != date}
            pipeline.best = {**others, **outcome.placements}
        pipeline.report(
            f"giving everyone a better day (day {n + 1} of {len(dates)})", objective=pipeline.value(pipeline.best)
        )
        if outcome.interrupted:
            raise KeyboardInterrupt


def _placed_elsewhere(pipeline: Pipeline, mid: str, date: dt.date) -> bool:
    placed = pipeline.best.get(mid)
    return placed is not None and placed[0].date != date


def _short_of_meetings(pipeline: Pipeline) -> set[str]:
    """People with fewer meetings than FAIR_LEVELS or their min_meetings."""
    from scheduler.solver.ortools.objective import FAIR_LEVELS

    count: Counter[str] = Counter(pid for mid in pipeline.best for pid in pipeline.people[mid])
    instance = pipeline.request.instance
    return {
        pid
        for mid in pipeline.options
        for pid in pipeline.people[mid]
        if count[pid] < max(FAIR_LEVELS, instance.participant_by_id[pid].min_meetings or 0)
    }
