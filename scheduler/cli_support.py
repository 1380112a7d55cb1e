"""What the commands share: their options, loading an instance with its schedule, checked writes.

Kept apart from `scheduler.cli` so that module stays a list of thin commands.
"""

from __future__ import annotations

import difflib
import math
import os
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, TypeVar

import typer
from rich.text import Text

from scheduler import console, reports
from scheduler.budget import Budget
from scheduler.console import err, fail, input_errors
from scheduler.errors import InputError, Problem
from scheduler.instance_warnings import instance_warnings
from scheduler.model import Instance
from scheduler.solution import Schedule, Unscheduled
from scheduler.stats import Headline, headline
from scheduler.store import (
    WriteFailed,
    check_output_target,
    load_instance,
    load_schedule,
    schedule_json,
    write_or_keep,
)
from scheduler.verify import Violation, review

if TYPE_CHECKING:  # (the solver and the re-solve plan load only with the commands that use them)
    from scheduler.background import Background
    from scheduler.resolve import ResolvePlan
    from scheduler.solver.request import SolveOutcome

T = TypeVar("T")

InstanceArg = Annotated[
    Path,
    typer.Argument(
        help="Instance file: YAML, or JSON (read far faster at 50,000 requests); see docs/FORMAT.md.",
        metavar="INSTANCE",
        show_default=False,
    ),
]
ScheduleArg = Annotated[
    Path,
    typer.Argument(help="Schedule file (JSON) written by solve or resolve.", metavar="SCHEDULE", show_default=False),
]
OutOpt = Annotated[
    Path | None,
    typer.Option(
        "--out",
        "-o",
        help="Where to write the schedule (default: beside the instance, x.yaml or x.json -> x.schedule.json).",
        metavar="FILE",
        show_default=False,
    ),
]


def a_number(value: float) -> float:
    """NaN passes neither min nor max, and typer would call it too large: say what it is."""
    if math.isnan(value):
        raise typer.BadParameter("is not a number of seconds")
    return value


def time_limit_option(help_text: str) -> Any:
    """--time-limit / -t in seconds, with the command's own words for what it limits."""
    return typer.Option("--time-limit", "-t", min=0.5, max=86_400, help=help_text, metavar="SECONDS", callback=a_number)


TimeLimitOpt = Annotated[
    float,
    time_limit_option(
        "Wall-clock seconds for the whole command: reading, solving, explaining and writing. The search"
        " gets what is left after reading, less a reserve for the rest; the quality goals end sooner once"
        " they stop improving. Too short a limit cannot be kept (reading, a first schedule and the"
        " check come first: about 2 s for a small event, 10 s at 60,000 requests); the command then"
        " says how long it took."
    ),
]
ForcingTimeLimitOpt = Annotated[
    float,
    time_limit_option(
        "Seconds of search for the solve that forces the request in. Unlike solve's, this is not the"
        " whole command's time: reading and building that solve's model come on top (about 45 s, and up to"
        " 3 GB, at 60,000 requests; --no-solve skips it)."
    ),
]
WorkersOpt = Annotated[int, typer.Option("--workers", "-w", min=1, max=256, help="CP-SAT worker threads.", metavar="N")]
SeedOpt = Annotated[
    int,
    typer.Option(
        "--seed",
        min=0,
        max=2**31 - 1,
        help="Random seed. Runs repeat exactly only with --workers 1 (parallel workers race).",
        metavar="N",
    ),
]
PriorityOnlyOpt = Annotated[
    bool,
    typer.Option(
        "--priority-only",
        help="Maximise total priority only: no min_meetings, fairness, idle-gap or steady-table goals after it.",
    ),
]


def default_workers() -> int:
    return max(1, min(8, os.cpu_count() or 1))


