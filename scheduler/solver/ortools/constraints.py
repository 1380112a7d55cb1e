"""FORMAT.md's rules as CP-SAT constraints, one small function per rule on the model's `Variables`."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Callable

from ortools.sat.python import cp_model
from ortools.sat.python.cp_model import LinearExpr

from scheduler.solver.ortools.variables import Choice, Variables
from scheduler.solver.travel import absolute, travel_minutes


def one_place_per_meeting(v: Variables) -> None:
    """Each meeting is scheduled at most once (rule 9)."""
    for choice_ids in v.meeting_choices:
        if len(choice_ids) > 1:
            v.model.add_at_most_one(v.literals[c] for c in choice_ids)


def one_meeting_at_a_time_and_one_city_per_day(v: Variables) -> None:
    """A participant is in one meeting at a time (rule 4) and one city per date (rule 6)."""
    per_tick: dict[tuple[str, dt.date, int], dict[str, list[cp_model.IntVar]]] = defaultdict(lambda: defaultdict(list))
    cities_on: dict[tuple[str, dt.date], set[str]] = defaultdict(set)
    participants = v.prepared.participants
    for c, choice in enumerate(v.choices):
        option = choice.option
        for pid in participants[choice.meeting]:
            cities_on[(pid, option.date)].add(option.city)
            for tick in v.ticks(option):
                per_tick[(pid, option.date, tick)][option.city].append(v.literals[c])
    for (pid, date), cities in cities_on.items():
        if len(cities) > 1:
            flags = []
            for city in sorted(cities):
                v.in_city[(pid, date, city)] = flag = v.model.new_bool_var("")
                flags.append(flag)
            v.model.add_at_most_one(flags)
    # A participant's meetings in one city never overlap the same tick in another
    # city either: the in_city flags make the two cities exclusive per date.
    for (pid, date, _), by_city in per_tick.items():
        for city, lits in by_city.items():
            city_flag = v.in_city.get((pid, date, city))
            if city_flag is not None:
                v.model.add(LinearExpr.sum(lits) <= city_flag)
            elif len(by_city) == 1 and len(lits) > 1:
                v.model.add_at_most_one(lits)


def interpreters(v: Variables) -> None:
    """A meeting that needs an interpreter has one of its candidates, available then; each
    interpreter sits in one meeting at a time, in one city per date, within max_meetings."""
    prepared = v.prepared
    if not any(prepared.candidates):
        return
    instance = v.request.instance
    per_tick: dict[tuple[str, dt.date, int], dict[str, list[cp_model.IntVar]]] = defaultdict(lambda: defaultdict(list))
    cities_on: dict[tuple[str, dt.date], set[str]] = defaultdict(set)
    by_interpreter: dict[str, list[cp_model.IntVar]] = defaultdict(list)
    for c, choice in enumerate(v.choices):
        option = choice.option
        lits = []
        kept = v.request.kept_interpreter(prepared.meetings[choice.meeting].id) if choice.pinned else None
        for iid in prepared.candidates[choice.meeting]:
            if kept in prepared.candidates[choice.meeting] and iid != kept and _stays(v, choice):
                continue  # a meeting that stays keeps its interpreter, as it keeps its room and time
            if not instance.is_available(iid, option.date, option.city, option.start, option.end):
                continue
            if v.request.busy and not v.request.fits_busy([iid], option):
                continue  # history the solver does not hold took them then (or elsewhere that day)
            sits = v.model.new_bool_var("")
            if iid == kept:
                v.kept_interpreter_literals[c] = sits
            v.interpreter_literals.append((c, iid, sits))
            lits.append(sits)
            by_interpreter[iid].append(sits)
            cities_on[(iid, option.date)].add(option.city)
            for tick in v.ticks(option):
                per_tick[(iid, option.date, tick)][option.city].append(sits)
        if prepared.candidates[choice.meeting] and (lits or not (choice.pinned and _stays(v, choice))):
            # (history whose interpreter an edit took away stays as it happened: the read-back keeps it)
            v.model.add(LinearExpr.sum(lits) == v.literals[c])
    for (iid, date), cities in cities_on.items():
        if len(cities) > 1:
            for city in sorted(cities):
                v.interpreter_in_city[(iid, date, city)] = v.model.new_bool_var("")
            v.model.add_at_most_one(v.interpreter_in_city[(iid, date, city)] for city in cities)
    for (iid, date, _), by_city in per_tick.items():
        for city, lits in by_city.items():
            flag = v.interpreter_in_city.get((iid, date, city))
            if flag is not None:
                v.model.add(LinearExpr.sum(lits) <= flag)
            elif len(lits) > 1:
                v.model.add_at_most_one(lits)
    for iid, lits in by_interpreter.items():
        limit = v.request.max_meetings(iid)
        if limit is not None and len(lits) > limit:
            v.model.add(LinearExpr.sum(lits) <= limit)
    v.completions.append(v.interpreter_values)


def travel(v: Variables) -> None:
    """Travel rules: a meeting in `to` starts at least min_hours after any earlier one of the same
    person or interpreter in `from`. `late[(pid, date, after)]` is on when they are in `from` that
    date after `after` (absolute minutes); being in `to` too soon after excludes it. A person is
    in a meeting by its choice's literal, an interpreter by their literal for that choice."""
    rules = travel_minutes(v.request.instance)
    if not rules:
        return
    present: dict[str, list[tuple[int, cp_model.IntVar]]] = defaultdict(list)
    for c, choice in enumerate(v.choices):
        for pid in v.people(choice):
            present[pid].append((c, v.literals[c]))
    for c, iid, lit in v.interpreter_literals:
        present[iid].append((c, lit))
    late: dict[tuple[str, str, dt.date, int], tuple[cp_model.IntVar, list[cp_model.IntVar]]] = {}
    # History happened: a rule tightened since does not forbid it (what it travels from is history too).
    happened = {c for c, choice in enumerate(v.choices) if _is_history(v, choice)}
    for pid, entries in present.items():
        if len({v.choices[c].option.city for c, _ in entries}) < 2:
            continue
        for (origin, destination), gap in rules.items():
            leaving = [(c, lit) for c, lit in entries if v.choices[c].option.city == origin]
            arriving = [(c, lit) for c, lit in entries if v.choices[c].option.city == destination]
            for c2, lit2 in arriving:
                if c2 in happened:
                    continue
                o2 = v.choices[c2].option
                after = absolute(o2.date, o2.start) - gap
                for date in sorted(
                    {v.choices[c].option.date for c, _ in leaving if v.choices[c].option.date < o2.date}
                ):
                    too_late = [
                        lit
                        for c, lit in leaving
                        if v.choices[c].option.date == date and absolute(date, v.choices[c].option.end) > after
                    ]
                    if not too_late:
                        continue
                    key = (pid, origin, date, after)
                    if key not in late:
                        flag = v.model.new_bool_var("")
                        for lit in too_late:
                            v.model.add_implication(lit, flag)
                        late[key] = (flag, too_late)
                    v.model.add_bool_or([~lit2, ~late[key][0]])
    if not late:
        return
    choice_of = {v.literals[c].index: c for c in range(len(v.choices))}

    def values(on: list[bool]) -> list[tuple[cp_model.IntVar, int]]:
        sits = {lit.index: value for lit, value in v.interpreter_values(on)} if v.interpreter_literals else {}

        def is_on(lit: cp_model.IntVar) -> bool:
            return on[choice_of[lit.index]] if lit.index in choice_of else bool(sits.get(lit.index, 0))

        return [(flag, int(any(is_on(lit) for lit in lits))) for flag, lits in late.values()]

    v.completions.append(values)


