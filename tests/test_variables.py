"""The model's choice literals: counted without building them, as many as are built."""

from __future__ import annotations

import datetime as dt

from conftest import make_instance, meeting

from scheduler.model import Option
from scheduler.solver.ortools.variables import choice_count, choice_variables
from scheduler.solver.prepared import Prepared
from scheduler.solver.request import Pin, SolveRequest

VENUE = {
    "id": "bj",
    "city": "Beijing",
    "days": [{"date": "2025-11-13", "sessions": [{"start": "09:00", "end": "11:00"}]}],
    "rooms": [{"id": "T", "count": 4, "capacity": 2}, {"id": "R", "count": 2, "capacity": 4}],
}


def test_choice_count_is_the_number_of_literals_the_model_builds() -> None:
    """A one-slot meeting takes a literal per option, a longer one a literal per option and room
    group that seats it; a room holding a pin is a group of its own (the re-solve at 12,000
    requests whose build the option count put at 1 s and took 9)."""
    people = [{"id": p, "name": p.upper()} for p in "abcdefgh"]
    requests = [
        meeting("ab", "a", "b"),
        meeting("cd", "c", "d", slots=2),
        meeting("efg", "e", "f", "g", slots=2),
        meeting("gh", "g", "h", slots=3),
    ]
    instance = make_instance(venues=[VENUE], participants=people, meetings=requests)
    option = Option("bj", "Beijing", dt.date(2025, 11, 13), 540, 570)
    built = []
    for pins in ({}, {"ab": Pin("ab", option, "T-2", forced=False)}):
        request = SolveRequest(instance, pins=pins)
        prepared = Prepared(request)
        built.append(len(choice_variables(request, prepared).choices))
        assert choice_count(request, prepared, prepared.options_by_id()) == built[-1]
        assert built[-1] > sum(len(o) for o in prepared.options)  # the longer meetings' room groups count
    assert built[1] > built[0]  # T-2, holding the pin, is a group of its own
