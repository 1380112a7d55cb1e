"""The checker's own reading of times: clock texts, moments, busy spans, availability windows
and session spans, read from the raw fields (none of model.py's look-ups)."""

from __future__ import annotations

import datetime as dt
import functools

from scheduler.model import Interpreter, Participant, Venue
from scheduler.solution import Assignment

_MOMENT = "%Y-%m-%dT%H:%M"


@functools.lru_cache(maxsize=4096)  # bounded: the texts come from a file
def _minutes(clock: str) -> int | None:
    """'09:30' -> 570, None if not a clock time (a few hundred distinct texts in any schedule)."""
    parts = clock.split(":")
    if len(parts) != 2 or not all(p.isascii() and p.isdigit() for p in parts):
        return None
    hours, minutes = int(parts[0]), int(parts[1])
    if minutes >= 60 or hours * 60 + minutes > 24 * 60:
        return None
    return hours * 60 + minutes


def _moment(text: str | None) -> dt.datetime | None:
    if text is None:
        return None
    try:
        return dt.datetime.strptime(text, _MOMENT)
    except ValueError:
        return None


def _start_of(a: Assignment) -> dt.datetime | None:
    return _moment_of(a.date, a.start)


@functools.lru_cache(maxsize=4096)  # bounded: the texts come from a file
def _moment_of(date: str, clock: str) -> dt.datetime | None:
    start = _minutes(clock)
    try:
        day = dt.date.fromisoformat(date)
    except ValueError:
        return None
    if start is None:
        return None
    return dt.datetime.combine(day, dt.time()) + dt.timedelta(minutes=start)


def _is_history(a: Assignment, frozen: dt.datetime | None) -> bool:
    begins = _start_of(a)
    return frozen is not None and begins is not None and begins < frozen


def _overlaps(spans: list[tuple[int, int, str]]) -> list[tuple[int, list[str]]]:
    """Each moment a new meeting starts while others still run: (that minute, all running then)."""
    found = []
    running: list[tuple[int, int, str]] = []
    for start, end, mid in sorted(spans):
        running = [span for span in running if span[1] > start]
        if running:
            found.append((start, [m for _, _, m in running] + [mid]))
        running.append((start, end, mid))
    return found


def _clock(t: int) -> str:
    return f"{t // 60:02d}:{t % 60:02d}"


Windows = dict[tuple[str, str, str], list[tuple[int, int]]]
"""(person, date, city) -> their windows there in minutes, read once per review."""


def _available(
    person: Participant | Interpreter, step: int, a: Assignment, start: int, end: int, read: Windows | None = None
) -> bool:
    """Each slot of [start, end) lies inside one of the person's windows for that date and city."""
    if person.available is None:
        return True
    key = (person.id, a.date, a.city)
    windows = read.get(key) if read is not None else None
    if windows is None:
        windows = [
            ((_minutes(w.start) or 0) if w.start else 0, (_minutes(w.end) or 0) if w.end else 24 * 60)
            for w in person.available
            if w.date.isoformat() == a.date and w.city == a.city
        ]
        if read is not None:
            read[key] = windows
    return all(any(lo <= t and t + step <= hi for lo, hi in windows) for t in range(start, end, step))


def _session_spans(
    venue: Venue, date: str, read: dict[tuple[str, str], list[tuple[int, int]] | None]
) -> list[tuple[int, int]] | None:
    """The venue's sessions on that date in minutes (None: not open), read once per review."""
    key = (venue.id, date)
    if key not in read:
        day = next((d for d in venue.days if d.date.isoformat() == date), None)
        read[key] = None if day is None else [(_minutes(s.start) or 0, _minutes(s.end) or 0) for s in day.sessions]
    return read[key]
