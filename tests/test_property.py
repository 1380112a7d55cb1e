"""Properties: random small instances, and re-solve chains on them, always yield schedules the
independent checker accepts; history never changes; nothing moves without a cause."""

from __future__ import annotations

import copy
from collections.abc import Callable
from typing import Any

from conftest import resolve_and_verify, solve_and_verify
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from scheduler.changes import moved_without_cause
from scheduler.errors import InputError
from scheduler.model import Instance
from scheduler.reasons import with_reasons
from scheduler.solution import Assignment

DATES = ["2025-11-13", "2025-11-14"]
CITIES = ["Beijing", "Hangzhou"]


@st.composite
def instance_data(draw: st.DrawFn) -> dict[str, Any]:
    venues = []
    for v, city in enumerate(draw(st.lists(st.sampled_from(CITIES), min_size=1, max_size=3))):
        days = []
        for date in draw(st.lists(st.sampled_from(DATES), min_size=1, max_size=2, unique=True)):
            first = draw(st.integers(1, 3))
            sessions = [{"start": "09:00", "end": f"{9 + first // 2:02d}:{(first % 2) * 30:02d}"}]
            if draw(st.booleans()):
                sessions.append({"start": "14:00", "end": f"{14 + draw(st.integers(1, 2)):02d}:00"})
            days.append({"date": date, "sessions": sessions})
        rooms = [
            {"id": f"V{v}R{k}", "capacity": draw(st.integers(2, 4)), "count": draw(st.integers(1, 2))}
            for k in range(draw(st.integers(1, 2)))
        ]
        venues.append({"id": f"v{v}", "city": city, "days": days, "rooms": rooms})
    cities = sorted({str(v["city"]) for v in venues})
    people: list[dict[str, Any]] = []
    for p in range(draw(st.integers(2, 7))):
        person: dict[str, Any] = {"id": f"p{p}", "name": f"Person {p}"}
        if draw(st.integers(0, 2)) == 0:
            person["available"] = [
                {"date": date, "city": draw(st.sampled_from(cities))}
                | ({"start": "09:00", "end": "10:00"} if draw(st.booleans()) else {})
                for date in draw(st.lists(st.sampled_from(DATES), min_size=1, max_size=2, unique=True))
            ]
        if draw(st.integers(0, 3)) == 0:
            person["max_meetings"] = draw(st.integers(1, 2))
        people.append(person)
    meetings = []
    for m in range(draw(st.integers(1, 9))):
        who = draw(st.lists(st.sampled_from([p["id"] for p in people]), min_size=2, max_size=3, unique=True))
        request: dict[str, Any] = {
            "id": f"m{m}",
            "participants": who,
            "priority": draw(st.integers(1, 5)),
            "slots": draw(st.sampled_from([1, 1, 1, 2])),
        }
        if draw(st.integers(0, 4)) == 0:
            request["city"] = draw(st.sampled_from(cities))
        meetings.append(request)
    return {
        "event": {"name": "random", "slot_minutes": 30},
        "venues": venues,
        "participants": people,
        "meetings": meetings,
    }


def instances() -> st.SearchStrategy[Instance]:
    return instance_data().map(Instance.model_validate)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(instances())
def test_random_instances_give_schedules_the_checker_accepts(instance: Instance) -> None:
    schedule = solve_and_verify(instance, time_limit=10)
    assert schedule.status == "OPTIMAL"  # (the checker has made sure objective == bound)
    # Two independent proofs of one optimum: CP-SAT's own, and the pipeline's shortcuts (draft vs LP bound).
    assert solve_and_verify(instance, time_limit=10, shortcuts=True).objective == schedule.objective
    listed = [a.meeting for a in schedule.assignments] + [u.meeting for u in schedule.unscheduled]
    assert sorted(listed) == sorted(m.id for m in instance.meetings)


CANCEL_KINDS = ("participant", "meeting", "room")
MOMENTS = [None] + [f"{d}T{h}" for d in DATES for h in ("09:30", "10:00", "14:30", "23:00")]


def _edit(draw: Callable[[st.SearchStrategy[Any]], Any], data: dict[str, Any]) -> str:
    """One random edit of the kinds organisers make between re-solves; returns what it did."""
    kind = draw(st.sampled_from(["none", "join", "slots", "narrow", "room", "cap", "delete"]))
    meetings, people = data["meetings"], data["participants"]
    if kind == "join" and meetings:
        request = draw(st.sampled_from(meetings))
        outsiders = [p["id"] for p in people if p["id"] not in request["participants"]]
        if outsiders:
            request["participants"].append(draw(st.sampled_from(outsiders)))
    elif kind == "slots" and meetings:
        request = draw(st.sampled_from(meetings))
        request["slots"] = 3 - request.get("slots", 1)
    elif kind == "narrow":
        person = draw(st.sampled_from(people))
        venue = draw(st.sampled_from(data["venues"]))
        day = draw(st.sampled_from(venue["days"]))
        person["available"] = [{"date": day["date"], "city": venue["city"], "start": "09:00", "end": "10:00"}]
    elif kind == "room":
        venue = draw(st.sampled_from(data["venues"]))
        if len(venue["rooms"]) > 1:
            venue["rooms"].pop(draw(st.integers(0, len(venue["rooms"]) - 1)))
        elif venue["rooms"][0]["count"] > 1:
            venue["rooms"][0]["count"] -= 1
    elif kind == "delete" and len(meetings) > 1:
        meetings.pop(draw(st.integers(0, len(meetings) - 1)))
    elif kind == "cap":
        draw(st.sampled_from(people))["max_meetings"] = draw(st.integers(0, 1))
    return kind


