"""Room assignment: whatever per-slot counts the CP model allows must colour into real rooms."""

from __future__ import annotations

import datetime as dt
from collections import Counter

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
        candidate = Placed(f"m{k}", option, size, group)
        if _allowed(groups, [*chosen, candidate]):
            chosen.append(candidate)
    return rooms, groups, chosen


@settings(max_examples=300, deadline=None)
@given(counted_meetings())
def test_counts_the_model_allows_always_colour_into_rooms(case: tuple[list[Room], RoomGroups, list[Placed]]) -> None:
    rooms, groups, chosen = case
    assigned = assign_rooms(chosen, groups, rooms, STEP)
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
