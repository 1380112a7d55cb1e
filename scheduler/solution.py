"""The schedule file (FORMAT.md output section) as plain pydantic models.

Fields are checked as strictly as an instance's (a file edited by hand must not make
`timetable` loop over a day of 9,999,999 hours): real dates, clock times, bounded text.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from typing import Annotated, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, StrictInt, model_validator

from scheduler.model import MAX_MEETING_SIZE, ClockTime, Id, Text

MAX_ENTRIES = 1_000_000
"""Longest list in a schedule file (a 60,000-request event has 60,000 assignments)."""


def _written_as(pattern: str, parse: Callable[[str], object], shape: str, what: str) -> Callable[[str], str]:
    """A validator: the text has exactly this shape and names a real moment."""

    def check(value: str) -> str:
        if not re.fullmatch(pattern, value):
            raise ValueError(f"{value[:40]!r} is not {what} as {shape}")
        try:
            parse(value)
        except ValueError:
            raise ValueError(f"{value!r} is not a real {what.removeprefix('a ').removeprefix('local ')}") from None
        return value

    return check


_real_date = _written_as(r"\d{4}-\d{2}-\d{2}", dt.date.fromisoformat, "YYYY-MM-DD", "a date")
_local_minute = _written_as(
    r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}", dt.datetime.fromisoformat, "YYYY-MM-DDTHH:MM", "a local date-time"
)


def _iso_time(value: str) -> str:
    try:
        dt.datetime.fromisoformat(value)
    except ValueError:
        raise ValueError(f"{value[:40]!r} is not an ISO date-time such as 2025-11-12T20:00:00+08:00") from None
    return value


def local_moment(created: str, timezone: str) -> str:
    """A file's ISO time as people read it, in the event's zone: '2025-11-13 11:02 (Asia/Shanghai)'.

    Times without an offset are taken as UTC (as the export's DTSTAMP does); text that is not
    a time is shown as it stands.
    """
    import zoneinfo

    try:
        moment = dt.datetime.fromisoformat(created)
    except ValueError:
        return created
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=dt.UTC)
    return f"{moment.astimezone(zoneinfo.ZoneInfo(timezone)):%Y-%m-%d %H:%M} ({timezone})"


Date = Annotated[str, Field(max_length=10), AfterValidator(_real_date)]
LocalMinute = Annotated[str, Field(max_length=16), AfterValidator(_local_minute)]
IsoTime = Annotated[str, Field(max_length=40), AfterValidator(_iso_time)]
Sha256 = Annotated[str, Field(pattern=r"^[0-9a-f]{64}$")]
FilePath = Annotated[str, Field(max_length=4_096)]


class _Record(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class Assignment(_Record):
    meeting: Id
    date: Date
    start: ClockTime
    end: ClockTime
    city: Id
    venue: Id
    room: Id
    participants: Annotated[list[Id], Field(max_length=MAX_MEETING_SIZE)] | None = None
    """Who attends (the request's people less those cancelled by then); absent in older files."""
    interpreter: Id | None = None
    """The interpreter who sits in, when its people share no language (absent in older files)."""

    @model_validator(mode="after")
    def _ends_after_start(self) -> Assignment:
        if self.end.replace("24:00", "23:60") <= self.start:
            raise ValueError(
                f"ends ({self.end}) {'as' if self.end == self.start else 'before'} it starts ({self.start})"
            )
        return self

    def place_key(self) -> tuple[str, str, str, str]:
        """What 'same place' means for change tracking: date, start, venue, room."""
        return (self.date, self.start, self.venue, self.room)


class Unscheduled(_Record):
    meeting: Id
    reason: Annotated[Text, Field(min_length=1)]
    """A short phrase to count by ("no common availability"; `scheduler.explanation.KINDS`)."""
    detail: Text | None = None
    """The reason as a sentence to pass on (whose availability, which meetings); absent in older files."""


class MinMeetingsMissed(_Record):
    """A participant given fewer meetings than their `min_meetings` promised."""

    participant: str
    meetings: int
    min_meetings: int


class Cancellation(_Record):
    model_config = ConfigDict(frozen=True, extra="forbid", serialize_by_alias=True, validate_by_name=True)

    kind: Literal["participant", "meeting", "room"]
    id: Id
    from_: LocalMinute | None = Field(default=None, validation_alias="from", serialization_alias="from")
    """`from` in a file (`store` reads files by alias only: `from_` there is an unknown field);
    `from_=` in Python."""
    """Local time (YYYY-MM-DDTHH:MM) from which it counts; None: from the start of the event."""


class Change(_Record):
    meeting: Id
    change: Literal["moved", "added", "dropped", "cancelled", "left", "resized", "interpreter"]
    before: Assignment | None = None
    after: Assignment | None = None
    notify: list[Id] = Field(default_factory=list, max_length=MAX_ENTRIES)
    cause: Text | None = None
    """Why, in words an organiser can pass on ("participant cn-most-01 cancelled")."""


NOT_PURSUED = "not pursued: a re-solve this large keeps each meeting where it stood"
"""A goal's state where more time would not change it: no meeting moves to close a gap."""


class Schedule(BaseModel):
    """A schedule file; optional fields beyond FORMAT.md are ours (previous, stats). Read as
    strictly as an instance: a misspelt field (`frozen_untill`) is refused, not read past."""

    model_config = ConfigDict(extra="forbid")

    format: Literal["schedule/1"] = "schedule/1"
    instance: FilePath
    instance_sha256: Sha256
    created: IsoTime
    status: Literal["OPTIMAL", "FEASIBLE"]
    objective: StrictInt
    bound: StrictInt
    assignments: list[Assignment] = Field(default_factory=list, max_length=MAX_ENTRIES)
    unscheduled: list[Unscheduled] = Field(default_factory=list, max_length=MAX_ENTRIES)
    cancelled: list[Cancellation] = Field(default_factory=list, max_length=MAX_ENTRIES)
    changes: list[Change] = Field(default_factory=list, max_length=MAX_ENTRIES)
    event: Text | None = None
    """The instance's event name: tells an edited instance from another event's."""
    previous: FilePath | None = None
    """The schedule file this one was re-solved from (its kept version path)."""
    previous_sha256: Sha256 | None = None
    reasons_sha256: Sha256 | None = None
    """SHA-256 of the waiting requests' reasons as written (`reasons.reasons_digest`): a re-solve
    takes reasons over from a file only while they are as written. It guards against edits by
    hand that leave it as it was, not against one who recomputes it."""
    frozen_until: LocalMinute | None = None
    """Re-solve: meetings starting before this local date-time were kept as history."""
    solve_seconds: Annotated[float, Field(ge=0, allow_inf_nan=False)] | None = None
    first_schedule_seconds: Annotated[float, Field(ge=0, allow_inf_nan=False)] | None = None
    """How long after the solve began a first complete schedule existed (Ctrl-C from then on keeps one)."""
    command: Annotated[str, Field(max_length=10_000)] | None = None
    """The command line that wrote this file, for `schedule history`."""
    min_meetings_missed: list[MinMeetingsMissed] | None = None
    """Who got fewer meetings than their min_meetings (absent when everyone got theirs)."""
    goals: Annotated[dict[Text, Text], Field(max_length=20)] | None = None
    """Each goal after priority -> how far the solve got ("proven", "best found", "not reached",
    "local moves only", "per date, best found", NOT_PURSUED); absent with --priority-only and in
    older files."""

    @property
    def assignment_by_meeting(self) -> dict[str, Assignment]:
        return {a.meeting: a for a in self.assignments}
