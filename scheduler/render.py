"""Pure functions from instance + schedule to rich renderables; only the CLI prints."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from rich import box
from rich.cells import cell_len
from rich.console import Group, RenderableType
from rich.table import Table
from rich.text import Text

from scheduler.attendance import attendees, programme_attended
from scheduler.model import Instance, ProgrammeItem, to_clock, to_minutes
from scheduler.solution import Assignment, Schedule
from scheduler.stats import stays
from scheduler.timetable import REMOVED, removed_rooms, venue_room_ids

if TYPE_CHECKING:  # the export, import and history layers load their libraries only when used
    pass


def _sorted(assignments: list[Assignment]) -> list[Assignment]:
    return sorted(assignments, key=lambda a: (a.date, a.start, a.room))


def _effective_participants(instance: Instance, schedule: Schedule, assignment: Assignment) -> list[str]:
    """Who attends one of the schedule's meetings (by the assignment itself: looking it up by id
    built a dict of every assignment per call, minutes for one person at 60,000 requests)."""
    return attendees(instance, schedule.cancelled, assignment, schedule.frozen_until)


def person_timetable(
    instance: Instance,
    schedule: Schedule,
    pid: str,
    only: list[Assignment] | None = None,
    items: list[ProgrammeItem] | None = None,
) -> RenderableType:
    """One person's meetings (or those of `only` they attend): when, where, with whom, on what;
    their programme items in between (`items`, else theirs on the dates shown). An
    interpreter's: the meetings they sit in."""
    interpreter = instance.interpreter_by_id.get(pid)
    pool = schedule.assignments if only is None else only
    mine = _sorted([a for a in pool if pid in _effective_participants(instance, schedule, a) or a.interpreter == pid])
    person = instance.participant_by_id.get(pid)
    if interpreter is not None:
        spoken = ", ".join(interpreter.languages)
        title = Text.assemble((interpreter.name, "bold"), f"  interpreter ({spoken})")
    elif person is not None:
        title = Text.assemble((person.name, "bold"), f"  {person.organisation}", f"  {person.country or ''}".rstrip())
    else:
        title = Text.assemble((pid, "bold"), f"  {REMOVED}")
    table = Table(title=title, title_justify="left", box=box.SIMPLE_HEAD, expand=False, show_lines=False)
    table.add_column("When", no_wrap=True)
    table.add_column("Where", no_wrap=False, max_width=18, overflow="fold")
    table.add_column("With", ratio=3, overflow="fold")
    table.add_column("Topic", max_width=14, overflow="fold")
    stays_here = stays(instance, schedule, pid)
    entries: list[tuple[str, str, tuple[str, str, str, str]]] = []
    for a in mine:
        meeting = instance.meeting_by_id.get(a.meeting)
        people = _effective_participants(instance, schedule, a)
        others = [instance.who(p) for p in people if p != pid]
        if a.interpreter is not None and a.interpreter != pid:
            others.append(instance.who(a.interpreter))
        elif a.interpreter is None and instance.needs_interpreter(people):
            others.append(NO_COMMON_LANGUAGE)
        where = f"stay at {a.room}" if a.meeting in stays_here else f"{a.venue} · {a.room}"
        topic = (meeting.topic or "") if meeting is not None else ""
        entries.append(
            (a.date, a.start, (f"{a.date}\n{a.start}-{a.end}", f"{a.city}\n{where}", "\n".join(others), topic))
        )
    if items is None:
        shown_dates = None if only is None else {a.date for a in only}
        items = [
            i
            for i in programme_attended(instance, schedule.cancelled, pid)
            if shown_dates is None or i.date.isoformat() in shown_dates
        ]
    for item in items:
        date = item.date.isoformat()
        when = f"{date}\n{item.start}-{item.end}"
        entries.append((date, item.start, (when, f"{item.city}\n{item.venue}", item.label, "")))
    for _, _, cells in sorted(entries, key=lambda e: (e[0], e[1])):
        table.add_row(*cells)
    if interpreter is not None:
        return Group(table, Text(f"{len(mine)} meeting(s) to interpret", style="dim"))
    if person is None:
        return Group(table, Text(f"{len(mine)} meeting(s) in the schedule, kept as history", style="dim"))
    requested = len(instance.participant_meetings.get(pid, []))
    shown = "shown" if only is not None else "scheduled"
    footer = Text(f"{len(mine)} meeting(s) {shown} of {requested} requested", style="dim")
    if (cancelled := _cancelled(schedule, "participant", pid)) is not None:
        footer = Text.assemble(
            (
                f"{person.name} can no longer attend ({cancelled}): their later requests are cancelled, or go "
                "ahead without them.\n",
                "yellow",
            ),
            footer,
        )
    promised = instance.participant_by_id[pid].min_meetings if pid in instance.participant_by_id else None
    if only is None and promised is not None and len(mine) < promised:
        footer.append(f"; promised {promised} (min_meetings): short by {promised - len(mine)}", style="yellow")
    if only is not None:
        return Group(table, footer)
    return Group(table, footer, _unscheduled_requests(instance, schedule, pid))


