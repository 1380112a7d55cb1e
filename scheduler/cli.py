"""The `schedule` command line: thin wrappers that load, call one layer, and print."""

from __future__ import annotations

import sys

try:  # (a Ctrl-C while the command starts, reading its modules: nothing is done yet)
    import contextlib
    import os
    import shlex
    from pathlib import Path
    from typing import Annotated

    import typer
    from rich.text import Text

    from scheduler import console, render, reports
    from scheduler.cli_support import (
        CheckAhead,
        ForcingTimeLimitOpt,
        InstanceArg,
        OutOpt,
        PriorityOnlyOpt,
        ScheduleArg,
        SeedOpt,
        TimeLimitOpt,
        WorkersOpt,
        again_after_ctrl_c,
        command_line,
        default_workers,
        known,
        load_pair,
        note_if_replacing_a_re_solve,
        note_overrun,
        prepare_output,
        recorded_earlier,
        recorded_instance,
        recorded_previous,
        rejection_of,
        show_warnings,
        solved_trusting,
        warn_if_rejected,
        write_checked,
        write_file,
    )
    from scheduler.console import (
        Command,
        Group,
        err,
        exit_now_if_left,
        fail,
        input_errors,
        leave_to_the_process,
        out,
        run_with_progress,
    )
    from scheduler.errors import InputError, Problem
    from scheduler.store import (
        check_output_target,
        default_schedule_path,
        load_instance,
        load_schedule,
        next_version_path,
    )
    from scheduler.termination import sigterm_raises
except KeyboardInterrupt:
    sys.stderr.write("Interrupted (Ctrl-C) while starting: nothing was done.\n")
    raise SystemExit(130) from None

CHANGES_SHOWN = 50
"""People whose changes resolve prints; past that, `schedule diff` gives the whole list."""

app = typer.Typer(
    name="schedule",
    cls=Group,
    help="""Plan one-to-one and group meetings at brokerage events with OR-Tools CP-SAT.

    Before the event: import (spreadsheets to an instance), solve, check, then export
    (calendars, Excel, printable agendas). During it: resolve after cancellations, diff
    and history to see what changed; explain and stats say why a request is (not)
    scheduled and how people's days look. The files are described in docs/FORMAT.md.
    Run `schedule COMMAND --help` for each command's options.""",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode="rich",
)


@app.command(cls=Command)
def solve(
    ctx: typer.Context,
    instance_path: InstanceArg,
    out_path: OutOpt = None,
    time_limit: TimeLimitOpt = 60.0,
    workers: WorkersOpt = default_workers(),
    seed: SeedOpt = 0,
    log: Annotated[bool, typer.Option("--log", help="Print CP-SAT's own search log.")] = False,
    priority_only: PriorityOnlyOpt = False,
) -> None:
    """Build a schedule: maximise the total priority of scheduled meetings; then, never at
    its cost, keep min_meetings promises, share meetings fairly, close idle gaps between
    meetings and keep people at one table.

    Shows live progress (elapsed, best total priority, proven bound, gap, meetings
    placed). Ctrl-C stops the search and keeps the best schedule found so far.
    """
    from scheduler.budget import Budget
    from scheduler.reasons import with_reasons
    from scheduler.solver.convert import outcome_to_schedule
    from scheduler.solver.pipeline import solve as run_solve
    from scheduler.solver.request import NoSchedule, SolveParams, SolveRequest

    budget = Budget(time_limit)
    target = out_path or default_schedule_path(instance_path)
    with input_errors():
        instance, sha = load_instance(instance_path)
        prepare_output(target, [instance_path], instance, instance_path)
    note_if_replacing_a_re_solve(target)
    requests = len(instance.meetings)
    request = SolveRequest(instance)
    params = SolveParams(budget.for_solve(requests), workers, seed, log, quality=not priority_only)
    try:
        outcome = run_with_progress(requests, lambda cb: run_solve(request, params, cb), time_limit)
    except NoSchedule as error:
        fail(str(error), 130 if error.interrupted else 1)
    ctx.with_resource(sigterm_raises())  # from here on, a SIGTERM is cleaned up and said
    converted = again_after_ctrl_c(lambda: outcome_to_schedule(outcome, request, str(instance_path), sha), outcome)
    schedule = converted.model_copy(update={"command": command_line(ctx)})
    deadline = budget.reasons_deadline(requests, outcome.interrupted)
    ctrl_c: list[bool] = []
    with CheckAhead(instance, schedule) as ahead:
        schedule = with_reasons(instance, schedule, deadline, ctrl_c=ctrl_c)
        kept = write_checked(instance, schedule, target, ahead=ahead)
        headline = ahead.headline()
    kept_as = str(kept) if kept else None
    stopped = outcome.interrupted or bool(ctrl_c)  # (a Ctrl-C after the search cut the reasons short)
    out.print(reports.solve_summary(instance, schedule, str(target), kept_as, headline, stopped))
    if outcome.model_refused:
        err.print(reports.model_refused(), soft_wrap=True)
    note_overrun(budget)
    leave_to_the_process(instance, request, outcome, schedule)


