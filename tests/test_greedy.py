"""The first draft: fixed placements are kept only when they break nothing already taken."""

from __future__ import annotations

from typing import Any

import pytest
from conftest import make_instance, meeting
from test_solve import TWO_CITIES_SAME_DAY, four_slots_a_meets_four_at_most_two_in_a_row

from scheduler.model import Instance, Option
from scheduler.solver.greedy import Draft, greedy_placements

TABLES_AND_A_ROOM = [
    {
        "id": "bj",
        "city": "Beijing",
        "days": [{"date": "2025-11-13", "sessions": [{"start": "09:00", "end": "10:00"}]}],
        "rooms": [{"id": "T", "count": 12, "capacity": 2}, {"id": "R", "capacity": 4}],
    }
]
PEOPLE: list[dict[str, Any]] = [{"id": p, "name": p.upper()} for p in "abcdef"]


def draft(
    instance: Instance,
    fixed: dict[str, tuple[Option, str]],
    closed: set[str] | None = None,
    vouched: frozenset[str] = frozenset(),
) -> Draft:
    return greedy_placements(
        instance,
        instance.meetings,
        lambda m: instance.meeting_options(m),
        lambda m: m.participants,
        list(instance.rooms),
        fixed=fixed,
        closed_rooms=closed or set(),
        vouched=vouched,
    )


def first_option(instance: Instance, mid: str, venue: str = "bj", start: int = 540) -> Option:
    return next(
        o for o in instance.meeting_options(instance.meeting_by_id[mid]) if o.venue == venue and o.start == start
    )


def test_new_meetings_take_the_lowest_numbered_tables() -> None:
    meetings = [meeting("ab", "a", "b"), meeting("cd", "c", "d"), meeting("ef", "e", "f")]
    instance = make_instance(venues=TABLES_AND_A_ROOM, participants=PEOPLE, meetings=meetings)
    placed = draft(instance, {}).placements
    assert sorted(room for _, room in placed.values()) == ["T-1", "T-2", "T-3"]


@pytest.mark.parametrize(
    ("meetings", "second", "why"),
    [
        ([meeting("ab", "a", "b"), meeting("ac", "a", "c")], ("ac", "T-2"), "a is in another meeting then"),
        ([meeting("ab", "a", "b"), meeting("cd", "c", "d")], ("cd", "T-1"), "room T-1 holds another meeting then"),
        ([meeting("ab", "a", "b"), meeting("cde", "c", "d", "e")], ("cde", "T-2"), "room T-2 holds 2, not 3"),
        ([meeting("ab", "a", "b"), meeting("cd", "c", "d")], ("cd", "X-1"), "room X-1 is not a room of venue bj"),
    ],
    ids=["person-overlap", "room-overlap", "capacity", "unknown-room"],
)
def test_a_fixed_placement_that_clashes_is_refused(
    meetings: list[dict[str, Any]], second: tuple[str, str], why: str
) -> None:
    instance = make_instance(venues=TABLES_AND_A_ROOM, participants=PEOPLE, meetings=meetings)
    first_id = meetings[0]["id"]
    fixed = {
        first_id: (first_option(instance, first_id), "T-1"),
        second[0]: (first_option(instance, second[0]), second[1]),
    }
    result = draft(instance, fixed)
    assert result.placements[first_id] == fixed[first_id]
    assert result.refused == {second[0]: why}
    assert second[0] not in result.placements or result.placements[second[0]] != fixed[second[0]]


def test_vouched_fixed_placements_are_taken_as_given_and_the_rest_fit_around_them() -> None:
    """Vouched placements (a checked previous schedule's) are not checked against each other: the
    caller answers for them. Here two are given as vouched at the same table for the test's sake;
    both are taken, and a new meeting still avoids the table they hold."""
    meetings = [meeting("ab", "a", "b"), meeting("cd", "c", "d"), meeting("ef", "e", "f")]
    instance = make_instance(venues=TABLES_AND_A_ROOM, participants=PEOPLE, meetings=meetings)
    fixed = {mid: (first_option(instance, mid), "T-1") for mid in ("ab", "cd")}
    checked = draft(instance, fixed)
    assert checked.refused == {"cd": "room T-1 holds another meeting then"}
    taken = draft(instance, fixed, vouched=frozenset({"ab", "cd"}))
    assert taken.refused == {} and taken.placements["ab"] == taken.placements["cd"] == fixed["ab"]
    assert taken.placements["ef"][1] == "T-2"


def test_max_meetings_and_one_city_per_date_refuse_fixed_placements() -> None:
    people = [{"id": "a", "name": "A", "max_meetings": 1}, {"id": "b", "name": "B"}, {"id": "c", "name": "C"}]
    capped = make_instance(participants=people, meetings=[meeting("ab", "a", "b"), meeting("ac", "a", "c")])
    fixed = {"ab": (first_option(capped, "ab"), "T-1"), "ac": (first_option(capped, "ac", start=570), "T-1")}
    assert draft(capped, fixed).refused == {"ac": "a already has max_meetings (1)"}

    two_cities = make_instance(venues=TWO_CITIES_SAME_DAY, meetings=[meeting("ab", "a", "b"), meeting("ac", "a", "c")])
    fixed = {
        "ab": (first_option(two_cities, "ab"), "BJ-T-1"),
        "ac": (first_option(two_cities, "ac", "hz", 570), "HZ-T-1"),
    }
    assert draft(two_cities, fixed).refused == {"ac": "a is in Beijing that date"}


def test_a_fixed_placement_may_stay_in_a_closed_room_but_nothing_new_goes_there() -> None:
    meetings = [meeting("ab", "a", "b"), meeting("cd", "c", "d")]
    instance = make_instance(venues=TABLES_AND_A_ROOM, participants=PEOPLE, meetings=meetings)
    closed = {f"T-{k}" for k in range(1, 13)}
    result = draft(instance, {"ab": (first_option(instance, "ab"), "T-1")}, closed)
    assert result.refused == {}
    assert result.placements["ab"][1] == "T-1"
    assert result.placements["cd"][1] == "R"


def test_the_first_draft_leaves_a_break_after_max_consecutive() -> None:
    """At most two slots in a row: the greedy places a's first three requests at 09:00, 09:30 and
    10:30, skipping 10:00, and the fourth finds no slot."""
    instance = four_slots_a_meets_four_at_most_two_in_a_row()
    placed = draft(instance, {}).placements
    assert sorted(option.start for option, _ in placed.values()) == [540, 570, 630]
