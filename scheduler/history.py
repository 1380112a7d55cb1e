"""`schedule history`: the schedule files of one instance, oldest first, and what each one is.

`solve` and `resolve` write NAME.schedule.json and keep the file they replace as
NAME.schedule.vN.json; this reads that family back so an organiser can tell the versions apart.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from scheduler.errors import InputError
from scheduler.solution import Schedule
from scheduler.store import default_schedule_path, load_schedule, numbered_versions, sha256_of


@dataclass(frozen=True)
class Version:
    path: Path
    number: int | None
    """N of NAME.schedule.vN.json; None for the current file."""
    schedule: Schedule | None = None
    problem: str = ""
    matches_instance: bool = False


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
    found = []
    for number, path in schedule_files(instance_path):
        try:
            schedule = load_schedule(path)
        except InputError as error:
            first = error.problems[0].message if error.problems else "unreadable"
            found.append(Version(path, number, problem=first))
            continue
        found.append(Version(path, number, schedule, matches_instance=schedule.instance_sha256 == sha))
    return found
