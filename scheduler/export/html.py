"""Printable pages from jinja2 templates (package data): agendas per person and the day grids.

An agenda fits one A4 page for a usual load (a dozen meetings); `all.html` holds every
person with a page break between them, for printing the whole stack at the venue.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from functools import cache
from importlib import resources

import jinja2

from scheduler.export.views import MeetingView, Person, ProgrammeView, programme_of
from scheduler.model import Instance, ProgrammeItem, to_clock, to_minutes
from scheduler.solution import Cancellation, local_moment
from scheduler.timetable import REMOVED, removed_rooms, venue_room_ids


@cache
def _environment() -> jinja2.Environment:
    return jinja2.Environment(
        loader=jinja2.PackageLoader("scheduler.export", "templates"),
        autoescape=jinja2.select_autoescape(["html"]),
        trim_blocks=True,
        lstrip_blocks=True,
        undefined=jinja2.StrictUndefined,
    )


@cache
def _css() -> str:
    return resources.files("scheduler.export").joinpath("templates/style.css").read_text(encoding="utf-8")


def day_label(date: str) -> str:
    """'2025-11-13' -> 'Thursday 13 November 2025'."""
    day = dt.date.fromisoformat(date)
    return f"{day:%A} {day.day} {day:%B %Y}"


@dataclass
class Agenda:
    person: Person
    country: str
    days: list[dict[str, object]] = field(default_factory=list)
    count: int = 0
    as_of: str = ""
    """When this agenda last changed, and from which schedule file: tells printed copies apart."""
    notice: str = ""
    """Said above the meetings, e.g. that the person is no longer among the interpreters."""


def agendas_page(instance: Instance, agendas: list[Agenda], title: str) -> str:
    """Agendas, one printed page each; only their `as_of` line says when (it stays while an agenda is unchanged)."""
    return (
        _environment()
        .get_template("agenda.html")
        .render(
            title=title,
            css=_css(),
            event_name=instance.event.name,
            timezone=instance.event.timezone,
            agendas=agendas,
        )
    )


def agenda_of(
    instance: Instance, who: Person, meetings: list[MeetingView], cancelled: list[Cancellation] | None = None
) -> Agenda:
    found = instance.participant_by_id.get(who.id)
    agenda = Agenda(who, (found.country or "") if found else "", count=len(meetings))
    programme = [p for p in programme_of(instance, who.id, cancelled) if not p.cancelled]
    for date in sorted({m.date for m in meetings} | {p.date for p in programme}):
        # One table in time order: a programme item sits between the meetings around it.
        entries: list[tuple[str, MeetingView | ProgrammeView]] = [
            *(("meeting", m) for m in meetings if m.date == date),
            *(("programme", p) for p in programme if p.date == date),
        ]
        entries.sort(key=lambda e: (e[1].starts, e[0] == "meeting", e[1].id))
        agenda.days.append({"label": day_label(date), "entries": entries})
    return agenda


@dataclass(frozen=True)
class Cell:
    span: int
    id: str = ""
    text: str = ""


def _short(view: MeetingView) -> str:
    """Who meets, short enough for a grid cell: names, with the organisation when there is room."""
    if len(view.people) <= 2:
        return " · ".join(p.label for p in view.people)
    return " · ".join(p.name for p in view.people)


def day_blocks(instance: Instance, views: list[MeetingView], date: str) -> list[dict[str, object]]:
    """One grid per venue session: used rooms x times, a meeting spanning its slots."""
    step = instance.event.slot_minutes
    blocks: list[dict[str, object]] = []
    removed = removed_rooms(instance, ((v.venue, v.room) for v in views if v.date == date))
    for venue in instance.venues:
        day = next((d for d in venue.days if d.date.isoformat() == date), None)
        if day is None:
            continue
        here = [v for v in views if v.venue == venue.id and v.date == date]
        items = [i for i in instance.programme if i.city == venue.city and i.date.isoformat() == date]
        for window in day.sessions:
            ticks = list(range(window.start_min, window.end_min, step))
            rows: list[dict[str, object]] = _programme_rows(instance, items, ticks, step)
            unused = []
            for room in venue_room_ids(instance, venue.id, removed):
                starting = {to_minutes(v.start): v for v in here if v.room == room}
                if not any(window.start_min <= t < window.end_min for t in starting):
                    unused.append(room)
                    continue
                cells, t = [], window.start_min
                while t < window.end_min:
                    view = starting.get(t)
                    if view is None:
                        cells.append(Cell(1))
                        t += step
                        continue
                    span = max(1, min(view.slots, (window.end_min - t) // step))
                    cells.append(Cell(span, view.id, _short(view)))
                    t += span * step
                gone = room in removed.get(venue.id, [])
                rows.append({"room": f"{room} ({REMOVED})" if gone else room, "cells": cells, "programme": False})
            blocks.append(
                {
                    "title": f"{venue.name or venue.id} ({venue.city}), {window.start}–{window.end}",
                    "times": [to_clock(t) for t in ticks],
                    "rows": rows,
                    "unused": len(unused),
                    "unused_names": ", ".join(unused),
                }
            )
    return blocks


def _programme_rows(
    instance: Instance, items: list[ProgrammeItem], ticks: list[int], step: int
) -> list[dict[str, object]]:
    """A band row per programme item over the slots it covers (marked as programme, not a meeting)."""
    rows: list[dict[str, object]] = []
    for item in sorted(items, key=lambda i: (i.start, i.id)):
        start, end = to_minutes(item.start), to_minutes(item.end)
        covered = [t for t in ticks if start < t + step and t < end]
        if not covered:
            continue
        before = ticks.index(covered[0])
        after = len(ticks) - before - len(covered)
        attending = len(instance.programme_attendees[item.id])
        text = f"{item.label[0].upper()}{item.label[1:]} · {item.start}–{item.end} · {attending} attending"
        cells = [
            *([Cell(before)] if before else []),
            Cell(len(covered), item.id, text),
            *([Cell(after)] if after else []),
        ]
        rows.append({"room": item.id, "cells": cells, "programme": True})
    return rows


def index_page(instance: Instance, created: str, views: list[MeetingView]) -> str:
    dates = sorted({d.date.isoformat() for v in instance.venues for d in v.days})
    days = [{"date": d, "label": day_label(d), "blocks": day_blocks(instance, views, d)} for d in dates]
    return (
        _environment()
        .get_template("index.html")
        .render(
            css=_css(),
            event_name=instance.event.name,
            timezone=instance.event.timezone,
            created=local_moment(created, instance.event.timezone),
            meetings=len(views),
            days=days,
        )
    )