def load_pair(instance_path: Path, schedule_path: Path) -> tuple[Instance, Schedule]:
    """Instance and schedule, refusing a schedule made for another instance."""
    instance, sha = load_instance(instance_path)
    schedule = load_schedule(schedule_path)
    if schedule.instance_sha256 != sha:
        raise InputError(
            [
                Problem(
                    (),
                    f"was made for another instance (sha256 {schedule.instance_sha256[:12]}…, "
                    f"but {instance_path} has {sha[:12]}…); solve again or pass the matching instance",
                )
            ],
            str(schedule_path),
        )
    # A meeting whose request was deleted after it happened stays as history; any other is unknown.
    frozen = schedule.frozen_until or ""
    unknown = [
        a.meeting
        for a in schedule.assignments
        if a.meeting not in instance.meeting_by_id and not f"{a.date}T{a.start}" < frozen
    ]
    if unknown:
        raise InputError([Problem(("assignments",), f"unknown meeting {unknown[0]!r}")], str(schedule_path))
    return instance, schedule


def prepare_output(target: Path, inputs: list[Path], instance: Instance, instance_path: Path) -> None:
    """Refuse a bad --out or an instance too big to build before any work; show warnings."""
    from scheduler.model_size import check_model_size

    check_output_target(target, inputs)
    check_model_size(instance, str(instance_path))
    show_warnings(instance, instance_path)


def note_if_replacing_a_re_solve(target: Path) -> None:
    """Say so when `solve` is about to replace a re-solved schedule: during the event a fresh
    solve ignores the cancellations and history that file records, and a later `resolve
    --previous` of that path would start from the fresh one (the organiser trial did it unawares)."""
    try:
        with target.open("rb") as file:
            file.seek(max(0, file.seek(0, os.SEEK_END) - _TAIL_BYTES))
            tail = file.read().decode("utf-8", "replace")
    except OSError:
        return  # (no file there, or not one to read: nothing replaced)
    if _RE_SOLVED.search(tail) is None:
        return
    err.print(
        Text(
            f"Note: {target} is a re-solve (it names the schedule it was made from). This solve starts "
            "afresh from the instance: the cancellations and the history it records are not carried "
            "over; `schedule resolve` keeps them. It is kept as a numbered version.",
            style="yellow",
        ),
        soft_wrap=True,
    )


_TAIL_BYTES = 1 << 20
"""A schedule file's fields after its lists (`previous`, the command line) are in its last bytes."""
_RE_SOLVED = re.compile(r'"previous"\s*:\s*"')
"""A re-solve records the schedule it was made from; a solve writes `"previous": null` (however
the file is indented: one reformatted by `json.tool` got no note)."""


def show_warnings(instance: Instance, instance_path: Path) -> None:
    warnings = instance_warnings(instance)
    if warnings:
        err.print(Text(InputError(warnings, f"warning: {instance_path}").render(), style="yellow"), soft_wrap=True)


def write_file(target: Path, text: str) -> Path | None:
    """Write (keeping an earlier file as a version); a failure keeps the text elsewhere and says where."""
    try:
        kept = write_or_keep(target, text)
    except WriteFailed as failure:
        fail(str(failure), 1)
    console.written.append(str(target))
    return kept


def write_checked(
    instance: Instance,
    schedule: Schedule,
    target: Path,
    previous: Schedule | None = None,
    ahead: CheckAhead | None = None,
    previous_rejected: str | None = None,
) -> Path | None:
    """Write only what the independent checker accepts; anything else is our bug, never a file,
    unless the previous file was rejected too (`previous_rejected`, its path): its history, kept
    as it happened, carries what it breaks into any re-solve, and that is bad input."""
    violations = ahead.violations(schedule) if ahead is not None else review(instance, schedule, previous).violations
    if violations:
        err.print(reports.violations(violations))
        if previous_rejected is not None:
            fail(
                f"{previous_rejected}: the re-solve keeps its history as it stands, and that breaks the "
                f"{len(violations)} rule(s) listed above, so nothing was written to {target}. The file was "
                "edited by hand or damaged: `schedule check` lists what it breaks; re-solve from a valid "
                "version (`schedule history` lists them).",
                2,
            )
        fail(
            f"Internal error: the schedule breaks {len(violations)} rule(s) listed above, so it was not "
            f"written to {target}. Please report this with the instance file.",
            1,
        )
    return write_file(target, schedule_json(schedule))


