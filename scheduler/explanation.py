"""The words every explanation shares: the kinds a waiting request is counted by, and one
request's explanation (kind, headline, details). Written by `scheduler.explain`, kept in schedule
files by `scheduler.reasons`, counted by `scheduler.stats`."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from scheduler.forcing import Forced

CANCELLED = "cancelled"
NO_PLACE = "no session fits it"
NO_ROOM = "no room large enough"
NO_COMMON_TIME = "no common availability"
FROZEN = "only before the frozen time"
MAX_MEETINGS = "max_meetings reached"
ONE_CITY = "one city per date"
LOST = "lost to higher-priority meetings"
TAKEN = "its times are taken"
BREAKS = "a break is due"
FITS = "a place is free"
NO_INTERPRETER = "no interpreter free"
PROGRAMME = "at programme items"
TRAVEL = "no time to travel"
SCHEDULED = "scheduled"
KINDS = (
    CANCELLED,
    NO_PLACE,
    NO_ROOM,
    NO_COMMON_TIME,
    PROGRAMME,
    FROZEN,
    MAX_MEETINGS,
    ONE_CITY,
    LOST,
    TAKEN,
    BREAKS,
    NO_INTERPRETER,
    TRAVEL,
    FITS,
)
"""Why a request is unscheduled, from the request alone (first six) to the schedule around it."""


@dataclass(frozen=True)
class Explanation:
    meeting: str
    kind: str
    headline: str
    """One sentence: the reason, or where the meeting is."""
    details: list[str] = field(default_factory=list)
    forced: Forced | None = None
    sentences: list[str] = field(default_factory=list)
    """The forced solve's outcome in words (empty when not solved)."""
    promised: list[str] = field(default_factory=list)
    """Its people given fewer meetings than their min_meetings promised, in words."""
    impossible: bool = False
    """No schedule can hold it whatever the other meetings do (the instance alone rules it out)."""

    @property
    def in_short(self) -> str:
        """The headline and any broken promise: what a timetable or a schedule file says."""
        return " ".join([self.headline, *self.promised])