def blocked_levels(v: Variables) -> dict[tuple[str, dt.date, int], list[int]]:
    """A cancelled room counts as occupied at every slot its frozen meetings do not use."""
    forced_ticks = {
        (pin.room, pin.option.date, tick)
        for pin in v.request.pins.values()
        if pin.forced
        for tick in v.ticks(pin.option)
    }
    blocked: dict[tuple[str, dt.date, int], list[int]] = defaultdict(list)
    instance = v.request.instance
    for room_id in v.request.excluded_rooms:
        room = instance.room_by_id[room_id]
        level = v.rooms.level_of(room)
        for session in instance.sessions:
            if session.venue != room.venue:
                continue
            for tick in range(session.start, session.end, v.step):
                if (room_id, session.date, tick) not in forced_ticks:
                    blocked[(room.venue, session.date, tick)].append(level)
    return blocked


def room_capacity_per_slot(v: Variables) -> None:
    """Per venue and slot, meetings fit the rooms by capacity (rules 2, 3; Hall's condition)."""
    by_slot: dict[tuple[str, dt.date, int], list[tuple[int, cp_model.IntVar]]] = defaultdict(list)
    for c, choice in enumerate(v.choices):
        level = v.level(choice)
        for tick in v.ticks(choice.option):
            by_slot[(choice.option.venue, choice.option.date, tick)].append((level, v.literals[c]))
    blocked = blocked_levels(v)
    for (venue, date, tick), entries in by_slot.items():
        closed = blocked.get((venue, date, tick), [])
        for level, rooms_here in enumerate(v.rooms.rooms_at_level[venue]):
            rooms = rooms_here - sum(1 for b in closed if b >= level)
            lits = [lit for lit_level, lit in entries if lit_level >= level]
            if len(lits) > rooms:
                v.model.add(LinearExpr.sum(lits) <= rooms)