def _where(a: Assignment) -> tuple[str, ...]:
    return (a.date, a.start, a.end, a.venue, a.room, *(a.participants or []))


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.data())
def test_resolve_chains_stay_valid_keep_history_and_move_nothing_unforced(data: st.DataObject) -> None:
    _resolve_chain(data, instance_data())


def _resolve_chain(data: st.DataObject, strategy: st.SearchStrategy[dict[str, Any]]) -> None:
    """Solve, then three edits and re-solves: each checked with its history, none moving without a cause."""
    raw = copy.deepcopy(data.draw(strategy))
    instance = Instance.model_validate(raw)
    schedule = with_reasons(instance, solve_and_verify(instance, time_limit=10))
    for _ in range(3):
        raw = copy.deepcopy(raw)
        event(f"edit: {_edit(data.draw, raw)}")
        instance = Instance.model_validate(raw)
        ids = {
            "participant": [p.id for p in instance.participants],
            "meeting": [m.id for m in instance.meetings],
            "room": [r.id for r in instance.rooms],
        }
        cancels = [
            f"{kind}:{data.draw(st.sampled_from(ids[kind]))}"
            for kind in data.draw(st.lists(st.sampled_from(CANCEL_KINDS), max_size=2))
        ]
        frozen = data.draw(st.sampled_from(MOMENTS))
        previous = schedule
        try:
            schedule, resolve_plan = resolve_and_verify(instance, previous, cancels, frozen)
        except InputError as error:
            assert "it is history" in str(error)  # cancelling a meeting that already happened
            continue
        moment = schedule.frozen_until
        event(f"history kept: {sum(1 for a in schedule.assignments if moment and f'{a.date}T{a.start}' < moment)}")
        event(f"changes: {len(schedule.changes)}")
        if previous.frozen_until is not None:
            assert moment is not None and moment >= previous.frozen_until, "history only grows"
        if moment is not None:
            before = {a.meeting: _where(a) for a in previous.assignments if f"{a.date}T{a.start}" < moment}
            after = {a.meeting: _where(a) for a in schedule.assignments if f"{a.date}T{a.start}" < moment}
            assert after == before, "a meeting before the frozen moment changed"
        assert moved_without_cause(schedule.changes, resolve_plan.affected) == []
        # Reasons kept from the previous file are word for word what working them out again gives.
        event(f"reasons as before: {sum(1 for u in schedule.unscheduled if u in previous.unscheduled)}")
        assert schedule.unscheduled == with_reasons(instance, schedule).unscheduled


LANGUAGES = [["it"], ["zh"], ["it", "en"], ["zh", "en"]]


@st.composite
def week_data(draw: st.DrawFn) -> dict[str, Any]:
    """A random instance with languages, and maybe interpreters, a programme item and a travel rule."""
    data = draw(instance_data())
    for person in data["participants"]:
        person["languages"] = draw(st.sampled_from(LANGUAGES))
    cities = sorted({str(v["city"]) for v in data["venues"]})
    data["interpreters"] = [
        {"id": f"x{k}", "name": f"X{k}", "languages": ["it", "zh"]}
        | ({"max_meetings": draw(st.integers(1, 2))} if draw(st.booleans()) else {})
        | (
            {"available": [{"date": draw(st.sampled_from(DATES)), "city": draw(st.sampled_from(cities))}]}
            if draw(st.booleans())
            else {}
        )
        for k in range(draw(st.integers(0, 2)))
    ]
    if draw(st.booleans()):
        attendees = draw(st.lists(st.sampled_from([p["id"] for p in data["participants"]]), min_size=1, unique=True))
        data["programme"] = [
            {
                "id": "item",
                "title": "Seminar",
                "city": draw(st.sampled_from(cities)),
                "date": draw(st.sampled_from(DATES)),
                "start": "09:30",
                "end": "10:00",
                "attendees": attendees,
                "buffer_minutes": draw(st.sampled_from([0, 15, 30])),
            }
        ]
    if len(cities) > 1 and draw(st.booleans()):
        data["travel"] = [{"from": cities[0], "to": cities[1], "min_hours": draw(st.integers(16, 24))}]
    return data


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(week_data())
def test_random_weeks_with_interpreters_programme_and_travel_give_schedules_the_checker_accepts(
    data: dict[str, Any],
) -> None:
    instance = Instance.model_validate(data)
    schedule = solve_and_verify(instance, time_limit=10)
    assert schedule.status == "OPTIMAL"
    needing = [a for a in schedule.assignments if instance.needs_interpreter(a.participants or [])]
    assert all((a.interpreter is not None) == bool(instance.interpreters) for a in needing)


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.data())
def test_resolve_chains_with_interpreters_programme_and_travel_stay_valid(data: st.DataObject) -> None:
    _resolve_chain(data, week_data())
