"""`Occupancy`: what a schedule holds at each time, and what keeps a time from a request.

The schedules are written by hand (each accepted by the checker first), so every block below
can be read off the two or three meetings they hold.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from conftest import BASE, hand_made, make_instance, meeting
from test_solve import TWO_CITIES_SAME_DAY

from scheduler.model import Instance, Option
from scheduler.occupancy import Block, Occupancy
from scheduler.solution import Assignment
from scheduler.verify import verify

DAY = dt.date(2025, 11, 13)


def held(instance: Instance, *placed: tuple[str, str, str, str], **fields: Any) -> Occupancy:
    """The occupancy of a schedule placing each (meeting, start, venue, room), checked first."""
    city = {v.id: v.city for v in instance.venues}
    assignments = []
    for mid, start, venue, room in placed:
        hours, minutes = map(int, start.split(":"))
        end = f"{hours + (minutes + 30) // 60:02d}:{(minutes + 30) % 60:02d}"
        assignments.append(
            Assignment(
                meeting=mid, date=DAY.isoformat(), start=start, end=end, city=city[venue], venue=venue, room=room
            )
        )
    schedule = hand_made(instance, *assignments, **fields)
    assert verify(instance, schedule) == []
    return Occupancy(instance, schedule)


def option(start: int, venue: str = "bj", city: str = "Beijing") -> Option:
    return Option(venue, city, DAY, start, start + 30)


NINE, HALF_PAST = 9 * 60, 9 * 60 + 30


def test_who_and_which_room_each_meeting_holds_and_when() -> None:
    """m1 (a, b) at 09:00 in the one table: a, b and the table are held then, and only then."""
    instance = make_instance(meetings=[meeting("m1", "a", "b"), meeting("m2", "a", "c")])
    occupancy = held(instance, ("m1", "09:00", "bj", "T-1"))
    assert occupancy.person_at == {("a", "2025-11-13", NINE): "m1", ("b", "2025-11-13", NINE): "m1"}
    assert occupancy.room_at == {("T-1", "2025-11-13", NINE): "m1"}
    assert occupancy.held == {"a": ["m1"], "b": ["m1"]}
    assert occupancy.cities[("a", "2025-11-13")] == {"Beijing": ["m1"]}
    assert occupancy.people == {"m1": ["a", "b"]}
    assert occupancy.history == set()


def test_a_busy_person_and_a_full_room_block_a_time_and_a_free_time_has_no_block() -> None:
    """m1 (a, b) at 09:00 holds the only table: m2 (a, c) finds a busy at 09:00, m3 (c, d)
    finds the room full then; at 09:30 nothing stands in either's way."""
    instance = make_instance(meetings=[meeting("m1", "a", "b"), meeting("m2", "a", "c"), meeting("m3", "c", "d")])
    occupancy = held(instance, ("m1", "09:00", "bj", "T-1"))
    m2, m3 = instance.meeting_by_id["m2"], instance.meeting_by_id["m3"]
    assert occupancy.blocks(m2, ["a", "c"], option(NINE)) == [Block("busy", "a", ("m1",))]
    assert occupancy.blocks(m3, ["c", "d"], option(NINE)) == [Block("rooms", None, ("m1",))]
    assert occupancy.blocks(m2, ["a", "c"], option(HALF_PAST)) == []
    assert occupancy.blocks(m3, ["c", "d"], option(HALF_PAST)) == []


def test_a_meeting_in_the_other_city_that_day_blocks_every_time_there() -> None:
    """a meets b in Beijing at 09:00: a meeting of a in Hangzhou that day is blocked at any
    time (one city per date), and the meeting's own place does not block itself."""
    instance = make_instance(venues=TWO_CITIES_SAME_DAY, meetings=[meeting("m1", "a", "b"), meeting("m2", "a", "c")])
    occupancy = held(instance, ("m1", "09:00", "bj", "BJ-T-1"))
    m1, m2 = instance.meeting_by_id["m1"], instance.meeting_by_id["m2"]
    for start in (NINE, 10 * 60 + 30):
        assert occupancy.blocks(m2, ["a", "c"], option(start, "hz", "Hangzhou")) == [Block("elsewhere", "a", ("m1",))]
    assert occupancy.blocks(m1, ["a", "b"], option(NINE, "bj")) == []


def test_a_run_without_a_break_names_the_meetings_around_the_time() -> None:
    """max_consecutive 1: with m1 (a, b) at 09:00, a meeting of a at 09:30 would make two slots
    in a row; with no limit the run is never too long."""
    people = [{"id": p, "name": p.upper()} for p in "abcd"]
    two_tables = [{**BASE["venues"][0], "rooms": [{"id": "T", "count": 2, "capacity": 2}]}]
    meetings = [meeting("m1", "a", "b"), meeting("m2", "a", "c")]
    limited = make_instance(
        event={**BASE["event"], "max_consecutive": 1}, participants=people, venues=two_tables, meetings=meetings
    )
    occupancy = held(limited, ("m1", "09:00", "bj", "T-1"))
    assert occupancy.run_without_break("a", "2025-11-13", option(HALF_PAST), "m2") == ("m1",)
    assert occupancy.blocks(limited.meeting_by_id["m2"], ["a", "c"], option(HALF_PAST)) == [
        Block("breaks", "a", ("m1",))
    ]
    unlimited = make_instance(participants=people, venues=two_tables, meetings=meetings)
    assert (
        held(unlimited, ("m1", "09:00", "bj", "T-1")).run_without_break("a", "2025-11-13", option(HALF_PAST), "m2")
        == ()
    )


def test_meetings_before_the_frozen_time_are_history() -> None:
    """Frozen at 09:30: m1 at 09:00 has happened, m2 at 09:30 has not."""
    instance = make_instance(
        meetings=[meeting("m1", "a", "b"), meeting("m2", "c", "d")],
        venues=[{**BASE["venues"][0], "rooms": [{"id": "T", "count": 2, "capacity": 2}]}],
    )
    occupancy = held(
        instance, ("m1", "09:00", "bj", "T-1"), ("m2", "09:30", "bj", "T-2"), frozen_until="2025-11-13T09:30"
    )
    assert occupancy.history == {"m1"}
