"""The terminal around the commands: consoles, readable help, errors as exit codes, live progress.

Kept apart from `scheduler/cli.py` so the commands there read as what they do: load, call
one layer, print.
"""

from __future__ import annotations

import contextlib
import gc
import inspect
import os
import signal
import sys
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any, NoReturn, TypeVar

import typer
from rich.console import Console, RenderableType
from rich.live import Live
from rich.table import Table
from rich.text import Text
from typer.core import TyperCommand, TyperGroup

from scheduler.errors import InputError
from scheduler.termination import Terminated


class _Console(Console):
    def on_broken_pipe(self) -> None:
        """The reader of our output went away (`| head -1`): stop quietly with status 141 (128 +
        SIGPIPE), as other command-line tools do. rich's own ended with 1, which reads as "no
        schedule could be produced" though the schedule was written, whole."""
        self.quiet = True
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, (sys.stderr if self.stderr else sys.stdout).fileno())  # (nothing more to say there)
        raise SystemExit(PIPE_CLOSED)


PIPE_CLOSED = 141

# No markup: paths and ids are printed as they are ("[b]x.yaml" is a file name, not bold "x.yaml").
out = _Console(highlight=False, markup=False)
err = _Console(stderr=True, highlight=False, markup=False)


def reflow(help_text: str | None) -> str | None:
    """A docstring's paragraphs as single lines, so rich wraps them to the terminal.

    typer's "rich" markup keeps a docstring's own line breaks, and rich then wraps those
    lines again: an 80-column terminal shows a short stray line ('export', '--max-moves')
    after every long one. Blank lines still separate paragraphs.
    """
    if not help_text:
        return help_text
    paragraphs = inspect.cleandoc(help_text).split("\n\n")
    return "\n\n".join(" ".join(p.split()) for p in paragraphs)


class _QuietFlags:
    """Help that reads cleanly: paragraphs reflowed, no type label on on/off flags ('<bool>' beside --help)."""

    def format_help(self, ctx: Any, formatter: Any) -> None:
        command: Any = self  # a TyperCommand or TyperGroup: this class only comes first in their bases
        for param in [*command.params, command.get_help_option(ctx)]:
            if getattr(param, "is_flag", False) and param.metavar is None:
                param.metavar = ""
        for each in [command, *getattr(command, "commands", {}).values()]:
            each.help = reflow(each.help)
        super().format_help(ctx, formatter)  # type: ignore[misc]


class Command(_QuietFlags, TyperCommand):
    def invoke(self, ctx: Any) -> Any:
        """The command, with a Ctrl-C outside the solve (which keeps its best schedule) said in words."""
        written.clear()
        left_to_the_process.clear()
        try:
            with without_cycle_collector():
                return super().invoke(ctx)
        except KeyboardInterrupt:
            fail(INTERRUPTED + _written_before(), 130)
        except Terminated:
            fail(TERMINATED + _written_before(), 143)


process_ends_with_command = False
"""Set by `main`: the process ends when the command does (not so under a test runner)."""
left_to_the_process: list[object] = []
"""What a large command built and is done with (`leave_to_the_process`)."""


def leave_to_the_process(*objects: object) -> None:
    """Keep these until the process ends, and let `main` end it at once: freeing the millions of
    objects of 60,000 requests one by one took 0.6 s after the command had said all it had to."""
    left_to_the_process.extend(objects)


def exit_now_if_left(code: int | str | None) -> None:
    """End the process at once with `code`, output flushed, if a command left objects to it."""
    if not left_to_the_process:
        return
    for stream in (sys.stdout, sys.stderr):
        if stream is not None:  # (None: started with that stream closed)
            with contextlib.suppress(OSError, ValueError):  # (a closed pipe or stream: nothing to lose)
                stream.flush()
    _end_process(code if isinstance(code, int) else 0 if code is None else 1)


_end_process = os._exit


written: list[str] = []
"""The files this command has written so far (`cli_support.write_file`): an interruption after
the schedule was written says so, where "before the command finished" alone read as lost."""


def _written_before() -> str:
    return f" Written before it: {', '.join(written)}." if written else ""