@app.command(cls=Command)
def resolve(
    ctx: typer.Context,
    instance_path: InstanceArg,
    previous_path: Annotated[
        Path,
        typer.Option(
            "--previous", "-p", help="The schedule to start from (JSON).", metavar="SCHEDULE", show_default=False
        ),
    ],
    cancel: Annotated[
        list[str] | None,
        typer.Option(
            "--cancel",
            "-c",
            help="What is cancelled: participant:ID, meeting:ID or room:ID. Repeat for several.",
            metavar="KIND:ID",
            show_default=False,
        ),
    ] = None,
    frozen_until: Annotated[
        str | None,
        typer.Option(
            "--frozen-until",
            help="Local date-time, e.g. 2025-11-14T12:00: meetings before it have happened and never change.",
            metavar="DATE-TIME",
        ),
    ] = None,
    max_moves: Annotated[
        int,
        typer.Option(
            "--max-moves",
            min=0,
            max=100_000,
            help="Unaffected meetings that may move, or give way, to fit more priority.",
            metavar="N",
        ),
    ] = 0,
    out_path: OutOpt = None,
    time_limit: TimeLimitOpt = 60.0,
    workers: WorkersOpt = default_workers(),
    seed: SeedOpt = 0,
    priority_only: PriorityOnlyOpt = False,
) -> None:
    """Re-solve after cancellations or instance edits, changing as little as possible.

    Meetings whose place still stands stay where they are (none moves unless --max-moves
    allows it); freed places go to the waiting list by priority; the new schedule lists
    what was cancelled and every change with the people to notify (the terminal shows the
    first 50 people; `schedule diff` lists them all). The previous file is never
    overwritten: it is kept as a numbered version.
    """
    from scheduler.background import Background
    from scheduler.budget import Budget
    from scheduler.cancellations import parse_cancel, parse_moment
    from scheduler.changes import moved_without_cause, same_event
    from scheduler.resolve import ResolvePlan, explained, plan, resolved_placements
    from scheduler.solver.pipeline import solve as run_solve
    from scheduler.solver.request import NoSchedule, SolveOutcome, SolveParams
    from scheduler.store import sha256_of

    budget = Budget(time_limit)
    with input_errors():
        instance, sha = load_instance(instance_path)
        previous = load_schedule(previous_path)
        if previous.instance_sha256 != sha and not same_event(instance, previous):
            raise InputError(
                [Problem((), f"was made for another event, not {instance.event.name!r}; pass its own instance")],
                str(previous_path),
            )
        cancels = [parse_cancel(text) for text in cancel or []]
        frozen = parse_moment(frozen_until, instance.event.timezone) if frozen_until is not None else None
    # On the instance it was made for, every rule the previous file breaks is an edit by hand or a
    # damaged file. It is checked on another core while the plan and the solve run (3 s at 60,000
    # requests), and the plan trusts what it vouches for; should it not, the plan is made again.
    vouched = previous.instance_sha256 == sha
    earlier = recorded_earlier(previous, previous_path) if vouched else None
    checking = Background(lambda: rejection_of(instance, previous, previous_path, earlier)) if vouched else None
    ctx.with_resource(checking or contextlib.nullcontext())  # (stopped, if its answer is never wanted)
    with input_errors():
        resolve_plan = plan(instance, previous, cancels, frozen, max_moves, vouched=vouched)
        target = out_path or default_schedule_path(instance_path)
        prepare_output(target, [instance_path], instance, instance_path)
    if not vouched:
        err.print(f"The instance changed since {previous_path} was made: keeping what still stands.")
    for note in resolve_plan.notes:
        err.print(Text(f"Note: {note}", style="yellow"), soft_wrap=True)
    requests = len(instance.meetings)

    def solved(resolve_plan: ResolvePlan) -> SolveOutcome:
        params = SolveParams(budget.for_solve(requests), workers, seed, quality=not priority_only)
        return run_with_progress(requests, lambda cb: run_solve(resolve_plan.request, params, cb), time_limit)

    def untrusting() -> ResolvePlan:
        return plan(instance, previous, cancels, frozen, max_moves)

    try:
        resolve_plan, outcome, rejected = solved_trusting(resolve_plan, solved, checking, untrusting)
    except NoSchedule as error:
        fail(str(error), 130 if error.interrupted else 1)
    ctx.with_resource(sigterm_raises())  # from here on, a SIGTERM is cleaned up and said
    placed, causes = again_after_ctrl_c(
        lambda: resolved_placements(instance, previous, resolve_plan, outcome, str(instance_path), sha), outcome
    )
    deadline = budget.reasons_deadline(requests, outcome.interrupted)
    ctrl_c: list[bool] = []
    same_file = target.exists() and target.resolve() == previous_path.resolve()
    # Writing over the previous file keeps it as the next numbered version: record that name
    # (beside the file a link points to: the write goes there).
    written_at = target.resolve() if target.is_symlink() else target
    recorded = next_version_path(written_at) if same_file else previous_path
    with CheckAhead(instance, placed, previous) as ahead:
        schedule = explained(instance, previous, placed, causes, deadline, ctrl_c)
        schedule = schedule.model_copy(
            update={
                "previous_sha256": sha256_of(previous_path.read_bytes()),
                # Relative to the new file's folder: found from wherever it is checked later.
                "previous": os.path.relpath(recorded.resolve(), target.resolve().parent),
                "command": command_line(ctx),
            }
        )
        blame = str(previous_path) if rejected is not None else None
        kept = write_checked(instance, schedule, target, previous, ahead, blame)
        headline = ahead.headline()
    kept_as = str(kept) if kept else None
    stopped = outcome.interrupted or bool(ctrl_c)  # (a Ctrl-C after the search cut the reasons short)
    out.print(reports.solve_summary(instance, schedule, str(target), kept_as, headline, stopped))
    if outcome.model_refused:
        err.print(reports.model_refused(), soft_wrap=True)
    if outcome.moves_not_tried:
        err.print(Text(f"Note: {outcome.moves_not_tried}", style="yellow"), soft_wrap=True)
    out.print(reports.changes_by_person(instance, schedule.changes, most=CHANGES_SHOWN))
    if len({pid for change in schedule.changes for pid in change.notify}) > CHANGES_SHOWN:
        # One line, never wrapped: pasted back, a line broken inside a quoted path would fail.
        line = f"Everyone's changes: schedule diff {shlex.quote(str(recorded))} {shlex.quote(str(target))}"
        out.print(line, soft_wrap=True)
    unforced = moved_without_cause(schedule.changes, resolve_plan.affected)
    if max_moves == 0 and unforced:
        out.print(Text(f"Unaffected meetings changed: {', '.join(unforced)}", style="red"))
    else:
        dropped = " (a meeting dropped counts as moved)" if max_moves and unforced else ""
        out.print(f"Unaffected meetings moved: {len(unforced)} (allowed: {max_moves}){dropped}.")
    note_overrun(budget)
    leave_to_the_process(instance, previous, resolve_plan, outcome, placed, schedule)


