"""One iCalendar file per participant, written with the icalendar library.

A file is a published calendar (METHOD:PUBLISH), not an iTIP invitation: the organiser
sends it and the participant's calendar app imports it. Each meeting keeps one UID across
re-solves, so an app updates the event instead of adding a second copy; an event whose
time, place or people changed carries a higher SEQUENCE, and one that no longer concerns the
person (the meeting was cancelled or dropped, or they left it) is kept with
STATUS:CANCELLED and a higher SEQUENCE, as RFC 5545 (3.8.1.11, 3.8.7.4) describes.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass

from icalendar import Calendar, Event

from scheduler.export.views import MeetingView, Person, ProgrammeView

PRODUCT = "-//schedule//B2B meeting scheduler//EN"


@dataclass(frozen=True)
class CalendarEntry:
    view: MeetingView
    sequence: int
    cancelled: bool
    stamp: str
    """When this version of the event was made (UTC, ISO): unchanged events keep their bytes."""


def uid(event_name: str, meeting_id: str) -> str:
    """Stable across re-solves of one event: the meeting id and a digest of the event's name."""
    digest = hashlib.sha256(event_name.encode()).hexdigest()[:12]
    return f"{meeting_id}.{digest}@schedule"


def description(view: MeetingView, pid: str) -> str:
    lines = [f"Meeting {view.id}" + (f": {view.topic}" if view.topic else "")]
    lines.append(f"Where: {view.where}")
    lines.append("With:")
    lines += [f"- {other.label}" for other in view.others(pid)]
    return "\n".join(lines)


def summary(view: MeetingView, pid: str) -> str:
    others = view.others(pid)
    names = ", ".join(o.label for o in others[:3]) + (f" and {len(others) - 3} more" if len(others) > 3 else "")
    return f"Meeting with {names}" if names else f"Meeting {view.id}"


def calendar(
    event_name: str, who: Person, entries: list[CalendarEntry], programme: tuple[ProgrammeView, ...] = ()
) -> bytes:
    """The person's calendar: every entry, and every programme item they attend, as a VEVENT,
    times in the event's time zone."""
    cal = Calendar()
    cal.add("prodid", PRODUCT)
    cal.add("version", "2.0")
    cal.add("method", "PUBLISH")
    cal.add("x-wr-calname", f"{event_name}: {who.name}")
    for entry in sorted(entries, key=lambda e: (e.view.starts, e.view.id)):
        view = entry.view
        item = Event()
        item.add("uid", uid(event_name, view.id))
        item.add("dtstamp", _utc(entry.stamp))
        item.add("dtstart", view.starts)
        item.add("dtend", view.ends)
        item.add("summary", summary(view, who.id))
        item.add("location", view.where)
        item.add("description", description(view, who.id))
        item.add("sequence", entry.sequence)
        item.add("status", "CANCELLED" if entry.cancelled else "CONFIRMED")
        item.add("transp", "TRANSPARENT" if entry.cancelled else "OPAQUE")
        cal.add_component(item)
    for part in programme:
        item = Event()
        item.add("uid", uid(event_name, f"programme.{part.id}"))
        item.add("dtstamp", _utc(entries[0].stamp) if entries else dt.datetime(1970, 1, 1, tzinfo=dt.UTC))
        item.add("dtstart", part.starts)
        item.add("dtend", part.ends)
        item.add("summary", part.label)
        item.add("location", part.where)
        item.add("sequence", 1 if part.cancelled else 0)
        item.add("status", "CANCELLED" if part.cancelled else "CONFIRMED")
        item.add("transp", "TRANSPARENT" if part.cancelled else "OPAQUE")
        cal.add_component(item)
    cal.add_missing_timezones()
    return bytes(cal.to_ical())


def _utc(stamp: str) -> dt.datetime:
    try:
        return dt.datetime.fromisoformat(stamp.replace("Z", "+00:00")).astimezone(dt.UTC)
    except ValueError:
        return dt.datetime(1970, 1, 1, tzinfo=dt.UTC)
