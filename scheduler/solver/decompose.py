"""Large fresh solves, decomposed: a venue day per meeting (the rounded LP, then stage A, CP-SAT
on the aggregate), each date packed into exact times and rooms by the greedy, what it left out
repaired (`repair`), and the rest filled. The full model, where it fits, polishes after.
"""

from __future__ import annotations

import datetime as dt
import time
from collections import Counter, defaultdict
from typing import TYPE_CHECKING

from scheduler.model import Option
from scheduler.solver.repair import repair

if TYPE_CHECKING:
    from scheduler.solver.ortools.aggregate import Block
    from scheduler.solver.pipeline import Pipeline, Placements

STAGE_A_COLUMNS_PER_SECOND = 6_000
"""Stage A gets going (presolve, first LP) at about this many aggregate columns per second
(3,000 x 20,000: 42k columns, 7 s); with less time left, the rounded LP is packed directly."""
RESTRICT_ABOVE_COLUMNS = 20_000
"""Above this many aggregate columns stage A searches only the LP's support (`lp_support`);
below it, the full aggregate's own bound is worth having: it proves small instances optimal."""
PACKING_SECONDS_PER_MEETING = 0.0006
"""Packing a chosen venue day per meeting, the greedy and its repair together (15,000 x 90,000:
51,115 meetings in 26 s on 2 cores), to keep that time from stage A where no full model follows."""
MIN_PACKING_SHARE, MAX_PACKING_SHARE = 0.1, 0.5
"""Bounds on that share of the time left: some slack for a slow machine; stage A keeps half."""


def decompose(pipeline: Pipeline) -> bool:
    """Choose venue days (aggregated model), pack each date exactly, fill; False if interrupted."""
    from scheduler.solver.ortools.aggregate import block_of, lp_support, round_lp, solve_aggregate
    from scheduler.solver.ortools.model import min_bound

    if pipeline.remaining() < 1.0:
        return True
    pipeline.report("improving the draft")
    blocks = {mid: block_of(option) for mid, (option, _) in pipeline.best.items()}
    if pipeline.lp_values is not None:
        rounded = round_lp(pipeline.agg, pipeline.lp_values)
        if pipeline.value(rounded) > pipeline.value(blocks):
            blocks = rounded
    if pipeline.remaining() >= 2.0 + len(pipeline.agg.cost) / STAGE_A_COLUMNS_PER_SECOND:

        def days_worth(value: int) -> None:
            """The progress line moves while stage A searches (a minute or more at 3,000 x 20,000):
            what the days chosen are worth before the rooms and times are fitted."""
            pipeline.report(f"choosing days (worth {value:,})")

        days_worth(pipeline.value(blocks))
        pipeline.stages.append("days")
        # Measured at 3,000 x 20,000: stage A gains most; packing a date gains less per second.
        # Without the full model after it, packing is the greedy and a repair (`repair`), which
        # needs little time: stage A gets the rest.
        share = 0.6 if pipeline.will_polish() else 1.0 - _packing_share(pipeline, len(blocks))
        keep = None
        if pipeline.lp_values is not None and len(pipeline.agg.meeting_column) > RESTRICT_ABOVE_COLUMNS:
            keep = lp_support(pipeline.agg, pipeline.lp_values, blocks)
        # Without the full model after it, stage A is the search: a restriction's bound is not
        # used, so every worker improves the schedule instead.
        lns_only = keep is not None and not pipeline.will_polish()
        stage_a = solve_aggregate(
            pipeline.agg,
            pipeline.left(share),
            pipeline.params.workers,
            pipeline.params.seed,
            blocks,
            pipeline.people,
            keep,
            lns_only,
            days_worth,
            pipeline.take_city_hull,  # (its bound shown as soon as it is proven, its child reaped)
        )
        if stage_a is not None:
            if stage_a.bound is not None:
                pipeline.bound = min_bound(stage_a.bound, pipeline.bound)
            if stage_a.objective > pipeline.value(blocks):
                blocks = stage_a.blocks
            if stage_a.interrupted:
                # Ctrl-C: the days chosen so far, packed by the greedy alone (no time for repairs),
                # where they beat the draft: at 3,000 x 20,000, 40 s into 120, the days were worth
                # 28,7xx and the draft, all that was kept, 27,382 (the organiser trial).
                if pipeline.value(blocks) > pipeline.value(pipeline.best):
                    _pack_and_fill(pipeline, blocks, 0.0)
                return False
    pipeline.report("fitting meetings into rooms and times", bound=pipeline.bound)
    pipeline.stages.append("packing")
    seconds = (
        pipeline.remaining() * (0.6 if pipeline.will_polish() else 1.0) - pipeline.greedy_seconds
    )  # the fill after
    interrupted = _pack_and_fill(pipeline, blocks, seconds)
    pipeline.report(
        "rooms and times fitted",
        objective=pipeline.value(pipeline.best),
        placed=len(pipeline.best),
        bound=pipeline.bound,
    )
    return not interrupted


def _packing_share(pipeline: Pipeline, meetings: int) -> float:
    """The share of the time left that packing and its repair keep, when no full model follows."""
    left = pipeline.remaining()
    wanted = meetings * PACKING_SECONDS_PER_MEETING
    return min(MAX_PACKING_SHARE, max(MIN_PACKING_SHARE, wanted / left)) if left > 0 else MAX_PACKING_SHARE


def _pack_and_fill(pipeline: Pipeline, blocks: dict[str, Block], seconds: float) -> bool:
    """The chosen venue days packed (`_pack`, repairs within `seconds`), then filled by the greedy;
    the best schedule if it beats it. True if a Ctrl-C cut the packing short."""
    packed, interrupted = _pack(pipeline, blocks, seconds)
    filled, _ = pipeline.greedy_from(pipeline.options, packed)
    if pipeline.value(filled) > pipeline.value(pipeline.best):
        pipeline.best = filled
    return interrupted


def _pack(pipeline: Pipeline, blocks: dict[str, Block], seconds: float) -> tuple[Placements, bool]:
    """Exact times and rooms for the chosen venue days, date by date: the greedy, then `repair`
    (dates share only caps, which any subset of a choice that fits the aggregate respects);
    unused time passes on."""
    from scheduler.solver.ortools.aggregate import block_of

    by_date: dict[dt.date, dict[str, list[Option]]] = defaultdict(dict)
    for mid, block in blocks.items():
        by_date[block[1]][mid] = [o for o in pipeline.options[mid] if block_of(o) == block]
    deadline = time.monotonic() + seconds
    packed: Placements = {}
    interpreted: Counter[str] = Counter()  # interpreters' max_meetings less what earlier dates took
    for n, date in enumerate(sorted(by_date)):
        narrowed = pipeline.keeping_travel(by_date[date], packed)  # dates in order: travel from earlier ones
        start, _ = pipeline.greedy_from(narrowed, {})
        budget = (deadline - time.monotonic()) / (len(by_date) - n)
        if len(start) < len(narrowed) and budget > 0:  # (none left: after a Ctrl-C, the greedy alone)
            start, interrupted = repair(pipeline, narrowed, start, budget, interpreted)
            if interrupted:
                return {**packed, **start}, True
        packed.update(start)
        interpreted.update(pipeline.interpreters[mid] for mid in start if mid in pipeline.interpreters)
        pipeline.report(f"fitting meetings into rooms and times (day {n + 1} of {len(by_date)})")
    return packed, False
