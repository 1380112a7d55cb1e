"""Local moves closing idle gaps: each move keeps the schedule valid and lowers holes, then idle slots."""

from __future__ import annotations

import time

from conftest import make_instance, meeting
from test_objective import FOUR_SLOTS_TWO_TABLES, only, people

from scheduler.model import Instance, Option
from scheduler.solver.compact import close_gaps


def gaps_closed(instance: Instance, placements: dict[str, tuple[Option, str]]) -> dict[str, tuple[Option, str]]:
    options = {m.id: instance.meeting_options(m) for m in instance.meetings}
    who = {m.id: m.participants for m in instance.meetings}
    return close_gaps(instance, instance.meetings, placements, options, who, instance.rooms, time.monotonic() + 5)


def at(instance: Instance, mid: str, start: int) -> Option:
    return next(o for o in instance.meeting_options(instance.meeting_by_id[mid]) if o.start == start)


def test_a_meeting_moves_into_the_hole_and_the_checker_would_agree() -> None:
    """a: ab at 09:00 (b is free only then), ac at 10:30: ac moves to 09:30, next to ab."""
    instance = make_instance(
        venues=FOUR_SLOTS_TWO_TABLES,
        participants=people("a", "b", "c", b={"available": only("09:00", "09:30")}),
        meetings=[meeting("ab", "a", "b"), meeting("ac", "a", "c")],
    )
    moved = gaps_closed(instance, {"ab": (at(instance, "ab", 540), "T-1"), "ac": (at(instance, "ac", 630), "T-1")})
    assert moved["ab"][0].start == 540 and moved["ac"][0].start == 570


def test_no_move_breaks_max_consecutive() -> None:
    """At most two in a row: a has ab 09:00, ad 09:30 and ac 10:30; moving ac to 10:00 would make
    three in a row, so the hole stays."""
    instance = make_instance(
        event={"name": "x", "slot_minutes": 30, "max_consecutive": 2},
        venues=FOUR_SLOTS_TWO_TABLES,
        participants=people(
            "a", "b", "c", "d", b={"available": only("09:00", "09:30")}, d={"available": only("09:30", "10:00")}
        ),
        meetings=[meeting("ab", "a", "b"), meeting("ad", "a", "d"), meeting("ac", "a", "c")],
    )
    start = {
        "ab": (at(instance, "ab", 540), "T-1"),
        "ad": (at(instance, "ad", 570), "T-1"),
        "ac": (at(instance, "ac", 630), "T-1"),
    }
    assert gaps_closed(instance, start) == start
