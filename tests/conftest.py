"""Shared helpers: tiny instances built in code, and solving that is always verified."""

from __future__ import annotations

import copy
import datetime as dt
import hashlib
from pathlib import Path
from typing import Any

import pytest

from scheduler.cancellations import parse_cancel
from scheduler.model import Instance
from scheduler.resolve import ResolvePlan, plan, resolved_schedule
from scheduler.solution import Assignment, Schedule, Unscheduled
from scheduler.solver.convert import outcome_to_schedule
from scheduler.solver.pipeline import solve
from scheduler.solver.request import SolveOutcome, SolveParams, SolveRequest
from scheduler.verify import review, verify

ROOT = Path(__file__).resolve().parent.parent
DATA = Path(__file__).resolve().parent / "data"

BASE: dict[str, Any] = {
    "event": {"name": "Test week", "timezone": "Asia/Shanghai", "slot_minutes": 30},
    "venues": [
        {
            "id": "bj",
            "city": "Beijing",
            "days": [{"date": "2025-11-13", "sessions": [{"start": "09:00", "end": "10:00"}]}],
            "rooms": [{"id": "T", "count": 1, "capacity": 2}],
        }
    ],
    "participants": [{"id": p, "name": p.upper()} for p in ("a", "b", "c", "d")],
    "meetings": [],
}


A_ANYWHERE_B_IN_BEIJING_C_IN_HANGZHOU: list[dict[str, Any]] = [
    {"id": "a", "name": "A"},
    {"id": "b", "name": "B", "available": [{"date": "2025-11-13", "city": "Beijing"}]},
    {"id": "c", "name": "C", "available": [{"date": "2025-11-13", "city": "Hangzhou"}]},
]
"""On 2025-11-13: a may be in either city, b only in Beijing, c only in Hangzhou."""


def free_only(pid: str, start: str, end: str) -> dict[str, Any]:
    """A participant (named as their id in capitals) free on 2025-11-13 in Beijing from start to end only."""
    window = {"date": "2025-11-13", "city": "Beijing", "start": start, "end": end}
    return {"id": pid, "name": pid.upper(), "available": [window]}


A_AT_NINE_B_AT_HALF_PAST: list[dict[str, Any]] = [free_only("a", "09:00", "09:30"), free_only("b", "09:30", "10:00")]
"""a is free only at 09:00, b only at 09:30: never together."""


def sha_of(instance: Instance) -> str:
    """A stand-in for the instance file's sha256: an edited instance has another one, as a file would."""
    return hashlib.sha256(instance.model_dump_json().encode()).hexdigest()


def make_instance(**changes: Any) -> Instance:
    """BASE with top-level sections replaced: one venue, one hour, one table, four people."""
    data = copy.deepcopy(BASE)
    data.update(copy.deepcopy(changes))
    return Instance.model_validate(data)


def meeting(mid: str, *people: str, **fields: Any) -> dict[str, Any]:
    return {"id": mid, "participants": list(people), **fields}


def energy_seminar(start: str = "09:00", end: str = "09:30", **changes: Any) -> dict[str, Any]:
    """The 'Energy' seminar in Beijing on 2025-11-13 for a, at these times (programme tests)."""
    item = {
        "id": "sem",
        "title": "Energy",
        "kind": "seminar",
        "city": "Beijing",
        "date": "2025-11-13",
        "start": start,
        "end": end,
        "attendees": ["a"],
    }
    return item | changes


def hand_made(instance: Instance, *assignments: Assignment, **fields: Any) -> Schedule:
    """A schedule of `instance` written by hand: these assignments, every other request waiting,
    the total priority placed and the sum of all as bound (`fields` replace any of it)."""
    placed = {a.meeting for a in assignments}
    written: dict[str, Any] = {
        "instance": "x.yaml",
        "instance_sha256": "0" * 64,
        "created": "2026-01-01T10:00:00+08:00",
        "status": "FEASIBLE",
        "objective": sum(m.priority for m in instance.meetings if m.id in placed),
        "bound": sum(m.priority for m in instance.meetings),
        "assignments": list(assignments),
        "unscheduled": [Unscheduled(meeting=m.id, reason="x") for m in instance.meetings if m.id not in placed],
    }
    return Schedule(**(written | fields))