def placements_of(schedule: Schedule) -> Schedule:
    """The schedule without its words: waiting requests' reasons (and their digest), the changes,
    the command line and the previous file's name. The checker reads none of them (a test holds
    it to that)."""
    waiting = [Unscheduled.model_construct(meeting=u.meeting, reason="waiting") for u in schedule.unscheduled]
    words = {"unscheduled": waiting, "reasons_sha256": None, "changes": [], **dict.fromkeys(_NAMES)}
    return schedule.model_copy(update=words)


_NAMES = ("command", "previous", "previous_sha256")
_WORDS = {"unscheduled", "reasons_sha256", "changes", *_NAMES}
"""What `placements_of` leaves out: the waiting requests (all but which they are), reasons,
changes, the command line and the previous file's name."""


def same_placements(schedule: Schedule, other: Schedule) -> bool:
    """Whether the two differ at most in what `placements_of` leaves out: field by field, a list
    shared by both (a copy with new words) compared by identity, not item by item."""
    for name in Schedule.model_fields:
        if name not in _WORDS:
            mine, theirs = getattr(schedule, name), getattr(other, name)
            if mine is not theirs and mine != theirs:
                return False
    return [u.meeting for u in schedule.unscheduled] == [u.meeting for u in other.unscheduled]


CHECKING_AFTER_CTRL_C = (
    "Ctrl-C: the schedule found is checked before it is written (a few seconds at the largest "
    "events); Ctrl-C again abandons it."
)


class CheckAhead:
    """The independent check of a schedule whose placements are final, and the summary's headline
    figures (`stats.headline`), worked out in one child process on another core while its words
    are (1.6 s and 0.3 s at 60,000 requests, off the wait; one child, not two: a re-solve of
    60,000 requests ended 0.1 s sooner, median of 13 runs). Asked about the schedule with its
    words, it answers from that check only if nothing but words changed since; else it checks
    again here."""

    def __init__(self, instance: Instance, schedule: Schedule, previous: Schedule | None = None) -> None:
        from scheduler.background import Background

        self.instance, self.previous, self.checked = instance, previous, schedule
        self._job: Background[tuple[list[Violation], Headline]] | None = Background(lambda: self._work(schedule))
        self._answer: tuple[list[Violation], Headline] | None = None

    def _work(self, schedule: Schedule) -> tuple[list[Violation], Headline]:
        return review(self.instance, placements_of(schedule), self.previous).violations, headline(
            self.instance, schedule
        )

    def violations(self, schedule: Schedule) -> list[Violation]:
        """What the checker finds wrong with `schedule` (empty: it may be written)."""
        if self._job is not None and same_placements(schedule, self.checked):
            if self._answer is None:
                try:
                    self._answer = self._job.result()
                except KeyboardInterrupt:  # (a schedule is never written unchecked: once more, here)
                    err.print(Text(CHECKING_AFTER_CTRL_C, style="yellow"), soft_wrap=True)
                    self._answer = self._work(self.checked)
            return self._answer[0]
        self.close()
        return review(self.instance, schedule, self.previous).violations

    def headline(self) -> Headline:
        """The headline figures of the placements this was made with (here, if the child was stopped)."""
        if self._answer is None:
            self._answer = self._job.result() if self._job is not None else ([], headline(self.instance, self.checked))
        return self._answer[1]

    def close(self) -> None:
        """Stop the child (its check is of placements no longer asked about); the figures are then worked out here."""
        if self._job is not None and self._answer is None:
            self._job.close()
            self._job = None

    def __enter__(self) -> CheckAhead:
        return self

    def __exit__(self, *exc: object) -> None:
        if self._job is not None:
            self._job.close()


def recorded_instance(recorded: str, schedule_path: Path) -> Path:
    """The instance a schedule names: as given, else beside the schedule (a relative path from another folder)."""
    path = Path(recorded)
    for candidate in (path, schedule_path.parent / path, schedule_path.parent / path.name):
        if candidate.is_file():
            return candidate
    message = f"records the instance {recorded!r}, which is neither here nor beside it; pass --instance"
    raise InputError([Problem((), message)], str(schedule_path))


