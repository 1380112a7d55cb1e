"""Ending on SIGTERM (`kill`, a service manager) through Python, so what is under way is cleaned
up and said: the default ends the process on the spot, which left a temporary file beside the
schedule, or ended a command that had written its schedule without a word."""

from __future__ import annotations

import signal
import threading
from collections.abc import Iterator
from contextlib import contextmanager


class Terminated(BaseException):
    """SIGTERM came: raised (not an Exception, so nothing on the way catches it) so that every
    `finally` runs and the command can say what it had written."""


@contextmanager
def sigterm_raises() -> Iterator[None]:
    """Within it, SIGTERM raises `Terminated` once; a second one while that is cleaned up is
    ignored (it would cut the clean-up short). Only the main thread may set a handler; elsewhere
    the default stands. Not around the search: a handler runs only once CP-SAT hands back to
    Python, and the default ends it at once, with nothing written yet to clean up."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def stop(signum: int, frame: object) -> None:
        signal.signal(signal.SIGTERM, signal.SIG_IGN)
        raise Terminated

    previous = signal.signal(signal.SIGTERM, stop)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


@contextmanager
def ctrl_c_held() -> Iterator[None]:
    """Within it, Ctrl-C is noted, not raised; on leaving, a noted one raises KeyboardInterrupt.

    For work that must not be cut in the middle: importing OR-Tools (0.4 s, left to the first
    stage that needs it) ended, when a Ctrl-C came during it, in "ImportError: initialization
    failed" and a traceback, not the best schedule so far. Only the main thread may set a handler.
    """
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    came: list[bool] = []
    previous = signal.signal(signal.SIGINT, lambda signum, frame: came.append(True))
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, previous)
    if came:
        raise KeyboardInterrupt
