"""Room assignment: whatever per-slot counts the CP model allows must colour into real rooms."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Sequence

from hypothesis import given, settings
from hypothesis import strategies as st

from scheduler.model import Option, Room
from scheduler.solver.rooms import Placed, RoomGroups, assign_rooms, build_room_groups, natural_key

STEP = 30
DAY = dt.date(2025, 11, 13)
TICKS = 6


def test_natural_order_puts_table_3_before_table_10() -> None:
    ids = ["BJ-T-10", "BJ-T-2", "BJ-T-1", "BJ-R1", "BJ-T-3"]
    assert sorted(ids, key=natural_key) == ["BJ-R1", "BJ-T-1", "BJ-T-2", "BJ-T-3", "BJ-T-10"]


def test_single_slot_meetings_take_the_lowest_numbered_tables() -> None:
    rooms = [Room(f"T-{k}", "v", 2) for k in range(1, 13)]
    groups = build_room_groups(rooms, set(), set())
    option = Option("v", "Beijing", DAY, 540, 570)
    placed = [Placed(f"m{k}", option, 2, None) for k in range(3)]
    assert sorted(assign_rooms(placed, groups, rooms, STEP).values()) == ["T-1", "T-2", "T-3"]


def _allowed(groups: RoomGroups, chosen: list[Placed]) -> bool:
    """The model's conditions: per slot and level, meetings at that level or above <= rooms that
    large (Hall's condition for nested sets); per room group and slot, its meetings <= its rooms."""
    per_level: Counter[tuple[int, int]] = Counter()
    per_group: Counter[tuple[int, int]] = Counter()
    for item in chosen:
        level = groups.need_level("v", item.size) if item.group is None else groups.groups[item.group].level
        assert level is not None
        for tick in range(item.option.start, item.option.end, STEP):
            for below in range(level + 1):
                per_level[(tick, below)] += 1
            if item.group is not None:
                per_group[(tick, item.group)] += 1
    return all(n <= groups.rooms_at_level["v"][lvl] for (_, lvl), n in per_level.items()) and all(
        n <= len(groups.groups[g].rooms) for (_, g), n in per_group.items()
    )


@st.composite
def counted_meetings(draw: st.DrawFn) -> tuple[list[Room], RoomGroups, list[Placed]]:
    """Rooms of mixed sizes (some standing alone, as pinned rooms do), and meetings added one by
    one while the model's per-slot counts still allow them."""
    capacities = draw(st.lists(st.sampled_from([2, 2, 4, 6]), min_size=1, max_size=7))
    rooms = [Room(f"R-{k + 1}", "v", cap) for k, cap in enumerate(capacities)]
    alone = {r.id for r in rooms if draw(st.integers(0, 3)) == 0}
    groups = build_room_groups(rooms, alone, set())
    chosen: list[Placed] = []
    for k in range(draw(st.integers(1, 25))):
        size = draw(st.integers(2, 6))
        start = draw(st.integers(0, TICKS - 1))
        length = draw(st.integers(1, min(3, TICKS - start)))
        option = Option("v", "Beijing", DAY, 540 + start * STEP, 540 + (start + length) * STEP)
        fitting = [g for g, group in enumerate(groups.groups) if group.capacity >= size]
        if not fitting:
            continue
        # A single slot may be counted by capacity level (None); a longer meeting holds a group.
        group = None if length == 1 and draw(st.booleans()) else draw(st.sampled_from(fitting))
        who = tuple(draw(st.lists(st.sampled_from("abcdefgh"), min_size=1, max_size=size, unique=True)))
        candidate = Placed(f"m{k}", option, size, group, who)
        if _allowed(groups, [*chosen, candidate]):
            chosen.append(candidate)
    return rooms, groups, chosen


@settings(max_examples=300, deadline=None)
@given(counted_meetings())
def test_counts_the_model_allows_always_colour_into_rooms(case: tuple[list[Room], RoomGroups, list[Placed]]) -> None:
    rooms, groups, chosen = case
    # a, b and c host (keep one table a session); two sessions of three slots each
    assigned = assign_rooms(chosen, groups, rooms, STEP, {"a", "b", "c"}, {("v", DAY): [(540, 630), (630, 720)]})
    assert set(assigned) == {item.meeting for item in chosen}
    capacity = {r.id: r.capacity for r in rooms}
    holding: dict[tuple[str, int], str] = {}
    for item in chosen:
        room = assigned[item.meeting]
        assert capacity[room] >= item.size
        if item.group is not None:
            assert room in groups.groups[item.group].rooms
        for tick in range(item.option.start, item.option.end, STEP):
            assert (room, tick) not in holding, f"{room} holds {holding[(room, tick)]} and {item.meeting}"
            holding[(room, tick)] = item.meeting


MORNING_AND_AFTERNOON = {("v", DAY): [(540, 720), (840, 1020)]}


def steady(
    rooms: list[Room], placed: Sequence[tuple[str, int, int, tuple[str, ...]]], hosts: set[str], slots: int = 1
) -> dict[str, str]:
    """Rooms for meetings given as (id, start minute, size, people), two sessions a day; with
    `slots` > 1, the meetings whose id starts with "long" last that many slots and hold the
    group of the two-seat tables."""
    groups = build_room_groups(rooms, set(), set())
    tables = groups.group_of_room["T-1"]
    items = [
        Placed(mid, Option("v", "Beijing", DAY, t, t + STEP * n), size, tables if n > 1 else None, who)
        for mid, t, size, who in placed
        for n in [slots if mid.startswith("long") else 1]
    ]
    return assign_rooms(items, groups, rooms, STEP, hosts, MORNING_AND_AFTERNOON)


THREE_TABLES = [Room(f"T-{k}", "v", 2) for k in range(1, 4)]


def test_back_to_back_meetings_keep_the_table() -> None:
    """p meets q at 09:00 on T-2 (aa takes T-1); at 09:30 p's next meeting would take T-1 by
    default, but p stays at T-2; the other meeting takes the table left."""
    placed = [
        ("aa", 540, 2, ("x", "y")),
        ("pq", 540, 2, ("p", "q")),
        ("pr", 570, 2, ("p", "r")),
        ("bb", 570, 2, ("u", "w")),
    ]
    assert steady(THREE_TABLES, placed, set()) == {"aa": "T-1", "pq": "T-2", "pr": "T-2", "bb": "T-1"}


def test_a_host_keeps_one_table_all_session() -> None:
    """Host h is at T-2 at 09:00; at 10:00 (not back-to-back) visitors come to T-2 again."""
    placed = [("aa", 540, 2, ("x", "y")), ("ha", 540, 2, ("h", "a")), ("hb", 600, 2, ("h", "b"))]
    assert steady(THREE_TABLES, placed, set())["hb"] == "T-1"
    assert steady(THREE_TABLES, placed, {"h"})["hb"] == "T-2"


def test_a_wish_never_costs_a_meeting_its_room() -> None:
    """Host p's pair sits in R, the only room for four, at 09:00 (big took T-1); at 09:30 a
    meeting of four needs R, so p gives it up: Hall's condition decides, not the wish."""
    four: tuple[str, ...] = ("c", "d", "e", "f")
    placed = [
        ("pq", 540, 2, ("p", "q")),
        ("big", 540, 2, ("a", "b")),
        ("pr", 570, 2, ("p", "r")),
        ("four", 570, 4, four),
    ]
    rooms_of = steady([Room("T-1", "v", 2), Room("R", "v", 4)], placed, {"p"})
    assert rooms_of["pq"] == "R" and rooms_of["four"] == "R" and rooms_of["pr"] == "T-1"


def test_two_hosts_never_share_a_table_in_a_session() -> None:
    """h sits at T-1 at 09:00; g's first meeting, at 09:30, would take T-1 (the lowest free) and
    both then meet at 10:00: g starts at T-2 instead, and each keeps their table."""
    placed = [
        ("ha", 540, 2, ("h", "a")),
        ("gb", 570, 2, ("g", "b")),
        ("hc", 600, 2, ("h", "c")),
        ("gd", 600, 2, ("g", "d")),
    ]
    rooms_of = steady(THREE_TABLES, placed, {"h", "g"})
    assert rooms_of == {"ha": "T-1", "gb": "T-2", "hc": "T-1", "gd": "T-2"}


def test_a_hosts_table_holds_their_largest_meeting_of_the_session() -> None:
    """Host h meets a at 09:00 and c, d, e at 10:00: h's table is R (four seats) from 09:00.
    In the afternoon h meets only pairs, so the lowest table will do."""
    placed = [
        ("ha", 540, 2, ("h", "a")),
        ("four", 600, 4, ("h", "c", "d", "e")),
        ("hx", 840, 2, ("h", "x")),
        ("hy", 900, 2, ("h", "y")),
    ]
    rooms_of = steady([Room("T-1", "v", 2), Room("R", "v", 4)], placed, {"h"})
    assert rooms_of == {"ha": "R", "four": "R", "hx": "T-1", "hy": "T-1"}


def test_of_two_hosts_in_a_meeting_the_busier_one_stays() -> None:
    """Hosts h (three meetings) and g (two) meet at 10:00: they meet at h's table."""
    placed = [
        ("ha", 540, 2, ("h", "a")),
        ("gb", 540, 2, ("g", "b")),
        ("hc", 570, 2, ("h", "c")),
        ("gh", 600, 2, ("g", "h")),
    ]
    rooms_of = steady(THREE_TABLES, placed, {"h", "g"})
    assert rooms_of["gh"] == rooms_of["ha"] == rooms_of["hc"] != rooms_of["gb"]


def test_a_multi_slot_meeting_stays_at_the_table_too() -> None:
    """p meets q at 09:00 on T-2 (aa takes T-1); p's hour-long meeting at 09:30 would take the
    group's first free table, T-1, but stays at T-2. Host h's long meeting comes to h's table."""
    placed = [("aa", 540, 2, ("x", "y")), ("pq", 540, 2, ("p", "q")), ("long-pr", 570, 2, ("p", "r"))]
    assert steady(THREE_TABLES, placed, set(), slots=2)["long-pr"] == "T-2"
    hosted = [("aa", 540, 2, ("x", "y")), ("hq", 540, 2, ("h", "q")), ("long-hr", 630, 2, ("h", "r"))]
    assert steady(THREE_TABLES, hosted, {"h"}, slots=2)["long-hr"] == "T-2"


def test_a_solved_hosts_visitors_all_come_to_one_table() -> None:
    """Host h meets a (free 09:00 only), b (free 10:30 only) and c; d and e meet at 09:00 too.
    Whatever the times, h's three meetings share one of the three tables; the checker agrees."""
    from conftest import make_instance, meeting, solve_and_verify

    day = "2025-11-13"
    instance = make_instance(
        venues=[
            {
                "id": "bj",
                "city": "Beijing",
                "days": [{"date": day, "sessions": [{"start": "09:00", "end": "11:00"}]}],
                "rooms": [{"id": "T", "count": 3, "capacity": 2}],
            }
        ],
        participants=[
            {"id": "h", "name": "H", "host": True},
            {"id": "a", "name": "A", "available": [{"date": day, "city": "Beijing", "start": "09:00", "end": "09:30"}]},
            {"id": "b", "name": "B", "available": [{"date": day, "city": "Beijing", "start": "10:30", "end": "11:00"}]},
            *({"id": p, "name": p.upper()} for p in "cde"),
        ],
        meetings=[meeting("ha", "h", "a"), meeting("hb", "h", "b"), meeting("hc", "h", "c"), meeting("de", "d", "e")],
    )
    schedule = solve_and_verify(instance)
    rooms_of = {x.meeting: x.room for x in schedule.assignments}
    assert len(rooms_of) == 4 and rooms_of["ha"] == rooms_of["hb"] == rooms_of["hc"]


@given(
    st.lists(st.integers(1, 8), max_size=12),
    st.lists(st.integers(1, 8), min_size=1, max_size=12),
    st.data(),
)
def test_counting_rooms_by_capacity_fits_exactly_when_pairing_sorted_lists_does(
    sizes: list[int], capacities: list[int], data: st.DataObject
) -> None:
    """Hall's condition by counts agrees with the plain pairing of largest meeting to largest room."""
    from scheduler.solver.rooms import _fits_counted

    taken = data.draw(st.sampled_from(capacities))
    left = sorted(capacities, reverse=True)
    left.remove(taken)
    pairs = zip(left, sorted(sizes, reverse=True), strict=False)
    by_pairing = len(sizes) <= len(left) and all(cap >= size for cap, size in pairs)
    assert _fits_counted(Counter(sizes), Counter(capacities), taken) == by_pairing