@app.command(cls=Command, name="diff")
def diff_command(
    old_path: Annotated[Path, typer.Argument(help="The earlier schedule.", metavar="OLD", show_default=False)],
    new_path: Annotated[Path, typer.Argument(help="The later schedule.", metavar="NEW", show_default=False)],
    instance_path: Annotated[
        Path | None,
        typer.Option("--instance", "-i", help="Instance for names (default: the one NEW records).", metavar="INSTANCE"),
    ] = None,
) -> None:
    """Show what changed between two schedules, grouped by the person to notify."""
    from scheduler.changes import diff, same_event

    with input_errors():
        old, new = load_schedule(old_path), load_schedule(new_path)
        instance, _ = load_pair(instance_path or recorded_instance(new.instance, new_path), new_path)
        if not same_event(instance, old):
            raise InputError(
                [Problem((), f"is a schedule of another event, not {instance.event.name!r}: nothing to compare")],
                str(old_path),
            )
    from scheduler.store import sha256_of

    if old.previous_sha256 is not None and old.previous_sha256 == sha256_of(new_path.read_bytes()):
        err.print(
            Text(
                f"Note: {old_path} was re-solved from {new_path}: the two look reversed (OLD first, then NEW); "
                "what follows reads from the first to the second as given.",
                style="yellow",
            ),
            soft_wrap=True,
        )
    changes = diff(instance, old, new)
    out.print(reports.changes_by_person(instance, changes))
    kinds = sorted({c.change for c in changes})
    out.print(f"{len(changes)} change(s)" + (f": {', '.join(kinds)}" if kinds else "") + ".")