@contextmanager
def without_cycle_collector() -> Iterator[None]:
    """CPython's cycle collector off while a command runs, and as it was after.

    An instance and a schedule at 60,000 requests are millions of small objects that live as
    long as the command, and each full collection walks all of them again: a re-solve spent
    about 3 s of its 12 s there. What we build leaves no cycles worth collecting: a 60 s solve
    at 60,000 requests peaked at the same memory with the collector off (1,014 MiB against 1,010).
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        # Not when the process is about to end with what the command left it: the first collection
        # would walk every object the command made (0.4 s at 60,000 requests) for nothing.
        if enabled and not (left_to_the_process and process_ends_with_command):
            gc.enable()


INTERRUPTED = (
    "Interrupted (Ctrl-C) before the command finished. Files are written whole or not at all, "
    "and earlier versions are kept."
)


TERMINATED = (
    "Stopped (SIGTERM) before the command finished. Files are written whole or not at all, no "
    "temporary file is left behind, and earlier versions are kept."
)


class Group(_QuietFlags, TyperGroup):
    pass


def fail(message: str, code: int = 2) -> NoReturn:
    err.print(Text(message, style="red"), soft_wrap=True)
    raise typer.Exit(code)


@contextmanager
def input_errors() -> Iterator[None]:
    """Bad input: print every problem, exit 2, never a traceback."""
    try:
        yield
    except InputError as error:
        err.print(Text(error.render(), style="red"), soft_wrap=True)  # one line per problem, greppable
        raise typer.Exit(2) from None
    except MemoryError:
        # Reading and validating input is where a file far larger than it looks can exhaust memory.
        fail("the input is too large to read into this machine's memory; nothing was written")


class ProgressView:
    """What the live display shows while CP-SAT works; rich re-renders it a few times a second."""

    def __init__(self, total: int) -> None:
        self.total = total
        self.started = time.monotonic()
        self.phase = "reading"
        self.objective: int | None = None
        self.bound: int | None = None
        self.placed: int | None = None

    def update(self, progress: object) -> None:
        for name in ("phase", "objective", "bound", "placed"):
            value = getattr(progress, name)
            if value is not None:
                setattr(self, name, value)

    def __rich__(self) -> RenderableType:
        table = Table.grid(padding=(0, 2))
        elapsed = time.monotonic() - self.started
        gap = "—"
        if self.objective is not None and self.bound:
            gap = f"{100.0 * max(0, self.bound - self.objective) / self.bound:.2f}%"
        table.add_row(
            Text(f"⏱ {elapsed:6.1f}s", style="cyan"),
            Text(self.phase),
            Text(f"best {self.objective if self.objective is not None else '—'}"),
            Text(f"bound {self.bound if self.bound is not None else '—'}"),
            Text(f"gap {gap}"),
            Text(f"placed {self.placed if self.placed is not None else '—'}/{self.total}"),
        )
        return table


T = TypeVar("T")


def deliver_ctrl_c() -> None:
    """Make Ctrl-C (SIGINT) raise KeyboardInterrupt even if this process inherited it ignored,
    as background jobs of scripts do; call from the main thread before a long solve."""
    if threading.current_thread() is threading.main_thread():
        signal.signal(signal.SIGINT, signal.default_int_handler)


def run_with_progress(total: int, work: Callable[[Callable[[object], None]], T], time_limit: float) -> T:
    """Run `work(on_progress)` under a live progress line on stderr; Ctrl-C keeps the best so far.

    Before the first schedule there is nothing to keep: Ctrl-C, or the time limit passing
    while the model is still being built, ends the run with a message and writes nothing.
    """
    from scheduler.model_size import BuildTimedOut, time_limit_while_building

    deliver_ctrl_c()
    view = ProgressView(total)
    try:
        with (
            time_limit_while_building(time_limit * 1.1 + 2, lambda: view.objective is None),
            Live(view, console=err, refresh_per_second=4, transient=True),
        ):
            return work(view.update)
    except BuildTimedOut:
        # (the phase it was in: many room sizes made the first draft itself slow, not a model)
        said = f"--time-limit: {time_limit:g} s passed while {view.phase}, before any schedule; nothing written"
        fail(f"{said}. A longer --time-limit gives it the time.", 1)
    except KeyboardInterrupt:
        fail(f"Interrupted (Ctrl-C) while {view.phase}, before any schedule was found; nothing written.", 130)
