"""Pure functions from instance + schedule to rich renderables; only the CLI prints."""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Sequence
from typing import TYPE_CHECKING

from rich import box
from rich.cells import cell_len
from rich.console import Group, RenderableType
from rich.padding import Padding
from rich.table import Table
from rich.text import Text

from scheduler.attendance import attendees
from scheduler.changes import interpreter_change, name_of
from scheduler.model import Instance, ProgrammeItem, to_clock, to_minutes
from scheduler.solution import NOT_PURSUED, Assignment, Cancellation, Change, Schedule, local_moment
from scheduler.stats import Headline, headline, stays
from scheduler.timetable import REMOVED, removed_rooms, venue_room_ids
from scheduler.verify import Violation

if TYPE_CHECKING:  # the export, import and history layers load their libraries only when used
    from scheduler.explain import Explanation
    from scheduler.export import ExportReport
    from scheduler.history import Version
    from scheduler.importer import ImportReport
    from scheduler.stats import Stats


def _who(instance: Instance, pid: str) -> str:
    person = instance.participant_by_id.get(pid)
    if person is None:
        interpreter = instance.interpreter_by_id.get(pid)
        return f"{interpreter.name} (interpreter)" if interpreter is not None else pid
    return f"{person.name} ({person.organisation})" if person.organisation else person.name


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
        others = [_who(instance, p) for p in people if p != pid]
        if a.interpreter is not None and a.interpreter != pid:
            others.append(_who(instance, a.interpreter))
        elif a.interpreter is None and instance.needs_interpreter(people):
            others.append(NO_COMMON_LANGUAGE)
        where = f"stay at {a.room}" if a.meeting in stays_here else f"{a.venue} · {a.room}"
        topic = (meeting.topic or "") if meeting is not None else ""
        entries.append(
            (a.date, a.start, (f"{a.date}\n{a.start}-{a.end}", f"{a.city}\n{where}", "\n".join(others), topic))
        )
    if items is None:
        shown_dates = None if only is None else {a.date for a in only}
        items = [i for i in programme_items(instance, pid) if shown_dates is None or i.date.isoformat() in shown_dates]
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
    promised = instance.participant_by_id[pid].min_meetings if pid in instance.participant_by_id else None
    if only is None and promised is not None and len(mine) < promised:
        footer.append(f"; promised {promised} (min_meetings): short by {promised - len(mine)}", style="yellow")
    if only is not None:
        return Group(table, footer)
    return Group(table, footer, _unscheduled_requests(instance, schedule, pid))


NO_COMMON_LANGUAGE = "(no common language)"


def programme_items(instance: Instance, pid: str) -> list[ProgrammeItem]:
    """The programme items a participant attends, in time order."""
    return sorted(
        (item for item in instance.programme if pid in instance.programme_attendees[item.id]),
        key=lambda item: (item.date, item.start),
    )


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
    whole word; when not even the first word fits, the item's kind stands for it ('seminar…').
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
    return [kind + "…" if kind and cell_len(kind) <= width - 1 else "…"] if slots else []


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
    waiting = [m for m in requests if m.id not in placed or pid not in explainer.people.get(m.id, [pid])]
    if not waiting:
        return Text("")
    table = Table(
        title=f"Not scheduled: {len(waiting)} request(s)", title_justify="left", box=box.SIMPLE_HEAD, show_lines=True
    )
    table.add_column("Request", no_wrap=True)
    table.add_column("With", ratio=1, overflow="fold")
    table.add_column("Why", ratio=2, overflow="fold")
    for meeting in sorted(waiting, key=lambda m: (-m.priority, m.id)):
        others = "\n".join(_who(instance, p) for p in meeting.participants if p != pid)
        if meeting.id in placed:
            a = placed[meeting.id]
            why = f"Goes ahead without {_who(instance, pid)} ({a.date} {a.start}): they can no longer attend."
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
        people = ", ".join(_who(instance, p) for p in _effective_participants(instance, schedule, a))
        table.add_row(f"{a.date} {a.start}-{a.end}", a.meeting, people)
    if not table.rows:
        return Text(f"Room {room_id}: no meetings" + (" with these filters." if only is not None else "."))
    return table


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
        people = "; ".join(_who(instance, p) for p in _effective_participants(instance, schedule, a))
        if a.interpreter is not None:
            people += f"; {_who(instance, a.interpreter)}"
        table.add_row(a.meeting, f"{a.start}-{a.end} {a.room}: {people}")
    return table