def recorded_previous(schedule: Schedule, schedule_path: Path) -> Path | None:
    """The earlier version a re-solved file names, if it is still there, byte for byte."""
    from scheduler.store import sha256_of

    if schedule.previous is None or schedule.previous_sha256 is None:
        return None
    named = Path(schedule.previous)
    # Beside the file as written since (relative to its folder), as older files named it (relative
    # to where resolve ran), or moved along with it into its folder.
    for candidate in (schedule_path.parent / named, named, schedule_path.parent / named.name):
        try:
            if candidate.is_file() and sha256_of(candidate.read_bytes()) == schedule.previous_sha256:
                return candidate
        except OSError:
            continue
    return None


MAX_COMMAND_CHARS = 10_000
"""As long as a schedule file's `command` may be (scheduler/solution.py)."""


def command_line(ctx: typer.Context) -> str:
    """The running command as a person would type it again (options left at their defaults omitted)."""
    import shlex

    words = ctx.command_path.split()
    for param in ctx.command.params:
        value = ctx.params.get(param.name or "")
        source = ctx.get_parameter_source(param.name or "")
        if value is None or (source is not None and source.name == "DEFAULT"):
            continue
        if param.param_type_name == "argument":
            words.append(str(value))
            continue
        flag = param.opts[0]
        if isinstance(value, bool):
            words += [flag] if value else []
        elif isinstance(value, list | tuple):
            for item in value:
                words += [flag, str(item)]
        else:
            words += [flag, str(value)]
    line = shlex.join(words)
    if len(line) <= MAX_COMMAND_CHARS:
        return line
    # 500 --cancel options make 15,000 characters: the file keeps what fits (the cancellations
    # themselves are in its `cancelled` list), never more than a schedule file may hold.
    cut = line[: MAX_COMMAND_CHARS - 40].rsplit(" ", 1)[0]
    return f"{cut} ... ({len(line) - len(cut):,} more characters)"


def known(ident: str, table: Mapping[str, object], kind: str, source: Path) -> None:
    if ident not in table:
        close = difflib.get_close_matches(ident, list(table), n=3)
        hint = f"; did you mean {', '.join(close)}?" if close else ""
        fail(f"{source}: unknown {kind} {ident!r}: the instance has no such {kind}{hint}")


def warn_if_rejected(instance: Instance, schedule: Schedule, schedule_path: Path) -> None:
    """Reasons read from a schedule that breaks the rules can mislead: say so first."""
    print_rejection(rejection_of(instance, schedule, schedule_path, recorded_earlier(schedule, schedule_path)))


def recorded_earlier(schedule: Schedule, schedule_path: Path) -> Schedule | None:
    """The earlier version the file names (its history is checked against it), read; bad input exits 2."""
    previous_path = recorded_previous(schedule, schedule_path)
    if previous_path is None:
        return None
    with input_errors():
        return load_schedule(previous_path)


@dataclass(frozen=True)
class Rejection:
    """The checker's verdict on a schedule file, as a re-solve or a report needs it."""

    path: str
    warning: str
    first: str
    """The first violation, in words."""
    damaged: bool
    """Its history is not as the earlier schedule it names recorded, or breaks rules with no earlier
    schedule to confirm it happened so: an edit by hand, a damaged file, or a missing earlier
    version. A re-solve keeps history as it stands and would carry that on; other breaks it can
    mend by planning again."""


def rejection_of(
    instance: Instance, schedule: Schedule, schedule_path: Path, earlier: Schedule | None
) -> Rejection | None:
    """What to say when the checker rejects the schedule, or None. Nothing is read or printed here:
    a re-solve works it out in a child process (`Background`) and pickles it back."""
    report = review(instance, schedule, earlier)
    violations = report.violations
    if not violations:
        return None
    warning = (
        f"Warning: {schedule_path} breaks {len(violations)} rule(s) of this instance (see `schedule check`), "
        f"for example: {violations[0].message}. What follows reads the schedule as it stands."
    )
    differs: list[Violation] = []
    if earlier is not None and any(v.rule == "history" for v in violations):
        # (rare: only then is the file read again without the earlier one, on the same idle core)
        alone = set(review(instance, schedule).violations)
        differs = [v for v in violations if v.rule == "history" and v not in alone]
    # History is kept as it stands: breaks in it that no earlier version confirms would be carried on too.
    carried = differs or report.unconfirmed
    first = (carried or violations)[0].message
    return Rejection(str(schedule_path), warning, first, damaged=bool(carried))


