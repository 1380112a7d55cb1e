"""What a command says when it is done, as rich renderables: a solve's summary, rule violations,
changes by person, import and export summaries, a schedule's history, an explanation, statistics.
Pure functions; only the CLI prints. (Timetables are `render.py`'s.)"""

from __future__ import annotations

from collections import Counter, defaultdict
from typing import TYPE_CHECKING

from rich import box
from rich.console import Group, RenderableType
from rich.padding import Padding
from rich.table import Table
from rich.text import Text

from scheduler.cancellations import lost_with_its_people
from scheduler.changes import interpreter_change, name_of
from scheduler.explain_resources import plural
from scheduler.model import Instance
from scheduler.solution import NOT_PURSUED, Assignment, Cancellation, Change, Schedule, local_moment
from scheduler.stats import Headline, headline
from scheduler.verify import Violation

if TYPE_CHECKING:  # the export, import and history layers load their libraries only when used
    from scheduler.explanation import Explanation
    from scheduler.export import ExportReport
    from scheduler.history import Version
    from scheduler.importer import ImportReport
    from scheduler.stats import Stats


def solve_summary(
    instance: Instance,
    schedule: Schedule,
    path: str,
    kept: str | None,
    figures: Headline | None = None,
    interrupted: bool = False,
) -> RenderableType:
    """The table shown when a solve ends; `figures`: its `stats.headline`, where already worked out."""
    placed = len(schedule.assignments)
    total = len(instance.meetings)
    gap = 0.0 if schedule.bound == 0 else 100.0 * (schedule.bound - schedule.objective) / schedule.bound
    table = Table(box=box.ROUNDED, show_header=False, title="Schedule", title_justify="left")
    table.add_column(style="bold")
    table.add_column()
    table.add_row("Status", schedule.status)
    if interrupted:
        table.add_row("Stopped", Text("by Ctrl-C: the best schedule found so far, checked and written", "yellow"))
    placed_text = f"{placed} of {total} ({100.0 * placed / max(1, total):.1f}%)"
    off = sum(1 for c in schedule.cancelled if c.kind == "meeting" and c.id in instance.meeting_by_id)
    if off:  # (so that placed, cancelled and waiting add up to the requests)
        waiting = sum(1 for u in schedule.unscheduled if u.meeting in instance.meeting_by_id)
        placed_text += f"; {plural(off, 'request')} cancelled, {waiting} waiting"
    table.add_row("Meetings placed", placed_text)
    table.add_row("Total priority", f"{schedule.objective}  (proven bound {schedule.bound}, gap {gap:.2f}%)")
    _add_people_figures(table, figures or headline(instance, schedule))
    if schedule.cancelled:
        table.add_row("Cancelled", _cancelled(instance, schedule))
    if schedule.frozen_until:
        table.add_row("Frozen until", f"{schedule.frozen_until} (meetings before it happened: they stay as they were)")
    if schedule.changes:
        kinds: dict[str, int] = defaultdict(int)
        for change in schedule.changes:
            kinds[change.change] += 1
        # "cancelled" here counts placed meetings, the row above requests (the organiser trial).
        said = {"cancelled": "cancelled (were placed)"}
        table.add_row("Changes", ", ".join(f"{n} {said.get(k, k)}" for k, n in sorted(kinds.items())))
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
    """'participant:p7, room:BJ-2; and 3 of their requests', or after 500 cancellations '6265
    (500 participants, ...): ...; and 5765 of their requests': a request left with fewer than two
    people is cancelled with them, counted apart from what the organiser cancelled."""
    cancelled = schedule.cancelled
    gone = {c.id for c in cancelled if c.kind == "participant"}

    def follows(c: Cancellation) -> bool:
        meeting = instance.meeting_by_id.get(c.id) if c.kind == "meeting" else None
        return meeting is not None and lost_with_its_people(meeting.participants, gone)

    given = [c for c in cancelled if not follows(c)]
    theirs = len(cancelled) - len(given)
    named = _first_named(given, [f"{c.kind}:{c.id}" for c in given], latest_first=True)
    if theirs:
        named += f"; and {theirs} of their requests, left with fewer than two people"
    return named


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
        table.add_row(instance.who(pid), Text("\n").join(lines))
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
        text.append("\n  with " + ", ".join(instance.who(other) for other in others), style="dim")
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
        text.append("\n  with " + ", ".join(instance.who(other) for other in others), style="dim")
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
    anytime = [p.id for p in instance.participants if p.available is None]
    if anytime and len(anytime) < len(instance.participants):  # (where no one gave dates, that is the plan)
        shown = ", ".join(anytime[:8]) + (f" and {len(anytime) - 8} more" if len(anytime) > 8 else "")
        table.add_row(
            "Free at any time",
            Text(
                f"{shown}: every date cell blank, so available on every date in every city; write 'no' in a "
                "cell for a day they are not there",
                style="yellow",
                overflow="fold",
            ),
        )
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


def _first_named(cancelled: list[Cancellation], named: list[str], latest_first: bool = False) -> str:
    """The cancellations as `named`, the first CANCELLED_SHOWN of them where there are more, after
    their count by kind: 500 ids made some 200 lines (the organiser trial found it in `history`).
    `latest_first`: the list runs oldest first (a chain of re-solves), so those shown are the
    latest, the ones an organiser just gave."""
    if len(named) <= CANCELLED_SHOWN:
        return ", ".join(named)
    if latest_first:
        shown = ", ".join(named[::-1][:CANCELLED_SHOWN])
        return f"{len(named)} ({_per_kind(cancelled)}), latest first: {shown}, … (the file lists them all)"
    return f"{len(named)} ({_per_kind(cancelled)}): {', '.join(named[:CANCELLED_SHOWN])}, … (the file lists them all)"


def _per_kind(cancelled: list[Cancellation]) -> str:
    counts = Counter(c.kind for c in cancelled)
    order = {"participant": 0, "meeting": 1, "room": 2}
    return ", ".join(
        f"{n} {kind}{'' if n == 1 else 's'}" for kind, n in sorted(counts.items(), key=lambda kv: order[kv[0]])
    )


def _new_cancellations(version: Version) -> str:
    """'participant cn-most-01 from 2025-11-13 12:00, room BJ-R1; 11 requests cancelled as a result'
    (only what is new; requests, placed or waiting, as the solve summary counts them)."""
    new = version.new
    named = [f"{c.kind} {c.id}" + (f" from {c.from_.replace('T', ' ')}" if c.from_ else "") for c in new.direct]
    text = _first_named(new.direct, named)
    if new.knock_on:
        count = len(new.knock_on)
        text += ("; " if text else "") + f"{count} request{'s' if count > 1 else ''} cancelled as a result"
    return text or "nothing new"


def explanation(instance: Instance, found: Explanation) -> RenderableType:
    """`schedule explain`: the meeting, the reason in one sentence, the facts, what forcing it in does."""
    meeting = instance.meeting_by_id.get(found.meeting)
    if meeting is None:  # kept in the schedule after its request was deleted
        title = Text.assemble((found.meeting, "bold"), "  request deleted")
    else:
        people = ", ".join(instance.who(p) for p in meeting.participants)
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
            none.add_row(instance.who(pid), "\n".join(f"{kind}: {', '.join(mids)}" for kind, mids in by_kind.items()))
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
            missed.add_row(instance.who(pid), str(given), str(promised), f"{requests}{flag}")
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
