"""Travel rules in the solver (scheduler/solver/travel.py): the nearest span in each city decides."""

from __future__ import annotations

import datetime as dt

from conftest import make_instance

from scheduler.model import Option
from scheduler.solver.travel import TravelClock

VENUES = [
    {
        "id": "bj",
        "city": "Beijing",
        "days": [{"date": "2025-11-15", "sessions": [{"start": "08:00", "end": "09:00"}]}],
        "rooms": [{"id": "T", "capacity": 2}],
    },
    {
        "id": "hz",
        "city": "Hangzhou",
        "days": [{"date": "2025-11-14", "sessions": [{"start": "09:00", "end": "13:00"}]}],
        "rooms": [{"id": "H", "capacity": 2}],
    },
]


def option(city: str, day: int, clock: str) -> Option:
    start = int(clock[:2]) * 60 + int(clock[3:])
    return Option("bj" if city == "Beijing" else "hz", city, dt.date(2025, 11, day), start, start + 30)


def test_the_clock_finds_the_nearest_meeting_or_item_either_side() -> None:
    """a attends two Beijing items on the 13th (to 10:00 and to 13:00); rules of 22 hours both ways.
    Hangzhou at 09:00 on the 14th is 20 h after the later item (the earlier, 23 h, alone would do);
    at 11:00, 22 h: fine. After a Hangzhou meeting to 12:30 on the 14th, Beijing at 08:00 on the 15th
    is too soon (19.5 h), and a Beijing meeting before that Hangzhou one is too (the other way)."""
    item = {"kind": "visit", "title": "T", "city": "Beijing", "date": "2025-11-13", "attendees": ["a"]}
    instance = make_instance(
        venues=VENUES,
        programme=[
            {**item, "id": "one", "start": "09:00", "end": "10:00"},
            {**item, "id": "two", "start": "12:00", "end": "13:00"},
        ],
        travel=[
            {"from": "Beijing", "to": "Hangzhou", "min_hours": 22},
            {"from": "Hangzhou", "to": "Beijing", "min_hours": 22},
        ],
    )
    clock = TravelClock(instance)
    assert clock.clash("a", option("Hangzhou", 14, "09:00")) == ""
    assert clock.clash("a", option("Hangzhou", 14, "11:00")) is None
    assert clock.clash("b", option("Hangzhou", 14, "09:00")) is None
    clock.take("m1", ["a"], option("Hangzhou", 14, "12:00"))
    assert clock.clash("a", option("Beijing", 15, "08:00")) == "m1"
    assert clock.clash("a", option("Beijing", 13, "14:00")) == "m1"  # 22 h before 12:00 is 14:00: 21.5 h left
    assert clock.clash("a", option("Beijing", 13, "13:30")) is None  # ends 14:00, 22 h before
    assert clock.fits(["b"], option("Beijing", 15, "08:00")) and not clock.fits(
        ["a", "b"], option("Beijing", 15, "08:00")
    )