def solve_summary(
    instance: Instance, schedule: Schedule, path: str, kept: str | None, figures: Headline | None = None
) -> RenderableType:
    """The table shown when a solve ends; `figures`: its `stats.headline`, where already worked out."""
    placed = len(schedule.assignments)
    total = len(instance.meetings)
    gap = 0.0 if schedule.bound == 0 else 100.0 * (schedule.bound - schedule.objective) / schedule.bound
    table = Table(box=box.ROUNDED, show_header=False, title="Schedule", title_justify="left")
    table.add_column(style="bold")
    table.add_column()
    table.add_row("Status", schedule.status)
    table.add_row("Meetings placed", f"{placed} of {total} ({100.0 * placed / max(1, total):.1f}%)")
    table.add_row("Total priority", f"{schedule.objective}  (proven bound {schedule.bound}, gap {gap:.2f}%)")
    _add_people_figures(table, figures or headline(instance, schedule))
    if schedule.cancelled:
        table.add_row("Cancelled", _cancelled(instance, schedule))
    if schedule.changes:
        kinds: dict[str, int] = defaultdict(int)
        for change in schedule.changes:
            kinds[change.change] += 1
        table.add_row("Changes", ", ".join(f"{n} {k}" for k, n in sorted(kinds.items())))
    if schedule.min_meetings_missed:
        missed = ", ".join(f"{m.participant} {m.meetings} of {m.min_meetings}" for m in schedule.min_meetings_missed)
        table.add_row("min_meetings missed", missed)
    interpreted = sum(1 for a in schedule.assignments if a.interpreter is not None)
    if interpreted:
        used = {a.interpreter for a in schedule.assignments if a.interpreter is not None}
        # History may name an interpreter an edit has since removed: counted apart, by name.
        gone = sorted(used - set(instance.interpreter_by_id))
        text = f"{interpreted} meeting(s) by {len(used) - len(gone)} of the {len(instance.interpreters)} interpreter(s)"
        if gone:
            text += f" (and {', '.join(gone)} in history)"
        table.add_row("Interpreted", text)
    alone = [
        a.meeting
        for a in schedule.assignments
        if a.interpreter is None and instance.needs_interpreter(a.participants or [])
    ]
    if alone:
        table.add_row("No common language", f"{len(alone)} meeting(s) without an interpreter listed")
    if schedule.goals:
        table.add_row("After priority", _goals(schedule.goals))
    if schedule.solve_seconds is not None:
        first = schedule.first_schedule_seconds
        early = first is not None and first < schedule.solve_seconds
        after = f" (a first schedule after {first:.1f} s)" if early else ""
        table.add_row("Solve time", f"{schedule.solve_seconds:.1f} s{after}")
    table.add_row("Written to", path)
    if kept:
        table.add_row("Earlier version", f"kept as {kept}")
    reasons: dict[str, int] = defaultdict(int)
    for item in schedule.unscheduled:
        reasons[item.reason] += 1
    if not reasons:
        return table
    why = Table(box=box.SIMPLE_HEAD, title="Unscheduled requests", title_justify="left")
    why.add_column("Reason")
    why.add_column("Requests", justify="right")
    ranked = sorted(reasons.items(), key=lambda kv: (-kv[1], kv[0]))
    shown = ranked if len(ranked) <= REASONS_SHOWN + 1 else ranked[:REASONS_SHOWN]
    for reason, count in shown:
        why.add_row(reason, str(count))
    if len(shown) < len(ranked):
        rest = ranked[len(shown) :]
        why.add_row(
            f"… and {len(rest)} more reasons: see `schedule stats`", str(sum(count for _, count in rest)), style="dim"
        )
    short = sum(1 for item in schedule.unscheduled if item.detail is None and item.meeting in instance.meeting_by_id)
    if not short:
        return Group(table, why)
    note = Text(
        f"{short} of {len(schedule.unscheduled)} reasons are the solver's short form: the time limit ran out "
        "(or Ctrl-C came) before they were worked out. Its kinds are coarser: 'its times are taken' also "
        "counts what `explain` and `stats` call 'one city per date' or 'lost to higher-priority meetings'. "
        "`schedule explain -m ID` gives any of them in full.",
        style="dim",
    )
    return Group(table, why, note)


CANCELLED_SHOWN = 20
"""Cancellations the summary names; past that, a count per kind (the file lists them all)."""