@app.command(cls=Command)
def check(
    instance_path: InstanceArg,
    schedule_path: ScheduleArg,
    previous_path: Annotated[
        Path | None,
        typer.Option(
            "--previous",
            "-p",
            help="The schedule this one was re-solved from: history before the frozen moment must be as it had it.",
            metavar="SCHEDULE",
            show_default=False,
        ),
    ] = None,
) -> None:
    """Check a schedule against every rule of docs/FORMAT.md; exit 0 only if all hold.

    The checker is independent of the solver: it re-derives rooms, times and
    availability from the instance itself. Meetings before the schedule's frozen
    moment are history: an edit of the instance made later (availability, rooms,
    caps) is a warning about them, not a violation, where the schedule it was
    re-solved from confirms that history (--previous, or the earlier version the
    file names, when that file is still there and unchanged).
    """
    from scheduler.store import sha256_of
    from scheduler.verify import review

    with input_errors():
        instance, schedule = load_pair(instance_path, schedule_path)
        previous = load_schedule(previous_path) if previous_path is not None else None
    if previous is None:
        previous_path = recorded_previous(schedule, schedule_path)
        if previous_path is not None:
            with input_errors():
                previous = load_schedule(previous_path)
            out.print(f"History is checked against {previous_path}, the schedule this one was re-solved from.")
    elif (
        schedule.previous_sha256 is not None
        and previous_path is not None
        and sha256_of(previous_path.read_bytes()) != schedule.previous_sha256
    ):
        # An earlier version than the one it was re-solved from: what the re-solves in between
        # changed before it happened reads as changed history (the organiser trial).
        err.print(
            Text(
                f"Note: {previous_path} is not the version this schedule was re-solved from (it names "
                f"{schedule.previous}): history is compared with the file given, so meetings the "
                "re-solves in between changed show as violations. Give that version, or leave "
                "--previous out to use it.",
                style="yellow",
            ),
            soft_wrap=True,
        )
    show_warnings(instance, instance_path)
    report = review(instance, schedule, previous)
    if report.frozen_until is not None:
        out.print(
            f"History: {report.history} assignment(s) start before frozen_until {report.frozen_until} "
            "and were checked as meetings that already happened."
        )
    if report.notes:
        out.print(reports.violations(report.notes, title="note(s)"))
    if report.warnings:
        out.print(reports.violations(report.warnings, title="warning(s) about history"))
    if report.violations:
        out.print(reports.violations(report.violations))
        raise typer.Exit(1)
    against = f", history as in {previous_path}" if previous_path is not None else ""
    out.print(
        f"OK: {len(schedule.assignments)} assignments satisfy every rule "
        f"(total priority {schedule.objective}, status {schedule.status}{against})."
    )