NO_COMMON_LANGUAGE = "(no common language)"


def programme_on(instance: Instance, date: str) -> list[ProgrammeItem]:
    """The programme items of a date, in time order."""
    return sorted((i for i in instance.programme if i.date.isoformat() == date), key=lambda i: (i.start, i.id))


BAND = "━"
"""Fills the grid cells a programme item covers after the ones holding its title."""
BUFFER = "░"
"""Fills the grid cells only a programme item's buffer covers (its attendees have no meetings then either)."""
BAND_STYLE = "bold magenta"
BUFFER_STYLE = "magenta"


def _band_rows(
    items: list[ProgrammeItem], ticks: list[int], step: int, cell: int = 0
) -> dict[str, list[RenderableType]]:
    """One grid row per programme item (or its buffer) overlapping these ticks: its id where the
    room goes (as the key names it), its title read across the slots it covers in whole words
    (cells `cell` wide), a bar through any left over, its buffer shaded, other slots blank."""
    cell = cell or GRID_CELL
    found: dict[str, list[RenderableType]] = {}
    for item in items:
        start, end = to_minutes(item.start), to_minutes(item.end)
        before, after = start - item.buffer_minutes, end + item.buffer_minutes
        covered = [t for t in ticks if start < t + step and t < end]
        buffered = [t for t in ticks if before < t + step and t < after and t not in covered]
        if not covered and not buffered:
            continue
        words = _title_pieces(item.title, len(covered), item.kind, cell)
        cells: list[RenderableType] = [Text(item.id, style=BAND_STYLE)]
        for t in ticks:
            if t in buffered:
                cells.append(_filled(BUFFER, BUFFER_STYLE, cell))
            elif t not in covered:
                cells.append("")
            elif words:
                cells.append(Text(words.pop(0), style=BAND_STYLE, no_wrap=True, overflow="crop"))
            else:
                cells.append(_filled(BAND, BAND_STYLE, cell))
        found[item.id] = cells
    return found


def _filled(char: str, style: str, cell: int = 0) -> Text:
    return Text(char * (cell or GRID_CELL), style=style, no_wrap=True, overflow="crop")


def _title_pieces(title: str, slots: int, kind: str = "", width: int = 0) -> list[str]:
    """A title cut at spaces into pieces that fit a grid cell, read left to right across the
    `slots` cells it covers ('Hydrogen', 'and', 'storage'). A word is never split: where the
    slots run out, or the next word is wider than a cell, the last piece ends with '…' after a
    whole word; when not even the first word fits, the item's kind stands for it ('seminar…'), or
    in a cell too narrow for that, the kind or the first word alone ('workshop', 'Zhejiang').
    The key gives the title in full."""
    width = width or GRID_CELL
    pieces: list[str] = []
    words = title.split()
    shown = 0
    for word in words:
        if cell_len(word) > width:
            break
        if pieces and cell_len(f"{pieces[-1]} {word}") <= width:
            pieces[-1] += f" {word}"
        elif len(pieces) < slots:
            pieces.append(word)
        else:
            break
        shown += 1
    if shown == len(words):
        return pieces
    while pieces:  # cut short: end the last piece with '…' after a whole word that leaves room for it
        kept = pieces[-1].split()
        while kept and cell_len(" ".join(kept)) > width - 1:
            kept.pop()
        if kept:
            pieces[-1] = " ".join(kept) + "…"
            return pieces
        pieces.pop()
    if not slots:
        return []
    if kind and cell_len(kind) <= width - 1:
        return [kind + "…"]
    for whole in (kind, words[0] if words else ""):  # a cell too narrow for '…' after it: the word alone
        if whole and cell_len(whole) <= width:
            return [whole]
    return ["…"]


