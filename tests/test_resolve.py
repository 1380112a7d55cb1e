"""Re-solving: cancellations, frozen history, waiting list, moves, edited instances."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

import pytest
from conftest import make_instance, meeting
from typer.testing import CliRunner

from scheduler.cli import app
from scheduler.errors import InputError
from scheduler.model import Instance
from scheduler.resolve import moved_without_cause, parse_cancel, plan, resolved_schedule
from scheduler.solution import Assignment, Schedule, Unscheduled
from scheduler.solver.convert import outcome_to_schedule
from scheduler.solver.pipeline import solve
from scheduler.solver.request import SolveParams, SolveRequest
from scheduler.verify import verify

TWO_SLOTS = [
    {
        "id": "bj",
        "city": "Beijing",
        "days": [{"date": "2025-11-13", "sessions": [{"start": "09:00", "end": "10:00"}]}],
        "rooms": [{"id": "T", "count": 2, "capacity": 2}, {"id": "R", "capacity": 4}],
    }
]
PEOPLE: list[dict[str, Any]] = [{"id": p, "name": p.upper()} for p in "abcdefg"]


def at(start: str) -> list[dict[str, str]]:
    end = {"09:00": "09:30", "09:30": "10:00"}[start]
    return [{"date": "2025-11-13", "city": "Beijing", "start": start, "end": end}]


def instance_with(meetings: list[dict[str, Any]], people: list[dict[str, Any]] | None = None) -> Instance:
    return make_instance(venues=TWO_SLOTS, participants=people or PEOPLE, meetings=meetings)


def first_solve(instance: Instance) -> Schedule:
    request = SolveRequest(instance)
    schedule = outcome_to_schedule(solve(request, SolveParams(10, 2, 1, shortcuts=False)), request, "x.yaml", "0" * 64)
    assert verify(instance, schedule) == []
    return schedule


def resolve(
    instance: Instance, previous: Schedule, *cancels: str, frozen: str | None = None, max_moves: int = 0
) -> tuple[Schedule, list[str]]:
    """Re-solve, verify, and return the schedule and the meetings moved without cause."""
    frozen_at = dt.datetime.fromisoformat(frozen) if frozen else None
    resolve_plan = plan(instance, previous, [parse_cancel(c) for c in cancels], frozen_at, max_moves)
    outcome = solve(resolve_plan.request, SolveParams(10, 2, 1, shortcuts=False))
    schedule = resolved_schedule(instance, previous, resolve_plan, outcome, "x.yaml", "0" * 64, frozen_at)
    problems = verify(instance, schedule)
    assert problems == [], "\n".join(map(str, problems))
    return schedule, moved_without_cause(schedule.changes, resolve_plan.affected)


def test_cancelling_a_participant_cancels_pairs_and_keeps_groups_in_place() -> None:
    instance = instance_with(
        [meeting("pair", "a", "b", priority=3), meeting("group", "c", "d", "e", priority=2), meeting("other", "a", "f")]
    )
    before = first_solve(instance)
    after, unforced = resolve(instance, before, "participant:b", "participant:e")
    assert {(c.kind, c.id) for c in after.cancelled} >= {("meeting", "pair"), ("participant", "b")}
    assert "pair" not in after.assignment_by_meeting
    assert after.assignment_by_meeting["group"].place_key() == before.assignment_by_meeting["group"].place_key()
    assert after.assignment_by_meeting["group"].participants == ["c", "d"]
    assert after.assignment_by_meeting["other"] == before.assignment_by_meeting["other"]
    assert [(c.meeting, c.change, c.notify) for c in after.changes] == [("pair", "cancelled", ["a"])]
    assert unforced == []


def test_cancelling_a_meeting_fills_from_the_waiting_list_by_priority() -> None:
    """One slot per person: a meets b (5); the waiting c-a (4) and d-a (3) compete for a's freed time."""
    people = [{"id": "a", "name": "A", "available": at("09:00")}, *PEOPLE[1:]]
    instance = instance_with(
        [meeting("ab", "a", "b", priority=5), meeting("ac", "a", "c", priority=4), meeting("ad", "a", "d", priority=3)],
        people,
    )
    before = first_solve(instance)
    assert set(before.assignment_by_meeting) == {"ab"}
    after, unforced = resolve(instance, before, "meeting:ab")
    assert set(after.assignment_by_meeting) == {"ac"}
    assert {c.meeting: c.change for c in after.changes} == {"ab": "cancelled", "ac": "added"}
    assert after.objective == 4 and unforced == []


def test_a_cancelled_rooms_meeting_moves_at_the_same_time_first() -> None:
    instance = instance_with([meeting("ab", "a", "b"), meeting("cd", "c", "d")])
    before = first_solve(instance)
    was = before.assignment_by_meeting["ab"]
    after, unforced = resolve(instance, before, f"room:{was.room}")
    now = after.assignment_by_meeting["ab"]
    assert (now.date, now.start) == (was.date, was.start) and now.room != was.room
    assert after.assignment_by_meeting["cd"] == before.assignment_by_meeting["cd"]
    assert unforced == []


def test_frozen_history_is_never_changed() -> None:
    """ab at 09:00 happened before the freeze; cancelling b afterwards leaves it as it was."""
    people = [{"id": "a", "name": "A", "available": at("09:00")}, {"id": "c", "name": "C", "available": at("09:30")}]
    people += [p for p in PEOPLE if p["id"] not in "ac"]
    instance = instance_with([meeting("ab", "a", "b"), meeting("cb", "c", "b")], people)
    before = first_solve(instance)
    after, _ = resolve(instance, before, "participant:b", frozen="2025-11-13T09:30")
    assert after.assignment_by_meeting["ab"] == before.assignment_by_meeting["ab"]
    assert "cb" not in after.assignment_by_meeting
    assert after.frozen_until == "2025-11-13T09:30"