def _cancelled(instance: Instance, schedule: Schedule) -> str:
    """'participant:p7, room:BJ-2', or after 500 cancellations '6265 (500 participants, 5765 of
    their requests, ...)': a request left with fewer than two people is cancelled with them."""
    cancelled = schedule.cancelled
    named = ", ".join(f"{c.kind}:{c.id}" for c in cancelled[:CANCELLED_SHOWN])
    if len(cancelled) <= CANCELLED_SHOWN:
        return named
    gone = {c.id for c in cancelled if c.kind == "participant"}

    def counted_as(c: Cancellation) -> str:
        meeting = instance.meeting_by_id.get(c.id) if c.kind == "meeting" else None
        return "their" if meeting is not None and gone.intersection(meeting.participants) else c.kind

    counts = Counter(counted_as(c) for c in cancelled)
    order = {"participant": 0, "their": 1, "meeting": 2, "room": 3}
    per_kind = ", ".join(
        f"{n} of their requests" if kind == "their" else f"{n} {kind}{'' if n == 1 else 's'}"
        for kind, n in sorted(counts.items(), key=lambda item: order.get(item[0], 4))
    )
    return f"{len(cancelled)} ({per_kind}): {named}, … (the file lists them all)"


def _breaks(required: int) -> str:
    """', 12 of them breaks max_consecutive requires' where there are such."""
    return f"; {required} of them the breaks max_consecutive requires" if required else ""


def _goals(goals: dict[str, str]) -> Text:
    """Each goal after priority with how far it got; a hint where one is not proven."""
    text = Text()
    for name, how in goals.items():
        text.append(f"{name}: ")
        text.append(how, style="green" if how == "proven" else "yellow")
        text.append("\n")
    if any(how not in ("proven", NOT_PURSUED) for how in goals.values()):
        text.append("(a longer --time-limit or more --workers may do better)", style="dim")
    text.rstrip()
    return text


REASONS_SHOWN = 10
"""The solve summary lists this many reasons, then says how many more (and their requests) there are."""


def _add_people_figures(table: Table, figures: Headline) -> None:
    """The headline figures of `schedule stats`: meetings per person, people left out, idle gaps."""
    if not figures.people:
        return
    spread = f"min {figures.fewest}, median {figures.median:g}, max {figures.most}"
    table.add_row("Meetings per person", f"{spread} ({figures.people} people with requests)")
    table.add_row("People without a meeting", f"{figures.without} of {figures.people}")
    holes = f"{figures.holes} holes between meetings inside sessions ({_duration(figures.idle_minutes)} in all)"
    table.add_row("Idle gaps", holes + _breaks(figures.required_breaks))


def _duration(minutes: int) -> str:
    hours, rest = divmod(minutes, 60)
    return f"{hours} h {rest:02d} min" if hours and rest else f"{hours} h" if hours else f"{rest} min"


def model_refused() -> Text:
    """After a solve whose full model CP-SAT proved infeasible while a checked schedule was in hand."""
    return Text(
        "Warning: CP-SAT proved the full model infeasible, yet the schedule written keeps every rule "
        "(the independent check accepted it). The model and the rules disagree, which is our bug: "
        "the schedule is sound, but the search could not improve it. Please report this with the "
        "instance file.",
        style="yellow",
    )


def rule_name(label: str) -> str:
    """'3' -> 'rule 3' as docs/FORMAT.md names the numbered rules; 'ids', 'cancel'... as they are."""
    return f"rule {label}" if label.isdigit() else label


def violations(found: list[Violation], limit: int = 200, title: str = "rule violation(s)") -> RenderableType:
    table = Table(box=box.SIMPLE_HEAD, title=f"{len(found)} {title}", title_justify="left")
    table.add_column("Rule", no_wrap=True)
    table.add_column("Problem")
    for v in found[:limit]:
        table.add_row(rule_name(v.rule), v.message)
    if len(found) > limit:
        table.add_row("…", f"and {len(found) - limit} more")
    return table


def _place(a: Assignment | None) -> str:
    return "—" if a is None else f"{a.date} {a.start} {a.city} {a.room}"