def _fit(text: str, width: int) -> str:
    """`text`, or its leading whole characters and '…' within `width` cells (for a single word
    wider than a whole cell: the key below gives it in full)."""
    if cell_len(text) <= width:
        return text
    kept = ""
    for char in text:
        if cell_len(kept + char) > width - 1:
            break
        kept += char
    return kept.rstrip() + "…"


def _programme_key(instance: Instance, items: list[ProgrammeItem], banded: set[str]) -> list[tuple[str, Text]]:
    """Key lines for a date's programme items, by id as the band rows are named: time, kind and
    title, place, how many attend, buffer."""
    lines = []
    for item in items:
        place = f"{item.city}, {item.venue}" if item.venue else item.city
        buffer = f", {item.buffer_minutes} min buffer {BUFFER}" if item.buffer_minutes else ""
        text = Text.assemble(
            f"{item.start}-{item.end} ",
            (item.label, BAND_STYLE),
            f" ({place}; {len(instance.programme_attendees[item.id])} attending{buffer})",
        )
        if item.id not in banded:
            text.append(" (outside the grids shown)", style="dim")
        lines.append((item.id, text))
    return lines


def _unscheduled_requests(instance: Instance, schedule: Schedule, pid: str) -> RenderableType:
    """A person's requests that are not in the schedule, each with its reason in words."""
    from scheduler.explain import Explainer

    placed = schedule.assignment_by_meeting
    explainer = Explainer(instance, schedule, headlines_only=True)
    requests = instance.participant_meetings.get(pid, [])
    waiting = [m for m in requests if m.id not in placed or pid not in explainer.occupancy.people.get(m.id, [pid])]
    if not waiting:
        return Text("")
    cancelled = {c.id for c in schedule.cancelled if c.kind == "meeting"}
    off = sum(1 for m in waiting if m.id in cancelled and m.id not in placed)
    of_them = f" ({off} of them cancelled)" if off else ""
    table = Table(
        title=f"Not scheduled: {len(waiting)} request(s){of_them}",
        title_justify="left",
        box=box.SIMPLE_HEAD,
        show_lines=True,
    )
    table.add_column("Request", no_wrap=True)
    table.add_column("With", ratio=1, overflow="fold")
    table.add_column("Why", ratio=2, overflow="fold")
    for meeting in sorted(waiting, key=lambda m: (-m.priority, m.id)):
        others = "\n".join(instance.who(p) for p in meeting.participants if p != pid)
        if meeting.id in placed:
            a = placed[meeting.id]
            why = f"Goes ahead without {instance.who(pid)} ({a.date} {a.start}): they can no longer attend."
        else:
            why = explainer.explain(meeting.id).in_short
        table.add_row(f"{meeting.id}\npriority {meeting.priority}", others, why)
    hint = Text("Details: schedule explain INSTANCE SCHEDULE --meeting ID", style="dim")
    return Group(table, hint)


def room_timetable(
    instance: Instance, schedule: Schedule, room_id: str, only: list[Assignment] | None = None
) -> RenderableType:
    """What happens in one room (restricted to `only` when given), in time order."""
    room = instance.room_by_id.get(room_id)
    about = f"{room.venue}, {room.capacity} seats" if room is not None else REMOVED
    table = Table(title=f"Room {room_id}  ({about})", title_justify="left", box=box.SIMPLE_HEAD)
    table.add_column("When", no_wrap=True)
    table.add_column("Meeting", no_wrap=True)
    table.add_column("Participants", ratio=3, overflow="fold")
    pool = schedule.assignments if only is None else only
    for a in _sorted([a for a in pool if a.room == room_id]):
        people = ", ".join(instance.who(p) for p in _effective_participants(instance, schedule, a))
        table.add_row(f"{a.date} {a.start}-{a.end}", a.meeting, people)
    closed = _cancelled(schedule, "room", room_id)
    if closed is not None:
        table.caption = f"Room {room_id} is closed ({closed}): no meetings after that."
        table.caption_style = "yellow"
    if not table.rows:
        said = f" It is closed ({closed})." if closed is not None else ""
        return Text(f"Room {room_id}: no meetings" + (" with these filters." if only is not None else ".") + said)
    return table


def _cancelled(schedule: Schedule, kind: str, ident: str) -> str | None:
    """'cancelled from 2025-11-14 11:00' (or 'from the start') if the schedule cancelled it, else None."""
    for c in schedule.cancelled:
        if c.kind == kind and c.id == ident:
            return f"cancelled from {c.from_.replace('T', ' ')}" if c.from_ else "cancelled from the start"
    return None