def room_group_occupancy(v: Variables) -> None:
    """Multi-slot meetings in a room group never exceed its rooms at any slot (rules 1, 3)."""
    by_group_slot: dict[tuple[int, dt.date, int], list[cp_model.IntVar]] = defaultdict(list)
    for c, choice in enumerate(v.choices):
        if choice.group is None:
            continue
        for tick in v.ticks(choice.option):
            by_group_slot[(choice.group, choice.option.date, tick)].append(v.literals[c])
    for (g, _, _), lits in by_group_slot.items():
        size = len(v.rooms.groups[g].rooms)
        if len(lits) > size:
            if size == 1:
                v.model.add_at_most_one(lits)
            else:
                v.model.add(LinearExpr.sum(lits) <= size)


def max_meetings(v: Variables) -> None:
    """A participant attends at most max_meetings meetings (rule 7)."""
    lits_of: dict[str, list[cp_model.IntVar]] = defaultdict(list)
    for idx, choice_ids in enumerate(v.meeting_choices):
        for pid in v.prepared.participants[idx]:
            lits_of[pid].extend(v.literals[c] for c in choice_ids)
    for pid, lits in lits_of.items():
        limit = v.request.max_meetings(pid)
        if limit is not None and len(lits) > limit:
            v.model.add(LinearExpr.sum(lits) <= limit)


def pins(v: Variables) -> None:
    """Pinned meetings stay; unforced ones may move (or change interpreter), at most max_moves of them."""
    request = v.request
    for c, choice in enumerate(v.choices):
        if not choice.pinned:
            continue
        if _stays(v, choice):
            v.model.add(v.literals[c] == 1)
        else:
            # Another interpreter is a move too: it stays only at its place with the one it had.
            stays = v.kept_interpreter_literals.get(c, v.literals[c])
            v.move_literals.append(~stays)  # type: ignore[arg-type]
    if v.move_literals:
        v.model.add(LinearExpr.sum(v.move_literals) <= request.max_moves)


def breaks(v: Variables) -> None:
    """At most max_consecutive meeting slots in a row per person, then a free slot."""
    limit = v.request.instance.event.max_consecutive
    if limit is None:
        return
    step = v.step
    forced = {c for c, choice in enumerate(v.choices) if choice.pinned and _stays(v, choice)}
    for ticks in v.person_ticks().values():
        for first in ticks:
            window = [first + k * step for k in range(limit + 1)]
            if not all(t in ticks for t in window):
                continue
            weight: dict[int, int] = defaultdict(int)
            for t in window:
                for c, _ in ticks[t]:
                    weight[c] += 1
            # History that already broke the rule stays; it only must not get worse.
            rhs = max(limit, sum(w for c, w in weight.items() if c in forced))
            v.model.add(LinearExpr.weighted_sum([v.literals[c] for c in weight], list(weight.values())) <= rhs)


def _stays(v: Variables, choice: Choice) -> bool:
    pin = v.request.pins[v.prepared.meetings[choice.meeting].id]
    return pin.forced or v.request.max_moves == 0


def required_meetings(v: Variables) -> None:
    """Each meeting of `request.required` is scheduled (Prepared refuses one with no place)."""
    for idx, choice_ids in enumerate(v.meeting_choices):
        if v.prepared.meetings[idx].id in v.request.required:
            v.model.add_exactly_one(v.literals[c] for c in choice_ids)


def placed_count(v: Variables) -> None:
    """`placed` counts the scheduled meetings (progress only; constrains nothing)."""
    v.placed = v.model.new_int_var(0, len(v.prepared.meetings), "placed")
    v.model.add(v.placed == LinearExpr.sum(v.literals))


RULES: tuple[Callable[[Variables], None], ...] = (
    one_place_per_meeting,
    one_meeting_at_a_time_and_one_city_per_day,
    room_capacity_per_slot,
    room_group_occupancy,
    max_meetings,
    interpreters,
    travel,
    pins,
    breaks,
    required_meetings,
    placed_count,
)
"""Every constraint, in the order the model adds them."""


def _is_history(v: Variables, choice: Choice) -> bool:
    """A frozen pin's own place: a meeting that already happened."""
    pin = v.request.pins.get(v.prepared.meetings[choice.meeting].id)
    return choice.pinned and pin is not None and pin.forced and pin.option == choice.option