def changes_by_person(instance: Instance, changes: list[Change], most: int | None = None) -> RenderableType:
    """Who must be told what, with whom and why: the change list grouped by person.

    Each change reads as a few short lines (what, with whom, why), so an organiser can pass
    it on as it stands, and it stays readable in 80 columns. `most` people at most, then a
    count: after 500 cancellations the whole list is thousands of lines (`schedule diff` has it).
    """
    if not changes:
        return Text("No changes: nobody needs to be told anything.")
    per_person: dict[str, list[Change]] = defaultdict(list)
    for change in changes:
        for pid in change.notify:
            per_person[pid].append(change)
    who = "1 person" if len(per_person) == 1 else f"{len(per_person)} people"
    table = Table(box=box.SIMPLE_HEAD, title=f"{who} to notify", title_justify="left", show_lines=True)
    table.add_column("Person", ratio=1, overflow="fold")
    table.add_column("What changed, with whom, why", ratio=3, overflow="fold")
    shown = sorted(per_person)[:most]
    for pid in shown:
        lines = [_change_text(instance, change, pid) for change in per_person[pid]]
        table.add_row(_who(instance, pid), Text("\n").join(lines))
    if len(shown) == len(per_person):
        return table
    rest = len(per_person) - len(shown)
    return Group(table, Text(f"... and {rest:,} more people to notify (the first {len(shown)} are above)."))


CHANGE_WORDS = {
    "left": "someone left",
    "resized": "new length",
    "added": "added",
    "dropped": "dropped",
    "interpreter": "new interpreter",
}
"""The file's change kinds as a person reads them ("left" alone reads as if the reader left)."""


def _change_text(instance: Instance, change: Change, pid: str) -> Text:
    if _taken_off(change, pid):
        return _taken_off_text(instance, change, pid)
    if change.before is not None and change.after is not None and change.change != "moved":
        where = _place(change.after)
    else:
        where = f"{_place(change.before)} → {_place(change.after)}"
    label = CHANGE_WORDS.get(change.change, change.change)
    text = Text.assemble((f"{label} ", "bold"), f"{change.meeting}: {where}")
    others = _counterparts(instance, change, pid)
    if others:
        text.append("\n  with " + ", ".join(_who(instance, other) for other in others), style="dim")
    if change.cause:
        text.append(f"\n  why: {change.cause}", style="italic")
    return text


def _taken_off(change: Change, pid: str) -> bool:
    """Whether `pid` interpreted the meeting before and another (or nobody) does now: for them it
    is not a new interpreter but one meeting fewer."""
    before, after = change.before, change.after
    return before is not None and after is not None and before.interpreter == pid != after.interpreter


def _taken_off_text(instance: Instance, change: Change, pid: str) -> Text:
    """'no longer interpreting r0263 (Marta Rossi instead): 2025-11-14 09:30 Beijing BJ-R2', with
    whom, and why where the cause says more than who interprets now."""
    assert change.before is not None and change.after is not None
    successor = change.after.interpreter
    instead = f"{name_of(instance, successor)} instead" if successor else "no interpreter needed now"
    text = Text.assemble(("no longer interpreting ", "bold"), f"{change.meeting} ({instead}): {_place(change.before)}")
    others = _counterparts(instance, change, pid)
    if others:
        text.append("\n  with " + ", ".join(_who(instance, other) for other in others), style="dim")
    if change.cause and change.cause != interpreter_change(instance, pid, successor):
        text.append(f"\n  why: {change.cause}", style="italic")
    return text


def _counterparts(instance: Instance, change: Change, pid: str) -> list[str]:
    """The others in the meeting as it now stands (or stood, if it is gone)."""
    assignment = change.after or change.before
    if assignment is None:
        return []
    if assignment.participants is not None:
        people = assignment.participants
    else:
        meeting = instance.meeting_by_id.get(change.meeting)
        people = meeting.participants if meeting is not None else []
    return [p for p in people if p != pid]


def import_summary(report: ImportReport, path: str, kept: str | None) -> RenderableType:
    """What an import read and wrote."""
    instance = report.instance
    table = Table(box=box.ROUNDED, show_header=False, title="Imported", title_justify="left")
    table.add_column(style="bold")
    table.add_column(overflow="fold")
    table.add_row("Participants", str(len(instance.participants)))
    merged = f" ({report.mutual_merged} mutual pair(s) merged)" if report.mutual_merged else ""
    table.add_row("Requests", f"{report.requests_read} rows -> {len(instance.meetings)} meetings{merged}")
    table.add_row("Venues", ", ".join(f"{v.id} ({v.city})" for v in instance.venues))
    if report.ignored_columns:
        table.add_row("Columns not used", ", ".join(report.ignored_columns))
    if report.duplicates:
        table.add_row("Given twice (merged)", Text("\n".join(report.duplicates), overflow="fold"))
    table.add_row("Written to", path)
    if kept:
        table.add_row("Earlier version", f"kept as {kept}")
    return table