GRID_CELL = 9
"""Widest short name in a grid cell, in terminal cells (a CJK character takes two)."""


def short_name(name: str, width: int = GRID_CELL) -> str:
    """A name for a narrow grid cell, shortened at a word or character boundary, never cut mid-glyph.

    '王伟 (Wang Wei)' -> '王伟'; 'Giulia Rossi' -> 'Rossi'; 'Carla De Luca' -> 'De Luca'; a compound
    surname too wide gives its last word ('Giovanni Di Stefano' -> 'Stefano'); only a single word
    wider than the whole cell keeps its leading characters and ends with '…'.
    """
    text = name.split("(")[0].strip() or name
    if cell_len(text) > width and " " in text:
        text = surname(text)
    if cell_len(text) > width and " " in text:
        text = text.split()[-1]  # 'Di Stefano' in a narrow cell: 'Stefano', never 'Di Stefa…'
    return _fit(text, width)


SURNAME_PARTICLES = frozenset(
    "de di da del della delle dei degli dello dal dalla van von der den ten ter la le lo du dos das do".split()  # noqa: SIM905
)
"""Words that start a compound surname ('De Luca', 'van der Berg', 'Della Valle')."""


def surname(name: str) -> str:
    """The family name of 'Given Family': the last word, with any particles before it
    ('Carla De Luca' -> 'De Luca', 'Giulia Rossi' -> 'Rossi')."""
    words = name.split()
    first = len(words) - 1
    while first > 1 and words[first - 1].casefold() in SURNAME_PARTICLES:
        first -= 1
    return " ".join(words[first:])


