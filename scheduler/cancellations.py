"""Cancellations and moments as an organiser gives them to a re-solve: `--cancel KIND:ID` and
`--frozen-until` read and refused in plain words, merged with the previous file's cancellations
(each stamped with the moment it counts from), and who is left in each request after them."""

from __future__ import annotations

import datetime as dt
import re
import zoneinfo
from collections.abc import Collection, Mapping

from pydantic import ValidationError

from scheduler.changes import cause_of
from scheduler.errors import InputError, Problem
from scheduler.model import Instance
from scheduler.solution import Cancellation, Schedule

KINDS = ("participant", "meeting", "room")
MOMENT_FORMAT = "%Y-%m-%dT%H:%M"


def parse_cancel(text: str) -> Cancellation:
    """'participant:it-enea-01' -> Cancellation; the id may itself contain colons."""
    kind, sep, ident = text.partition(":")
    if kind == "interpreter":
        message = (
            f"{text!r}: an interpreter is not cancelled on the command line; take them out of the instance "
            "(or narrow their available) and re-solve: their meetings find another interpreter or move"
        )
        raise InputError([Problem(("--cancel",), message)])
    if not sep or kind not in KINDS or not ident:
        raise InputError([Problem(("--cancel",), f"{text!r}: expected KIND:ID with KIND one of {', '.join(KINDS)}")])
    try:
        return Cancellation(kind=kind, id=ident)  # type: ignore[arg-type]
    except ValidationError:
        raise InputError(
            [Problem(("--cancel",), f"{text!r}: {ident!r} is not an id (no spaces at either end)")]
        ) from None


def parse_moment(text: str, timezone: str, option: str = "--frozen-until") -> dt.datetime:
    """A local date-time in the event's timezone, to the minute (naive result).

    Accepts '2025-11-14T12:00' (local) or one with an offset ('2025-11-14T05:00+01:00',
    converted to the event's timezone). Seconds are refused rather than silently dropped:
    history is decided to the minute everywhere (resolve, the checker, the file).
    """
    example = "2025-11-14T12:00 (local) or 2025-11-14T12:00+08:00"
    if re.search(r"\d:\d\d:\d", text):
        raise InputError([Problem((option,), f"{text!r}: give the time to the minute (HH:MM), without seconds")])
    try:
        moment = dt.datetime.fromisoformat(text.strip())
    except ValueError:
        raise InputError([Problem((option,), f"{text!r} is not a date-time like {example}")]) from None
    if "T" not in text.upper() and " " not in text.strip():
        raise InputError([Problem((option,), f"{text!r} has no time of day; write it like {example}")])
    if moment.second or moment.microsecond:
        raise InputError([Problem((option,), f"{text!r}: give the time to the minute (HH:MM), without seconds")])
    if moment.tzinfo is not None:
        try:
            moment = moment.astimezone(zoneinfo.ZoneInfo(timezone)).replace(tzinfo=None)
        except OverflowError:
            raise InputError([Problem((option,), f"{text!r} is out of the calendar's range")]) from None
    return moment


def format_moment(moment: dt.datetime | None) -> str | None:
    """'2025-11-14T12:00' (isoformat pads the year to four digits; strftime does not everywhere)."""
    return moment.isoformat(timespec="minutes") if moment is not None else None


def read_moment(text: str | None) -> dt.datetime | None:
    """A stored frozen moment (validated when the file was read) as a naive local date-time."""
    if text is None:
        return None
    return dt.datetime.strptime(text[:16], MOMENT_FORMAT)


def unknown_cancellation(instance: Instance, cancellation: Cancellation) -> str:
    """An unknown id, with the group of tables it names if it is one (room:BJ-T)."""
    if cancellation.kind == "room":
        for venue in instance.venues:
            for spec in venue.rooms:
                if spec.id == cancellation.id and spec.count is not None:
                    first, last = spec.room_ids[0], spec.room_ids[-1]
                    if spec.count == 1:
                        return f"{spec.id} is a group of one room, {first}: cancel room:{first}"
                    return (
                        f"{spec.id} is a group of {spec.count} rooms ({first} … {last}); "
                        f"cancel them one by one, e.g. room:{first}"
                    )
    if cancellation.kind == "participant" and cancellation.id in instance.interpreter_by_id:
        return (
            f"{cancellation.id} is an interpreter, not a participant: an interpreter is not cancelled on the "
            "command line; take them out of the instance (or narrow their available) and re-solve"
        )
    return f"unknown {cancellation.kind} {cancellation.id!r}"