def export_summary(report: ExportReport) -> RenderableType:
    """What an export wrote, and what calendars will be told."""
    table = Table(box=box.ROUNDED, show_header=False, title=f"Exported to {report.directory}", title_justify="left")
    table.add_column(style="bold")
    table.add_column()
    groups: dict[str, int] = defaultdict(int)
    for rel in report.written:
        groups[rel.split("/")[0] if "/" in rel else rel] += 1
    table.add_row("Written", ", ".join(f"{n} {name}" if n > 1 else name for name, n in groups.items()) or "nothing")
    if report.unchanged:
        table.add_row("Unchanged (kept)", f"{len(report.unchanged)} file(s)")
    if report.updated_events:
        table.add_row("Calendar updates", ", ".join(report.updated_events))
    if report.cancelled_events:
        table.add_row("Calendar cancellations", ", ".join(report.cancelled_events))
    return table


def history(versions: list[Version], instance_path: str) -> RenderableType:
    """The schedule files of an instance, oldest first: when, how, what each one newly cancelled, totals.

    One short block per version, words wrapped at spaces so ids stay whole at 80 columns;
    each block shows only the cancellations new in that version, knock-on meetings counted.
    """
    if not versions:
        return Text(f"No schedule files for {instance_path} yet: run `schedule solve {instance_path}`.")
    parts: list[RenderableType] = [Text(f"Schedules of {instance_path}, oldest first", style="bold")]
    for version in versions:
        name = Text(version.path.name, style="bold") + Text("  (current)" if version.number is None else "")
        schedule = version.schedule
        if schedule is None:
            parts.append(Group(name, Padding(Text(version.problem, style="red"), (0, 0, 0, 4))))
            continue
        lines = [Text.assemble(("made ", "dim"), local_moment(schedule.created, version.timezone))]
        lines.append(Text.assemble(("by ", "dim"), schedule.command or "—"))
        if not version.matches_instance:
            lines.append(Text("for an earlier edit of the instance", style="dim"))
        if schedule.frozen_until:
            lines.append(Text.assemble(("frozen until ", "dim"), schedule.frozen_until.replace("T", " ")))
        lines.append(Text.assemble(("cancelled: ", "dim"), _new_cancellations(version)))
        totals = f"{len(schedule.assignments)} placed, priority {schedule.objective}"
        if schedule.changes:
            totals += f", {len(schedule.changes)} change(s)"
        lines.append(Text(totals))
        parts.append(Group(name, Padding(Group(*lines), (0, 0, 0, 4))))
    return Group(*parts)


def _new_cancellations(version: Version) -> str:
    """'participant cn-most-01 from 2025-11-13 12:00, room BJ-R1; 11 meetings as a result' (only what is new)."""
    new = version.new
    named = [f"{c.kind} {c.id}" + (f" from {c.from_.replace('T', ' ')}" if c.from_ else "") for c in new.direct]
    text = ", ".join(named)
    if new.knock_on:
        count = len(new.knock_on)
        text += ("; " if text else "") + f"{count} meeting{'s' if count > 1 else ''} as a result"
    return text or "nothing new"


def explanation(instance: Instance, found: Explanation) -> RenderableType:
    """`schedule explain`: the meeting, the reason in one sentence, the facts, what forcing it in does."""
    meeting = instance.meeting_by_id.get(found.meeting)
    if meeting is None:  # kept in the schedule after its request was deleted
        title = Text.assemble((found.meeting, "bold"), "  request deleted")
    else:
        people = ", ".join(_who(instance, p) for p in meeting.participants)
        title = Text.assemble((found.meeting, "bold"), f"  priority {meeting.priority}  ", (people, "dim"))
    parts: list[RenderableType] = [title, Text(found.headline, style="bold")]
    parts += [Text(f"  • {line}") for line in [*found.details, *found.promised]]
    if found.sentences:
        parts.append(Text("If it had to be scheduled:", style="bold"))
        parts += [Text(f"  • {line}") for line in found.sentences]
    return Group(*parts)