@app.command(cls=Command)
def timetable(
    instance_path: InstanceArg,
    schedule_path: ScheduleArg,
    person: Annotated[
        str | None, typer.Option("--person", "-p", help="Only this participant's meetings.", metavar="ID")
    ] = None,
    room: Annotated[
        str | None,
        typer.Option(
            "--room", "-r", help="Only this room, e.g. BJ-R1, or a group of tables, e.g. BJ-T.", metavar="ROOM"
        ),
    ] = None,
    date: Annotated[
        str | None, typer.Option("--date", "-d", help="Only this date, YYYY-MM-DD.", metavar="DATE")
    ] = None,
    output_format: Annotated[
        str,
        typer.Option(
            "--format",
            "-f",
            help="table (for people), or markdown, csv or json (one row per meeting, for scripts).",
            metavar="FORMAT",
        ),
    ] = "table",
) -> None:
    """Print timetables; the filters combine (a person on a date, a room on a date, ...).

    With --person: that person's meetings, then their requests not scheduled and why. With
    --room alone: that room's day, or for a group of tables a grid per date. Otherwise: a
    rooms x times grid per date, with a key.
    """
    from scheduler import timetable as select_rows

    if output_format not in select_rows.FORMATS:
        fail(f"--format must be one of {', '.join(select_rows.FORMATS)}, not {output_format!r}")
    with input_errors():
        instance, schedule = load_pair(instance_path, schedule_path)
    if person is not None:
        people = {**instance.participant_by_id, **instance.interpreter_by_id}
        named = dict.fromkeys(select_rows.named_in(schedule))
        known(person, {**named, **people}, "participant or interpreter", instance_path)
        if person not in people:
            gone = f"Warning: {person} is {select_rows.REMOVED} ({instance_path}): shown are the meetings"
            err.print(Text(f"{gone} {schedule_path} still gives them, kept as history.", style="yellow"))
    if room is not None:
        known(room, select_rows.room_groups(instance, schedule), "room or group of tables", instance_path)
    open_dates = select_rows.dates(instance)
    if date is not None and not select_rows.is_date(date):
        fail(f"--date {date!r} is not a date like {open_dates[0] if open_dates else '2025-11-13'} (YYYY-MM-DD)")
    if date is not None and date not in open_dates:
        fail(f"no venue is open on {date!r}; dates: {', '.join(open_dates)}")
    selection = select_rows.select(instance, schedule, person, room, date)
    if output_format != "table":
        records = select_rows.rows(instance, schedule, selection)
        writer = {"json": select_rows.as_json, "csv": select_rows.as_csv, "markdown": select_rows.as_markdown}
        typer.echo(writer[output_format](records), nl=False)
        return
    if person is not None:
        narrowed = selection.assignments if room is not None or date is not None else None
        shown = selection.programme if narrowed is not None else None
        out.print(render.person_timetable(instance, schedule, person, narrowed, shown))
    elif selection.rooms is not None and not selection.is_group:
        out.print(render.room_timetable(instance, schedule, selection.rooms[0], selection.assignments))
    else:
        for day in [date] if date else open_dates:
            out.print(render.date_grid(instance, schedule, day, selection.rooms, out.width))