def merge_cancellations(
    instance: Instance, previous: Schedule, cancels: list[Cancellation], frozen: dt.datetime | None
) -> tuple[list[Cancellation], list[str]]:
    """Earlier cancellations that still name something, then the new ones stamped with their moment."""
    known: dict[str, Mapping[str, object]] = {
        "participant": instance.participant_by_id,
        "meeting": instance.meeting_by_id,
        "room": instance.room_by_id,
    }
    notes: list[str] = []
    merged: dict[tuple[str, str], Cancellation] = {}
    moment = format_moment(frozen)
    late = [
        Problem(
            ("--previous",),
            f"cancelled[{i}], of {c.kind} {c.id}, counts from {c.from_}, after the frozen moment "
            f"({moment or 'none'}): a cancellation is recorded at its re-solve's frozen moment, so the "
            "file was edited; check it with `schedule check`, or re-solve with a later --frozen-until",
        )
        for i, c in enumerate(previous.cancelled)
        if c.from_ is not None and (moment is None or c.from_[:16] > moment)
    ]
    if late:
        raise InputError(late)
    for c in previous.cancelled:
        if c.id not in known[c.kind]:
            notes.append(f"earlier cancellation of {c.kind} {c.id!r} dropped: it is no longer in the instance")
        else:
            merged.setdefault((c.kind, c.id), c)
    problems = [Problem(("--cancel",), unknown_cancellation(instance, c)) for c in cancels if c.id not in known[c.kind]]
    if problems:
        raise InputError(problems)
    for c in cancels:
        merged.setdefault((c.kind, c.id), Cancellation(kind=c.kind, id=c.id, from_=format_moment(frozen)))
    return list(merged.values()), notes


def lost_with_its_people(participants: Collection[str], gone: Collection[str]) -> bool:
    """Whether a request's cancellation came from people cancelled out of it: one of them is, and
    fewer than two are left (the rule `People.apply` cancels by); one the organiser named with more
    left is theirs to tell."""
    return any(p in gone for p in participants) and sum(1 for p in participants if p not in gone) < 2


class People:
    """Who is left in each request after the cancellations, and what that cancels in turn."""

    def __init__(
        self,
        instance: Instance,
        previous: Schedule,
        cancels: list[Cancellation],
        all_cancels: list[Cancellation],
        frozen: dt.datetime | None,
    ) -> None:
        self.instance = instance
        self.frozen = frozen
        self.all_cancels = all_cancels
        self.gone_people = {c.id: c for c in all_cancels if c.kind == "participant"}
        self.newly_gone = {c.id for c in cancels if c.kind == "participant"} - {c.id for c in previous.cancelled}
        self.gone_rooms = {c.id for c in all_cancels if c.kind == "room"}
        self.gone_meetings = {c.id for c in all_cancels if c.kind == "meeting"}
        self.causes: dict[str, str] = {}
        self.participants_of: dict[str, list[str]] = {}

    def of(self, mid: str) -> list[str]:
        if mid in self.participants_of:
            return self.participants_of[mid]
        return self.instance.meeting_by_id[mid].participants

    def apply(self, history_people: dict[str, list[str]]) -> None:
        """History keeps its people; later meetings lose the cancelled, and with one left, are cancelled."""
        known = self.instance.participant_by_id
        for mid, people in history_people.items():
            self.participants_of[mid] = [p for p in people if p in known]
        gone = self.gone_people.keys()
        for meeting in self.instance.meetings:
            if meeting.id in history_people or gone.isdisjoint(meeting.participants):
                continue  # (no one of it cancelled: as the instance has it)
            remaining = [p for p in meeting.participants if p not in self.gone_people]
            left = [p for p in meeting.participants if p in self.newly_gone]
            if left:
                self.causes[meeting.id] = "; ".join(cause_of(self.instance, self.gone_people[p]) for p in left)
            if len(remaining) < 2 and meeting.id not in self.gone_meetings:
                self.gone_meetings.add(meeting.id)
                self.all_cancels.append(Cancellation(kind="meeting", id=meeting.id, from_=format_moment(self.frozen)))
            elif remaining != meeting.participants:
                self.participants_of[meeting.id] = remaining
        for c in self.all_cancels:
            if c.kind == "meeting":
                self.causes.setdefault(c.id, "the meeting was cancelled")