def hand_made(assignments: list[Assignment], instance: Instance) -> Schedule:
    placed = {a.meeting for a in assignments}
    return Schedule(
        instance="x.yaml",
        instance_sha256="1" * 64,
        created="2025-11-12T20:00:00+08:00",
        status="FEASIBLE",
        objective=sum(instance.meeting_by_id[m].priority for m in placed),
        bound=99,
        assignments=assignments,
        unscheduled=[Unscheduled(meeting=m.id, reason="x") for m in instance.meetings if m.id not in placed],
    )


def place(mid: str, start: str, room: str = "T-1") -> Assignment:
    end = {"09:00": "09:30", "09:30": "10:00"}[start]
    people = list(mid)  # meetings here are named after their people: "ab" is a with b
    return Assignment(
        meeting=mid, date="2025-11-13", start=start, end=end, city="Beijing", venue="bj", room=room, participants=people
    )


def test_max_moves_trades_one_move_for_more_priority() -> None:
    """ab sits at 09:30; the new ac (5) needs a at 09:30 (c's only time): moving ab makes room."""
    people = [{"id": "c", "name": "C", "available": at("09:30")}] + [p for p in PEOPLE if p["id"] != "c"]
    instance = instance_with([meeting("ab", "a", "b", priority=1), meeting("ac", "a", "c", priority=5)], people)
    previous = hand_made([place("ab", "09:30")], instance)
    stay, unforced = resolve(instance, previous)
    assert stay.assignment_by_meeting["ab"] == place("ab", "09:30") and "ac" not in stay.assignment_by_meeting
    assert unforced == []
    moved, unforced = resolve(instance, previous, max_moves=1)
    assert moved.objective == 6
    assert moved.assignment_by_meeting["ab"].start == "09:00"
    assert unforced == ["ab"]


def test_fewer_moves_win_ties() -> None:
    """Moves allowed but nothing to gain: nothing moves."""
    instance = instance_with([meeting("ab", "a", "b"), meeting("cd", "c", "d")])
    previous = hand_made([place("ab", "09:30"), place("cd", "09:00")], instance)
    after, unforced = resolve(instance, previous, max_moves=5)
    assert after.changes == [] and unforced == []


def test_an_edited_instance_keeps_what_still_stands_and_moves_what_does_not() -> None:
    original = instance_with([meeting("ab", "a", "b"), meeting("cd", "c", "d")])
    previous = hand_made([place("ab", "09:30"), place("cd", "09:00")], original)
    people = [{"id": "b", "name": "B", "available": at("09:00")}] + [p for p in PEOPLE if p["id"] != "b"]
    edited = instance_with([meeting("ab", "a", "b"), meeting("cd", "c", "d"), meeting("ef", "e", "f")], people)
    after, unforced = resolve(edited, previous)
    changes = {c.meeting: c.change for c in after.changes}
    assert changes == {"ab": "moved", "ef": "added"}
    assert after.assignment_by_meeting["ab"].start == "09:00"
    assert after.assignment_by_meeting["cd"] == place("cd", "09:00")
    assert unforced == []


def test_bad_cancellations_are_input_errors() -> None:
    instance = instance_with([meeting("ab", "a", "b")])
    with pytest.raises(InputError, match="expected KIND:ID"):
        parse_cancel("person:a")
    with pytest.raises(InputError, match="unknown participant 'zz'"):
        plan(instance, first_solve(instance), [parse_cancel("participant:zz")])


def test_cli_resolve_keeps_versions_and_refuses_another_event(sample_copy: Path, tmp_path: Path) -> None:
    runner = CliRunner()
    assert runner.invoke(app, ["solve", str(sample_copy), "-t", "20", "-w", "2"]).exit_code == 0
    schedule_path = sample_copy.with_name("sample.schedule.json")
    first = schedule_path.read_bytes()
    result = runner.invoke(
        app,
        [
            "resolve",
            str(sample_copy),
            "--previous",
            str(schedule_path),
            "--cancel",
            "participant:cn-most-01",
            "-w",
            "2",
        ],
    )
    assert result.exit_code == 0, result.output
    assert "Unaffected meetings moved: 0" in result.output
    kept = sample_copy.with_name("sample.schedule.v1.json")
    assert kept.read_bytes() == first
    data = json.loads(schedule_path.read_text())
    assert data["previous"] == str(kept)
    assert {"kind": "meeting", "id": "r01", "from": None} in data["cancelled"]
    assert any(c["change"] == "cancelled" and c["after"] is None for c in data["changes"])
    assert runner.invoke(app, ["check", str(sample_copy), str(schedule_path)]).exit_code == 0
    result = runner.invoke(app, ["diff", str(kept), str(schedule_path)])
    assert result.exit_code == 0 and "Giulia Rossi" in result.output and "cancelled" in result.output

    other = tmp_path / "other.yaml"
    other.write_text(sample_copy.read_text().replace("Innovation Week — sample", "Another event"))
    result = runner.invoke(app, ["resolve", str(other), "--previous", str(schedule_path), "-w", "2"])
    assert result.exit_code == 2
    assert "was made for another event" in result.output