@app.command(cls=Command)
def explain(
    instance_path: InstanceArg,
    schedule_path: ScheduleArg,
    meeting: Annotated[
        str, typer.Option("--meeting", "-m", help="The request to explain.", metavar="ID", show_default=False)
    ],
    no_solve: Annotated[
        bool, typer.Option("--no-solve", help="Skip the solve that finds what forcing it in would displace.")
    ] = False,
    time_limit: ForcingTimeLimitOpt = 20.0,
    workers: WorkersOpt = default_workers(),
    seed: SeedOpt = 0,
) -> None:
    """Say why a request is not scheduled, or why it is where it is, in words to pass on.

    Unscheduled: no common availability (whose, when), programme items that take its times,
    no room large enough, someone's max_meetings reached (by which meetings), one city per
    date, a break due (max_consecutive), no interpreter free (each one's reason), no time to
    travel (the rule, both places), or the meetings that hold its times; whose min_meetings
    promise it leaves unkept; then what a solve with it required would drop or move, and the
    priority cost. Scheduled: when its people are all free, the
    room size it needs, and what holds its other times.
    """
    from scheduler.explain import Explainer

    with input_errors():
        instance, schedule = load_pair(instance_path, schedule_path)
    known(meeting, {**instance.meeting_by_id, **schedule.assignment_by_meeting}, "meeting", instance_path)
    warn_if_rejected(instance, schedule, schedule_path)
    explainer = Explainer(instance, schedule)
    if no_solve:
        found = explainer.explain(meeting)
    else:
        with err.status("Solving with the request required…"), input_errors():
            found = explainer.force(meeting, time_limit, workers, seed)
    out.print(reports.explanation(instance, found))


@app.command(cls=Command)
def stats(instance_path: InstanceArg, schedule_path: ScheduleArg) -> None:
    """Figures for people: meetings per person, who has none and why, idle gaps, table changes,
    room use per city and day, unscheduled requests by reason, missed min_meetings promises."""
    from scheduler.stats import stats as figures

    with input_errors():
        instance, schedule = load_pair(instance_path, schedule_path)
    warn_if_rejected(instance, schedule, schedule_path)
    out.print(reports.stats_view(instance, figures(instance, schedule)))


@app.command(cls=Command)
def generate(
    participants: Annotated[
        int, typer.Option("--participants", "-n", min=2, max=100_000, help="How many people.", metavar="N")
    ],
    requests: Annotated[
        int, typer.Option("--requests", "-m", min=0, max=1_000_000, help="How many requests.", metavar="N")
    ],
    out_path: Annotated[
        Path,
        typer.Option(
            "--out",
            "-o",
            help="Instance file to write: YAML, or JSON if FILE ends in .json (JSON is YAML too, and reads"
            " many times faster at 50,000 requests and more).",
            metavar="FILE",
        ),
    ],
    seed: Annotated[
        int,
        typer.Option(
            "--seed", min=0, max=2**31 - 1, help="Random seed: the same seed writes the same instance.", metavar="N"
        ),
    ] = 0,
) -> None:
    """Write a realistic synthetic instance: two cities, three days, skewed popularity."""
    from scheduler.generate import check_sizes, instance_text
    from scheduler.generate import generate as make

    as_json = out_path.suffix.lower() == ".json"
    with input_errors():
        check_sizes(participants, requests, as_json)
        check_output_target(out_path)
    data = make(participants, requests, seed)
    kept = write_file(out_path, instance_text(data, as_json))
    out.print(f"Wrote {out_path}: {participants} participants, {len(data['meetings'])} requests (seed {seed}).")
    if kept:
        out.print(f"Earlier file kept as {kept}.")