def print_rejection(rejected: Rejection | None) -> None:
    if rejected is not None and rejected is not UNJUDGED:
        err.print(Text(rejected.warning, style="yellow"), soft_wrap=True)


UNJUDGED = Rejection("", "", "", damaged=False)
"""A Ctrl-C came before the checker had judged the previous file: the schedule found stands (the
new file is still checked before it is written, and should it break a rule, the previous file,
trusted unjudged, is named as the cause)."""


def _stopped_unjudged(outcome: SolveOutcome, checking: Background[Rejection | None] | None) -> SolveOutcome:
    """The schedule in hand after a Ctrl-C while the previous file's check ran: marked interrupted,
    so the command finishes quickly with it (at 60,000 requests the check can outlast the draft)."""
    if checking is not None:
        checking.close()
    outcome.interrupted = True
    return outcome


def again_after_ctrl_c(work: Callable[[], T], outcome: SolveOutcome) -> T:
    """`work()` on a schedule found, done once more if a Ctrl-C cut it (turning the outcome into a
    schedule file's placements: a Ctrl-C there ended the command with nothing written). The
    outcome is marked interrupted, so the rest goes quickly; a second Ctrl-C abandons it."""
    try:
        return work()
    except KeyboardInterrupt:
        outcome.interrupted = True
        return work()


def solved_trusting(
    trusting: ResolvePlan,
    solved: Callable[[ResolvePlan], SolveOutcome],
    checking: Background[Rejection | None] | None,
    replan: Callable[[], ResolvePlan],
) -> tuple[ResolvePlan, SolveOutcome, Rejection | None]:
    """The re-solve of a plan that trusted the previous file, once the checker's review of that file
    (`checking`, run beside the plan and the solve) has had its say: if it rejects the file, that is
    said and the plan is made and solved again without trust. A failure under trust waits for the
    same answer: a rejected file may hold what no stage expects (a meeting outside every session);
    if the checker accepts the file, the failure is ours and is raised. Returns the plan that
    stands, its outcome, and the checker's warning about the previous file (None: accepted)."""
    try:
        outcome = solved(trusting)
        try:
            rejected = checking.result() if checking is not None else None
        except KeyboardInterrupt:
            return trusting, _stopped_unjudged(outcome, checking), UNJUDGED
    except Exception:
        if checking is None or (rejected := checking.result()) is None:
            raise
    if rejected is None:
        return trusting, outcome, None
    if rejected.damaged:  # (its history would be kept as it stands, and carry that on)
        fail(
            f"{rejected.path} breaks rules of the instance it was made for, so it was edited by hand or damaged; "
            f"for example: {rejected.first}. `schedule check` lists them all; re-solve from a valid version "
            "(`schedule history` lists them).",
            2,
        )
    print_rejection(rejected)
    err.print(
        "Planning again, checking each kept meeting instead of trusting the file (its history stays as it stands)."
    )
    again = replan()
    return again, solved(again), rejected


OVERRUN_TOLERANCE = 0.5
"""Seconds past --time-limit not worth a note (leaving the process takes a moment too)."""


def note_overrun(budget: Budget) -> None:
    """Say so when the command took longer than its --time-limit: never a silent overrun."""
    over = budget.overrun()
    if over > OVERRUN_TOLERANCE:
        err.print(
            Text(
                f"Note: this took {budget.seconds + over:.1f} s, more than --time-limit {budget.seconds:g} s: "
                "reading the instance, a first schedule, building a model (not interrupted once begun), "
                "the check and the write can take that long at this size.",
                style="yellow",
            ),
            soft_wrap=True,
        )
