"""Work for a second core: a computation run in a forked child while the command goes on.

A re-solve of 60,000 requests spends seconds of pure Python on work nothing waits for at
once (checking the previous file, explaining half of the waiting list). Where the system can
fork, a child does it on copy-on-write memory and sends back its pickled result. Where it
cannot, or the child fails, the parent does the work itself when asked: the answer never
depends on the fork, only how soon it comes.
"""

from __future__ import annotations

import contextlib
import ctypes
import os
import pickle
import select
import signal
import sys
from collections.abc import Callable
from types import TracebackType
from typing import Generic, TypeVar

T = TypeVar("T")


class Background(Generic[T]):
    """`work()` started in a child now; `result()` waits for it. Use as a context manager, so a
    child not waited for (an error, Ctrl-C) is stopped and reaped. `on_failure` gives the answer
    when the child fails (default: `work()` again, here); without fork, `work()` runs here.
    `nice`: the child's lower priority, for work that should yield to the command's own."""

    def __init__(self, work: Callable[[], T], on_failure: Callable[[], T] | None = None, nice: int = 0) -> None:
        self._work = work
        self._on_failure = on_failure or work
        self._child: int | None = None
        self._read_end: int | None = None
        self._fork_failed = False
        if not hasattr(os, "fork"):
            return
        parent = os.getpid()
        try:
            read_end, write_end = os.pipe()
        except OSError:  # (out of file descriptors)
            self._fork_failed = True
            return
        try:
            child = os.fork()
        except OSError:  # (out of memory or processes: the command goes on, as if the child had failed)
            os.close(read_end)
            os.close(write_end)
            self._fork_failed = True
            return
        if child == 0:  # the child: work, send, leave without the parent's exit handlers
            code = 1
            try:
                os.close(read_end)
                become_child_of(parent)
                if nice:  # (the child alone: should it fail, the parent works at its own priority)
                    with contextlib.suppress(OSError):
                        os.nice(nice)
                data = pickle.dumps(work(), protocol=pickle.HIGHEST_PROTOCOL)
                with os.fdopen(write_end, "wb") as pipe:
                    pipe.write(data)
                code = 0
            finally:
                os._exit(code)
        os.close(write_end)
        self._child, self._read_end = child, read_end

    def result(self) -> T:
        """The work's result: the child's, or `on_failure()` if it failed (or could not be forked),
        or `work()` here where the system cannot fork."""
        if self._fork_failed:
            return self._on_failure()
        if self._child is None or self._read_end is None:
            return self._work()
        read_end, self._read_end = self._read_end, None
        with os.fdopen(read_end, "rb") as pipe:
            data = pipe.read()
        _, status = os.waitpid(self._child, 0)
        self._child = None
        if os.waitstatus_to_exitcode(status) == 0 and data:
            return pickle.loads(data)  # (our own child's bytes, through our own pipe)
        return self._on_failure()

    def ready(self) -> bool:
        """Whether `result()` would come back at once: the child has begun to send its answer (or
        ended), or there is no child and the work is done here when asked."""
        if self._child is None or self._read_end is None:
            return self._child is None
        readable, _, _ = select.select([self._read_end], [], [], 0)
        return bool(readable)

    def close(self) -> None:
        """Stop and reap a child whose result is no longer wanted."""
        if self._read_end is not None:
            os.close(self._read_end)
            self._read_end = None
        if self._child is not None:
            with contextlib.suppress(ProcessLookupError):
                os.kill(self._child, signal.SIGKILL)
            os.waitpid(self._child, 0)
            self._child = None

    def __enter__(self) -> Background[T]:
        return self

    def __exit__(
        self, kind: type[BaseException] | None, error: BaseException | None, trace: TracebackType | None
    ) -> None:
        self.close()


def become_child_of(parent: int) -> None:
    """In a forked child: leave Ctrl-C to the parent, and end with it. On Linux the kernel kills the
    child when the parent dies (a SIGTERM to the command left its child working on for seconds,
    and PDLP's for minutes); elsewhere the child ends on its own when its work is done."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    if sys.platform.startswith("linux"):
        with contextlib.suppress(OSError, AttributeError):
            ctypes.CDLL(None, use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGKILL)
    if os.getppid() != parent:  # the parent died before that took effect
        os._exit(1)


PR_SET_PDEATHSIG = 1
"""prctl(2): the signal this process gets when its parent dies."""