@app.command(cls=Command, name="history")
def history_command(instance_path: InstanceArg) -> None:
    """List the schedule versions of an instance: when, by which command, cancellations, totals.

    NAME.schedule.json is the current one; NAME.schedule.v1.json, v2, ... are the files it
    replaced, oldest first.
    """
    from scheduler.history import versions
    from scheduler.store import read_bytes

    with input_errors():
        data = read_bytes(instance_path, "instance")
    out.print(reports.history(versions(instance_path, data), str(instance_path)))


@app.command(cls=Command, name="export")
def export_command(
    instance_path: InstanceArg,
    schedule_path: ScheduleArg,
    to: Annotated[Path, typer.Option("--to", help="Directory to write into.", metavar="DIR", show_default=False)],
    changed_only: Annotated[
        bool,
        typer.Option(
            "--changed-only",
            help="Rewrite only files whose content changed since the last export to DIR (after a re-solve: "
            "just the agendas and calendars to send again).",
        ),
    ] = False,
) -> None:
    """Write calendars, a workbook and printable agendas for a schedule.

    DIR/ics/ID.ics per person (calendar apps update moved meetings and mark cancelled
    ones), DIR/meetings.xlsx and meetings.csv, DIR/agendas/ID.html and all.html (A4,
    one page per person), DIR/index.html (rooms by time, per day).
    """
    from rich.progress import Progress

    from scheduler.export import export

    with input_errors():
        instance, schedule = load_pair(instance_path, schedule_path)
        with Progress(console=err, transient=True) as progress:
            task = progress.add_task("Writing files", total=None)
            report = export(
                instance,
                schedule,
                to,
                changed_only,
                lambda done, total: progress.update(task, completed=done, total=total),
                schedule_path,
            )
    out.print(reports.export_summary(report))


@app.command(cls=Command, name="import")
def import_command(
    participants_path: Annotated[
        Path,
        typer.Option(
            "--participants",
            help="Participants sheet (.csv or .xlsx): id, name, organisation, country, languages, "
            "and one column per date and city such as '2025-11-13 Beijing' (x = whole day, or 09:30-12:30).",
            metavar="FILE",
            show_default=False,
        ),
    ],
    requests_path: Annotated[
        Path,
        typer.Option(
            "--requests",
            help="Meeting-requests sheet (.csv or .xlsx): requester, requested, priority "
            "(a number, 'must meet', 'should meet' or 'would like'), topic, city.",
            metavar="FILE",
            show_default=False,
        ),
    ],
    event_path: Annotated[
        Path,
        typer.Option("--event", help="The event and venues (YAML).", metavar="FILE", show_default=False),
    ],
    out_path: Annotated[
        Path, typer.Option("--out", "-o", help="Instance file to write (YAML).", metavar="FILE", show_default=False)
    ],
) -> None:
    """Build an instance file from spreadsheets exported by a matchmaking platform.

    Mutual requests (A asks B and B asks A) become one meeting with the higher priority.
    A problem names the file, sheet, row and column; nothing is written until all is well.
    """
    import yaml

    from scheduler.importer import build_instance

    with input_errors():
        check_output_target(out_path, [participants_path, requests_path, event_path])
    with input_errors(), err.status("Reading the sheets and checking every row…"):
        report = build_instance(participants_path, requests_path, event_path)
    text = yaml.safe_dump(report.data, sort_keys=False, allow_unicode=True, width=120)
    kept = write_file(out_path, text)
    out.print(reports.import_summary(report, str(out_path), str(kept) if kept else None))


def main(prog_name: str | None = None) -> None:
    """The `schedule` command: a command's --time-limit counts from the start of this process."""
    from scheduler import IMPORTED
    from scheduler.budget import started_at

    started_at(IMPORTED)
    console.process_ends_with_command = True
    try:
        app(prog_name=prog_name)
    except SystemExit as done:
        exit_now_if_left(done.code)
        raise
    except KeyboardInterrupt:  # (while the command line is read: each command handles its own)
        err.print(Text("Interrupted (Ctrl-C).", style="red"))
        exit_now_if_left(130)
        raise SystemExit(130) from None
