"""The schedule file (FORMAT.md output section) as plain pydantic models."""

from __future__ import annotations

from typing import Literal

from pydantic import AliasChoices, BaseModel, ConfigDict, Field


class _Record(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class Assignment(_Record):
    meeting: str
    date: str
    start: str
    end: str
    city: str
    venue: str
    room: str
    participants: list[str] | None = None
    """Who attends (the request's people less those cancelled by then); absent in older files."""

    def place_key(self) -> tuple[str, str, str, str]:
        """What 'same place' means for change tracking: date, start, venue, room."""
        return (self.date, self.start, self.venue, self.room)


class Unscheduled(_Record):
    meeting: str
    reason: str


class Cancellation(_Record):
    model_config = ConfigDict(frozen=True, extra="forbid", serialize_by_alias=True)

    kind: Literal["participant", "meeting", "room"]
    id: str
    from_: str | None = Field(default=None, validation_alias=AliasChoices("from", "from_"), serialization_alias="from")
    """Local time (YYYY-MM-DDTHH:MM) from which it counts; None: from the start of the event."""


class Change(_Record):
    meeting: str
    change: Literal["moved", "added", "dropped", "cancelled", "left", "resized"]
    before: Assignment | None = None
    after: Assignment | None = None
    notify: list[str] = Field(default_factory=list)
    cause: str | None = None
    """Why, in words an organiser can pass on ("participant cn-most-01 cancelled")."""


class Schedule(BaseModel):
    """A schedule file; optional fields beyond FORMAT.md are ours (previous, stats)."""

    model_config = ConfigDict(extra="allow")

    format: Literal["schedule/1"] = "schedule/1"
    instance: str
    instance_sha256: str
    created: str
    status: Literal["OPTIMAL", "FEASIBLE"]
    objective: int
    bound: int
    assignments: list[Assignment] = Field(default_factory=list)
    unscheduled: list[Unscheduled] = Field(default_factory=list)
    cancelled: list[Cancellation] = Field(default_factory=list)
    changes: list[Change] = Field(default_factory=list)
    event: str | None = None
    """The instance's event name: tells an edited instance from another event's."""
    previous: str | None = None
    """The schedule file this one was re-solved from (its kept version path)."""
    previous_sha256: str | None = None
    frozen_until: str | None = None
    """Re-solve: meetings starting before this local date-time were kept as history."""
    solve_seconds: float | None = None
    command: str | None = None
    """The command line that wrote this file, for `schedule history`."""

    @property
    def assignment_by_meeting(self) -> dict[str, Assignment]:
        return {a.meeting: a for a in self.assignments}
