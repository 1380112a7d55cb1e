"""`schedule history`: the schedule files of one instance, oldest first, and what each one is.

`solve` and `resolve` write NAME.schedule.json and keep the file they replace as
NAME.schedule.vN.json; this reads that family back so an organiser can tell the versions apart.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from scheduler.cancellations import lost_with_its_people
from scheduler.errors import InputError
from scheduler.parsing import parse_yaml
from scheduler.solution import Cancellation, Schedule
from scheduler.store import default_schedule_path, load_schedule, numbered_versions, sha256_of


@dataclass(frozen=True)
class Version:
    path: Path
    number: int | None
    """N of NAME.schedule.vN.json; None for the current file."""
    schedule: Schedule | None = None
    problem: str = ""
    matches_instance: bool = False
    new: NewCancellations = field(default_factory=lambda: NewCancellations())
    """What this version cancelled that the one before it had not."""
    timezone: str = "UTC"
    """The event's zone, for showing when the file was made."""


@dataclass(frozen=True)
class NewCancellations:
    """A version's new cancellations, told apart: what was cancelled, and the meetings lost as a result."""

    direct: list[Cancellation] = field(default_factory=list)
    """Participants, rooms and meetings cancelled by the organiser."""
    knock_on: list[str] = field(default_factory=list)
    """Meetings cancelled because a participant in them was."""


@dataclass(frozen=True)
class EventFacts:
    """What the history needs from the instance, read leniently (an instance being edited may not validate)."""

    timezone: str = "UTC"
    people_of: dict[str, set[str]] = field(default_factory=dict)
    """Meeting id -> its participants, to tell knock-on cancellations from direct ones."""


def event_facts(instance_bytes: bytes) -> EventFacts:
    try:
        raw, _ = parse_yaml(instance_bytes.decode("utf-8-sig"), "instance")
    except (InputError, UnicodeDecodeError):
        return EventFacts()
    if not isinstance(raw, dict):
        return EventFacts()
    event: Any = raw.get("event")
    timezone = str(event.get("timezone", "UTC")) if isinstance(event, dict) else "UTC"
    meetings: Any = raw.get("meetings")
    people = {
        str(m["id"]): {str(p) for p in m.get("participants") or []}
        for m in (meetings if isinstance(meetings, list) else [])
        if isinstance(m, dict) and "id" in m and isinstance(m.get("participants"), list)
    }
    return EventFacts(timezone, people)


def new_cancellations(schedule: Schedule, before: Schedule | None, facts: EventFacts) -> NewCancellations:
    """The cancellations `schedule` adds to `before`'s, meetings lost with a cancelled participant set apart."""
    known = {(c.kind, c.id) for c in before.cancelled} if before is not None else set()
    people = {c.id for c in schedule.cancelled if c.kind == "participant"}
    held = dict(facts.people_of)
    for other in (before, schedule):
        for a in other.assignments if other is not None else []:
            held.setdefault(a.meeting, set(a.participants or []))
    direct, knock_on = [], []
    for c in schedule.cancelled:
        if (c.kind, c.id) in known:
            continue
        if c.kind == "meeting" and lost_with_its_people(held.get(c.id, set()), people):
            knock_on.append(c.id)
        else:
            direct.append(c)
    return NewCancellations(direct, knock_on)


def schedule_files(instance_path: Path) -> list[tuple[int | None, Path]]:
    """(version number, path) of every schedule file of the instance, oldest first, the current one last."""
    current = default_schedule_path(instance_path)
    files: list[tuple[int | None, Path]] = list(numbered_versions(current))
    if current.exists():
        files.append((None, current))
    return files


def versions(instance_path: Path, instance_bytes: bytes) -> list[Version]:
    """Every version, read; an unreadable file is listed with its problem instead of stopping the list."""
    sha = sha256_of(instance_bytes)
    facts = event_facts(instance_bytes)
    found: list[Version] = []
    before: Schedule | None = None
    for number, path in schedule_files(instance_path):
        try:
            schedule = load_schedule(path)
        except InputError as error:
            first = error.problems[0].message if error.problems else "unreadable"
            found.append(Version(path, number, problem=first, timezone=facts.timezone))
            continue
        new = new_cancellations(schedule, before, facts)
        matches = schedule.instance_sha256 == sha
        found.append(Version(path, number, schedule, "", matches, new, facts.timezone))
        before = schedule
    return found