def date_grid(
    instance: Instance, schedule: Schedule, date: str, rooms: list[str] | None = None, width: int = 80
) -> RenderableType:
    """Rooms x times for one date, one grid per venue session, with a key.

    A cell shows the meeting id and who meets (short names); programme items in the venue's
    city run as bands above the rooms; the key below gives full names, organisations and each
    programme item in full. `rooms` limits the grid to those rooms (a group of tables). A
    session with more slots than `width` columns hold at full cell width is shown in parts
    (a terminal would otherwise narrow the cells and break names across lines).
    """
    step = instance.event.slot_minutes
    parts: list[RenderableType] = []
    programme = programme_on(instance, date)
    banded: set[str] = set()
    todays = [a for a in schedule.assignments if a.date == date and (rooms is None or a.room in rooms)]
    key: list[Assignment] = []
    removed = removed_rooms(instance, ((a.venue, a.room) for a in todays))
    for venue in instance.venues:
        day = next((d for d in venue.days if d.date.isoformat() == date), None)
        venue_rooms = [r for r in venue_room_ids(instance, venue.id, removed) if rooms is None or r in rooms]
        if day is None or not venue_rooms:
            continue
        cell_text: dict[tuple[str, int], tuple[str, list[str], bool]] = {}
        """(room, tick) -> the meeting's id, its people's names, and whether it began before this tick."""
        for a in todays:
            if a.venue != venue.id:
                continue
            key.append(a)
            names = [_name(instance, p) for p in _effective_participants(instance, schedule, a)]
            begins = to_minutes(a.start)
            for t in range(begins, to_minutes(a.end), step):
                cell_text[(a.room, t)] = (a.meeting, names, t != begins)
        for window in day.sessions:
            ticks = list(range(window.start_min, window.end_min, step))
            here = [item for item in programme if item.city == venue.city]
            bands = _band_rows(here, ticks, step)
            banded.update(bands)
            widest = max(cell_len(row) for row in [*venue_rooms, *bands])
            cell, size = _grid_layout(len(ticks), widest, width)
            if cell != GRID_CELL:
                bands = _band_rows(here, ticks, step, cell)
            count = -(-len(ticks) // size)
            for first in range(0, len(ticks), size):
                shown = ticks[first : first + size]
                title = f"{venue.name or venue.id} ({venue.city}) {date} {window.start}-{window.end}"
                table = Table(box=box.MINIMAL, pad_edge=False, show_lines=True)
                if count > 1:  # a heading of its own: a narrow part's title would wrap
                    title = f"{title}, part {first // size + 1} of {count}: {to_clock(shown[0])}-"
                    parts.append(Text(title + to_clock(shown[-1] + step)))
                else:
                    table.title, table.title_justify = title, "left"
                table.add_column("Room", no_wrap=True, min_width=widest)  # ids are never cut
                for t in shown:
                    table.add_column(to_clock(t), overflow="fold", max_width=cell)
                for cells in bands.values():
                    part = [cells[0], *cells[1 + first : 1 + first + size]]
                    if any(cell != "" for cell in part[1:]):
                        table.add_row(*part)
                bands_shown = len(table.rows)
                for room in venue_rooms:
                    cells = [_grid_cell(cell_text.get((room, t)), t == shown[0], cell) for t in shown]
                    if any(cell != EMPTY for cell in cells):
                        gone = room in removed.get(venue.id, [])
                        table.add_row(Text(room) + Text("\n(removed)", style="dim") if gone else room, *cells)
                if len(table.rows) == bands_shown:
                    table.caption, table.caption_justify, table.caption_style = "no meetings", "left", "dim"
                parts.append(table if table.rows else Text(f"{title}: no meetings", style="dim"))
            empty = sum(1 for room in venue_rooms if not any((room, t) in cell_text for t in ticks))
            if empty:
                parts.append(Text(f"  {empty} room(s) unused in this session", style="dim"))
    if not parts:
        return Text(f"No venue is open on {date}" + (" in these rooms." if rooms is not None else "."))
    for room in sorted(r for names in removed.values() for r in names):
        parts.append(Text(f"  {room} (removed): {REMOVED}; its meetings are kept as history", style="dim"))
    if key or programme:
        lines = _programme_key(instance, programme, banded)
        parts.append(_grid_key(instance, schedule, key, narrowed=rooms is not None, programme=lines))
    return Group(*parts)


def _grid_layout(slots: int, room_width: int, width: int) -> tuple[int, int]:
    """The cell width and how many slots one grid shows so that it fits `width` columns: full
    cells, or one column narrower when that fits the whole session; else the session in even
    parts of full cells. (A terminal left to narrow the cells would break names across lines.)"""
    for cell in (GRID_CELL, GRID_CELL - 1):
        if room_width + 2 + slots * (cell + 3) <= width:  # each slot: the cell, its padding, a rule
            return cell, slots
    fit = max(1, (width - room_width - 2) // (GRID_CELL + 3))
    count = -(-slots // fit)
    return GRID_CELL, -(-slots // count)


def _grid_cell(held: tuple[str, list[str], bool] | None, first_shown: bool, cell: int) -> str:
    """A room's cell at one slot: free, the meeting starting (or first shown) there with its
    people's short names, or 〃 as it continues."""
    if held is None:
        return EMPTY
    meeting, names, continues = held
    if continues and not first_shown:
        return CONTINUES
    return "\n".join([meeting, *(short_name(name, cell) for name in names)])


KEY_LIMIT = 40
"""Beyond this many meetings the key would bury the grid: it points to narrower views instead."""
CONTINUES = "〃"
EMPTY = "·"


def _name(instance: Instance, pid: str) -> str:
    person = instance.participant_by_id.get(pid)
    return person.name if person else pid


def _grid_key(
    instance: Instance,
    schedule: Schedule,
    shown: list[Assignment],
    narrowed: bool,
    programme: Sequence[tuple[str, Text]] = (),
) -> RenderableType:
    """The legend under a grid: symbols, the date's programme items, then each meeting with full
    names and organisations."""
    table = Table(box=None, show_header=False, pad_edge=False, title="Key", title_justify="left")
    table.add_column(no_wrap=True, style="bold")
    table.add_column(ratio=1, overflow="fold")
    table.add_row(CONTINUES, "the meeting on the left continues")
    table.add_row(EMPTY, "free")
    if programme:
        table.add_row(
            Text(BAND * 2, style=BAND_STYLE),
            "a programme item, its row named by its id: its title runs across its slots, then this bar; "
            "its attendees have no meetings then",
        )
        table.add_row(Text(BUFFER * 2, style=BUFFER_STYLE), "a programme item's buffer: no meetings for its attendees")
    for item_id, line in programme:
        table.add_row(item_id, line)
    if len(shown) > KEY_LIMIT:
        views = "--person or --format csv" if narrowed else "--room, --person or --format csv"
        table.add_row("", f"{len(shown)} meetings: for full names use {views}")
        return table
    for a in _sorted(shown):
        people = "; ".join(instance.who(p) for p in _effective_participants(instance, schedule, a))
        if a.interpreter is not None:
            people += f"; {instance.who(a.interpreter)}"
        table.add_row(a.meeting, f"{a.start}-{a.end} {a.room}: {people}")
    return table
