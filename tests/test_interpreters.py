"""The interpreter desk (scheduler/solver/interpreters.py): its index keeps every rule."""

from __future__ import annotations

import datetime as dt

from conftest import make_instance

from scheduler.model import Option
from scheduler.solver.interpreters import InterpreterDesk

DAY = dt.date(2025, 11, 13)
VENUES = [
    {
        "id": "bj",
        "city": "Beijing",
        "days": [{"date": "2025-11-13", "sessions": [{"start": "09:00", "end": "10:00"}]}],
        "rooms": [{"id": "T", "capacity": 3}],
    },
    {
        "id": "hz",
        "city": "Hangzhou",
        "days": [{"date": "2025-11-13", "sessions": [{"start": "09:00", "end": "10:00"}]}],
        "rooms": [{"id": "H", "capacity": 3}],
    },
]


def at(clock: str, city: str = "Beijing") -> Option:
    start = int(clock[:2]) * 60 + int(clock[3:])
    return Option("bj" if city == "Beijing" else "hz", city, DAY, start, start + 30)


def test_the_desk_takes_the_least_spare_interpreter_and_keeps_caps_cities_slots_and_windows() -> None:
    """y is free only 09:00-09:30 (no time left after), x has a cap of one, z is free all day: at
    09:00 y, then x, then z, then nobody (w is held); at 09:30 z or w, z first (x at its cap, y gone home); in
    Hangzhou nobody (x, y, z are in Beijing that date, and w by its history at 09:00)."""
    interpreters = [
        {"id": "z", "name": "Z", "languages": ["it", "zh"]},
        {"id": "x", "name": "X", "languages": ["it", "zh"], "max_meetings": 1},
        {
            "id": "y",
            "name": "Y",
            "languages": ["it", "zh"],
            "available": [{"date": "2025-11-13", "city": "Beijing", "start": "09:00", "end": "09:30"}],
        },
        {"id": "w", "name": "W", "languages": ["it", "zh"]},
    ]
    instance = make_instance(venues=VENUES, interpreters=interpreters)
    desk = InterpreterDesk(instance, busy={("w", DAY): ("Beijing", frozenset({540}))})
    everyone = ["z", "x", "y", "w"]
    chosen = []
    for _ in range(4):
        found = desk.pick(everyone, at("09:00"))
        chosen.append(found)
        if found is not None:
            desk.take(found, at("09:00"))
    assert chosen == ["y", "x", "z", None]
    assert desk.pick(everyone, at("09:30", "Hangzhou")) is None  # everyone is in Beijing that date
    assert desk.pick(everyone, at("09:30"), preferred="w") == "w"  # w's history holds only 09:00
    assert desk.pick(everyone, at("09:30")) == "z"  # x at its cap, y gone home, z before w by order
    for iid in everyone:  # the index agrees with the rule read one interpreter at a time
        for option in (at("09:00"), at("09:30"), at("09:00", "Hangzhou"), at("09:30", "Hangzhou")):
            assert (desk.pick([iid], option) == iid) == desk.fits(iid, option), (iid, option)