def resolve_and_verify(
    instance: Instance,
    previous: Schedule,
    cancels: list[str] = (),  # type: ignore[assignment]
    frozen: str | None = None,
    max_moves: int = 0,
    time_limit: float = 10,
    shortcuts: bool = False,
) -> tuple[Schedule, ResolvePlan]:
    """Re-solve as the CLI does and insist the checker accepts it, history included."""
    frozen_at = dt.datetime.fromisoformat(frozen) if frozen else None
    resolve_plan = plan(instance, previous, [parse_cancel(c) for c in cancels], frozen_at, max_moves)
    outcome = solve(resolve_plan.request, SolveParams(time_limit=time_limit, workers=2, seed=1, shortcuts=shortcuts))
    schedule = resolved_schedule(instance, previous, resolve_plan, outcome, "test.yaml", sha_of(instance))
    report = review(instance, schedule, previous)
    assert report.violations == [], "\n".join(map(str, report.violations))
    return schedule, resolve_plan


def solve_and_verify(
    instance: Instance,
    request: SolveRequest | None = None,
    time_limit: float = 10,
    shortcuts: bool = False,
    quality: bool = True,
) -> Schedule:
    """Solve, convert, and insist the independent checker accepts the result.

    Shortcuts are off by default: the CP model runs even where the first draft already
    meets the bound, so these hand-checked instances test the model, not only the greedy.
    """
    return solve_outcome_and_verify(instance, request, time_limit, shortcuts, quality)[1]


def solve_outcome_and_verify(
    instance: Instance,
    request: SolveRequest | None = None,
    time_limit: float = 10,
    shortcuts: bool = False,
    quality: bool = True,
) -> tuple[SolveOutcome, Schedule]:
    """As `solve_and_verify`, also returning the solver's outcome (its stages, say)."""
    request = request or SolveRequest(instance)
    params = SolveParams(time_limit=time_limit, workers=2, seed=1, shortcuts=shortcuts, quality=quality)
    outcome = solve(request, params)
    schedule = outcome_to_schedule(outcome, request, "test.yaml", sha_of(instance))
    problems = verify(instance, schedule)
    assert problems == [], "\n".join(map(str, problems))
    return outcome, schedule


@pytest.fixture
def sample_copy(tmp_path: Path) -> Path:
    """instances/sample.yaml copied where tests may write beside it."""
    target = tmp_path / "sample.yaml"
    target.write_bytes((ROOT / "instances" / "sample.yaml").read_bytes())
    return target


AROUND_MIDNIGHT: dict[str, Any] = {
    "venues": [
        {
            "id": "bj",
            "city": "Beijing",
            "days": [
                {"date": "2025-11-13", "sessions": [{"start": "23:00", "end": "24:00"}]},
                {"date": "2025-11-14", "sessions": [{"start": "00:00", "end": "01:00"}]},
            ],
            "rooms": [{"id": "T", "count": 2, "capacity": 2}],
        }
    ],
    "programme": [
        {
            "id": "late",
            "title": "Late dinner",
            "kind": "visit",
            "city": "Beijing",
            "date": "2025-11-13",
            "start": "21:00",
            "end": "23:30",
            "attendees": ["a"],
            "buffer_minutes": 60,
        },
        {
            "id": "early",
            "title": "Night visit",
            "kind": "visit",
            "city": "Beijing",
            "date": "2025-11-14",
            "start": "00:15",
            "end": "01:00",
            "attendees": ["b"],
            "buffer_minutes": 30,
        },
    ],
    "meetings": [meeting("ac", "a", "c"), meeting("ad", "a", "d"), meeting("bc", "b", "c"), meeting("bd", "b", "d")],
}
"""Slots 23:00 and 23:30 on the 13th, 00:00 and 00:30 on the 14th. a's dinner ends 23:30 with an
hour's buffer: a is busy until 00:30 on the 14th, so a can meet only at 00:30 (the 14th). b's visit
starts 00:15 on the 14th with 30 minutes' buffer: b is busy from 23:45 on the 13th, so b can meet
only at 23:00 (the 13th). Of the four meetings two can happen; ignoring midnight, all four."""
