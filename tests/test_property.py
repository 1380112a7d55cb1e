"""Property: random small instances always yield schedules the independent checker accepts."""

from __future__ import annotations

from typing import Any

from conftest import solve_and_verify
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from scheduler.model import Instance

DATES = ["2025-11-13", "2025-11-14"]
CITIES = ["Beijing", "Hangzhou"]


@st.composite
def instances(draw: st.DrawFn) -> Instance:
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
    data = {
        "event": {"name": "random", "slot_minutes": 30},
        "venues": venues,
        "participants": people,
        "meetings": meetings,
    }
    return Instance.model_validate(data)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(instances())
def test_random_instances_give_schedules_the_checker_accepts(instance: Instance) -> None:
    schedule = solve_and_verify(instance, time_limit=10)
    assert schedule.status == "OPTIMAL"  # (the checker has made sure objective == bound)
    # Two independent proofs of one optimum: CP-SAT's own, and the pipeline's shortcuts (draft vs LP bound).
    assert solve_and_verify(instance, time_limit=10, shortcuts=True).objective == schedule.objective
    listed = [a.meeting for a in schedule.assignments] + [u.meeting for u in schedule.unscheduled]
    assert sorted(listed) == sorted(m.id for m in instance.meetings)