def _language_lines(figures: Stats) -> list[Text]:
    """Interpreters' load, meetings with no common language, programme items out of reach."""
    lines = []
    if figures.interpreted:
        load = ", ".join(f"{iid} {n}" for iid, n in figures.interpreted.items())
        lines.append(Text(f"Interpreted meetings: {sum(figures.interpreted.values())} ({load})."))
    if figures.no_common_language:
        shown = ", ".join(figures.no_common_language[:20]) + (" ..." if len(figures.no_common_language) > 20 else "")
        message = f"No common language and no interpreter: {len(figures.no_common_language)} meeting(s): {shown}"
        lines.append(Text(message, style="yellow"))
    lines.extend(Text(line, style="yellow") for line in figures.programme_elsewhere[:20])
    return lines


REQUESTS_NAMED = 30
"""`stats` names this many requests per reason, then counts the rest (60,000 requests printed
about 9,000 lines of ids; the schedule file and `schedule export` list them all)."""


def stats_view(instance: Instance, figures: Stats) -> RenderableType:
    """`schedule stats`: meetings per person, who has none and why, idle gaps, tables, rooms, reasons."""
    parts: list[RenderableType] = []
    people = Table(box=box.SIMPLE_HEAD, title="Meetings per person", title_justify="left")
    people.add_column("Meetings", justify="right")
    people.add_column("People", justify="right")
    for count, n in figures.distribution.items():
        people.add_row(str(count), str(n))
    parts.append(people)
    parts.append(
        Text(
            f"{len(figures.meetings_of)} people with requests: min {figures.minimum}, median {figures.median:g}, "
            f"max {max(figures.meetings_of.values(), default=0)}; {len(figures.without)} without a meeting."
        )
    )
    if figures.without:
        none = Table(box=box.SIMPLE_HEAD, title="People with requests but no meeting", title_justify="left")
        none.add_column("Person", ratio=1)
        none.add_column("Requests, by reason", ratio=2)
        for pid, by_kind in figures.without.items():
            none.add_row(_who(instance, pid), "\n".join(f"{kind}: {', '.join(mids)}" for kind, mids in by_kind.items()))
        parts.append(none)
    if figures.promises_missed:
        missed = Table(box=box.SIMPLE_HEAD, title="min_meetings promises missed", title_justify="left")
        missed.add_column("Person", ratio=1)
        missed.add_column("Meetings", justify="right")
        missed.add_column("Promised", justify="right")
        missed.add_column("Requests", justify="right")
        for pid, (given, promised) in figures.promises_missed.items():
            requests = figures.requests_of.get(pid, 0)
            flag = " (fewer than promised)" if requests < promised else ""
            missed.add_row(_who(instance, pid), str(given), str(promised), f"{requests}{flag}")
        parts.append(missed)
    step = instance.event.slot_minutes
    hole_people = len({h.person for h in figures.holes})
    required = sum(1 for h in figures.holes if h.required_break)
    parts.append(
        Text(
            f"Idle gaps: {len(figures.holes)} holes between meetings inside sessions{_breaks(required)}, "
            f"{figures.idle_slots} idle slot(s) ({_duration(figures.idle_slots * step)}), "
            f"for {hole_people} people. Table changes between back-to-back meetings: {len(figures.table_changes)}."
        )
    )
    parts.extend(_language_lines(figures))
    rooms = Table(box=box.SIMPLE_HEAD, title="Room use", title_justify="left")
    for name in ("City", "Date"):
        rooms.add_column(name, no_wrap=True)
    for name in ("Room-slots used", "Open", "Used"):
        rooms.add_column(name, justify="right")
    for use in figures.room_use:
        rooms.add_row(use.city, use.date, str(use.used), str(use.available), f"{use.percent:.0f}%")
    parts.append(rooms)
    if figures.unscheduled:
        reasons = Table(box=box.SIMPLE_HEAD, title="Unscheduled requests by reason", title_justify="left")
        reasons.add_column("Reason", no_wrap=True)
        reasons.add_column("Requests", justify="right")
        reasons.add_column("Which", ratio=1)
        for kind, mids in sorted(figures.unscheduled.items(), key=lambda kv: -len(kv[1])):
            more = f", … and {len(mids) - REQUESTS_NAMED} more" if len(mids) > REQUESTS_NAMED else ""
            reasons.add_row(kind, str(len(mids)), ", ".join(mids[:REQUESTS_NAMED]) + more)
        parts.append(reasons)
        parts.append(Text("Why one request: schedule explain INSTANCE SCHEDULE --meeting ID", style="dim"))
    return Group(*parts)
